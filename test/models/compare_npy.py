#!/usr/bin/env python3
"""compare_npy.py ACTUAL EXPECTED [--rtol R] [--atol A] [--max-rel E]: checks
dtype, shape and values; prints the worst error; exits non-zero on a mismatch.

Without --max-rel, values must satisfy numpy's allclose(rtol, atol). With
--max-rel E, the check is instead max|actual - expected| <= E * max|expected|:
an error relative to the output's scale, which suits a reference computed in
float32 by another engine (ONNX Runtime), where tiny outputs carry absolute,
not relative, rounding error."""
import argparse
import sys

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("actual")
parser.add_argument("expected")
parser.add_argument("--rtol", type=float, default=1e-4)
parser.add_argument("--atol", type=float, default=1e-6)
parser.add_argument("--max-rel", type=float, default=None,
                    help="bound on max abs error / max |expected| (replaces rtol/atol)")
args = parser.parse_args()
actual, expected = np.load(args.actual), np.load(args.expected)
if actual.dtype != expected.dtype or actual.shape != expected.shape:
    sys.exit(f"mismatch: got {actual.dtype}{list(actual.shape)}, "
             f"expected {expected.dtype}{list(expected.shape)}")
a, e = actual.astype(np.float64), expected.astype(np.float64)
error = np.max(np.abs(a - e)) if actual.size else 0.0
if args.max_rel is not None:
    scale = np.max(np.abs(e)) if actual.size else 0.0
    relative = error / scale if scale > 0 else error
    ok = bool(np.all(np.isfinite(a))) and relative <= args.max_rel
    print(f"{'match' if ok else 'MISMATCH'}: max abs error {error:.3g}, "
          f"relative to max |expected| {scale:.3g}: {relative:.3g} (bound {args.max_rel:g})")
else:
    ok = np.allclose(actual, expected, rtol=args.rtol, atol=args.atol)
    print(f"{'match' if ok else 'MISMATCH'}: max abs error {error:.3g}")
sys.exit(0 if ok else 1)
