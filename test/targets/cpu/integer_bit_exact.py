#!/usr/bin/env python3
"""MatMulInteger and ConvInteger compiled for the CPU, bit for bit.

Builds ONNX models of int8 and uint8 integer products (shapes that are and
are not multiples of the register blocks, odd and long reductions, constant
and graph-input operands, with and without zero points, extremes such as
every product -128 x -128 or 127 x -128), runs them with muon-run on seeded
random data and compares every int32 element with numpy's int64 products.

    integer_bit_exact.py --muon-run PATH --work DIR [--mcpu CPU]
                         [--require-flag FLAG]
Prints one line per model and 'N passed, N failed', or only 'skipped: ...'
when the host's /proc/cpuinfo lacks FLAG (code for --mcpu would not run).
"""
import argparse
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exact_runs import run_cases  # noqa: E402

NP_TO_ONNX = {np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8}


def random(rng, dtype, shape):
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype)


def conv_reference(x, w, stride, pads):
    """int64 NCHW convolution, ONNX semantics, zero padding."""
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (h + pads[0] + pads[2] - kh) // stride + 1
    ow = (wd + pads[1] + pads[3] - kw) // stride + 1
    out = np.zeros((n, f, oh, ow), dtype=np.int64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, i, j])
    return out


def matmul_case(name, a, b, b_constant=True, a_zp=None, b_zp=None):
    """MatMulInteger(a, b[, a_zp, b_zp]); b an initializer or an input."""
    inputs = [helper.make_tensor_value_info("a", NP_TO_ONNX[a.dtype.type],
                                            list(a.shape))]
    initializers, feeds = [], {"a": a}
    if b_constant:
        initializers.append(numpy_helper.from_array(b, "b"))
    else:
        inputs.append(helper.make_tensor_value_info(
            "b", NP_TO_ONNX[b.dtype.type], list(b.shape)))
        feeds["b"] = b
    names = ["a", "b"]
    if a_zp is not None:
        initializers += [numpy_helper.from_array(a_zp, "a_zp"),
                         numpy_helper.from_array(b_zp, "b_zp")]
        names += ["a_zp", "b_zp"]
    wide_a = a.astype(np.int64) - (0 if a_zp is None else int(a_zp))
    wide_b = b.astype(np.int64) - (0 if b_zp is None else int(b_zp))
    expected = np.matmul(wide_a, wide_b)
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", names, ["y"])], name, inputs,
        [helper.make_tensor_value_info("y", TensorProto.INT32,
                                       list(expected.shape))],
        initializers)
    return graph, feeds, expected


def conv_case(name, x, w, stride=1, pads=(1, 1, 1, 1), x_zp=None):
    """ConvInteger(x, w[, x_zp]) with w an initializer."""
    initializers = [numpy_helper.from_array(w, "w")]
    names = ["x", "w"]
    if x_zp is not None:
        initializers.append(numpy_helper.from_array(x_zp, "x_zp"))
        names.append("x_zp")
    # The zero point pads too: padding is 0 after it is subtracted.
    centered = x.astype(np.int64) - (0 if x_zp is None else int(x_zp))
    expected = conv_reference(centered, w.astype(np.int64), stride,
                              list(pads))
    node = helper.make_node("ConvInteger", names, ["y"],
                            strides=[stride, stride], pads=list(pads),
                            kernel_shape=list(w.shape[2:]))
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info("x", NP_TO_ONNX[x.dtype.type],
                                       list(x.shape))],
        [helper.make_tensor_value_info("y", TensorProto.INT32,
                                       list(expected.shape))],
        initializers)
    return graph, {"x": x}, expected


def cases(rng):
    i8, u8 = np.int8, np.uint8
    full = lambda shape, value, dtype: np.full(shape, value, dtype=dtype)
    return [
        # Whole and partial register blocks, weights constant.
        matmul_case("matmul_i8", random(rng, i8, (17, 70)),
                    random(rng, i8, (70, 48))),
        matmul_case("matmul_i8_row", random(rng, i8, (1, 512)),
                    random(rng, i8, (512, 512))),
        # Both operands computed at run time.
        matmul_case("matmul_i8_inputs", random(rng, i8, (9, 64)),
                    random(rng, i8, (64, 40)), b_constant=False),
        # Extremes: every product -128 x -128 (2^14), then 127 x -128 over a
        # reduction of 4096 (-66.6 million), both inputs.
        matmul_case("matmul_min_times_min", full((8, 256), -128, i8),
                    full((256, 64), -128, i8), b_constant=False),
        matmul_case("matmul_max_times_min_long", full((3, 4096), 127, i8),
                    full((4096, 32), -128, i8), b_constant=False),
        matmul_case("matmul_i8_long", random(rng, i8, (4, 3000)),
                    random(rng, i8, (3000, 32))),
        # Odd reductions (padded with a zero step to whole pairs), with
        # constant and computed operands, and a batched product.
        matmul_case("matmul_i8_odd_k", random(rng, i8, (6, 33)),
                    random(rng, i8, (33, 32))),
        matmul_case("matmul_i8_k5", random(rng, i8, (7, 5)),
                    random(rng, i8, (5, 40))),
        matmul_case("matmul_i8_k5_inputs", random(rng, i8, (6, 5)),
                    random(rng, i8, (5, 48)), b_constant=False),
        matmul_case("matmul_u8_i8_k7", random(rng, u8, (9, 7)),
                    random(rng, i8, (7, 32))),
        matmul_case("matmul_i8_batched", random(rng, i8, (2, 8, 32)),
                    random(rng, i8, (32, 48))),
        # uint8 activations (zero-extended) with int8 and uint8 weights.
        matmul_case("matmul_u8_i8", random(rng, u8, (10, 96)),
                    random(rng, i8, (96, 64))),
        matmul_case("matmul_u8_u8_max", full((4, 512), 255, u8),
                    full((512, 32), 255, u8), b_constant=False),
        # Zero points.
        matmul_case("matmul_u8_zero_points", random(rng, u8, (5, 64)),
                    random(rng, u8, (64, 32)), a_zp=np.array(131, u8),
                    b_zp=np.array(7, u8)),
        conv_case("conv_i8_3x3", random(rng, i8, (1, 16, 14, 14)),
                  random(rng, i8, (32, 16, 3, 3))),
        conv_case("conv_i8_3x3_wide_rows", random(rng, i8, (1, 8, 9, 56)),
                  random(rng, i8, (16, 8, 3, 3))),
        conv_case("conv_i8_1x1", random(rng, i8, (1, 24, 10, 10)),
                  random(rng, i8, (48, 24, 1, 1)), pads=(0, 0, 0, 0)),
        conv_case("conv_i8_strided", random(rng, i8, (2, 6, 13, 13)),
                  random(rng, i8, (20, 6, 3, 3)), stride=2,
                  pads=(0, 1, 1, 0)),
        # Odd reductions: a stem of 3 channels, 7x7, stride 2 (3 x 49 =
        # 147 taps, padded with a zero tap), its extremes, and a 1x1
        # convolution over 5 channels.
        conv_case("conv_i8_stem", random(rng, i8, (1, 3, 40, 40)),
                  random(rng, i8, (24, 3, 7, 7)), stride=2,
                  pads=(3, 3, 3, 3)),
        conv_case("conv_stem_min_times_min", full((1, 3, 20, 20), -128, i8),
                  full((16, 3, 7, 7), -128, i8), stride=2,
                  pads=(3, 3, 3, 3)),
        conv_case("conv_i8_1x1_odd", random(rng, i8, (1, 5, 8, 12)),
                  random(rng, i8, (16, 5, 1, 1)), pads=(0, 0, 0, 0)),
        conv_case("conv_min_times_min", full((1, 64, 6, 6), -128, i8),
                  full((32, 64, 3, 3), -128, i8)),
        # uint8 input (zero-extended): a generic convolution, as is
        # 255 x 255 over a reduction of 576.
        conv_case("conv_u8_i8", random(rng, u8, (1, 16, 12, 12)),
                  random(rng, i8, (32, 16, 3, 3))),
        conv_case("conv_u8_strided", random(rng, u8, (1, 6, 13, 11)),
                  random(rng, i8, (20, 6, 3, 3)), stride=2,
                  pads=(1, 0, 0, 1)),
        conv_case("conv_u8_odd_k", random(rng, u8, (1, 3, 10, 17)),
                  random(rng, i8, (8, 3, 3, 3))),
        conv_case("conv_u8_max_times_max", full((1, 64, 5, 5), 255, u8),
                  full((16, 64, 3, 3), 255, u8)),
        conv_case("conv_u8_zero_point", random(rng, u8, (1, 8, 9, 9)),
                  random(rng, u8, (16, 8, 3, 3)), x_zp=np.array(100, u8)),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--muon-run", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--mcpu", help="passed to muon-run")
    parser.add_argument("--require-flag",
                        help="a /proc/cpuinfo flag the --mcpu code needs")
    args = parser.parse_args()
    if args.require_flag:
        with open("/proc/cpuinfo") as cpuinfo:
            flags = next((line.split(":", 1)[1].split() for line in cpuinfo
                          if line.startswith("flags")), [])
        if args.require_flag not in flags:
            print(f"skipped: host lacks {args.require_flag}")
            return 0
    extra_args = [f"--mcpu={args.mcpu}"] if args.mcpu else []
    return run_cases(cases(np.random.default_rng(8)), args.muon_run, args.work,
                     extra_args, dtype=np.int32)


if __name__ == "__main__":
    sys.exit(main())
