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

#include <string>

namespace muon {

/// The names of the ONNX nodes in `loc`, in order; nodes without a name are
/// left out.
llvm::SmallVector<std::string> getOnnxNodeNames(mlir::Location loc);

} // namespace muon

#endif
