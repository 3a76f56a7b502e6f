//===- QuantToLinalg.cpp - Lower the quantization ops to linalg -----------===//
//
// muon.quantize, muon.dequantize and muon.requantize become element-wise
// linalg.generic ops on the storage types (i8, i32) with arith bodies; the
// quantized types disappear. Each pattern reads its operand's storage through
// a quant.scast and casts its result back to the quantized type, so that
// the casts between two lowered ops, and those the importer put at the
// ONNX-visible seams, fold away in pairs (as upstream's LowerQuantOps does).
// Per-axis scales and zero points become small constant tensors read at the
// channel index; per-tensor ones are scalar constants in the body.
//
// muon.requantize is Muon's shared requantization, `muon_requantize` of
// runtime/common/requant.h, bit for bit (docs/quantization.md).
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "dialects/muon/Quantization.h"
#include "targets/cpu/LinalgBuilders.h"
#include "targets/cpu/Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

using namespace mlir;
using namespace muon;

namespace {

/// The signless integer storage tensor type of a quantized tensor type.
RankedTensorType storageType(RankedTensorType type) {
  auto quantized = cast<quant::QuantizedType>(type.getElementType());
  return RankedTensorType::get(
      type.getShape(),
      IntegerType::get(type.getContext(),
                       quantized.getStorageTypeIntegralWidth()));
}

/// The storage of a quantized tensor, through a quant.scast that folds with
/// the one that produced the quantized value.
Value toStorage(OpBuilder &b, Location loc, Value quantized) {
  return quant::StorageCastOp::create(
      b, loc, storageType(tensorType(quantized)), quantized);
}

/// The scales and zero points of a quantized type: one of each for a
/// per-tensor type, one per element of the quantized axis otherwise.
struct QuantParams {
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  std::optional<int64_t> axis;
  int64_t storageMin = 0, storageMax = 0;
  bool isSigned = true;
};

QuantParams getQuantParams(Type tensor) {
  auto element = getElementTypeOrSelf(tensor);
  QuantParams params;
  auto quantized = cast<quant::QuantizedType>(element);
  params.storageMin = quantized.getStorageTypeMin();
  params.storageMax = quantized.getStorageTypeMax();
  params.isSigned = quantized.isSigned();
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(element)) {
    params.scales.push_back(perTensor.getScale());
    params.zeroPoints.push_back(perTensor.getZeroPoint());
  } else {
    auto perAxis = cast<quant::UniformQuantizedPerAxisType>(element);
    params.scales.assign(perAxis.getScales().begin(),
                         perAxis.getScales().end());
    params.zeroPoints.assign(perAxis.getZeroPoints().begin(),
                             perAxis.getZeroPoints().end());
    params.axis = perAxis.getQuantizedDimension();
  }
  return params;
}

/// Parameters of an element-wise body that are either one scalar (per
/// tensor) or one value per channel (per axis). A per-channel parameter is a
/// constant tensor of shape [C, 1, ..., 1] (C at the quantized axis), which
/// ONNX broadcasting reads at the channel index; a scalar one is an
/// arith.constant in the body, which canonicalization can fold through.
class ChannelParams {
public:
  ChannelParams(RankedTensorType resultType, std::optional<int64_t> axis)
      : resultType(resultType), axis(axis) {}

  /// Adds a parameter of element type `type` (i32, i64 or f32) and returns
  /// its index for `get`.
  unsigned add(OpBuilder &b, Location loc, Type type, ArrayRef<double> values) {
    Param param{type, values.front(), -1};
    if (values.size() > 1) {
      SmallVector<int64_t> shape(resultType.getRank() - *axis, 1);
      shape.front() = values.size();
      auto tensor = RankedTensorType::get(shape, type);
      SmallVector<Attribute> elements;
      for (double value : values)
        elements.push_back(isa<FloatType>(type)
                               ? Attribute(b.getFloatAttr(type, value))
                               : Attribute(b.getIntegerAttr(
                                     type, static_cast<int64_t>(value))));
      param.input = inputs.size();
      inputs.push_back(arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(tensor, elements)));
    }
    params.push_back(param);
    return params.size() - 1;
  }

  /// The tensors the generic op reads besides the data.
  ArrayRef<Value> tensors() const { return inputs; }

  /// Parameter `i` inside the body, given the body's arguments after the
  /// data operand.
  Value get(OpBuilder &b, Location loc, ValueRange args, unsigned i) const {
    const Param &param = params[i];
    if (param.input >= 0)
      return args[param.input];
    if (isa<FloatType>(param.type))
      return arith::ConstantOp::create(
          b, loc, b.getFloatAttr(param.type, param.scalar));
    return arith::ConstantOp::create(
        b, loc,
        b.getIntegerAttr(param.type, static_cast<int64_t>(param.scalar)));
  }

private:
  struct Param {
    Type type;
    double scalar;
    int64_t input;
  };
  RankedTensorType resultType;
  std::optional<int64_t> axis;
  SmallVector<Param> params;
  SmallVector<Value> inputs;
};

SmallVector<double> toDoubles(ArrayRef<int64_t> values) {
  return llvm::map_to_vector(values,
                             [](int64_t v) { return static_cast<double>(v); });
}

Value i64Constant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(value));
}

/// Clamps a signed integer to [lo, hi].
Value clampInt(OpBuilder &b, Location loc, Value x, Value lo, Value hi) {
  return arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, x, lo),
                                hi);
}

/// QuantizeLinear: q = saturate(round_half_to_even(x / scale) + zero_point).
/// The sum is formed in float (exact below 2^24, and anything larger
/// saturates) and clamped before the conversion, so no value is out of the
/// conversion's range; maxnumf/minnumf send NaN to the lower bound instead
/// of an undefined conversion.
struct QuantizeLowering : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    QuantParams q = getQuantParams(resultType);
    Type floatType = tensorType(op.getInput()).getElementType();
    ChannelParams params(resultType, q.axis);
    unsigned scale = params.add(rewriter, loc, floatType, q.scales);
    unsigned zeroPoint =
        params.add(rewriter, loc, floatType, toDoubles(q.zeroPoints));
    RankedTensorType storage = storageType(resultType);
    SmallVector<Value> inputs = {op.getInput()};
    llvm::append_range(inputs, params.tensors());
    Value result = buildElementwise(
        rewriter, loc, storage, inputs,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value x = args[0];
          ValueRange rest = args.drop_front();
          Value scaled =
              arith::DivFOp::create(b, l, x, params.get(b, l, rest, scale));
          Value rounded = math::RoundEvenOp::create(b, l, scaled);
          Value shifted = arith::AddFOp::create(
              b, l, rounded, params.get(b, l, rest, zeroPoint));
          Value lo = arith::ConstantOp::create(
              b, l, b.getFloatAttr(floatType, q.storageMin));
          Value hi = arith::ConstantOp::create(
              b, l, b.getFloatAttr(floatType, q.storageMax));
          Value clamped = arith::MinNumFOp::create(
              b, l, arith::MaxNumFOp::create(b, l, shifted, lo), hi);
          Value wide = arith::FPToSIOp::create(b, l, b.getI32Type(), clamped);
          return arith::TruncIOp::create(b, l, storage.getElementType(), wide);
        });
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(op, resultType, result);
    return success();
  }
};

/// DequantizeLinear: (q - zero_point) * scale. 8-bit values minus their zero
/// point are exact in f32, so the product rounds once as in the ONNX
/// reference; 32-bit ones are converted and multiplied in f64 (as numpy's
/// int32 * float32 does) and rounded to the result type at the end.
struct DequantizeLowering : OpRewritePattern<DequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DequantizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Type floatType = resultType.getElementType();
    QuantParams q = getQuantParams(op.getInput().getType());
    Value storage = toStorage(rewriter, loc, op.getInput());
    unsigned width = tensorType(storage).getElementTypeBitWidth();
    Type computeType = width > 8 ? Type(rewriter.getF64Type()) : floatType;
    ChannelParams params(resultType, q.axis);
    unsigned scale = params.add(rewriter, loc, computeType, q.scales);
    unsigned zeroPoint = params.add(rewriter, loc, rewriter.getI32Type(),
                                    toDoubles(q.zeroPoints));
    SmallVector<Value> inputs = {storage};
    llvm::append_range(inputs, params.tensors());
    Value result = buildElementwise(
        rewriter, loc, resultType, inputs,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value x = args[0];
          ValueRange rest = args.drop_front();
          Type i32 = b.getI32Type();
          if (width < 32)
            x = q.isSigned ? arith::ExtSIOp::create(b, l, i32, x).getResult()
                           : arith::ExtUIOp::create(b, l, i32, x).getResult();
          Value centered =
              arith::SubIOp::create(b, l, x, params.get(b, l, rest, zeroPoint));
          Value real = arith::SIToFPOp::create(b, l, computeType, centered);
          Value product =
              arith::MulFOp::create(b, l, real, params.get(b, l, rest, scale));
          if (computeType != floatType)
            product = arith::TruncFOp::create(b, l, floatType, product);
          return product;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The shared requantization (runtime/common/requant.h, muon_requantize with
/// bias 0 and no activation clamp beyond the storage range), per element:
///   shift < 0:  x = saturate_i32(x << -shift)
///   y = (x * m + (x * m >= 0 ? 2^30 : 1 - 2^30)) / 2^31   (truncating)
///   shift > 0:  y = sign(y) * ((|y| + 2^(shift-1)) >> shift)
///   q = clamp(y + zero_point, storage min, storage max)
/// computed in i64 so that nothing overflows. requant.h's one special case,
/// SRDHM(INT32_MIN, INT32_MIN), cannot occur: m is never negative.
struct RequantizeLowering : OpRewritePattern<RequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RequantizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    QuantParams in = getQuantParams(op.getInput().getType());
    QuantParams out = getQuantParams(resultType);
    SmallVector<double> multipliers, shifts;
    for (double scale : in.scales) {
      FixedPointMultiplier fixed =
          getFixedPointMultiplier(scale / out.scales.front());
      multipliers.push_back(fixed.multiplier);
      shifts.push_back(fixed.shift);
    }
    Value storage = toStorage(rewriter, loc, op.getInput());
    ChannelParams params(resultType, in.axis);
    Type i64 = rewriter.getI64Type();
    unsigned multiplier = params.add(rewriter, loc, i64, multipliers);
    unsigned shift = params.add(rewriter, loc, i64, shifts);
    RankedTensorType resultStorage = storageType(resultType);
    int64_t zeroPoint = out.zeroPoints.front();
    // Which of the two shifts any channel needs, to leave out the other.
    bool shiftsLeft = llvm::any_of(shifts, [](double s) { return s < 0; });
    bool shiftsRight = llvm::any_of(shifts, [](double s) { return s > 0; });
    SmallVector<Value> inputs = {storage};
    llvm::append_range(inputs, params.tensors());
    Value result = buildElementwise(
        rewriter, loc, resultStorage, inputs,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          ValueRange rest = args.drop_front();
          Value m = params.get(b, l, rest, multiplier);
          Value s = params.get(b, l, rest, shift);
          Value zero = i64Constant(b, l, 0);
          Value x = arith::ExtSIOp::create(b, l, i64, args[0]);
          // Multipliers >= 1 shift left first, saturating to int32.
          if (shiftsLeft) {
            Value left = arith::MaxSIOp::create(
                b, l, arith::SubIOp::create(b, l, zero, s), zero);
            x = clampInt(b, l, arith::ShLIOp::create(b, l, x, left),
                         i64Constant(b, l, INT32_MIN),
                         i64Constant(b, l, INT32_MAX));
          }
          // SRDHM: the product rounded to the nearest multiple of 2^31,
          // ties towards +infinity by gemmlowp's nudge.
          Value product = arith::MulIOp::create(b, l, x, m);
          Value nonNegative = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::sge, product, zero);
          Value nudge = arith::SelectOp::create(
              b, l, nonNegative, i64Constant(b, l, int64_t(1) << 30),
              i64Constant(b, l, 1 - (int64_t(1) << 30)));
          Value y = arith::DivSIOp::create(
              b, l, arith::AddIOp::create(b, l, product, nudge),
              i64Constant(b, l, int64_t(1) << 31));
          // Rounding right shift, ties away from zero; (1 << right) >> 1 is
          // the half unit, 0 when right is 0.
          if (shiftsRight)
            y = roundingShiftRight(b, l, y, s);
          Value z =
              arith::AddIOp::create(b, l, y, i64Constant(b, l, zeroPoint));
          z = clampInt(b, l, z, i64Constant(b, l, out.storageMin),
                       i64Constant(b, l, out.storageMax));
          return arith::TruncIOp::create(b, l, resultStorage.getElementType(),
                                         z);
        });
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(op, resultType, result);
    return success();
  }

  /// requant.h's rounding right shift of y by max(shift, 0), in i64.
  static Value roundingShiftRight(OpBuilder &b, Location l, Value y, Value s) {
    Value zero = i64Constant(b, l, 0);
    Value right = arith::MaxSIOp::create(b, l, s, zero);
    Value one = i64Constant(b, l, 1);
    Value half = arith::ShRUIOp::create(
        b, l, arith::ShLIOp::create(b, l, one, right), one);
    Value negative =
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, y, zero);
    Value magnitude = arith::SelectOp::create(
        b, l, negative, arith::SubIOp::create(b, l, zero, y), y);
    Value rounded = arith::ShRUIOp::create(
        b, l, arith::AddIOp::create(b, l, magnitude, half), right);
    return arith::SelectOp::create(
        b, l, negative, arith::SubIOp::create(b, l, zero, rounded), rounded);
  }
};

} // namespace

void muon::populateQuantLowerings(RewritePatternSet &patterns) {
  patterns.add<QuantizeLowering, DequantizeLowering, RequantizeLowering>(
      patterns.getContext());
}
