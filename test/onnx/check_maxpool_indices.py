#!/usr/bin/env python3
"""MaxPool's Indices output against a direct numpy reading of the spec.

The backend data has Indices only for N = C = 1 and 2-D windows; this builds
MaxPool-12 models with batches, channels, 2-D and 3-D windows, pads and
strides, runs them through muon-run and compares both outputs with a loop
over every window: the maximum (first in the window's row-major scan) and
its position in the flattened input, the spatial part row major
(storage_order 0) or column major (1), after (n * C + c) * prod(spatial).

    check_maxpool_indices.py MUON_RUN WORKDIR
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

CASES = [  # input shape, kernel, strides, pads
    ((2, 3, 5, 6), (2, 3), (1, 2), (1, 0, 1, 1)),
    ((2, 2, 4, 4, 5), (2, 2, 2), (2, 1, 2), (0, 1, 0, 1, 0, 1)),
]


def reference(x, kernel, strides, pads, order):
    n = len(kernel)
    spatial = x.shape[2:]
    out = [(spatial[i] + pads[i] + pads[n + i] - kernel[i]) // strides[i] + 1
           for i in range(n)]
    y = np.zeros(x.shape[:2] + tuple(out), x.dtype)
    z = np.zeros(y.shape, np.int64)
    for index in np.ndindex(*y.shape):
        b, c, o = index[0], index[1], index[2:]
        best, where = -np.inf, None
        for k in np.ndindex(*kernel):
            pos = [o[i] * strides[i] + k[i] - pads[i] for i in range(n)]
            if any(q < 0 or q >= spatial[i] for i, q in enumerate(pos)):
                continue
            if x[(b, c) + tuple(pos)] > best:
                best = x[(b, c) + tuple(pos)]
                flat = (np.ravel_multi_index(pos, spatial) if order == 0 else
                        np.ravel_multi_index(pos[::-1], spatial[::-1]))
                where = (b * x.shape[1] + c) * int(np.prod(spatial)) + flat
        y[index], z[index] = best, where
    return y, z


def main():
    muon_run, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(0)
    failed = 0
    for shape, kernel, strides, pads in CASES:
        for order in (0, 1):
            x = rng.standard_normal(shape).astype(np.float32)
            y, z = reference(x, kernel, strides, pads, order)
            node = helper.make_node("MaxPool", ["x"], ["y", "z"],
                                    kernel_shape=list(kernel),
                                    strides=list(strides), pads=list(pads),
                                    storage_order=order)
            graph = helper.make_graph(
                [node], "maxpool_indices",
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, y.shape),
                 helper.make_tensor_value_info("z", TensorProto.INT64, z.shape)])
            model = helper.make_model(
                graph, opset_imports=[helper.make_opsetid("", 12)])
            name = f"{len(kernel)}d_order{order}"
            onnx.save(model, os.path.join(work, name + ".onnx"))
            np.save(os.path.join(work, name + "_x.npy"), x)
            out = os.path.join(work, name + "_out")
            subprocess.run([muon_run, os.path.join(work, name + ".onnx"),
                            "--input", os.path.join(work, name + "_x.npy"),
                            "--output-dir", out], check=True)
            ok = (np.array_equal(np.load(os.path.join(out, "y.npy")), y) and
                  np.array_equal(np.load(os.path.join(out, "z.npy")), z))
            failed += not ok
            print(f"{'ok' if ok else 'FAIL'} {name}")
    print(f"{len(CASES) * 2 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
