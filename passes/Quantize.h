//===- Quantize.h - What post-training quantization quantizes ---*- C++ -*-===//
//
// Shared by the muon-quantize pass and calibration (compiler/Calibration.cpp),
// so that calibration measures exactly the values the pass quantizes.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_PASSES_QUANTIZE_H
#define MUON_PASSES_QUANTIZE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"

#include <string>

namespace muon {

/// `muon.calibration_range = array<f32: min, max>`: the float range of the
/// value an op defines (on single-result ops) or of a function argument (as
/// an argument attribute).
constexpr llvm::StringLiteral kCalibrationRangeAttr = "muon.calibration_range";

/// The float activations muon-quantize quantizes in `func` (function
/// arguments and op results, in program order) when the ops of the ONNX
/// nodes in `excludedNodes` stay float.
llvm::SetVector<mlir::Value>
getActivationsToQuantize(mlir::func::FuncOp func,
                         const llvm::StringSet<> &excludedNodes);

} // namespace muon

#endif
