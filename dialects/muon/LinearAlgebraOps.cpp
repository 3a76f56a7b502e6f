//===- LinearAlgebraOps.cpp - Contractions and linear algebra: types ------===//
//
// Result-type inference of the ops of LinearAlgebraOps.td, following the ONNX
// operator specification (https://onnx.ai/onnx/operators/).
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "dialects/muon/OpVerification.h"
#include "dialects/muon/Quantization.h"
#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace muon;

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

/// Det-11: [..., n, n] -> [...], float.
LogicalResult DetOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t rank = input.getRank();
  if (rank < 2 || input.getDimSize(rank - 1) != input.getDimSize(rank - 2) ||
      !isa<FloatType>(input.getElementType()))
    return emitOptionalError(loc, "input ", input,
                             " must be float square matrices [..., n, n]");
  inferred.push_back(RankedTensorType::get(input.getShape().drop_back(2),
                                           input.getElementType()));
  return success();
}
