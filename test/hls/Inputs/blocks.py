#!/usr/bin/python3
"""Writes small float ONNX models for the HLS target's tests, with random
weights, and a calibration folder of random inputs for each:

    blocks.py OUT_DIR

OUT_DIR/depthwise.onnx: a depthwise 3x3 convolution with stride 2 and
padding 1, ReLU, a max pool with padding and a pointwise 1x1 convolution (a
MobileNet block); OUT_DIR/residual.onnx: two 3x3 convolutions and the
Add of the block's input (the ResNet block), then a Gemm over the
flattened image; OUT_DIR/hostile.onnx: a Gemm whose tensor names try to end
the generated comments and inject code; OUT_DIR/fire.onnx: a SqueezeNet
Fire module (a 1x1 squeeze, 1x1 and 3x3 expands concatenated on the channel
axis), an average pool, a Concat along the height, a 1x1 classifier and a
global average pool; OUT_DIR/activations.onnx: a max pool, a LeakyRelu and
two Relus that the quantizer leaves in float between a dequantization and a
quantization. OUT_DIR/<model>-samples/ holds 16 inputs each, 000.npy ...
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)


def weight(name, shape, scale=0.3):
    return numpy_helper.from_array(
        (rng.standard_normal(shape) * scale).astype(np.float32), name)


def save(out, name, nodes, inputs, outputs, initializers, input_shape):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name + ".onnx"))
    samples = os.path.join(out, name + "-samples")
    os.makedirs(samples, exist_ok=True)
    for i in range(16):
        np.save(os.path.join(samples, f"{i:03d}.npy"),
                rng.standard_normal(input_shape).astype(np.float32))


def depthwise(out):
    c = 8
    nodes = [
        helper.make_node("Conv", ["x", "dw", "dw_b"], ["d"], group=c,
                         kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                         name="depthwise"),
        helper.make_node("Relu", ["d"], ["r"], name="relu"),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[3, 3],
                         strides=[2, 2], pads=[1, 1, 1, 1], name="pool"),
        helper.make_node("Conv", ["p", "pw", "pw_b"], ["y"],
                         kernel_shape=[1, 1], name="pointwise"),
    ]
    save(out, "depthwise", nodes,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, 15, 15])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 12, 4, 4])],
         [weight("dw", [c, 1, 3, 3]), weight("dw_b", [c], 0.1),
          weight("pw", [12, c, 1, 1]), weight("pw_b", [12], 0.1)],
         [1, c, 15, 15])


def residual(out):
    c = 6
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], name="conv1"),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], name="conv2"),
        helper.make_node("Add", ["c2", "x"], ["s"], name="add"),
        helper.make_node("Relu", ["s"], ["r2"], name="relu2"),
        helper.make_node("Flatten", ["r2"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc", "fc_b"], ["y"], transB=1,
                         name="fc"),
    ]
    save(out, "residual", nodes,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, 6, 6])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5])],
         [weight("w1", [c, c, 3, 3], 0.2), weight("b1", [c], 0.1),
          weight("w2", [c, c, 3, 3], 0.2), weight("b2", [c], 0.1),
          weight("fc", [5, c * 36], 0.1), weight("fc_b", [5], 0.1)],
         [1, c, 6, 6])


HOSTILE_INPUT = 'x*/ int evil(void){return 1;} /*"\n#define hostile oops'
HOSTILE_OUTPUT = "y/*\r\x07"


def hostile(out):
    nodes = [helper.make_node("Gemm", [HOSTILE_INPUT, "w", "b"],
                              [HOSTILE_OUTPUT], name="*/ gemm /*")]
    save(out, "hostile", nodes,
         [helper.make_tensor_value_info(HOSTILE_INPUT, TensorProto.FLOAT, [1, 4])],
         [helper.make_tensor_value_info(HOSTILE_OUTPUT, TensorProto.FLOAT, [1, 3])],
         [weight("w", [4, 3]), weight("b", [3], 0.1)], [1, 4])


def fire(out):
    nodes = [
        helper.make_node("Conv", ["x", "sq", "sq_b"], ["s"], kernel_shape=[1, 1],
                         name="squeeze"),
        helper.make_node("Relu", ["s"], ["sr"], name="squeeze_relu"),
        helper.make_node("Conv", ["sr", "e1", "e1_b"], ["a"], kernel_shape=[1, 1],
                         name="expand1x1"),
        helper.make_node("Relu", ["a"], ["ar"], name="expand1x1_relu"),
        helper.make_node("Conv", ["sr", "e3", "e3_b"], ["b"], kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], name="expand3x3"),
        helper.make_node("Relu", ["b"], ["br"], name="expand3x3_relu"),
        helper.make_node("Concat", ["ar", "br"], ["c"], axis=1, name="concat"),
        helper.make_node("AveragePool", ["c"], ["p"], kernel_shape=[2, 2],
                         strides=[2, 2], name="avgpool"),
        helper.make_node("Concat", ["p", "p"], ["pp"], axis=2,
                         name="concat_rows"),
        helper.make_node("Conv", ["pp", "fc", "fc_b"], ["f"], kernel_shape=[1, 1],
                         name="classifier"),
        helper.make_node("GlobalAveragePool", ["f"], ["y"], name="gap"),
    ]
    save(out, "fire", nodes,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 6, 6])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 7, 1, 1])],
         [weight("sq", [3, 4, 1, 1]), weight("sq_b", [3], 0.1),
          weight("e1", [5, 3, 1, 1]), weight("e1_b", [5], 0.1),
          weight("e3", [5, 3, 3, 3]), weight("e3_b", [5], 0.1),
          weight("fc", [7, 10, 1, 1]), weight("fc_b", [7], 0.1)],
         [1, 4, 6, 6])


def activations(out):
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["a"], kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], name="conv1"),
        helper.make_node("MaxPool", ["a"], ["p"], kernel_shape=[2, 2],
                         strides=[2, 2], name="pool"),
        helper.make_node("LeakyRelu", ["p"], ["l"], alpha=0.1, name="leaky"),
        helper.make_node("Conv", ["l", "w2", "b2"], ["c"], kernel_shape=[1, 1],
                         name="conv2"),
        helper.make_node("MaxPool", ["c"], ["q"], kernel_shape=[1, 1],
                         name="pool1x1"),
        helper.make_node("Relu", ["q"], ["r"], name="relu"),
        helper.make_node("Relu", ["r"], ["rr"], name="relu_again"),
        helper.make_node("Conv", ["rr", "w3", "b3"], ["y"], kernel_shape=[1, 1],
                         name="conv3"),
    ]
    save(out, "activations", nodes,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 4, 4])],
         [weight("w1", [6, 3, 3, 3]), weight("b1", [6], 0.1),
          weight("w2", [5, 6, 1, 1]), weight("b2", [5], 0.1),
          weight("w3", [4, 5, 1, 1]), weight("b3", [4], 0.1)],
         [1, 3, 8, 8])


if __name__ == "__main__":
    os.makedirs(sys.argv[1], exist_ok=True)
    depthwise(sys.argv[1])
    residual(sys.argv[1])
    hostile(sys.argv[1])
    fire(sys.argv[1])
    activations(sys.argv[1])
