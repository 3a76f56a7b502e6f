#!/usr/bin/python3
"""wide_gemm.py OUT.mlir X.npy [K N1 N2]: an int8 muon model of two Gemms,
[1, K] -> N1 (ReLU) -> N2 (default 256, 80, 30), seeded random weights, and
a float input. At BLOCK 4 the default first Gemm's weights take 20 x 64 =
1280 WBUF entries, more than WBUF's 1024: the NPU target splits it into
tiles of output channel blocks. The CPU int8 path (muon-run on the .mlir)
is the reference."""
import sys

import numpy as np

from muon_text import dense, per_axis

rng = np.random.default_rng(11)
K, N1, N2 = (int(a) for a in sys.argv[3:6]) if len(sys.argv) > 3 else (256, 80, 30)

sx, zx, sh, zh, sy, zy = 0.04, 7, 0.05, -128, 0.09, -3
w1 = rng.integers(-127, 128, (K, N1))
w2 = rng.integers(-127, 128, (N1, N2))
b1 = rng.integers(-20000, 20000, N1)
b2 = rng.integers(-2000, 2000, N2)
s1 = rng.uniform(0.0005, 0.001, N1) * np.sqrt(256 / K)  # sums grow as sqrt(K)
s2 = rng.uniform(0.001, 0.002, N2)
x_t = f"!quant.uniform<i8:f32, {sx}:{zx}>"
h_t = f"!quant.uniform<i8:f32, {sh}:{zh}>"
y_t = f"!quant.uniform<i8:f32, {sy}:{zy}>"
a1 = per_axis(sx * s1, 1, "i32")
a2 = per_axis(sh * s2, 1, "i32")
text = f"""func.func @wide(%x: tensor<1x{K}xf32> {{muon.name = "x"}}) -> (tensor<1x{N2}xf32> {{muon.name = "y"}}) {{
  %w1 = muon.constant {dense(w1, f"tensor<{K}x{N1}xi8>")}
  %b1 = muon.constant {dense(b1, f"tensor<{N1}xi32>")}
  %w2 = muon.constant {dense(w2, f"tensor<{N1}x{N2}xi8>")}
  %b2 = muon.constant {dense(b2, f"tensor<{N2}xi32>")}
  %q = muon.quantize %x : (tensor<1x{K}xf32>) -> tensor<1x{K}x{x_t}>
  %w1q = quant.scast %w1 : tensor<{K}x{N1}xi8> to tensor<{K}x{N1}x{per_axis(s1, 1)}>
  %b1q = quant.scast %b1 : tensor<{N1}xi32> to tensor<{N1}x{per_axis(sx * s1, 0, "i32")}>
  %acc1 = muon.gemm %q, %w1q, %b1q : (tensor<1x{K}x{x_t}>, tensor<{K}x{N1}x{per_axis(s1, 1)}>, tensor<{N1}x{per_axis(sx * s1, 0, "i32")}>) -> tensor<1x{N1}x{a1}>
  %h = muon.requantize %acc1 {{clamp_min = {zh} : i64}} : (tensor<1x{N1}x{a1}>) -> tensor<1x{N1}x{h_t}>
  %w2q = quant.scast %w2 : tensor<{N1}x{N2}xi8> to tensor<{N1}x{N2}x{per_axis(s2, 1)}>
  %b2q = quant.scast %b2 : tensor<{N2}xi32> to tensor<{N2}x{per_axis(sh * s2, 0, "i32")}>
  %acc2 = muon.gemm %h, %w2q, %b2q : (tensor<1x{N1}x{h_t}>, tensor<{N1}x{N2}x{per_axis(s2, 1)}>, tensor<{N2}x{per_axis(sh * s2, 0, "i32")}>) -> tensor<1x{N2}x{a2}>
  %y = muon.requantize %acc2 : (tensor<1x{N2}x{a2}>) -> tensor<1x{N2}x{y_t}>
  %f = muon.dequantize %y : (tensor<1x{N2}x{y_t}>) -> tensor<1x{N2}xf32>
  return %f : tensor<1x{N2}xf32>
}}
"""
with open(sys.argv[1], "w") as f:
    f.write(text)
np.save(sys.argv[2], rng.normal(0, 3, (1, K)).astype(np.float32))
