//===- ElementwiseOps.cpp - Element-wise math, comparison and logic ops ---===//
//
// Verifiers and result-type inference of the ops in ElementwiseOps.td.
// Broadcasting is ONNX multidirectional broadcasting (numpy rules); element
// type rules follow the type constraints of each ONNX operator.
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "dialects/muon/OpVerification.h"
#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace muon;

/// The element type `lhs` and `rhs` share (ONNX type constraint T).
static FailureOr<Type> commonElementType(std::optional<Location> loc, Value lhs,
                                         Value rhs) {
  if (failed(verifySameElementType(loc, {lhs, rhs})))
    return failure();
  return rankedType(lhs).getElementType();
}

/// An error "<what> must be <expected>, not <type>" unless `ok`.
static LogicalResult expectElementType(std::optional<Location> loc,
                                       StringRef what, Type type, bool ok,
                                       StringRef expected) {
  if (!ok)
    return emitOptionalError(loc, what, " must be ", expected, ", not ", type);
  return success();
}

static bool isAnyType(Type) { return true; }
static bool isBool(Type type) { return type.isInteger(1); }
static bool isNumber(Type type) { return !isBool(type); }
static bool isUnsignedInteger(Type type) { return type.isUnsignedInteger(); }

/// Binary ops whose operands and result share one element type, accepted
/// when `accepts` holds for it.
template <typename Adaptor>
static LogicalResult
inferSameTypeBinary(std::optional<Location> loc, Adaptor adaptor,
                    SmallVectorImpl<Type> &inferred, bool (*accepts)(Type),
                    StringRef expected) {
  FailureOr<Type> type =
      commonElementType(loc, adaptor.getLhs(), adaptor.getRhs());
  if (failed(type) || failed(expectElementType(loc, "operands", *type,
                                               accepts(*type), expected)))
    return failure();
  return inferBroadcast(loc, {adaptor.getLhs(), adaptor.getRhs()}, *type,
                        inferred);
}

#define MUON_SAME_TYPE_BINARY(OP, ACCEPTS, EXPECTED)                           \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferSameTypeBinary(loc, adaptor, inferred, ACCEPTS, EXPECTED);     \
  }
MUON_SAME_TYPE_BINARY(AddOp, isAnyType, "")
MUON_SAME_TYPE_BINARY(SubOp, isAnyType, "")
MUON_SAME_TYPE_BINARY(MulOp, isAnyType, "")
MUON_SAME_TYPE_BINARY(DivOp, isAnyType, "")
MUON_SAME_TYPE_BINARY(MaxOp, isNumber, "numeric")
MUON_SAME_TYPE_BINARY(MinOp, isNumber, "numeric")
MUON_SAME_TYPE_BINARY(ModOp, isNumber, "numeric")
MUON_SAME_TYPE_BINARY(AndOp, isBool, "i1")
MUON_SAME_TYPE_BINARY(OrOp, isBool, "i1")
MUON_SAME_TYPE_BINARY(XorOp, isBool, "i1")
MUON_SAME_TYPE_BINARY(ShiftLeftOp, isUnsignedInteger, "unsigned integers")
MUON_SAME_TYPE_BINARY(ShiftRightOp, isUnsignedInteger, "unsigned integers")
#undef MUON_SAME_TYPE_BINARY

/// Comparisons: operands of one element type (Equal also compares bools,
/// the ordering comparisons only numbers), an i1 result.
template <typename Adaptor>
static LogicalResult
inferComparison(std::optional<Location> loc, Adaptor adaptor,
                SmallVectorImpl<Type> &inferred, bool allowBool) {
  FailureOr<Type> type =
      commonElementType(loc, adaptor.getLhs(), adaptor.getRhs());
  if (failed(type) ||
      failed(expectElementType(loc, "operands", *type,
                               allowBool || !isBool(*type), "numeric")))
    return failure();
  return inferBroadcast(loc, {adaptor.getLhs(), adaptor.getRhs()},
                        IntegerType::get(type->getContext(), 1), inferred);
}

#define MUON_COMPARISON(OP, ALLOW_BOOL)                                        \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferComparison(loc, adaptor, inferred, ALLOW_BOOL);                \
  }
MUON_COMPARISON(EqualOp, true)
MUON_COMPARISON(GreaterOp, false)
MUON_COMPARISON(LessOp, false)
MUON_COMPARISON(GreaterOrEqualOp, false)
MUON_COMPARISON(LessOrEqualOp, false)
#undef MUON_COMPARISON

LogicalResult PowOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  Type base = rankedType(adaptor.getLhs()).getElementType();
  Type exponent = rankedType(adaptor.getRhs()).getElementType();
  if (failed(expectElementType(loc, "base", base, isNumber(base), "numeric")) ||
      failed(expectElementType(loc, "exponent", exponent, isNumber(exponent),
                               "numeric")))
    return failure();
  return inferBroadcast(loc, {adaptor.getLhs(), adaptor.getRhs()}, base,
                        inferred);
}

LogicalResult PReluOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  if (failed(commonElementType(loc, adaptor.getInput(), adaptor.getSlope())) ||
      failed(inferBroadcast(loc, {adaptor.getInput(), adaptor.getSlope()},
                            input.getElementType(), inferred)))
    return failure();
  if (inferred.back() != input)
    return emitOptionalError(loc, "slope ", adaptor.getSlope().getType(),
                             " does not broadcast to input ", input);
  return success();
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  Type condition = rankedType(adaptor.getCondition()).getElementType();
  FailureOr<Type> type = commonElementType(loc, adaptor.getX(), adaptor.getY());
  if (failed(expectElementType(loc, "condition", condition, isBool(condition),
                               "i1")) ||
      failed(type))
    return failure();
  return inferBroadcast(
      loc, {adaptor.getCondition(), adaptor.getX(), adaptor.getY()}, *type,
      inferred);
}

//===----------------------------------------------------------------------===//
// Unary ops that change the element type
//===----------------------------------------------------------------------===//

/// IsNaN and IsInf: a float tensor to an i1 tensor of the same shape.
static LogicalResult inferFloatTest(std::optional<Location> loc, Value input,
                                    SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(input);
  if (failed(expectElementType(loc, "input", type.getElementType(),
                               isa<FloatType>(type.getElementType()), "float")))
    return failure();
  inferred.push_back(type.clone(IntegerType::get(type.getContext(), 1)));
  return success();
}

LogicalResult IsNaNOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  return inferFloatTest(loc, adaptor.getInput(), inferred);
}

LogicalResult IsInfOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  return inferFloatTest(loc, adaptor.getInput(), inferred);
}

LogicalResult CastOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  Type to = adaptor.getTo();
  if (failed(expectElementType(loc, "to", to, isa<FloatType, IntegerType>(to),
                               "a float or integer type")))
    return failure();
  inferred.push_back(rankedType(adaptor.getInput()).clone(to));
  return success();
}

LogicalResult CeluOp::verify() {
  if (getAlpha().isZero())
    return emitOpError("alpha must not be 0");
  return success();
}

//===----------------------------------------------------------------------===//
// Clip
//===----------------------------------------------------------------------===//

LogicalResult ClipOp::verify() {
  if (getMin() && getMax() &&
      getMin()->convertToFloat() > getMax()->convertToFloat())
    return emitOpError("min ")
           << getMin()->convertToFloat() << " is greater than max "
           << getMax()->convertToFloat();
  return success();
}
