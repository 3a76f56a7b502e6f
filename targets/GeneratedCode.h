//===- GeneratedCode.h - Model text in generated C and C++ ------*- C++ -*-===//
//
// Names and strings from a model (tensor, node and file names) reach the C
// header of the CPU target and the C++ of the HLS target. They are hostile
// input: these turn them into identifiers and comment text that cannot
// break out of where they are put.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_TARGETS_GENERATEDCODE_H
#define MUON_TARGETS_GENERATEDCODE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"

#include <string>

namespace muon {

/// `name` as a C identifier ("input.1" -> "input_1", "487" -> "t_487"),
/// made unique among `used` (to which it is added).
std::string cIdentifier(llvm::StringRef name, llvm::StringSet<> &used);

/// `text` as it may appear inside a one-line C or C++ comment: `*/` and
/// `/*` lose their meaning (`*\/`, `/\*`) and control characters are
/// written as escapes, so that no name can end the comment or the line and
/// put code into every file that includes it.
std::string commentSafe(llvm::StringRef text);

} // namespace muon

#endif
