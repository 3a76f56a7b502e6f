//===- MuonOps.cpp - Verifiers, type inference and folders ----------------===//
//
// Result types follow the ONNX operator specification
// (https://onnx.ai/onnx/operators/); every op infers its result type so that
// the importer never computes shapes itself and a hand-written IR with a wrong
// result type fails verification.
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "dialects/muon/Quantization.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace muon;

int64_t muon::windowOutputSize(int64_t input, int64_t kernel, int64_t stride,
                               int64_t padBegin, int64_t padEnd,
                               int64_t dilation, bool ceilMode) {
  int64_t span = input + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (span < 0)
    return 0;
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= input + padBegin)
    --out;
  return out;
}

static RankedTensorType rankedType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// ONNX operators take all their tensors in one type T; absent optional
/// operands (null values) are skipped.
static LogicalResult verifySameElementType(std::optional<Location> loc,
                                           ArrayRef<Value> operands) {
  Type expected;
  for (Value operand : operands) {
    if (!operand)
      continue;
    Type type = rankedType(operand).getElementType();
    if (!expected)
      expected = type;
    else if (type != expected)
      return emitOptionalError(loc, "operands have different element types: ",
                               expected, " and ", type);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

static LogicalResult inferBroadcast(std::optional<Location> loc, Value lhs,
                                    Value rhs,
                                    SmallVectorImpl<Type> &inferred) {
  auto lhsType = rankedType(lhs), rhsType = rankedType(rhs);
  if (failed(verifySameElementType(loc, {lhs, rhs})))
    return failure();
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(lhsType.getShape(),
                                          rhsType.getShape(), shape))
    return emitOptionalError(loc, "operand shapes ", lhsType, " and ", rhsType,
                             " are not broadcast-compatible");
  inferred.push_back(RankedTensorType::get(shape, lhsType.getElementType()));
  return success();
}

#define MUON_BINARY_INFER(OP)                                                  \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferBroadcast(loc, adaptor.getLhs(), adaptor.getRhs(), inferred);  \
  }
MUON_BINARY_INFER(AddOp)
MUON_BINARY_INFER(SubOp)
MUON_BINARY_INFER(MulOp)
MUON_BINARY_INFER(DivOp)
#undef MUON_BINARY_INFER

LogicalResult ClipOp::verify() {
  if (getMin() && getMax() &&
      getMin()->convertToFloat() > getMax()->convertToFloat())
    return emitOpError("min ")
           << getMin()->convertToFloat() << " is greater than max "
           << getMax()->convertToFloat();
  return success();
}

//===----------------------------------------------------------------------===//
// Gemm, MatMul, Conv
//===----------------------------------------------------------------------===//

LogicalResult GemmOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto a = rankedType(adaptor.getA()), b = rankedType(adaptor.getB());
  // A quantized Gemm is A x op(B) + C accumulated in int32: C is the bias.
  bool quantized = static_cast<bool>(getQuantizedElementType(a));
  Type element = a.getElementType();
  if (quantized) {
    if (adaptor.getTransA() || adaptor.getAlpha().convertToDouble() != 1.0 ||
        adaptor.getBeta().convertToDouble() != 1.0)
      return emitOptionalError(loc, "a quantized gemm takes neither transA "
                                    "nor alpha and beta other than 1");
    if (b.getRank() != 2)
      return emitOptionalError(loc, "B must be 2-D, got ", b);
    FailureOr<Type> accumulator = inferAccumulatorElementType(
        loc, adaptor.getA(), adaptor.getB(), adaptor.getC(),
        adaptor.getTransB() ? 0 : 1, 1);
    if (failed(accumulator))
      return failure();
    element = *accumulator;
  } else if (failed(verifySameElementType(
                 loc, {adaptor.getA(), adaptor.getB(), adaptor.getC()}))) {
    return failure();
  }
  if (a.getRank() != 2 || b.getRank() != 2)
    return emitOptionalError(loc, "A and B must be 2-D, got ", a, " and ", b);
  int64_t m = a.getDimSize(adaptor.getTransA() ? 1 : 0);
  int64_t ka = a.getDimSize(adaptor.getTransA() ? 0 : 1);
  int64_t kb = b.getDimSize(adaptor.getTransB() ? 1 : 0);
  int64_t n = b.getDimSize(adaptor.getTransB() ? 0 : 1);
  if (ka != kb)
    return emitOptionalError(loc, "inner dimensions differ: ", ka, " vs ", kb);
  auto result = RankedTensorType::get({m, n}, element);
  if (Value c = adaptor.getC()) {
    SmallVector<int64_t> shape;
    auto cType = rankedType(c);
    if (cType.getRank() > 2 ||
        !OpTrait::util::getBroadcastedShape(result.getShape(), cType.getShape(),
                                            shape) ||
        ArrayRef<int64_t>(shape) != result.getShape())
      return emitOptionalError(loc, "C of type ", cType,
                               " does not broadcast to ", result);
  }
  inferred.push_back(result);
  return success();
}

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto lhs = rankedType(adaptor.getLhs()), rhs = rankedType(adaptor.getRhs());
  // A quantized MatMul accumulates in int32; a per-axis rhs is per column.
  Type element = lhs.getElementType();
  if (getQuantizedElementType(lhs)) {
    if (lhs.getRank() < 2 || rhs.getRank() < 2)
      return emitOptionalError(loc, "operands of a quantized matmul must have "
                                    "rank >= 2");
    int64_t resultRank = std::max(lhs.getRank(), rhs.getRank());
    FailureOr<Type> accumulator =
        inferAccumulatorElementType(loc, adaptor.getLhs(), adaptor.getRhs(),
                                    Value(), rhs.getRank() - 1, resultRank - 1);
    if (failed(accumulator))
      return failure();
    element = *accumulator;
  } else if (failed(verifySameElementType(
                 loc, {adaptor.getLhs(), adaptor.getRhs()}))) {
    return failure();
  }
  if (lhs.getRank() < 1 || rhs.getRank() < 1)
    return emitOptionalError(loc, "operands must have rank >= 1");
  // numpy.matmul: 1-D operands are promoted to matrices, then the added
  // dimension is removed from the result.
  SmallVector<int64_t> l(lhs.getShape()), r(rhs.getShape());
  bool lhsVector = l.size() == 1, rhsVector = r.size() == 1;
  if (lhsVector)
    l.insert(l.begin(), 1);
  if (rhsVector)
    r.push_back(1);
  if (l.back() != r[r.size() - 2])
    return emitOptionalError(loc, "inner dimensions differ: ", lhs, " and ",
                             rhs);
  SmallVector<int64_t> batch;
  if (!OpTrait::util::getBroadcastedShape(ArrayRef(l).drop_back(2),
                                          ArrayRef(r).drop_back(2), batch))
    return emitOptionalError(loc, "batch dimensions of ", lhs, " and ", rhs,
                             " are not broadcast-compatible");
  if (!lhsVector)
    batch.push_back(l[l.size() - 2]);
  if (!rhsVector)
    batch.push_back(r.back());
  inferred.push_back(RankedTensorType::get(batch, element));
  return success();
}

/// Checks the window attributes shared by Conv and the pooling ops and
/// computes the spatial output sizes.
static LogicalResult
inferWindowSizes(std::optional<Location> loc, RankedTensorType input,
                 ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                 ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                 bool ceilMode, SmallVectorImpl<int64_t> &spatial) {
  size_t n = kernel.size();
  if (input.getRank() != static_cast<int64_t>(n) + 2)
    return emitOptionalError(loc, "input ", input, " must have rank ", n + 2,
                             " (N, C and ", n, " spatial dimensions)");
  if (strides.size() != n || dilations.size() != n || pads.size() != 2 * n)
    return emitOptionalError(loc, "expected ", n, " strides, ", n,
                             " dilations and ", 2 * n, " pads");
  for (size_t i = 0; i < n; ++i) {
    if (kernel[i] < 1 || strides[i] < 1 || dilations[i] < 1 || pads[i] < 0 ||
        pads[i + n] < 0)
      return emitOptionalError(loc, "kernel sizes, strides and dilations must "
                                    "be positive and pads non-negative");
    int64_t out =
        windowOutputSize(input.getDimSize(i + 2), kernel[i], strides[i],
                         pads[i], pads[i + n], dilations[i], ceilMode);
    if (out < 1)
      return emitOptionalError(loc, "window of size ", kernel[i],
                               " does not fit spatial dimension ", i,
                               " of input ", input);
    spatial.push_back(out);
  }
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  auto weight = rankedType(adaptor.getWeight());
  // A quantized Conv accumulates in int32, per output channel (axis 1) for
  // a weight quantized per output channel (axis 0).
  Type element = input.getElementType();
  if (getQuantizedElementType(input)) {
    FailureOr<Type> accumulator = inferAccumulatorElementType(
        loc, adaptor.getInput(), adaptor.getWeight(), adaptor.getBias(), 0, 1);
    if (failed(accumulator))
      return failure();
    element = *accumulator;
  } else if (failed(verifySameElementType(loc, {adaptor.getInput(),
                                                adaptor.getWeight(),
                                                adaptor.getBias()}))) {
    return failure();
  }
  int64_t group = adaptor.getGroup();
  if (weight.getRank() != input.getRank() || weight.getRank() < 3)
    return emitOptionalError(loc, "weight ", weight, " and input ", input,
                             " must have the same rank, at least 3");
  int64_t channels = input.getDimSize(1), filters = weight.getDimSize(0);
  if (group < 1 || channels % group || filters % group ||
      weight.getDimSize(1) * group != channels)
    return emitOptionalError(loc, "weight ", weight, " does not match input ",
                             input, " with group ", group);
  SmallVector<int64_t> shape = {input.getDimSize(0), filters};
  if (failed(inferWindowSizes(loc, input, weight.getShape().drop_front(2),
                              adaptor.getStrides(), adaptor.getPads(),
                              adaptor.getDilations(), false, shape)))
    return failure();
  if (Value bias = adaptor.getBias()) {
    auto biasType = rankedType(bias);
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != filters)
      return emitOptionalError(loc, "bias ", biasType, " must have shape [",
                               filters, "]");
  }
  inferred.push_back(RankedTensorType::get(shape, element));
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling and normalisation
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static LogicalResult inferPool(std::optional<Location> loc, Adaptor adaptor,
                               SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  SmallVector<int64_t> shape;
  if (input.getRank() >= 2)
    shape = {input.getDimSize(0), input.getDimSize(1)};
  if (failed(inferWindowSizes(loc, input, adaptor.getKernelShape(),
                              adaptor.getStrides(), adaptor.getPads(),
                              adaptor.getDilations(), adaptor.getCeilMode(),
                              shape)))
    return failure();
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferPool(loc, adaptor, inferred);
}

LogicalResult AveragePoolOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  return inferPool(loc, adaptor, inferred);
}

/// The shape of the pooled result, with i64 elements.
LogicalResult
MaxPoolIndicesOp::inferReturnTypes(MLIRContext *context,
                                   std::optional<Location> loc, Adaptor adaptor,
                                   SmallVectorImpl<Type> &inferred) {
  if (failed(inferPool(loc, adaptor, inferred)))
    return failure();
  inferred.back() = cast<RankedTensorType>(inferred.back())
                        .clone(IntegerType::get(context, 64));
  return success();
}

static LogicalResult inferGlobalPool(std::optional<Location> loc, Value input,
                                     SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(input);
  if (type.getRank() < 3)
    return emitOptionalError(loc, "input ", type, " must have rank >= 3");
  SmallVector<int64_t> shape(type.getShape());
  std::fill(shape.begin() + 2, shape.end(), 1);
  inferred.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

LogicalResult GlobalAveragePoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  return inferGlobalPool(loc, adaptor.getInput(), inferred);
}

LogicalResult
GlobalMaxPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  return inferGlobalPool(loc, adaptor.getInput(), inferred);
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  if (failed(verifySameElementType(loc, {adaptor.getInput(), adaptor.getScale(),
                                         adaptor.getBias(), adaptor.getMean(),
                                         adaptor.getVariance()})))
    return failure();
  if (input.getRank() < 2)
    return emitOptionalError(loc, "input ", input, " must have rank >= 2");
  for (Value param : {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                      adaptor.getVariance()}) {
    auto type = rankedType(param);
    if (type.getRank() != 1 || type.getDimSize(0) != input.getDimSize(1))
      return emitOptionalError(loc, "parameter ", type, " must have shape [",
                               input.getDimSize(1), "]");
  }
  inferred.push_back(input);
  return success();
}

template <typename OpTy> static LogicalResult verifyAxis(OpTy op) {
  int64_t rank = op.getType().getRank();
  int64_t axis = op.getAxis();
  if (axis < 0 || axis >= rank)
    return op.emitOpError("axis ")
           << axis << " is out of range for rank " << rank;
  return success();
}

LogicalResult SoftmaxOp::verify() { return verifyAxis(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifyAxis(*this); }

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto input = getInput().getType(), result = getType();
  if (!input.hasStaticShape() || !result.hasStaticShape())
    return emitOpError("needs static shapes");
  if (input.getNumElements() != result.getNumElements())
    return emitOpError("cannot reshape ")
           << input << " (" << input.getNumElements() << " elements) to "
           << result << " (" << result.getNumElements() << " elements)";
  if (input.getElementType() != result.getElementType())
    return emitOpError("changes the element type");
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  // reshape(reshape(x)) is one reshape.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (static_cast<int64_t>(perm.size()) != input.getRank())
    return emitOptionalError(loc, "perm has ", perm.size(),
                             " entries for an input of rank ", input.getRank());
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= input.getRank() || seen[p])
      return emitOptionalError(loc, "perm is not a permutation");
    seen[p] = true;
    shape.push_back(input.getDimSize(p));
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "needs at least one input");
  auto first = rankedType(adaptor.getInputs().front());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, "axis ", axis, " is out of range for rank ",
                             first.getRank());
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value input : adaptor.getInputs()) {
    auto type = rankedType(input);
    if (type.getRank() != first.getRank() ||
        type.getElementType() != first.getElementType())
      return emitOptionalError(loc, "inputs differ in rank or element type");
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (d != axis && type.getDimSize(d) != first.getDimSize(d))
        return emitOptionalError(loc, "inputs differ in dimension ", d);
    shape[axis] += type.getDimSize(axis);
  }
  inferred.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

#define GET_OP_CLASSES
#include "dialects/muon/MuonOps.cpp.inc"
