//===- NormalizationToLinalg.cpp - Lowering the normalisations ------------===//
//
// Patterns of the muon-to-linalg pass (MuonToLinalg.cpp) for the ops of
// dialects/muon/NormalizationOps.td: BatchNorm (inference form) is one
// element-wise map; Softmax, LogSoftmax and LayerNorm reduce their
// statistics first (linalg.generic reductions) and then map every element.
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

struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isFloat(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float element types");
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    // Parameters of shape [C] broadcast along axis 1: view them as
    // [C, 1, ..., 1] so ONNX broadcasting applies.
    SmallVector<int64_t> paramShape(type.getRank() - 1, 1);
    paramShape[0] = type.getDimSize(1);
    auto paramType = RankedTensorType::get(paramShape, type.getElementType());
    SmallVector<Value> inputs = {adaptor.getInput()};
    for (Value p : {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                    adaptor.getVariance()})
      inputs.push_back(reshapeTensor(rewriter, loc, p, paramType));
    double epsilon = op.getEpsilon().convertToDouble();
    Value result = buildElementwise(
        rewriter, loc, type, inputs,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value eps = scalarConstant(b, l, a[0].getType(), epsilon);
          Value stddev = math::SqrtOp::create(
              b, l, arith::AddFOp::create(b, l, a[4], eps));
          Value centered = arith::SubFOp::create(b, l, a[0], a[3]);
          Value normalized = arith::DivFOp::create(b, l, centered, stddev);
          return arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, normalized, a[1]), a[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// softmax(x) = exp(x - max) / sum(exp(x - max)) along `axis`;
/// log_softmax(x) = (x - max) - log(sum(exp(x - max))).
template <typename OpTy, bool isLog>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isFloat(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float element types");
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
    AffineMap reducedMap = identity.dropResult(axis);
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    Type elementType = type.getElementType();
    Value max =
        buildReduction(rewriter, loc, adaptor.getInput(), axis,
                       scalarConstant(rewriter, loc, elementType,
                                      -std::numeric_limits<double>::infinity()),
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return arith::MaximumFOp::create(b, l, a[0], a[1]);
                       });
    Value sum =
        buildReduction(rewriter, loc, {adaptor.getInput(), max}, axis,
                       scalarConstant(rewriter, loc, elementType, 0.0),
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         Value e = math::ExpOp::create(
                             b, l, arith::SubFOp::create(b, l, a[0], a[1]));
                         return arith::AddFOp::create(b, l, e, a[2]);
                       });
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, type, ValueRange{adaptor.getInput(), max, sum},
            emptyTensor(rewriter, loc, type),
            {identity, reducedMap, reducedMap, identity}, parallel,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value shifted = arith::SubFOp::create(b, l, a[0], a[1]);
              Value r;
              if (isLog)
                r = arith::SubFOp::create(b, l, shifted,
                                          math::LogOp::create(b, l, a[2]));
              else
                r = arith::DivFOp::create(
                    b, l, math::ExpOp::create(b, l, shifted), a[2]);
              linalg::YieldOp::create(b, l, r);
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// LayerNorm in three passes: the mean, the variance of the centred values
/// (more accurate than E[x^2] - E[x]^2), and the normalised, scaled output.
struct LayerNormLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    if (!isFloat(type))
      return rewriter.notifyMatchFailure(op, "only float element types");
    Location loc = op.getLoc();
    int64_t rank = type.getRank();
    SmallVector<int64_t> axes =
        llvm::to_vector(llvm::seq<int64_t>(op.getAxis(), rank));
    RankedTensorType reducedType = droppedType(type, axes);
    Type elementType = type.getElementType();
    double count = type.getNumElements() / reducedType.getNumElements();
    double epsilon = op.getEpsilon().convertToDouble();
    Value zero = scalarConstant(rewriter, loc, elementType, 0.0);
    Value x = adaptor.getInput();

    Value sum =
        buildReduction(rewriter, loc, x, axes, zero,
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return arith::AddFOp::create(b, l, a[0], a[1]);
                       });
    Value mean = buildElementwise(
        rewriter, loc, reducedType, sum,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::DivFOp::create(
              b, l, a[0], scalarConstant(b, l, a[0].getType(), count));
        });
    Value squares = buildReduction(
        rewriter, loc, {x, mean}, axes, zero,
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value centred = arith::SubFOp::create(b, l, a[0], a[1]);
          return arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, centred, centred), a[2]);
        });
    Value invStdDev = buildElementwise(
        rewriter, loc, reducedType, squares,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Type t = a[0].getType();
          Value variance =
              arith::DivFOp::create(b, l, a[0], scalarConstant(b, l, t, count));
          Value stdDev = math::SqrtOp::create(
              b, l,
              arith::AddFOp::create(b, l, variance,
                                    scalarConstant(b, l, t, epsilon)));
          return arith::DivFOp::create(b, l, scalarConstant(b, l, t, 1.0),
                                       stdDev);
        });

    // Both statistics broadcast (ONNX rules) from x's shape with the
    // normalised dimensions set to 1.
    RankedTensorType statisticsType = keptType(type, axes);
    SmallVector<Value> inputs = {
        x, reshapeTensor(rewriter, loc, mean, statisticsType),
        reshapeTensor(rewriter, loc, invStdDev, statisticsType)};
    Value scale = adaptor.getScale(), bias = adaptor.getBias();
    if (scale)
      inputs.push_back(scale);
    if (bias)
      inputs.push_back(bias);
    Value result = buildElementwise(
        rewriter, loc, type, inputs,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value y = arith::MulFOp::create(
              b, l, arith::SubFOp::create(b, l, a[0], a[1]), a[2]);
          if (scale)
            y = arith::MulFOp::create(b, l, y, a[3]);
          if (bias)
            y = arith::AddFOp::create(b, l, y, a.back());
          return y;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void muon::populateNormalizationLowerings(const TypeConverter &converter,
                                          RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>, LayerNormLowering>(
      converter, patterns.getContext());
}
