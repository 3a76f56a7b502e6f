//===- LinearAlgebraToLinalg.cpp - Lowering Gemm, MatMul, Conv and Det ---===//
//
// Patterns of the muon-to-linalg pass (MuonToLinalg.cpp) for the ops of
// dialects/muon/LinearAlgebraOps.td. Gemm, MatMul and Conv become linalg's
// named contractions and convolutions (which muon-tile-and-vectorize
// recognises), small depthwise windows an element-wise sum of their taps; the
// quantized products (QuantToLinalg.cpp) are built by the same buildMatMul
// and buildConvolution. A determinant is a sequential elimination, not a
// parallel map, so it is an scf.for nest on tensors that carries a working
// copy of the matrices (one-shot bufferization makes that copy once, before
// the loops).
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "targets/cpu/LinalgBuilders.h"
#include "targets/cpu/Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace muon;

namespace {

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

struct GemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isFloat(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float element types");
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value a = op.getTransA() ? transpose2d(rewriter, loc, adaptor.getA())
                             : adaptor.getA();
    Value b = op.getTransB() ? transpose2d(rewriter, loc, adaptor.getB())
                             : adaptor.getB();
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = beta != 0.0 ? adaptor.getC() : Value();

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

struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isFloatOrInteger(op.getType()))
      return rewriter.notifyMatchFailure(
          op, "only float and signless integer element types");
    rewriter.replaceOp(op,
                       buildMatMul(rewriter, op.getLoc(), adaptor.getLhs(),
                                   adaptor.getRhs(), op.getType(), Value()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

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

struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isFloatOrInteger(op.getType()))
      return rewriter.notifyMatchFailure(
          op, "only float and signless integer element types");
    rewriter.replaceOp(
        op, buildConvolution(rewriter, op.getLoc(), adaptor.getInput(),
                             adaptor.getWeight(), adaptor.getBias(),
                             op.getType(), op.getStrides(), op.getPads(),
                             op.getDilations(), op.getGroup(), 0.0));
    return success();
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Determinant
//===----------------------------------------------------------------------===//

namespace {

/// Gaussian elimination with partial pivoting, as LAPACK's getrf (behind
/// numpy.linalg.det, the ONNX reference) does it: for each column k the row
/// with the largest |a[i][k]| (i >= k) is swapped up (negating the
/// determinant), the determinant is multiplied by the pivot, and the rows
/// below subtract their multiple of row k. A zero pivot (a singular matrix)
/// makes the determinant 0; its multipliers are set to 0 rather than NaN.
struct DetLowering : OpConversionPattern<DetOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DetOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = tensorType(adaptor.getInput());
    Type elementType = inputType.getElementType();
    int64_t n = inputType.getShape().back();
    int64_t count = op.getType().getNumElements();
    auto flatType = RankedTensorType::get({count}, elementType);
    Value matrices =
        reshapeTensor(rewriter, loc, adaptor.getInput(),
                      RankedTensorType::get({count, n, n}, elementType));
    auto index = [&](OpBuilder &b, int64_t value) -> Value {
      return arith::ConstantIndexOp::create(b, loc, value);
    };
    Value zero = index(rewriter, 0), one = index(rewriter, 1),
          size = index(rewriter, n);
    Value fZero = scalarConstant(rewriter, loc, elementType, 0.0);
    Value fOne = scalarConstant(rewriter, loc, elementType, 1.0);
    Value fMinusOne = scalarConstant(rewriter, loc, elementType, -1.0);

    auto batches = scf::ForOp::create(
        rewriter, loc, zero, index(rewriter, count), one,
        ValueRange{matrices, emptyTensor(rewriter, loc, flatType)},
        [&](OpBuilder &b, Location l, Value m, ValueRange carried) {
          auto at = [&](Value work, Value i, Value j) -> Value {
            return tensor::ExtractOp::create(b, l, work, ValueRange{m, i, j});
          };
          auto columns = scf::ForOp::create(
              b, l, zero, size, one, ValueRange{carried[0], fOne},
              [&](OpBuilder &b, Location l, Value k, ValueRange state) {
                // The pivot row: the largest |a[i][k]|, i >= k.
                auto search = scf::ForOp::create(
                    b, l, k, size, one, ValueRange{k, fMinusOne},
                    [&](OpBuilder &b, Location l, Value i, ValueRange best) {
                      Value magnitude =
                          math::AbsFOp::create(b, l, at(state[0], i, k));
                      Value larger = arith::CmpFOp::create(
                          b, l, arith::CmpFPredicate::OGT, magnitude, best[1]);
                      scf::YieldOp::create(
                          b, l,
                          ValueRange{
                              arith::SelectOp::create(b, l, larger, i, best[0]),
                              arith::SelectOp::create(b, l, larger, magnitude,
                                                      best[1])});
                    });
                Value pivotRow = search.getResult(0);
                auto swap = scf::ForOp::create(
                    b, l, zero, size, one, ValueRange{state[0]},
                    [&](OpBuilder &b, Location l, Value j, ValueRange work) {
                      Value top = at(work[0], k, j),
                            other = at(work[0], pivotRow, j);
                      Value swapped = tensor::InsertOp::create(
                          b, l, other, work[0], ValueRange{m, k, j});
                      swapped = tensor::InsertOp::create(
                          b, l, top, swapped, ValueRange{m, pivotRow, j});
                      scf::YieldOp::create(b, l, swapped);
                    });
                Value work = swap.getResult(0);
                Value moved = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::ne, pivotRow, k);
                Value det = arith::SelectOp::create(
                    b, l, moved, arith::NegFOp::create(b, l, state[1]),
                    state[1]);
                Value pivot = at(work, k, k);
                det = arith::MulFOp::create(b, l, det, pivot);
                Value singular = arith::CmpFOp::create(
                    b, l, arith::CmpFPredicate::OEQ, pivot, fZero);
                Value below = arith::AddIOp::create(b, l, k, one);
                auto rows = scf::ForOp::create(
                    b, l, below, size, one, ValueRange{work},
                    [&](OpBuilder &b, Location l, Value i, ValueRange work) {
                      Value factor =
                          arith::DivFOp::create(b, l, at(work[0], i, k), pivot);
                      factor = arith::SelectOp::create(b, l, singular, fZero,
                                                       factor);
                      auto row = scf::ForOp::create(
                          b, l, k, size, one, ValueRange{work[0]},
                          [&](OpBuilder &b, Location l, Value j,
                              ValueRange work) {
                            Value product = arith::MulFOp::create(
                                b, l, factor, at(work[0], k, j));
                            Value value = arith::SubFOp::create(
                                b, l, at(work[0], i, j), product);
                            scf::YieldOp::create(
                                b, l,
                                tensor::InsertOp::create(b, l, value, work[0],
                                                         ValueRange{m, i, j})
                                    .getResult());
                          });
                      scf::YieldOp::create(b, l, row.getResult(0));
                    });
                scf::YieldOp::create(b, l, ValueRange{rows.getResult(0), det});
              });
          Value result = tensor::InsertOp::create(b, l, columns.getResult(1),
                                                  carried[1], ValueRange{m});
          scf::YieldOp::create(b, l, ValueRange{columns.getResult(0), result});
        });
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, loc, batches.getResult(1), op.getType()));
    return success();
  }
};

} // namespace

void muon::populateLinearAlgebraLowerings(const TypeConverter &converter,
                                          RewritePatternSet &patterns) {
  patterns.add<GemmLowering, MatMulLowering, ConvLowering, DetLowering>(
      converter, patterns.getContext());
}
