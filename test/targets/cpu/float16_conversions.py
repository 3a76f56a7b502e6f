#!/usr/bin/env python3
"""Conversions to and from float16 and bfloat16, bit for bit.

Each case is a one-node ONNX model (Cast, or Add on a 16-bit type) run by
muon-run with the given compile options on inputs chosen to hit every
rounding rule: ties, values just above and below a tie, the largest finite
values and what overflows, subnormals, zeros of both signs, infinities and
NaNs, every float16 and bfloat16 bit pattern for the widening casts, and
seeded random bit patterns. The reference rounds by the definition (the
nearest representable value, ties to the even significand, infinity from
the largest value plus half an ulp on) in Python floats, which hold every
float32 exactly and every float64 input as it is; it shares no code with
Muon. A NaN must give a NaN of the same sign. bfloat16 tensors go in and
out of muon-run as their uint16 bits (docs/abi.md).

    float16_conversions.py --muon-run PATH --work DIR [muon-run options]
Prints one line per case and 'N passed, N failed'.
"""
import argparse
import math
import os
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exact_runs import run_cases  # noqa: E402

# name: (significand bits with the hidden one, smallest normal exponent,
#        largest finite value, ONNX type)
FORMATS = {
    "float16": (11, -14, 65504.0, TensorProto.FLOAT16),
    "bfloat16": (8, -126, float.fromhex("0x1.fep127"), TensorProto.BFLOAT16),
}


def round_to(value, fmt):
    """`value` (a Python float) rounded to the format: nearest, ties to
    even; beyond the largest finite value plus half an ulp, infinity."""
    if math.isnan(value) or math.isinf(value) or value == 0:
        return value
    digits, emin, largest, _ = FORMATS[fmt]
    exponent = max(math.frexp(abs(value))[1] - 1, emin)
    ulp = math.ldexp(1.0, exponent - digits + 1)
    # Scaling by a power of two is exact; round() of a float is
    # round-half-even.
    rounded = abs(round(value / ulp) * ulp)
    return math.copysign(math.inf if rounded > largest else rounded, value)


def bits_of(values, fmt):
    """The uint16 bits of values that the format represents exactly."""
    if fmt == "float16":
        return np.asarray(values, np.float16).view(np.uint16)
    return (np.asarray(values, np.float32).view(np.uint32) >> 16).astype(np.uint16)


def from_bits(bits, fmt):
    """float32 values of uint16 bit patterns of the format (exact)."""
    if fmt == "float16":
        return bits.view(np.float16).astype(np.float32)
    return (bits.astype(np.uint32) << 16).view(np.float32)


def rounding_inputs(fmt, dtype, rng):
    """Values around every rounding rule of `fmt`, in `dtype` (float32 or
    float64), and random bit patterns of `dtype`."""
    digits, emin, largest, _ = FORMATS[fmt]
    values = [0.0, -0.0, math.inf, -math.inf, largest, -largest]
    for exponent in (0, 5, emin, emin - 1, emin - digits + 1, emin - digits,
                     emin - digits - 1, 15 if fmt == "float16" else 127):
        ulp = math.ldexp(1.0, exponent - digits + 1)
        base = math.ldexp(1.0, exponent)
        for k in (0, 1, 2, 3):  # even and odd significands
            tie = base + (k + 0.5) * ulp
            for delta in (0.0, ulp / 64, -ulp / 64, ulp * 2 ** -30):
                values += [tie + delta, -(tie + delta)]
    # The overflow boundary: largest + half an ulp rounds to infinity (a tie
    # with an even 'significand' beyond the format), a little less does not.
    half_ulp = math.ldexp(1.0, math.frexp(largest)[1] - 1 - digits)
    for delta in (0.0, -half_ulp / 64, half_ulp / 64):
        values += [largest + half_ulp + delta, -(largest + half_ulp + delta)]
    values = np.array(values, np.float64)
    width = 32 if dtype == np.float32 else 64
    uint = np.uint32 if width == 32 else np.uint64
    random_bits = rng.integers(0, 2 ** width, 20000, dtype=uint).view(dtype)
    random_scaled = (rng.standard_normal(20000) *
                     np.exp2(rng.uniform(emin - digits - 2, 20, 20000)))
    nans = np.array([np.nan, -np.nan], dtype)
    signalling = (np.array([0x7f800001, 0xff800123], np.uint32).view(np.float32)
                  if width == 32 else
                  np.array([0x7ff0000000000001], np.uint64).view(np.float64))
    return np.concatenate([values.astype(dtype), random_bits,
                           random_scaled.astype(dtype), nans,
                           signalling]).astype(dtype)


def expected_bits(inputs, fmt):
    return bits_of([round_to(float(v), fmt) for v in inputs], fmt)


def cast_graph(name, source, target, n):
    x = helper.make_tensor_value_info("x", source, [n])
    y = helper.make_tensor_value_info("y", target, [n])
    return helper.make_graph([helper.make_node("Cast", ["x"], ["y"], to=target)],
                             name, [x], [y])


def same_bits(kind, nan_sign=True):
    """Compares the bit patterns of `kind` (float32, float16, bfloat16)
    exactly, except where the expected value is a NaN: the result must be a
    NaN (of the same sign with `nan_sign`), its payload is free."""
    exponent, mantissa, sign_bit = {
        "float32": (0x7f800000, 0x7fffff, 31),
        "float16": (0x7c00, 0x3ff, 15),
        "bfloat16": (0x7f80, 0x7f, 15)}[kind]

    def is_nan(bits):
        return ((bits & exponent) == exponent) & ((bits & mantissa) != 0)

    def compare(got, expected):
        uint = np.uint32 if kind == "float32" else np.uint16
        got, expected = got.view(uint), expected.view(uint)
        nan = is_nan(expected)
        wrong_nan = ~is_nan(got)
        if nan_sign:
            wrong_nan |= (got >> sign_bit) != (expected >> sign_bit)
        wrong = np.where(nan, wrong_nan, got != expected)
        if not wrong.any():
            return None
        first = int(np.argmax(wrong))
        return (f"{int(wrong.sum())} of {wrong.size} elements differ, e.g. "
                f"element {first}: {int(got[first]):#x}, expected "
                f"{int(expected[first]):#x}")
    return compare


def cases(rng):
    for fmt in FORMATS:
        onnx_type = FORMATS[fmt][3]
        storage = np.float16 if fmt == "float16" else np.uint16
        for source, dtype in ((TensorProto.FLOAT, np.float32),
                              (TensorProto.DOUBLE, np.float64)):
            x = rounding_inputs(fmt, dtype, rng)
            yield (cast_graph(f"cast_{np.dtype(dtype).name}_to_{fmt}", source,
                              onnx_type, len(x)),
                   {"x": x}, expected_bits(x, fmt).view(storage),
                   same_bits(fmt))

        # Widening: every bit pattern, exactly (NaNs keep their payload,
        # as numpy's float16 conversion and the bfloat16 shift do).
        every = np.arange(2 ** 16, dtype=np.uint16)
        yield (cast_graph(f"cast_{fmt}_to_float32", onnx_type,
                          TensorProto.FLOAT, len(every)),
               {"x": every.view(storage)}, from_bits(every, fmt),
               same_bits("float32"))

        # Arithmetic on the type: the exact sum of two values, rounded once.
        # (A NaN's sign is the hardware's choice: inf + -inf, NaN + NaN.)
        a = rng.integers(0, 2 ** 16, 50000, dtype=np.uint16)
        b = rng.integers(0, 2 ** 16, 50000, dtype=np.uint16)
        with np.errstate(invalid="ignore"):  # signalling NaNs
            total = (from_bits(a, fmt).astype(np.float64) +
                     from_bits(b, fmt).astype(np.float64))
        graph = helper.make_graph(
            [helper.make_node("Add", ["a", "b"], ["y"])], f"add_{fmt}",
            [helper.make_tensor_value_info(n, onnx_type, [len(a)]) for n in "ab"],
            [helper.make_tensor_value_info("y", onnx_type, [len(a)])])
        with np.errstate(invalid="ignore"):
            expected = expected_bits(total, fmt)
        yield (graph, {"a": a.view(storage), "b": b.view(storage)},
               expected.view(storage), same_bits(fmt, nan_sign=False))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--muon-run", required=True)
    parser.add_argument("--work", required=True)
    args, muon_run_options = parser.parse_known_args()
    rng = np.random.default_rng(16)
    return run_cases(cases(rng), args.muon_run, args.work, muon_run_options)


if __name__ == "__main__":
    sys.exit(main())
