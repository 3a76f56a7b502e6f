#!/usr/bin/env python3
"""QLinearMatMul and QLinearConv compiled for the CPU, bit for bit.

Builds ONNX models large enough for the register-blocked integer
contractions (sizes that are not multiples of the blocks, per-column and
per-channel weight scales, a bias, a grouped and a depthwise convolution),
runs them with muon-run on seeded random uint8/int8 data, and compares every
element with numpy's int64 products requantized by requant_reference.py, a
Python-integer transcription of runtime/common/requant.h that shares no code
with Muon.

    qlinear_bit_exact.py --muon-run PATH --work DIR
Prints one line per model and 'N passed, N failed'.
"""
import argparse
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exact_runs import run_cases  # noqa: E402
from requant_reference import fixed_point_multiplier, requantize  # noqa: E402

NP_TO_ONNX = {np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8}


def initializer(name, value):
    return numpy_helper.from_array(np.asarray(value), name)


def requantize_all(acc, in_scales, axis, out_scale, out_zp, dtype):
    """acc (int64 array) requantized per `axis` with the reference."""
    info = np.iinfo(dtype)
    out = np.empty(acc.shape, dtype=np.int64)
    multipliers = [fixed_point_multiplier(float(s) / float(out_scale))
                   for s in in_scales]
    for index in np.ndindex(*acc.shape):
        m, shift = multipliers[0 if len(multipliers) == 1 else index[axis]]
        out[index] = requantize(int(acc[index]), m, shift, int(out_zp),
                                int(info.min), int(info.max))
    return out.astype(dtype)


def conv_reference(x, w, bias, stride, pads, group):
    """int64 NCHW convolution, ONNX semantics, zero padding."""
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (h + pads[0] + pads[2] - kh) // stride + 1
    ow = (wd + pads[1] + pads[3] - kw) // stride + 1
    out = np.zeros((n, f, oh, ow), dtype=np.int64)
    fg = f // group
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, g * cg:(g + 1) * cg,
                           i:i + stride * oh:stride, j:j + stride * ow:stride]
                out[:, g * fg:(g + 1) * fg] += np.einsum(
                    "nchw,fc->nfhw", patch, w[g * fg:(g + 1) * fg, :, i, j])
    if bias is not None:
        out += bias.reshape(1, -1, 1, 1)
    return out


def qlinear_matmul_case(rng, name, m, k, n, dtype, per_column):
    a = rng.integers(np.iinfo(dtype).min, np.iinfo(dtype).max, (m, k),
                     endpoint=True).astype(dtype)
    b = rng.integers(np.iinfo(dtype).min, np.iinfo(dtype).max, (k, n),
                     endpoint=True).astype(dtype)
    a_scale = np.float32(0.02)
    a_zp = np.array(rng.integers(0, 20), dtype=dtype)
    b_scale = (rng.uniform(0.001, 0.01, n) if per_column
               else np.array([0.004])).astype(np.float32)
    b_zp = (rng.integers(0, 20, n) if per_column
            else np.array([7])).astype(dtype)
    y_scale = np.float32(7.5)
    y_zp = np.array(100 if dtype == np.uint8 else -7, dtype=dtype)
    node = helper.make_node(
        "QLinearMatMul",
        ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "y_scale", "y_zp"],
        ["y"])
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info("a", NP_TO_ONNX[dtype], [m, k])],
        [helper.make_tensor_value_info("y", NP_TO_ONNX[dtype], [m, n])],
        [initializer("a_scale", a_scale), initializer("a_zp", a_zp),
         initializer("b", b), initializer("b_scale", b_scale),
         initializer("b_zp", b_zp), initializer("y_scale", y_scale),
         initializer("y_zp", y_zp)])
    acc = (a.astype(np.int64) - int(a_zp)) @ (b.astype(np.int64) -
                                              b_zp.astype(np.int64))
    in_scales = [np.float64(a_scale) * np.float64(s) for s in b_scale]
    expected = requantize_all(acc, in_scales, 1, np.float64(y_scale), y_zp,
                              dtype)
    return graph, {"a": a}, expected


def qlinear_conv_case(rng, name, shape, filters, kernel, stride, pads, group,
                      dtype):
    n, c, h, w = shape
    x = rng.integers(np.iinfo(dtype).min, np.iinfo(dtype).max, shape,
                     endpoint=True).astype(dtype)
    weight = rng.integers(np.iinfo(dtype).min, np.iinfo(dtype).max,
                          (filters, c // group, kernel, kernel),
                          endpoint=True).astype(dtype)
    x_scale = np.float32(0.05)
    x_zp = np.array(rng.integers(0, 30), dtype=dtype)
    w_scale = rng.uniform(0.001, 0.02, filters).astype(np.float32)
    w_zp = rng.integers(0, 30, filters).astype(dtype)
    bias = rng.integers(-20000, 20000, filters).astype(np.int32)
    y_scale = np.float32(12.0)
    y_zp = np.array(128 if dtype == np.uint8 else 3, dtype=dtype)
    node = helper.make_node(
        "QLinearConv",
        ["x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp",
         "bias"], ["y"], strides=[stride, stride], pads=pads, group=group)
    acc = conv_reference(x.astype(np.int64) - int(x_zp),
                         weight.astype(np.int64) -
                         w_zp.astype(np.int64).reshape(-1, 1, 1, 1),
                         bias.astype(np.int64), stride, pads, group)
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info("x", NP_TO_ONNX[dtype], list(shape))],
        [helper.make_tensor_value_info("y", NP_TO_ONNX[dtype],
                                       list(acc.shape))],
        [initializer("x_scale", x_scale), initializer("x_zp", x_zp),
         initializer("w", weight), initializer("w_scale", w_scale),
         initializer("w_zp", w_zp), initializer("y_scale", y_scale),
         initializer("y_zp", y_zp), initializer("bias", bias)])
    in_scales = [np.float64(x_scale) * np.float64(s) for s in w_scale]
    expected = requantize_all(acc, in_scales, 1, np.float64(y_scale), y_zp,
                              dtype)
    return graph, {"x": x}, expected


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--muon-run", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(4)
    cases = [
        qlinear_matmul_case(rng, "matmul_u8_per_column", 37, 50, 21,
                            np.uint8, True),
        qlinear_matmul_case(rng, "matmul_i8_per_tensor", 13, 64, 48, np.int8,
                            False),
        qlinear_conv_case(rng, "conv_u8", (1, 8, 9, 11), 20, 3, 1,
                          [1, 1, 1, 1], 1, np.uint8),
        # Full-width rows: the direct (no im2col) stride-1 convolution.
        qlinear_conv_case(rng, "conv_u8_direct_rows", (1, 4, 5, 32), 8, 3, 1,
                          [1, 1, 1, 1], 1, np.uint8),
        qlinear_conv_case(rng, "conv_i8_strided", (2, 3, 12, 12), 7, 3, 2,
                          [0, 1, 1, 0], 1, np.int8),
        qlinear_conv_case(rng, "conv_u8_grouped", (1, 8, 7, 7), 4, 3, 1,
                          [1, 1, 1, 1], 2, np.uint8),
        qlinear_conv_case(rng, "conv_u8_depthwise", (1, 16, 10, 10), 16, 3, 1,
                          [1, 1, 1, 1], 16, np.uint8),
    ]
    return run_cases(cases, args.muon_run, args.work)


if __name__ == "__main__":
    sys.exit(main())
