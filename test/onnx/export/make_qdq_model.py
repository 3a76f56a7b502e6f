#!/usr/bin/python3
"""make_qdq_model.py OUTDIR: writes OUTDIR/qdq.onnx, a small CNN in the QDQ
form quantization tools write (uint8 activations per tensor, int8 weights per
output channel, int32 biases), and OUTDIR/input.npy (seeded).

  x -> Q -> DQ -> Conv(DQ w, DQ b) -> Relu -> Q -> DQ -> MaxPool -> Q -> DQ
    -> Add(itself scaled by a second QDQ) -> Q -> DQ -> GlobalAveragePool
    -> Flatten -> Gemm(DQ w, DQ b) -> y (float)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)
nodes, inits = [], []


def init(name, array):
    inits.append(numpy_helper.from_array(array, name))
    return name


def qdq(x, name, scale, zero_point):
    """Q then DQ of activation x with uint8 parameters."""
    s = init(name + "_scale", np.array(scale, np.float32))
    z = init(name + "_zp", np.array(zero_point, np.uint8))
    nodes.append(helper.make_node("QuantizeLinear", [x, s, z], [name + "_q"], name=name + "_Q"))
    nodes.append(helper.make_node("DequantizeLinear", [name + "_q", s, z], [name + "_dq"], name=name + "_DQ"))
    return name + "_dq"


def weight(name, w, axis):
    """int8 symmetric weights per `axis` channel, dequantized."""
    reduce = tuple(i for i in range(w.ndim) if i != axis)
    scale = (np.abs(w).max(axis=reduce) / 127).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    init(name + "_q", q)
    init(name + "_scale", scale)
    init(name + "_zp", np.zeros_like(q, shape=scale.shape))
    nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_scale", name + "_zp"],
                                  [name + "_dq"], axis=axis, name=name + "_DQ"))
    return name + "_dq", scale


def bias(name, b, scale):
    q = np.round(b / scale).astype(np.int32)
    init(name + "_q", q)
    init(name + "_scale", scale.astype(np.float32))
    init(name + "_zp", np.zeros(scale.shape, np.int32))
    nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_scale", name + "_zp"],
                                  [name + "_dq"], axis=0, name=name + "_DQ"))
    return name + "_dq"


x_scale = 0.02
a = qdq("x", "in", x_scale, 128)
w, w_scale = weight("conv_w", rng.normal(0, 0.3, (8, 3, 3, 3)).astype(np.float32), 0)
b = bias("conv_b", rng.normal(0, 0.1, 8).astype(np.float32), x_scale * w_scale)
nodes.append(helper.make_node("Conv", [a, w, b], ["conv"], pads=[1, 1, 1, 1], name="conv"))
nodes.append(helper.make_node("Relu", ["conv"], ["relu"], name="relu"))
a = qdq("relu", "act1", 0.03, 0)
nodes.append(helper.make_node("MaxPool", [a], ["pool"], kernel_shape=[2, 2], strides=[2, 2], name="pool"))
a = qdq("pool", "act2", 0.03, 0)
side = qdq("pool", "act3", 0.05, 10)
nodes.append(helper.make_node("Add", [a, side], ["add"], name="add"))
a = qdq("add", "act4", 0.06, 5)
nodes.append(helper.make_node("GlobalAveragePool", [a], ["gap"], name="gap"))
nodes.append(helper.make_node("Flatten", ["gap"], ["flat"], name="flatten"))
a = qdq("flat", "act5", 0.05, 0)
w, w_scale = weight("fc_w", rng.normal(0, 0.3, (8, 4)).astype(np.float32), 1)
b = bias("fc_b", rng.normal(0, 0.1, 4).astype(np.float32), 0.05 * w_scale)
nodes.append(helper.make_node("Gemm", [a, w, b], ["y"], name="fc"))

graph = helper.make_graph(
    nodes, "qdq_cnn",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
onnx.save(model, os.path.join(out, "qdq.onnx"))
np.save(os.path.join(out, "input.npy"), rng.uniform(-2, 2, (1, 3, 8, 8)).astype(np.float32))
