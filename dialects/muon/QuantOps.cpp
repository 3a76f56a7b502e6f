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

/// 8-bit storage, signed or unsigned: what QuantizeLinear produces and what
/// the integer kernels consume.
static bool isEightBit(quant::QuantizedType type) {
  return type.getStorageTypeIntegralWidth() == 8;
}

static LogicalResult verifySameShape(Operation *op, Type input, Type result) {
  if (cast<RankedTensorType>(input).getShape() !=
      cast<RankedTensorType>(result).getShape())
    return op->emitOpError()
           << "result shape differs from the input's: " << input << " vs "
           << result;
  return success();
}

LogicalResult QuantizeOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  FailureOr<quant::QuantizedType> quantized =
      verifyQuantizedTensor(*this, "result", getType());
  if (failed(quantized))
    return failure();
  if (!isEightBit(*quantized))
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
  if (!isEightBit(*result))
    return emitOpError() << "result storage must be 8 bits (i8 or u8), not "
                         << result->getStorageType();
  if (!isa<quant::UniformQuantizedType>(*result))
    return emitOpError("result must be quantized per tensor");
  if (input->getExpressedType() != result->getExpressedType())
    return emitOpError() << "input and result express different types: "
                         << input->getExpressedType() << " and "
                         << result->getExpressedType();
  return verifySameShape(*this, getInput().getType(), getType());
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
