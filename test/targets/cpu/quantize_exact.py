#!/usr/bin/env python3
"""QuantizeLinear and DequantizeLinear with constant parameters, exactly.

Per-tensor and per-axis models (more channels than fit inline, so the
scales and zero points are resource blobs), int8 and uint8, compiled to
muon.quantize / muon.dequantize and run by muon-run on seeded data with
halfway values and out-of-range values mixed in; compared element by
element with numpy's formulas from the ONNX specification:
    y = saturate(rint(x / scale) + zero_point)      (f32 division, half to even)
    x' = (y - zero_point) * scale                   (f32)

    quantize_exact.py --muon-run PATH --work DIR
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ONNX_TYPE = {np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8}


def case(rng, name, shape, axis, dtype):
    channels = shape[axis] if axis is not None else 1
    scale = rng.uniform(0.01, 0.2, channels).astype(np.float32)
    info = np.iinfo(dtype)
    zero_point = rng.integers(info.min, info.max, channels,
                              endpoint=True).astype(dtype)
    bshape = [1] * len(shape)
    if axis is not None:
        bshape[axis] = channels
    s = scale.reshape(bshape)
    z = zero_point.reshape(bshape)
    x = rng.normal(0, 8, shape).astype(np.float32)
    # Every third element an exact half step (a rounding tie) where f32
    # represents it, a few far outside the range.
    halves = ((rng.integers(-200, 200, shape) + 0.5) * s).astype(np.float32)
    x = np.where(rng.random(shape) < 0.33, halves, x)
    x.reshape(-1)[:2] = [1e9, -1e9]
    if axis is None:
        scale_init = numpy_helper.from_array(scale.reshape(()), "s")
        zp_init = numpy_helper.from_array(zero_point.reshape(()), "z")
        attrs = {}
    else:
        scale_init = numpy_helper.from_array(scale, "s")
        zp_init = numpy_helper.from_array(zero_point, "z")
        attrs = {"axis": axis}
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"],
                              **attrs),
             helper.make_node("DequantizeLinear", ["y", "s", "z"], ["d"],
                              **attrs)]
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
        [helper.make_tensor_value_info("y", ONNX_TYPE[dtype], list(shape)),
         helper.make_tensor_value_info("d", TensorProto.FLOAT, list(shape))],
        [scale_init, zp_init])
    y = np.clip(np.rint(x / s) + z.astype(np.float32), info.min,
                info.max).astype(dtype)
    d = ((y.astype(np.int32) - z.astype(np.int32)).astype(np.float32) *
         s).astype(np.float32)
    return graph, x, {"y": y, "d": d}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--muon-run", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(7)
    cases = [
        case(rng, "per_tensor_u8", (3, 50), None, np.uint8),
        case(rng, "per_tensor_i8", (3, 50), None, np.int8),
        case(rng, "per_axis_u8", (2, 24, 5), 1, np.uint8),
        case(rng, "per_axis_i8_last", (4, 33), 1, np.int8),
        case(rng, "per_axis_i8_first", (20, 2, 3), 0, np.int8),
    ]
    passed = failed = 0
    for graph, x, expected in cases:
        name = graph.name
        model = helper.make_model(graph,
                                  opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        path = os.path.join(args.work, name + ".onnx")
        onnx.save(model, path)
        npy = os.path.join(args.work, name + ".x.npy")
        np.save(npy, x)
        out = os.path.join(args.work, name)
        run = subprocess.run([args.muon_run, path, "--input", npy,
                              "--output-dir", out],
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {name}: muon-run: {run.stderr.strip()}")
            failed += 1
            continue
        problems = []
        for output, want in expected.items():
            got = np.load(os.path.join(out, output + ".npy"))
            if got.dtype != want.dtype or got.shape != want.shape:
                problems.append(f"{output}: {got.dtype}{list(got.shape)}")
            elif not np.array_equal(got, want):
                problems.append(f"{output}: {int(np.sum(got != want))} of "
                                f"{got.size} differ")
        if problems:
            print(f"FAIL {name}: " + "; ".join(problems))
            failed += 1
        else:
            print(f"ok   {name}: {x.size} elements")
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
