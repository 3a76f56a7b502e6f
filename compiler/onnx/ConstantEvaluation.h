//===- ConstantEvaluation.h - Import-time shape arithmetic ------*- C++ -*-===//
//
// Exporters such as torch.onnx compute Reshape targets at run time even when
// every shape is static: Shape -> Gather -> Unsqueeze -> Concat -> Reshape.
// Muon needs those targets at import time, so the importer evaluates such
// nodes on the host when all their inputs are constants. This is only what
// makes shape inputs constant; graph-level constant folding is a pass.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_COMPILER_ONNX_CONSTANTEVALUATION_H
#define MUON_COMPILER_ONNX_CONSTANTEVALUATION_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"

namespace muon::onnx_importer {

class NodeContext;

/// Whether the importer can evaluate default-domain op `opType` on the host.
bool isShapeArithmetic(llvm::StringRef opType);

/// Evaluates a shape-arithmetic node whose inputs are all constants and sets
/// its result to a muon.constant. Returns false, with nothing created, when
/// an input is known only at run time or the result would be large; failure
/// after an error (an out-of-range index, a division by zero).
mlir::FailureOr<bool> evaluateShapeArithmetic(NodeContext &node);

} // namespace muon::onnx_importer

#endif // MUON_COMPILER_ONNX_CONSTANTEVALUATION_H
