"""Writes the malformed or unsupported binary ONNX models that the error
tests in this folder feed to muonc and muon-run:

  make_error_models.py OUT_DIR

unsupported.onnx    three operators Muon lacks, with node names
custom-domain.onnx  an operator from a non-default domain
conv.onnx           a valid model with a 576-byte initializer (to truncate)
no-graph.onnx       a ModelProto with an ir_version and nothing else
unknown-dtype.onnx  a graph input with element type 100 (no such type)
string-init.onnx    a STRING initializer
external.onnx       an initializer kept in an external file
named-node.onnx     Add 'add_bias' of float32[2,3] and float32[4]: a shape error
random.onnx         256 bytes of deterministic noise
attribute-types.onnx  LeakyRelu 'leaky' with alpha a string, Transpose
                    'swap' with perm a float
relu.onnx           a valid model: y = Relu(x), x float32[2,3], and inputs
                    for muon-run: x.npy (float32[2,3]), x-3x2.npy
                    (float32[3,2]), x-f64.npy (float64[2,3]),
                    x-huge-shape.npy (a shape of 2^64 elements)
"""
import hashlib
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def write(name, nodes, inputs, outputs, initializer=(), opset=16, ir=8,
          extra_opsets=()):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              initializer=list(initializer))
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset), *extra_opsets])
    model.ir_version = ir
    save(model, os.path.join(out, name + ".onnx"))


def value(name, dims, elem_type=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem_type, dims)


# Between the unsupported nodes sits a supported one, which is not listed.
write("unsupported",
      [
          helper.make_node("NonMaxSuppression", ["boxes", "scores"],
                           ["selected"], name="nms_0"),
          helper.make_node("Unique", ["scores"], ["unique"], name="unique_1"),
          helper.make_node("Relu", ["feature"], ["activated"], name="relu"),
          helper.make_node("RoiAlign", ["activated", "rois", "batch"],
                           ["pooled"], name="roi_2"),
      ],
      [value("boxes", [1, 8, 4]), value("scores", [1, 1, 8]),
       value("feature", [1, 4, 16, 16]), value("rois", [8, 4]),
       value("batch", [8], TensorProto.INT64)],
      [value("selected", None, TensorProto.INT64), value("unique", None),
       value("pooled", None)])

write("custom-domain",
      [helper.make_node("FancyOp", ["x"], ["y"], name="fancy",
                        domain="com.example")],
      [value("x", [2, 3])], [value("y", [2, 3])],
      extra_opsets=[helper.make_opsetid("com.example", 3)])

weight = numpy_helper.from_array(
    np.linspace(-1, 1, 144, dtype=np.float32).reshape(4, 4, 3, 3), "w")
write("conv",
      [helper.make_node("Conv", ["x", "w"], ["y"], name="conv",
                        pads=[1, 1, 1, 1])],
      [value("x", [1, 4, 8, 8])], [value("y", [1, 4, 8, 8])],
      [weight])

# Field 1 (ir_version) = 8, and no graph.
with open(os.path.join(out, "no-graph.onnx"), "wb") as f:
    f.write(bytes([0x08, 0x08]))

write("unknown-dtype", [helper.make_node("Relu", ["x"], ["y"])],
      [value("x", [2, 3], 100)], [value("y", [2, 3])])

words = helper.make_tensor("words", TensorProto.STRING, [2], [b"a", b"b"])
write("string-init",
      [helper.make_node("Identity", ["words"], ["y"], name="copy")],
      [], [value("y", [2], TensorProto.STRING)], [words])

external = TensorProto()
external.name = "w"
external.data_type = TensorProto.FLOAT
external.dims.extend([2, 3])
external.data_location = TensorProto.EXTERNAL
entry = external.external_data.add()
entry.key, entry.value = "location", "weights.bin"
write("external", [helper.make_node("Add", ["x", "w"], ["y"], name="add")],
      [value("x", [2, 3])], [value("y", [2, 3])], [external])

write("attribute-types",
      [helper.make_node("LeakyRelu", ["x"], ["a"], name="leaky", alpha="0.1"),
       helper.make_node("Transpose", ["a"], ["y"], name="swap", perm=1.5)],
      [value("x", [2, 3])], [value("y", [3, 2])])

write("named-node",
      [helper.make_node("Add", ["x", "b"], ["y"], name="add_bias")],
      [value("x", [2, 3]), value("b", [4])], [value("y", None)])

write("relu", [helper.make_node("Relu", ["x"], ["y"], name="relu")],
      [value("x", [2, 3])], [value("y", [2, 3])])

np.save(os.path.join(out, "x.npy"), np.ones((2, 3), dtype=np.float32))
np.save(os.path.join(out, "x-3x2.npy"), np.ones((3, 2), dtype=np.float32))
np.save(os.path.join(out, "x-f64.npy"), np.ones((2, 3), dtype=np.float64))
# A header whose shape needs more than 2^64 bytes, over 24 bytes of data.
header = b"{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 2), }"
header += b" " * (117 - len(header)) + b"\n"
with open(os.path.join(out, "x-huge-shape.npy"), "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header +
            bytes(24))

# SHA-256 blocks chained: noise that is the same on every run.
noise = hashlib.sha256(b"muon").digest()
while len(noise) < 256:
    noise += hashlib.sha256(noise[-32:]).digest()
with open(os.path.join(out, "random.onnx"), "wb") as f:
    f.write(noise[:256])
