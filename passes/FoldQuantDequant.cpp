//===- FoldQuantDequant.cpp - Fold QDQ pairs into integer ops -------------===//
//
// A QDQ model (ONNX Runtime's and PyTorch's quantizers write them) computes
// every quantized op as dequantize -> float op -> quantize. This pass turns
// the ops that have an integer form into it, so that the model runs on 8-bit
// tensors between them.
//
// The fake-quant form: the contract with the QDQ importer and with
// post-training quantization (which inserts the same form). After the
// importer and canonicalize, an activation quantized with scale s and zero
// point z reads
//
//   %q = muon.quantize %x : (tensor<..xf32>) ->
//   tensor<..x!quant.uniform<i8:f32, s:z>> %d = muon.dequantize %q :
//   (tensor<..x!quant.uniform<i8:f32, s:z>>) -> tensor<..xf32>
//
// (the ONNX-visible uint8 tensor between them imports as quant.scast ->
// muon.cast i8 -> ui8 -> muon.cast ui8 -> i8 -> quant.scast, which
// FoldStorageRoundTrip below removes and the scast folder then joins), and
// a weight or bias is an integer constant viewed as its quantized type:
//
//   %w  = muon.constant dense<...> : tensor<..xi8>           (i32 for a bias)
//   %wq = quant.scast %w : tensor<..xi8> to tensor<..x!quant.uniform<i8:f32:0,
//   {...}>> %wf = muon.dequantize %wq : (...) -> tensor<..xf32>
//
// Per-axis weights are quantized along their output channels (axis 0 of a
// conv weight, the last axis of a matmul's right operand).
//
// Patterns, in priority order:
//  a. quantize(conv|matmul|gemm(dequantize(x), dequantize(w), bias)) with an
//     optional Relu or Clip before the quantize becomes the quantized
//     product and a muon.requantize with that activation as its clamp. A
//     dequantized int32 bias is used as it is, a float constant bias is
//     quantized to int32 with the accumulator's scale.
//  b. quantize(op(dequantize(x))) for data movement (max pool, reshape,
//     transpose, concat) with the same quantization on both sides becomes
//     op on the quantized tensor.
//  c. quantize(add(dequantize(a), dequantize(b))) of one shape, with an
//     optional Relu or Clip, becomes muon.quantized_add (TFLite's quantized
//     Add, which the NPU computes bit for bit).
//  d. quantize(average_pool|global_average_pool(dequantize(x))) becomes an
//     int32 sum (a depthwise quantized conv with a weight of ones of scale
//     1 / count) and a requantization by s_in / (s_out * count).
// Everything else stays dequantize -> float op -> quantize.
//
// This pass runs before muon-constant-fold in the graph pipeline: nothing
// there folds a muon.dequantize, but the weight's dequantize must reach this
// pass intact whatever constant folding learns later.
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/Constants.h"
#include "dialects/muon/OpVerification.h"
#include "dialects/muon/Quantization.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace muon {
#define GEN_PASS_DEF_MUONFOLDQUANTDEQUANT
#include "passes/Passes.h.inc"
} // namespace muon

using namespace mlir;
using namespace muon;

namespace {

/// The quantized 8-bit tensor a float value dequantizes, or null.
Value getDequantized(Value value) {
  auto dequantize = value.getDefiningOp<DequantizeOp>();
  if (!dequantize)
    return {};
  return dequantize.getInput();
}

/// The activation clamp between a product and its quantize: Relu or Clip,
/// in real (float) terms.
struct Activation {
  std::optional<float> min, max;
};

/// A clamp bound in the output's storage terms, as muon.quantize computes
/// it: saturate(round_half_to_even(bound / scale) + zero_point) in f32, NaN
/// to the lower bound.
int64_t quantizeBound(float bound, quant::UniformQuantizedType type) {
  float scaled = std::nearbyint(bound / static_cast<float>(type.getScale())) +
                 static_cast<float>(type.getZeroPoint());
  if (std::isnan(scaled))
    return type.getStorageTypeMin();
  scaled = std::max(scaled, static_cast<float>(type.getStorageTypeMin()));
  scaled = std::min(scaled, static_cast<float>(type.getStorageTypeMax()));
  return static_cast<int64_t>(scaled);
}

/// Steps `value` back over a single-use Relu or Clip, recording its bounds
/// in `activation`; fails when the activation has other users.
LogicalResult skipActivation(Value &value, Activation &activation) {
  Operation *op = value.getDefiningOp();
  if (auto relu = dyn_cast_or_null<ReluOp>(op)) {
    activation.min = 0.0f;
    value = relu.getInput();
  } else if (auto clip = dyn_cast_or_null<ClipOp>(op)) {
    if (clip.getMin())
      activation.min = clip.getMin()->convertToFloat();
    if (clip.getMax())
      activation.max = clip.getMax()->convertToFloat();
    value = clip.getInput();
  } else {
    return success();
  }
  return success(op->hasOneUse());
}

/// The clamp attributes of `activation` for an output of type `output`.
std::pair<IntegerAttr, IntegerAttr>
getClampAttrs(Builder &b, const Activation &activation,
              quant::UniformQuantizedType output) {
  IntegerAttr clampMin, clampMax;
  if (activation.min)
    clampMin = b.getI64IntegerAttr(quantizeBound(*activation.min, output));
  if (activation.max)
    clampMax = b.getI64IntegerAttr(quantizeBound(*activation.max, output));
  return {clampMin, clampMax};
}

/// What patterns a and c match first: `quantize`'s per-tensor output type,
/// the value under a single-use Relu or Clip before it, and that activation.
struct ActivationOutput {
  quant::UniformQuantizedType output;
  Value value;
  Activation activation;
};
FailureOr<ActivationOutput> matchActivationOutput(QuantizeOp quantize,
                                                  PatternRewriter &rewriter) {
  auto output = dyn_cast<quant::UniformQuantizedType>(
      getQuantizedElementType(quantize.getType()));
  if (!output)
    return rewriter.notifyMatchFailure(quantize,
                                       "output is not quantized per tensor");
  ActivationOutput matched{output, quantize.getInput(), {}};
  if (failed(skipActivation(matched.value, matched.activation)))
    return rewriter.notifyMatchFailure(quantize,
                                       "the activation has other users");
  return matched;
}

/// A quantized constant of `type` holding `values` (i32 storage for a bias):
/// a muon.constant of the storage and a quant.scast, the form the importer
/// gives weights.
Value makeQuantizedConstant(PatternRewriter &rewriter, Location loc,
                            RankedTensorType type, ArrayRef<int32_t> values) {
  Value storage =
      ConstantOp::create(rewriter, loc,
                         makeElements(type.clone(rewriter.getI32Type()), values,
                                      "quantized_bias"));
  return quant::StorageCastOp::create(rewriter, loc, type, storage);
}

/// Whether two scale lists agree up to the rounding of a product of f32
/// scales to f32 (how quantizers compute the bias scale s_x * s_w).
bool sameScalesUpToF32(ArrayRef<double> a, ArrayRef<double> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (std::abs(x - y) > std::abs(y) * 0x1p-23)
      return false;
  return true;
}

/// The bias of a quantized product with accumulator element type
/// `accumulator`, as the 1-D quantized i32 tensor the product takes: a
/// dequantized int32 bias with the accumulator's scales (up to f32
/// rounding) is used as it is, re-typed; a float constant is quantized:
/// round_half_to_even(b / s_acc[c]), saturated to int32.
FailureOr<Value> quantizeBias(PatternRewriter &rewriter, Location loc,
                              Value bias, quant::QuantizedType accumulator) {
  int64_t channels = rankedType(bias).getNumElements();
  SmallVector<double> scales = getScales(accumulator);
  quant::QuantizedType biasElement = accumulator;
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(accumulator))
    biasElement = quant::UniformQuantizedPerAxisType::get(
        perAxis.getFlags(), perAxis.getStorageType(),
        perAxis.getExpressedType(), perAxis.getScales(),
        perAxis.getZeroPoints(), 0, perAxis.getStorageTypeMin(),
        perAxis.getStorageTypeMax());
  auto biasType = RankedTensorType::get({channels}, biasElement);
  if (Value quantized = getDequantized(bias)) {
    quant::QuantizedType type = getQuantizedElementType(quantized.getType());
    if (type.getStorageTypeIntegralWidth() != 32 ||
        llvm::any_of(getZeroPoints(type), [](int64_t z) { return z != 0; }))
      return failure();
    SmallVector<double> biasScales = getScales(type);
    if (biasScales.size() == 1 && scales.size() > 1)
      biasScales.resize(scales.size(), biasScales.front());
    if (!sameScalesUpToF32(biasScales, scales))
      return failure();
    auto storageType = rankedType(quantized).clone(rewriter.getI32Type());
    Value storage =
        quant::StorageCastOp::create(rewriter, loc, storageType, quantized);
    if (storageType.getRank() != 1)
      storage = ReshapeOp::create(
          rewriter, loc,
          RankedTensorType::get({channels}, rewriter.getI32Type()), storage);
    return quant::StorageCastOp::create(rewriter, loc, biasType, storage)
        .getResult();
  }
  std::optional<SmallVector<float>> values = getF32Constant(bias);
  if (!values)
    return failure();
  SmallVector<int32_t> quantized;
  for (auto [c, value] : llvm::enumerate(*values)) {
    double scale = scales[scales.size() == 1 ? 0 : c];
    double q = std::nearbyint(static_cast<double>(value) / scale);
    q = std::clamp(q, static_cast<double>(INT32_MIN),
                   static_cast<double>(INT32_MAX));
    quantized.push_back(static_cast<int32_t>(q));
  }
  return makeQuantizedConstant(rewriter, loc, biasType, quantized);
}

/// a. quantize(act?(product(dequantize(x), dequantize(w), bias?))) ->
///    requantize(quantized product, clamp of act).
struct FoldQuantizedProduct : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    FailureOr<ActivationOutput> matched =
        matchActivationOutput(quantize, rewriter);
    if (failed(matched))
      return failure();
    auto [output, value, activation] = *matched;
    Operation *product = value.getDefiningOp();
    if (!isa_and_present<ConvOp, MatMulOp, GemmOp>(product))
      return rewriter.notifyMatchFailure(quantize,
                                         "input is not a conv, matmul or gemm");
    if (!product->hasOneUse())
      return rewriter.notifyMatchFailure(quantize,
                                         "the float product has other users");
    Value x = getDequantized(product->getOperand(0));
    Value w = getDequantized(product->getOperand(1));
    if (!x || !w)
      return rewriter.notifyMatchFailure(
          quantize, "the operands are not both dequantized");
    auto xType = dyn_cast<quant::UniformQuantizedType>(
        getQuantizedElementType(x.getType()));
    quant::QuantizedType wType = getQuantizedElementType(w.getType());
    if (!xType || xType.getStorageTypeIntegralWidth() != 8 ||
        wType.getStorageTypeIntegralWidth() != 8)
      return rewriter.notifyMatchFailure(
          quantize, "not an 8-bit per-tensor input and an 8-bit weight");
    int64_t resultRank = cast<RankedTensorType>(value.getType()).getRank();
    int64_t weightAxis = 0, resultAxis = 1;
    Value bias;
    if (auto gemm = dyn_cast<GemmOp>(product)) {
      if (gemm.getTransA() || gemm.getAlpha().convertToDouble() != 1.0 ||
          (gemm.getC() && gemm.getBeta().convertToDouble() != 1.0))
        return rewriter.notifyMatchFailure(
            quantize, "gemm with transA, alpha or beta other than 1");
      weightAxis = gemm.getTransB() ? 0 : 1;
      bias = gemm.getC();
      if (bias) {
        auto cType = rankedType(bias);
        int64_t columns = gemm.getType().getDimSize(1);
        if (cType.getNumElements() != columns ||
            (cType.getRank() == 2 && cType.getDimSize(1) != columns))
          return rewriter.notifyMatchFailure(quantize,
                                             "C is not one value per column");
      }
    } else if (isa<MatMulOp>(product)) {
      weightAxis = rankedType(w).getRank() - 1;
      resultAxis = resultRank - 1;
      if (rankedType(x).getRank() < 2 || rankedType(w).getRank() < 2)
        return rewriter.notifyMatchFailure(quantize, "a 1-D matmul operand");
    } else {
      bias = cast<ConvOp>(product).getBias();
    }
    if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(wType))
      if (perAxis.getQuantizedDimension() != weightAxis)
        return rewriter.notifyMatchFailure(
            quantize, "the weight is not quantized per output channel");
    quant::QuantizedType accumulator =
        getAccumulatorType(xType, wType, resultAxis);
    if (!accumulator)
      return rewriter.notifyMatchFailure(quantize,
                                         "the accumulator scale is invalid");

    Location loc = product->getLoc();
    Value quantizedBias;
    if (bias) {
      FailureOr<Value> converted =
          quantizeBias(rewriter, loc, bias, accumulator);
      if (failed(converted))
        return rewriter.notifyMatchFailure(
            quantize, "the bias is neither a float constant nor a "
                      "dequantized int32 with the accumulator's scale");
      quantizedBias = *converted;
    }
    auto accType = RankedTensorType::get(
        cast<RankedTensorType>(value.getType()).getShape(), accumulator);
    Value acc;
    if (auto conv = dyn_cast<ConvOp>(product))
      acc = ConvOp::create(rewriter, loc, accType, x, w, quantizedBias,
                           conv.getStrides(), conv.getPads(),
                           conv.getDilations(), conv.getGroup());
    else if (isa<MatMulOp>(product))
      acc = MatMulOp::create(rewriter, loc, accType, x, w);
    else
      acc = GemmOp::create(
          rewriter, loc, accType, x, w, quantizedBias,
          rewriter.getF32FloatAttr(1.0f), rewriter.getF32FloatAttr(1.0f),
          rewriter.getBoolAttr(false),
          rewriter.getBoolAttr(cast<GemmOp>(product).getTransB()));
    auto [clampMin, clampMax] = getClampAttrs(rewriter, activation, output);
    rewriter.replaceOpWithNewOp<RequantizeOp>(quantize, quantize.getType(), acc,
                                              clampMin, clampMax);
    return success();
  }
};

/// muon.cast(muon.cast(x)) between integer types of one width that returns
/// to x's type is x: the casts reinterpret the bits (the uint8 round trip
/// the importer writes at each ONNX-visible uint8 tensor of a QDQ model).
struct FoldStorageRoundTrip : OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CastOp cast,
                                PatternRewriter &rewriter) const override {
    auto inner = cast.getInput().getDefiningOp<CastOp>();
    if (!inner || inner.getInput().getType() != cast.getType())
      return rewriter.notifyMatchFailure(cast, "not a round trip");
    auto outer = dyn_cast<IntegerType>(cast.getType().getElementType());
    auto middle = dyn_cast<IntegerType>(inner.getType().getElementType());
    if (!outer || !middle || outer.getWidth() != middle.getWidth() ||
        outer.getWidth() == 1)
      return rewriter.notifyMatchFailure(
          cast, "not a reinterpretation between integers of one width");
    rewriter.replaceOp(cast, inner.getInput());
    return success();
  }
};

/// b. quantize(op(dequantize(x), ...)) for data movement, when every input
///    and the output have the same quantized type: op on the quantized
///    tensors (the values move, their meaning does not change).
template <typename OpTy>
struct FoldQuantizedDataMovement : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern<QuantizeOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto op = quantize.getInput().template getDefiningOp<OpTy>();
    if (!op || op->getNumResults() != 1 || !op->hasOneUse())
      return rewriter.notifyMatchFailure(quantize,
                                         "input is not a single-use candidate");
    Type element = quantize.getType().getElementType();
    if (!isa<quant::UniformQuantizedType>(element))
      return rewriter.notifyMatchFailure(quantize, "not quantized per tensor");
    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      Value quantized = getDequantized(operand);
      if (!quantized || rankedType(quantized).getElementType() != element)
        return rewriter.notifyMatchFailure(
            quantize, "an input is not dequantized with the output's "
                      "quantization");
      operands.push_back(quantized);
    }
    OperationState state(op->getLoc(), op->getName());
    state.addOperands(operands);
    state.addTypes(quantize.getType());
    state.addAttributes(op->getAttrs());
    rewriter.replaceOp(quantize, rewriter.create(state)->getResults());
    return success();
  }
};

/// c. quantize(act?(add(dequantize(a), dequantize(b)))) of one shape ->
///    quantized_add(a, b) with the activation as its clamp.
struct FoldQuantizedAdd : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    FailureOr<ActivationOutput> matched =
        matchActivationOutput(quantize, rewriter);
    if (failed(matched))
      return failure();
    auto [output, value, activation] = *matched;
    auto add = value.getDefiningOp<AddOp>();
    if (!add || !add->hasOneUse())
      return rewriter.notifyMatchFailure(quantize, "input is not a single-use "
                                                   "add");
    Value lhs = getDequantized(add.getLhs());
    Value rhs = getDequantized(add.getRhs());
    if (!lhs || !rhs)
      return rewriter.notifyMatchFailure(quantize,
                                         "the addends are not dequantized");
    for (Value operand : {lhs, rhs}) {
      auto type = dyn_cast<quant::UniformQuantizedType>(
          getQuantizedElementType(operand.getType()));
      if (!type || type.getStorageTypeIntegralWidth() != 8 ||
          rankedType(operand).getShape() != quantize.getType().getShape())
        return rewriter.notifyMatchFailure(
            quantize, "an addend is not 8-bit per tensor of the sum's shape");
    }
    auto [clampMin, clampMax] = getClampAttrs(rewriter, activation, output);
    rewriter.replaceOpWithNewOp<QuantizedAddOp>(quantize, quantize.getType(),
                                                lhs, rhs, clampMin, clampMax);
    return success();
  }
};

/// d. quantize(average_pool|global_average_pool(dequantize(x))) -> the sum
///    of each window as a depthwise convolution with a weight of ones of
///    scale 1 / count (an int32 accumulator of scale s_in / count), then
///    requantize: M = s_in / (s_out * count). Only windows whose count is
///    the same everywhere: no padding, or padding that counts.
struct FoldQuantizedAveragePool : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto output = dyn_cast<quant::UniformQuantizedType>(
        getQuantizedElementType(quantize.getType()));
    Operation *pool = quantize.getInput().getDefiningOp();
    if (!output || !isa_and_present<AveragePoolOp, GlobalAveragePoolOp>(pool) ||
        !pool->hasOneUse())
      return rewriter.notifyMatchFailure(
          quantize, "not a single-use average pool quantized per tensor");
    Value x = getDequantized(pool->getOperand(0));
    auto xType = x ? dyn_cast<quant::UniformQuantizedType>(
                         getQuantizedElementType(x.getType()))
                   : quant::UniformQuantizedType();
    if (!xType || xType.getStorageTypeIntegralWidth() != 8 ||
        rankedType(x).getRank() != 4)
      return rewriter.notifyMatchFailure(
          quantize, "the input is not a dequantized 8-bit 2-D image");
    RankedTensorType inputType = rankedType(x);
    SmallVector<int64_t> kernel(inputType.getShape().drop_front(2));
    SmallVector<int64_t> strides = {1, 1}, pads = {0, 0, 0, 0};
    if (auto average = dyn_cast<AveragePoolOp>(pool)) {
      if (average.getCeilMode() ||
          llvm::any_of(average.getDilations(),
                       [](int64_t d) { return d != 1; }) ||
          (!average.getCountIncludePad() &&
           llvm::any_of(average.getPads(), [](int64_t p) { return p != 0; })))
        return rewriter.notifyMatchFailure(
            quantize, "the window's count varies (ceil mode, dilation or "
                      "padding that does not count)");
      kernel.assign(average.getKernelShape().begin(),
                    average.getKernelShape().end());
      strides.assign(average.getStrides().begin(), average.getStrides().end());
      pads.assign(average.getPads().begin(), average.getPads().end());
    }
    int64_t channels = inputType.getDimSize(1);
    int64_t count = kernel[0] * kernel[1];
    Location loc = pool->getLoc();
    MLIRContext *context = rewriter.getContext();
    auto onesType = RankedTensorType::get({channels, 1, kernel[0], kernel[1]},
                                          rewriter.getI8Type());
    Value ones = ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(onesType, int8_t(1)));
    auto weightElement = quant::UniformQuantizedType::get(
        quant::QuantizationFlags::Signed, rewriter.getI8Type(),
        Float32Type::get(context), 1.0 / static_cast<double>(count), 0, -128,
        127);
    Value weight = quant::StorageCastOp::create(
        rewriter, loc, onesType.clone(weightElement), ones);
    quant::QuantizedType accumulator =
        getAccumulatorType(xType, weightElement, 1);
    if (!accumulator)
      return rewriter.notifyMatchFailure(quantize,
                                         "the accumulator scale is invalid");
    auto accType =
        RankedTensorType::get(quantize.getType().getShape(), accumulator);
    Value acc =
        ConvOp::create(rewriter, loc, accType, x, weight, Value(), strides,
                       pads, SmallVector<int64_t>{1, 1}, channels);
    rewriter.replaceOpWithNewOp<RequantizeOp>(quantize, quantize.getType(), acc,
                                              IntegerAttr(), IntegerAttr());
    return success();
  }
};

struct FoldQuantDequantPass
    : muon::impl::MuonFoldQuantDequantBase<FoldQuantDequantPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<FoldQuantizedProduct>(context, /*benefit=*/4);
    patterns.add<FoldStorageRoundTrip>(context);
    patterns.add<FoldQuantizedAdd, FoldQuantizedAveragePool>(context,
                                                             /*benefit=*/2);
    patterns.add<FoldQuantizedDataMovement<MaxPoolOp>,
                 FoldQuantizedDataMovement<ReshapeOp>,
                 FoldQuantizedDataMovement<TransposeOp>,
                 FoldQuantizedDataMovement<ConcatOp>>(context, /*benefit=*/3);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
