//===- OnnxQuantOps.cpp - ONNX quantization operators ---------------------===//
//
// Conversions of ONNX operators to muon ops; registered in lookupConverter
// (OnnxOps.cpp) through addQuantConverters. Semantics follow the operator
// specification (https://onnx.ai/onnx/operators/), opsets 10 to 13 as the
// backend tests use them.
//
// Quantized tensors are `!quant.uniform` tensors whose type holds the scale
// and zero point, so those must be constants known at import time; ONNX
// tensors themselves stay plain int8/uint8/int32, with quant.scast at the
// seams (uint8 is first reinterpreted as i8 by a same-width muon.cast, since
// quant.scast takes signless storage). QLinearMatMul and QLinearConv with
// constant zero points become quantized muon.matmul / muon.conv (8-bit
// quantized operands, an int32 accumulator) and muon.requantize, the
// requantization every target shares (docs/quantization.md) — the form the
// QDQ fold (passes/FoldQuantDequant.cpp) gives QDQ models. MatMulInteger,
// ConvInteger and the QLinear ops with run-time zero points subtract the
// zero points in int32 and run muon.matmul / muon.conv on int32.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeContext.h"
#include "dialects/muon/Constants.h"
#include "dialects/muon/MuonOps.h"
#include "dialects/muon/Quantization.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include <cmath>

using namespace mlir;
using namespace muon;
using namespace muon::onnx_importer;

//===----------------------------------------------------------------------===//
// Quantization parameters
//===----------------------------------------------------------------------===//

static Type uint8Type(MLIRContext *context) {
  return IntegerType::get(context, 8, IntegerType::Unsigned);
}

/// The scales of constant input `i`, which must be positive and finite.
static FailureOr<SmallVector<double>> readScales(NodeContext &node, unsigned i,
                                                 StringRef what) {
  std::optional<SmallVector<float>> scales;
  if (node.input(i))
    scales = getF32Constant(node.input(i));
  if (!scales)
    return node.emitError()
           << what << " (input " << i
           << ") must be a float constant known at import time";
  for (float scale : *scales)
    if (!(scale > 0.0f) || !std::isfinite(scale))
      return node.emitError()
             << what << " must be positive and finite, not " << scale;
  return llvm::map_to_vector(*scales,
                             [](float s) { return static_cast<double>(s); });
}

/// The zero points of constant input `i` (`count` zeros when it is absent).
static FailureOr<SmallVector<int64_t>>
readZeroPoints(NodeContext &node, unsigned i, StringRef what, size_t count) {
  if (!node.input(i))
    return SmallVector<int64_t>(count, 0);
  std::optional<SmallVector<int64_t>> zeroPoints =
      getIntConstant(node.input(i));
  if (!zeroPoints)
    return node.emitError()
           << what << " (input " << i
           << ") must be an integer constant known at import time";
  if (zeroPoints->size() != count)
    return node.emitError() << what << " has " << zeroPoints->size()
                            << " elements, the scale " << count;
  return *zeroPoints;
}

/// Whether scale input `i` quantizes per axis (a 1-D tensor of more than one
/// element) and then along which axis of a tensor of type `data`: ONNX's
/// `axis` attribute (default 1), whose dimension must match the scale count.
static FailureOr<std::optional<int64_t>>
readQuantAxis(NodeContext &node, unsigned i, RankedTensorType data) {
  RankedTensorType scale = node.inputType(i);
  if (scale.getNumElements() == 1)
    return std::optional<int64_t>();
  if (scale.getRank() != 1)
    return node.emitError() << "scale (input " << i << ") " << scale
                            << " must be a scalar or 1-D";
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getInt("axis", 1), data.getRank());
  if (failed(axis))
    return failure();
  if (data.getDimSize(*axis) != scale.getDimSize(0))
    return node.emitError()
           << "scale (input " << i << ") " << scale << " does not match axis "
           << *axis << " of " << data;
  return std::optional<int64_t>(*axis);
}

/// The quantized element type with ONNX storage `storage` (int8, uint8 or
/// int32), expressed in f32, per tensor or along `axis`; an error naming the
/// node when the quant dialect rejects the parameters (e.g. a scale outside
/// f32's range, as a product of two tiny scales may be).
static FailureOr<Type> quantizedType(NodeContext &node, Type storage,
                                     ArrayRef<double> scales,
                                     ArrayRef<int64_t> zeroPoints,
                                     std::optional<int64_t> axis) {
  auto integer = cast<IntegerType>(storage);
  MLIRContext *context = storage.getContext();
  bool isSigned = !integer.isUnsigned();
  unsigned width = integer.getWidth();
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  Type signless = IntegerType::get(context, width);
  Type f32 = Float32Type::get(context);
  int64_t min =
      quant::QuantizedType::getDefaultMinimumForInteger(isSigned, width);
  int64_t max =
      quant::QuantizedType::getDefaultMaximumForInteger(isSigned, width);
  auto emitError = [&] { return node.emitError(); };
  Type type;
  if (!axis)
    type = quant::UniformQuantizedType::getChecked(
        emitError, flags, signless, f32, scales.front(), zeroPoints.front(),
        min, max);
  else
    type = quant::UniformQuantizedPerAxisType::getChecked(
        emitError, flags, signless, f32, scales, zeroPoints, *axis, min, max);
  if (!type)
    return failure();
  return type;
}

static RankedTensorType withElementType(Value value, Type element) {
  return RankedTensorType::get(
      cast<RankedTensorType>(value.getType()).getShape(), element);
}

/// An ONNX integer tensor viewed as the quantized type `element`.
static FailureOr<Value> toQuantized(NodeContext &node, Value value,
                                    Type element) {
  auto integer = cast<IntegerType>(
      cast<RankedTensorType>(value.getType()).getElementType());
  if (integer.isUnsigned()) {
    FailureOr<Value> signless = node.create<CastOp>(
        value, IntegerType::get(node.context(), integer.getWidth()));
    if (failed(signless))
      return failure();
    value = *signless;
  }
  return quant::StorageCastOp::create(node.builder(), node.loc(),
                                      withElementType(value, element), value)
      .getResult();
}

/// A quantized tensor as the ONNX integer tensor of element type `storage`.
static FailureOr<Value> fromQuantized(NodeContext &node, Value value,
                                      Type storage) {
  auto integer = cast<IntegerType>(storage);
  Type signless = IntegerType::get(node.context(), integer.getWidth());
  Value plain = quant::StorageCastOp::create(
      node.builder(), node.loc(), withElementType(value, signless), value);
  if (!integer.isUnsigned())
    return plain;
  return node.create<CastOp>(plain, storage);
}

/// A per-axis parameter tensor of shape [C] reshaped to [C, 1, ..., 1] so
/// that ONNX broadcasting aligns it with `axis` of a rank-`rank` tensor; a
/// single element becomes a scalar.
static FailureOr<Value> alignToAxis(NodeContext &node, Value param,
                                    std::optional<int64_t> axis, int64_t rank) {
  if (!axis)
    return node.reshape(param, {});
  SmallVector<int64_t> shape(rank - *axis, 1);
  shape.front() = cast<RankedTensorType>(param.getType()).getNumElements();
  return node.reshape(param, shape);
}

//===----------------------------------------------------------------------===//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear
//===----------------------------------------------------------------------===//

/// saturate(round_half_to_even(x / scale) + zeroPoint) with float ops, cast
/// to `storage`: QuantizeLinear with run-time parameters (the form
/// DynamicQuantizeLinear's function body takes) and DynamicQuantizeLinear.
/// `scale` and `zeroPoint` are f32 and broadcast to x.
static FailureOr<Value> quantizeWithFloatOps(NodeContext &node, Value x,
                                             Value scale, Value zeroPoint,
                                             Type storage) {
  auto integer = cast<IntegerType>(storage);
  bool isSigned = !integer.isUnsigned();
  Builder b(node.context());
  FailureOr<Value> scaled = node.create<DivOp>(x, scale);
  if (failed(scaled))
    return failure();
  FailureOr<Value> rounded = node.create<RoundOp>(*scaled);
  if (failed(rounded))
    return failure();
  FailureOr<Value> shifted = node.create<AddOp>(*rounded, zeroPoint);
  if (failed(shifted))
    return failure();
  FailureOr<Value> clipped = node.create<ClipOp>(
      *shifted,
      b.getF32FloatAttr(quant::QuantizedType::getDefaultMinimumForInteger(
          isSigned, integer.getWidth())),
      b.getF32FloatAttr(quant::QuantizedType::getDefaultMaximumForInteger(
          isSigned, integer.getWidth())));
  if (failed(clipped))
    return failure();
  return node.create<CastOp>(*clipped, storage);
}

/// Input `i` (an integer tensor) as f32 aligned with `axis`; absent gives 0.
static FailureOr<Value> zeroPointAsFloat(NodeContext &node, unsigned i,
                                         std::optional<int64_t> axis,
                                         int64_t rank) {
  Type f32 = Float32Type::get(node.context());
  if (!node.input(i))
    return node.constant(
        DenseElementsAttr::get(RankedTensorType::get({}, f32), 0.0f));
  FailureOr<Value> value = node.create<CastOp>(node.input(i), f32);
  if (failed(value))
    return failure();
  return alignToAxis(node, *value, axis, rank);
}

/// Whether the scale (input 1) and the optional zero point (input 2) of a
/// QuantizeLinear or DequantizeLinear are constants, which then define a
/// quantized type; else the node is computed with float ops.
static bool hasConstantParams(NodeContext &node) {
  return getF32Constant(node.input(1)) &&
         (!node.input(2) || getIntConstant(node.input(2)));
}

/// The quantized type of `storage` that the constant scale (input 1, named
/// `scaleName`) and zero point (input 2, `zeroPointName`) define.
static FailureOr<Type> readParamsType(NodeContext &node, Type storage,
                                      StringRef scaleName,
                                      StringRef zeroPointName,
                                      std::optional<int64_t> axis) {
  FailureOr<SmallVector<double>> scales = readScales(node, 1, scaleName);
  if (failed(scales))
    return failure();
  FailureOr<SmallVector<int64_t>> zeroPoints =
      readZeroPoints(node, 2, zeroPointName, scales->size());
  if (failed(zeroPoints))
    return failure();
  return quantizedType(node, storage, *scales, *zeroPoints, axis);
}

/// QuantizeLinear-10/13: y = saturate(round(x / y_scale) + y_zero_point),
/// per tensor or (13) per `axis`; y has the zero point's type, uint8
/// without one. Constant parameters give muon.quantize to a quantized type;
/// run-time ones (DynamicQuantizeLinear's expansion computes the scale) the
/// same arithmetic with float ops.
static LogicalResult convertQuantizeLinear(NodeContext &node) {
  if (failed(node.expectInputs(2, 3)))
    return failure();
  if (node.getInt("block_size", 0) != 0)
    return node.emitError() << "blocked quantization (block_size) is not "
                               "supported";
  RankedTensorType inputType = node.inputType(0);
  if (!inputType.getElementType().isF32())
    return node.emitError()
           << "x must be float32, not " << inputType.getElementType();
  Type storage = node.input(2) ? node.inputType(2).getElementType()
                               : uint8Type(node.context());
  if (!isEightBitStorage(storage))
    return node.emitError() << "quantizes to " << storage
                            << "; Muon quantizes to int8 and uint8";
  FailureOr<std::optional<int64_t>> axis = readQuantAxis(node, 1, inputType);
  if (failed(axis))
    return failure();

  if (!hasConstantParams(node)) {
    FailureOr<Value> scale =
        alignToAxis(node, node.input(1), *axis, inputType.getRank());
    FailureOr<Value> zeroPoint =
        zeroPointAsFloat(node, 2, *axis, inputType.getRank());
    if (failed(scale) || failed(zeroPoint))
      return failure();
    return node.setResult(0, quantizeWithFloatOps(node, node.input(0), *scale,
                                                  *zeroPoint, storage));
  }
  FailureOr<Type> element =
      readParamsType(node, storage, "y_scale", "y_zero_point", *axis);
  if (failed(element))
    return failure();
  Value quantized = QuantizeOp::create(node.builder(), node.loc(),
                                       withElementType(node.input(0), *element),
                                       node.input(0));
  return node.setResult(0, fromQuantized(node, quantized, storage));
}

/// DequantizeLinear-10/13: y = (x - x_zero_point) * x_scale for int8, uint8
/// and int32 x, per tensor or (13) per `axis`. Run-time parameters are
/// computed with float ops.
static LogicalResult convertDequantizeLinear(NodeContext &node) {
  if (failed(node.expectInputs(2, 3)))
    return failure();
  RankedTensorType inputType = node.inputType(0);
  auto storage = dyn_cast<IntegerType>(inputType.getElementType());
  if (!storage ||
      (!isEightBitStorage(storage) && !storage.isSignlessInteger(32)))
    return node.emitError() << "dequantizes " << inputType.getElementType()
                            << "; Muon dequantizes int8, uint8 and int32";
  FailureOr<std::optional<int64_t>> axis = readQuantAxis(node, 1, inputType);
  if (failed(axis))
    return failure();

  Type f32 = Float32Type::get(node.context());
  if (!hasConstantParams(node)) {
    FailureOr<Value> scale =
        alignToAxis(node, node.input(1), *axis, inputType.getRank());
    FailureOr<Value> zeroPoint =
        zeroPointAsFloat(node, 2, *axis, inputType.getRank());
    FailureOr<Value> x = node.create<CastOp>(node.input(0), f32);
    if (failed(scale) || failed(zeroPoint) || failed(x))
      return failure();
    FailureOr<Value> centered = node.create<SubOp>(*x, *zeroPoint);
    if (failed(centered))
      return failure();
    return node.setResult(0, node.create<MulOp>(*centered, *scale));
  }
  FailureOr<Type> element =
      readParamsType(node, storage, "x_scale", "x_zero_point", *axis);
  if (failed(element))
    return failure();
  FailureOr<Value> quantized = toQuantized(node, node.input(0), *element);
  if (failed(quantized))
    return failure();
  return node.setResult(
      0, DequantizeOp::create(node.builder(), node.loc(),
                              withElementType(node.input(0), f32), *quantized)
             .getResult());
}

/// DynamicQuantizeLinear-11, as its function body defines it:
///   scale = (max(0, max(x)) - min(0, min(x))) / 255
///   zero_point = saturate(round(0 - min(0, min(x)) / scale))
///   y = saturate(round(x / scale) + zero_point)
/// with uint8 y and zero point, rounding half to even.
static LogicalResult convertDynamicQuantizeLinear(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  Value x = node.input(0);
  RankedTensorType inputType = node.inputType(0);
  if (!inputType.getElementType().isF32())
    return node.emitError()
           << "x must be float32, not " << inputType.getElementType();
  Builder b(node.context());
  auto scalarType = RankedTensorType::get({}, b.getF32Type());
  auto scalar = [&](float value) {
    return node.constant(DenseElementsAttr::get(scalarType, value));
  };
  SmallVector<int64_t> axes =
      llvm::to_vector(llvm::seq<int64_t>(0, inputType.getRank()));
  FailureOr<Value> min = node.create<ReduceMinOp>(x, axes, false);
  FailureOr<Value> max = node.create<ReduceMaxOp>(x, axes, false);
  if (failed(min) || failed(max))
    return failure();
  min = node.create<MinOp>(*min, scalar(0.0f));
  max = node.create<MaxOp>(*max, scalar(0.0f));
  if (failed(min) || failed(max))
    return failure();
  FailureOr<Value> range = node.create<SubOp>(*max, *min);
  if (failed(range))
    return failure();
  FailureOr<Value> scale = node.create<DivOp>(*range, scalar(255.0f));
  if (failed(scale))
    return failure();
  FailureOr<Value> minScaled = node.create<DivOp>(*min, *scale);
  if (failed(minScaled))
    return failure();
  FailureOr<Value> zeroPoint = node.create<SubOp>(scalar(0.0f), *minScaled);
  if (failed(zeroPoint))
    return failure();
  zeroPoint = node.create<ClipOp>(*zeroPoint, b.getF32FloatAttr(0.0f),
                                  b.getF32FloatAttr(255.0f));
  if (failed(zeroPoint))
    return failure();
  zeroPoint = node.create<RoundOp>(*zeroPoint);
  if (failed(zeroPoint))
    return failure();
  Type u8 = uint8Type(node.context());
  if (failed(node.setResult(
          0, quantizeWithFloatOps(node, x, *scale, *zeroPoint, u8))) ||
      failed(node.setResult(1, *scale)))
    return failure();
  return node.setResult(2, node.create<CastOp>(*zeroPoint, u8));
}

//===----------------------------------------------------------------------===//
// Integer products: MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv
//===----------------------------------------------------------------------===//

/// Input `i` (int8 or uint8) widened to int32 minus zero point input
/// `zeroPointIndex` (absent means 0). A zero point of more than one element
/// applies along `axis`: the rows of a matrix, the output channels of a
/// convolution weight, the columns of a matrix (the last axis).
static FailureOr<Value> centeredInt32(NodeContext &node, unsigned i,
                                      unsigned zeroPointIndex, int64_t axis) {
  RankedTensorType type = node.inputType(i);
  if (!isEightBitStorage(type.getElementType()))
    return node.emitError() << "input " << i << " must be int8 or uint8, not "
                            << type.getElementType();
  Type i32 = IntegerType::get(node.context(), 32);
  FailureOr<Value> wide = node.create<CastOp>(node.input(i), i32);
  if (failed(wide) || !node.input(zeroPointIndex))
    return wide;
  RankedTensorType zeroPointType = node.inputType(zeroPointIndex);
  if (zeroPointType.getElementType() != type.getElementType())
    return node.emitError()
           << "zero point (input " << zeroPointIndex << ") " << zeroPointType
           << " must have the element type of " << type;
  std::optional<int64_t> along;
  if (zeroPointType.getNumElements() != 1) {
    if (zeroPointType.getRank() != 1 ||
        zeroPointType.getDimSize(0) != type.getDimSize(axis))
      return node.emitError()
             << "zero point (input " << zeroPointIndex << ") " << zeroPointType
             << " must be a scalar or match axis " << axis << " of " << type;
    along = axis;
  }
  FailureOr<Value> zeroPoint =
      node.create<CastOp>(node.input(zeroPointIndex), i32);
  if (failed(zeroPoint))
    return failure();
  zeroPoint = alignToAxis(node, *zeroPoint, along, type.getRank());
  if (failed(zeroPoint))
    return failure();
  return node.create<SubOp>(*wide, *zeroPoint);
}

/// Both operands of a matrix product centered: A's zero point per row, B's
/// per column.
static FailureOr<std::pair<Value, Value>>
centeredMatMulOperands(NodeContext &node, unsigned a, unsigned aZeroPoint,
                       unsigned b, unsigned bZeroPoint) {
  int64_t aRank = node.inputType(a).getRank();
  int64_t bRank = node.inputType(b).getRank();
  if (aRank < 1 || bRank < 1)
    return node.emitError() << "operands must have rank >= 1";
  FailureOr<Value> lhs =
      centeredInt32(node, a, aZeroPoint, std::max<int64_t>(aRank - 2, 0));
  FailureOr<Value> rhs = centeredInt32(node, b, bZeroPoint, bRank - 1);
  if (failed(lhs) || failed(rhs))
    return failure();
  return std::pair(*lhs, *rhs);
}

/// MatMulInteger-10: (A - a_zero_point) x (B - b_zero_point) in int32.
static LogicalResult convertMatMulInteger(NodeContext &node) {
  if (failed(node.expectInputs(2, 4)))
    return failure();
  auto operands = centeredMatMulOperands(node, 0, 2, 1, 3);
  if (failed(operands))
    return failure();
  return node.setResult(
      0, node.create<MatMulOp>(operands->first, operands->second));
}

/// A convolution of input `x` (zero point `xZeroPoint`, a scalar) with weight
/// `w` (zero point `wZeroPoint`, scalar or per output channel) in int32,
/// with the attributes of Conv. Padding is 0 after the zero point is
/// subtracted, i.e. the zero point itself before (as test_convinteger_
/// with_padding expects).
static FailureOr<Value> integerConv(NodeContext &node, unsigned x,
                                    unsigned xZeroPoint, unsigned w,
                                    unsigned wZeroPoint, Value bias) {
  FailureOr<Window> window = readConvolutionWindow(node, x, w);
  if (failed(window))
    return failure();
  FailureOr<Value> input = centeredInt32(node, x, xZeroPoint, 1);
  FailureOr<Value> filter = centeredInt32(node, w, wZeroPoint, 0);
  if (failed(input) || failed(filter))
    return failure();
  return node.create<ConvOp>(*input, *filter, bias, window->strides,
                             window->pads, window->dilations,
                             static_cast<uint64_t>(node.getInt("group", 1)));
}

/// ConvInteger-10: Conv of (x - x_zero_point) and (w - w_zero_point) in
/// int32.
static LogicalResult convertConvInteger(NodeContext &node) {
  if (failed(node.expectInputs(2, 4)))
    return failure();
  return node.setResult(0, integerConv(node, 0, 2, 1, 3, Value()));
}

/// The quantized int32 accumulator `acc` requantized to y_scale /
/// y_zero_point (inputs `yScale` and `yScale + 1`) and returned as the ONNX
/// tensor of the zero point's type.
static LogicalResult requantizeAccumulator(NodeContext &node, Value acc,
                                           unsigned yScale) {
  FailureOr<SmallVector<double>> outScale = readScales(node, yScale, "y_scale");
  if (failed(outScale))
    return failure();
  if (outScale->size() != 1)
    return node.emitError() << "y_scale must be a scalar";
  if (!node.input(yScale + 1))
    return node.emitError()
           << "y_zero_point (input " << yScale + 1 << ") is required";
  Type storage = node.inputType(yScale + 1).getElementType();
  if (!isEightBitStorage(storage))
    return node.emitError()
           << "y_zero_point must be int8 or uint8, not " << storage;
  FailureOr<SmallVector<int64_t>> outZeroPoint =
      readZeroPoints(node, yScale + 1, "y_zero_point", 1);
  if (failed(outZeroPoint))
    return failure();
  FailureOr<Type> outElement =
      quantizedType(node, storage, *outScale, *outZeroPoint, {});
  if (failed(outElement))
    return failure();
  Value requantized = RequantizeOp::create(node.builder(), node.loc(),
                                           withElementType(acc, *outElement),
                                           acc, IntegerAttr(), IntegerAttr());
  return node.setResult(0, fromQuantized(node, requantized, storage));
}

/// The plain int32 accumulator `acc` of a product of centered tensors with
/// scales `lhsScale` (one) and `rhsScales` (one, or one per element of
/// `axis` of the result), viewed as the quantized accumulator and
/// requantized as requantizeAccumulator does.
static LogicalResult requantizeResult(NodeContext &node, Value acc,
                                      double lhsScale,
                                      ArrayRef<double> rhsScales, int64_t axis,
                                      unsigned yScale) {
  // The accumulator's scale is the product of the operands' (zero point 0).
  SmallVector<double> accScales = llvm::map_to_vector(
      rhsScales, [&](double s) { return getProductScale(lhsScale, s); });
  std::optional<int64_t> accAxis;
  if (accScales.size() > 1)
    accAxis = axis;
  FailureOr<Type> accElement =
      quantizedType(node, IntegerType::get(node.context(), 32), accScales,
                    SmallVector<int64_t>(accScales.size(), 0), accAxis);
  if (failed(accElement))
    return failure();
  Value accQuantized = quant::StorageCastOp::create(
      node.builder(), node.loc(), withElementType(acc, *accElement), acc);
  return requantizeAccumulator(node, accQuantized, yScale);
}

/// The quantized type of input `i` of a QLinear op with constant scale
/// `scaleIndex` and zero point `scaleIndex + 1`: per tensor when both have
/// one element, else per `axis` (a one-element scale or zero point then
/// applies to every channel). Fails quietly (returns nullopt) when the zero
/// point is not a constant, or is per axis where `axis` is none.
static FailureOr<std::optional<Type>>
readOperandType(NodeContext &node, unsigned i, unsigned scaleIndex,
                StringRef scaleName, std::optional<int64_t> axis) {
  unsigned zeroPointIndex = scaleIndex + 1;
  if (node.input(zeroPointIndex) && !getIntConstant(node.input(zeroPointIndex)))
    return std::optional<Type>();
  FailureOr<SmallVector<double>> scales =
      readScales(node, scaleIndex, scaleName);
  if (failed(scales))
    return failure();
  SmallVector<int64_t> zeroPoints = {0};
  if (node.input(zeroPointIndex))
    zeroPoints = *getIntConstant(node.input(zeroPointIndex));
  Type storage = node.inputType(i).getElementType();
  if (!isEightBitStorage(storage))
    return node.emitError()
           << "input " << i << " must be int8 or uint8, not " << storage;
  if (node.input(zeroPointIndex) &&
      node.inputType(zeroPointIndex).getElementType() != storage)
    return node.emitError() << "zero point (input " << zeroPointIndex
                            << ") must have the element type of input " << i;
  size_t count = std::max(scales->size(), zeroPoints.size());
  if (count == 1) {
    FailureOr<Type> type =
        quantizedType(node, storage, *scales, zeroPoints, {});
    if (failed(type))
      return failure();
    return std::optional<Type>(*type);
  }
  int64_t channels = axis ? node.inputType(i).getDimSize(*axis) : 0;
  if (!axis || static_cast<int64_t>(count) != channels ||
      (scales->size() != 1 && scales->size() != count) ||
      (zeroPoints.size() != 1 && zeroPoints.size() != count))
    return std::optional<Type>();
  scales->resize(count, scales->front());
  zeroPoints.resize(count, zeroPoints.front());
  FailureOr<Type> type =
      quantizedType(node, storage, *scales, zeroPoints, axis);
  if (failed(type))
    return failure();
  return std::optional<Type>(*type);
}

/// QLinearMatMul and QLinearConv with constant zero points (the common case)
/// become the quantized muon.matmul / muon.conv of their operands as
/// quantized tensors, whose result is the int32 accumulator, and a
/// muon.requantize: the same representation the QDQ fold produces. Returns
/// false (nothing built) when a zero point is a run-time value or varies
/// along an axis that the quantized ops do not allow (a per-row a_zero_point):
/// those keep the centered int32 products.
static FailureOr<bool> convertQuantizedProduct(NodeContext &node, bool isConv) {
  RankedTensorType lhsType = node.inputType(0), rhsType = node.inputType(3);
  if (!isConv && (lhsType.getRank() < 2 || rhsType.getRank() < 2))
    return false;
  auto lhs =
      readOperandType(node, 0, 1, isConv ? "x_scale" : "a_scale", std::nullopt);
  if (failed(lhs))
    return failure();
  auto rhs = readOperandType(node, 3, 4, isConv ? "w_scale" : "b_scale",
                             isConv ? int64_t(0) : rhsType.getRank() - 1);
  if (failed(rhs))
    return failure();
  if (!*lhs || !*rhs || !**lhs || !**rhs)
    return false;
  FailureOr<Value> lhsValue = toQuantized(node, node.input(0), **lhs);
  FailureOr<Value> rhsValue = toQuantized(node, node.input(3), **rhs);
  if (failed(lhsValue) || failed(rhsValue))
    return failure();
  FailureOr<Value> acc;
  if (!isConv) {
    acc = node.create<MatMulOp>(*lhsValue, *rhsValue);
  } else {
    FailureOr<Window> window = readConvolutionWindow(node, 0, 3);
    if (failed(window))
      return failure();
    Value bias;
    if (node.input(8)) {
      if (!node.inputType(8).getElementType().isSignlessInteger(32))
        return node.emitError()
               << "B must be int32, not " << node.inputType(8).getElementType();
      // The bias has the accumulator's scales along its one axis.
      quant::QuantizedType accumulator =
          getAccumulatorType(cast<quant::UniformQuantizedType>(**lhs),
                             cast<quant::QuantizedType>(**rhs), 0,
                             [&] { return node.emitError(); });
      if (!accumulator)
        return failure();
      bias = quant::StorageCastOp::create(
          node.builder(), node.loc(),
          withElementType(node.input(8), accumulator), node.input(8));
    }
    acc = node.create<ConvOp>(*lhsValue, *rhsValue, bias, window->strides,
                              window->pads, window->dilations,
                              static_cast<uint64_t>(node.getInt("group", 1)));
  }
  if (failed(acc) || failed(requantizeAccumulator(node, *acc, 6)))
    return failure();
  return true;
}

/// QLinearMatMul-10: the int32 product of (a - a_zero_point) and
/// (b - b_zero_point), requantized from scale a_scale * b_scale to
/// y_scale / y_zero_point. b_scale may be per column; a per-row a_scale is
/// not supported (the accumulator's scale would vary along two axes).
static LogicalResult convertQLinearMatMul(NodeContext &node) {
  if (failed(node.expectInputs(8, 8)))
    return failure();
  FailureOr<bool> quantized = convertQuantizedProduct(node, /*isConv=*/false);
  if (failed(quantized) || *quantized)
    return failure(failed(quantized));
  FailureOr<SmallVector<double>> aScale = readScales(node, 1, "a_scale");
  FailureOr<SmallVector<double>> bScale;
  if (succeeded(aScale))
    bScale = readScales(node, 4, "b_scale");
  if (failed(aScale) || failed(bScale))
    return failure();
  if (aScale->size() != 1)
    return node.emitError() << "a per-row a_scale is not supported";
  auto operands = centeredMatMulOperands(node, 0, 2, 3, 5);
  if (failed(operands))
    return failure();
  FailureOr<Value> acc =
      node.create<MatMulOp>(operands->first, operands->second);
  if (failed(acc))
    return failure();
  int64_t columns = cast<RankedTensorType>(acc->getType()).getRank() - 1;
  if (bScale->size() != 1 &&
      static_cast<int64_t>(bScale->size()) !=
          cast<RankedTensorType>(acc->getType()).getDimSize(columns))
    return node.emitError() << "b_scale has " << bScale->size()
                            << " elements, not one per column";
  return requantizeResult(node, *acc, aScale->front(), *bScale, columns, 6);
}

/// QLinearConv-10: the int32 convolution of (x - x_zero_point) and
/// (w - w_zero_point) plus the optional int32 bias B (scale x_scale *
/// w_scale, zero point 0), requantized to y_scale / y_zero_point. w_scale
/// and w_zero_point may be per output channel.
static LogicalResult convertQLinearConv(NodeContext &node) {
  if (failed(node.expectInputs(8, 9)))
    return failure();
  FailureOr<bool> quantized = convertQuantizedProduct(node, /*isConv=*/true);
  if (failed(quantized) || *quantized)
    return failure(failed(quantized));
  FailureOr<SmallVector<double>> xScale = readScales(node, 1, "x_scale");
  FailureOr<SmallVector<double>> wScale;
  if (succeeded(xScale))
    wScale = readScales(node, 4, "w_scale");
  if (failed(xScale) || failed(wScale))
    return failure();
  if (xScale->size() != 1)
    return node.emitError() << "x_scale must be a scalar";
  int64_t filters = node.inputType(3).getDimSize(0);
  if (wScale->size() != 1 && static_cast<int64_t>(wScale->size()) != filters)
    return node.emitError() << "w_scale has " << wScale->size()
                            << " elements, not one per output channel";
  Value bias = node.input(8);
  if (bias && !node.inputType(8).getElementType().isSignlessInteger(32))
    return node.emitError()
           << "B must be int32, not " << node.inputType(8).getElementType();
  FailureOr<Value> acc = integerConv(node, 0, 2, 3, 5, bias);
  if (failed(acc))
    return failure();
  return requantizeResult(node, *acc, xScale->front(), *wScale, 1, 6);
}

void onnx_importer::addQuantConverters(llvm::StringMap<ConvertFn> &converters) {
  converters.insert({
      {"ConvInteger", convertConvInteger},
      {"DequantizeLinear", convertDequantizeLinear},
      {"DynamicQuantizeLinear", convertDynamicQuantizeLinear},
      {"MatMulInteger", convertMatMulInteger},
      {"QLinearConv", convertQLinearConv},
      {"QLinearMatMul", convertQLinearMatMul},
      {"QuantizeLinear", convertQuantizeLinear},
  });
}
