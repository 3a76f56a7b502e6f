//===- Quantization.h - Muon's shared requantization parameters -*- C++ -*-===//
//
// The one definition of how a real requantization multiplier becomes the
// integer parameters of runtime/common/requant.h (`muon_requantize`), which
// every target applies bit-exactly. docs/quantization.md explains both.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_DIALECTS_MUON_QUANTIZATION_H
#define MUON_DIALECTS_MUON_QUANTIZATION_H

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Value.h"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace muon {

/// Whether `type` is an element type Muon quantizes to: 8-bit integers,
/// signless (ONNX int8) or unsigned (ONNX uint8), as tensors and as the
/// storage of quantized types.
inline bool isEightBitStorage(mlir::Type type) {
  auto integer = mlir::dyn_cast<mlir::IntegerType>(type);
  return integer && integer.getWidth() == 8 && !integer.isSigned();
}

/// A positive real multiplier M written as M = multiplier * 2^-31 * 2^-shift
/// with `multiplier` a Q31 integer in [2^30, 2^31) and `shift` in [-31, 31]
/// (negative shifts multiply).
struct FixedPointMultiplier {
  int32_t multiplier = 0;
  int32_t shift = 0;
};

/// frexp(M) = f * 2^e with f in [0.5, 1); multiplier = round(f * 2^31)
/// (halves away from zero), renormalised to 2^30 with e + 1 when the
/// rounding reaches 2^31; shift = -e. As in TFLite's QuantizeMultiplier, an
/// M below 2^-32 (shift > 31) becomes 0, and M <= 0 gives 0; an M of 2^31
/// or more saturates to the largest representable multiplier.
FixedPointMultiplier getFixedPointMultiplier(double real);

/// TFLite's quantized Add (docs/quantization-arithmetic.md, "Quantized
/// Add"): each input, minus its zero point, is shifted left by `leftShift`
/// and scaled by `lhs` / `rhs` (multipliers below 1: SRDHM then a rounding
/// right shift) to the common scale 2 * max(s_lhs, s_rhs) / 2^leftShift; the
/// sum is requantized to the output by `output`.
struct QuantizedAddParams {
  int32_t leftShift = 20;
  FixedPointMultiplier lhs, rhs, output;
};

/// The parameters of a quantized Add of 8-bit inputs with scales `lhsScale`
/// and `rhsScale` to an output of scale `outputScale`, as TFLite's
/// PrepareGeneralSubOp / QuantizeMultiplierSmallerThanOneExp derive them.
QuantizedAddParams getQuantizedAddParams(double lhsScale, double rhsScale,
                                         double outputScale);

/// The range an int8 result is clamped to: [lowest, highest] (the storage
/// range) narrowed by an op's fused activation clamp (clamp_min / clamp_max
/// of muon.requantize and muon.quantized_add, either absent).
inline std::pair<int64_t, int64_t> getClampRange(mlir::IntegerAttr clampMin,
                                                 mlir::IntegerAttr clampMax,
                                                 int64_t lowest,
                                                 int64_t highest) {
  if (clampMin)
    lowest = std::max(lowest, clampMin.getInt());
  if (clampMax)
    highest = std::min(highest, clampMax.getInt());
  return {lowest, highest};
}

/// The scale of the int32 accumulator of a product of quantized tensors:
/// s_x * s_w as one double product of the scales the types hold. The
/// importer, the verifiers and the QDQ fold all use this one definition.
inline double getProductScale(double lhsScale, double rhsScale) {
  return lhsScale * rhsScale;
}

/// The element type of the accumulator of a product of `lhs` (quantized per
/// tensor) and `rhs` (per tensor or per axis): i32 storage, zero point 0,
/// scale getProductScale(s_lhs, s_rhs), per axis `resultAxis` of the result
/// when `rhs` is per axis. Null (after an error through `emitError`, when
/// given) when the quant dialect rejects the scale, e.g. a product of two
/// tiny scales below f32's range.
mlir::quant::QuantizedType getAccumulatorType(
    mlir::quant::UniformQuantizedType lhs, mlir::quant::QuantizedType rhs,
    int64_t resultAxis,
    llvm::function_ref<mlir::InFlightDiagnostic()> emitError = nullptr);

/// The scales of a quantized type: one for a per-tensor type, one per
/// element of the quantized axis otherwise; zero points likewise.
llvm::SmallVector<double> getScales(mlir::quant::QuantizedType type);
llvm::SmallVector<int64_t> getZeroPoints(mlir::quant::QuantizedType type);

/// The quantized element type of a ranked tensor type, or null.
mlir::quant::QuantizedType getQuantizedElementType(mlir::Type type);

/// The quantization of a signed 8-bit tensor quantized per tensor, what the
/// NPU and the FPGA take as activations; none for any other type.
struct Int8ActivationQuant {
  double scale;
  int64_t zeroPoint;
};
std::optional<Int8ActivationQuant> getInt8ActivationQuant(mlir::Type type);

/// Checks the operands of a quantized conv, matmul or gemm and returns the
/// element type of its result, the accumulator: `input` 8-bit per tensor,
/// `weight` 8-bit per tensor or along `weightAxis` (its output channels),
/// the optional `bias` i32 with zero point 0 and exactly the accumulator's
/// scales; the accumulator is per axis `resultAxis` for a per-axis weight.
mlir::FailureOr<mlir::Type> inferAccumulatorElementType(
    std::optional<mlir::Location> loc, mlir::Value input, mlir::Value weight,
    mlir::Value bias, int64_t weightAxis, int64_t resultAxis);

} // namespace muon

#endif
