"""Checks Muon's calibration statistics against numpy on synthetic data.

  calibration_statistics.py make DIR     writes DIR/sample_*.npy
  calibration_statistics.py check DIR    reads the tool's output on stdin
  calibration_statistics.py check-relu DIR   the same for DIR/relu/sample_*.npy

Expected values are numpy's (min/max, np.percentile of |x|) or derived by
hand (the entropy threshold of a Gaussian with a few far outliers).
"""
import glob
import os
import sys

import numpy as np

PERCENTILE = 99.9


def samples(directory):
    return [np.load(p) for p in sorted(glob.glob(os.path.join(directory, "sample_*.npy")))]


def make(directory):
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(11)
    for i in range(4):
        # A skewed bulk (mean 0.5, sd 1) and, in the last sample, a few
        # outliers a hundred standard deviations out.
        x = rng.normal(0.5, 1.0, size=(1, 20000)).astype(np.float32)
        if i == 3:
            x[0, :5] = [100.0, 120.0, -90.0, 150.0, 110.0]
        np.save(os.path.join(directory, f"sample_{i}.npy"), x)
    # A relu output: half the values exactly 0, the rest |N(0, 1)|.
    os.makedirs(os.path.join(directory, "relu"), exist_ok=True)
    for i in range(4):
        x = np.maximum(rng.normal(0.0, 1.0, size=(1, 50000)), 0).astype(np.float32)
        np.save(os.path.join(directory, "relu", f"sample_{i}.npy"), x)


def check(directory):
    x = np.concatenate([s.ravel() for s in samples(directory)])
    got = {}
    for line in sys.stdin:
        name, *values = line.split()
        got[name] = [float(v) for v in values]
    ok = True

    def expect(what, condition):
        nonlocal ok
        print(("ok    " if condition else "FAIL  ") + what)
        ok = ok and condition

    lo, hi = got["minmax"]
    expect(f"minmax [{lo}, {hi}] == numpy [{x.min()}, {x.max()}]",
           lo == float(x.min()) and hi == float(x.max()))
    bin_width = got["bin"][0]
    expect(f"bin width {bin_width} == max|x| / 2048",
           np.isclose(bin_width, np.abs(x).max() / 2048, rtol=1e-6))
    t = np.percentile(np.abs(x).astype(np.float64), PERCENTILE)
    lo, hi = got["percentile"]
    expect(f"percentile threshold {hi} within one bin of numpy's {t:.6g}",
           abs(hi - t) <= bin_width and lo == -hi)
    # Entropy: the outliers are 5 of 80000 values; a Gaussian of sd 1 (shifted
    # by 0.5) has |x| < 5.5 for all but ~1e-7 of its mass. Clipping the
    # outliers costs them little divergence while keeping them would spend
    # 127 int8 levels on [0, 150] (a level ~1.2 wide, coarser than the whole
    # bulk's sd): so the threshold must clip them (< 90) yet keep most of
    # the bulk (> 2.5, beyond the 99th percentile of |x|, which is ~3).
    lo, hi = got["entropy"]
    expect(f"entropy clips the outliers: threshold {hi} in (2.5, 90)", 2.5 < hi < 90)
    expect(f"entropy range symmetric within the data: [{lo}, {hi}]",
           lo == -hi or lo == float(x.min()))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def check_relu(directory):
    """Entropy on a relu output: the spike at 0 (half the values, which any
    threshold represents exactly) must not pull the threshold into the bulk.
    A threshold below the 99th percentile of the positive values would clip
    more than 1 % of them; the method should keep at least that much."""
    x = np.concatenate([s.ravel() for s in samples(os.path.join(directory, "relu"))])
    got = {}
    for line in sys.stdin:
        name, *values = line.split()
        got[name] = [float(v) for v in values]
    lo, hi = got["entropy"]
    keep = np.percentile(x[x > 0].astype(np.float64), 99)
    ok = lo == 0.0 and keep < hi <= x.max()
    print(("ok    " if ok else "FAIL  ") +
          f"relu entropy range [{lo}, {hi}] keeps the 99th percentile {keep:.4g} of x > 0")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "check-relu":
        sys.exit(check_relu(sys.argv[2]))
    else:
        sys.exit(check(sys.argv[2]))
