#!/usr/bin/env python3
"""Turns graph inputs of ONNX backend cases into initializers.

Many backend cases pass parameters that fix the result shape (Slice's starts
and ends, Pad's pads, Expand's shape, Resize's scales) as graph inputs, which
Muon needs as constants. This writes a copy of each case in which the named
inputs are initializers holding the case's own test data, so that the
operator can be checked against ONNX's reference outputs unchanged:

    freeze_inputs.py OUT_DIR CASE_DIR:NAME[,NAME...]...

Each case is written to OUT_DIR/<case name>/ with model.onnx and
test_data_set_0/{input,output}_N.pb, the remaining inputs renumbered.
"""
import glob
import os
import shutil
import sys

import onnx


def numbered(directory, prefix):
    files = glob.glob(os.path.join(directory, prefix + "_*.pb"))
    return sorted(files, key=lambda p: int(p.rsplit("_", 1)[1][:-3]))


def freeze(case, names, out_root):
    model = onnx.load(os.path.join(case, "model.onnx"))
    graph = model.graph
    initializers = {i.name for i in graph.initializer}
    inputs = [i for i in graph.input if i.name not in initializers]
    data = os.path.join(case, "test_data_set_0")
    paths = numbered(data, "input")
    missing = set(names) - {i.name for i in inputs}
    if missing:
        sys.exit(f"{case}: no graph input named {', '.join(sorted(missing))}")
    out = os.path.join(out_root, os.path.basename(case.rstrip("/")))
    out_data = os.path.join(out, "test_data_set_0")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out_data)
    kept = 0
    for value, path in zip(inputs, paths):
        if value.name not in names:
            shutil.copy(path, os.path.join(out_data, f"input_{kept}.pb"))
            kept += 1
            continue
        tensor = onnx.TensorProto()
        with open(path, "rb") as f:
            tensor.ParseFromString(f.read())
        tensor.name = value.name
        graph.initializer.append(tensor)
        graph.input.remove(value)
    for path in numbered(data, "output"):
        shutil.copy(path, out_data)
    onnx.save(model, os.path.join(out, "model.onnx"))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    for spec in sys.argv[2:]:
        case, _, names = spec.rpartition(":")
        freeze(case, set(names.split(",")), sys.argv[1])


if __name__ == "__main__":
    main()
