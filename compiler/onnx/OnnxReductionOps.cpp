//===- OnnxReductionOps.cpp - ONNX reductions and arg-reductions ---------===//
//
// Conversions of ONNX operators to muon ops; registered in lookupConverter
// (OnnxOps.cpp) through addReductionConverters. Semantics and defaults follow
// the operator specification (https://onnx.ai/onnx/operators/) for every
// opset a conversion accepts.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeContext.h"
#include "dialects/muon/MuonOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"

using namespace mlir;
using namespace muon;
using namespace muon::onnx_importer;

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// ReduceSum, ReduceMean, ReduceMax, ... `axes` is an attribute before
/// opset 13 for ReduceSum and before 18 for the others, and an optional
/// constant input after, which also brings `noop_with_empty_axes`. No axes
/// (or an empty list) reduces every dimension, unless noop_with_empty_axes=1
/// asks for no reduction at all.
template <typename OpTy> static LogicalResult convertReduce(NodeContext &node) {
  int64_t axesInputSince = std::is_same_v<OpTy, ReduceSumOp> ? 13 : 18;
  bool axesIsInput = node.opset() >= axesInputSince;
  if (failed(node.expectInputs(1, axesIsInput ? 2 : 1)))
    return failure();
  std::optional<SmallVector<int64_t>> axes;
  // An axes input of static shape [0] is known to be empty even when it is
  // a graph input.
  if (axesIsInput && node.input(1) && node.inputType(1).hasStaticShape() &&
      node.inputType(1).getNumElements() == 0) {
    axes.emplace();
  } else {
    FailureOr<std::optional<SmallVector<int64_t>>> read =
        node.readInts("axes", 1, axesInputSince);
    if (failed(read))
      return failure();
    axes = std::move(*read);
  }
  int64_t rank = node.inputType(0).getRank();
  if (!axes || axes->empty()) {
    if (node.getInt("noop_with_empty_axes", 0))
      axes.emplace();
    else
      axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  FailureOr<SmallVector<int64_t>> normalized = node.normalizeAxes(*axes, rank);
  if (failed(normalized))
    return failure();
  return node.setResult(0, node.create<OpTy>(node.input(0), *normalized,
                                             node.getInt("keepdims", 1) != 0));
}

/// ArgMax and ArgMin: axis defaults to 0, keepdims to 1; select_last_index
/// exists from opset 12.
template <typename OpTy>
static LogicalResult convertArgReduce(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getInt("axis", 0), node.inputType(0).getRank());
  if (failed(axis))
    return failure();
  return node.setResult(
      0, node.create<OpTy>(node.input(0), static_cast<uint64_t>(*axis),
                           node.getInt("keepdims", 1) != 0,
                           node.getInt("select_last_index", 0) != 0));
}

/// TopK: the k largest (largest=1, the default) or smallest elements along
/// `axis` and their indices, in order, ties going to the lower index as in
/// ONNX's reference. k sets the result shape, so it must be a constant.
/// Built as k rounds of ArgMax (ArgMin) over the elements not taken yet,
/// those taken masked with -inf (+inf): O(k n), meant for the small k of
/// classifier heads. Float inputs only.
static LogicalResult convertTopK(NodeContext &node) {
  bool kIsInput = node.opset() >= 10;
  if (failed(node.expectInputs(kIsInput ? 2 : 1, kIsInput ? 2 : 1)))
    return failure();
  int64_t k;
  if (kIsInput) {
    FailureOr<SmallVector<int64_t>> values = node.constantInts(1, "K");
    if (failed(values))
      return failure();
    if (values->size() != 1)
      return node.emitError() << "K (input 1) must hold one value";
    k = values->front();
  } else {
    k = node.getInt("k", 0);
  }
  RankedTensorType type = node.inputType(0);
  auto elementType = dyn_cast<FloatType>(type.getElementType());
  if (!elementType)
    return node.emitError() << "only float inputs are supported";
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getInt("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  int64_t size = type.getDimSize(*axis);
  if (k < 1 || k > size)
    return node.emitError() << "k = " << k << " is outside [1, " << size
                            << "], the size of axis " << *axis;
  bool largest = node.getInt("largest", 1) != 0;
  SmallVector<int64_t> iotaShape(type.getRank(), 1);
  iotaShape[*axis] = size;
  SmallVector<int64_t> positions = llvm::to_vector(llvm::seq<int64_t>(0, size));
  Value iota = node.constant(DenseElementsAttr::get(
      RankedTensorType::get(iotaShape, node.builder().getI64Type()),
      ArrayRef<int64_t>(positions)));
  Value taken = node.constant(DenseElementsAttr::get(
      RankedTensorType::get({}, elementType),
      APFloat::getInf(elementType.getFloatSemantics(), /*Negative=*/largest)));
  SmallVector<Value> values, indices;
  Value remaining = node.input(0);
  auto axisAttr = static_cast<uint64_t>(*axis);
  for (int64_t round = 0; round < k; ++round) {
    FailureOr<Value> index =
        largest ? node.create<ArgMaxOp>(remaining, axisAttr, true, false)
                : node.create<ArgMinOp>(remaining, axisAttr, true, false);
    if (failed(index))
      return failure();
    FailureOr<Value> value =
        node.create<GatherElementsOp>(node.input(0), *index, axisAttr);
    if (failed(value))
      return failure();
    indices.push_back(*index);
    values.push_back(*value);
    if (round + 1 == k)
      break;
    FailureOr<Value> isTaken = node.create<EqualOp>(iota, *index);
    if (failed(isTaken))
      return failure();
    FailureOr<Value> masked = node.create<WhereOp>(*isTaken, taken, remaining);
    if (failed(masked))
      return failure();
    remaining = *masked;
  }
  auto concat = [&](ArrayRef<Value> parts) -> FailureOr<Value> {
    if (parts.size() == 1)
      return parts.front();
    return node.create<ConcatOp>(ValueRange(parts), *axis);
  };
  if (failed(node.setResult(0, concat(values))))
    return failure();
  return node.setResult(1, concat(indices));
}

/// CumSum: the axis is a constant scalar input (int32 or int64).
static LogicalResult convertCumSum(NodeContext &node) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> axis = node.constantInts(1, "axis");
  if (failed(axis))
    return failure();
  if (axis->size() != 1)
    return node.emitError() << "axis (input 1) must hold one value";
  FailureOr<int64_t> normalized =
      node.normalizeAxis(axis->front(), node.inputType(0).getRank());
  if (failed(normalized))
    return failure();
  return node.setResult(
      0, node.create<CumSumOp>(
             node.input(0), static_cast<uint64_t>(*normalized),
             node.getInt("exclusive", 0) != 0, node.getInt("reverse", 0) != 0));
}

void onnx_importer::addReductionConverters(
    llvm::StringMap<ConvertFn> &converters) {
  converters.insert({
      {"ArgMax", convertArgReduce<ArgMaxOp>},
      {"ArgMin", convertArgReduce<ArgMinOp>},
      {"CumSum", convertCumSum},
      {"ReduceL1", convertReduce<ReduceL1Op>},
      {"ReduceL2", convertReduce<ReduceL2Op>},
      {"ReduceLogSum", convertReduce<ReduceLogSumOp>},
      {"ReduceLogSumExp", convertReduce<ReduceLogSumExpOp>},
      {"ReduceMax", convertReduce<ReduceMaxOp>},
      {"ReduceMean", convertReduce<ReduceMeanOp>},
      {"ReduceMin", convertReduce<ReduceMinOp>},
      {"ReduceProd", convertReduce<ReduceProdOp>},
      {"ReduceSum", convertReduce<ReduceSumOp>},
      {"ReduceSumSquare", convertReduce<ReduceSumSquareOp>},
      {"TopK", convertTopK},
  });
}
