/* requant.h - Muon's int8 requantization arithmetic, the one definition that
 * every target uses bit-exactly (the CPU int8 path, the HLS emitter, the NPU
 * simulator). Documented in docs/quantization-arithmetic.md.
 *
 * A real multiplier M = S_in * S_w / S_out is written M = m * 2^-31 * 2^-shift
 * with m a Q31 integer (usually in [2^30, 2^31)) and shift in [-31, 31]. Then
 *
 *   q_out = clamp(RDBPOT(SRDHM(acc + bias, m), shift) + zero_point)
 *
 * with the two roundings of gemmlowp/TFLite, so results can be checked against
 * those libraries. Every function is total: any int32 input has a defined
 * result, no undefined behaviour (no signed overflow, no shift of a negative).
 * C99, static inline, no dependencies; C++ may include it. */
#ifndef MUON_RUNTIME_COMMON_REQUANT_H
#define MUON_RUNTIME_COMMON_REQUANT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Saturates a 64-bit value to int32. */
static inline int32_t muon_saturate_i32(int64_t x) {
  if (x > INT32_MAX)
    return INT32_MAX;
  if (x < INT32_MIN)
    return INT32_MIN;
  return (int32_t)x;
}

/* gemmlowp's SaturatingRoundingDoublingHighMul: a * b / 2^31 rounded to the
 * nearest integer, ties towards +infinity (the nudge of +2^30, or 1 - 2^30 for
 * a negative product, then division truncating towards zero). The only
 * overflow, INT32_MIN * INT32_MIN, saturates to INT32_MAX. */
static inline int32_t muon_srdhm(int32_t a, int32_t b) {
  int64_t product, nudge;
  if (a == INT32_MIN && b == INT32_MIN)
    return INT32_MAX;
  product = (int64_t)a * (int64_t)b;
  nudge = product >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
  /* C99 integer division truncates towards zero, as gemmlowp's does. */
  return (int32_t)((product + nudge) / ((int64_t)1 << 31));
}

/* gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to the nearest
 * integer, ties away from zero. exponent is clamped to [0, 31]. */
static inline int32_t muon_rounding_shift_right(int32_t x, int32_t exponent) {
  int64_t magnitude, rounded;
  if (exponent <= 0)
    return x;
  if (exponent > 31)
    exponent = 31;
  magnitude = x < 0 ? -(int64_t)x : (int64_t)x;
  rounded = (magnitude + ((int64_t)1 << (exponent - 1))) >> exponent;
  return (int32_t)(x < 0 ? -rounded : rounded);
}

/* x * 2^exponent saturated to int32; exponent is clamped to [0, 31]. */
static inline int32_t muon_saturating_shift_left(int32_t x, int32_t exponent) {
  if (exponent <= 0)
    return x;
  if (exponent > 31)
    exponent = 31;
  return muon_saturate_i32((int64_t)x * ((int64_t)1 << exponent));
}

/* x scaled by the real multiplier m * 2^-31 * 2^-shift (shift clamped to
 * [-31, 31]): a saturating left shift for shift < 0 (multipliers >= 1),
 * SRDHM, a rounding right shift for shift > 0. The scaling step of
 * muon_requantize, and of the quantized Add's inputs. */
static inline int32_t muon_scale_by_fixed_point(int32_t x, int32_t multiplier,
                                                int32_t shift) {
  if (shift < -31)
    shift = -31;
  if (shift > 31)
    shift = 31;
  if (shift < 0)
    x = muon_saturating_shift_left(x, -shift);
  x = muon_srdhm(x, multiplier);
  if (shift > 0)
    x = muon_rounding_shift_right(x, shift);
  return x;
}

/* The requantization of one int32 accumulator to int8:
 *   x = saturate_i32(acc + bias)
 *   shift < 0:  x = saturating_shift_left(x, -shift)   (multipliers >= 1)
 *   y = srdhm(x, multiplier)
 *   shift > 0:  y = rounding_shift_right(y, shift)
 *   z = y + zero_point, then clamped to [clamp_min, clamp_max] and to int8.
 * shift is clamped to [-31, 31]. clamp_min/clamp_max are the fused activation
 * (ReLU: clamp_min = zero_point); pass -128/127 for none. */
static inline int8_t muon_requantize(int32_t acc, int32_t bias,
                                     int32_t multiplier, int32_t shift,
                                     int32_t zero_point, int32_t clamp_min,
                                     int32_t clamp_max) {
  int32_t x = muon_scale_by_fixed_point(
      muon_saturate_i32((int64_t)acc + (int64_t)bias), multiplier, shift);
  int64_t z = (int64_t)x + (int64_t)zero_point;
  if (z < clamp_min)
    z = clamp_min;
  if (z > clamp_max)
    z = clamp_max;
  if (z < -128)
    z = -128;
  if (z > 127)
    z = 127;
  return (int8_t)z;
}

#ifdef __cplusplus
}
#endif

#endif /* MUON_RUNTIME_COMMON_REQUANT_H */
