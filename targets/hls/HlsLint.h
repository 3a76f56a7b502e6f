//===- HlsLint.h - Synthesizability rules for HLS C++ sources ---*- C++ -*-===//
//
// Vitis HLS rejects, or synthesizes into something unusable, C++ that a
// C simulation runs happily: heap allocation, recursion, virtual calls,
// pointer arithmetic, loops whose trip count is not known at compile time,
// full unrolling past the tool's limit. muonc checks every design it writes
// against these rules before writing it (docs/hls.md, "Checks"), and
// muon-hls-lint checks a project folder, e.g. after a user edited it.
//
// The lint reads the sources as Vitis HLS compiles them (__SYNTHESIS__
// defined, MUON_HLS_COUNT_ITERATIONS not) at the level of tokens: it
// checks the subset of C++ the generated code and the kernel library are
// written in, and a construct outside that subset is a finding too.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_TARGETS_HLS_HLSLINT_H
#define MUON_TARGETS_HLS_HLSLINT_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace muon::hls {

/// Vivado and Vitis HLS stop unrolling a loop past 4096 copies ("Stop
/// unrolling loop"); no unroll or partition factor may exceed it.
inline constexpr int64_t kMaxUnrollFactor = 4096;

/// The findings of the rules on one source file of a design, each
/// "path:line: rule: what", in order.
std::vector<std::string> lintHlsSource(llvm::StringRef path,
                                       llvm::StringRef text);

/// Whether `path` is synthesized (a testbench is not: it runs on the host).
bool isSynthesizedSource(llvm::StringRef path);

} // namespace muon::hls

#endif
