//===- OnnxPoolingOps.cpp - ONNX pooling ----------------------------------===//
//
// Conversions of ONNX operators to muon ops; registered in lookupConverter
// (OnnxOps.cpp) through addPoolingConverters. Semantics and defaults follow
// the operator specification (https://onnx.ai/onnx/operators/) for every
// opset a conversion accepts.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeContext.h"
#include "dialects/muon/MuonOps.h"

using namespace mlir;
using namespace muon;
using namespace muon::onnx_importer;

/// MaxPool and AveragePool (ceil_mode from opset 10, dilations from
/// MaxPool-10 and AveragePool-19). MaxPool's Indices output (opset 8), when
/// used, is a muon.max_pool_indices of the same window; storage_order only
/// concerns it.
template <typename OpTy> static LogicalResult convertPool(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  std::optional<SmallVector<int64_t>> kernel = node.getInts("kernel_shape");
  if (!kernel)
    return node.emitError() << "kernel_shape is required";
  FailureOr<Window> window = readWindow(node, node.inputType(0), *kernel);
  if (failed(window))
    return failure();
  bool ceilMode = node.getInt("ceil_mode", 0) != 0;
  if constexpr (std::is_same_v<OpTy, AveragePoolOp>)
    return node.setResult(
        0, node.create<OpTy>(node.input(0), *kernel, window->strides,
                             window->pads, window->dilations, ceilMode,
                             node.getInt("count_include_pad", 0) != 0));
  else {
    if (node.numOutputs() > 1 && node.isOutputUsed(1) &&
        failed(node.setResult(1, node.create<MaxPoolIndicesOp>(
                                     node.input(0), *kernel, window->strides,
                                     window->pads, window->dilations, ceilMode,
                                     node.getInt("storage_order", 0) != 0))))
      return failure();
    return node.setResult(0, node.create<OpTy>(node.input(0), *kernel,
                                               window->strides, window->pads,
                                               window->dilations, ceilMode));
  }
}

/// GlobalAveragePool and GlobalMaxPool: one input, no attributes.
template <typename OpTy>
static LogicalResult convertGlobalPool(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  return node.setResult(0, node.create<OpTy>(node.input(0)));
}

void onnx_importer::addPoolingConverters(
    llvm::StringMap<ConvertFn> &converters) {
  converters.insert({
      {"AveragePool", convertPool<AveragePoolOp>},
      {"GlobalAveragePool", convertGlobalPool<GlobalAveragePoolOp>},
      {"GlobalMaxPool", convertGlobalPool<GlobalMaxPoolOp>},
      {"MaxPool", convertPool<MaxPoolOp>},
  });
}
