//===- Quantization.h - Muon's shared requantization parameters -*- C++ -*-===//
//
// The one definition of how a real requantization multiplier becomes the
// integer parameters of runtime/common/requant.h (`muon_requantize`), which
// every target applies bit-exactly. docs/quantization.md explains both.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_DIALECTS_MUON_QUANTIZATION_H
#define MUON_DIALECTS_MUON_QUANTIZATION_H

#include <cstdint>

namespace muon {

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

} // namespace muon

#endif
