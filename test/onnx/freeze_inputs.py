#!/usr/bin/env python3
"""Copies ONNX backend test cases with some graph inputs turned into initializers.

Some backend cases feed an operator's attribute-like input (ReduceSum's axes,
CumSum's axis) as a graph input, which an ahead-of-time compiler needs as a
constant. This makes the case's own input data an initializer, so that the
case checks the operator with exactly the values and expected outputs of the
ONNX data:

    freeze_inputs.py --inputs 1 --out DIR CASE_DIR...

writes DIR/<case>/model.onnx and DIR/<case>/test_data_set_0/ with the listed
inputs (by position) frozen and the remaining input files renumbered.
"""
import argparse
import os
import shutil

import onnx


def freeze(case, frozen, out):
    model = onnx.load(os.path.join(case, "model.onnx"))
    graph = model.graph
    initializers = {i.name for i in graph.initializer}
    inputs = [i for i in graph.input if i.name not in initializers]
    data = os.path.join(case, "test_data_set_0")
    target = os.path.join(out, os.path.basename(case.rstrip("/")))
    os.makedirs(os.path.join(target, "test_data_set_0"), exist_ok=True)
    kept = 0
    for position, value in enumerate(inputs):
        path = os.path.join(data, f"input_{position}.pb")
        if position in frozen:
            tensor = onnx.TensorProto()
            with open(path, "rb") as f:
                tensor.ParseFromString(f.read())
            tensor.name = value.name
            graph.initializer.append(tensor)
            graph.input.remove(value)
        else:
            shutil.copy(path, os.path.join(target, "test_data_set_0",
                                           f"input_{kept}.pb"))
            kept += 1
    for name in os.listdir(data):
        if name.startswith("output_"):
            shutil.copy(os.path.join(data, name),
                        os.path.join(target, "test_data_set_0", name))
    onnx.save(model, os.path.join(target, "model.onnx"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="+")
    parser.add_argument("--inputs", type=int, nargs="+", required=True,
                        help="positions of the graph inputs to freeze")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    for case in args.cases:
        freeze(case, set(args.inputs), args.out)


if __name__ == "__main__":
    main()
