#!/usr/bin/python3
"""host_prefix.py MODEL.onnx IN_DIR OUT_DIR: what the host computes before
the NPU program of a model compiled with muonc --npu-host-prefix, for a model
whose first nodes are element-wise Sub / Div / Mul / Add with constant
operands (breast_cancer_mlp standardises its features: Sub mean, Div std).
Applies those nodes, in float32 as ONNX defines them, to every sample .npy
of IN_DIR (labels.npy aside) and writes the results to OUT_DIR under the same names."""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

OPS = {"Sub": np.subtract, "Div": np.divide, "Mul": np.multiply, "Add": np.add}

model_path, in_dir, out_dir = sys.argv[1:4]
model = onnx.load(model_path)
constants = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
prefix = []
current = model.graph.input[0].name
for node in model.graph.node:
    if node.op_type not in OPS or node.input[0] != current or node.input[1] not in constants:
        break
    prefix.append((OPS[node.op_type], constants[node.input[1]].astype(np.float32)))
    current = node.output[0]
if not prefix:
    sys.exit(f"{model_path}: no leading Sub/Div/Mul/Add with a constant")
os.makedirs(out_dir, exist_ok=True)
names = sorted(n for n in os.listdir(in_dir) if n.endswith(".npy") and n != "labels.npy")
for name in names:
    x = np.load(os.path.join(in_dir, name)).astype(np.float32)
    for op, constant in prefix:
        x = op(x, constant).astype(np.float32)
    np.save(os.path.join(out_dir, name), x)
print(f"{len(prefix)} host op(s) applied to {len(names)} samples")
