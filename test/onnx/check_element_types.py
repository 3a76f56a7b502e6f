#!/usr/bin/env python3
"""muon-run's .npy input and output of the element types beyond float32.

Builds one model whose inputs and outputs are uint8, uint16, uint32, uint64,
int16, float16 and bfloat16 (as uint16 bits, how .npy and onnx.numpy_helper
hold it), runs it through muon-run on .npy inputs and compares every output
with numpy computing the same arithmetic (wrapping unsigned integers,
unsigned comparison in Max, ReduceMin and ArgMax, float16 rounding, bfloat16
as the upper half of a float32 rounded to nearest even).

    check_element_types.py MUON_RUN WORKDIR
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper


def to_bfloat16_bits(x):
    bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def from_bfloat16_bits(b):
    return (b.astype(np.uint32) << 16).view(np.float32)


def main():
    muon_run, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(1)
    inputs = {
        "a": rng.integers(0, 256, 5, dtype=np.uint8),
        "b": rng.integers(0, 2**16, 5, dtype=np.uint16),
        "c": rng.integers(0, 2**32, 5, dtype=np.uint32),
        "d": rng.integers(2**40, 2**63, 5, dtype=np.uint64),
        "e": rng.integers(-2**15, 2**15, 5, dtype=np.int16),
        "h": rng.standard_normal(5).astype(np.float16),
        "g": to_bfloat16_bits(rng.standard_normal(5).astype(np.float32)),
    }
    onnx_types = {"a": TensorProto.UINT8, "b": TensorProto.UINT16,
                  "c": TensorProto.UINT32, "d": TensorProto.UINT64,
                  "e": TensorProto.INT16, "h": TensorProto.FLOAT16,
                  "g": TensorProto.BFLOAT16}
    nodes = [
        helper.make_node("Add", ["a", "a"], ["a2"]),         # wraps mod 256
        helper.make_node("Max", ["b", "k"], ["b2"]),         # unsigned
        helper.make_node("Div", ["c", "c1"], ["c2"]),        # unsigned
        helper.make_node("Mul", ["d", "d"], ["d2"]),         # wraps mod 2^64
        helper.make_node("Min", ["e", "z"], ["e2"]),         # signed
        helper.make_node("Mul", ["h", "h"], ["h2"]),
        helper.make_node("Cast", ["g"], ["gf"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["gf", "three"], ["gf3"]),
        helper.make_node("Cast", ["gf3"], ["g2"], to=TensorProto.BFLOAT16),
        helper.make_node("ReduceMin", ["c"], ["cmin"], keepdims=1),
        helper.make_node("ArgMax", ["b"], ["bmax"], keepdims=0),
    ]
    initializers = [
        helper.make_tensor("c1", TensorProto.UINT32, [1], [3]),
        helper.make_tensor("k", TensorProto.UINT16, [1], [40000]),
        helper.make_tensor("z", TensorProto.INT16, [1], [0]),
        helper.make_tensor("three", TensorProto.FLOAT, [1], [3.0]),
    ]
    expected = {
        "a2": inputs["a"] + inputs["a"],
        "b2": np.maximum(inputs["b"], np.uint16(40000)),
        "c2": inputs["c"] // np.uint32(3),
        "d2": inputs["d"] * inputs["d"],
        "e2": np.minimum(inputs["e"], np.int16(0)),
        "h2": inputs["h"] * inputs["h"],
        "g2": to_bfloat16_bits(from_bfloat16_bits(inputs["g"]) * 3),
        "cmin": inputs["c"].min(keepdims=True),
        "bmax": np.argmax(inputs["b"]).astype(np.int64),
    }
    out_types = {"a2": "a", "b2": "b", "c2": "c", "d2": "d", "e2": "e",
                 "h2": "h", "g2": "g", "cmin": "c"}
    graph = helper.make_graph(
        nodes, "element_types",
        [helper.make_tensor_value_info(n, onnx_types[n], [5]) for n in inputs],
        [helper.make_tensor_value_info(
            n, onnx_types[out_types[n]] if n in out_types else
            TensorProto.INT64, expected[n].shape) for n in expected],
        initializers)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 13)])
    path = os.path.join(work, "element_types.onnx")
    onnx.save(model, path)
    command = [muon_run, path, "--output-dir", os.path.join(work, "out")]
    for name, value in inputs.items():
        np.save(os.path.join(work, name + ".npy"), value)
        command += ["--input", f"{name}={os.path.join(work, name + '.npy')}"]
    subprocess.run(command, check=True)
    failed = 0
    for name, want in expected.items():
        got = np.load(os.path.join(work, "out", name + ".npy"))
        ok = got.dtype == want.dtype and np.array_equal(got, want)
        failed += not ok
        print(f"{'ok' if ok else 'FAIL'} {name} {got.dtype}"
              + ("" if ok else f": {got} != {want}"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
