#!/usr/bin/env python3
"""Checks muon.requantize on the CPU bit for bit against requant_reference.py.

For each configuration (per tensor and per axis, int8 and uint8 results,
multipliers below and above 1, tiny ones) it writes a one-op muon-dialect
model, a random int32 accumulator (seeded; with the extremes, zero and
values near rounding ties mixed in), compiles and runs it with muon-run and
compares every element with the Python-integer reference, which transcribes
runtime/common/requant.h independently of Muon's code.

When runtime/common/requant.h is in the tree (--requant-h), the int8
results are also checked against that header itself, compiled with --cc
(its muon_requantize clamps to int8, so the uint8 configurations are left
to the reference).

    requantize_bit_exact.py --muon-run PATH --work DIR [--cc CC --requant-h H]
Prints one line per configuration and 'N passed, N failed'.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from requant_reference import (INT32_MAX, INT32_MIN,  # noqa: E402
                               fixed_point_multiplier, requantize)

# name, accumulator shape, per-axis axis (None: per tensor), input scales,
# output scale, output zero point, unsigned output
CONFIGS = [
    ("per_tensor_i8", (4, 64), None, [0.0004], 0.05, -3, False),
    ("per_tensor_u8", (4, 64), None, [0.0004], 0.05, 128, True),
    ("multiplier_above_one", (4, 64), None, [0.75], 0.25, 7, False),
    ("shift_28", (4, 64), None, [1e-9], 0.5, 0, False),
    ("multiplier_below_2e-32", (4, 64), None, [1e-12], 0.5, 5, False),
    # frexp gives f = 1 - 2^-34, whose Q31 rounding reaches 2^31: m becomes
    # 2^30 with the exponent one higher.
    ("rounds_to_2^31", (4, 64), None, [1.0 - 2.0 ** -34], 1.0, 0, False),
    ("per_axis_i8", (2, 5, 3, 7), 1, [0.001, 0.0003, 0.02, 0.5, 3e-6], 0.04,
     -10, False),
    ("per_axis_u8_last", (8, 6), 1, [0.0001, 0.0002, 0.0004, 0.0008, 0.0016,
                                     0.0032], 0.011, 20, True),
]


def quant_type(storage, scales, zero_point, axis):
    if axis is None:
        text = f"{scales[0]:.17e}" + (f":{zero_point}" if zero_point else "")
        return f"!quant.uniform<{storage}:f32, {text}>"
    body = ",".join(f"{s:.17e}" for s in scales)
    return f"!quant.uniform<{storage}:f32:{axis}, {{{body}}}>"


def write_model(path, shape, axis, scales, out_scale, zero_point, unsigned):
    dims = "x".join(str(d) for d in shape)
    acc = quant_type("i32", scales, 0, axis)
    out = quant_type("u8" if unsigned else "i8", [out_scale], zero_point, None)
    with open(path, "w") as f:
        f.write(f"""func.func @main(%acc: tensor<{dims}xi32> {{muon.name = "acc"}}) -> (tensor<{dims}xi8> {{muon.name = "y"}}) {{
  %a = quant.scast %acc : tensor<{dims}xi32> to tensor<{dims}x{acc}>
  %r = muon.requantize %a : (tensor<{dims}x{acc}>) -> tensor<{dims}x{out}>
  %y = quant.scast %r : tensor<{dims}x{out}> to tensor<{dims}xi8>
  return %y : tensor<{dims}xi8>
}}
""")


def accumulators(rng, shape, multipliers):
    """Uniform int32 values, small ones, the extremes, and values whose
    product with a multiplier lands on or next to a rounding tie."""
    count = int(np.prod(shape))
    values = np.concatenate([
        rng.integers(INT32_MIN, INT32_MAX, count, endpoint=True),
        rng.integers(-5000, 5000, count),
        np.array([INT32_MIN, INT32_MIN + 1, INT32_MAX, INT32_MAX - 1, 0, 1,
                  -1]),
    ])
    ties = []
    for m, shift in multipliers:
        if m == 0:
            continue
        # acc * m / 2^(31 + shift) = k + 1/2 for these acc (when exact).
        unit = 1 << (31 + max(shift, 0))
        for k in rng.integers(-300, 300, 16):
            acc = ((2 * int(k) + 1) * unit) // (2 * m)
            ties += [acc - 1, acc, acc + 1]
    values = np.concatenate([values, np.array(ties, dtype=np.int64)])
    values = np.clip(values, INT32_MIN, INT32_MAX)
    rng.shuffle(values)
    return values[:count].reshape(shape).astype(np.int32)


C_DRIVER = r"""
#include <stdio.h>
#include REQUANT_H
int main(void) {
  long long acc;
  int m, shift, zp;
  while (scanf("%lld %d %d %d", &acc, &m, &shift, &zp) == 4)
    printf("%d\n", muon_requantize((int32_t)acc, 0, m, shift, zp, -128, 127));
  return 0;
}
"""


def check_with_header(args, rows, got):
    """Runs requant.h's muon_requantize on rows of (acc, m, shift, zp) and
    returns how many results differ from `got`."""
    source = os.path.join(args.work, "requant_driver.c")
    binary = os.path.join(args.work, "requant_driver")
    with open(source, "w") as f:
        f.write(C_DRIVER)
    subprocess.run([args.cc, "-std=c99", "-O2", "-Wall", "-Werror",
                    f'-DREQUANT_H="{os.path.abspath(args.requant_h)}"',
                    source, "-o", binary], check=True)
    text = "".join(f"{a} {m} {s} {z}\n" for a, m, s, z in rows)
    out = subprocess.run([binary], input=text, capture_output=True,
                         text=True, check=True).stdout.split()
    return sum(int(c) != g for c, g in zip(out, got)) + abs(len(out) -
                                                            len(got))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--muon-run", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--cc", default="cc")
    parser.add_argument("--requant-h")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(20261124)
    passed = failed = 0
    header_rows, header_got = [], []
    for name, shape, axis, scales, out_scale, zero_point, unsigned in CONFIGS:
        # The scales as MLIR stores them (f64) and Muon divides them.
        multipliers = [fixed_point_multiplier(s / out_scale) for s in scales]
        model = os.path.join(args.work, name + ".mlir")
        write_model(model, shape, axis, scales, out_scale, zero_point,
                    unsigned)
        acc = accumulators(rng, shape, multipliers)
        # Extremes first so they are always checked.
        flat = acc.reshape(-1)
        flat[:4] = [INT32_MIN, INT32_MAX, 0, -1]
        inp = os.path.join(args.work, name + ".acc.npy")
        np.save(inp, acc)
        out_dir = os.path.join(args.work, name)
        run = subprocess.run([args.muon_run, model, "--input", inp,
                              "--output-dir", out_dir],
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {name}: muon-run: {run.stderr.strip()}")
            failed += 1
            continue
        got = np.load(os.path.join(out_dir, "y.npy"))
        got = got.view(np.uint8) if unsigned else got
        qmin, qmax = (0, 255) if unsigned else (-128, 127)
        expected = np.empty(shape, dtype=np.int64)
        for index in np.ndindex(*shape):
            channel = 0 if axis is None else index[axis]
            m, shift = multipliers[channel]
            expected[index] = requantize(int(acc[index]), m, shift, zero_point,
                                         qmin, qmax)
            if not unsigned:
                header_rows.append((int(acc[index]), m, shift, zero_point))
                header_got.append(int(got[index]))
        mismatches = int(np.sum(got.astype(np.int64) != expected))
        if mismatches:
            first = np.argwhere(got.astype(np.int64) != expected)[0]
            idx = tuple(first)
            print(f"FAIL {name}: {mismatches} of {acc.size} differ, first at "
                  f"{idx}: acc {acc[idx]} gives {got[idx]}, expected "
                  f"{expected[idx]}")
            failed += 1
        else:
            print(f"ok   {name}: {acc.size} values, (m, shift) "
                  f"{sorted(set(multipliers))}")
            passed += 1
    if args.requant_h and os.path.isfile(args.requant_h):
        differ = check_with_header(args, header_rows, header_got)
        if differ:
            print(f"FAIL requant.h: {differ} of {len(header_got)} int8 "
                  f"results differ from the compiled header")
            failed += 1
        else:
            print(f"ok   requant.h itself: {len(header_got)} int8 results")
    else:
        print("requant.h: not in this tree, checked against the reference only")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
