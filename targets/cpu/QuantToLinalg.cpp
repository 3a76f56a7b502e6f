//===- QuantToLinalg.cpp - Lower the quantization ops to linalg -----------===//
//
// muon.quantize, muon.dequantize and muon.requantize become element-wise
// linalg.generic ops on the storage types (i8, i32) with arith bodies; the
// quantized types disappear. The conversion's type converter gives every
// quantized value its storage type, so the patterns read and produce storage
// directly, and the quant.scast ops the importer put at the ONNX-visible
// seams become no-ops. The quantized products (conv, matmul, gemm) are
// here; max pooling and the data movement ops lower on storage in their own
// families' files. Per-axis scales and zero points become small constant
// tensors read at the channel index; per-tensor ones are scalar constants in
// the body.
//
// muon.requantize is Muon's shared requantization, `muon_requantize` of
// runtime/common/requant.h, bit for bit (docs/quantization.md).
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/Constants.h"
#include "dialects/muon/MuonOps.h"
#include "dialects/muon/Quantization.h"
#include "targets/cpu/LinalgBuilders.h"
#include "targets/cpu/Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace muon;

namespace {

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
struct QuantizeLowering : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    QuantParams q = getQuantParams(resultType);
    Type floatType = tensorType(op.getInput()).getElementType();
    ChannelParams params(resultType, q.axis);
    unsigned scale = params.add(rewriter, loc, floatType, q.scales);
    unsigned zeroPoint =
        params.add(rewriter, loc, floatType, toDoubles(q.zeroPoints));
    RankedTensorType storage = storageType(resultType);
    SmallVector<Value> inputs = {adaptor.getInput()};
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
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// DequantizeLinear: (q - zero_point) * scale. 8-bit values minus their zero
/// point are exact in f32, so the product rounds once as in the ONNX
/// reference; 32-bit ones are converted and multiplied in f64 (as numpy's
/// int32 * float32 does) and rounded to the result type at the end.
struct DequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Type floatType = resultType.getElementType();
    QuantParams q = getQuantParams(op.getInput().getType());
    Value storage = adaptor.getInput();
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

Value i32Constant(OpBuilder &b, Location loc, int32_t value) {
  return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(value));
}

/// muon_requantize's scaling of an int32 value `x` (held in i64) by the
/// fixed-point multiplier `m` (i64) and `shift` (i32), before the zero
/// point: a saturating left shift for shift < 0, SRDHM, a rounding right
/// shift for shift > 0; an int32 result. `shiftsLeft` / `shiftsRight` say
/// whether any channel needs that shift, to leave the other out.
///
/// requant.h's two roundings are one arithmetic shift of the product p =
/// x * m (|p| < 2^62) plus a bias. SRDHM's (p + nudge) / 2^31, truncating,
/// with nudge 2^30 for p >= 0 and 1 - 2^30 below, is floor((p + 2^30) / 2^31)
/// for either sign (for p < 0 it is ceil((p + 1 - 2^30) / 2^31)). The
/// rounding shift of that y by r = max(shift, 0), ties away from zero, is
/// floor((y + h) / 2^r) for y >= 0 and floor((y + max(h - 1, 0)) / 2^r) for
/// y < 0, h = 2^r / 2 (0 when r = 0); and floor((floor(a / 2^31) + c) / 2^r)
/// = floor((a + c 2^31) / 2^(31 + r)). So the result is
///   (p + 2^30 + (p < -2^30 ? max(h - 1, 0) : h) * 2^31) >> (31 + r)
/// with no overflow in i64 (the sum is below 2^62 + 2^61), and it fits
/// int32: SRDHM of an int32 by m < 2^31 does.
Value scaleByFixedPoint(OpBuilder &b, Location l, Value x, Value m, Value s,
                        bool shiftsLeft, bool shiftsRight) {
  Type i64 = b.getI64Type();
  Value zero = i64Constant(b, l, 0);
  Value shift = arith::ExtSIOp::create(b, l, i64, s);
  // Multipliers >= 1 shift left first, saturating to int32.
  if (shiftsLeft) {
    Value left = arith::MaxSIOp::create(
        b, l, arith::SubIOp::create(b, l, zero, shift), zero);
    x = clampInt(b, l, arith::ShLIOp::create(b, l, x, left),
                 i64Constant(b, l, INT32_MIN), i64Constant(b, l, INT32_MAX));
  }
  Value product = arith::MulIOp::create(b, l, x, m);
  Value rounding = i64Constant(b, l, int64_t(1) << 30);
  Value bias = rounding, right = i64Constant(b, l, 31);
  if (shiftsRight) {
    Value r = arith::MaxSIOp::create(b, l, shift, zero);
    Value one = i64Constant(b, l, 1);
    Value half =
        arith::ShRUIOp::create(b, l, arith::ShLIOp::create(b, l, one, r), one);
    Value halfBelow = arith::MaxSIOp::create(
        b, l, arith::SubIOp::create(b, l, half, one), zero);
    auto biasOf = [&](Value h) -> Value {
      return arith::AddIOp::create(
          b, l, rounding,
          arith::ShLIOp::create(b, l, h, i64Constant(b, l, 31)));
    };
    Value negative =
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, product,
                              i64Constant(b, l, -(int64_t(1) << 30)));
    bias = arith::SelectOp::create(b, l, negative, biasOf(halfBelow),
                                   biasOf(half));
    right = arith::AddIOp::create(b, l, right, r);
  }
  Value y = arith::ShRSIOp::create(
      b, l, arith::AddIOp::create(b, l, product, bias), right);
  return arith::TruncIOp::create(b, l, b.getI32Type(), y);
}

/// clamp(y + zeroPoint, lowest, highest) for an int32 `y`, in i32: y is
/// clamped to [lowest - zeroPoint, highest - zeroPoint] first (the same
/// result), so the sum cannot wrap.
Value addZeroPointAndClamp(OpBuilder &b, Location l, Value y, int64_t zeroPoint,
                           int64_t lowest, int64_t highest) {
  y = clampInt(b, l, y, i32Constant(b, l, int32_t(lowest - zeroPoint)),
               i32Constant(b, l, int32_t(highest - zeroPoint)));
  return arith::AddIOp::create(b, l, y, i32Constant(b, l, int32_t(zeroPoint)));
}

/// The shared requantization (runtime/common/requant.h, muon_requantize with
/// bias 0 and the op's fused activation clamp), per element:
///   shift < 0:  x = saturate_i32(x << -shift)
///   y = (x * m + (x * m >= 0 ? 2^30 : 1 - 2^30)) / 2^31   (truncating)
///   shift > 0:  y = sign(y) * ((|y| + 2^(shift-1)) >> shift)
///   q = clamp(y + zero_point, max(storage min, clamp_min),
///                             min(storage max, clamp_max))
/// the product computed in i64 so that nothing overflows, the rest in i32
/// (see scaleByFixedPoint). requant.h's one special case,
/// SRDHM(INT32_MIN, INT32_MIN), cannot occur: m is never negative.
struct RequantizeLowering : OpConversionPattern<RequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
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
    Value storage = adaptor.getInput();
    ChannelParams params(resultType, in.axis);
    Type i64 = rewriter.getI64Type();
    unsigned multiplier = params.add(rewriter, loc, i64, multipliers);
    unsigned shift = params.add(rewriter, loc, rewriter.getI32Type(), shifts);
    RankedTensorType resultStorage = storageType(resultType);
    int64_t zeroPoint = out.zeroPoints.front();
    // The fused activation clamp within the storage range (the verifier
    // keeps clamp_min <= clamp_max, both inside it).
    int64_t lowest, highest;
    std::tie(lowest, highest) =
        getClampRange(op.getClampMinAttr(), op.getClampMaxAttr(),
                      out.storageMin, out.storageMax);
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
          Value x = arith::ExtSIOp::create(b, l, i64, args[0]);
          Value y = scaleByFixedPoint(b, l, x, m, s, shiftsLeft, shiftsRight);
          Value z = addZeroPointAndClamp(b, l, y, zeroPoint, lowest, highest);
          return arith::TruncIOp::create(b, l, resultStorage.getElementType(),
                                         z);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// TFLite's quantized Add (docs/quantization-arithmetic.md), per element
/// (products in i64, the rest in i32): each input minus its zero point, shifted
/// left by 20 and scaled to the common scale (SRDHM, rounding right shift); the
/// sum requantized as muon.requantize does, with the fused clamp.
struct QuantizedAddLowering : OpConversionPattern<QuantizedAddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizedAddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    QuantParams lhs = getQuantParams(op.getLhs().getType());
    QuantParams rhs = getQuantParams(op.getRhs().getType());
    QuantParams out = getQuantParams(op.getType());
    QuantizedAddParams params = getQuantizedAddParams(
        lhs.scales.front(), rhs.scales.front(), out.scales.front());
    int64_t lowest, highest;
    std::tie(lowest, highest) =
        getClampRange(op.getClampMinAttr(), op.getClampMaxAttr(),
                      out.storageMin, out.storageMax);
    RankedTensorType resultStorage = storageType(op.getType());
    Value result = buildElementwise(
        rewriter, loc, resultStorage, {adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Type i64 = b.getI64Type();
          auto scaled = [&](Value q, const QuantParams &in,
                            FixedPointMultiplier multiplier) {
            Value x = in.isSigned
                          ? arith::ExtSIOp::create(b, l, i64, q).getResult()
                          : arith::ExtUIOp::create(b, l, i64, q).getResult();
            x = arith::SubIOp::create(b, l, x,
                                      i64Constant(b, l, in.zeroPoints.front()));
            x = arith::ShLIOp::create(b, l, x,
                                      i64Constant(b, l, params.leftShift));
            return scaleByFixedPoint(b, l, x,
                                     i64Constant(b, l, multiplier.multiplier),
                                     i32Constant(b, l, multiplier.shift),
                                     multiplier.shift<0, multiplier.shift> 0);
          };
          // The sum of two values below 2^28 in magnitude fits int32.
          Value sum =
              arith::AddIOp::create(b, l, scaled(args[0], lhs, params.lhs),
                                    scaled(args[1], rhs, params.rhs));
          Value y =
              scaleByFixedPoint(b, l, arith::ExtSIOp::create(b, l, i64, sum),
                                i64Constant(b, l, params.output.multiplier),
                                i32Constant(b, l, params.output.shift),
                                params.output.shift<0, params.output.shift> 0);
          Value z = addZeroPointAndClamp(b, l, y, out.zeroPoints.front(),
                                         lowest, highest);
          return arith::TruncIOp::create(b, l, resultStorage.getElementType(),
                                         z);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Quantized products: conv, matmul, gemm
//===----------------------------------------------------------------------===//
//
// acc = Σ (x - z_x)(w - z_w) is computed as linalg's named convolution or
// matrix product of the 8-bit storage itself (the ops sign-extend inside
// their body and accumulate in i32), onto an initial value that carries
// the zero point of x (docs/quantization-arithmetic.md):
//   acc = Σ x·w' − z_x · Σ_k w'   with w' = w − z_w,
// so the init is bias − z_x · Σ_k w' per output channel, computed at compile
// time for a constant weight and by a reduction otherwise; the input is
// padded with z_x, whose taps then contribute 0 as in the float model.
// uint8 storage q is first made int8 (q − 128, the flip of its top bit)
// with zero point z − 128, since linalg's convolutions only sign-extend. A
// weight with a nonzero zero point after that (uint8 weights) is centered:
// w − z_w in i32, and the input then widened to i32 as well.

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// A constant integer tensor of `type` (i8 or i32) holding `values`; large
/// ones as a resource blob, like the imported weights.
Value intTensorConstant(OpBuilder &b, Location loc, RankedTensorType type,
                        ArrayRef<int64_t> values) {
  unsigned width = type.getElementTypeBitWidth();
  if (type.getNumElements() > 16) {
    AsmResourceBlob blob =
        width == 8 ? HeapAsmResourceBlob::allocateAndCopyInferAlign(
                         ArrayRef(llvm::map_to_vector(
                             values,
                             [](int64_t v) { return static_cast<int8_t>(v); })))
                   : HeapAsmResourceBlob::allocateAndCopyInferAlign(
                         ArrayRef(llvm::map_to_vector(values, [](int64_t v) {
                           return static_cast<int32_t>(v);
                         })));
    return arith::ConstantOp::create(
        b, loc,
        DenseResourceElementsAttr::get(type, "quantized", std::move(blob)));
  }
  SmallVector<APInt> elements = llvm::map_to_vector(values, [&](int64_t v) {
    return APInt(width, static_cast<uint64_t>(v), /*isSigned=*/true,
                 /*implicitTrunc=*/true);
  });
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, elements));
}

/// An operand of a quantized product as signed storage: the values
/// (constant ones also as integers) and the zero points (one, or one per
/// element of the operand's quantized axis) of the same real values.
struct ProductOperand {
  Value storage;
  SmallVector<int64_t> zeroPoints;
  std::optional<SmallVector<int64_t>> values;
  std::optional<int64_t> axis;
};

/// The operand `quantized` of a quantized product, whose lowered value is
/// `storage`.
ProductOperand getProductOperand(OpBuilder &b, Location loc, Value quantized,
                                 Value storage) {
  quant::QuantizedType type = getQuantizedElementType(quantized.getType());
  ProductOperand operand{storage, getZeroPoints(type), getIntConstant(storage),
                         std::nullopt};
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type))
    operand.axis = perAxis.getQuantizedDimension();
  if (type.isSigned())
    return operand;
  // uint8 q as int8 q - 128: the same real values with zero points - 128.
  for (int64_t &zeroPoint : operand.zeroPoints)
    zeroPoint -= 128;
  RankedTensorType storageType = tensorType(storage);
  if (operand.values) {
    for (int64_t &value : *operand.values)
      value = (value & 0xFF) - 128;
    operand.storage = intTensorConstant(b, loc, storageType, *operand.values);
    return operand;
  }
  operand.storage = buildElementwise(
      b, loc, storageType, storage,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        return arith::XOrIOp::create(
            nb, l, args[0], scalarConstant(nb, l, args[0].getType(), -128));
      });
  return operand;
}

/// Gives a weight with nonzero zero points i32 storage w - z_w (per channel
/// along its quantized axis) and zero points 0, and the input i32 storage
/// too (the contraction then runs on i32 operands, as the vectorizer wants
/// operands of one type).
void centerWeight(OpBuilder &b, Location loc, ProductOperand &input,
                  ProductOperand &weight) {
  if (llvm::all_of(weight.zeroPoints, [](int64_t z) { return z == 0; }))
    return;
  RankedTensorType inputType = tensorType(input.storage);
  input.storage = buildElementwise(
      b, loc, inputType.clone(b.getI32Type()), input.storage,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        return arith::ExtSIOp::create(nb, l, nb.getI32Type(), args[0]);
      });
  RankedTensorType type = tensorType(weight.storage);
  auto centeredType = type.clone(b.getI32Type());
  if (weight.values) {
    ArrayRef<int64_t> shape = type.getShape();
    int64_t stride = weight.axis ? stridesOf(shape)[*weight.axis] : 1;
    int64_t size = weight.axis ? shape[*weight.axis] : 1;
    for (auto [i, value] : llvm::enumerate(*weight.values))
      value -= weight.zeroPoints[weight.axis ? (i / stride) % size : 0];
    weight.storage = intTensorConstant(b, loc, centeredType, *weight.values);
  } else {
    ChannelParams params(centeredType, weight.axis);
    unsigned zeroPoint =
        params.add(b, loc, b.getI32Type(), toDoubles(weight.zeroPoints));
    SmallVector<Value> inputs = {weight.storage};
    llvm::append_range(inputs, params.tensors());
    weight.storage = buildElementwise(
        b, loc, centeredType, inputs,
        [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Value wide = arith::ExtSIOp::create(nb, l, nb.getI32Type(), args[0]);
          return arith::SubIOp::create(
              nb, l, wide, params.get(nb, l, args.drop_front(), zeroPoint));
        });
  }
  std::fill(weight.zeroPoints.begin(), weight.zeroPoints.end(), 0);
}

/// The sums of `values` (a tensor of `shape`) over `axes`, row major over
/// the remaining dimensions.
SmallVector<int64_t> sumOverAxes(ArrayRef<int64_t> values,
                                 ArrayRef<int64_t> shape,
                                 ArrayRef<int64_t> axes) {
  SmallVector<int64_t> kept;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    if (!llvm::is_contained(axes, d))
      kept.push_back(d);
  SmallVector<int64_t> keptShape =
      llvm::map_to_vector(kept, [&](int64_t d) { return shape[d]; });
  SmallVector<int64_t> keptStrides = stridesOf(keptShape);
  SmallVector<int64_t> strides = stridesOf(shape);
  int64_t count = 1;
  for (int64_t size : keptShape)
    count *= size;
  SmallVector<int64_t> sums(count, 0);
  for (auto [i, value] : llvm::enumerate(values)) {
    int64_t target = 0;
    for (auto [k, d] : llvm::enumerate(kept))
      target +=
          (static_cast<int64_t>(i) / strides[d]) % shape[d] * keptStrides[k];
    sums[target] += value;
  }
  return sums;
}

/// What the product accumulates onto: bias - z_x · Σ_axes w, an i32 tensor
/// of the weight's shape without `axes` (null when there is neither a bias
/// nor a zero point to fold).
Value getProductInit(OpBuilder &b, Location loc, const ProductOperand &input,
                     const ProductOperand &weight, Value bias,
                     ArrayRef<int64_t> axes) {
  int64_t inputZeroPoint = input.zeroPoints.front();
  if (inputZeroPoint == 0)
    return bias;
  RankedTensorType weightType = tensorType(weight.storage);
  auto initType = RankedTensorType::get(
      droppedType(weightType, axes).getShape(), b.getI32Type());
  std::optional<SmallVector<int64_t>> biasValues;
  if (bias)
    biasValues = getIntConstant(bias);
  Value sums;
  if (weight.values) {
    SmallVector<int64_t> sumValues =
        sumOverAxes(*weight.values, weightType.getShape(), axes);
    if (!bias || biasValues) {
      for (auto [i, sum] : llvm::enumerate(sumValues))
        sum = (biasValues ? (*biasValues)[i] : 0) - inputZeroPoint * sum;
      return intTensorConstant(b, loc, initType, sumValues);
    }
    sums = intTensorConstant(b, loc, initType, sumValues);
  } else {
    sums = buildReduction(
        b, loc, weight.storage, axes, scalarConstant(b, loc, b.getI32Type(), 0),
        [](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Value wide = args[0];
          if (wide.getType() != args[1].getType())
            wide = arith::ExtSIOp::create(nb, l, args[1].getType(), wide);
          return arith::AddIOp::create(nb, l, wide, args[1]);
        });
  }
  SmallVector<Value> inputs = {sums};
  if (bias)
    inputs.push_back(bias);
  return buildElementwise(
      b, loc, initType, inputs,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value correction = arith::MulIOp::create(
            nb, l, args[0],
            scalarConstant(nb, l, nb.getI32Type(), -inputZeroPoint));
        if (args.size() > 1)
          return arith::AddIOp::create(nb, l, args[1], correction);
        return correction;
      });
}

bool isQuantizedProduct(Operation *op) {
  return getQuantizedElementType(op->getResult(0).getType()) != nullptr;
}

struct QuantizedConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantizedProduct(op))
      return rewriter.notifyMatchFailure(op, "not a quantized convolution");
    Location loc = op.getLoc();
    ProductOperand input =
        getProductOperand(rewriter, loc, op.getInput(), adaptor.getInput());
    ProductOperand weight =
        getProductOperand(rewriter, loc, op.getWeight(), adaptor.getWeight());
    centerWeight(rewriter, loc, input, weight);
    Value bias = adaptor.getBias();
    int64_t rank = tensorType(weight.storage).getRank();
    Value init = getProductInit(rewriter, loc, input, weight, bias,
                                llvm::to_vector(llvm::seq<int64_t>(1, rank)));
    Value acc =
        buildConvolution(rewriter, loc, input.storage, weight.storage, init,
                         storageType(op.getType()), op.getStrides(),
                         op.getPads(), op.getDilations(), op.getGroup(),
                         static_cast<double>(input.zeroPoints.front()));
    rewriter.replaceOp(op, acc);
    return success();
  }
};

struct QuantizedMatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantizedProduct(op))
      return rewriter.notifyMatchFailure(op, "not a quantized matmul");
    Location loc = op.getLoc();
    ProductOperand lhs =
        getProductOperand(rewriter, loc, op.getLhs(), adaptor.getLhs());
    ProductOperand rhs =
        getProductOperand(rewriter, loc, op.getRhs(), adaptor.getRhs());
    centerWeight(rewriter, loc, lhs, rhs);
    RankedTensorType rhsType = tensorType(rhs.storage);
    int64_t rank = rhsType.getRank();
    // Σ_k over the rows of rhs: [..., N], read as [..., 1, N].
    Value init = getProductInit(rewriter, loc, lhs, rhs, Value(), {rank - 2});
    if (init) {
      SmallVector<int64_t> shape(rhsType.getShape());
      shape[rank - 2] = 1;
      init = reshapeTensor(rewriter, loc, init,
                           RankedTensorType::get(shape, rewriter.getI32Type()));
    }
    Value acc = buildMatMul(rewriter, loc, lhs.storage, rhs.storage,
                            storageType(op.getType()), init);
    rewriter.replaceOp(op, acc);
    return success();
  }
};

/// A quantized gemm is A x op(B) + C with C the int32 bias; a transposed
/// constant B is transposed here, once.
struct QuantizedGemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantizedProduct(op))
      return rewriter.notifyMatchFailure(op, "not a quantized gemm");
    Location loc = op.getLoc();
    ProductOperand lhs =
        getProductOperand(rewriter, loc, op.getA(), adaptor.getA());
    ProductOperand rhs =
        getProductOperand(rewriter, loc, op.getB(), adaptor.getB());
    if (op.getTransB()) {
      RankedTensorType type = tensorType(rhs.storage);
      int64_t n = type.getDimSize(0), k = type.getDimSize(1);
      auto transposedType =
          RankedTensorType::get({k, n}, type.getElementType());
      if (rhs.values) {
        SmallVector<int64_t> transposed(rhs.values->size());
        for (int64_t row = 0; row < n; ++row)
          for (int64_t col = 0; col < k; ++col)
            transposed[col * n + row] = (*rhs.values)[row * k + col];
        rhs.values = transposed;
        rhs.storage =
            intTensorConstant(rewriter, loc, transposedType, transposed);
      } else {
        rhs.storage = linalg::TransposeOp::create(
                          rewriter, loc, rhs.storage,
                          emptyTensor(rewriter, loc, transposedType),
                          ArrayRef<int64_t>{1, 0})
                          .getResult()[0];
      }
      if (rhs.axis)
        rhs.axis = 1;
    }
    centerWeight(rewriter, loc, lhs, rhs);
    Value bias = adaptor.getC();
    Value init = getProductInit(rewriter, loc, lhs, rhs, bias, {0});
    Value acc = buildMatMul(rewriter, loc, lhs.storage, rhs.storage,
                            storageType(op.getType()), init);
    rewriter.replaceOp(op, acc);
    return success();
  }
};

/// quant.scast between a quantized type and its storage type changes no
/// bits: both sides lower to the same storage value.
struct StorageCastLowering : OpConversionPattern<quant::StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (adaptor.getInput().getType() !=
        getTypeConverter()->convertType(op.getType()))
      return rewriter.notifyMatchFailure(op,
                                         "not between a type and its storage");
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

} // namespace

void muon::populateQuantLowerings(const TypeConverter &converter,
                                  RewritePatternSet &patterns) {
  // Conv, MatMul and Gemm here on quantized types only; their plain
  // lowerings reject those.
  patterns.add<QuantizeLowering, DequantizeLowering, RequantizeLowering,
               QuantizedAddLowering, StorageCastLowering, QuantizedConvLowering,
               QuantizedMatMulLowering, QuantizedGemmLowering>(
      converter, patterns.getContext());
}
