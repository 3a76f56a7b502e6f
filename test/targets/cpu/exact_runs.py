"""Runs ONNX test models with muon-run and compares their output 'y' exactly
with an independent reference; shared by the bit-exact test scripts.

    run_cases(cases, muon_run, work, extra_args=(), dtype=None)

`cases` yields (graph, inputs, expected) or (graph, inputs, expected,
compare): an onnx GraphProto named after the case, its inputs as {graph input
name: array}, the expected 'y', and how to compare (a function of the output
and `expected` returning None or what differs; by default every element
exactly, as integers).
Prints one line per case and 'N passed, N failed'; returns the exit status.
"""
import os
import subprocess

import numpy as np
import onnx
from onnx import helper


def integer_difference(got, expected):
    difference = np.abs(got.astype(np.int64) - expected.astype(np.int64))
    differ = int(np.count_nonzero(difference))
    if differ:
        return f"{differ} of {got.size} elements differ, largest by {difference.max()}"
    return None


def run_cases(cases, muon_run, work, extra_args=(), dtype=None):
    """`dtype`: the element type the output must have (default: expected's)."""
    os.makedirs(work, exist_ok=True)
    passed = failed = 0
    for graph, inputs, expected, *compare in cases:
        name = graph.name
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        path = os.path.join(work, name + ".onnx")
        onnx.save(model, path)
        command = [muon_run, path, "--output-dir", os.path.join(work, name), *extra_args]
        for input_name, value in inputs.items():
            npy = os.path.join(work, f"{name}.{input_name}.npy")
            np.save(npy, value)
            command += ["--input", f"{input_name}={npy}"]
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {name}: muon-run: {run.stderr.strip()}")
            failed += 1
            continue
        got = np.load(os.path.join(work, name, "y.npy"))
        want = np.dtype(dtype or expected.dtype)
        if got.dtype != want or got.shape != expected.shape:
            print(f"FAIL {name}: {got.dtype}{list(got.shape)}, expected "
                  f"{want}{list(expected.shape)}")
            failed += 1
            continue
        problem = (compare[0] if compare else integer_difference)(got, expected)
        if problem:
            print(f"FAIL {name}: {problem}")
            failed += 1
        else:
            print(f"ok   {name}: {got.size} elements")
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
