#!/usr/bin/env python3
"""Writes a small CNN (conv/bn/relu/maxpool/conv/bn/relu/avgpool/gemm/softmax)
with seeded random weights, an input batch, and its expected output computed
by a direct float64 numpy implementation of the ONNX operators.

    make_small_cnn.py OUTDIR   ->  OUTDIR/small_cnn.onnx, input.npy, expected.npy
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)
BATCH, C_IN, H, W = 4, 3, 16, 16


def conv2d(x, w, b, pad):
    """NCHW convolution, stride 1, symmetric zero padding."""
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    y = np.zeros((n, f, oh, ow))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + oh, j:j + ow]
            y += np.einsum("nchw,fc->nfhw", patch, w[:, :, i, j])
    return y + b[None, :, None, None]


def batchnorm(x, scale, bias, mean, var, eps=1e-5):
    s = lambda v: v[None, :, None, None]
    return (x - s(mean)) / np.sqrt(s(var) + eps) * s(scale) + s(bias)


def maxpool2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    weights = {
        "w1": rng.normal(0, 0.3, (8, C_IN, 3, 3)), "b1": rng.normal(0, 0.1, 8),
        "s1": rng.uniform(0.5, 1.5, 8), "o1": rng.normal(0, 0.1, 8),
        "m1": rng.normal(0, 0.1, 8), "v1": rng.uniform(0.5, 1.5, 8),
        "w2": rng.normal(0, 0.2, (16, 8, 3, 3)), "b2": rng.normal(0, 0.1, 16),
        "s2": rng.uniform(0.5, 1.5, 16), "o2": rng.normal(0, 0.1, 16),
        "m2": rng.normal(0, 0.1, 16), "v2": rng.uniform(0.5, 1.5, 16),
        "fc_w": rng.normal(0, 0.3, (10, 16)), "fc_b": rng.normal(0, 0.1, 10),
    }
    weights = {k: v.astype(np.float32) for k, v in weights.items()}
    x = rng.normal(0, 1, (BATCH, 1, C_IN, H, W)).astype(np.float32)

    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "s1", "o1", "m1", "v1"], ["n1"], name="bn1"),
        helper.make_node("Relu", ["n1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], name="conv2", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c2", "s2", "o2", "m2", "v2"], ["n2"], name="bn2"),
        helper.make_node("Relu", ["n2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["logits"], name="fc", transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes, "small_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, C_IN, H, W])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])],
        [numpy_helper.from_array(v, k) for k, v in weights.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "small_cnn.onnx"))

    w = {k: v.astype(np.float64) for k, v in weights.items()}
    expected = []
    for sample in x.astype(np.float64):
        h1 = maxpool2(np.maximum(batchnorm(conv2d(sample, w["w1"], w["b1"], 1),
                                           w["s1"], w["o1"], w["m1"], w["v1"]), 0))
        h2 = np.maximum(batchnorm(conv2d(h1, w["w2"], w["b2"], 1),
                                  w["s2"], w["o2"], w["m2"], w["v2"]), 0)
        logits = h2.mean(axis=(2, 3)) @ w["fc_w"].T + w["fc_b"]
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        expected.append(e / e.sum(axis=1, keepdims=True))
    np.save(os.path.join(out, "input.npy"), x)
    np.save(os.path.join(out, "expected.npy"), np.stack(expected).astype(np.float32))


if __name__ == "__main__":
    main()
