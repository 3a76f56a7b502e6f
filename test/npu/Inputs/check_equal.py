#!/usr/bin/python3
"""check_equal.py actual.npy expected.npy: exact equality of dtype, shape and
every element (the NPU is bit-exact); prints the first differences."""
import sys

import numpy as np

actual, expected = np.load(sys.argv[1]), np.load(sys.argv[2])
if actual.dtype != expected.dtype or actual.shape != expected.shape:
    sys.exit(f"{sys.argv[1]}: {actual.dtype}{list(actual.shape)}, expected "
             f"{expected.dtype}{list(expected.shape)}")
diff = np.argwhere(actual != expected)
if len(diff):
    for index in diff[:10]:
        i = tuple(index)
        print(f"at {list(i)}: {actual[i]}, expected {expected[i]}")
    sys.exit(f"{sys.argv[1]}: {len(diff)} of {actual.size} elements differ")
print(f"{sys.argv[1]}: all {actual.size} elements equal")
