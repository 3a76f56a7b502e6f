#!/usr/bin/python3
"""Generates large ONNX graphs of the shapes that made compile times explode.

    large_graphs.py OUTDIR MODEL [MODEL...]
    large_graphs.py --list

For each MODEL writes OUTDIR/MODEL.onnx and OUTDIR/MODEL.input.npy (its
single input, seeded). The graphs are written node by node with onnx.helper,
the way converters other than PyTorch's write them:

  ocr_mobilenet  589 nodes: a MobileNetV3-style stack as Paddle2ONNX exports
                 an OCR backbone (text-line input 1x3x48x320): every weight,
                 bias and Clip bound a `Constant` node, hard-swish as
                 HardSigmoid + Mul, squeeze-excitation, depthwise convolutions
                 with up to 480 groups, residual Adds, a Reshape to a sequence
                 and a MatMul head.
  dense_concat   539 nodes: a DenseNet-style stack (1x3x64x64), every layer's
                 output concatenated onto all the earlier ones (Concat with up
                 to 25 inputs), BatchNormalization, 1x1 transitions, pools.

Weights are drawn with a seeded generator and scaled so that activations keep
their magnitude through the whole depth (a test that compares outputs of
vanishing size would prove nothing). Needs python3-onnx and numpy only.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Graph:
    """Collects nodes; names every value and node uniquely."""

    def __init__(self, seed):
        self.nodes = []
        self.rng = np.random.default_rng(seed)
        self.count = 0

    def name(self, kind):
        self.count += 1
        return f"{kind}_{self.count}"

    def node(self, op, inputs, output=None, **attributes):
        output = output or self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [output], name=output + "_node",
                                           **attributes))
        return output

    def constant(self, array):
        """A Constant node, as Paddle2ONNX writes weights and bounds."""
        output = self.name("const")
        tensor = numpy_helper.from_array(np.asarray(array), output + "_value")
        self.nodes.append(helper.make_node("Constant", [], [output], name=output + "_node",
                                           value=tensor))
        return output

    def conv(self, x, cin, cout, kernel, stride=1, group=1, bias=True):
        fan_in = cin // group * kernel * kernel
        w = self.rng.normal(0.0, np.sqrt(2.0 / fan_in), (cout, cin // group, kernel, kernel))
        inputs = [x, self.constant(w.astype(np.float32))]
        if bias:
            inputs.append(self.constant(self.rng.normal(0.0, 0.1, cout).astype(np.float32)))
        pad = kernel // 2
        return self.node("Conv", inputs, kernel_shape=[kernel, kernel], strides=[stride, stride],
                         pads=[pad] * 4, group=group)

    def hard_swish(self, x):
        gate = self.node("HardSigmoid", [x], alpha=1.0 / 6, beta=0.5)
        return self.node("Mul", [x, gate])

    def relu6(self, x):
        low = self.constant(np.array(0.0, np.float32))
        high = self.constant(np.array(6.0, np.float32))
        return self.node("Clip", [x, low, high])

    def batch_norm(self, x, channels):
        scale = self.rng.uniform(0.5, 1.5, channels).astype(np.float32)
        bias = self.rng.normal(0.0, 0.2, channels).astype(np.float32)
        mean = self.rng.normal(0.0, 0.2, channels).astype(np.float32)
        var = self.rng.uniform(0.5, 2.0, channels).astype(np.float32)
        return self.node("BatchNormalization",
                         [x] + [self.constant(a) for a in (scale, bias, mean, var)])

    def model(self, name, input_shape, output, output_shape):
        graph = helper.make_graph(
            self.nodes, name,
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, input_shape)],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, output_shape)])
        model = helper.make_model(graph, producer_name="large_graphs.py",
                                  opset_imports=[helper.make_opsetid("", 13)])
        onnx.checker.check_model(model)
        return model


def ocr_mobilenet():
    g = Graph(seed=11)
    x = g.hard_swish(g.conv("input", 3, 16, 3, stride=2))
    channels = 16
    # (expansion, output channels, kernel, stride, squeeze-excitation), a
    # MobileNetV3-large schedule with text-line strides (height only, late).
    blocks = [(16, 16, 3, 1, False), (64, 24, 3, 2, False), (72, 24, 3, 1, False),
              (72, 40, 5, 2, True), (120, 40, 5, 1, True), (120, 40, 5, 1, True),
              (240, 80, 3, 1, False), (200, 80, 3, 1, False), (184, 80, 3, 1, False),
              (184, 80, 3, 1, False)] + [(240, 64, 5, 1, True)] * 12 + [(480, 96, 3, 1, True)] * 4
    for expansion, out, kernel, stride, excite in blocks:
        block_input = x
        h = g.relu6(g.conv(x, channels, expansion, 1))
        h = g.hard_swish(g.conv(h, expansion, expansion, kernel, stride, group=expansion))
        if excite:
            s = g.node("GlobalAveragePool", [h])
            s = g.node("Relu", [g.conv(s, expansion, expansion // 4, 1)])
            s = g.node("HardSigmoid", [g.conv(s, expansion // 4, expansion, 1)],
                       alpha=0.2, beta=0.5)
            h = g.node("Mul", [h, s])
        h = g.conv(h, expansion, out, 1)
        x = g.node("Add", [block_input, h]) if stride == 1 and out == channels else h
        channels = out
    # 1x3x48x320 after strides 2, 2, 2: 96 x 6 x 40; pool the height away and
    # read the width as a sequence of 40 steps.
    x = g.node("AveragePool", [x], kernel_shape=[6, 1], strides=[6, 1])
    x = g.node("Reshape", [x, g.constant(np.array([1, 96, 40], np.int64))])
    x = g.node("Transpose", [x], perm=[0, 2, 1])
    w = g.rng.normal(0.0, np.sqrt(1.0 / 96), (96, 97)).astype(np.float32)
    logits = g.node("Add", [g.node("MatMul", [x, g.constant(w)]),
                            g.constant(g.rng.normal(0.0, 0.1, 97).astype(np.float32))])
    output = g.node("Softmax", [logits], "probabilities", axis=2)
    return g.model("ocr_mobilenet", [1, 3, 48, 320], output, [1, 40, 97]), (1, 3, 48, 320)


def dense_concat():
    g = Graph(seed=12)
    x = g.node("Relu", [g.conv("input", 3, 32, 3)])
    channels, growth = 32, 12
    for block, layers in enumerate((6, 12, 24)):
        features = [x]
        for _ in range(layers):
            h = g.node("Relu", [g.batch_norm(x, channels)])
            h = g.node("Relu", [g.conv(h, channels, 4 * growth, 1, bias=False)])
            h = g.conv(h, 4 * growth, growth, 3, bias=False)
            features.append(h)
            channels += growth
            x = g.node("Concat", features, axis=1)
        if block < 2:
            x = g.conv(g.node("Relu", [g.batch_norm(x, channels)]), channels, channels // 2, 1)
            channels //= 2
            x = g.node("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2])
    x = g.node("GlobalAveragePool", [g.node("Relu", [g.batch_norm(x, channels)])])
    x = g.node("Flatten", [x])
    w = g.rng.normal(0.0, np.sqrt(1.0 / channels), (channels, 10)).astype(np.float32)
    output = g.node("Gemm", [x, g.constant(w), g.constant(np.zeros(10, np.float32))], "logits")
    return g.model("dense_concat", [1, 3, 64, 64], output, [1, 10]), (1, 3, 64, 64)


MODELS = {"ocr_mobilenet": ocr_mobilenet, "dense_concat": dense_concat}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", nargs="?")
    parser.add_argument("models", nargs="*")
    parser.add_argument("--list", action="store_true", help="print the model names")
    args = parser.parse_args()
    if args.list:
        print("\n".join(MODELS))
        return
    if not args.outdir or not args.models:
        parser.error("give an output folder and at least one model (--list names them)")
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; --list names them")
    os.makedirs(args.outdir, exist_ok=True)
    for name in args.models:
        model, input_shape = MODELS[name]()
        stem = os.path.join(args.outdir, name)
        onnx.save(model, stem + ".onnx")
        image = np.random.default_rng(1).uniform(-1.0, 1.0, input_shape).astype(np.float32)
        np.save(stem + ".input.npy", image)
        print(f"{name}: {len(model.graph.node)} nodes", file=sys.stderr)


if __name__ == "__main__":
    main()
