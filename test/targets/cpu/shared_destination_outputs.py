"""Two same-shape MatMuls whose results are both graph outputs (and feed
further ops): their zero-filled destinations are merged by CSE, and each
output must still get its own values (muon-destination-passing).

  shared_destination_outputs.py make DIR     DIR/model.onnx and DIR/x.npy
  shared_destination_outputs.py check DIR OUT  compares OUT/*.npy with numpy
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(1)
W = rng.standard_normal((6, 4)).astype(np.float32)
W2 = rng.standard_normal((4, 4)).astype(np.float32)
X = rng.standard_normal((3, 6)).astype(np.float32)


def make(directory):
    os.makedirs(directory, exist_ok=True)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["m"]),
         helper.make_node("Tanh", ["m"], ["t"]),
         helper.make_node("MatMul", ["t", "W2"], ["m2"]),
         helper.make_node("Softmax", ["m2"], ["y"], axis=-1)],
        "shared_destinations",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 6])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [3, 4]) for n in ("y", "m", "t", "m2")],
        [numpy_helper.from_array(W, "W"), numpy_helper.from_array(W2, "W2")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
              os.path.join(directory, "model.onnx"))
    np.save(os.path.join(directory, "x.npy"), X)


def check(out):
    m = X.astype(np.float64) @ W
    t = np.tanh(m)
    m2 = t @ W2
    e = np.exp(m2 - m2.max(axis=1, keepdims=True))
    expected = {"m": m, "t": t, "m2": m2, "y": e / e.sum(axis=1, keepdims=True)}
    ok = True
    for name, value in expected.items():
        error = np.abs(np.load(os.path.join(out, name + ".npy")) - value).max()
        print(f"{name}: max error {error:.3g}")
        ok = ok and error < 1e-4
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        sys.exit(check(sys.argv[3]))
