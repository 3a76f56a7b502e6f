//===- OnnxOps.cpp - ONNX operators to muon ops ---------------------------===//
//
// One conversion per ONNX operator. Semantics and attribute defaults follow
// the operator specification (https://onnx.ai/onnx/operators/) for every
// opset a conversion accepts; differences between opsets are resolved here
// so that the muon dialect sees one form per concept.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeContext.h"
#include "dialects/muon/MuonOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"
#include "llvm/ADT/StringMap.h"

#include <climits>
#include <numeric>

using namespace mlir;
using namespace muon;
using namespace muon::onnx_importer;

static int64_t product(ArrayRef<int64_t> dims) {
  return std::accumulate(dims.begin(), dims.end(), int64_t(1),
                         std::multiplies<int64_t>());
}

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

/// Add, Sub, Mul, Div and MatMul (which has none of the legacy attributes).
/// Before opset 7 (Add-6) `broadcast=1` with `axis` aligns B with A's
/// dimensions starting at `axis`; appending 1-dims to B turns that into numpy
/// broadcasting. Without `axis`, B aligns with A's trailing dimensions, as in
/// numpy.
template <typename OpTy> static LogicalResult convertBinary(NodeContext &node) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  Value lhs = node.input(0), rhs = node.input(1);
  if (node.opset() < 7 && node.getInt("broadcast", 0) && node.hasAttr("axis")) {
    int64_t lhsRank = node.inputType(0).getRank();
    RankedTensorType rhsType = node.inputType(1);
    FailureOr<int64_t> axis =
        node.normalizeAxis(node.getInt("axis", 0), lhsRank);
    if (failed(axis))
      return failure();
    int64_t trailing = lhsRank - *axis - rhsType.getRank();
    if (trailing < 0)
      return node.emitError() << "B of type " << rhsType
                              << " does not fit A from axis " << *axis;
    SmallVector<int64_t> shape(rhsType.getShape());
    shape.append(trailing, 1);
    FailureOr<Value> reshaped = node.reshape(rhs, shape);
    if (failed(reshaped))
      return failure();
    rhs = *reshaped;
  }
  return node.setResult(0, node.create<OpTy>(lhs, rhs));
}

/// Element-wise ops with one input and no attributes, and the global pools.
template <typename OpTy> static LogicalResult convertUnary(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  return node.setResult(0, node.create<OpTy>(node.input(0)));
}

/// LeakyRelu: alpha defaults to 0.01 in every opset.
static LogicalResult convertLeakyRelu(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  return node.setResult(
      0, node.create<LeakyReluOp>(node.input(0),
                                  APFloat(node.getFloat("alpha", 0.01f))));
}

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

/// Gemm: Y = alpha * A' * B' + beta * C. The `broadcast` attribute of
/// opsets before 7 only allowed C to broadcast, which muon.gemm always does.
static LogicalResult convertGemm(NodeContext &node) {
  if (failed(node.expectInputs(2, 3)))
    return failure();
  return node.setResult(
      0, node.create<GemmOp>(node.input(0), node.input(1), node.input(2),
                             APFloat(node.getFloat("alpha", 1.0f)),
                             APFloat(node.getFloat("beta", 1.0f)),
                             node.getInt("transA", 0) != 0,
                             node.getInt("transB", 0) != 0));
}

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

/// Conv: kernel_shape is optional and must then match the weight.
static LogicalResult convertConv(NodeContext &node) {
  if (failed(node.expectInputs(2, 3)))
    return failure();
  RankedTensorType weight = node.inputType(1);
  if (weight.getRank() < 3)
    return node.emitError() << "weight " << weight << " must have rank >= 3";
  SmallVector<int64_t> kernel(weight.getShape().drop_front(2));
  std::optional<SmallVector<int64_t>> declared = node.getInts("kernel_shape");
  if (declared && *declared != kernel)
    return node.emitError() << "kernel_shape [" << *declared
                            << "] does not match weight " << weight;
  FailureOr<Window> window = readWindow(node, node.inputType(0), kernel);
  if (failed(window))
    return failure();
  return node.setResult(
      0, node.create<ConvOp>(node.input(0), node.input(1), node.input(2),
                             window->strides, window->pads, window->dilations,
                             static_cast<uint64_t>(node.getInt("group", 1))));
}

//===----------------------------------------------------------------------===//
// Pooling and normalisation
//===----------------------------------------------------------------------===//

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

/// Softmax, LogSoftmax and Hardmax. From opset 13 they normalise along `axis`
/// (default -1). Before, the input is coerced to 2-D
/// [prod(dims[:axis]), prod(dims[axis:])] (axis defaults to 1), normalised
/// along the second dimension and reshaped back.
template <typename OpTy>
static LogicalResult convertSoftmax(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  RankedTensorType type = node.inputType(0);
  bool coerced = node.opset() < 13;
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getInt("axis", coerced ? 1 : -1), type.getRank());
  if (failed(axis))
    return failure();
  if (!coerced || *axis == type.getRank() - 1)
    return node.setResult(
        0, node.create<OpTy>(node.input(0), static_cast<uint64_t>(*axis)));
  ArrayRef<int64_t> dims = type.getShape();
  FailureOr<Value> flat =
      node.reshape(node.input(0), {product(dims.take_front(*axis)),
                                   product(dims.drop_front(*axis))});
  if (failed(flat))
    return failure();
  FailureOr<Value> normalized = node.create<OpTy>(*flat, uint64_t(1));
  if (failed(normalized))
    return failure();
  return node.setResult(0, node.reshape(*normalized, dims));
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

/// Flatten: [prod(dims[:axis]), prod(dims[axis:])], axis in [-rank, rank]
/// (negative from opset 11), default 1.
static LogicalResult convertFlatten(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  ArrayRef<int64_t> dims = node.inputType(0).getShape();
  int64_t rank = dims.size(), axis = node.getInt("axis", 1);
  if (axis < -rank || axis > rank)
    return node.emitError()
           << "axis " << axis << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  return node.setResult(
      0, node.reshape(node.input(0), {product(dims.take_front(axis)),
                                      product(dims.drop_front(axis))}));
}

/// Reshape: the target is the `shape` attribute before opset 5 and a
/// constant input after. 0 copies the input dimension unless allowzero=1
/// (opset 14); one -1 is inferred from the element count.
static LogicalResult convertReshape(NodeContext &node) {
  unsigned inputs = node.opset() < 5 ? 1 : 2;
  if (failed(node.expectInputs(inputs, inputs)))
    return failure();
  FailureOr<std::optional<SmallVector<int64_t>>> requested =
      node.readInts("shape", 1, 5);
  if (failed(requested))
    return failure();
  if (!*requested)
    return node.emitError() << "shape is required";
  RankedTensorType type = node.inputType(0);
  SmallVector<int64_t> shape = **requested;
  bool allowZero = node.getInt("allowzero", 0) != 0;
  int64_t inferred = -1, known = 1;
  for (int64_t i = 0, e = shape.size(); i < e; ++i) {
    if (shape[i] == 0 && !allowZero) {
      if (i >= type.getRank())
        return node.emitError() << "shape[" << i << "] = 0 copies a "
                                << "dimension that " << type << " lacks";
      shape[i] = type.getDimSize(i);
    }
    if (shape[i] == -1 && inferred < 0) {
      inferred = i;
      continue;
    }
    if (shape[i] < 0)
      return node.emitError() << "shape [" << **requested
                              << "] may hold one -1 and no other negative "
                                 "value";
    known *= shape[i];
  }
  if (inferred >= 0) {
    if (known == 0 || type.getNumElements() % known != 0)
      return node.emitError()
             << "cannot reshape " << type << " to [" << **requested << "]";
    shape[inferred] = type.getNumElements() / known;
  }
  return node.setResult(0, node.reshape(node.input(0), shape));
}

/// Squeeze: axes is an attribute before opset 13 and an optional constant
/// input after; without axes every dimension of size 1 goes.
static LogicalResult convertSqueeze(NodeContext &node) {
  if (failed(node.expectInputs(1, node.opset() < 13 ? 1 : 2)))
    return failure();
  FailureOr<std::optional<SmallVector<int64_t>>> axes =
      node.readInts("axes", 1, 13);
  if (failed(axes))
    return failure();
  ArrayRef<int64_t> dims = node.inputType(0).getShape();
  int64_t rank = dims.size();
  SmallVector<bool> dropped(rank, false);
  for (int64_t d = 0; d < rank && !*axes; ++d)
    dropped[d] = dims[d] == 1;
  for (int64_t axis : axes->value_or(SmallVector<int64_t>())) {
    FailureOr<int64_t> d = node.normalizeAxis(axis, rank, "axes entry");
    if (failed(d))
      return failure();
    if (dims[*d] != 1)
      return node.emitError()
             << "cannot squeeze dimension " << *d << " of size " << dims[*d];
    dropped[*d] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!dropped[d])
      shape.push_back(dims[d]);
  return node.setResult(0, node.reshape(node.input(0), shape));
}

/// Unsqueeze: axes index the result; an attribute before opset 13 and a
/// constant input after.
static LogicalResult convertUnsqueeze(NodeContext &node) {
  unsigned inputs = node.opset() < 13 ? 1 : 2;
  if (failed(node.expectInputs(inputs, inputs)))
    return failure();
  FailureOr<std::optional<SmallVector<int64_t>>> axes =
      node.readInts("axes", 1, 13);
  if (failed(axes))
    return failure();
  if (!*axes)
    return node.emitError() << "axes is required";
  ArrayRef<int64_t> dims = node.inputType(0).getShape();
  int64_t rank = dims.size() + (*axes)->size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : **axes) {
    FailureOr<int64_t> d = node.normalizeAxis(axis, rank, "axes entry");
    if (failed(d))
      return failure();
    if (inserted[*d])
      return node.emitError() << "axes names dimension " << *d << " twice";
    inserted[*d] = true;
  }
  SmallVector<int64_t> shape;
  const int64_t *next = dims.begin();
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(inserted[d] ? 1 : *next++);
  return node.setResult(0, node.reshape(node.input(0), shape));
}

/// Transpose: perm defaults to reversing the dimensions.
static LogicalResult convertTranspose(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  int64_t rank = node.inputType(0).getRank();
  SmallVector<int64_t> perm = node.getInts("perm").value_or(
      llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank))));
  return node.setResult(0, node.create<TransposeOp>(node.input(0), perm));
}

/// Concat: axis defaults to 1 before opset 4 and is required after;
/// negative values are allowed from opset 11.
static LogicalResult convertConcat(NodeContext &node) {
  if (failed(node.expectInputs(1, UINT_MAX)))
    return failure();
  if (llvm::is_contained(node.inputs(), Value()))
    return node.emitError() << "has an empty input name";
  if (node.opset() >= 4 && !node.hasAttr("axis"))
    return node.emitError() << "axis is required";
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getInt("axis", 1), node.inputType(0).getRank());
  if (failed(axis))
    return failure();
  return node.setResult(0, node.create<ConcatOp>(ValueRange(node.inputs()),
                                                 static_cast<uint64_t>(*axis)));
}

static LogicalResult convertIdentity(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  return node.setResult(0, node.input(0));
}

/// Dropout at inference is the identity (Dropout-13). A training_mode input
/// (opset 12) must be a constant false; the mask output is not produced.
/// The is_test attribute of opsets before 7 is ignored: Muon only infers.
static LogicalResult convertDropout(NodeContext &node) {
  if (failed(node.expectInputs(1, 3)))
    return failure();
  if (node.input(2)) {
    DenseElementsAttr mode = node.constantInput(2);
    if (!mode || !mode.getElementType().isInteger(1) || !mode.isSplat() ||
        mode.getSplatValue<bool>())
      return node.emitError() << "training_mode must be a constant false; "
                                 "Muon only runs inference";
  }
  return node.setResult(0, node.input(0));
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
        {"Abs", convertUnary<AbsOp>},
        {"Add", convertBinary<AddOp>},
        {"AveragePool", convertPool<AveragePoolOp>},
        {"Concat", convertConcat},
        {"Constant", convertConstant},
        {"Conv", convertConv},
        {"Div", convertBinary<DivOp>},
        {"Dropout", convertDropout},
        {"Exp", convertUnary<ExpOp>},
        {"Flatten", convertFlatten},
        {"Gemm", convertGemm},
        {"GlobalAveragePool", convertUnary<GlobalAveragePoolOp>},
        {"GlobalMaxPool", convertUnary<GlobalMaxPoolOp>},
        {"Hardmax", convertSoftmax<HardmaxOp>},
        {"Identity", convertIdentity},
        {"LeakyRelu", convertLeakyRelu},
        {"Log", convertUnary<LogOp>},
        {"LogSoftmax", convertSoftmax<LogSoftmaxOp>},
        {"MatMul", convertBinary<MatMulOp>},
        {"MaxPool", convertPool<MaxPoolOp>},
        {"Mul", convertBinary<MulOp>},
        {"Neg", convertUnary<NegOp>},
        {"Relu", convertUnary<ReluOp>},
        {"Reshape", convertReshape},
        {"Sigmoid", convertUnary<SigmoidOp>},
        {"Softmax", convertSoftmax<SoftmaxOp>},
        {"Sqrt", convertUnary<SqrtOp>},
        {"Squeeze", convertSqueeze},
        {"Sub", convertBinary<SubOp>},
        {"Tanh", convertUnary<TanhOp>},
        {"Transpose", convertTranspose},
        {"Unsqueeze", convertUnsqueeze},
    };
    addElementwiseConverters(map);
    addReductionConverters(map);
    addDataMovementConverters(map);
    addQuantConverters(map);
    addLinearAlgebraConverters(map);
    addRecurrentConverters(map);
    return map;
  }();
  return converters.lookup(opType);
}
