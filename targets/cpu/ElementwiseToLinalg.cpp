//===- ElementwiseToLinalg.cpp - Lowering element-wise math, comparison and logic ops ---===//
//
// Patterns of the muon-to-linalg pass (MuonToLinalg.cpp) for this family.
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "targets/cpu/LinalgBuilders.h"
#include "targets/cpu/Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace muon;

namespace {


template <typename OpTy, typename FloatOp, typename IntOp>
struct BinaryLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    bool floating = isFloat(op.getType());
    if (!floating && !op.getType().getElementType().isSignlessInteger())
      return rewriter.notifyMatchFailure(op, "only float and signless integer "
                                             "element types");
    Value result = buildElementwise(
        rewriter, op.getLoc(), op.getType(), {op.getLhs(), op.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          if (floating)
            return FloatOp::create(b, loc, args[0], args[1]);
          return IntOp::create(b, loc, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Element-wise ops of one input whose scalar computation `compute` defines.
template <typename OpTy>
struct UnaryLowering : OpRewritePattern<OpTy> {
  using ScalarFn = std::function<Value(OpBuilder &, Location, OpTy, Value)>;
  UnaryLowering(MLIRContext *context, ScalarFn compute)
      : OpRewritePattern<OpTy>(context), compute(std::move(compute)) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isFloat(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float element types");
    Value result = buildElementwise(
        rewriter, op.getLoc(), op.getType(), op.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return compute(b, loc, op, args[0]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  ScalarFn compute;
};

template <typename OpTy, typename Fn>
void addUnary(RewritePatternSet &patterns, Fn compute) {
  patterns.add<UnaryLowering<OpTy>>(patterns.getContext(), compute);
}

template <typename OpTy, typename MathOp>
void addUnaryMath(RewritePatternSet &patterns) {
  addUnary<OpTy>(patterns, [](OpBuilder &b, Location loc, OpTy, Value x) {
    return MathOp::create(b, loc, x).getResult();
  });
}

} // namespace

void muon::populateElementwiseLowerings(RewritePatternSet &patterns) {
  patterns.add<BinaryLowering<AddOp, arith::AddFOp, arith::AddIOp>,
               BinaryLowering<SubOp, arith::SubFOp, arith::SubIOp>,
               BinaryLowering<MulOp, arith::MulFOp, arith::MulIOp>,
               BinaryLowering<DivOp, arith::DivFOp, arith::DivSIOp>>(
      patterns.getContext());
  addUnaryMath<TanhOp, math::TanhOp>(patterns);
  addUnaryMath<ExpOp, math::ExpOp>(patterns);
  addUnaryMath<LogOp, math::LogOp>(patterns);
  addUnaryMath<SqrtOp, math::SqrtOp>(patterns);
  addUnaryMath<AbsOp, math::AbsFOp>(patterns);
  addUnaryMath<NegOp, arith::NegFOp>(patterns);
  addUnary<ReluOp>(patterns, [](OpBuilder &b, Location loc, ReluOp, Value x) {
    Value zero = scalarConstant(b, loc, x.getType(), 0.0);
    return arith::MaximumFOp::create(b, loc, x, zero).getResult();
  });
  addUnary<SigmoidOp>(patterns, [](OpBuilder &b, Location loc, SigmoidOp,
                                   Value x) {
    // 1 / (1 + exp(-x)): exp(-x) overflows to inf for very negative x, which
    // correctly gives 0.
    Value one = scalarConstant(b, loc, x.getType(), 1.0);
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, one,
                                 arith::AddFOp::create(b, loc, one, e))
        .getResult();
  });
  addUnary<LeakyReluOp>(patterns, [](OpBuilder &b, Location loc,
                                     LeakyReluOp op, Value x) {
    Value zero = scalarConstant(b, loc, x.getType(), 0.0);
    Value alpha =
        scalarConstant(b, loc, x.getType(), op.getAlpha().convertToDouble());
    Value negative =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
    Value scaled = arith::MulFOp::create(b, loc, x, alpha);
    return arith::SelectOp::create(b, loc, negative, scaled, x).getResult();
  });
  addUnary<ClipOp>(patterns, [](OpBuilder &b, Location loc, ClipOp op,
                                Value x) {
    if (auto min = op.getMin())
      x = arith::MaximumFOp::create(
          b, loc, x,
          scalarConstant(b, loc, x.getType(), min->convertToDouble()));
    if (auto max = op.getMax())
      x = arith::MinimumFOp::create(
          b, loc, x,
          scalarConstant(b, loc, x.getType(), max->convertToDouble()));
    return x;
  });
}
