#!/usr/bin/python3
"""wide_conv.py OUT.mlir X.npy: an int8 muon model of two convolutions,
3x3 64 -> 40 channels (ReLU) on a 12x12 image, then 1x1 40 -> 8, seeded
random weights, and a float input. At BLOCK 4 the first one's weights take
10 output blocks x 9 taps x 16 input blocks = 1440 WBUF entries, more than
WBUF's 1024: the NPU target splits its output channels into groups of 3
blocks (432 entries, within half of WBUF), the last group of 1. The CPU
int8 path (muon-run on the .mlir) is the reference."""
import sys

import numpy as np

from muon_text import dense, per_axis, q8

rng = np.random.default_rng(13)
C, H, W, C1, C2 = 64, 12, 12, 40, 8

sx, zx, sh, zh, sy, zy = 0.05, -9, 0.3, -128, 0.2, 4
w1 = rng.integers(-127, 128, (C1, C, 3, 3))
w2 = rng.integers(-127, 128, (C2, C1, 1, 1))
b1 = rng.integers(-3000, 3000, C1)
b2 = rng.integers(-2000, 2000, C2)
s1 = rng.uniform(0.0005, 0.001, C1)
s2 = rng.uniform(0.001, 0.002, C2)
x_t, h_t, y_t = q8(sx, zx), q8(sh, zh), q8(sy, zy)
w1_t, w2_t = per_axis(s1, 0), per_axis(s2, 0)
b1_t, b2_t = per_axis(sx * s1, 0, "i32"), per_axis(sh * s2, 0, "i32")
a1_t, a2_t = per_axis(sx * s1, 1, "i32"), per_axis(sh * s2, 1, "i32")
attrs = "dilations = array<i64: 1, 1>, strides = array<i64: 1, 1>"
text = f"""func.func @wide(%x: tensor<1x{C}x{H}x{W}xf32> {{muon.name = "x"}}) -> (tensor<1x{C2}x{H}x{W}xf32> {{muon.name = "y"}}) {{
  %w1 = muon.constant {dense(w1, f"tensor<{C1}x{C}x3x3xi8>")}
  %b1 = muon.constant {dense(b1, f"tensor<{C1}xi32>")}
  %w2 = muon.constant {dense(w2, f"tensor<{C2}x{C1}x1x1xi8>")}
  %b2 = muon.constant {dense(b2, f"tensor<{C2}xi32>")}
  %q = muon.quantize %x : (tensor<1x{C}x{H}x{W}xf32>) -> tensor<1x{C}x{H}x{W}x{x_t}>
  %w1q = quant.scast %w1 : tensor<{C1}x{C}x3x3xi8> to tensor<{C1}x{C}x3x3x{w1_t}>
  %b1q = quant.scast %b1 : tensor<{C1}xi32> to tensor<{C1}x{b1_t}>
  %acc1 = muon.conv %q, %w1q, %b1q {{{attrs}, pads = array<i64: 1, 1, 1, 1>}} : (tensor<1x{C}x{H}x{W}x{x_t}>, tensor<{C1}x{C}x3x3x{w1_t}>, tensor<{C1}x{b1_t}>) -> tensor<1x{C1}x{H}x{W}x{a1_t}>
  %h = muon.requantize %acc1 {{clamp_min = {zh} : i64}} : (tensor<1x{C1}x{H}x{W}x{a1_t}>) -> tensor<1x{C1}x{H}x{W}x{h_t}>
  %w2q = quant.scast %w2 : tensor<{C2}x{C1}x1x1xi8> to tensor<{C2}x{C1}x1x1x{w2_t}>
  %b2q = quant.scast %b2 : tensor<{C2}xi32> to tensor<{C2}x{b2_t}>
  %acc2 = muon.conv %h, %w2q, %b2q {{{attrs}, pads = array<i64: 0, 0, 0, 0>}} : (tensor<1x{C1}x{H}x{W}x{h_t}>, tensor<{C2}x{C1}x1x1x{w2_t}>, tensor<{C2}x{b2_t}>) -> tensor<1x{C2}x{H}x{W}x{a2_t}>
  %y = muon.requantize %acc2 : (tensor<1x{C2}x{H}x{W}x{a2_t}>) -> tensor<1x{C2}x{H}x{W}x{y_t}>
  %f = muon.dequantize %y : (tensor<1x{C2}x{H}x{W}x{y_t}>) -> tensor<1x{C2}x{H}x{W}xf32>
  return %f : tensor<1x{C2}x{H}x{W}xf32>
}}
"""
with open(sys.argv[1], "w") as f:
    f.write(text)
np.save(sys.argv[2], rng.normal(0, 2, (1, C, H, W)).astype(np.float32))
