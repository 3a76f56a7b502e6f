#!/usr/bin/python3
"""depthwise_conv.py OUT.mlir X.npy: an int8 muon model of a depthwise 3x3
convolution, stride 2, over 80 channels of a 12x41 image (ReLU6), then a
global average pool in the form muon-fold-qdq gives it (a depthwise
convolution with a weight of ones), seeded random weights and a float
input. At BLOCK 4 (20 channel blocks) one output row of the convolution
reads 3 x 43 x 20 IBUF entries, more than half of IBUF: the NPU target cuts
its rows into column tiles. The pool's window (6 x 21 pixels of 20 blocks)
does not fit half of ACC either: it runs in groups of channel blocks. The
CPU int8 path (muon-run on the .mlir) is the reference."""
import sys

import numpy as np

from muon_text import dense, per_axis, q8

rng = np.random.default_rng(17)
C, H, W = 80, 12, 41
HO, WO = 6, 21  # (12 + 2 - 3) // 2 + 1, (41 + 2 - 3) // 2 + 1

sx, zx, sh, zh, sy, zy = 0.05, -9, 0.03, -128, 0.01, -100
count = HO * WO
w = rng.integers(-127, 128, (C, 1, 3, 3))
b = rng.integers(-3000, 3000, C)
s = rng.uniform(0.002, 0.004, C)
x_t, h_t, y_t = q8(sx, zx), q8(sh, zh), q8(sy, zy)
w_t, b_t, a_t = per_axis(s, 0), per_axis(sx * s, 0, "i32"), per_axis(sx * s, 1, "i32")
ones_t, sum_t = q8(1.0 / count, 0), q8(sh * (1.0 / count), 0, "i32")
relu6 = int(round(6 / sh)) + zh
text = f"""func.func @depthwise(%x: tensor<1x{C}x{H}x{W}xf32> {{muon.name = "x"}}) -> (tensor<1x{C}x1x1xf32> {{muon.name = "y"}}) {{
  %w = muon.constant {dense(w, f"tensor<{C}x1x3x3xi8>")}
  %b = muon.constant {dense(b, f"tensor<{C}xi32>")}
  %ones = muon.constant dense<1> : tensor<{C}x1x{HO}x{WO}xi8>
  %q = muon.quantize %x : (tensor<1x{C}x{H}x{W}xf32>) -> tensor<1x{C}x{H}x{W}x{x_t}>
  %wq = quant.scast %w : tensor<{C}x1x3x3xi8> to tensor<{C}x1x3x3x{w_t}>
  %bq = quant.scast %b : tensor<{C}xi32> to tensor<{C}x{b_t}>
  %acc = muon.conv %q, %wq, %bq {{dilations = array<i64: 1, 1>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, group = {C} : i64}} : (tensor<1x{C}x{H}x{W}x{x_t}>, tensor<{C}x1x3x3x{w_t}>, tensor<{C}x{b_t}>) -> tensor<1x{C}x{HO}x{WO}x{a_t}>
  %h = muon.requantize %acc {{clamp_min = {zh} : i64, clamp_max = {relu6} : i64}} : (tensor<1x{C}x{HO}x{WO}x{a_t}>) -> tensor<1x{C}x{HO}x{WO}x{h_t}>
  %onesq = quant.scast %ones : tensor<{C}x1x{HO}x{WO}xi8> to tensor<{C}x1x{HO}x{WO}x{ones_t}>
  %sum = muon.conv %h, %onesq {{dilations = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = {C} : i64}} : (tensor<1x{C}x{HO}x{WO}x{h_t}>, tensor<{C}x1x{HO}x{WO}x{ones_t}>) -> tensor<1x{C}x1x1x{sum_t}>
  %y = muon.requantize %sum : (tensor<1x{C}x1x1x{sum_t}>) -> tensor<1x{C}x1x1x{y_t}>
  %f = muon.dequantize %y : (tensor<1x{C}x1x1x{y_t}>) -> tensor<1x{C}x1x1xf32>
  return %f : tensor<1x{C}x1x1xf32>
}}
"""
with open(sys.argv[1], "w") as f:
    f.write(text)
np.save(sys.argv[2], rng.normal(0, 2, (1, C, H, W)).astype(np.float32))
