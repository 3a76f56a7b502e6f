#!/usr/bin/env python3
"""compare_npy.py ACTUAL EXPECTED [--rtol R] [--atol A]: checks dtype, shape
and values; prints the worst error; exits non-zero on a mismatch."""
import argparse
import sys

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("actual")
parser.add_argument("expected")
parser.add_argument("--rtol", type=float, default=1e-4)
parser.add_argument("--atol", type=float, default=1e-6)
args = parser.parse_args()
actual, expected = np.load(args.actual), np.load(args.expected)
if actual.dtype != expected.dtype or actual.shape != expected.shape:
    sys.exit(f"mismatch: got {actual.dtype}{list(actual.shape)}, "
             f"expected {expected.dtype}{list(expected.shape)}")
error = np.max(np.abs(actual.astype(np.float64) - expected)) if actual.size else 0.0
ok = np.allclose(actual, expected, rtol=args.rtol, atol=args.atol)
print(f"{'match' if ok else 'MISMATCH'}: max abs error {error:.3g}")
sys.exit(0 if ok else 1)
