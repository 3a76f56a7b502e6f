//===- MuonToLinalg.cpp - Lower the muon dialect to linalg on tensors -----===//
//
// Each muon op becomes linalg/tensor/arith/math ops on tensors. Semantics are
// those of the ONNX operators (https://onnx.ai/onnx/operators/); the muon ops
// already carry them in one normalised form (explicit pads, resolved axes).
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "targets/cpu/LinalgBuilders.h"
#include "targets/cpu/Lowerings.h"
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace muon {
#define GEN_PASS_DEF_MUONTOLINALG
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;
using namespace muon;

namespace {


//===----------------------------------------------------------------------===//
// Gemm and MatMul
//===----------------------------------------------------------------------===//

Value transpose2d(OpBuilder &b, Location loc, Value input) {
  auto type = tensorType(input);
  auto resultType = RankedTensorType::get(
      {type.getDimSize(1), type.getDimSize(0)}, type.getElementType());
  return linalg::TransposeOp::create(b, loc, input,
                                     emptyTensor(b, loc, resultType),
                                     ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

struct GemmLowering : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloat(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float element types");
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value a = op.getTransA() ? transpose2d(rewriter, loc, op.getA()) : op.getA();
    Value b = op.getTransB() ? transpose2d(rewriter, loc, op.getB()) : op.getB();
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = beta != 0.0 ? op.getC() : Value();

    // With alpha == 1 the product accumulates straight onto beta * C.
    Value init;
    if (c && alpha == 1.0)
      init = beta == 1.0
                 ? broadcastTo(rewriter, loc, c, type)
                 : buildElementwise(
                       rewriter, loc, type, c,
                       [&](OpBuilder &nb, Location nl, ValueRange args) {
                         Value s = scalarConstant(nb, nl, args[0].getType(),
                                                  beta);
                         return arith::MulFOp::create(nb, nl, args[0], s)
                             .getResult();
                       });
    else
      init = filledTensor(rewriter, loc, type, 0.0);
    Value product =
        linalg::MatmulOp::create(rewriter, loc, type, ValueRange{a, b}, init)
            .getResult(0);
    if (alpha != 1.0 || (c && alpha != 1.0)) {
      SmallVector<Value> inputs = {product};
      if (c)
        inputs.push_back(c);
      product = buildElementwise(
          rewriter, loc, type, inputs,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Type t = args[0].getType();
            Value r = arith::MulFOp::create(nb, nl, args[0],
                                            scalarConstant(nb, nl, t, alpha));
            if (args.size() > 1)
              r = arith::AddFOp::create(
                  nb, nl, r,
                  arith::MulFOp::create(nb, nl, args[1],
                                        scalarConstant(nb, nl, t, beta)));
            return r;
          });
    }
    rewriter.replaceOp(op, product);
    return success();
  }
};

struct MatMulLowering : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloat(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float element types");
    Location loc = op.getLoc();
    auto lhsType = tensorType(op.getLhs()), rhsType = tensorType(op.getRhs());
    Type elementType = lhsType.getElementType();
    // Promote 1-D operands to matrices (numpy.matmul).
    SmallVector<int64_t> l(lhsType.getShape()), r(rhsType.getShape());
    if (l.size() == 1)
      l.insert(l.begin(), 1);
    if (r.size() == 1)
      r.push_back(1);
    int64_t m = l[l.size() - 2], k = l.back(), n = r.back();

    Value result;
    if (r.size() == 2) {
      // [..., M, K] x [K, N]: fold the batch into M and use one matmul.
      int64_t rows = 1;
      for (int64_t d : ArrayRef(l).drop_back())
        rows *= d;
      auto lhs2 = RankedTensorType::get({rows, k}, elementType);
      auto rhs2 = RankedTensorType::get({k, n}, elementType);
      auto out2 = RankedTensorType::get({rows, n}, elementType);
      Value a = reshapeTensor(rewriter, loc, op.getLhs(), lhs2);
      Value b = reshapeTensor(rewriter, loc, op.getRhs(), rhs2);
      result = linalg::MatmulOp::create(rewriter, loc, out2, ValueRange{a, b},
                                        filledTensor(rewriter, loc, out2, 0.0))
                   .getResult(0);
    } else {
      // Broadcast both operands to the common batch shape, then one
      // batch_matmul over the flattened batch.
      SmallVector<int64_t> batchShape(op.getType().getShape());
      batchShape.resize(batchShape.size() - (lhsType.getRank() > 1) -
                        (rhsType.getRank() > 1));
      int64_t batch = 1;
      for (int64_t d : batchShape)
        batch *= d;
      auto broadcastOperand = [&](Value operand, ArrayRef<int64_t> promoted,
                                  int64_t rows, int64_t cols) {
        auto promotedType = RankedTensorType::get(promoted, elementType);
        Value v = reshapeTensor(rewriter, loc, operand, promotedType);
        SmallVector<int64_t> full(batchShape);
        full.append({rows, cols});
        auto fullType = RankedTensorType::get(full, elementType);
        if (promotedType != fullType)
          v = broadcastTo(rewriter, loc, v, fullType);
        return reshapeTensor(
            rewriter, loc, v,
            RankedTensorType::get({batch, rows, cols}, elementType));
      };
      Value a = broadcastOperand(op.getLhs(), l, m, k);
      Value b = broadcastOperand(op.getRhs(), r, k, n);
      auto out3 = RankedTensorType::get({batch, m, n}, elementType);
      result = linalg::BatchMatmulOp::create(
                   rewriter, loc, out3, ValueRange{a, b},
                   filledTensor(rewriter, loc, out3, 0.0))
                   .getResult(0);
    }
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, result, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

/// [N, C, W] -> [N, C, 1, W]: 1-D windows run as 2-D ones over a height of 1.
RankedTensorType withUnitHeight(RankedTensorType type) {
  return RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), 1, type.getDimSize(2)},
      type.getElementType());
}

/// Windows with at most this many taps are computed tap by tap (below);
/// larger ones use linalg's pooling and depthwise ops.
constexpr int64_t kMaxWindowTaps = 49;

/// The taps of a 2-D window over `padded` ([N, C, H, W]): tap (i, j) is the
/// strided slice whose element (n, c, y, x) is
/// padded[n, c, y * sh + i * dh, x * sw + j * dw], the (i, j) element of the
/// window of output (y, x). Pooling and depthwise convolution are then
/// element-wise combinations of their taps, which vectorize along the output
/// width instead of reducing over a tiny window at each output element.
SmallVector<Value> windowTaps(OpBuilder &b, Location loc, Value padded,
                              RankedTensorType resultType,
                              ArrayRef<int64_t> kernel,
                              ArrayRef<int64_t> strides,
                              ArrayRef<int64_t> dilations) {
  MLIRContext *context = b.getContext();
  auto tapType = RankedTensorType::get(resultType.getShape(),
                                       tensorType(padded).getElementType());
  SmallVector<int64_t> sliceStrides = {1, 1, strides[0], strides[1]};
  SmallVector<Value> taps;
  for (int64_t i = 0; i < kernel[0]; ++i)
    for (int64_t j = 0; j < kernel[1]; ++j) {
      SmallVector<int64_t> offsets = {0, 0, i * dilations[0], j * dilations[1]};
      taps.push_back(tensor::ExtractSliceOp::create(
          b, loc, tapType, padded, getAsIndexOpFoldResult(context, offsets),
          getAsIndexOpFoldResult(context, tapType.getShape()),
          getAsIndexOpFoldResult(context, sliceStrides)));
    }
  return taps;
}

struct ConvLowering : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloat(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float element types");
    int64_t rank = op.getType().getRank();
    if (rank != 3 && rank != 4)
      return rewriter.notifyMatchFailure(op, "only 1-D and 2-D convolutions");
    Location loc = op.getLoc();
    Value input = op.getInput(), weight = op.getWeight();
    SmallVector<int64_t> strides(op.getStrides()), dilations(op.getDilations());
    ArrayRef<int64_t> pads = op.getPads();
    SmallVector<int64_t> low(pads.take_front(rank - 2)),
        high(pads.drop_front(rank - 2));
    RankedTensorType resultType = op.getType();

    // A 1-D convolution is a 2-D one over a height of 1.
    if (rank == 3) {
      input = reshapeTensor(rewriter, loc, input,
                            withUnitHeight(tensorType(input)));
      weight = reshapeTensor(rewriter, loc, weight,
                             withUnitHeight(tensorType(weight)));
      resultType = withUnitHeight(resultType);
      strides.insert(strides.begin(), 1);
      dilations.insert(dilations.begin(), 1);
      low.insert(low.begin(), 0);
      high.insert(high.begin(), 0);
    }
    auto weightType = tensorType(weight);
    SmallVector<int64_t> kernel(weightType.getShape().drop_front(2));
    SmallVector<int64_t> allPads(low);
    allPads.append(high);
    auto inputType = tensorType(input);
    SmallVector<int64_t> endPads = windowEndPads(
        inputType, resultType, kernel, strides, allPads, dilations);
    Value padded = padSpatial(rewriter, loc, input, low, endPads, 0.0);

    Value init = op.getBias()
                     ? broadcastTo(rewriter, loc,
                                   reshapeTensor(
                                       rewriter, loc, op.getBias(),
                                       RankedTensorType::get(
                                           {resultType.getDimSize(1), 1, 1},
                                           resultType.getElementType())),
                                   resultType)
                     : filledTensor(rewriter, loc, resultType, 0.0);
    auto stridesAttr = rewriter.getI64TensorAttr(strides);
    auto dilationsAttr = rewriter.getI64TensorAttr(dilations);
    int64_t group = op.getGroup();
    int64_t channels = inputType.getDimSize(1);
    int64_t filters = weightType.getDimSize(0);
    Value result;
    if (group == 1) {
      result = linalg::Conv2DNchwFchwOp::create(
                   rewriter, loc, resultType, ValueRange{padded, weight}, init,
                   stridesAttr, dilationsAttr)
                   .getResult(0);
    } else if (group == channels && filters == channels &&
               kernel[0] * kernel[1] <= kMaxWindowTaps) {
      // Depthwise: out = bias + sum over taps of tap * weight[c, tap], the
      // weight of each tap broadcast from [1, C, 1, 1].
      SmallVector<Value> inputs =
          windowTaps(rewriter, loc, padded, resultType, kernel, strides,
                     dilations);
      int64_t numTaps = inputs.size();
      auto tapWeightType = RankedTensorType::get(
          {1, channels, 1, 1}, weightType.getElementType());
      auto weightColumns = RankedTensorType::get(
          {channels, numTaps}, weightType.getElementType());
      Value columns = reshapeTensor(rewriter, loc, weight, weightColumns);
      MLIRContext *context = rewriter.getContext();
      for (int64_t t = 0; t < numTaps; ++t) {
        SmallVector<int64_t> offsets = {0, t}, sizes = {channels, 1},
                             unit = {1, 1};
        Value column = tensor::ExtractSliceOp::create(
            rewriter, loc,
            RankedTensorType::get({channels, 1}, weightType.getElementType()),
            columns, getAsIndexOpFoldResult(context, offsets),
            getAsIndexOpFoldResult(context, sizes),
            getAsIndexOpFoldResult(context, unit));
        inputs.push_back(reshapeTensor(rewriter, loc, column, tapWeightType));
      }
      if (op.getBias())
        inputs.push_back(
            reshapeTensor(rewriter, loc, op.getBias(), tapWeightType));
      result = buildElementwise(
          rewriter, loc, resultType, inputs,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value sum = op.getBias() ? args.back()
                                     : scalarConstant(b, l,
                                                      args[0].getType(), 0.0);
            for (int64_t t = 0; t < numTaps; ++t)
              sum = math::FmaOp::create(b, l, args[t], args[numTaps + t], sum);
            return sum;
          });
    } else if (group == channels && filters == channels) {
      // Depthwise with a large window: weight [C, 1, kh, kw] -> [C, kh, kw].
      auto w3 = RankedTensorType::get({channels, kernel[0], kernel[1]},
                                      weightType.getElementType());
      Value w = reshapeTensor(rewriter, loc, weight, w3);
      result = linalg::DepthwiseConv2DNchwChwOp::create(
                   rewriter, loc, resultType, ValueRange{padded, w}, init,
                   stridesAttr, dilationsAttr)
                   .getResult(0);
    } else {
      // Grouped: split channels and filters into [G, C/G] and [G, F/G].
      auto paddedType = tensorType(padded);
      Type et = paddedType.getElementType();
      auto in5 = RankedTensorType::get(
          {paddedType.getDimSize(0), group, channels / group,
           paddedType.getDimSize(2), paddedType.getDimSize(3)},
          et);
      auto w5 = RankedTensorType::get({group, filters / group, channels / group,
                                       kernel[0], kernel[1]},
                                      et);
      auto out5 = RankedTensorType::get(
          {resultType.getDimSize(0), group, filters / group,
           resultType.getDimSize(2), resultType.getDimSize(3)},
          et);
      Value conv = linalg::Conv2DNgchwGfchwOp::create(
                       rewriter, loc, out5,
                       ValueRange{reshapeTensor(rewriter, loc, padded, in5),
                                  reshapeTensor(rewriter, loc, weight, w5)},
                       reshapeTensor(rewriter, loc, init, out5), stridesAttr,
                       dilationsAttr)
                       .getResult(0);
      result = reshapeTensor(rewriter, loc, conv, resultType);
    }
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, result, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// A pooling window in 2-D form: a 1-D pool is a 2-D one over a height of 1.
struct Pool2d {
  Value input;
  RankedTensorType inputType, resultType;
  SmallVector<int64_t> kernel, strides, dilations;
  SmallVector<int64_t> pads; // [top, left, bottom, right]
};

template <typename OpTy>
std::optional<Pool2d> getPool2d(OpBuilder &b, OpTy op) {
  int64_t rank = op.getType().getRank();
  if (rank != 3 && rank != 4)
    return std::nullopt;
  Pool2d pool{op.getInput(),
              tensorType(op.getInput()),
              op.getType(),
              SmallVector<int64_t>(op.getKernelShape()),
              SmallVector<int64_t>(op.getStrides()),
              SmallVector<int64_t>(op.getDilations()),
              SmallVector<int64_t>(op.getPads())};
  if (rank == 4)
    return pool;
  pool.inputType = withUnitHeight(pool.inputType);
  pool.resultType = withUnitHeight(pool.resultType);
  pool.input = reshapeTensor(b, op.getLoc(), pool.input, pool.inputType);
  pool.kernel.insert(pool.kernel.begin(), 1);
  pool.strides.insert(pool.strides.begin(), 1);
  pool.dilations.insert(pool.dilations.begin(), 1);
  pool.pads = {0, pool.pads[0], 0, pool.pads[1]};
  return pool;
}

/// Pads with `padValue` and combines the window's elements with `combine`
/// (tap by tap for small windows, otherwise with the linalg pooling op
/// `PoolOp` from an accumulator filled with `initValue`).
template <typename PoolOp>
Value lowerPool2d(OpBuilder &b, Location loc, const Pool2d &pool,
                  double padValue, double initValue,
                  function_ref<Value(OpBuilder &, Location, Value, Value)>
                      combine) {
  SmallVector<int64_t> endPads =
      windowEndPads(pool.inputType, pool.resultType, pool.kernel, pool.strides,
                    pool.pads, pool.dilations);
  Value padded = padSpatial(b, loc, pool.input, ArrayRef(pool.pads).take_front(2),
                            endPads, padValue);
  if (pool.kernel[0] * pool.kernel[1] <= kMaxWindowTaps) {
    SmallVector<Value> taps =
        windowTaps(b, loc, padded, pool.resultType, pool.kernel, pool.strides,
                   pool.dilations);
    return buildElementwise(b, loc, pool.resultType, taps,
                            [&](OpBuilder &nb, Location l, ValueRange args) {
                              Value acc = args[0];
                              for (Value tap : args.drop_front())
                                acc = combine(nb, l, acc, tap);
                              return acc;
                            });
  }
  Value window = tensor::EmptyOp::create(b, loc, pool.kernel,
                                         pool.inputType.getElementType());
  return PoolOp::create(b, loc, pool.resultType, ValueRange{padded, window},
                        filledTensor(b, loc, pool.resultType, initValue),
                        b.getI64TensorAttr(pool.strides),
                        b.getI64TensorAttr(pool.dilations))
      .getResult(0);
}

struct MaxPoolLowering : OpRewritePattern<MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPoolOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloat(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float element types");
    std::optional<Pool2d> pool = getPool2d(rewriter, op);
    if (!pool)
      return rewriter.notifyMatchFailure(op, "only 1-D and 2-D pooling");
    double lowest = -std::numeric_limits<double>::infinity();
    Value result = lowerPool2d<linalg::PoolingNchwMaxOp>(
        rewriter, op.getLoc(), *pool, lowest, lowest,
        [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
          return arith::MaximumFOp::create(b, l, acc, x);
        });
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, op.getLoc(), result, op.getType()));
    return success();
  }
};

struct AveragePoolLowering : OpRewritePattern<AveragePoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AveragePoolOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloat(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float element types");
    std::optional<Pool2d> pool = getPool2d(rewriter, op);
    if (!pool)
      return rewriter.notifyMatchFailure(op, "only 1-D and 2-D pooling");
    Location loc = op.getLoc();
    Value sum =
        lowerPool2d<linalg::PoolingNchwSumOp>(
            rewriter, loc, *pool, 0.0, 0.0,
            [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
              return arith::AddFOp::create(b, l, acc, x);
            });

    // The divisor of each output position, known at compile time: the
    // window positions inside the input, plus those inside the declared pads
    // when count_include_pad (padding added only for ceil_mode never counts).
    ArrayRef<int64_t> k = pool->kernel, s = pool->strides, d = pool->dilations,
                      p = pool->pads;
    int64_t oh = pool->resultType.getDimSize(2);
    int64_t ow = pool->resultType.getDimSize(3);
    int64_t ih = pool->inputType.getDimSize(2);
    int64_t iw = pool->inputType.getDimSize(3);
    bool includePad = op.getCountIncludePad();
    auto inside = [&](int64_t i, int64_t size, int64_t padBegin,
                      int64_t padEnd) {
      return includePad ? i >= -padBegin && i < size + padEnd
                        : i >= 0 && i < size;
    };
    // The table has the op's element type (f16 pools multiply in f16).
    auto elementType = cast<FloatType>(pool->resultType.getElementType());
    SmallVector<APFloat> divisor;
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t count = 0;
        for (int64_t ky = 0; ky < k[0]; ++ky)
          for (int64_t kx = 0; kx < k[1]; ++kx)
            count += inside(y * s[0] + ky * d[0] - p[0], ih, p[0], p[2]) &&
                     inside(x * s[1] + kx * d[1] - p[1], iw, p[1], p[3]);
        APFloat reciprocal(1.0 / std::max<int64_t>(count, 1));
        bool losesInfo;
        reciprocal.convert(elementType.getFloatSemantics(),
                           APFloat::rmNearestTiesToEven, &losesInfo);
        divisor.push_back(reciprocal);
      }
    auto divisorType = RankedTensorType::get({oh, ow}, elementType);
    Value reciprocal = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(divisorType, divisor));
    Value result = buildElementwise(
        rewriter, loc, pool->resultType, {sum, reciprocal},
        [](OpBuilder &b, Location l, ValueRange args) {
          return arith::MulFOp::create(b, l, args[0], args[1]).getResult();
        });
    rewriter.replaceOp(op,
                       reshapeTensor(rewriter, loc, result, op.getType()));
    return success();
  }
};

/// Reduces every spatial dimension with `combine`, starting from `initValue`,
/// and applies `finish` to the reduced value; result keeps size-1 dims.
template <typename OpTy>
LogicalResult lowerGlobalPool(
    OpTy op, PatternRewriter &rewriter, double initValue,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine,
    function_ref<Value(OpBuilder &, Location, Value)> finish) {
  if (!isFloat(op.getType()))
    return rewriter.notifyMatchFailure(op, "only float element types");
  Location loc = op.getLoc();
  auto inputType = tensorType(op.getInput());
  int64_t rank = inputType.getRank();
  auto reducedType = RankedTensorType::get(
      {inputType.getDimSize(0), inputType.getDimSize(1)},
      inputType.getElementType());
  MLIRContext *context = rewriter.getContext();
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::reduction);
  iterators[0] = iterators[1] = utils::IteratorType::parallel;
  AffineMap outMap = AffineMap::get(
      rank, 0, {getAffineDimExpr(0, context), getAffineDimExpr(1, context)},
      context);
  Value reduced =
      linalg::GenericOp::create(
          rewriter, loc, reducedType, op.getInput(),
          filledTensor(rewriter, loc, reducedType, initValue),
          {AffineMap::getMultiDimIdentityMap(rank, context), outMap},
          iterators,
          [&](OpBuilder &b, Location l, ValueRange args) {
            linalg::YieldOp::create(b, l, combine(b, l, args[0], args[1]));
          })
          .getResult(0);
  if (finish)
    reduced = buildElementwise(rewriter, loc, reducedType, reduced,
                               [&](OpBuilder &b, Location l, ValueRange args) {
                                 return finish(b, l, args[0]);
                               });
  rewriter.replaceOp(op, reshapeTensor(rewriter, loc, reduced, op.getType()));
  return success();
}

struct GlobalAveragePoolLowering : OpRewritePattern<GlobalAveragePoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GlobalAveragePoolOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = tensorType(op.getInput());
    int64_t count = inputType.getNumElements() /
                    (inputType.getDimSize(0) * inputType.getDimSize(1));
    return lowerGlobalPool(
        op, rewriter, 0.0,
        [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          return arith::AddFOp::create(b, l, x, acc);
        },
        [&](OpBuilder &b, Location l, Value sum) -> Value {
          return arith::DivFOp::create(
              b, l, sum, scalarConstant(b, l, sum.getType(), count));
        });
  }
};

struct GlobalMaxPoolLowering : OpRewritePattern<GlobalMaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GlobalMaxPoolOp op,
                                PatternRewriter &rewriter) const override {
    return lowerGlobalPool(
        op, rewriter, -std::numeric_limits<double>::infinity(),
        [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          return arith::MaximumFOp::create(b, l, x, acc);
        },
        nullptr);
  }
};

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

struct BatchNormLowering : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloat(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float element types");
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    // Parameters of shape [C] broadcast along axis 1: view them as
    // [C, 1, ..., 1] so ONNX broadcasting applies.
    SmallVector<int64_t> paramShape(type.getRank() - 1, 1);
    paramShape[0] = type.getDimSize(1);
    auto paramType = RankedTensorType::get(paramShape, type.getElementType());
    SmallVector<Value> inputs = {op.getInput()};
    for (Value p : {op.getScale(), op.getBias(), op.getMean(),
                    op.getVariance()})
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
struct SoftmaxLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isFloat(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float element types");
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis();
    SmallVector<int64_t> reducedShape(type.getShape());
    reducedShape.erase(reducedShape.begin() + axis);
    auto reducedType =
        RankedTensorType::get(reducedShape, type.getElementType());
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
    AffineMap reducedMap = identity.dropResult(axis);
    SmallVector<utils::IteratorType> reduceIterators(
        rank, utils::IteratorType::parallel);
    reduceIterators[axis] = utils::IteratorType::reduction;
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);

    auto reduce = [&](ValueRange inputs, double init,
                      function_ref<Value(OpBuilder &, Location, ValueRange)>
                          combine) {
      SmallVector<AffineMap> maps;
      maps.push_back(identity);
      if (inputs.size() > 1)
        maps.push_back(reducedMap);
      maps.push_back(reducedMap);
      return linalg::GenericOp::create(
                 rewriter, loc, reducedType, inputs,
                 filledTensor(rewriter, loc, reducedType, init), maps,
                 reduceIterators,
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   linalg::YieldOp::create(b, l, combine(b, l, args));
                 })
          .getResult(0);
    };
    Value max = reduce(op.getInput(), -std::numeric_limits<double>::infinity(),
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return arith::MaximumFOp::create(b, l, a[0], a[1]);
                       });
    Value sum = reduce({op.getInput(), max}, 0.0,
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         Value e = math::ExpOp::create(
                             b, l, arith::SubFOp::create(b, l, a[0], a[1]));
                         return arith::AddFOp::create(b, l, e, a[2]);
                       });
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, type, ValueRange{op.getInput(), max, sum},
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

//===----------------------------------------------------------------------===//
// Data movement and constants
//===----------------------------------------------------------------------===//

struct ConstantLowering : OpRewritePattern<ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConstantOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getValue());
    return success();
  }
};

struct ReshapeLowering : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(), op.getInput(),
                                         op.getType()));
    return success();
  }
};

struct TransposeLowering : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    Value init = emptyTensor(rewriter, op.getLoc(), op.getType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       op.getInput(), init,
                                                       op.getPerm())
                               .getResult());
    return success();
  }
};

struct ConcatLowering : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    RankedTensorType type = op.getType();
    int64_t axis = op.getAxis();
    Value result = emptyTensor(rewriter, loc, type);
    SmallVector<int64_t> offsets(type.getRank(), 0),
        strides(type.getRank(), 1);
    for (Value input : op.getInputs()) {
      auto inputType = tensorType(input);
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result,
          getAsIndexOpFoldResult(context, offsets),
          getAsIndexOpFoldResult(context, inputType.getShape()),
          getAsIndexOpFoldResult(context, strides));
      offsets[axis] += inputType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct MuonToLinalgPass
    : muon::impl::MuonToLinalgBase<MuonToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    populateElementwiseLowerings(patterns);
    populateReductionLowerings(patterns);
    populateDataMovementLowerings(patterns);
    populateLinearAlgebraLowerings(patterns);
    patterns.add<GemmLowering, MatMulLowering, ConvLowering, MaxPoolLowering,
                 AveragePoolLowering, GlobalAveragePoolLowering,
                 GlobalMaxPoolLowering, BatchNormLowering,
                 SoftmaxLowering<SoftmaxOp, false>,
                 SoftmaxLowering<LogSoftmaxOp, true>, ConstantLowering,
                 ReshapeLowering, TransposeLowering, ConcatLowering>(context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Every muon op has a lowering; one left over has a form the CPU target
    // cannot handle yet (e.g. a 3-D convolution), which the user should hear.
    WalkResult leftover = getOperation().walk([](Operation *op) {
      if (!isa<MuonDialect>(op->getDialect()))
        return WalkResult::advance();
      op->emitError() << "the CPU target cannot lower this form of '"
                      << op->getName() << "' yet";
      return WalkResult::interrupt();
    });
    if (leftover.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
