"""A straightforward Python-integer model of Muon's shared requantization.

Independent of Muon's code: it transcribes runtime/common/requant.h
(muon_requantize) and the derivation of the Q31 multiplier and shift in
docs/quantization.md, with Python's unbounded integers, so tests can compare
Muon's compiled output with it exactly.
"""
import math

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def fixed_point_multiplier(real):
    """(m, shift) with real = m * 2^-31 * 2^-shift, as TFLite's QuantizeMultiplier."""
    if not real > 0.0:
        return 0, 0
    fraction, exponent = math.frexp(real)
    scaled = fraction * (1 << 31)
    # Round half away from zero (C's llround); scaled is positive.
    m = int(math.floor(scaled + 0.5))
    if m == 1 << 31:
        m //= 2
        exponent += 1
    if -exponent > 31:
        return 0, 0
    if -exponent < -31:
        return INT32_MAX, -31
    return m, -exponent


def saturate_i32(x):
    return max(INT32_MIN, min(INT32_MAX, x))


def srdhm(a, b):
    """gemmlowp's SaturatingRoundingDoublingHighMul."""
    if a == INT32_MIN and b == INT32_MIN:
        return INT32_MAX
    product = a * b
    nudge = (1 << 30) if product >= 0 else 1 - (1 << 30)
    total = product + nudge
    # C division truncates towards zero.
    quotient = abs(total) // (1 << 31)
    return quotient if total >= 0 else -quotient


def rounding_shift_right(x, exponent):
    """gemmlowp's RoundingDivideByPOT: ties away from zero."""
    if exponent <= 0:
        return x
    exponent = min(exponent, 31)
    magnitude = abs(x)
    rounded = (magnitude + (1 << (exponent - 1))) >> exponent
    return -rounded if x < 0 else rounded


def requantize(acc, m, shift, zero_point, qmin, qmax, bias=0):
    """muon_requantize, with the final clamp to [qmin, qmax] (the storage
    range: [-128, 127] for int8, [0, 255] for uint8)."""
    x = saturate_i32(acc + bias)
    shift = max(-31, min(31, shift))
    if shift < 0:
        x = saturate_i32(x * (1 << -shift))
    x = srdhm(x, m)
    if shift > 0:
        x = rounding_shift_right(x, shift)
    return max(qmin, min(qmax, x + zero_point))
