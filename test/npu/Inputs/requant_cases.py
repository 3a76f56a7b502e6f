#!/usr/bin/python3
"""requant_cases.py write CASES | check CASES RESULTS: 200000 seeded cases of
the shared requantization (edges of every argument and random values), and
the check of the C header's results against reference.py."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as ref  # noqa: E402

I32 = [ref.I32_MIN, ref.I32_MIN + 1, -(1 << 30), -1, 0, 1, 1 << 30, ref.I32_MAX - 1, ref.I32_MAX]


def cases(n=200000):
    rng = np.random.default_rng(4)
    c = np.empty((n, 7), np.int64)
    c[:, 0] = np.where(rng.random(n) < 0.2, rng.choice(I32, n), rng.integers(-(1 << 31), 1 << 31, n))
    c[:, 1] = np.where(rng.random(n) < 0.2, rng.choice(I32, n), rng.integers(-(1 << 20), 1 << 20, n))
    c[:, 2] = np.where(rng.random(n) < 0.2, rng.choice(I32, n), rng.integers(1 << 30, 1 << 31, n))
    c[:, 3] = rng.integers(-40, 40, n)
    c[:, 4] = rng.integers(-200, 200, n)
    c[:, 5] = rng.integers(-150, 20, n)
    c[:, 6] = rng.integers(-20, 150, n)
    # Exact ties of both roundings: acc * mult = k * 2^30 and shifts of odd halves.
    ties = n // 10
    c[:ties, 0] = rng.integers(-(1 << 20), 1 << 20, ties)
    c[:ties, 1] = 0
    c[:ties, 2] = 1 << 30
    c[:ties, 3] = rng.integers(0, 4, ties)
    return c


if sys.argv[1] == "write":
    cases().astype("<i4").tofile(sys.argv[2])
else:
    c = np.fromfile(sys.argv[2], "<i4").astype(np.int64).reshape(-1, 7)
    actual = np.fromfile(sys.argv[3], np.int8)
    expected = ref.requantize(c[:, 0], c[:, 1], c[:, 2], c[:, 3], c[:, 4], c[:, 5], c[:, 6])
    bad = np.flatnonzero(actual != expected)
    for i in bad[:10]:
        print(f"requantize{tuple(int(v) for v in c[i])} = {actual[i]}, expected {expected[i]}")
    if len(bad) or len(actual) != len(c):
        sys.exit(f"{len(bad)} of {len(c)} cases differ")
    print(f"{len(c)} cases equal")
