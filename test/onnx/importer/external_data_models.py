#!/usr/bin/python3
"""Models whose weights live in external data files, good and hostile:

    external_data_models.py OUTDIR

OUTDIR/good/model.onnx: y = x @ w + b with w (64x32) and b (32) saved by
onnx's own external-data writer into weights.bin (offsets, lengths), plus
x.npy and the numpy reference y.npy. Every other model is one initializer
'w' (2x3 float) whose external data is wrong in one way, and names what it
tries: absolute.onnx, dotdot.onnx, symlink.onnx (a link out of the folder),
past-end.onnx (offset beyond the file), too-long.onnx (length past the
end), checksum.onnx (a SHA-1 that does not match), short.onnx (fewer bytes
than the shape needs), fifo.onnx (a named pipe, which a read would wait on
forever).
"""
import hashlib
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(7)

# The good model, written by onnx.save's external-data path.
good = os.path.join(out, "good")
os.makedirs(good, exist_ok=True)
w = rng.standard_normal((64, 32)).astype(np.float32)
b = rng.standard_normal(32).astype(np.float32)
x = rng.standard_normal((1, 64)).astype(np.float32)
graph = helper.make_graph(
    [helper.make_node("MatMul", ["x", "w"], ["xw"], name="matmul"),
     helper.make_node("Add", ["xw", "b"], ["y"], name="add")],
    "external",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 32])],
    [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.save(model, os.path.join(good, "model.onnx"), save_as_external_data=True,
          all_tensors_to_one_file=True, location="weights.bin",
          size_threshold=0)
np.save(os.path.join(good, "x.npy"), x)
np.save(os.path.join(good, "y.npy"), x @ w + b)

# The hostile ones, beside a 24-byte data file of their own.
bad = os.path.join(out, "bad")
os.makedirs(bad, exist_ok=True)
data = np.arange(6, dtype=np.float32).tobytes()
with open(os.path.join(bad, "data.bin"), "wb") as f:
    f.write(data)
secret = os.path.join(out, "secret.bin")
with open(secret, "wb") as f:
    f.write(data)
os.symlink(secret, os.path.join(bad, "link.bin"))
os.mkfifo(os.path.join(bad, "pipe.bin"))


def write(name, entries):
    tensor = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2, 3])
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in entries:
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["y"], name="add")], name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])], [tensor])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 13)])
    with open(os.path.join(bad, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())


write("absolute", [("location", secret)])
write("dotdot", [("location", "../secret.bin")])
write("symlink", [("location", "link.bin")])
write("past-end", [("location", "data.bin"), ("offset", "100")])
write("too-long", [("location", "data.bin"), ("offset", "8"),
                   ("length", "24")])
write("checksum", [("location", "data.bin"), ("checksum", "0" * 40)])
write("short", [("location", "data.bin"), ("offset", "4")])
write("fifo", [("location", "pipe.bin")])
write("checksum-ok", [("location", "data.bin"),
                      ("checksum", hashlib.sha1(data).hexdigest())])
