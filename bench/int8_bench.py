#!/usr/bin/python3
"""int8 integer products against float, in Muon and ONNX Runtime, on one core.

    /usr/bin/python3 bench/int8_bench.py [--build-dir build] [--runs 200]
                                         [--rounds 3] [--mcpu CPU] [--cases NAME...]

For each shape (a matrix product or a convolution) it writes four ONNX models
with onnx.helper, seeded random data:
  float   MatMul / Conv on float32
  int8    MatMulInteger / ConvInteger, int8 x int8 -> int32, no zero points
  qlinear QLinearMatMul / QLinearConv, int8 with zero points, requantized
  qlinear_u8  the same with uint8 activations (zero point 128) and int8
          weights, the combination ONNX Runtime's x86 kernels favour
and times each with Muon (build/tools/muon-run --bench: compiled ahead of
time, called from a C driver) and ONNX Runtime (test/models/ort_run.mjs
--bench: one thread, graphOptimizationLevel 'all', the synchronous native run),
in rounds, the engines interleaved. Reports the minimum over all rounds and
the median of the per-round medians, in microseconds. A model an engine does
not run shows its error instead of a time. Never used by a test: timings are
noisy on a shared machine.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name: ("matmul", M, K, N) or ("conv", C, F, H, W, kernel)
CASES = {
    "matmul_1x512x512": ("matmul", 1, 512, 512),
    "matmul_64x256x256": ("matmul", 64, 256, 256),
    "conv3x3_64_28": ("conv", 64, 64, 28, 28, 3),
    "conv3x3_64_56": ("conv", 64, 64, 56, 56, 3),
    "conv1x1_64_256_28": ("conv", 64, 256, 28, 28, 1),
}
KINDS = ["float", "int8", "qlinear", "qlinear_u8"]


def tensor(name, value):
    return numpy_helper.from_array(np.asarray(value), name)


def value_info(name, array):
    dtype = {np.dtype(np.float32): TensorProto.FLOAT,
             np.dtype(np.int8): TensorProto.INT8,
             np.dtype(np.uint8): TensorProto.UINT8,
             np.dtype(np.int32): TensorProto.INT32}[array.dtype]
    return helper.make_tensor_value_info(name, dtype, list(array.shape))


def build_model(case, kind, rng):
    """Returns (model, input array)."""
    spec = CASES[case]
    i8 = lambda shape: rng.integers(-128, 127, shape, endpoint=True).astype(np.int8)
    if spec[0] == "matmul":
        _, m, k, n = spec
        x_shape, w_shape, y_shape = (m, k), (k, n), (m, n)
        op, int_op, q_op = "MatMul", "MatMulInteger", "QLinearMatMul"
        attrs = {}
    else:
        _, c, f, h, w, kernel = spec
        pad = kernel // 2
        x_shape, w_shape = (1, c, h, w), (f, c, kernel, kernel)
        y_shape = (1, f, h, w)
        op, int_op, q_op = "Conv", "ConvInteger", "QLinearConv"
        attrs = {"pads": [pad] * 4, "kernel_shape": [kernel, kernel]}
    if kind == "float":
        x = rng.standard_normal(x_shape).astype(np.float32)
        weight = (rng.standard_normal(w_shape) * 0.05).astype(np.float32)
        node = helper.make_node(op, ["x", "w"], ["y"], **attrs)
        inits = [tensor("w", weight)]
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, list(y_shape))
    elif kind == "int8":
        x, weight = i8(x_shape), i8(w_shape)
        node = helper.make_node(int_op, ["x", "w"], ["y"], **attrs)
        inits = [tensor("w", weight)]
        y = helper.make_tensor_value_info("y", TensorProto.INT32, list(y_shape))
    else:
        unsigned = kind == "qlinear_u8"
        x, weight = i8(x_shape), i8(w_shape)
        x_zp, y_zp = np.int8(3), np.int8(-5)
        if unsigned:
            x = (x.astype(np.int16) + 128).astype(np.uint8)
            x_zp, y_zp = np.uint8(128), np.uint8(120)
        names = ["x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp"]
        node = helper.make_node(q_op, names, ["y"], **attrs)
        inits = [tensor("x_scale", np.float32(0.05)), tensor("x_zp", x_zp),
                 tensor("w", weight), tensor("w_scale", np.float32(0.01)),
                 tensor("w_zp", np.int8(0)), tensor("y_scale", np.float32(2.0)),
                 tensor("y_zp", y_zp)]
        y = helper.make_tensor_value_info(
            "y", TensorProto.UINT8 if unsigned else TensorProto.INT8, list(y_shape))
    graph = helper.make_graph([node], f"{case}_{kind}", [value_info("x", x)], [y],
                              inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model, x


TIME = re.compile(r"(\d+) runs: min ([\d.]+) us, median ([\d.]+) us")


def time_muon(muon_run, path, x_path, runs, mcpu, work):
    command = [muon_run, path, "--input", f"x={x_path}", "--output-dir", work,
               "--bench", str(runs)]
    if mcpu:
        command.append(f"--mcpu={mcpu}")
    run = subprocess.run(command, capture_output=True, text=True)
    found = TIME.search(run.stdout + run.stderr)
    if run.returncode != 0 or not found:
        return None, (run.stderr.strip().splitlines() or ["failed"])[-1]
    return (float(found.group(2)), float(found.group(3))), None


def time_ort(path, x_path, runs, work):
    run = subprocess.run(["node", os.path.join(ROOT, "test", "models", "ort_run.mjs"),
                          path, "--input", f"x={x_path}", "--output-dir", work,
                          "--bench", str(runs), "--warmup", "10", "--json"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        return None, (run.stderr.strip().splitlines() or ["failed"])[-1]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    return (result["min_us"], result["median_us"]), None


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mcpu", help="Muon's target CPU (default: the host)")
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    args = parser.parse_args()
    muon_run = os.path.join(args.build_dir, "tools", "muon-run")
    work = os.path.join(args.build_dir, "int8-bench")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    rng = np.random.default_rng(0)
    results = {}
    for case in args.cases:
        for kind in KINDS:
            model, x = build_model(case, kind, rng)
            path = os.path.join(work, f"{case}_{kind}.onnx")
            x_path = os.path.join(work, f"{case}_{kind}.x.npy")
            onnx.save(model, path)
            np.save(x_path, x)
            samples = {"muon": [], "ort": []}
            errors = {}
            for _ in range(args.rounds):
                for engine in ("muon", "ort"):
                    if engine in errors:
                        continue
                    out = os.path.join(work, f"{case}_{kind}_{engine}")
                    timed, error = (time_muon(muon_run, path, x_path, args.runs,
                                              args.mcpu, out) if engine == "muon"
                                    else time_ort(path, x_path, args.runs, out))
                    if error:
                        errors[engine] = error
                    else:
                        samples[engine].append(timed)
            for engine in ("muon", "ort"):
                if engine in errors:
                    results[(case, kind, engine)] = errors[engine]
                else:
                    results[(case, kind, engine)] = (
                        min(s[0] for s in samples[engine]),
                        statistics.median(s[1] for s in samples[engine]))
            print(f"{case} {kind}: muon {results[(case, kind, 'muon')]} "
                  f"ort {results[(case, kind, 'ort')]}", file=sys.stderr, flush=True)

    def cell(value):
        if isinstance(value, str):
            return "n/a"
        return f"{value[0]:.1f} / {value[1]:.1f}"

    print(f"min / median µs over {args.rounds} rounds x {args.runs} calls"
          + (f", Muon --mcpu={args.mcpu}" if args.mcpu else "") + "\n")
    print("| case | " + " | ".join(f"Muon {k}" for k in KINDS) + " | "
          + " | ".join(f"ORT {k}" for k in KINDS) + " |")
    print("|---|" + "---:|" * (2 * len(KINDS)))
    for case in args.cases:
        row = [cell(results[(case, kind, "muon")]) for kind in KINDS]
        row += [cell(results[(case, kind, "ort")]) for kind in KINDS]
        print(f"| {case} | " + " | ".join(row) + " |")
    for key, value in results.items():
        if isinstance(value, str):
            print(f"\n{' '.join(key)}: {value}")


if __name__ == "__main__":
    main()
