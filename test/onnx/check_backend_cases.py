#!/usr/bin/env python3
"""Runs ONNX backend test cases through muon-run and compares with their data.

Each case directory holds model.onnx and test_data_set_0/{input,output}_N.pb
(the ONNX backend test data, /usr/share/libonnx-testdata/data). The expected
outputs are ONNX's own reference results, independent of Muon.

    check_backend_cases.py [--rtol R] [--atol A] CASE_DIR...

Prints one line per case and a closing 'N passed, N failed' line; exits
non-zero when any case fails.
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper


def load_pb(path):
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


def numbered(directory, prefix):
    files = glob.glob(os.path.join(directory, prefix + "_*.pb"))
    return sorted(files, key=lambda p: int(p.rsplit("_", 1)[1][:-3]))


def output_names(model_path):
    model = onnx.load(model_path)
    return [o.name for o in model.graph.output]


def c_identifier(name, used):
    ident = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    if not ident or ident[0].isdigit():
        ident = "t_" + ident
    unique, i = ident, 2
    while unique in used:
        unique, i = f"{ident}_{i}", i + 1
    used.add(unique)
    return unique


def check_case(case, muon_run, rtol, atol):
    data = os.path.join(case, "test_data_set_0")
    model = os.path.join(case, "model.onnx")
    with tempfile.TemporaryDirectory() as out:
        command = [muon_run, model, "--output-dir", out]
        for path in numbered(data, "input"):
            command += ["--input", path]
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            return False, "muon-run failed: " + (run.stderr.strip() or run.stdout.strip())
        # muon-run names each output file after the C identifier of its
        # ONNX name; the inputs take their identifiers first.
        used = {"workspace"}
        graph = onnx.load(model).graph
        initializers = {i.name for i in graph.initializer}
        for i in graph.input:
            if i.name not in initializers:
                c_identifier(i.name, used)
        names = [c_identifier(n, used) for n in output_names(model)]
        for name, expected_path in zip(names, numbered(data, "output")):
            expected = load_pb(expected_path)
            actual = np.load(os.path.join(out, name + ".npy"))
            if actual.dtype != expected.dtype or actual.shape != expected.shape:
                return False, (f"{name}: got {actual.dtype}{list(actual.shape)}, "
                               f"expected {expected.dtype}{list(expected.shape)}")
            if not np.allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True):
                err = np.max(np.abs(actual.astype(np.float64) - expected))
                return False, f"{name}: max abs error {err:.3g} exceeds rtol {rtol}, atol {atol}"
    return True, ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="+")
    parser.add_argument("--muon-run", default="muon-run")
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-6)
    args = parser.parse_args()
    passed = failed = 0
    for case in args.cases:
        ok, why = check_case(case, args.muon_run, args.rtol, args.atol)
        print(f"{'PASS' if ok else 'FAIL'}  {os.path.basename(case)}" + ("" if ok else f"  {why}"))
        passed, failed = passed + ok, failed + (not ok)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
