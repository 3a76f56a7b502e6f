//===- ElementwiseToLinalg.cpp - Lowering element-wise math, comparison and
// logic ops ---===//
//
// Patterns of the muon-to-linalg pass (MuonToLinalg.cpp) for this family.
// Every op becomes one parallel linalg.generic over the broadcast result
// (buildElementwise) whose body computes one element with arith and math;
// the formulas follow the ONNX operator specification.
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "targets/cpu/LinalgBuilders.h"
#include "targets/cpu/Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace muon;

namespace {

/// The element types a lowering computes on. Integers may be signless or
/// unsigned (ui8..ui64): the bodies compute on their signless storage and
/// pick the unsigned arith ops (divui, cmpi ult, uitofp, ...) for the
/// latter, reading signedness from the op's own operand types.
enum class Elements {
  Float,  // float
  Number, // float or integer other than i1
  Bool,   // i1
  Any,    // float or integer, i1 included
};

bool accepts(Elements elements, Type type) {
  bool isInt = type.isSignlessInteger() || type.isUnsignedInteger();
  bool isBool = type.isSignlessInteger(1);
  switch (elements) {
  case Elements::Float:
    return isa<FloatType>(type);
  case Elements::Number:
    return isa<FloatType>(type) || (isInt && !isBool);
  case Elements::Bool:
    return isBool;
  case Elements::Any:
    return isa<FloatType>(type) || isInt;
  }
  llvm_unreachable("unknown element kind");
}

StringRef describe(Elements elements) {
  switch (elements) {
  case Elements::Float:
    return "only float element types";
  case Elements::Number:
    return "only float and integer element types";
  case Elements::Bool:
    return "only i1 element types";
  case Elements::Any:
    return "only float, integer and i1 element types";
  }
  llvm_unreachable("unknown element kind");
}

/// Element-wise ops whose scalar computation `compute` defines from the
/// elements of all operands (broadcast to the result), when every operand's
/// element type is one of `elements`. `compute` gets the op, whose operand
/// types tell signedness, and the elements of the lowered operands.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using ScalarFn =
      std::function<Value(OpBuilder &, Location, OpTy, ValueRange)>;
  ElementwiseLowering(const TypeConverter &converter, MLIRContext *context,
                      Elements elements, ScalarFn compute)
      : OpConversionPattern<OpTy>(converter, context), elements(elements),
        compute(std::move(compute)) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    for (Value operand : op->getOperands())
      if (!accepts(elements, getElementTypeOrSelf(operand.getType())))
        return rewriter.notifyMatchFailure(op, describe(elements));
    Value result = buildElementwise(
        rewriter, op.getLoc(), storageType(op.getType()), adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return compute(b, loc, op, args);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  Elements elements;
  ScalarFn compute;
};

template <typename OpTy, typename Fn>
void addElementwise(const TypeConverter &converter, RewritePatternSet &patterns,
                    Elements elements, Fn compute) {
  patterns.add<ElementwiseLowering<OpTy>>(converter, patterns.getContext(),
                                          elements, compute);
}

/// A one-input op: `compute(b, loc, op, x)`.
template <typename OpTy, typename Fn>
void addUnary(const TypeConverter &converter, RewritePatternSet &patterns,
              Elements elements, Fn compute) {
  addElementwise<OpTy>(
      converter, patterns, elements,
      [compute](OpBuilder &b, Location loc, OpTy op, ValueRange args) {
        return compute(b, loc, op, args[0]);
      });
}

/// A float op that is one math (or arith) op of its input.
template <typename OpTy, typename MathOp>
void addUnaryMath(const TypeConverter &converter, RewritePatternSet &patterns) {
  addUnary<OpTy>(converter, patterns, Elements::Float,
                 [](OpBuilder &b, Location loc, OpTy, Value x) -> Value {
                   return MathOp::create(b, loc, x);
                 });
}

//===----------------------------------------------------------------------===//
// Scalar builders shared by the ops
//===----------------------------------------------------------------------===//

Value constantLike(OpBuilder &b, Location loc, Value like, double value) {
  return scalarConstant(b, loc, like.getType(), value);
}

/// `FloatOp` on float elements, `IntOp` on integers.
template <typename FloatOp, typename IntOp>
Value arithOp(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  if (isa<FloatType>(lhs.getType()))
    return FloatOp::create(b, loc, lhs, rhs);
  return IntOp::create(b, loc, lhs, rhs);
}

/// `FloatOp` on floats, `SignedOp` on signed and `UnsignedOp` on unsigned
/// integers.
template <typename FloatOp, typename SignedOp, typename UnsignedOp>
Value signedArithOp(OpBuilder &b, Location loc, Value lhs, Value rhs,
                    bool isUnsigned) {
  if (isUnsigned && !isa<FloatType>(lhs.getType()))
    return UnsignedOp::create(b, loc, lhs, rhs);
  return arithOp<FloatOp, SignedOp>(b, loc, lhs, rhs);
}

/// The unsigned form of a signed integer predicate.
arith::CmpIPredicate unsignedPredicate(arith::CmpIPredicate predicate) {
  switch (predicate) {
  case arith::CmpIPredicate::slt:
    return arith::CmpIPredicate::ult;
  case arith::CmpIPredicate::sle:
    return arith::CmpIPredicate::ule;
  case arith::CmpIPredicate::sgt:
    return arith::CmpIPredicate::ugt;
  case arith::CmpIPredicate::sge:
    return arith::CmpIPredicate::uge;
  default:
    return predicate;
  }
}

/// An ordered float comparison (false when either side is NaN, as ONNX's
/// numpy reference gives) or an integer comparison, unsigned when
/// `isUnsigned` (`intPredicate` is given in its signed form).
Value compare(OpBuilder &b, Location loc, arith::CmpFPredicate floatPredicate,
              arith::CmpIPredicate intPredicate, Value lhs, Value rhs,
              bool isUnsigned) {
  if (isa<FloatType>(lhs.getType()))
    return arith::CmpFOp::create(b, loc, floatPredicate, lhs, rhs);
  if (isUnsigned)
    intPredicate = unsignedPredicate(intPredicate);
  return arith::CmpIOp::create(b, loc, intPredicate, lhs, rhs);
}

/// lhs < rhs; integers compare as unsigned ones when `isUnsigned`.
Value lessThan(OpBuilder &b, Location loc, Value lhs, Value rhs,
               bool isUnsigned = false) {
  return compare(b, loc, arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt,
                 lhs, rhs, isUnsigned);
}

/// lhs > rhs; integers compare as unsigned ones when `isUnsigned`.
Value greaterThan(OpBuilder &b, Location loc, Value lhs, Value rhs,
                  bool isUnsigned = false) {
  return compare(b, loc, arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt,
                 lhs, rhs, isUnsigned);
}

/// max(lo, min(hi, x)), propagating NaN.
Value clamp(OpBuilder &b, Location loc, Value x, double lo, double hi) {
  Value upper =
      arith::MinimumFOp::create(b, loc, x, constantLike(b, loc, x, hi));
  return arith::MaximumFOp::create(b, loc, upper, constantLike(b, loc, x, lo));
}

/// HardSigmoid: max(0, min(1, alpha * x + beta)).
Value hardSigmoid(OpBuilder &b, Location loc, Value x, double alpha,
                  double beta) {
  Value linear = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, x, constantLike(b, loc, x, alpha)),
      constantLike(b, loc, x, beta));
  return clamp(b, loc, linear, 0.0, 1.0);
}

/// Softplus, ln(1 + e^x), as max(x, 0) + ln(1 + e^-|x|): the same value,
/// without overflow of e^x for large x.
Value softplus(OpBuilder &b, Location loc, Value x) {
  Value zero = constantLike(b, loc, x, 0.0);
  Value negAbs = arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
  Value tail =
      math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, negAbs));
  return arith::AddFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, x, zero), tail);
}

/// e^x - 1 scaled by `alpha`: the negative branch of Elu, Selu and Celu.
Value scaledExpm1(OpBuilder &b, Location loc, Value x, double alpha) {
  return arith::MulFOp::create(b, loc, math::ExpM1Op::create(b, loc, x),
                               constantLike(b, loc, x, alpha));
}

/// Cast-13 of one element between float, integer and i1 types: float to
/// integer truncates toward zero (numpy's astype, which the ONNX reference
/// uses), anything to bool is `x != 0` (NaN is true), and a bool is 0 or 1.
/// Unsigned sources zero-extend and convert with uitofp, unsigned targets
/// take fptoui; integers of one width keep their bits. `from` and `to` are
/// ONNX element types, `x` and the result of their storage types.
Value castElement(OpBuilder &b, Location loc, Value x, Type from, Type to) {
  if (storageType(from) == storageType(to))
    return x;
  auto fromFloat = dyn_cast<FloatType>(from), toFloat = dyn_cast<FloatType>(to);
  if (to.isInteger(1)) {
    Value zero = constantLike(b, loc, x, 0.0);
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x, zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, zero);
  }
  // Bools and unsigned integers are non-negative.
  bool fromUnsigned = from.isInteger(1) || from.isUnsignedInteger();
  if (fromFloat && toFloat) {
    // f16 <-> bf16: through f32, which holds both exactly.
    if (fromFloat.getWidth() == toFloat.getWidth())
      x = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
    if (cast<FloatType>(x.getType()).getWidth() < toFloat.getWidth())
      return arith::ExtFOp::create(b, loc, to, x);
    return arith::TruncFOp::create(b, loc, to, x);
  }
  Type toStorage = storageType(to);
  if (fromFloat) {
    if (to.isUnsignedInteger())
      return arith::FPToUIOp::create(b, loc, toStorage, x);
    return arith::FPToSIOp::create(b, loc, toStorage, x);
  }
  if (toFloat) {
    if (fromUnsigned)
      return arith::UIToFPOp::create(b, loc, to, x);
    return arith::SIToFPOp::create(b, loc, to, x);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, toStorage, x);
  if (fromUnsigned)
    return arith::ExtUIOp::create(b, loc, toStorage, x);
  return arith::ExtSIOp::create(b, loc, toStorage, x);
}

/// Pow-15. A float base is raised with powf (a negative base and an
/// integral exponent give the signed result, a fractional exponent NaN), the
/// exponent converted to the base's type. An integer base is raised in f64
/// and truncated back, which is exact while the result fits 53 bits.
/// `baseType` and `exponentType` are the ONNX element types.
Value power(OpBuilder &b, Location loc, Value base, Value exponent,
            Type baseType, Type exponentType) {
  Type computeType = isa<FloatType>(baseType) ? baseType : b.getF64Type();
  Value result = math::PowFOp::create(
      b, loc, castElement(b, loc, base, baseType, computeType),
      castElement(b, loc, exponent, exponentType, computeType));
  return castElement(b, loc, result, computeType, baseType);
}

/// Mod-13: with fmod the remainder has the dividend's sign (C fmod, remf /
/// remsi); without, the divisor's sign (Python's %): a nonzero remainder
/// whose sign differs from the divisor's moves by one divisor. Unsigned
/// remainders (remui) need neither.
Value modulo(OpBuilder &b, Location loc, Value lhs, Value rhs, bool fmod,
             bool isUnsigned) {
  Value rem = signedArithOp<arith::RemFOp, arith::RemSIOp, arith::RemUIOp>(
      b, loc, lhs, rhs, isUnsigned);
  if (fmod || isUnsigned)
    return rem;
  Value zero = constantLike(b, loc, rem, 0.0);
  Value nonzero = compare(b, loc, arith::CmpFPredicate::ONE,
                          arith::CmpIPredicate::ne, rem, zero, isUnsigned);
  Value signsDiffer = arith::XOrIOp::create(b, loc, lessThan(b, loc, rem, zero),
                                            lessThan(b, loc, rhs, zero));
  Value adjust = arith::AndIOp::create(b, loc, nonzero, signsDiffer);
  Value moved = arithOp<arith::AddFOp, arith::AddIOp>(b, loc, rem, rhs);
  return arith::SelectOp::create(b, loc, adjust, moved, rem);
}

/// x << y or x >> y (logical) of unsigned integers; 0 when y is at least
/// the bit width.
Value shift(OpBuilder &b, Location loc, Value x, Value y, bool left) {
  Value shifted = left ? arith::ShLIOp::create(b, loc, x, y).getResult()
                       : arith::ShRUIOp::create(b, loc, x, y).getResult();
  Value width = constantLike(b, loc, x, x.getType().getIntOrFloatBitWidth());
  Value inRange =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, y, width);
  return arith::SelectOp::create(b, loc, inRange, shifted,
                                 constantLike(b, loc, x, 0.0));
}

/// A comparison op: `floatPredicate` on floats, `intPredicate` on integers
/// (Equal also on i1).
template <typename OpTy>
void addComparison(const TypeConverter &converter, RewritePatternSet &patterns,
                   arith::CmpFPredicate floatPredicate,
                   arith::CmpIPredicate intPredicate) {
  Elements elements =
      std::is_same_v<OpTy, EqualOp> ? Elements::Any : Elements::Number;
  addElementwise<OpTy>(
      converter, patterns, elements,
      [=](OpBuilder &b, Location loc, OpTy op, ValueRange args) {
        return compare(b, loc, floatPredicate, intPredicate, args[0], args[1],
                       isUnsignedElement(op->getOperand(0).getType()));
      });
}

/// A binary op that is one arith op: `FloatOp` on floats, `IntOp` on
/// integers (`IntOp` alone, on i1, when `elements` is Bool).
template <typename OpTy, typename FloatOp, typename IntOp>
void addBinaryArith(const TypeConverter &converter, RewritePatternSet &patterns,
                    Elements elements) {
  addElementwise<OpTy>(converter, patterns, elements,
                       [](OpBuilder &b, Location loc, OpTy, ValueRange args) {
                         return arithOp<FloatOp, IntOp>(b, loc, args[0],
                                                        args[1]);
                       });
}

/// A binary op on numbers whose integer form depends on signedness.
template <typename OpTy, typename FloatOp, typename SignedOp,
          typename UnsignedOp>
void addSignedBinaryArith(const TypeConverter &converter,
                          RewritePatternSet &patterns) {
  addElementwise<OpTy>(
      converter, patterns, Elements::Number,
      [](OpBuilder &b, Location loc, OpTy op, ValueRange args) {
        return signedArithOp<FloatOp, SignedOp, UnsignedOp>(
            b, loc, args[0], args[1],
            isUnsignedElement(op->getOperand(0).getType()));
      });
}

void populateUnaryMath(const TypeConverter &converter,
                       RewritePatternSet &patterns) {
  addUnaryMath<TanhOp, math::TanhOp>(converter, patterns);
  addUnaryMath<ExpOp, math::ExpOp>(converter, patterns);
  addUnaryMath<LogOp, math::LogOp>(converter, patterns);
  addUnaryMath<SqrtOp, math::SqrtOp>(converter, patterns);
  addUnaryMath<AbsOp, math::AbsFOp>(converter, patterns);
  addUnaryMath<NegOp, arith::NegFOp>(converter, patterns);
  addUnaryMath<FloorOp, math::FloorOp>(converter, patterns);
  addUnaryMath<CeilOp, math::CeilOp>(converter, patterns);
  // Round-11 rounds halves to even.
  addUnaryMath<RoundOp, math::RoundEvenOp>(converter, patterns);
  addUnaryMath<ErfOp, math::ErfOp>(converter, patterns);
  addUnaryMath<SinOp, math::SinOp>(converter, patterns);
  addUnaryMath<CosOp, math::CosOp>(converter, patterns);
  addUnaryMath<TanOp, math::TanOp>(converter, patterns);
  addUnaryMath<AsinOp, math::AsinOp>(converter, patterns);
  addUnaryMath<AcosOp, math::AcosOp>(converter, patterns);
  addUnaryMath<AtanOp, math::AtanOp>(converter, patterns);
  addUnaryMath<SinhOp, math::SinhOp>(converter, patterns);
  addUnaryMath<CoshOp, math::CoshOp>(converter, patterns);
  addUnaryMath<AsinhOp, math::AsinhOp>(converter, patterns);
  addUnaryMath<AcoshOp, math::AcoshOp>(converter, patterns);
  addUnaryMath<AtanhOp, math::AtanhOp>(converter, patterns);
  addUnary<ReciprocalOp>(
      converter, patterns, Elements::Float,
      [](OpBuilder &b, Location loc, ReciprocalOp, Value x) -> Value {
        return arith::DivFOp::create(b, loc, constantLike(b, loc, x, 1.0), x);
      });
  // Sign: 1, -1, or x itself for 0 (and NaN).
  addUnary<SignOp>(converter, patterns, Elements::Number,
                   [](OpBuilder &b, Location loc, SignOp op, Value x) -> Value {
                     bool isUnsigned = isUnsignedElement(op.getType());
                     Value zero = constantLike(b, loc, x, 0.0);
                     Value negative = arith::SelectOp::create(
                         b, loc, lessThan(b, loc, x, zero, isUnsigned),
                         constantLike(b, loc, x, -1.0), x);
                     return arith::SelectOp::create(
                         b, loc, greaterThan(b, loc, x, zero, isUnsigned),
                         constantLike(b, loc, x, 1.0), negative);
                   });
}

void populateActivations(const TypeConverter &converter,
                         RewritePatternSet &patterns) {
  addUnary<ReluOp>(converter, patterns, Elements::Float,
                   [](OpBuilder &b, Location loc, ReluOp, Value x) -> Value {
                     return arith::MaximumFOp::create(
                         b, loc, x, constantLike(b, loc, x, 0.0));
                   });
  addUnary<SigmoidOp>(
      converter, patterns, Elements::Float,
      [](OpBuilder &b, Location loc, SigmoidOp, Value x) -> Value {
        // 1 / (1 + exp(-x)): exp(-x) overflows to inf for very negative x,
        // which correctly gives 0.
        Value one = constantLike(b, loc, x, 1.0);
        Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
        return arith::DivFOp::create(b, loc, one,
                                     arith::AddFOp::create(b, loc, one, e));
      });
  addUnary<LeakyReluOp>(
      converter, patterns, Elements::Float,
      [](OpBuilder &b, Location loc, LeakyReluOp op, Value x) -> Value {
        Value negative = lessThan(b, loc, x, constantLike(b, loc, x, 0.0));
        Value scaled = arith::MulFOp::create(
            b, loc, x,
            constantLike(b, loc, x, op.getAlpha().convertToDouble()));
        return arith::SelectOp::create(b, loc, negative, scaled, x);
      });
  addUnary<ClipOp>(
      converter, patterns, Elements::Float,
      [](OpBuilder &b, Location loc, ClipOp op, Value x) {
        if (auto min = op.getMin())
          x = arith::MaximumFOp::create(
              b, loc, x, constantLike(b, loc, x, min->convertToDouble()));
        if (auto max = op.getMax())
          x = arith::MinimumFOp::create(
              b, loc, x, constantLike(b, loc, x, max->convertToDouble()));
        return x;
      });
  addUnary<SoftplusOp>(converter, patterns, Elements::Float,
                       [](OpBuilder &b, Location loc, SoftplusOp, Value x) {
                         return softplus(b, loc, x);
                       });
  addUnary<SoftsignOp>(
      converter, patterns, Elements::Float,
      [](OpBuilder &b, Location loc, SoftsignOp, Value x) -> Value {
        Value denominator =
            arith::AddFOp::create(b, loc, constantLike(b, loc, x, 1.0),
                                  math::AbsFOp::create(b, loc, x));
        return arith::DivFOp::create(b, loc, x, denominator);
      });
  addUnary<MishOp>(converter, patterns, Elements::Float,
                   [](OpBuilder &b, Location loc, MishOp, Value x) -> Value {
                     return arith::MulFOp::create(
                         b, loc, x,
                         math::TanhOp::create(b, loc, softplus(b, loc, x)));
                   });
  addUnary<HardSigmoidOp>(
      converter, patterns, Elements::Float,
      [](OpBuilder &b, Location loc, HardSigmoidOp op, Value x) {
        return hardSigmoid(b, loc, x, op.getAlpha().convertToDouble(),
                           op.getBeta().convertToDouble());
      });
  // HardSwish-14: x * HardSigmoid(x) with alpha = 1/6, beta = 0.5.
  addUnary<HardSwishOp>(
      converter, patterns, Elements::Float,
      [](OpBuilder &b, Location loc, HardSwishOp, Value x) -> Value {
        return arith::MulFOp::create(b, loc, x,
                                     hardSigmoid(b, loc, x, 1.0 / 6.0, 0.5));
      });
  // Elu-6: x < 0 ? alpha * (e^x - 1) : x.
  addUnary<EluOp>(
      converter, patterns, Elements::Float,
      [](OpBuilder &b, Location loc, EluOp op, Value x) -> Value {
        Value negative = lessThan(b, loc, x, constantLike(b, loc, x, 0.0));
        return arith::SelectOp::create(
            b, loc, negative,
            scaledExpm1(b, loc, x, op.getAlpha().convertToDouble()), x);
      });
  // Selu-6: gamma * (x > 0 ? x : alpha * (e^x - 1)).
  addUnary<SeluOp>(
      converter, patterns, Elements::Float,
      [](OpBuilder &b, Location loc, SeluOp op, Value x) -> Value {
        Value positive = greaterThan(b, loc, x, constantLike(b, loc, x, 0.0));
        Value selected = arith::SelectOp::create(
            b, loc, positive, x,
            scaledExpm1(b, loc, x, op.getAlpha().convertToDouble()));
        return arith::MulFOp::create(
            b, loc, selected,
            constantLike(b, loc, x, op.getGamma().convertToDouble()));
      });
  // Celu-12: max(0, x) + min(0, alpha * (e^(x / alpha) - 1)).
  addUnary<CeluOp>(
      converter, patterns, Elements::Float,
      [](OpBuilder &b, Location loc, CeluOp op, Value x) -> Value {
        double alpha = op.getAlpha().convertToDouble();
        Value zero = constantLike(b, loc, x, 0.0);
        Value scaled =
            arith::DivFOp::create(b, loc, x, constantLike(b, loc, x, alpha));
        Value negative = arith::MinimumFOp::create(
            b, loc, zero, scaledExpm1(b, loc, scaled, alpha));
        return arith::AddFOp::create(
            b, loc, arith::MaximumFOp::create(b, loc, x, zero), negative);
      });
  // ThresholdedRelu-10: x > alpha ? x : 0.
  addUnary<ThresholdedReluOp>(
      converter, patterns, Elements::Float,
      [](OpBuilder &b, Location loc, ThresholdedReluOp op, Value x) -> Value {
        Value alpha = constantLike(b, loc, x, op.getAlpha().convertToDouble());
        return arith::SelectOp::create(b, loc, greaterThan(b, loc, x, alpha), x,
                                       constantLike(b, loc, x, 0.0));
      });
  // Shrink-9: x < -lambd ? x + bias : (x > lambd ? x - bias : 0).
  addUnary<ShrinkOp>(
      converter, patterns, Elements::Float,
      [](OpBuilder &b, Location loc, ShrinkOp op, Value x) -> Value {
        double lambd = op.getLambd().convertToDouble();
        Value bias = constantLike(b, loc, x, op.getBias().convertToDouble());
        Value high = arith::SelectOp::create(
            b, loc, greaterThan(b, loc, x, constantLike(b, loc, x, lambd)),
            arith::SubFOp::create(b, loc, x, bias),
            constantLike(b, loc, x, 0.0));
        return arith::SelectOp::create(
            b, loc, lessThan(b, loc, x, constantLike(b, loc, x, -lambd)),
            arith::AddFOp::create(b, loc, x, bias), high);
      });
  // PRelu-16: x < 0 ? slope * x : x, on floats and integers.
  addElementwise<PReluOp>(
      converter, patterns, Elements::Number,
      [](OpBuilder &b, Location loc, PReluOp op, ValueRange args) -> Value {
        Value x = args[0];
        Value scaled =
            arithOp<arith::MulFOp, arith::MulIOp>(b, loc, x, args[1]);
        Value negative = lessThan(b, loc, x, constantLike(b, loc, x, 0.0),
                                  isUnsignedElement(op.getType()));
        return arith::SelectOp::create(b, loc, negative, scaled, x);
      });
}

void populateBinary(const TypeConverter &converter,
                    RewritePatternSet &patterns) {
  addBinaryArith<AddOp, arith::AddFOp, arith::AddIOp>(converter, patterns,
                                                      Elements::Number);
  addBinaryArith<SubOp, arith::SubFOp, arith::SubIOp>(converter, patterns,
                                                      Elements::Number);
  addBinaryArith<MulOp, arith::MulFOp, arith::MulIOp>(converter, patterns,
                                                      Elements::Number);
  // Integer Div truncates toward zero, as divsi (and divui) do.
  addSignedBinaryArith<DivOp, arith::DivFOp, arith::DivSIOp, arith::DivUIOp>(
      converter, patterns);
  // Max-13 and Min-13 propagate NaN (numpy.maximum / minimum).
  addSignedBinaryArith<MaxOp, arith::MaximumFOp, arith::MaxSIOp,
                       arith::MaxUIOp>(converter, patterns);
  addSignedBinaryArith<MinOp, arith::MinimumFOp, arith::MinSIOp,
                       arith::MinUIOp>(converter, patterns);
  addBinaryArith<AndOp, arith::AndIOp, arith::AndIOp>(converter, patterns,
                                                      Elements::Bool);
  addBinaryArith<OrOp, arith::OrIOp, arith::OrIOp>(converter, patterns,
                                                   Elements::Bool);
  addBinaryArith<XorOp, arith::XOrIOp, arith::XOrIOp>(converter, patterns,
                                                      Elements::Bool);
  addUnary<NotOp>(converter, patterns, Elements::Bool,
                  [](OpBuilder &b, Location loc, NotOp, Value x) -> Value {
                    return arith::XOrIOp::create(b, loc, x,
                                                 constantLike(b, loc, x, 1.0));
                  });
  // BitShift-11 (unsigned integers): shl / shrui, whose result LLVM leaves
  // undefined for shifts of the bit width or more; numpy gives 0 there.
  addElementwise<ShiftLeftOp>(
      converter, patterns, Elements::Number,
      [](OpBuilder &b, Location loc, ShiftLeftOp, ValueRange args) {
        return shift(b, loc, args[0], args[1], /*left=*/true);
      });
  addElementwise<ShiftRightOp>(
      converter, patterns, Elements::Number,
      [](OpBuilder &b, Location loc, ShiftRightOp, ValueRange args) {
        return shift(b, loc, args[0], args[1], /*left=*/false);
      });
  addElementwise<ModOp>(
      converter, patterns, Elements::Number,
      [](OpBuilder &b, Location loc, ModOp op, ValueRange args) {
        return modulo(b, loc, args[0], args[1], op.getFmod(),
                      isUnsignedElement(op.getType()));
      });
  addElementwise<PowOp>(
      converter, patterns, Elements::Number,
      [](OpBuilder &b, Location loc, PowOp op, ValueRange args) {
        return power(b, loc, args[0], args[1],
                     getElementTypeOrSelf(op.getLhs().getType()),
                     getElementTypeOrSelf(op.getRhs().getType()));
      });
  addComparison<EqualOp>(converter, patterns, arith::CmpFPredicate::OEQ,
                         arith::CmpIPredicate::eq);
  addComparison<GreaterOp>(converter, patterns, arith::CmpFPredicate::OGT,
                           arith::CmpIPredicate::sgt);
  addComparison<LessOp>(converter, patterns, arith::CmpFPredicate::OLT,
                        arith::CmpIPredicate::slt);
  addComparison<GreaterOrEqualOp>(converter, patterns,
                                  arith::CmpFPredicate::OGE,
                                  arith::CmpIPredicate::sge);
  addComparison<LessOrEqualOp>(converter, patterns, arith::CmpFPredicate::OLE,
                               arith::CmpIPredicate::sle);
  addElementwise<WhereOp>(
      converter, patterns, Elements::Any,
      [](OpBuilder &b, Location loc, WhereOp, ValueRange args) -> Value {
        return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
      });
}

void populateTypeChanging(const TypeConverter &converter,
                          RewritePatternSet &patterns) {
  addUnary<CastOp>(converter, patterns, Elements::Any,
                   [](OpBuilder &b, Location loc, CastOp op, Value x) {
                     return castElement(
                         b, loc, x,
                         getElementTypeOrSelf(op.getInput().getType()),
                         op.getTo());
                   });
  addUnary<IsNaNOp>(converter, patterns, Elements::Float,
                    [](OpBuilder &b, Location loc, IsNaNOp, Value x) -> Value {
                      return arith::CmpFOp::create(
                          b, loc, arith::CmpFPredicate::UNO, x, x);
                    });
  // IsInf-10: x == +inf when detect_positive, x == -inf when
  // detect_negative.
  addUnary<IsInfOp>(
      converter, patterns, Elements::Float,
      [](OpBuilder &b, Location loc, IsInfOp op, Value x) -> Value {
        Value result = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
        double inf = std::numeric_limits<double>::infinity();
        for (auto [detect, value] : {std::pair(op.getDetectPositive(), inf),
                                     std::pair(op.getDetectNegative(), -inf)})
          if (detect)
            result = arith::OrIOp::create(
                b, loc, result,
                arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x,
                                      constantLike(b, loc, x, value)));
        return result;
      });
}

} // namespace

void muon::populateElementwiseLowerings(const TypeConverter &converter,
                                        RewritePatternSet &patterns) {
  populateUnaryMath(converter, patterns);
  populateActivations(converter, patterns);
  populateBinary(converter, patterns);
  populateTypeChanging(converter, patterns);
}
