//===- QuantOps.cpp - Quantization ops
//-------------------------------------===//
//
// Verifiers of the ops in QuantOps.td. The quant dialect checks a quantized
// type on its own (positive finite scales, storage range); what it cannot
// know is the tensor the type describes: the quantized axis must exist and
// have one scale per element, and each op admits only some storage widths.
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "dialects/muon/Quantization.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include <cmath>

using namespace mlir;
using namespace muon;

/// The quantized element type of `type` after checking it against the shape
/// of the tensor: a per-axis type must name an existing dimension and give
/// one scale per element along it.
static FailureOr<quant::QuantizedType>
verifyQuantizedTensor(Operation *op, StringRef what, Type type) {
  auto tensor = cast<RankedTensorType>(type);
  auto quantized = dyn_cast<quant::QuantizedType>(tensor.getElementType());
  if (!isa_and_present<quant::UniformQuantizedType,
                       quant::UniformQuantizedPerAxisType>(quantized))
    return op->emitOpError() << what << " must be a tensor of !quant.uniform, "
                             << "not " << type;
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(quantized)) {
    int64_t axis = perAxis.getQuantizedDimension();
    if (axis >= tensor.getRank())
      return op->emitOpError()
             << what << " is quantized along axis " << axis
             << ", which a tensor of rank " << tensor.getRank() << " lacks";
    int64_t size = tensor.getDimSize(axis);
    if (static_cast<int64_t>(perAxis.getScales().size()) != size)
      return op->emitOpError()
             << what << " has " << perAxis.getScales().size()
             << " scales for the " << size << " elements of axis " << axis;
  }
  return quantized;
}

static LogicalResult verifySameShape(Operation *op, Type input, Type result) {
  if (cast<RankedTensorType>(input).getShape() !=
      cast<RankedTensorType>(result).getShape())
    return op->emitOpError()
           << "result shape differs from the input's: " << input << " vs "
           << result;
  return success();
}

static LogicalResult verifyClamp(Operation *op, quant::QuantizedType result,
                                 IntegerAttr clampMin, IntegerAttr clampMax);

LogicalResult QuantizeOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  FailureOr<quant::QuantizedType> quantized =
      verifyQuantizedTensor(*this, "result", getType());
  if (failed(quantized))
    return failure();
  if (!isEightBitStorage(quantized->getStorageType()))
    return emitOpError() << "result storage must be 8 bits (i8 or u8), not "
                         << quantized->getStorageType();
  if (quantized->getExpressedType() != inputType.getElementType())
    return emitOpError() << "input element type " << inputType.getElementType()
                         << " differs from the expressed type "
                         << quantized->getExpressedType();
  return verifySameShape(*this, inputType, getType());
}

LogicalResult DequantizeOp::verify() {
  FailureOr<quant::QuantizedType> quantized =
      verifyQuantizedTensor(*this, "input", getInput().getType());
  if (failed(quantized))
    return failure();
  unsigned width = quantized->getStorageTypeIntegralWidth();
  if (width != 8 && width != 32)
    return emitOpError() << "input storage must be 8 or 32 bits, not "
                         << quantized->getStorageType();
  Type element = getType().getElementType();
  if (quantized->getExpressedType() != element)
    return emitOpError() << "result element type " << element
                         << " differs from the expressed type "
                         << quantized->getExpressedType();
  return verifySameShape(*this, getInput().getType(), getType());
}

LogicalResult RequantizeOp::verify() {
  FailureOr<quant::QuantizedType> input =
      verifyQuantizedTensor(*this, "input", getInput().getType());
  if (failed(input))
    return failure();
  FailureOr<quant::QuantizedType> result =
      verifyQuantizedTensor(*this, "result", getType());
  if (failed(result))
    return failure();
  if (input->getStorageTypeIntegralWidth() != 32 || !input->isSigned())
    return emitOpError() << "input storage must be i32 (an accumulator), not "
                         << input->getStorageType();
  // An accumulator of products of zero-point-corrected values has zero
  // point 0; the multiplier alone maps it to the result scale.
  bool zeroPoints = false;
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(*input))
    zeroPoints = perTensor.getZeroPoint() != 0;
  else
    zeroPoints = llvm::any_of(
        cast<quant::UniformQuantizedPerAxisType>(*input).getZeroPoints(),
        [](int64_t zeroPoint) { return zeroPoint != 0; });
  if (zeroPoints)
    return emitOpError("input zero points must be 0");
  if (!isEightBitStorage(result->getStorageType()))
    return emitOpError() << "result storage must be 8 bits (i8 or u8), not "
                         << result->getStorageType();
  if (!isa<quant::UniformQuantizedType>(*result))
    return emitOpError("result must be quantized per tensor");
  if (input->getExpressedType() != result->getExpressedType())
    return emitOpError() << "input and result express different types: "
                         << input->getExpressedType() << " and "
                         << result->getExpressedType();
  if (failed(verifyClamp(*this, *result, getClampMinAttr(), getClampMaxAttr())))
    return failure();
  return verifySameShape(*this, getInput().getType(), getType());
}

/// The fused activation clamp of a requantizing op: inside the result's
/// storage range, clamp_min <= clamp_max.
static LogicalResult verifyClamp(Operation *op, quant::QuantizedType result,
                                 IntegerAttr clampMin, IntegerAttr clampMax) {
  for (IntegerAttr bound : {clampMin, clampMax})
    if (bound && (bound.getInt() < result.getStorageTypeMin() ||
                  bound.getInt() > result.getStorageTypeMax()))
      return op->emitOpError() << "clamp bound " << bound.getInt()
                               << " is outside the result's storage range ["
                               << result.getStorageTypeMin() << ", "
                               << result.getStorageTypeMax() << "]";
  if (clampMin && clampMax && clampMin.getInt() > clampMax.getInt())
    return op->emitOpError()
           << "clamp_min " << clampMin.getInt() << " is greater than clamp_max "
           << clampMax.getInt();
  return success();
}

LogicalResult QuantizedAddOp::verify() {
  SmallVector<quant::QuantizedType> types;
  for (auto [what, value] : {std::pair<StringRef, Value>{"lhs", getLhs()},
                             {"rhs", getRhs()},
                             {"result", getResult()}}) {
    FailureOr<quant::QuantizedType> type =
        verifyQuantizedTensor(*this, what, value.getType());
    if (failed(type))
      return failure();
    if (!isEightBitStorage(type->getStorageType()) ||
        !isa<quant::UniformQuantizedType>(*type))
      return emitOpError() << what
                           << " must be 8-bit and quantized per tensor, not "
                           << value.getType();
    types.push_back(*type);
  }
  if (failed(verifySameShape(*this, getLhs().getType(), getType())) ||
      failed(verifySameShape(*this, getRhs().getType(), getType())))
    return failure();
  return verifyClamp(*this, types.back(), getClampMinAttr(), getClampMaxAttr());
}

FixedPointMultiplier muon::getFixedPointMultiplier(double real) {
  if (!(real > 0.0))
    return {};
  int exponent = 0;
  double fraction = std::frexp(real, &exponent);
  int64_t multiplier = std::llround(std::ldexp(fraction, 31));
  if (multiplier == (int64_t(1) << 31)) {
    multiplier /= 2;
    ++exponent;
  }
  if (-exponent > 31)
    return {};
  if (-exponent < -31)
    return {INT32_MAX, -31};
  return {static_cast<int32_t>(multiplier), -exponent};
}

//===----------------------------------------------------------------------===//
// Quantized products and their parameters
//===----------------------------------------------------------------------===//

quant::QuantizedType muon::getQuantizedElementType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return {};
  auto quantized = dyn_cast<quant::QuantizedType>(tensor.getElementType());
  if (!isa_and_present<quant::UniformQuantizedType,
                       quant::UniformQuantizedPerAxisType>(quantized))
    return {};
  return quantized;
}

std::optional<Int8ActivationQuant> muon::getInt8ActivationQuant(Type type) {
  auto quantized = dyn_cast_or_null<quant::UniformQuantizedType>(
      getQuantizedElementType(type));
  if (!quantized || quantized.getStorageTypeIntegralWidth() != 8 ||
      !quantized.isSigned())
    return std::nullopt;
  return Int8ActivationQuant{quantized.getScale(), quantized.getZeroPoint()};
}

SmallVector<double> muon::getScales(quant::QuantizedType type) {
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(type))
    return {perTensor.getScale()};
  return llvm::to_vector(
      cast<quant::UniformQuantizedPerAxisType>(type).getScales());
}

SmallVector<int64_t> muon::getZeroPoints(quant::QuantizedType type) {
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(type))
    return {perTensor.getZeroPoint()};
  return llvm::to_vector(
      cast<quant::UniformQuantizedPerAxisType>(type).getZeroPoints());
}

quant::QuantizedType
muon::getAccumulatorType(quant::UniformQuantizedType lhs,
                         quant::QuantizedType rhs, int64_t resultAxis,
                         function_ref<InFlightDiagnostic()> emitError) {
  MLIRContext *context = lhs.getContext();
  SmallVector<double> scales =
      llvm::map_to_vector(getScales(rhs), [&](double s) {
        return getProductScale(lhs.getScale(), s);
      });
  Type i32 = IntegerType::get(context, 32);
  Type expressed = lhs.getExpressedType();
  auto quiet = [&]() -> InFlightDiagnostic {
    if (emitError)
      return emitError();
    return InFlightDiagnostic();
  };
  if (isa<quant::UniformQuantizedType>(rhs))
    return quant::UniformQuantizedType::getChecked(
        quiet, quant::QuantizationFlags::Signed, i32, expressed, scales.front(),
        0, INT32_MIN, INT32_MAX);
  return quant::UniformQuantizedPerAxisType::getChecked(
      quiet, quant::QuantizationFlags::Signed, i32, expressed, scales,
      SmallVector<int64_t>(scales.size(), 0), resultAxis, INT32_MIN, INT32_MAX);
}

FailureOr<Type> muon::inferAccumulatorElementType(std::optional<Location> loc,
                                                  Value input, Value weight,
                                                  Value bias,
                                                  int64_t weightAxis,
                                                  int64_t resultAxis) {
  auto x = dyn_cast_or_null<quant::UniformQuantizedType>(
      getQuantizedElementType(input.getType()));
  if (!x || x.getStorageTypeIntegralWidth() != 8)
    return emitOptionalError(loc,
                             "a quantized product takes an 8-bit input "
                             "quantized per tensor, not ",
                             input.getType());
  quant::QuantizedType w = getQuantizedElementType(weight.getType());
  if (!w || w.getStorageTypeIntegralWidth() != 8)
    return emitOptionalError(loc,
                             "the weight of a quantized product must be "
                             "8-bit quantized, not ",
                             weight.getType());
  if (w.getExpressedType() != x.getExpressedType())
    return emitOptionalError(loc, "input and weight express different types");
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(w)) {
    if (perAxis.getQuantizedDimension() != weightAxis)
      return emitOptionalError(
          loc, "the weight must be quantized per tensor or along axis ",
          weightAxis, " (its output channels), not along axis ",
          perAxis.getQuantizedDimension());
    if (static_cast<int64_t>(perAxis.getScales().size()) !=
        cast<RankedTensorType>(weight.getType()).getDimSize(weightAxis))
      return emitOptionalError(loc, "the weight has ",
                               perAxis.getScales().size(), " scales for axis ",
                               weightAxis, " of ", weight.getType());
  }
  quant::QuantizedType accumulator =
      getAccumulatorType(x, w, resultAxis, [&]() -> InFlightDiagnostic {
        if (loc)
          return mlir::emitError(*loc);
        return InFlightDiagnostic();
      });
  if (!accumulator)
    return failure();
  if (!bias)
    return Type(accumulator);
  quant::QuantizedType b = getQuantizedElementType(bias.getType());
  if (!b || b.getStorageTypeIntegralWidth() != 32 || !b.isSigned())
    return emitOptionalError(loc,
                             "the bias of a quantized product must be "
                             "quantized with i32 storage, not ",
                             bias.getType());
  if (llvm::any_of(getZeroPoints(b), [](int64_t z) { return z != 0; }))
    return emitOptionalError(loc, "the bias zero points must be 0");
  // One scale per output channel, or one for all: exactly the accumulator's
  // (s_x * s_w), so that the bias adds to the accumulator unscaled.
  if (getScales(b) != getScales(accumulator))
    return emitOptionalError(loc,
                             "the bias scales must be the accumulator's "
                             "(input scale times weight scale): ",
                             bias.getType(), " vs ", Type(accumulator));
  return Type(accumulator);
}

QuantizedAddParams muon::getQuantizedAddParams(double lhsScale, double rhsScale,
                                               double outputScale) {
  QuantizedAddParams params;
  params.leftShift = 20;
  double twiceMaxInputScale = 2 * std::max(lhsScale, rhsScale);
  params.lhs = getFixedPointMultiplier(lhsScale / twiceMaxInputScale);
  params.rhs = getFixedPointMultiplier(rhsScale / twiceMaxInputScale);
  params.output = getFixedPointMultiplier(
      twiceMaxInputScale /
      (static_cast<double>(int64_t(1) << params.leftShift) * outputScale));
  return params;
}
