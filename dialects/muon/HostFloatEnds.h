//===- HostFloatEnds.h - Float ops left to the host -------------*- C++ -*-===//
//
// The NPU and FPGA targets compute int8 from their inputs' quantization to
// their outputs' dequantization. Many models begin or end in float: input
// standardisation (Sub mean, Div std) before the first quantization, a
// Softmax after the last dequantization. With --npu-host-prefix, or
// --hls-host-prefix and --hls-host-suffix, those ops run on the host and the
// int8 design starts and ends at the tensors they quantize and dequantize.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_DIALECTS_MUON_HOSTFLOATENDS_H
#define MUON_DIALECTS_MUON_HOSTFLOATENDS_H

#include "mlir/IR/Block.h"
#include "llvm/ADT/DenseSet.h"

namespace muon {

/// The float ops of `body` that compute, from its arguments and constants
/// alone, values that nothing but quantizations read.
llvm::DenseSet<mlir::Operation *> findHostPrefix(mlir::Block &body);

/// The float ops of `body` that compute its results from dequantized values
/// and constants alone, read by nothing but each other and the return.
llvm::DenseSet<mlir::Operation *> findHostSuffix(mlir::Block &body);

} // namespace muon

#endif
