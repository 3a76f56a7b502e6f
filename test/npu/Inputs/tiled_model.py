#!/usr/bin/python3
"""tiled_model.py OUT.mlir X.npy: an int8 muon model whose layers do not fit
the NPU's buffers in one tile (at BLOCK 16: a 3x3 convolution of a 1x20x56x56
image, 2 channel blocks, reads more rows than IBUF holds; its 2x2 max pool
more than ACC holds), followed by a residual quantized Add, a global average
pool (the window sum muon-fold-qdq makes of it), a flatten and a Gemm. Seeded
random weights; X.npy is a float input. The CPU int8 path (muon-run on the
.mlir) is the reference the NPU's output must equal."""
import sys

import numpy as np

from muon_text import dense, q8

rng = np.random.default_rng(5)
C, H, W, CO, N = 20, 56, 56, 24, 7

w = rng.integers(-127, 128, (CO, C, 3, 3))
b = rng.integers(-3000, 3000, CO)
wscales = rng.uniform(0.002, 0.004, CO)
sx, zx = 0.05, -9
acc_scales = "{" + ", ".join(repr(sx * s) for s in wscales) + "}"
wq = "!quant.uniform<i8:f32:0, {" + ", ".join(repr(s) for s in wscales) + "}>"
bq = f"!quant.uniform<i32:f32:0, {acc_scales}>"
aq = f"!quant.uniform<i32:f32:1, {acc_scales}>"
x_t, c_t, p_t = q8(sx, zx), q8(0.4, -20), q8(0.4, -20)
s_t = q8(0.3, 5)
ones = "!quant.uniform<i8:f32, 0.0025>"  # 1 / (28 * 28) rounded: any scale works
g_acc = f"!quant.uniform<i32:f32, {0.3 * 0.0025!r}>"
g_t = q8(0.02, -100)
fw = rng.integers(-127, 128, (CO, N))
fws = rng.uniform(0.003, 0.006, N)
f_acc = "{" + ", ".join(repr(0.02 * s) for s in fws) + "}"
fwq = "!quant.uniform<i8:f32:1, {" + ", ".join(repr(s) for s in fws) + "}>"
out_t = q8(0.07, 3)
text = f"""func.func @tiled(%x: tensor<1x{C}x{H}x{W}xf32> {{muon.name = "image"}}) -> (tensor<1x{N}xf32> {{muon.name = "scores"}}) {{
  %w = muon.constant {dense(w, f"tensor<{CO}x{C}x3x3xi8>")}
  %b = muon.constant {dense(b, f"tensor<{CO}xi32>")}
  %ones = muon.constant dense<1> : tensor<{CO}x1x28x28xi8>
  %fw = muon.constant {dense(fw, f"tensor<{CO}x{N}xi8>")}
  %q = muon.quantize %x : (tensor<1x{C}x{H}x{W}xf32>) -> tensor<1x{C}x{H}x{W}x{x_t}>
  %wq = quant.scast %w : tensor<{CO}x{C}x3x3xi8> to tensor<{CO}x{C}x3x3x{wq}>
  %bq = quant.scast %b : tensor<{CO}xi32> to tensor<{CO}x{bq}>
  %acc = muon.conv %q, %wq, %bq {{dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}} : (tensor<1x{C}x{H}x{W}x{x_t}>, tensor<{CO}x{C}x3x3x{wq}>, tensor<{CO}x{bq}>) -> tensor<1x{CO}x{H}x{W}x{aq}>
  %c = muon.requantize %acc {{clamp_min = -20 : i64}} : (tensor<1x{CO}x{H}x{W}x{aq}>) -> tensor<1x{CO}x{H}x{W}x{c_t}>
  %p = muon.max_pool %c {{dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}} : (tensor<1x{CO}x{H}x{W}x{c_t}>) -> tensor<1x{CO}x28x28x{p_t}>
  %p2 = muon.max_pool %c {{dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}} : (tensor<1x{CO}x{H}x{W}x{c_t}>) -> tensor<1x{CO}x28x28x{p_t}>
  %s = muon.quantized_add %p, %p2 : (tensor<1x{CO}x28x28x{p_t}>, tensor<1x{CO}x28x28x{p_t}>) -> tensor<1x{CO}x28x28x{s_t}>
  %onesq = quant.scast %ones : tensor<{CO}x1x28x28xi8> to tensor<{CO}x1x28x28x{ones}>
  %gacc = muon.conv %s, %onesq {{dilations = array<i64: 1, 1>, group = {CO} : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}} : (tensor<1x{CO}x28x28x{s_t}>, tensor<{CO}x1x28x28x{ones}>) -> tensor<1x{CO}x1x1x{g_acc}>
  %g = muon.requantize %gacc : (tensor<1x{CO}x1x1x{g_acc}>) -> tensor<1x{CO}x1x1x{g_t}>
  %flat = muon.reshape %g : (tensor<1x{CO}x1x1x{g_t}>) -> tensor<1x{CO}x{g_t}>
  %fwq = quant.scast %fw : tensor<{CO}x{N}xi8> to tensor<{CO}x{N}x{fwq}>
  %facc = muon.gemm %flat, %fwq : (tensor<1x{CO}x{g_t}>, tensor<{CO}x{N}x{fwq}>) -> tensor<1x{N}x!quant.uniform<i32:f32:1, {f_acc}>>
  %y = muon.requantize %facc : (tensor<1x{N}x!quant.uniform<i32:f32:1, {f_acc}>>) -> tensor<1x{N}x{out_t}>
  %f = muon.dequantize %y : (tensor<1x{N}x{out_t}>) -> tensor<1x{N}xf32>
  return %f : tensor<1x{N}xf32>
}}
"""
with open(sys.argv[1], "w") as f:
    f.write(text)
np.save(sys.argv[2], rng.normal(0, 2, (1, C, H, W)).astype(np.float32))
