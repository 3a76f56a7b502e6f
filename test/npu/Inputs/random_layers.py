#!/usr/bin/python3
"""random_layers.py TOOLS WORK CASES SEED BLOCK: single-layer int8 muon models
of seeded random shapes -- convolutions (any kernel, stride and padding below
the kernel), depthwise convolutions, max pools, window sums (the form an
average pool folds to) and Gemms, some wide or deep enough to need column
tiles, groups of output or channel blocks, or a split reduction -- each
lowered for the NPU at BLOCK (muon-opt --muon-to-npu), written by
muon-npu-translate and run by muon-npu-run, and compared element by element
with the CPU int8 path (muon-run on the same .mlir). Prints one line per
case and 'N passed, N failed'; exits 1 on any failure."""
import os
import subprocess
import sys

import numpy as np

from muon_text import dense, per_axis, q8

tools, work, cases, seed, block = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rng = np.random.default_rng(seed)
ATTRS = "dilations = array<i64: 1, 1>"


def window(k_max, size_max):
    """(kernel, stride, pad before, pad after, input size, output size)."""
    k = int(rng.integers(1, k_max + 1))
    s = int(rng.integers(1, 4))
    p0, p1 = (int(rng.integers(0, k)) for _ in range(2))
    size = int(rng.integers(max(1, k - p0 - p1), size_max + 1))
    return k, s, p0, p1, size, (size + p0 + p1 - k) // s + 1


def image_layer(name, kind):
    """A conv, depthwise conv, max pool or window sum over a [1, C, H, W] image."""
    wide = rng.random() < 0.3
    kh, sh, pt, pb, h, ho = window(7, 24)
    kw, sw, pl, pr, w, wo = window(7, 300 if wide else 40)
    # A few channels (an image's) often: the NPU packs such inputs.
    c = int(rng.integers(1, 5)) if rng.random() < 0.3 else int(rng.integers(1, 49))
    x_t, y_t = q8(0.05, int(rng.integers(-20, 20))), q8(0.07, int(rng.integers(-30, 30)))
    attrs = (f"{ATTRS}, strides = array<i64: {sh}, {sw}>, "
             f"pads = array<i64: {pt}, {pl}, {pb}, {pr}>")
    shape_in = f"1x{c}x{h}x{w}"
    if kind == "max_pool":
        cout, lines = c, [
            f"%y = muon.max_pool %q {{{ATTRS}, kernel_shape = array<i64: {kh}, {kw}>, "
            f"pads = array<i64: {pt}, {pl}, {pb}, {pr}>, strides = array<i64: {sh}, {sw}>}} : "
            f"(tensor<{shape_in}x{x_t}>) -> tensor<1x{c}x{ho}x{wo}x{x_t}>"]
        y_t = x_t
    else:
        group = 1 if kind == "conv" else c
        cout = int(rng.integers(1, 49)) if kind == "conv" else c
        cin = c // group
        if kind == "window_sum":
            count = kh * kw
            w_t, acc_t = q8(1.0 / count, 0), q8(0.05 * (1.0 / count), 0, "i32")
            weights, bias = f"dense<1> : tensor<{cout}x1x{kh}x{kw}xi8>", None
        else:
            scales = rng.uniform(0.002, 0.004, cout) / np.sqrt(cin * kh * kw / 9)
            w_t, acc_t = per_axis(scales, 0), per_axis(0.05 * scales, 1, "i32")
            weights = dense(rng.integers(-127, 128, (cout, cin, kh, kw)), f"tensor<{cout}x{cin}x{kh}x{kw}xi8>")
            bias = (dense(rng.integers(-3000, 3000, cout), f"tensor<{cout}xi32>"), per_axis(0.05 * scales, 0, "i32"))
        lines = [f"%w = muon.constant {weights}",
                 f"%wq = quant.scast %w : tensor<{cout}x{cin}x{kh}x{kw}xi8> to tensor<{cout}x{cin}x{kh}x{kw}x{w_t}>"]
        operands, types = "%q, %wq", f"tensor<{shape_in}x{x_t}>, tensor<{cout}x{cin}x{kh}x{kw}x{w_t}>"
        if bias:
            lines += [f"%b = muon.constant {bias[0]}",
                      f"%bq = quant.scast %b : tensor<{cout}xi32> to tensor<{cout}x{bias[1]}>"]
            operands, types = operands + ", %bq", types + f", tensor<{cout}x{bias[1]}>"
        clamp = f" {{clamp_min = {y_t.split(':')[-1].rstrip('>')} : i64}}" if rng.random() < 0.5 else ""
        lines += [f"%acc = muon.conv {operands} {{{attrs}, group = {group} : i64}} : ({types}) -> tensor<1x{cout}x{ho}x{wo}x{acc_t}>",
                  f"%y = muon.requantize %acc{clamp} : (tensor<1x{cout}x{ho}x{wo}x{acc_t}>) -> tensor<1x{cout}x{ho}x{wo}x{y_t}>"]
    out_shape = f"1x{cout}x{ho}x{wo}"
    desc = f"{kind} {kh}x{kw} stride {sh},{sw} pads {pt},{pl},{pb},{pr}: {c}x{h}x{w} -> {cout}x{ho}x{wo}"
    return desc, shape_in, x_t, out_shape, y_t, lines


def gemm_layer():
    k = int(rng.integers(1, 12000)) if rng.random() < 0.4 else int(rng.integers(1, 300))
    n = int(rng.integers(1, 80))
    x_t, y_t = q8(0.05, int(rng.integers(-20, 20))), q8(0.07, int(rng.integers(-30, 30)))
    scales = rng.uniform(0.002, 0.004, n) / np.sqrt(k / 9)
    w_t, acc_t = per_axis(scales, 1), per_axis(0.05 * scales, 1, "i32")
    lines = [f"%w = muon.constant {dense(rng.integers(-127, 128, (k, n)), f'tensor<{k}x{n}xi8>')}",
             f"%wq = quant.scast %w : tensor<{k}x{n}xi8> to tensor<{k}x{n}x{w_t}>",
             f"%acc = muon.gemm %q, %wq : (tensor<1x{k}x{x_t}>, tensor<{k}x{n}x{w_t}>) -> tensor<1x{n}x{acc_t}>",
             f"%y = muon.requantize %acc : (tensor<1x{n}x{acc_t}>) -> tensor<1x{n}x{y_t}>"]
    return f"gemm {k} -> {n}", f"1x{k}", x_t, f"1x{n}", y_t, lines


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    return result.returncode == 0, result.stderr.strip()


os.makedirs(work, exist_ok=True)
passed = failed = 0
kinds = ["conv", "depthwise", "max_pool", "window_sum", "gemm"]
for i in range(cases):
    kind = kinds[i % len(kinds)]
    desc, shape_in, x_t, out_shape, y_t, lines = gemm_layer() if kind == "gemm" else image_layer(f"case{i}", kind)
    body = "\n  ".join(lines)
    text = f"""func.func @case{i}(%x: tensor<{shape_in}xf32> {{muon.name = "x"}}) -> (tensor<{out_shape}xf32> {{muon.name = "y"}}) {{
  %q = muon.quantize %x : (tensor<{shape_in}xf32>) -> tensor<{shape_in}x{x_t}>
  {body}
  %f = muon.dequantize %y : (tensor<{out_shape}x{y_t}>) -> tensor<{out_shape}xf32>
  return %f : tensor<{out_shape}xf32>
}}
"""
    stem = os.path.join(work, f"case{i}")
    with open(stem + ".mlir", "w") as f:
        f.write(text)
    shape = [int(d) for d in shape_in.split("x")]
    np.save(stem + ".x.npy", rng.normal(0, 2, shape).astype(np.float32))
    steps = [
        [f"{tools}/muon-opt", stem + ".mlir", f"--muon-to-npu=block={block}", "-o", stem + ".npu.mlir"],
        [f"{tools}/muon-npu-translate", stem + ".npu.mlir", "-o", stem + ".npub"],
        [f"{tools}/muon-npu-run", stem + ".npub", "--input", stem + ".x.npy", "--output", stem + ".npu.npy"],
        [f"{tools}/muon-run", stem + ".mlir", "--input", stem + ".x.npy", "--output-dir", stem + ".cpu"],
    ]
    problem = None
    for step in steps:
        ok, stderr = run(step)
        if not ok:
            problem = f"{os.path.basename(step[0])}: {stderr.splitlines()[-1] if stderr else 'failed'}"
            break
    if problem is None:
        npu, cpu = np.load(stem + ".npu.npy"), np.load(os.path.join(stem + ".cpu", "y.npy"))
        if npu.shape != cpu.shape or not np.array_equal(npu, cpu):
            differ = int(np.count_nonzero(npu != cpu)) if npu.shape == cpu.shape else "all"
            problem = f"{differ} of {cpu.size} elements differ"
    if problem:
        print(f"FAIL case{i} ({desc}): {problem}")
        failed += 1
    else:
        print(f"ok   case{i} ({desc})")
        passed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
