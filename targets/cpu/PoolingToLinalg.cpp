//===- PoolingToLinalg.cpp - Lowering the pooling ops ---------------------===//
//
// Patterns of the muon-to-linalg pass (MuonToLinalg.cpp) for the ops of
// dialects/muon/PoolingOps.td. A 2-D window (a 1-D one over a height of 1)
// with few taps is an element-wise combination of its taps (windowTaps),
// which vectorizes along the output width; a larger one is linalg's pooling
// op; other ranks and the index-producing MaxPool one linalg.generic over the
// window (windowReduce). Global pools are reductions.
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "targets/cpu/LinalgBuilders.h"
#include "targets/cpu/Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace muon;

namespace {

/// A pooling window in 2-D form: a 1-D pool is a 2-D one over a height of 1.
struct Pool2d {
  Value input;
  RankedTensorType inputType, resultType;
  SmallVector<int64_t> kernel, strides, dilations;
  SmallVector<int64_t> pads; // [top, left, bottom, right]
};

/// The 2-D form of the pool `op` of the lowered `input`.
template <typename OpTy>
std::optional<Pool2d> getPool2d(OpBuilder &b, OpTy op, Value input) {
  int64_t rank = op.getType().getRank();
  if (rank != 3 && rank != 4)
    return std::nullopt;
  Pool2d pool{input,
              tensorType(input),
              storageType(op.getType()),
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

/// The type whose order max pooling follows: a quantized element's order is
/// its storage integer's (the scale is positive), signed or unsigned.
Type orderedType(Type element) {
  if (auto quantized = dyn_cast<quant::QuantizedType>(element))
    return IntegerType::get(
        element.getContext(), quantized.getStorageTypeIntegralWidth(),
        quantized.isSigned() ? IntegerType::Signless : IntegerType::Unsigned);
  return element;
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type elementType = orderedType(op.getType().getElementType());
    if (!isPoolable(elementType))
      return rewriter.notifyMatchFailure(
          op, "only float, integer and quantized types");
    Location loc = op.getLoc();
    RankedTensorType resultType = storageType(op.getType());
    double lowest = lowestValue(elementType);
    bool isUnsigned = isUnsignedElement(elementType);
    auto combine = [isUnsigned](OpBuilder &b, Location l, Value acc, Value x) {
      return maximum(b, l, acc, x, isUnsigned);
    };
    std::optional<Pool2d> pool = getPool2d(rewriter, op, adaptor.getInput());
    // The 2-D path takes integers only tap by tap: linalg's pooling op has
    // no unsigned NCHW form.
    if (pool && (isFloat(elementType) ||
                 pool->kernel[0] * pool->kernel[1] <= kMaxWindowTaps)) {
      Value result = lowerPool2d<linalg::PoolingNchwMaxOp>(
          rewriter, loc, *pool, lowest, lowest, combine);
      rewriter.replaceOp(op, reshapeTensor(rewriter, loc, result, resultType));
      return success();
    }
    Value padded = padForWindow(rewriter, loc, adaptor.getInput(), resultType,
                                op.getKernelShape(), op.getStrides(),
                                op.getPads(), op.getDilations(), lowest);
    Value init = filledTensor(rewriter, loc, resultType, lowest);
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
struct MaxPoolIndicesLowering : OpConversionPattern<MaxPoolIndicesOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolIndicesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = tensorType(op.getInput());
    Type elementType = inputType.getElementType();
    if (!isPoolable(elementType))
      return rewriter.notifyMatchFailure(op, "only float and integer types");
    Location loc = op.getLoc();
    RankedTensorType indexType = op.getType();
    auto valueType = indexType.clone(storageType(elementType));
    ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                      dilations = op.getDilations(), pads = op.getPads();
    int64_t n = kernel.size();
    double lowest = lowestValue(elementType);
    Value padded = padForWindow(rewriter, loc, adaptor.getInput(), valueType,
                                kernel, strides, pads, dilations, lowest);
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

struct AveragePoolLowering : OpConversionPattern<AveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isFloat(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float element types");
    Location loc = op.getLoc();
    auto add = [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
      return arith::AddFOp::create(b, l, acc, x);
    };
    Value sum;
    if (std::optional<Pool2d> pool =
            getPool2d(rewriter, op, adaptor.getInput())) {
      sum = lowerPool2d<linalg::PoolingNchwSumOp>(rewriter, loc, *pool, 0.0,
                                                  0.0, add);
      sum = reshapeTensor(rewriter, loc, sum, op.getType());
    } else {
      Value padded = padForWindow(
          rewriter, loc, adaptor.getInput(), op.getType(), op.getKernelShape(),
          op.getStrides(), op.getPads(), op.getDilations(), 0.0);
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

/// Reduces every spatial dimension of the lowered `input` with `combine`,
/// starting from `initValue`, and applies `finish` to the reduced value;
/// result keeps size-1 dims.
template <typename OpTy>
LogicalResult lowerGlobalPool(
    OpTy op, Value input, PatternRewriter &rewriter, double initValue,
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
      rewriter, loc, input, spatial,
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

struct GlobalAveragePoolLowering : OpConversionPattern<GlobalAveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GlobalAveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = tensorType(op.getInput());
    int64_t count = inputType.getNumElements() /
                    (inputType.getDimSize(0) * inputType.getDimSize(1));
    return lowerGlobalPool(
        op, adaptor.getInput(), rewriter, 0.0,
        [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          return arith::AddFOp::create(b, l, x, acc);
        },
        [&](OpBuilder &b, Location l, Value sum) -> Value {
          return arith::DivFOp::create(
              b, l, sum, scalarConstant(b, l, sum.getType(), count));
        });
  }
};

struct GlobalMaxPoolLowering : OpConversionPattern<GlobalMaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GlobalMaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    return lowerGlobalPool(
        op, adaptor.getInput(), rewriter,
        -std::numeric_limits<double>::infinity(),
        [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          return arith::MaximumFOp::create(b, l, x, acc);
        },
        nullptr);
  }
};

} // namespace

void muon::populatePoolingLowerings(const TypeConverter &converter,
                                    RewritePatternSet &patterns) {
  patterns.add<MaxPoolLowering, MaxPoolIndicesLowering, AveragePoolLowering,
               GlobalAveragePoolLowering, GlobalMaxPoolLowering>(
      converter, patterns.getContext());
}
