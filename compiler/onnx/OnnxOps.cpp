//===- OnnxOps.cpp - ONNX operators to muon ops ---------------------------===//
//
// The table of conversions, one per ONNX operator, filled by each family's
// file (Onnx<Family>Ops.cpp, the families of the muon dialect's *Ops.td);
// here only Constant and the window attributes that convolutions and pools
// share. Semantics and attribute defaults follow the operator specification
// (https://onnx.ai/onnx/operators/) for every opset a conversion accepts;
// differences between opsets are resolved in the conversions so that the
// muon dialect sees one form per concept.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeContext.h"
#include "dialects/muon/MuonOps.h"

#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace muon;
using namespace muon::onnx_importer;

//===----------------------------------------------------------------------===//
// The window of convolutions and pools
//===----------------------------------------------------------------------===//

/// Reads the window attributes shared by Conv, MaxPool and AveragePool and
/// resolves auto_pad into explicit pads (Conv-11): SAME_* pads so that
/// out = ceil(in / stride), with the odd unit of padding at the end for
/// SAME_UPPER and at the beginning for SAME_LOWER; VALID means no padding.
FailureOr<Window> onnx_importer::readWindow(NodeContext &node,
                                            RankedTensorType input,
                                            ArrayRef<int64_t> kernel) {
  int64_t n = kernel.size();
  if (input.getRank() != n + 2)
    return node.emitError() << "input " << input << " must have rank " << n + 2
                            << " for a " << n << "-D window";
  Window window;
  window.strides = node.getInts("strides").value_or(SmallVector<int64_t>(n, 1));
  window.dilations =
      node.getInts("dilations").value_or(SmallVector<int64_t>(n, 1));
  window.pads = node.getInts("pads").value_or(SmallVector<int64_t>(2 * n, 0));
  if (static_cast<int64_t>(window.strides.size()) != n ||
      static_cast<int64_t>(window.dilations.size()) != n ||
      static_cast<int64_t>(window.pads.size()) != 2 * n)
    return node.emitError() << "expects " << n << " strides, " << n
                            << " dilations and " << 2 * n << " pads";

  StringRef autoPad = node.getString("auto_pad", "NOTSET");
  if (autoPad == "NOTSET")
    return window;
  if (autoPad == "VALID") {
    window.pads.assign(2 * n, 0);
    return window;
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return node.emitError() << "unknown auto_pad '" << autoPad << "'";
  for (int64_t i = 0; i < n; ++i) {
    int64_t in = input.getDimSize(i + 2), stride = window.strides[i];
    if (stride < 1)
      return node.emitError() << "strides must be positive";
    int64_t out = (in + stride - 1) / stride;
    int64_t extent = (kernel[i] - 1) * window.dilations[i] + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * stride + extent - in);
    int64_t less = total / 2, more = total - less;
    bool upper = autoPad == "SAME_UPPER";
    window.pads[i] = upper ? less : more;
    window.pads[i + n] = upper ? more : less;
  }
  return window;
}

FailureOr<Window> onnx_importer::readConvolutionWindow(NodeContext &node,
                                                       unsigned x, unsigned w) {
  RankedTensorType weight = node.inputType(w);
  if (weight.getRank() < 3)
    return node.emitError() << "weight " << weight << " must have rank >= 3";
  SmallVector<int64_t> kernel(weight.getShape().drop_front(2));
  std::optional<SmallVector<int64_t>> declared = node.getInts("kernel_shape");
  if (declared && *declared != kernel)
    return node.emitError() << "kernel_shape [" << *declared
                            << "] does not match weight " << weight;
  return readWindow(node, node.inputType(x), kernel);
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// Constant: `value` (a tensor), or from opset 12 value_float(s) and
/// value_int(s). Sparse and string values are not supported.
static LogicalResult convertConstant(NodeContext &node) {
  if (failed(node.expectInputs(0, 0)))
    return failure();
  if (node.numOutputs() != 1)
    return node.emitError() << "expects one output";
  if (const onnx::TensorProto *tensor = node.getTensor("value")) {
    FailureOr<ElementsAttr> value =
        convertTensor(*tensor, node.proto().output(0), node.loc());
    if (failed(value))
      return failure();
    return node.setResult(0, node.constant(*value));
  }
  Builder b(node.context());
  auto vectorType = [&](int64_t size, Type elementType) {
    return RankedTensorType::get({size}, elementType);
  };
  auto scalarType = [&](Type elementType) {
    return RankedTensorType::get({}, elementType);
  };
  DenseElementsAttr value;
  if (const onnx::AttributeProto *attr = node.attr("value_float")) {
    value = DenseElementsAttr::get(scalarType(b.getF32Type()),
                                   ArrayRef<float>(attr->f()));
  } else if ((attr = node.attr("value_floats"))) {
    ArrayRef<float> floats(attr->floats().data(), attr->floats_size());
    value = DenseElementsAttr::get(vectorType(floats.size(), b.getF32Type()),
                                   floats);
  } else if ((attr = node.attr("value_int"))) {
    value = DenseElementsAttr::get(scalarType(b.getI64Type()),
                                   ArrayRef<int64_t>(attr->i()));
  } else if ((attr = node.attr("value_ints"))) {
    ArrayRef<int64_t> ints(attr->ints().data(), attr->ints_size());
    value =
        DenseElementsAttr::get(vectorType(ints.size(), b.getI64Type()), ints);
  } else {
    return node.emitError() << "only tensor, float and integer values are "
                               "supported";
  }
  return node.setResult(0, node.constant(value));
}

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

ConvertFn onnx_importer::lookupConverter(StringRef opType) {
  static const llvm::StringMap<ConvertFn> converters = [] {
    llvm::StringMap<ConvertFn> map = {
        {"Constant", convertConstant},
    };
    addElementwiseConverters(map);
    addPoolingConverters(map);
    addNormalizationConverters(map);
    addReductionConverters(map);
    addDataMovementConverters(map);
    addQuantConverters(map);
    addLinearAlgebraConverters(map);
    addRecurrentConverters(map);
    return map;
  }();
  return converters.lookup(opType);
}
