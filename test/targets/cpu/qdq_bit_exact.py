#!/usr/bin/env python3
"""QDQ models compiled for the CPU, bit for bit.

Builds QDQ ONNX models (DequantizeLinear -> float op -> QuantizeLinear, as
ONNX Runtime's and PyTorch's quantizers write them) with onnx.helper from
seeded random data: conv + relu with per-channel weights and an int32 bias,
gemm with a transposed per-channel weight, matmul, conv + clip, a residual
add, max pool, global average pool and a small CNN. Muon folds the QDQ pairs
into integer ops (muon-fold-qdq); each model is run with muon-run and its
int8/uint8 output compared EXACTLY with an independent numpy model of the
same integer arithmetic: int64 products requantized by requant_reference.py
(a Python-integer transcription of runtime/common/requant.h that shares no
code with Muon), ONNX QuantizeLinear/DequantizeLinear in float32 for what
stays float (none does in these models). With --ort-run, ONNX Runtime runs
the same model too and must agree within one quantization step (run with
graph optimizations disabled, it computes the QDQ graph in float).

    qdq_bit_exact.py --muon-run PATH --work DIR [--ort-run CMD]
Prints one line per model and 'N passed, N failed'.
"""
import argparse
import os
import shlex
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from requant_reference import (fixed_point_multiplier, requantize,  # noqa: E402
                               rounding_shift_right, srdhm)

ONNX_TYPE = {np.dtype(np.uint8): TensorProto.UINT8,
             np.dtype(np.int8): TensorProto.INT8,
             np.dtype(np.int32): TensorProto.INT32,
             np.dtype(np.float32): TensorProto.FLOAT}


# ---------------------------------------------------------------------------
# The reference: ONNX's QuantizeLinear / DequantizeLinear in float32 and the
# integer products requantized by requant_reference.py.
# ---------------------------------------------------------------------------

def quantize(x, scale, zero_point, dtype):
    """QuantizeLinear: saturate(round_half_to_even(x / scale) + zp), f32."""
    info = np.iinfo(dtype)
    q = np.round(np.float32(x) / np.float32(scale)) + np.float32(zero_point)
    return np.clip(q, info.min, info.max).astype(dtype)


def requantize_all(acc, in_scales, axis, out_scale, out_zp, dtype, lo=None,
                   hi=None):
    """acc (int64 array) requantized per `axis` with the reference, clamped
    to [lo, hi] (the fused activation) within the storage range."""
    info = np.iinfo(dtype)
    qmin = int(info.min) if lo is None else max(int(info.min), lo)
    qmax = int(info.max) if hi is None else min(int(info.max), hi)
    out = np.empty(acc.shape, dtype=np.int64)
    multipliers = [fixed_point_multiplier(float(s) / float(out_scale))
                   for s in in_scales]
    for index in np.ndindex(*acc.shape):
        m, shift = multipliers[0 if len(multipliers) == 1 else index[axis]]
        out[index] = requantize(int(acc[index]), m, shift, int(out_zp), qmin,
                                qmax)
    return out.astype(dtype)


def quantized_add(a, b, out_scale, out_zp, dtype):
    """TFLite's quantized Add (reference_ops AddElementwise with
    PrepareGeneralSubOp's parameters): per input, subtract the zero point,
    shift left by 20, SRDHM by the input multiplier and rounding-shift right
    to the common scale 2 * max(s_a, s_b) / 2^20; add; requantize."""
    left_shift = 20
    sa, sb = float(np.float32(a.scale)), float(np.float32(b.scale))
    so = float(np.float32(out_scale))
    twice_max = 2 * max(sa, sb)
    ma, sha = fixed_point_multiplier(sa / twice_max)
    mb, shb = fixed_point_multiplier(sb / twice_max)
    mo, sho = fixed_point_multiplier(twice_max / ((1 << left_shift) * so))
    info = np.iinfo(dtype)
    out = np.empty(a.q.shape, dtype=np.int64)
    for index in np.ndindex(*a.q.shape):
        x = rounding_shift_right(
            srdhm((int(a.q[index]) - int(a.zp)) * (1 << left_shift), ma), sha)
        y = rounding_shift_right(
            srdhm((int(b.q[index]) - int(b.zp)) * (1 << left_shift), mb), shb)
        out[index] = requantize(x + y, mo, sho, int(out_zp), int(info.min),
                                int(info.max))
    return out.astype(dtype)


def conv_int(x, w, pads, stride, pad_value):
    """int64 NCHW convolution (group 1) of centered operands; the input is
    padded with `pad_value` (its zero point, so padding contributes 0)."""
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x.astype(np.int64),
                ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])),
                constant_values=pad_value)
    oh = (h + pads[0] + pads[2] - kh) // stride + 1
    ow = (wd + pads[1] + pads[3] - kw) // stride + 1
    out = np.zeros((n, f, oh, ow), dtype=np.int64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, i, j].astype(
                np.int64))
    return out


def max_pool_int(q, k, stride, pad=0):
    """Max pool of integer storage; the padding is the storage minimum (as
    -inf is, once quantized)."""
    q = np.pad(q, ((0, 0), (0, 0), (pad, pad), (pad, pad)),
               constant_values=np.iinfo(q.dtype).min)
    n, c, h, w = q.shape
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    out = np.full((n, c, oh, ow), np.iinfo(q.dtype).min, dtype=q.dtype)
    for i in range(k):
        for j in range(k):
            out = np.maximum(out, q[:, :, i:i + stride * oh:stride,
                                    j:j + stride * ow:stride])
    return out


# ---------------------------------------------------------------------------
# Model building
# ---------------------------------------------------------------------------

class Graph:
    """A QDQ graph under construction: nodes, initializers and a reference
    evaluation carried along, tensor by tensor."""

    def __init__(self, rng):
        self.rng = rng
        self.nodes, self.inits = [], []
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def const(self, value, prefix="c"):
        name = self.name(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op, inputs, prefix="t", **attrs):
        out = self.name(prefix)
        self.nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def quantize_linear(self, x, scale, zp, dtype):
        return self.node("QuantizeLinear", [
            x, self.const(np.float32(scale)), self.const(dtype(zp))])

    def dequantize_linear(self, q, scale, zp, axis=None):
        attrs = {} if axis is None else {"axis": axis}
        zp_name = self.const(zp)
        return self.node("DequantizeLinear",
                         [q, self.const(np.asarray(scale, np.float32)),
                          zp_name], **attrs)


class Activation:
    """A quantized activation: its float-side name in the graph (the output
    of a DequantizeLinear), and its reference integer value."""

    def __init__(self, name, q, scale, zp):
        self.name, self.q, self.scale, self.zp = name, q, scale, zp


def qdq(g, float_name, q, scale, zp):
    """QuantizeLinear -> DequantizeLinear of a float tensor whose reference
    quantized value is q."""
    qn = g.quantize_linear(float_name, scale, zp, q.dtype.type)
    return Activation(g.dequantize_linear(qn, np.float32(scale),
                                          q.dtype.type(zp)), q, scale, zp)


def conv_block(g, act, filters, k, stride, pads, out_scale, out_zp,
               activation=None, per_channel=True, float_bias=False):
    """DQ(int8 per-channel weight) and DQ(int32 bias) into Conv, an optional
    Relu or Clip, then QuantizeLinear -> DequantizeLinear."""
    rng = g.rng
    c = act.q.shape[1]
    w = rng.integers(-127, 128, (filters, c, k, k)).astype(np.int8)
    w_scale = (rng.uniform(0.002, 0.02, filters) if per_channel
               else np.full(1, 0.01)).astype(np.float32)
    # The bias scale as quantizers write it: x_scale * w_scale in float32.
    b_scale = (np.float32(act.scale) * w_scale).astype(np.float32)
    bias = rng.integers(-3000, 3000, filters).astype(np.int32)
    w_name = g.dequantize_linear(g.const(w, "w"), w_scale if per_channel
                                 else w_scale[0], np.zeros(
                                     filters if per_channel else (),
                                     np.int8), axis=0 if per_channel else None)
    if float_bias:
        bias_float = (bias.astype(np.float32) * b_scale).astype(np.float32)
        b_name = g.const(bias_float, "b")
    else:
        b_name = g.dequantize_linear(
            g.const(bias, "b"), b_scale if per_channel else b_scale[0],
            np.zeros(filters if per_channel else (), np.int32),
            axis=0 if per_channel else None)
    y = g.node("Conv", [act.name, w_name, b_name], kernel_shape=[k, k],
               strides=[stride, stride], pads=pads)
    # Reference: the accumulator of the centered operands plus the bias,
    # requantized with the accumulator scale s_x * s_w[c] (double).
    acc = conv_int(act.q.astype(np.int64) - act.zp, w, pads, stride, 0)
    if float_bias:
        acc_scales = [float(act.scale) * float(s) for s in
                      (w_scale if per_channel else [w_scale[0]] * filters)]
        qbias = np.array([np.round(float(bias_float[i]) / acc_scales[i])
                          for i in range(filters)], dtype=np.int64)
    else:
        qbias = bias.astype(np.int64)
    acc += qbias.reshape(1, -1, 1, 1)
    dtype = act.q.dtype.type
    lo = hi = None
    if activation == "relu":
        y = g.node("Relu", [y])
        lo = out_zp
    elif activation == "clip":
        y = g.node("Clip", [y, g.const(np.float32(0.0)),
                            g.const(np.float32(6.0))])
        lo = int(quantize(np.float32(0.0), out_scale, out_zp, dtype))
        hi = int(quantize(np.float32(6.0), out_scale, out_zp, dtype))
    scales = [float(act.scale) * float(s) for s in w_scale]
    q = requantize_all(acc, scales, 1, out_scale, out_zp, dtype, lo, hi)
    return qdq(g, y, q, out_scale, out_zp)


def finish(g, act, inputs, x, name, extra_feeds=None):
    """The graph's output is the last QuantizeLinear's integer tensor."""
    out = g.nodes[-1].input[0]
    # The last node is a DequantizeLinear of a QuantizeLinear output: drop it
    # and output the quantized tensor itself.
    g.nodes.pop()
    g.nodes[-1].output[0] = "y"
    del out
    graph = helper.make_graph(
        g.nodes, name, inputs,
        [helper.make_tensor_value_info("y", ONNX_TYPE[act.q.dtype],
                                       list(act.q.shape))],
        g.inits)
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    feeds = {"x": x}
    feeds.update(extra_feeds or {})
    return model, feeds, act.q


def input_activation(g, shape, scale, zp, dtype):
    x = g.rng.uniform(-2.0, 2.0, shape).astype(np.float32)
    q = quantize(x, scale, zp, dtype)
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                            list(shape))]
    return qdq(g, "x", q, scale, zp), inputs, x


def conv_relu_case(rng):
    g = Graph(rng)
    act, inputs, x = input_activation(g, (1, 3, 9, 9), 0.02, 3, np.int8)
    act = conv_block(g, act, 8, 3, 1, [1, 1, 1, 1], 0.05, -10, "relu")
    return finish(g, act, inputs, x, "conv_relu")


def conv_clip_u8_case(rng):
    g = Graph(rng)
    act, inputs, x = input_activation(g, (1, 4, 8, 8), 0.015, 131, np.uint8)
    act = conv_block(g, act, 6, 3, 2, [1, 1, 1, 1], 0.03, 5, "clip",
                     per_channel=False, float_bias=True)
    return finish(g, act, inputs, x, "conv_clip_u8")


def gemm_case(rng):
    """Gemm(DQ(x), DQ(w [N, K] per row), DQ(bias), transB=1)."""
    g = Graph(rng)
    m, k, n = 5, 40, 12
    x = rng.uniform(-2.0, 2.0, (m, k)).astype(np.float32)
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])]
    act = qdq(g, "x", quantize(x, 0.02, -4, np.int8), 0.02, -4)
    w = rng.integers(-127, 128, (n, k)).astype(np.int8)
    w_scale = rng.uniform(0.002, 0.02, n).astype(np.float32)
    b_scale = (np.float32(act.scale) * w_scale).astype(np.float32)
    bias = rng.integers(-3000, 3000, n).astype(np.int32)
    w_name = g.dequantize_linear(g.const(w, "w"), w_scale,
                                 np.zeros(n, np.int8), axis=0)
    b_name = g.dequantize_linear(g.const(bias, "b"), b_scale,
                                 np.zeros(n, np.int32), axis=0)
    y = g.node("Gemm", [act.name, w_name, b_name], transB=1)
    acc = (act.q.astype(np.int64) - act.zp) @ w.T.astype(np.int64) + bias
    scales = [float(act.scale) * float(s) for s in w_scale]
    q = requantize_all(acc, scales, 1, 0.04, 2, np.int8)
    act = qdq(g, y, q, 0.04, 2)
    return finish(g, act, inputs, x, "gemm")


def matmul_case(rng):
    """MatMul(DQ(x [2, 6, 32]), DQ(w [32, 16] per tensor))."""
    g = Graph(rng)
    x = rng.uniform(-2.0, 2.0, (2, 6, 32)).astype(np.float32)
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                            [2, 6, 32])]
    act = qdq(g, "x", quantize(x, 0.017, 9, np.int8), 0.017, 9)
    w = rng.integers(-127, 128, (32, 16)).astype(np.int8)
    w_name = g.dequantize_linear(g.const(w, "w"), np.float32(0.006),
                                 np.int8(0))
    y = g.node("MatMul", [act.name, w_name])
    acc = (act.q.astype(np.int64) - act.zp) @ w.astype(np.int64)
    q = requantize_all(acc, [float(np.float32(0.017)) *
                             float(np.float32(0.006))], 0, 0.03, -1, np.int8)
    act = qdq(g, y, q, 0.03, -1)
    return finish(g, act, inputs, x, "matmul")


def matmul_activations_case(rng):
    """MatMul of two quantized activations (as attention's Q x K^T): the
    right operand, symmetric int8 (zero point 0), is not a constant, so
    the zero point of the left one is folded through a run-time reduction."""
    g = Graph(rng)
    x = rng.uniform(-2.0, 2.0, (4, 16)).astype(np.float32)
    x2 = rng.uniform(-2.0, 2.0, (16, 8)).astype(np.float32)
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 16]),
              helper.make_tensor_value_info("x2", TensorProto.FLOAT, [16, 8])]
    lhs = qdq(g, "x", quantize(x, 0.02, -6, np.int8), 0.02, -6)
    rhs = qdq(g, "x2", quantize(x2, 0.015, 0, np.int8), 0.015, 0)
    y = g.node("MatMul", [lhs.name, rhs.name])
    acc = (lhs.q.astype(np.int64) - lhs.zp) @ rhs.q.astype(np.int64)
    q = requantize_all(acc, [float(np.float32(0.02)) *
                             float(np.float32(0.015))], 0, 0.05, 3, np.int8)
    act = qdq(g, y, q, 0.05, 3)
    return finish(g, act, inputs, x, "matmul_activations", {"x2": x2})


def residual_case(rng):
    """conv -> relu, then Add(DQ(conv output), DQ(input)) quantized again:
    TFLite's quantized Add."""
    g = Graph(rng)
    act, inputs, x = input_activation(g, (1, 4, 6, 6), 0.02, 0, np.int8)
    branch = conv_block(g, act, 4, 3, 1, [1, 1, 1, 1], 0.03, -5, "relu")
    y = g.node("Add", [branch.name, act.name])
    q = quantized_add(branch, act, 0.04, 1, np.int8)
    act = qdq(g, y, q, 0.04, 1)
    return finish(g, act, inputs, x, "residual_add")


def max_pool_case(rng):
    g = Graph(rng)
    act, inputs, x = input_activation(g, (1, 3, 8, 8), 0.02, 7, np.uint8)
    act = conv_block(g, act, 5, 1, 1, [0, 0, 0, 0], 0.03, 128)
    y = g.node("MaxPool", [act.name], kernel_shape=[2, 2], strides=[2, 2])
    act = qdq(g, y, max_pool_int(act.q, 2, 2), act.scale, act.zp)
    return finish(g, act, inputs, x, "max_pool")


def global_average_pool_case(rng):
    """GlobalAveragePool between QDQ pairs: an int32 sum requantized with
    M = s_in / (s_out * count)."""
    g = Graph(rng)
    act, inputs, x = input_activation(g, (1, 6, 5, 7), 0.02, -3, np.int8)
    y = g.node("GlobalAveragePool", [act.name])
    count = 5 * 7
    acc = (act.q.astype(np.int64) - act.zp).sum(axis=(2, 3), keepdims=True)
    out_scale, out_zp = 0.01, 4
    m, shift = fixed_point_multiplier(
        float(np.float32(act.scale)) / (float(np.float32(out_scale)) * count))
    q = np.array([requantize(int(a), m, shift, out_zp, -128, 127)
                  for a in acc.flat], dtype=np.int8).reshape(acc.shape)
    act = qdq(g, y, q, out_scale, out_zp)
    return finish(g, act, inputs, x, "global_average_pool")


def small_cnn_case(rng):
    """conv-relu, max pool, conv-relu, flatten, gemm."""
    g = Graph(rng)
    act, inputs, x = input_activation(g, (2, 3, 12, 12), 0.02, 0, np.int8)
    act = conv_block(g, act, 8, 3, 1, [1, 1, 1, 1], 0.04, -128, "relu")
    y = g.node("MaxPool", [act.name], kernel_shape=[2, 2], strides=[2, 2])
    act = qdq(g, y, max_pool_int(act.q, 2, 2), act.scale, act.zp)
    act = conv_block(g, act, 16, 3, 2, [1, 1, 1, 1], 0.05, -128, "relu")
    y = g.node("Flatten", [act.name], axis=1)
    flat = act.q.reshape(act.q.shape[0], -1)
    act = qdq(g, y, flat, act.scale, act.zp)
    n, k = 10, flat.shape[1]
    w = rng.integers(-127, 128, (k, n)).astype(np.int8)
    w_scale = rng.uniform(0.001, 0.005, n).astype(np.float32)
    w_name = g.dequantize_linear(g.const(w, "w"), w_scale,
                                 np.zeros(n, np.int8), axis=1)
    bias = rng.uniform(-1.0, 1.0, n).astype(np.float32)
    y = g.node("Gemm", [act.name, w_name, g.const(bias, "b")])
    scales = [float(act.scale) * float(s) for s in w_scale]
    qbias = np.array([np.round(float(bias[i]) / scales[i]) for i in range(n)],
                     dtype=np.int64)
    acc = (act.q.astype(np.int64) - act.zp) @ w.astype(np.int64) + qbias
    q = requantize_all(acc, scales, 1, 0.05, 3, np.int8)
    act = qdq(g, y, q, 0.05, 3)
    return finish(g, act, inputs, x, "small_cnn")


def residual_wide_case(rng):
    """The residual add on rows of 40 (whole vectors and a remainder), a
    branch with zero point 100 (its scale, 0.03, kept below the output's:
    ONNX Runtime requantizes the branch in float, within a step of it)."""
    g = Graph(rng)
    act, inputs, x = input_activation(g, (1, 3, 5, 40), 0.02, -7, np.int8)
    branch = conv_block(g, act, 3, 3, 1, [1, 1, 1, 1], 0.03, 100)
    y = g.node("Add", [branch.name, act.name])
    q = quantized_add(branch, act, 0.045, -2, np.int8)
    act = qdq(g, y, q, 0.045, -2)
    return finish(g, act, inputs, x, "residual_add_wide")


def max_pool_strided_case(rng):
    """ResNet's 3x3 stride-2 max pool with padding 1 on rows of 36 outputs
    (one vector of 32 and a remainder), read as every other byte of
    contiguous rows, on int8 and on uint8."""
    g = Graph(rng)
    act, inputs, x = input_activation(g, (1, 3, 7, 72), 0.02, 4, np.int8)
    act = conv_block(g, act, 4, 3, 1, [1, 1, 1, 1], 0.03, -20, "relu")
    y = g.node("MaxPool", [act.name], kernel_shape=[3, 3], strides=[2, 2],
               pads=[1, 1, 1, 1])
    act = qdq(g, y, max_pool_int(act.q, 3, 2, 1), act.scale, act.zp)
    return finish(g, act, inputs, x, "max_pool_strided")


def max_pool_strided_u8_case(rng):
    g = Graph(rng)
    act, inputs, x = input_activation(g, (1, 2, 9, 70), 0.02, 130, np.uint8)
    y = g.node("MaxPool", [act.name], kernel_shape=[3, 3], strides=[2, 2],
               pads=[1, 1, 1, 1])
    act = qdq(g, y, max_pool_int(act.q, 3, 2, 1), act.scale, act.zp)
    return finish(g, act, inputs, x, "max_pool_strided_u8")


CASES = [conv_relu_case, conv_clip_u8_case, gemm_case, matmul_case,
         matmul_activations_case, residual_case, residual_wide_case,
         max_pool_case, max_pool_strided_case, max_pool_strided_u8_case,
         global_average_pool_case, small_cnn_case]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--muon-run", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--ort-run", help="command running ONNX Runtime as "
                        "test/models/ort_run.mjs does")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(11)
    passed = failed = 0
    for make in CASES:
        model, feeds, expected = make(rng)
        name = model.graph.name
        case_dir = os.path.join(args.work, name)
        os.makedirs(case_dir, exist_ok=True)
        path = os.path.join(case_dir, "model.onnx")
        onnx.save(model, path)
        input_args = []
        for key, value in feeds.items():
            npy = os.path.join(case_dir, key + ".npy")
            np.save(npy, value)
            input_args += ["--input", npy]
        run = subprocess.run(
            [args.muon_run, path] + input_args +
            ["--output-dir", os.path.join(case_dir, "muon")],
            capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {name}: muon-run: {run.stderr.strip()}")
            failed += 1
            continue
        got = np.load(os.path.join(case_dir, "muon", "y.npy"))
        if got.dtype != expected.dtype or got.shape != expected.shape:
            print(f"FAIL {name}: {got.dtype}{list(got.shape)}, expected "
                  f"{expected.dtype}{list(expected.shape)}")
            failed += 1
            continue
        mismatches = int(np.count_nonzero(got != expected))
        if mismatches:
            print(f"FAIL {name}: {mismatches} of {expected.size} elements "
                  f"differ from the integer reference")
            failed += 1
            continue
        if args.ort_run:
            ort_dir = os.path.join(case_dir, "ort")
            ort = subprocess.run(shlex.split(args.ort_run) + [path] +
                                 input_args + ["--output-dir", ort_dir],
                                 capture_output=True, text=True)
            if ort.returncode != 0:
                print(f"FAIL {name}: onnxruntime: {ort.stderr.strip()}")
                failed += 1
                continue
            reference = np.load(os.path.join(ort_dir, "y.npy"))
            steps = int(np.max(np.abs(reference.astype(np.int64) -
                                      got.astype(np.int64))))
            if steps > 1:
                print(f"FAIL {name}: {steps} quantization steps from "
                      f"ONNX Runtime")
                failed += 1
                continue
        print(f"PASS {name}")
        passed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
