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
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace muon {
#define GEN_PASS_DEF_MUONTOLINALG
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;
using namespace muon;

namespace {

/// Float, or signless integer other than i1: MatMul and Conv on integers
/// are the int32 products of MatMulInteger, ConvInteger and the QLinear ops.
bool isFloatOrInteger(RankedTensorType type) {
  Type element = type.getElementType();
  return isFloat(element) ||
         (element.isSignlessInteger() && !element.isInteger(1));
}

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
    Value a =
        op.getTransA() ? transpose2d(rewriter, loc, op.getA()) : op.getA();
    Value b =
        op.getTransB() ? transpose2d(rewriter, loc, op.getB()) : op.getB();
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
                         Value s =
                             scalarConstant(nb, nl, args[0].getType(), beta);
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

} // namespace

/// numpy.matmul of `lhs` and `rhs` into `resultType`, accumulating onto
/// `addend` (broadcast to the result, ONNX rules) or onto 0. The operands
/// keep their element types: linalg's named contractions extend them to the
/// result's inside their body (i8 x i8 -> i32 for the quantized products).
Value muon::buildMatMul(OpBuilder &rewriter, Location loc, Value lhsValue,
                        Value rhsValue, RankedTensorType resultType,
                        Value addend) {
  auto lhsType = tensorType(lhsValue), rhsType = tensorType(rhsValue);
  Type lhsElement = lhsType.getElementType();
  Type rhsElement = rhsType.getElementType();
  Type resultElement = resultType.getElementType();
  // Promote 1-D operands to matrices (numpy.matmul).
  SmallVector<int64_t> l(lhsType.getShape()), r(rhsType.getShape());
  if (l.size() == 1)
    l.insert(l.begin(), 1);
  if (r.size() == 1)
    r.push_back(1);
  int64_t m = l[l.size() - 2], k = l.back(), n = r.back();
  auto initOf = [&](RankedTensorType type) -> Value {
    if (!addend)
      return filledTensor(rewriter, loc, type, 0.0);
    return reshapeTensor(rewriter, loc,
                         broadcastTo(rewriter, loc, addend, resultType), type);
  };

  Value result;
  if (r.size() == 2) {
    // [..., M, K] x [K, N]: fold the batch into M and use one matmul.
    int64_t rows = 1;
    for (int64_t d : ArrayRef(l).drop_back())
      rows *= d;
    auto lhs2 = RankedTensorType::get({rows, k}, lhsElement);
    auto rhs2 = RankedTensorType::get({k, n}, rhsElement);
    auto out2 = RankedTensorType::get({rows, n}, resultElement);
    Value a = reshapeTensor(rewriter, loc, lhsValue, lhs2);
    Value b = reshapeTensor(rewriter, loc, rhsValue, rhs2);
    result = linalg::MatmulOp::create(rewriter, loc, out2, ValueRange{a, b},
                                      initOf(out2))
                 .getResult(0);
  } else {
    // Broadcast both operands to the common batch shape, then one
    // batch_matmul over the flattened batch.
    SmallVector<int64_t> batchShape(resultType.getShape());
    batchShape.resize(batchShape.size() - (lhsType.getRank() > 1) -
                      (rhsType.getRank() > 1));
    int64_t batch = 1;
    for (int64_t d : batchShape)
      batch *= d;
    auto broadcastOperand = [&](Value operand, ArrayRef<int64_t> promoted,
                                int64_t rows, int64_t cols) {
      Type elementType = tensorType(operand).getElementType();
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
    Value a = broadcastOperand(lhsValue, l, m, k);
    Value b = broadcastOperand(rhsValue, r, k, n);
    auto out3 = RankedTensorType::get({batch, m, n}, resultElement);
    result = linalg::BatchMatmulOp::create(rewriter, loc, out3,
                                           ValueRange{a, b}, initOf(out3))
                 .getResult(0);
  }
  return reshapeTensor(rewriter, loc, result, resultType);
}

namespace {

struct MatMulLowering : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatOrInteger(op.getType()))
      return rewriter.notifyMatchFailure(
          op, "only float and signless integer element types");
    rewriter.replaceOp(op, buildMatMul(rewriter, op.getLoc(), op.getLhs(),
                                       op.getRhs(), op.getType(), Value()));
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

/// A window op over any number D of spatial dimensions as one
/// linalg.generic, for the forms the 2-D lowerings below do not cover (3-D
/// and up, integer or index-producing windows). Loops are (n, c, o_1..o_D,
/// k_1..k_D): the element read is padded[n, c, o_i * s_i + k_i * d_i], the
/// window loops reduce into `inits` (each [N, C, O...]), and `body` combines
/// the element with the accumulators. A `kernel`-shaped empty tensor gives
/// the window loops their bounds, as linalg's pooling ops do.
SmallVector<Value> windowReduce(
    OpBuilder &b, Location loc, Value padded, ValueRange inits,
    ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> dilations,
    function_ref<SmallVector<Value>(OpBuilder &, Location, Value, ValueRange)>
        body) {
  MLIRContext *context = b.getContext();
  int64_t n = kernel.size(), numLoops = 2 + 2 * n;
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, context); };
  SmallVector<AffineExpr> inputExprs = {dim(0), dim(1)}, windowExprs,
                          outputExprs = {dim(0), dim(1)};
  for (int64_t i = 0; i < n; ++i) {
    inputExprs.push_back(dim(2 + i) * strides[i] +
                         dim(2 + n + i) * dilations[i]);
    windowExprs.push_back(dim(2 + n + i));
    outputExprs.push_back(dim(2 + i));
  }
  SmallVector<AffineMap> maps = {
      AffineMap::get(numLoops, 0, inputExprs, context),
      AffineMap::get(numLoops, 0, windowExprs, context)};
  maps.append(inits.size(), AffineMap::get(numLoops, 0, outputExprs, context));
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  std::fill(iterators.begin() + 2 + n, iterators.end(),
            utils::IteratorType::reduction);
  Value window = tensor::EmptyOp::create(b, loc, kernel,
                                         tensorType(padded).getElementType());
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange(inits), ValueRange{padded, window}, inits, maps,
      iterators, [&](OpBuilder &nested, Location l, ValueRange args) {
        linalg::YieldOp::create(nested, l,
                                body(nested, l, args[0], args.drop_front(2)));
      });
  return llvm::to_vector_of<Value>(generic.getResults());
}

/// Pads the spatial dimensions of `input` for a window op: the declared
/// begin pads, and at the end what the last window needs (windowEndPads).
Value padForWindow(OpBuilder &b, Location loc, Value input,
                   RankedTensorType resultType, ArrayRef<int64_t> kernel,
                   ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                   ArrayRef<int64_t> dilations, double padValue) {
  SmallVector<int64_t> endPads = windowEndPads(
      tensorType(input), resultType, kernel, strides, pads, dilations);
  return padSpatial(b, loc, input, pads.take_front(kernel.size()), endPads,
                    padValue);
}

/// An integer sign-extended to `type` when narrower (the 8-bit operands of
/// the quantized products, which accumulate in i32).
Value extendSigned(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return arith::ExtSIOp::create(b, loc, type, value);
}

/// A grouped convolution over any number D of spatial dimensions as one
/// linalg.generic (for 3-D and up): loops (n, g, f, o_1..o_D, c, k_1..k_D)
/// over input [N, G, C/G, S...], weight [G, F/G, C/G, K...] and output
/// [N, G, F/G, O...], accumulating x * w onto `init`.
Value convolveNd(OpBuilder &b, Location loc, Value padded, Value weight,
                 Value init, int64_t group, ArrayRef<int64_t> strides,
                 ArrayRef<int64_t> dilations) {
  MLIRContext *context = b.getContext();
  auto inputType = tensorType(padded), weightType = tensorType(weight),
       resultType = tensorType(init);
  Type et = resultType.getElementType();
  int64_t n = inputType.getRank() - 2, numLoops = 4 + 2 * n;
  // Split the channels of the input, the filters of the weight and output.
  auto grouped = [&](RankedTensorType type, int64_t splitDim) {
    SmallVector<int64_t> shape(type.getShape());
    shape[splitDim] /= group;
    shape.insert(shape.begin() + splitDim, group);
    return RankedTensorType::get(shape, type.getElementType());
  };
  auto inGroups = grouped(inputType, 1), outGroups = grouped(resultType, 1);
  auto weightGroups = grouped(weightType, 0);
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, context); };
  SmallVector<AffineExpr> inExprs = {dim(0), dim(1), dim(3 + n)},
                          weightExprs = {dim(1), dim(2), dim(3 + n)},
                          outExprs = {dim(0), dim(1), dim(2)};
  for (int64_t i = 0; i < n; ++i) {
    inExprs.push_back(dim(3 + i) * strides[i] + dim(4 + n + i) * dilations[i]);
    weightExprs.push_back(dim(4 + n + i));
    outExprs.push_back(dim(3 + i));
  }
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::reduction);
  std::fill(iterators.begin(), iterators.begin() + 3 + n,
            utils::IteratorType::parallel);
  Value result =
      linalg::GenericOp::create(
          b, loc, outGroups,
          ValueRange{reshapeTensor(b, loc, padded, inGroups),
                     reshapeTensor(b, loc, weight, weightGroups)},
          reshapeTensor(b, loc, init, outGroups),
          {AffineMap::get(numLoops, 0, inExprs, context),
           AffineMap::get(numLoops, 0, weightExprs, context),
           AffineMap::get(numLoops, 0, outExprs, context)},
          iterators,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            if (isFloat(et)) {
              Value product = arith::MulFOp::create(nb, l, args[0], args[1]);
              linalg::YieldOp::create(
                  nb, l,
                  arith::AddFOp::create(nb, l, args[2], product).getResult());
              return;
            }
            Value product =
                arith::MulIOp::create(nb, l, extendSigned(nb, l, args[0], et),
                                      extendSigned(nb, l, args[1], et));
            linalg::YieldOp::create(
                nb, l,
                arith::AddIOp::create(nb, l, args[2], product).getResult());
          })
          .getResult(0);
  return reshapeTensor(b, loc, result, resultType);
}

} // namespace

Value muon::buildConvolution(OpBuilder &rewriter, Location loc, Value input,
                             Value weight, Value bias,
                             RankedTensorType convResultType,
                             ArrayRef<int64_t> convStrides,
                             ArrayRef<int64_t> pads,
                             ArrayRef<int64_t> convDilations, int64_t group,
                             double padValue) {
  int64_t rank = convResultType.getRank();
  Type accumulatorType = convResultType.getElementType();
  auto biasInit = [&](RankedTensorType type) -> Value {
    if (!bias)
      return filledTensor(rewriter, loc, type, 0.0);
    SmallVector<int64_t> biasShape(type.getRank() - 1, 1);
    biasShape[0] = type.getDimSize(1);
    return broadcastTo(
        rewriter, loc,
        reshapeTensor(rewriter, loc, bias,
                      RankedTensorType::get(biasShape, accumulatorType)),
        type);
  };
  if (rank > 4) {
    // 3-D and up: one generic loop nest (no named op or im2col form yet).
    SmallVector<int64_t> kernel(tensorType(weight).getShape().drop_front(2));
    Value padded = padForWindow(rewriter, loc, input, convResultType, kernel,
                                convStrides, pads, convDilations, padValue);
    return convolveNd(rewriter, loc, padded, weight, biasInit(convResultType),
                      group, convStrides, convDilations);
  }
  SmallVector<int64_t> strides(convStrides), dilations(convDilations);
  SmallVector<int64_t> low(pads.take_front(rank - 2)),
      high(pads.drop_front(rank - 2));
  RankedTensorType resultType = convResultType;

  // A 1-D convolution is a 2-D one over a height of 1.
  if (rank == 3) {
    input =
        reshapeTensor(rewriter, loc, input, withUnitHeight(tensorType(input)));
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
  SmallVector<int64_t> endPads =
      windowEndPads(inputType, resultType, kernel, strides, allPads, dilations);
  Value padded = padSpatial(rewriter, loc, input, low, endPads, padValue);

  auto stridesAttr = rewriter.getI64TensorAttr(strides);
  auto dilationsAttr = rewriter.getI64TensorAttr(dilations);
  int64_t channels = inputType.getDimSize(1);
  int64_t filters = weightType.getDimSize(0);
  Value result;
  if (group == 1) {
    result = linalg::Conv2DNchwFchwOp::create(
                 rewriter, loc, resultType, ValueRange{padded, weight},
                 biasInit(resultType), stridesAttr, dilationsAttr)
                 .getResult(0);
  } else if (group == channels && filters == channels &&
             kernel[0] * kernel[1] <= kMaxWindowTaps) {
    // Depthwise: out = bias + sum over taps of tap * weight[c, tap], the
    // weight of each tap broadcast from [1, C, 1, 1].
    SmallVector<Value> inputs = windowTaps(rewriter, loc, padded, resultType,
                                           kernel, strides, dilations);
    int64_t numTaps = inputs.size();
    auto tapWeightType =
        RankedTensorType::get({1, channels, 1, 1}, weightType.getElementType());
    auto weightColumns =
        RankedTensorType::get({channels, numTaps}, weightType.getElementType());
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
    if (bias)
      inputs.push_back(reshapeTensor(
          rewriter, loc, bias,
          RankedTensorType::get({1, channels, 1, 1}, accumulatorType)));
    result = buildElementwise(
        rewriter, loc, resultType, inputs,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value sum =
              bias ? args.back() : scalarConstant(b, l, accumulatorType, 0.0);
          for (int64_t t = 0; t < numTaps; ++t)
            sum =
                isFloat(sum.getType())
                    ? math::FmaOp::create(b, l, args[t], args[numTaps + t], sum)
                          .getResult()
                    : arith::AddIOp::create(
                          b, l, sum,
                          arith::MulIOp::create(
                              b, l,
                              extendSigned(b, l, args[t], accumulatorType),
                              extendSigned(b, l, args[numTaps + t],
                                           accumulatorType)))
                          .getResult();
          return sum;
        });
  } else if (group == channels && filters == channels) {
    // Depthwise with a large window: weight [C, 1, kh, kw] -> [C, kh, kw].
    auto w3 = RankedTensorType::get({channels, kernel[0], kernel[1]},
                                    weightType.getElementType());
    Value w = reshapeTensor(rewriter, loc, weight, w3);
    result = linalg::DepthwiseConv2DNchwChwOp::create(
                 rewriter, loc, resultType, ValueRange{padded, w},
                 biasInit(resultType), stridesAttr, dilationsAttr)
                 .getResult(0);
  } else {
    // Grouped: split channels and filters into [G, C/G] and [G, F/G].
    auto paddedType = tensorType(padded);
    auto in5 = RankedTensorType::get(
        {paddedType.getDimSize(0), group, channels / group,
         paddedType.getDimSize(2), paddedType.getDimSize(3)},
        paddedType.getElementType());
    auto w5 = RankedTensorType::get(
        {group, filters / group, channels / group, kernel[0], kernel[1]},
        weightType.getElementType());
    auto out5 = RankedTensorType::get(
        {resultType.getDimSize(0), group, filters / group,
         resultType.getDimSize(2), resultType.getDimSize(3)},
        accumulatorType);
    Value conv = linalg::Conv2DNgchwGfchwOp::create(
                     rewriter, loc, out5,
                     ValueRange{reshapeTensor(rewriter, loc, padded, in5),
                                reshapeTensor(rewriter, loc, weight, w5)},
                     reshapeTensor(rewriter, loc, biasInit(resultType), out5),
                     stridesAttr, dilationsAttr)
                     .getResult(0);
    result = reshapeTensor(rewriter, loc, conv, resultType);
  }
  return reshapeTensor(rewriter, loc, result, convResultType);
}

namespace {

struct ConvLowering : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatOrInteger(op.getType()))
      return rewriter.notifyMatchFailure(
          op, "only float and signless integer element types");
    rewriter.replaceOp(
        op,
        buildConvolution(rewriter, op.getLoc(), op.getInput(), op.getWeight(),
                         op.getBias(), op.getType(), op.getStrides(),
                         op.getPads(), op.getDilations(), op.getGroup(), 0.0));
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
Value lowerPool2d(
    OpBuilder &b, Location loc, const Pool2d &pool, double padValue,
    double initValue,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  SmallVector<int64_t> endPads =
      windowEndPads(pool.inputType, pool.resultType, pool.kernel, pool.strides,
                    pool.pads, pool.dilations);
  Value padded = padSpatial(
      b, loc, pool.input, ArrayRef(pool.pads).take_front(2), endPads, padValue);
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

/// Pooling elements: floats, and integers for max pooling (not i1).
bool isPoolable(Type type) {
  type = getElementTypeOrSelf(type);
  return isa<FloatType>(type) || (isa<IntegerType>(type) && !type.isInteger(1));
}

struct MaxPoolLowering : OpRewritePattern<MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPoolOp op,
                                PatternRewriter &rewriter) const override {
    if (!isPoolable(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float and integer types");
    Location loc = op.getLoc();
    Type elementType = op.getType().getElementType();
    double lowest = lowestValue(elementType);
    auto combine = [](OpBuilder &b, Location l, Value acc, Value x) {
      return maximum(b, l, acc, x);
    };
    std::optional<Pool2d> pool = getPool2d(rewriter, op);
    // The 2-D path takes integers only tap by tap: linalg's pooling op has
    // no unsigned NCHW form.
    if (pool && (isFloat(elementType) ||
                 pool->kernel[0] * pool->kernel[1] <= kMaxWindowTaps)) {
      Value result = lowerPool2d<linalg::PoolingNchwMaxOp>(
          rewriter, loc, *pool, lowest, lowest, combine);
      rewriter.replaceOp(op,
                         reshapeTensor(rewriter, loc, result, op.getType()));
      return success();
    }
    Value padded = padForWindow(rewriter, loc, op.getInput(), op.getType(),
                                op.getKernelShape(), op.getStrides(),
                                op.getPads(), op.getDilations(), lowest);
    Value init = filledTensor(rewriter, loc, op.getType(), lowest);
    rewriter.replaceOp(
        op, windowReduce(rewriter, loc, padded, init, op.getKernelShape(),
                         op.getStrides(), op.getDilations(),
                         [&](OpBuilder &b, Location l, Value x,
                             ValueRange acc) -> SmallVector<Value> {
                           return {combine(b, l, acc[0], x)};
                         }));
    return success();
  }
};

/// MaxPool's Indices output: for each window, the position of its maximum
/// (the first one in the window's row-major scan, which a strict `>` keeps)
/// in the flattened input (ONNX MaxPool-12): ((n * C + c) * S_1 + i_1) * S_2
/// + i_2 ... over the spatial positions i (row major, storage_order 0), or
/// with the spatial dimensions in reverse order (column major, 1). Padding
/// never wins: it holds the lowest value.
struct MaxPoolIndicesLowering : OpRewritePattern<MaxPoolIndicesOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPoolIndicesOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = tensorType(op.getInput());
    Type elementType = inputType.getElementType();
    if (!isPoolable(elementType))
      return rewriter.notifyMatchFailure(op, "only float and integer types");
    Location loc = op.getLoc();
    RankedTensorType indexType = op.getType();
    auto valueType = indexType.clone(elementType);
    ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                      dilations = op.getDilations(), pads = op.getPads();
    int64_t n = kernel.size();
    double lowest = lowestValue(elementType);
    Value padded = padForWindow(rewriter, loc, op.getInput(), valueType, kernel,
                                strides, pads, dilations, lowest);
    SmallVector<Value> inits = {filledTensor(rewriter, loc, valueType, lowest),
                                filledTensor(rewriter, loc, indexType, 0.0)};
    bool columnMajor = op.getColumnMajor();
    SmallVector<Value> results = windowReduce(
        rewriter, loc, padded, inits, kernel, strides, dilations,
        [&](OpBuilder &b, Location l, Value x,
            ValueRange acc) -> SmallVector<Value> {
          auto constant = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(b, l, v);
          };
          auto loopIndex = [&](int64_t d) -> Value {
            return linalg::IndexOp::create(b, l, d);
          };
          // The batch-and-channel slice, then each spatial position
          // o * s + k * d - pad (in the unpadded input).
          Value index = arith::AddIOp::create(
              b, l,
              arith::MulIOp::create(b, l, loopIndex(0),
                                    constant(inputType.getDimSize(1))),
              loopIndex(1));
          for (int64_t j = 0; j < n; ++j) {
            int64_t i = columnMajor ? n - 1 - j : j;
            Value position = arith::AddIOp::create(
                b, l,
                arith::MulIOp::create(b, l, loopIndex(2 + i),
                                      constant(strides[i])),
                arith::MulIOp::create(b, l, loopIndex(2 + n + i),
                                      constant(dilations[i])));
            position = arith::SubIOp::create(b, l, position, constant(pads[i]));
            index = arith::AddIOp::create(
                b, l,
                arith::MulIOp::create(b, l, index,
                                      constant(inputType.getDimSize(2 + i))),
                position);
          }
          Value greater =
              isa<FloatType>(elementType)
                  ? arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x,
                                          acc[0])
                        .getResult()
                  : arith::CmpIOp::create(b, l,
                                          elementType.isUnsignedInteger()
                                              ? arith::CmpIPredicate::ugt
                                              : arith::CmpIPredicate::sgt,
                                          x, acc[0])
                        .getResult();
          Value index64 = arith::IndexCastOp::create(
              b, l, indexType.getElementType(), index);
          return {arith::SelectOp::create(b, l, greater, x, acc[0]),
                  arith::SelectOp::create(b, l, greater, index64, acc[1])};
        });
    rewriter.replaceOp(op, results[1]);
    return success();
  }
};

/// The reciprocal of AveragePool's divisor at each output position ([O...],
/// in `elementType`), known at compile time: the window positions inside
/// the input, plus those inside the declared pads when `includePad`
/// (padding added only for ceil_mode never counts). Whether a window
/// position is inside is decided per dimension, so the count is the product
/// of the per-dimension counts.
DenseElementsAttr averageDivisors(RankedTensorType input,
                                  RankedTensorType result,
                                  ArrayRef<int64_t> kernel,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> dilations,
                                  ArrayRef<int64_t> pads, bool includePad) {
  int64_t n = kernel.size();
  SmallVector<SmallVector<int64_t>> counts(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t size = input.getDimSize(2 + i);
    int64_t lo = includePad ? -pads[i] : 0;
    int64_t hi = includePad ? size + pads[n + i] : size;
    for (int64_t o = 0; o < result.getDimSize(2 + i); ++o) {
      int64_t count = 0;
      for (int64_t k = 0; k < kernel[i]; ++k) {
        int64_t at = o * strides[i] + k * dilations[i] - pads[i];
        count += at >= lo && at < hi;
      }
      counts[i].push_back(count);
    }
  }
  auto elementType = cast<FloatType>(result.getElementType());
  auto tableType =
      RankedTensorType::get(result.getShape().drop_front(2), elementType);
  SmallVector<APFloat> divisors;
  for (int64_t flat = 0; flat < tableType.getNumElements(); ++flat) {
    int64_t count = 1, rest = flat;
    for (int64_t i = n - 1; i >= 0; --i) {
      count *= counts[i][rest % counts[i].size()];
      rest /= counts[i].size();
    }
    APFloat reciprocal(1.0 / std::max<int64_t>(count, 1));
    bool losesInfo;
    reciprocal.convert(elementType.getFloatSemantics(),
                       APFloat::rmNearestTiesToEven, &losesInfo);
    divisors.push_back(reciprocal);
  }
  return DenseElementsAttr::get(tableType, divisors);
}

struct AveragePoolLowering : OpRewritePattern<AveragePoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AveragePoolOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloat(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float element types");
    Location loc = op.getLoc();
    auto add = [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
      return arith::AddFOp::create(b, l, acc, x);
    };
    Value sum;
    if (std::optional<Pool2d> pool = getPool2d(rewriter, op)) {
      sum = lowerPool2d<linalg::PoolingNchwSumOp>(rewriter, loc, *pool, 0.0,
                                                  0.0, add);
      sum = reshapeTensor(rewriter, loc, sum, op.getType());
    } else {
      Value padded = padForWindow(rewriter, loc, op.getInput(), op.getType(),
                                  op.getKernelShape(), op.getStrides(),
                                  op.getPads(), op.getDilations(), 0.0);
      sum =
          windowReduce(rewriter, loc, padded,
                       filledTensor(rewriter, loc, op.getType(), 0.0),
                       op.getKernelShape(), op.getStrides(), op.getDilations(),
                       [&](OpBuilder &b, Location l, Value x,
                           ValueRange acc) -> SmallVector<Value> {
                         return {add(b, l, acc[0], x)};
                       })
              .front();
    }
    // The table has the op's element type (f16 pools multiply in f16) and
    // broadcasts over N and C.
    Value reciprocal = arith::ConstantOp::create(
        rewriter, loc,
        averageDivisors(tensorType(op.getInput()), op.getType(),
                        op.getKernelShape(), op.getStrides(), op.getDilations(),
                        op.getPads(), op.getCountIncludePad()));
    rewriter.replaceOp(
        op,
        buildElementwise(
            rewriter, loc, op.getType(), {sum, reciprocal},
            [](OpBuilder &b, Location l, ValueRange args) {
              return arith::MulFOp::create(b, l, args[0], args[1]).getResult();
            }));
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
  auto reducedType =
      RankedTensorType::get({inputType.getDimSize(0), inputType.getDimSize(1)},
                            inputType.getElementType());
  SmallVector<int64_t> spatial =
      llvm::to_vector(llvm::seq<int64_t>(2, inputType.getRank()));
  Value reduced = buildReduction(
      rewriter, loc, op.getInput(), spatial,
      scalarConstant(rewriter, loc, inputType.getElementType(), initValue),
      [&](OpBuilder &b, Location l, ValueRange args) {
        return combine(b, l, args[0], args[1]);
      });
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
    for (Value p :
         {op.getScale(), op.getBias(), op.getMean(), op.getVariance()})
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
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
    AffineMap reducedMap = identity.dropResult(axis);
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    Type elementType = type.getElementType();
    Value max =
        buildReduction(rewriter, loc, op.getInput(), axis,
                       scalarConstant(rewriter, loc, elementType,
                                      -std::numeric_limits<double>::infinity()),
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return arith::MaximumFOp::create(b, l, a[0], a[1]);
                       });
    Value sum =
        buildReduction(rewriter, loc, {op.getInput(), max}, axis,
                       scalarConstant(rewriter, loc, elementType, 0.0),
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
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, op.getLoc(), op.getInput(), op.getType()));
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
    SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
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

/// arith has no unsigned integer types. The lowerings above read signedness
/// from the muon types (choosing divui, cmpi ult, uitofp, ...) and build
/// their bodies on the unsigned types; once no muon op is left, every
/// unsigned integer type (in values, constants and the function type)
/// becomes the signless type of its width. The function's arguments and
/// results keep their ONNX element type in a `muon.element_type` attribute,
/// from which the generated header declares `uint8_t` and friends.
void makeSignless(func::FuncOp func) {
  auto unsignedElement = [](Type type) -> Type {
    Type element = getElementTypeOrSelf(type);
    return element.isUnsignedInteger() ? element : Type();
  };
  FunctionType type = func.getFunctionType();
  SmallVector<Type> argElements =
      llvm::map_to_vector(type.getInputs(), unsignedElement);
  SmallVector<Type> resultElements =
      llvm::map_to_vector(type.getResults(), unsignedElement);

  auto signless = [](IntegerType type) -> std::optional<Type> {
    if (!type.isUnsigned())
      return std::nullopt;
    return IntegerType::get(type.getContext(), type.getWidth());
  };
  // Elements attributes hold their type beside raw data, which the generic
  // replacement below does not rebuild: give them the signless type here
  // (the bits are the same).
  func.walk([&](arith::ConstantOp constant) {
    auto type = dyn_cast<RankedTensorType>(constant.getType());
    auto element =
        type ? dyn_cast<IntegerType>(type.getElementType()) : IntegerType();
    if (!element || !element.isUnsigned())
      return;
    auto signlessType = type.clone(*signless(element));
    Attribute value;
    if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue()))
      value = dense.bitcast(signlessType.getElementType());
    else if (auto resource =
                 dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
      value =
          DenseResourceElementsAttr::get(signlessType, resource.getRawHandle());
    if (value)
      constant.setValueAttr(cast<TypedAttr>(value));
  });
  AttrTypeReplacer replacer;
  replacer.addReplacement(signless);
  replacer.recursivelyReplaceElementsIn(func, /*replaceAttrs=*/true,
                                        /*replaceLocs=*/false,
                                        /*replaceTypes=*/true);

  for (auto [i, element] : llvm::enumerate(argElements))
    if (element)
      func.setArgAttr(i, "muon.element_type", TypeAttr::get(element));
  for (auto [i, element] : llvm::enumerate(resultElements))
    if (element)
      func.setResultAttr(i, "muon.element_type", TypeAttr::get(element));
}

struct MuonToLinalgPass : muon::impl::MuonToLinalgBase<MuonToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    populateElementwiseLowerings(patterns);
    populateReductionLowerings(patterns);
    populateDataMovementLowerings(patterns);
    populateQuantLowerings(patterns);
    populateLinearAlgebraLowerings(patterns);
    patterns.add<GemmLowering, MatMulLowering, ConvLowering, MaxPoolLowering,
                 MaxPoolIndicesLowering, AveragePoolLowering,
                 GlobalAveragePoolLowering, GlobalMaxPoolLowering,
                 BatchNormLowering, SoftmaxLowering<SoftmaxOp, false>,
                 SoftmaxLowering<LogSoftmaxOp, true>, ConstantLowering,
                 ReshapeLowering, TransposeLowering, ConcatLowering>(context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Every muon op has a lowering; one left over has a form the CPU target
    // cannot handle yet (e.g. a 3-D convolution), which the user should hear.
    // A quant.scast left over feeds a quantized value to an op that only
    // lowers on plain types.
    WalkResult leftover = getOperation().walk([](Operation *op) {
      if (!isa<MuonDialect, quant::QuantDialect>(op->getDialect()))
        return WalkResult::advance();
      op->emitError() << "the CPU target cannot lower this form of '"
                      << op->getName() << "' yet";
      return WalkResult::interrupt();
    });
    if (leftover.wasInterrupted())
      return signalPassFailure();
    makeSignless(getOperation());
  }
};

} // namespace
