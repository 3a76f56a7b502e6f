//===- OnnxLocations.h - The ONNX nodes an op came from ---------*- C++ -*-===//
//
// The importer names each op's location after its ONNX node, `node 'NAME'
// (OpType)` (`node #3 (Relu)` for a node without a name); passes that fuse
// ops fuse their locations, so an op may carry several. Quantization's
// --quantize-exclude, its report and the ONNX exporter read them back.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_DIALECTS_MUON_ONNXLOCATIONS_H
#define MUON_DIALECTS_MUON_ONNXLOCATIONS_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"

#include <string>

namespace muon {

/// The names of the ONNX nodes in `loc`, in order; nodes without a name are
/// left out.
llvm::SmallVector<std::string> getOnnxNodeNames(mlir::Location loc);

/// "node 'fc1' (Gemm)" from the importer's location, or the op's name.
std::string describeNode(mlir::Operation *op);

/// A target's report of the ops it cannot compile, all at once: "N
/// operations of the int8 model cannot `what`:", one line per op (its
/// name, its node and why, from describeRejection), then "see `seeAlso`".
std::string describeRejection(mlir::Operation *op, llvm::StringRef why);
std::string listRejections(llvm::ArrayRef<std::string> lines,
                           llvm::StringRef what, llvm::StringRef seeAlso);

} // namespace muon

#endif
