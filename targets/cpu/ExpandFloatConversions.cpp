//===- ExpandFloatConversions.cpp - 16-bit float conversions inline -------===//
//
// A Muon object references no compiler-runtime helper (docs/abi.md), but LLVM
// calls one for every float conversion the target has no instruction for:
// f32 -> bf16 on x86 without AVX-512 BF16, f64 -> f16 and f64 -> bf16 on
// most targets, and f16 <-> f32 without x86's F16C. This pass writes those
// conversions as integer code before LLVM sees them, and makes arithmetic on
// such types compute in f32 explicitly (LLVM would promote it through the
// same helpers, and an f16 fused multiply-add through f64 and
// __truncdfhf2 even with F16C).
//
// The roundings follow IEEE 754 (round to nearest, ties to even), which is
// what ONNX's Cast specifies and numpy computes; a NaN stays a quiet NaN with
// its sign and leading payload bits.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace muon {
#define GEN_PASS_DEF_MUONEXPANDFLOATCONVERSIONS
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

/// Builds integer code on scalars or vectors of one shape: every constant is
/// splat to the shape of `like`.
struct BitBuilder {
  OpBuilder &b;
  Location loc;
  Type like;

  /// `like`'s shape with `element` as its element type.
  Type typeOf(Type element) const {
    if (auto vector = dyn_cast<VectorType>(like))
      return vector.clone(element);
    return element;
  }
  Type intType(unsigned width) const { return typeOf(b.getIntegerType(width)); }
  /// `scalar` in `like`'s shape.
  Value constant(TypedAttr scalar) const {
    Type type = typeOf(scalar.getType());
    if (auto vector = dyn_cast<VectorType>(type))
      scalar = SplatElementsAttr::get(vector, scalar);
    return arith::ConstantOp::create(b, loc, type, scalar);
  }
  Value i32(int64_t value) const {
    return constant(b.getI32IntegerAttr(value));
  }

  Value bitcast(Type element, Value x) const {
    return arith::BitcastOp::create(b, loc, typeOf(element), x);
  }
  Value andI(Value x, Value y) const {
    return arith::AndIOp::create(b, loc, x, y);
  }
  Value orI(Value x, Value y) const {
    return arith::OrIOp::create(b, loc, x, y);
  }
  Value add(Value x, Value y) const {
    return arith::AddIOp::create(b, loc, x, y);
  }
  Value sub(Value x, Value y) const {
    return arith::SubIOp::create(b, loc, x, y);
  }
  Value shl(Value x, Value y) const {
    return arith::ShLIOp::create(b, loc, x, y);
  }
  Value shr(Value x, Value y) const {
    return arith::ShRUIOp::create(b, loc, x, y);
  }
  Value cmp(arith::CmpIPredicate predicate, Value x, Value y) const {
    return arith::CmpIOp::create(b, loc, predicate, x, y);
  }
  Value select(Value condition, Value x, Value y) const {
    return arith::SelectOp::create(b, loc, condition, x, y);
  }
  Value zext(Value condition) const {
    return arith::ExtUIOp::create(b, loc, intType(32), condition);
  }

  /// The low 16 bits of `bits` (i32) as `element`, a 16-bit float type.
  Value toFloat16(Type element, Value bits) const {
    return bitcast(element, arith::TruncIOp::create(b, loc, intType(16), bits));
  }
};

/// The bits of bf16(x) for an f32 `x`, in the low half of an i32: the upper
/// half of x's bits rounded to nearest even by adding 0x7fff plus the kept
/// part's last bit (a carry into the exponent gives the next binade, or
/// infinity above bf16's largest value).
Value roundToBF16Bits(const BitBuilder &bb, Value x) {
  Value bits = bb.bitcast(bb.b.getI32Type(), x);
  Value c16 = bb.i32(16);
  Value lastKept = bb.andI(bb.shr(bits, c16), bb.i32(1));
  Value rounded = bb.shr(bb.add(bb.add(bits, bb.i32(0x7fff)), lastKept), c16);
  Value magnitude = bb.andI(bits, bb.i32(0x7fffffff));
  Value isNaN =
      bb.cmp(arith::CmpIPredicate::ugt, magnitude, bb.i32(0x7f800000));
  Value quietNaN = bb.orI(bb.shr(bits, c16), bb.i32(0x40));
  return bb.select(isNaN, quietNaN, rounded);
}

/// The bits of f16(x) for an f32 `x`, in the low half of an i32, rounded to
/// nearest even. f16 has 5 exponent bits (bias 15) and 10 mantissa bits:
///   |x| >= 65520 (65504 plus half its ulp) becomes infinity;
///   |x| >= 2^-14 is normal: the exponent rebased by 112 and the mantissa's
///     low 13 bits rounded away (a carry moves to the next binade);
///   smaller |x| is subnormal, a multiple of 2^-24: the 24-bit significand
///     shifted right by 126 - exponent (at least 14) and rounded.
Value roundToF16Bits(const BitBuilder &bb, Value x) {
  using P = arith::CmpIPredicate;
  Value bits = bb.bitcast(bb.b.getI32Type(), x);
  Value sign = bb.andI(bb.shr(bits, bb.i32(16)), bb.i32(0x8000));
  Value magnitude = bb.andI(bits, bb.i32(0x7fffffff));

  Value rebased = bb.sub(magnitude, bb.i32(112 << 23));
  Value c13 = bb.i32(13);
  Value lastKept = bb.andI(bb.shr(rebased, c13), bb.i32(1));
  Value normal = bb.shr(bb.add(bb.add(rebased, bb.i32(0xfff)), lastKept), c13);

  // The shift is clamped to [14, 31] so that lanes which take another
  // branch shift by a defined amount; in this branch it is at least 14, and
  // from 25 on the result is 0 (the significand is below 2^24).
  Value exponent = bb.shr(magnitude, bb.i32(23));
  Value shift = arith::MinSIOp::create(
      bb.b, bb.loc,
      arith::MaxSIOp::create(bb.b, bb.loc, bb.sub(bb.i32(126), exponent),
                             bb.i32(14)),
      bb.i32(31));
  Value significand =
      bb.orI(bb.andI(magnitude, bb.i32(0x7fffff)), bb.i32(0x800000));
  Value kept = bb.shr(significand, shift);
  Value one = bb.i32(1);
  Value dropped = bb.andI(significand, bb.sub(bb.shl(one, shift), one));
  Value half = bb.shl(one, bb.sub(shift, one));
  Value tieToOdd = bb.andI(bb.cmp(P::eq, dropped, half),
                           bb.cmp(P::ne, bb.andI(kept, one), bb.i32(0)));
  Value roundUp = bb.orI(bb.cmp(P::ugt, dropped, half), tieToOdd);
  Value subnormal = bb.add(kept, bb.zext(roundUp));

  Value quietNaN =
      bb.orI(bb.andI(bb.shr(magnitude, c13), bb.i32(0x3ff)), bb.i32(0x7e00));
  Value result = bb.select(bb.cmp(P::ult, magnitude, bb.i32(0x38800000)),
                           subnormal, normal);
  result = bb.select(bb.cmp(P::uge, magnitude, bb.i32(0x477ff000)),
                     bb.i32(0x7c00), result);
  result = bb.select(bb.cmp(P::ugt, magnitude, bb.i32(0x7f800000)), quietNaN,
                     result);
  return bb.orI(result, sign);
}

/// f64 `x` rounded to f32 toward zero, with the last mantissa bit set when
/// the rounding was inexact (round to odd). A second rounding of the result
/// to a format at least two bits narrower gives what rounding `x` directly
/// would: the set bit keeps "a little above a tie" from becoming a tie.
Value roundToOddF32(const BitBuilder &bb, Value x) {
  OpBuilder &b = bb.b;
  Location loc = bb.loc;
  Type f32 = bb.typeOf(b.getF32Type());
  Value nearest = arith::TruncFOp::create(b, loc, f32, x);
  Value back = arith::ExtFOp::create(b, loc, x.getType(), nearest);
  Value bits = bb.bitcast(b.getI32Type(), nearest);
  // One ulp toward zero is one less in the magnitude bits (an overflow to
  // infinity becomes the largest finite value).
  Value overshot = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                         math::AbsFOp::create(b, loc, back),
                                         math::AbsFOp::create(b, loc, x));
  bits = bb.select(overshot, bb.sub(bits, bb.i32(1)), bits);
  Value inexact =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE, back, x);
  bits = bb.select(inexact, bb.orI(bits, bb.i32(1)), bits);
  return bb.bitcast(b.getF32Type(), bits);
}

/// f32 from the bits of an f16 (exact): normal numbers rebias the exponent,
/// infinities and NaNs keep their payload, subnormals (mantissa x 2^-24)
/// are converted through sitofp, which is exact below 2^24.
Value extendF16(const BitBuilder &bb, Value x) {
  using P = arith::CmpIPredicate;
  OpBuilder &b = bb.b;
  Location loc = bb.loc;
  Value bits = arith::ExtUIOp::create(b, loc, bb.intType(32),
                                      bb.bitcast(b.getI16Type(), x));
  Value sign = bb.shl(bb.andI(bits, bb.i32(0x8000)), bb.i32(16));
  Value exponent = bb.andI(bb.shr(bits, bb.i32(10)), bb.i32(0x1f));
  Value mantissa = bb.andI(bits, bb.i32(0x3ff));
  Value wideMantissa = bb.shl(mantissa, bb.i32(13));
  Value normal =
      bb.orI(bb.shl(bb.add(exponent, bb.i32(112)), bb.i32(23)), wideMantissa);
  Value infOrNaN = bb.orI(wideMantissa, bb.i32(0x7f800000));
  Value subnormal = bb.bitcast(
      b.getI32Type(),
      arith::MulFOp::create(
          b, loc,
          arith::SIToFPOp::create(b, loc, bb.typeOf(b.getF32Type()), mantissa),
          bb.constant(b.getF32FloatAttr(0x1p-24f))));
  Value result =
      bb.select(bb.cmp(P::eq, exponent, bb.i32(0)), subnormal, normal);
  result = bb.select(bb.cmp(P::eq, exponent, bb.i32(31)), infOrNaN, result);
  return bb.bitcast(b.getF32Type(), bb.orI(result, sign));
}

/// arith.truncf f32 -> bf16, and f32 -> f16 without native conversion.
struct ExpandTruncF32 : OpRewritePattern<arith::TruncFOp> {
  ExpandTruncF32(MLIRContext *context, bool nativeF16)
      : OpRewritePattern(context), nativeF16(nativeF16) {}
  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &rewriter) const override {
    Type from = getElementTypeOrSelf(op.getIn().getType());
    Type to = getElementTypeOrSelf(op.getType());
    if (!from.isF32() || !(to.isBF16() || (to.isF16() && !nativeF16)))
      return rewriter.notifyMatchFailure(op, "the target converts it");
    if (op.getRoundingmodeAttr())
      return rewriter.notifyMatchFailure(op, "not rounding to nearest even");
    BitBuilder bb{rewriter, op.getLoc(), op.getType()};
    Value bits = to.isBF16() ? roundToBF16Bits(bb, op.getIn())
                             : roundToF16Bits(bb, op.getIn());
    rewriter.replaceOp(op, bb.toFloat16(to, bits));
    return success();
  }
  bool nativeF16;
};

/// arith.truncf f64 -> f16 / bf16: round to odd in f32, then truncf f32 ->
/// f16 / bf16 (native, or expanded by ExpandTruncF32).
struct ExpandTruncF64 : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &rewriter) const override {
    Type from = getElementTypeOrSelf(op.getIn().getType());
    Type to = getElementTypeOrSelf(op.getType());
    if (!from.isF64() || !(to.isF16() || to.isBF16()))
      return rewriter.notifyMatchFailure(op, "not f64 to a 16-bit float");
    if (op.getRoundingmodeAttr())
      return rewriter.notifyMatchFailure(op, "not rounding to nearest even");
    BitBuilder bb{rewriter, op.getLoc(), op.getType()};
    rewriter.replaceOpWithNewOp<arith::TruncFOp>(op, op.getType(),
                                                 roundToOddF32(bb, op.getIn()));
    return success();
  }
};

/// arith.extf from f16 without native conversion (to f64 through f32).
struct ExpandExtF16 : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::ExtFOp op,
                                PatternRewriter &rewriter) const override {
    if (!getElementTypeOrSelf(op.getIn().getType()).isF16())
      return rewriter.notifyMatchFailure(op, "not from f16");
    BitBuilder bb{rewriter, op.getLoc(), op.getType()};
    Value wide = extendF16(bb, op.getIn());
    if (wide.getType() != op.getType())
      wide = arith::ExtFOp::create(rewriter, op.getLoc(), op.getType(), wide);
    rewriter.replaceOp(op, wide);
    return success();
  }
};

struct ExpandFloatConversionsPass
    : muon::impl::MuonExpandFloatConversionsBase<ExpandFloatConversionsPass> {
  using MuonExpandFloatConversionsBase::MuonExpandFloatConversionsBase;

  /// Whether `op` computes on bf16 or f16 values and must do so in f32:
  /// arithmetic (arith, math and the vector ops that compute) on bf16
  /// always; on f16 when the target has no f16 conversions, and f16
  /// fused multiply-adds everywhere (LLVM computes those in f64 and
  /// rounds with __truncdfhf2).
  bool computesInF32(Operation *op, Type bf16, Type f16) const {
    if (isa<arith::ExtFOp, arith::TruncFOp, arith::ConstantOp,
            arith::BitcastOp>(op))
      return false;
    if (!isa<arith::ArithDialect, math::MathDialect>(op->getDialect()) &&
        !isa<vector::ContractionOp, vector::ReductionOp,
             vector::MultiDimReductionOp, vector::FMAOp, vector::OuterProductOp,
             vector::ScanOp>(op))
      return false;
    auto uses = [&](Type type) {
      auto hasType = [&](Type t) { return getElementTypeOrSelf(t) == type; };
      return llvm::any_of(op->getOperandTypes(), hasType) ||
             llvm::any_of(op->getResultTypes(), hasType);
    };
    if (uses(bf16))
      return true;
    return uses(f16) && (!nativeF16 || isa<math::FmaOp, vector::FMAOp>(op));
  }

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    Type bf16 = BFloat16Type::get(context), f16 = Float16Type::get(context);
    TypeConverter converter;
    arith::populateEmulateUnsupportedFloatsConversions(
        converter, {bf16, f16}, Float32Type::get(context));
    ConversionTarget target(*context);
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return !computesInF32(op, bf16, f16); });
    RewritePatternSet emulation(context);
    arith::populateEmulateUnsupportedFloatsPatterns(emulation, converter);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(emulation))))
      return signalPassFailure();

    RewritePatternSet patterns(context);
    patterns.add<ExpandTruncF32>(context, nativeF16);
    patterns.add<ExpandTruncF64>(context);
    if (!nativeF16)
      patterns.add<ExpandExtF16>(context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
