#!/usr/bin/python3
"""Hand-written NPU programs for the tests, with their expected outputs.

  programs.py NAME OUTDIR     writes OUTDIR/model.npub (and the same program in
                              the npu dialect, OUTDIR/model.mlir), its inputs (*.npy) and
                              OUTDIR/expected_*.npy from reference.py
  programs.py all OUTDIR      every program into OUTDIR/NAME/

Each program is what the compiler target will emit for one operator, laid out
as docs/npu-isa.md describes (activations NHWC in DRAM with channels padded to
a multiple of BLOCK; weights pre-tiled in WBUF entry order). Seeded.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "targets", "npu"))
sys.path.insert(0, HERE)
from npub import Program, default_config  # noqa: E402
import reference as ref  # noqa: E402

IDENTITY_MULTIPLIER = (1 << 31) - 1


def blocks(n, block):
    return (n + block - 1) // block


def weight_entries(w, block):
    """w: [Cout, taps, Cin] -> bytes of WBUF entries [ob][tap][cb], each
    [output lane][input lane], zero-padded."""
    cout, taps, cin = w.shape
    ob, cb = blocks(cout, block), blocks(cin, block)
    padded = np.zeros((ob * block, taps, cb * block), np.int8)
    padded[:cout, :, :cin] = w
    return padded.reshape(ob, block, taps, cb, block).transpose(0, 2, 3, 1, 4).tobytes()


def param_entries(bias, multiplier, shift, zero_point, block):
    """Per-channel parameters -> PBUF entries [ob][lane]{bias, mult, shift, zp}."""
    c = len(bias)
    table = np.zeros((blocks(c, block) * block, 4), np.int64)
    table[:c, 0], table[:c, 1], table[:c, 2], table[:c, 3] = bias, multiplier, shift, zero_point
    return table.astype("<i4").tobytes()


def nhwc_strides(c, h, w, block):
    cp = blocks(c, block) * block
    return [h * w * cp, 1, w * cp, cp], h * w * cp


def save(outdir, name, array):
    np.save(os.path.join(outdir, name), array)


def gemm_program(outdir, rng, m=5, k=40, n=24, extreme=False, block=16):
    """Y[m, n] = requant(X[m, k] . W[n, k]^T + b): a GEMM tile, per-channel
    requantization. `extreme` draws weights and parameters at the edges of
    their ranges (saturation, large shifts, left shifts)."""
    p = Program(default_config(block=block))
    x = rng.integers(-128, 128, (m, k), dtype=np.int8)
    x_zp = int(rng.integers(-20, 20))
    if extreme:
        w = rng.choice(np.array([-128, -127, 127, 0, 1, -1], np.int8), (n, k))
        bias = rng.choice([ref.I32_MIN, ref.I32_MAX, 0, 123456, -(1 << 24)], n)
        mult = rng.choice([0, 1, IDENTITY_MULTIPLIER, 1 << 30, -(1 << 31), 1518500250,
                           int(rng.integers(1 << 30, 1 << 31))], n)
        shift = rng.choice([-40, -31, -3, -1, 0, 1, 7, 20, 31, 45], n)
        zp = rng.integers(-128, 128, n)
        clamp = (-100, 90)
    else:
        w = rng.integers(-127, 128, (n, k), dtype=np.int8)
        bias = rng.integers(-5000, 5000, n)
        mult = rng.integers(1 << 30, 1 << 31, n)
        shift = rng.integers(6, 12, n)
        zp = np.full(n, int(rng.integers(-10, 10)))
        clamp = (-128, 127)
    kb, ob = blocks(k, block), blocks(n, block)
    # Bias folding: the array multiplies raw int8, so subtract x_zp * sum(w).
    folded = np.clip(bias.astype(np.int64) - x_zp * w.astype(np.int64).sum(1), ref.I32_MIN, ref.I32_MAX)
    wo = p.constant(weight_entries(w.reshape(n, 1, k), block))
    po = p.constant(param_entries(folded, mult, shift, zp, block))
    xr = p.region("input", m * k)
    yr = p.region("output", m * ob * block)
    p.tensor("x", xr, [m, k], [k, 1], scale=0.05, zero_point=x_zp)
    p.tensor("y", yr, [m, n], [ob * block, 1], scale=0.1, zero_point=0)
    # IBUF holds [k block][row]: one LOAD per k block, the last one partial.
    for b in range(kb):
        p.emit("LOAD", buffer="IBUF", dst=b * m, dst_stride=1, region=xr, dram_offset=b * block,
               rows=m, cols=1, row_stride=k, elem_bytes=min(block, k - b * block),
               elem_stride=block, pad_value=x_zp)
    p.emit("LOAD", buffer="WBUF", dst=0, dst_stride=ob * kb, region=0, dram_offset=wo, rows=1,
           cols=ob * kb, elem_bytes=block * block, elem_stride=block * block)
    p.emit("LOAD", buffer="PBUF", dst=0, dst_stride=ob, region=0, dram_offset=po, rows=1,
           cols=ob, elem_bytes=16 * block, elem_stride=16 * block, push_next=1)
    for o in range(ob):
        p.emit("GEMM", pop_prev=int(o == 0), reset=1, acc=o * m, inp=0, wgt=o * kb, n0=1, n1=m,
               k0=1, k1=kb, acc_s1=1, inp_s1=1, inp_r1=m, wgt_r1=1)
    p.emit("REQUANT", acc=0, out=0, param=0, n0=ob, n1=m, acc_s0=m, acc_s1=1, out_s0=1,
           out_s1=ob, param_s0=1, clamp_min=clamp[0], clamp_max=clamp[1], push_next=1)
    p.emit("STORE", pop_prev=1, src=0, region=yr, rows=m, cols=ob, row_stride=ob * block,
           elem_bytes=block, elem_stride=block)
    p.emit("FINISH")
    raw = x.astype(np.int64) @ w.astype(np.int64).T
    if extreme:
        # Saturating biases: sat32(acc + bias) differs before and after the
        # fold, so check the arithmetic on the bias the program carries.
        y = ref.requantize(raw, folded, mult, shift, zp, *clamp)
    else:
        y = ref.requantize(raw - x_zp * w.astype(np.int64).sum(1), bias, mult, shift, zp, *clamp)
    save(outdir, "x.npy", x)
    save(outdir, "expected_y.npy", y)
    return p


def conv_program(outdir, rng, h=6, w=7, cin=20, cout=24, k=3, stride=1, pad=1, block=16):
    """A k x k convolution with padding, ReLU, one tile: one LOAD of the
    padded input, one GEMM per output channel block, one REQUANT, one STORE."""
    p = Program(default_config(block=block))
    x = rng.integers(-128, 128, (1, cin, h, w), dtype=np.int8)
    wt = rng.integers(-127, 128, (cout, cin, k, k), dtype=np.int8)
    x_zp, y_zp = int(rng.integers(-30, 30)), int(rng.integers(-30, 30))
    bias = rng.integers(-20000, 20000, cout)
    mult = rng.integers(1 << 30, 1 << 31, cout)
    shift = rng.integers(9, 13, cout)
    cb, ob = blocks(cin, block), blocks(cout, block)
    ho, wo = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    folded = bias - x_zp * wt.astype(np.int64).sum((1, 2, 3))
    # Weights [Cout][ky][kx][Cin] -> entries [ob][ky][kx][cb].
    w_off = p.constant(weight_entries(wt.transpose(0, 2, 3, 1).reshape(cout, k * k, cin), block))
    p_off = p.constant(param_entries(folded, mult, shift, np.full(cout, y_zp), block))
    xs, xbytes = nhwc_strides(cin, h, w, block)
    ys, ybytes = nhwc_strides(cout, ho, wo, block)
    xr, yr = p.region("input", xbytes), p.region("output", ybytes)
    p.tensor("x", xr, [1, cin, h, w], xs, scale=0.02, zero_point=x_zp)
    p.tensor("y", yr, [1, cout, ho, wo], ys, scale=0.05, zero_point=y_zp)
    row = (w + 2 * pad) * cb  # IBUF entries per padded input row
    p.emit("LOAD", buffer="IBUF", dst=0, dst_stride=row, region=xr, rows=h, cols=w * cb,
           row_stride=w * cb * block, elem_bytes=block, elem_stride=block, pad_top=pad,
           pad_bottom=pad, pad_left=pad * cb, pad_right=pad * cb, pad_value=x_zp)
    p.emit("LOAD", buffer="WBUF", dst=0, dst_stride=0, region=0, dram_offset=w_off, rows=1,
           cols=ob * k * k * cb, elem_bytes=block * block, elem_stride=block * block)
    p.emit("LOAD", buffer="PBUF", dst=0, dst_stride=0, region=0, dram_offset=p_off, rows=1,
           cols=ob, elem_bytes=16 * block, elem_stride=16 * block, push_next=1)
    for o in range(ob):
        p.emit("GEMM", pop_prev=int(o == 0), reset=1, acc=o * ho * wo, inp=0, wgt=o * k * k * cb,
               n0=ho, n1=wo, k0=k, k1=k * cb, acc_s0=wo, acc_s1=1, inp_s0=stride * row,
               inp_s1=stride * cb, inp_r0=row, inp_r1=1, wgt_r0=k * cb, wgt_r1=1)
    # OBUF as [pixel][ob], the NHWC order STORE writes.
    p.emit("REQUANT", acc=0, out=0, param=0, n0=ob, n1=ho * wo, acc_s0=ho * wo, acc_s1=1,
           out_s0=1, out_s1=ob, param_s0=1, clamp_min=y_zp, clamp_max=127, push_next=1)
    p.emit("STORE", pop_prev=1, src=0, region=yr, rows=ho, cols=wo * ob,
           row_stride=wo * ob * block, elem_bytes=block, elem_stride=block)
    p.emit("FINISH")
    acc = ref.conv2d(x, x_zp, wt, stride, pad)
    y = ref.requantize(acc, bias[None, :, None, None], mult[None, :, None, None],
                       shift[None, :, None, None], y_zp, y_zp, 127)
    save(outdir, "x.npy", x)
    save(outdir, "expected_y.npy", y)
    return p


def conv_tiled_program(outdir, rng, h=12, w=8, cin=16, cout=16, tile_rows=4, block=16):
    """A 3x3 convolution (padding 1, stride 1) in tiles of `tile_rows` output
    rows, double-buffered: IBUF, ACC and OBUF each hold two tiles, and the
    tokens let the load of tile t + 2 wait only for the GEMM of tile t and
    the REQUANT of tile t wait only for the STORE of tile t - 2, so loads,
    compute and stores of neighbouring tiles overlap."""
    p = Program(default_config(block=block))
    x = rng.integers(-128, 128, (1, cin, h, w), dtype=np.int8)
    wt = rng.integers(-127, 128, (cout, cin, 3, 3), dtype=np.int8)
    x_zp, y_zp = int(rng.integers(-30, 30)), int(rng.integers(-30, 30))
    bias = rng.integers(-20000, 20000, cout)
    mult = rng.integers(1 << 30, 1 << 31, cout)
    shift = rng.integers(9, 13, cout)
    cb, ob = blocks(cin, block), blocks(cout, block)
    folded = bias - x_zp * wt.astype(np.int64).sum((1, 2, 3))
    w_off = p.constant(weight_entries(wt.transpose(0, 2, 3, 1).reshape(cout, 9, cin), block))
    p_off = p.constant(param_entries(folded, mult, shift, np.full(cout, y_zp), block))
    xs, xbytes = nhwc_strides(cin, h, w, block)
    ys, ybytes = nhwc_strides(cout, h, w, block)
    xr, yr = p.region("input", xbytes), p.region("output", ybytes)
    p.tensor("x", xr, [1, cin, h, w], xs, scale=0.02, zero_point=x_zp)
    p.tensor("y", yr, [1, cout, h, w], ys, scale=0.05, zero_point=y_zp)
    row = (w + 2) * cb                       # IBUF entries per padded input row
    in_tile = (tile_rows + 2) * row          # IBUF entries per input tile
    out_tile = tile_rows * w * ob            # ACC / OBUF entries per output tile
    tiles = h // tile_rows
    assert h % tile_rows == 0 and ob == 1
    p.emit("LOAD", buffer="WBUF", dst=0, dst_stride=0, region=0, dram_offset=w_off, rows=1,
           cols=9 * cb, elem_bytes=block * block, elem_stride=block * block)
    p.emit("LOAD", buffer="PBUF", dst=0, dst_stride=0, region=0, dram_offset=p_off, rows=1,
           cols=1, elem_bytes=16 * block, elem_stride=16 * block)

    def load_input(t):
        first, last = max(t * tile_rows - 1, 0), min((t + 1) * tile_rows, h - 1)
        # The weights load before tile 0 on the same in-order stage, so
        # tile 0's token also says the weights are in.
        p.emit("LOAD", pop_next=int(t >= 2), push_next=1, buffer="IBUF", dst=(t % 2) * in_tile,
               dst_stride=row, region=xr, dram_offset=first * w * cb * block,
               rows=last - first + 1, cols=w * cb, row_stride=w * cb * block, elem_bytes=block,
               elem_stride=block, pad_top=int(t == 0), pad_bottom=int(t == tiles - 1),
               pad_left=cb, pad_right=cb, pad_value=x_zp)

    load_input(0)
    load_input(1)
    for t in range(tiles):
        b = t % 2
        p.emit("GEMM", pop_prev=1, push_prev=int(t + 2 < tiles), reset=1, acc=b * out_tile,
               inp=b * in_tile, wgt=0, n0=tile_rows, n1=w, k0=3, k1=3 * cb, acc_s0=w, acc_s1=1,
               inp_s0=row, inp_s1=cb, inp_r0=row, inp_r1=1, wgt_r0=3 * cb, wgt_r1=1)
        p.emit("REQUANT", pop_next=int(t >= 2), push_next=1, acc=b * out_tile, out=b * out_tile,
               param=0, n0=1, n1=out_tile, acc_s1=1, out_s1=1, clamp_min=-128, clamp_max=127)
        p.emit("STORE", pop_prev=1, push_prev=int(t + 2 < tiles), src=b * out_tile, region=yr,
               dram_offset=t * tile_rows * w * ob * block, rows=tile_rows, cols=w * ob,
               row_stride=w * ob * block, elem_bytes=block, elem_stride=block)
        if t + 2 < tiles:
            load_input(t + 2)
    p.emit("FINISH")
    acc = ref.conv2d(x, x_zp, wt, 1, 1)
    y = ref.requantize(acc, bias[None, :, None, None], mult[None, :, None, None],
                       shift[None, :, None, None], y_zp)
    save(outdir, "x.npy", x)
    save(outdir, "expected_y.npy", y)
    return p


def maxpool_program(outdir, rng, c=20, h=8, w=8, k=3, stride=2, pad=1, block=16):
    """MaxPool k x k, stride, padding: LOAD into ACC padded with -128, one
    POOL per channel block, an identity REQUANT, STORE."""
    p = Program(default_config(block=block))
    x = rng.integers(-128, 128, (1, c, h, w), dtype=np.int8)
    cb = blocks(c, block)
    ho, wo = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    p_off = p.constant(param_entries([0] * block, [IDENTITY_MULTIPLIER] * block, [0] * block,
                                     [0] * block, block))
    xs, xbytes = nhwc_strides(c, h, w, block)
    ys, ybytes = nhwc_strides(c, ho, wo, block)
    xr, yr = p.region("input", xbytes), p.region("output", ybytes)
    p.tensor("x", xr, [1, c, h, w], xs, scale=0.1, zero_point=5)
    p.tensor("y", yr, [1, c, ho, wo], ys, scale=0.1, zero_point=5)
    row = (w + 2 * pad) * cb
    out = (h + 2 * pad) * row  # ACC entry where the pooled outputs go
    p.emit("LOAD", buffer="ACC", dst=0, dst_stride=row, region=xr, rows=h, cols=w * cb,
           row_stride=w * cb * block, elem_bytes=block, elem_stride=block, pad_top=pad,
           pad_bottom=pad, pad_left=pad * cb, pad_right=pad * cb, pad_value=-128)
    p.emit("LOAD", buffer="PBUF", dst=0, dst_stride=0, region=0, dram_offset=p_off, rows=1,
           cols=1, elem_bytes=16 * block, elem_stride=16 * block, push_next=1)
    for b in range(cb):
        p.emit("POOL", pop_prev=int(b == 0), op="MAX", dst=out + b, src=b, n0=ho, n1=wo,
               win_h=k, win_w=k, dst_s0=wo * cb, dst_s1=cb, src_s0=stride * row,
               src_s1=stride * cb, win_s0=row, win_s1=cb)
    p.emit("REQUANT", acc=out, out=0, param=0, n0=1, n1=ho * wo * cb, acc_s1=1, out_s1=1,
           clamp_min=-128, clamp_max=127, push_next=1)
    p.emit("STORE", pop_prev=1, src=0, region=yr, rows=ho, cols=wo * cb,
           row_stride=wo * cb * block, elem_bytes=block, elem_stride=block)
    p.emit("FINISH")
    save(outdir, "x.npy", x)
    save(outdir, "expected_y.npy", ref.max_pool(x, k, stride, pad))
    return p


def avgpool_program(outdir, rng, c=16, h=4, w=4, block=16):
    """GlobalAveragePool: POOL SUM over the whole image, then REQUANT with
    the 1/(h*w) and the scale change in the multiplier, -zp*h*w as bias."""
    p = Program(default_config(block=block))
    x = rng.integers(-128, 128, (1, c, h, w), dtype=np.int8)
    x_zp, y_zp, sx, sy = 7, -3, 0.1, 0.07
    mult, shift = ref.quantize_multiplier(sx / sy / (h * w))
    bias = -x_zp * h * w
    p_off = p.constant(param_entries([bias] * c, [mult] * c, [shift] * c, [y_zp] * c, block))
    xs, xbytes = nhwc_strides(c, h, w, block)
    ys, ybytes = nhwc_strides(c, 1, 1, block)
    xr, yr = p.region("input", xbytes), p.region("output", ybytes)
    p.tensor("x", xr, [1, c, h, w], xs, scale=sx, zero_point=x_zp)
    p.tensor("y", yr, [1, c, 1, 1], ys, scale=sy, zero_point=y_zp)
    p.emit("LOAD", buffer="ACC", dst=0, dst_stride=w, region=xr, rows=h, cols=w,
           row_stride=w * block, elem_bytes=block, elem_stride=block)
    p.emit("LOAD", buffer="PBUF", dst=0, dst_stride=0, region=0, dram_offset=p_off, rows=1,
           cols=1, elem_bytes=16 * block, elem_stride=16 * block, push_next=1)
    p.emit("POOL", pop_prev=1, op="SUM", dst=h * w, src=0, n0=1, n1=1, win_h=h, win_w=w,
           win_s0=w, win_s1=1)
    p.emit("REQUANT", acc=h * w, out=0, param=0, n0=1, n1=1, clamp_min=-128, clamp_max=127,
           push_next=1)
    p.emit("STORE", pop_prev=1, src=0, region=yr, rows=1, cols=1, row_stride=block,
           elem_bytes=block, elem_stride=block)
    p.emit("FINISH")
    total = x.astype(np.int64).sum((2, 3), keepdims=True)
    y = ref.requantize(total, bias, mult, shift, y_zp)
    exact = (x.astype(np.float64) - x_zp).mean((2, 3), keepdims=True) * sx / sy + y_zp
    assert np.abs(y - exact).max() <= 0.5 + 1e-9, "average pool off by more than rounding"
    save(outdir, "x.npy", x)
    save(outdir, "expected_y.npy", y)
    return p


def add_program(outdir, rng, n=40, block=16):
    """Quantized Add of two tensors with different scales, TFLite's
    algorithm on the ALU: (q - zp) << 20, scaled to a common scale by MULQ
    and SHR, added, requantized."""
    p = Program(default_config(block=block))
    a = rng.integers(-128, 128, (1, n), dtype=np.int8)
    b = rng.integers(-128, 128, (1, n), dtype=np.int8)
    sa, za, sb, zb, sy, zy = 0.05, 3, 0.02, -7, 0.06, 2
    left = 20
    twice_max = 2 * max(sa, sb)
    ma, sha = ref.quantize_multiplier(sa / twice_max)
    mb, shb = ref.quantize_multiplier(sb / twice_max)
    my, shy = ref.quantize_multiplier(twice_max / ((1 << left) * sy))
    e = blocks(n, block)
    p_off = p.constant(param_entries([0] * block, [my] * block, [shy] * block, [zy] * block, block))
    ar, br, yr = p.region("input", e * block), p.region("input", e * block), p.region("output", e * block)
    p.tensor("a", ar, [1, n], [e * block, 1], scale=sa, zero_point=za)
    p.tensor("b", br, [1, n], [e * block, 1], scale=sb, zero_point=zb)
    p.tensor("y", yr, [1, n], [e * block, 1], scale=sy, zero_point=zy)
    for i, r in enumerate((ar, br)):
        p.emit("LOAD", buffer="ACC", dst=i * e, dst_stride=e, region=r, rows=1, cols=e,
               row_stride=e * block, elem_bytes=block, elem_stride=block)
    p.emit("LOAD", buffer="PBUF", dst=0, dst_stride=1, region=0, dram_offset=p_off, rows=1,
           cols=1, elem_bytes=16 * block, elem_stride=16 * block, push_next=1)
    first = True
    for base, zp, m, sh in ((0, za, ma, sha), (e, zb, mb, shb)):
        for op, imm in (("ADD", -zp), ("SHL", left), ("MULQ", m), ("SHR", sh)):
            p.emit("ALU", pop_prev=int(first), op=op, use_imm=1, dst=base, n0=1, n1=e, dst_s1=1,
                   imm=imm)
            first = False
    p.emit("ALU", op="ADD", dst=0, src=e, n0=1, n1=e, dst_s1=1, src_s1=1)
    p.emit("REQUANT", acc=0, out=0, param=0, n0=1, n1=e, acc_s1=1, out_s1=1, clamp_min=-128,
           clamp_max=127, push_next=1)
    p.emit("STORE", pop_prev=1, src=0, region=yr, rows=1, cols=e, row_stride=e * block,
           elem_bytes=block, elem_stride=block)
    p.emit("FINISH")

    def scaled(q, zp, m, sh):
        v = ref.saturating_shift_left(q.astype(np.int64) - zp, left)
        return ref.rounding_shift_right(ref.srdhm(v, m), sh)

    y = ref.requantize(scaled(a, za, ma, sha) + scaled(b, zb, mb, shb), 0, my, shy, zy)
    exact = ((a - za) * sa + (b - zb) * sb) / sy + zy
    assert np.abs(y - np.clip(exact, -128, 127)).max() <= 0.5 + 1e-3, "add off by more than rounding"
    save(outdir, "a.npy", a)
    save(outdir, "b.npy", b)
    save(outdir, "expected_y.npy", y)
    return p


def alu_program(outdir, rng, block=16):
    """Every ALU operation, with immediates and with ACC operands (a shift
    count per lane from input s), in two chains: one that keeps values in a
    range the output shows, one through int32 saturation and the clamped
    shift counts."""
    p = Program(default_config(block=block))
    e = 4
    n = e * block
    x = rng.integers(-128, 128, (1, n), dtype=np.int8)
    s = rng.integers(-40, 40, (1, n), dtype=np.int8)
    p_off = p.constant(param_entries([77] * block, [1 << 30] * block, [10] * block, [-5] * block, block))
    xr, sr, yr = p.region("input", n), p.region("input", n), p.region("output", 2 * n)
    p.tensor("x", xr, [1, n], scale=1.0, zero_point=0)
    p.tensor("s", sr, [1, n], scale=1.0, zero_point=0)
    p.tensor("y", yr, [1, 2 * n], scale=1.0, zero_point=0)
    p.emit("LOAD", buffer="ACC", dst=0, dst_stride=e, region=xr, rows=1, cols=e,
           row_stride=n, elem_bytes=block, elem_stride=block)
    p.emit("LOAD", buffer="ACC", dst=e, dst_stride=e, region=sr, rows=1, cols=e,
           row_stride=n, elem_bytes=block, elem_stride=block)
    p.emit("LOAD", buffer="PBUF", dst=0, dst_stride=1, region=0, dram_offset=p_off, rows=1,
           cols=1, elem_bytes=16 * block, elem_stride=16 * block, push_next=1)
    xv, sv = x.astype(np.int64)[0], s.astype(np.int64)[0]
    a, b = 2 * e, 3 * e  # the two work areas
    # (area, op, immediate or None, source area for a register operand)
    steps = [(a, "MOV", None, 0), (a, "ADD", 1000, None), (a, "SHL", 21, None),
             (a, "MULQ", 1518500250, None), (a, "ADD", None, 0), (a, "MAX", 1200000000, None),
             (a, "SHR", None, e), (a, "MULQ", 1 << 20, None),
             (b, "MOV", None, 0), (b, "SHL", 40, None), (b, "MULQ", -(1 << 31), None),
             (b, "SHR", 3, None), (b, "ADD", (1 << 31) - 1, None), (b, "MIN", None, a),
             (b, "MAX", -(1 << 30), None), (b, "SHL", None, e), (b, "MULQ", 1 << 28, None)]
    values = {0: xv, e: sv}
    for i, (dst, op, imm, src) in enumerate(steps):
        fields = dict(pop_prev=int(i == 0), op=op, dst=dst, n0=1, n1=e, dst_s1=1)
        if imm is not None:
            fields.update(use_imm=1, imm=imm)
            operand = np.int64(imm)
        else:
            fields.update(src=src, src_s1=1)
            operand = values[src]
        p.emit("ALU", **fields)
        v = values.get(dst, np.zeros(n, np.int64))
        v = {"MOV": lambda: np.broadcast_to(operand, v.shape).copy(),
             "ADD": lambda: ref.sat32(v + operand),
             "MAX": lambda: np.maximum(v, operand),
             "MIN": lambda: np.minimum(v, operand),
             "SHL": lambda: ref.saturating_shift_left(v, operand),
             "SHR": lambda: ref.rounding_shift_right(v, operand),
             "MULQ": lambda: ref.srdhm(v, operand)}[op]()
        values[dst] = v
    p.emit("REQUANT", acc=a, out=0, param=0, n0=1, n1=2 * e, acc_s1=1, out_s1=1,
           clamp_min=-128, clamp_max=127, push_next=1)
    p.emit("STORE", pop_prev=1, src=0, region=yr, rows=1, cols=2 * e, row_stride=2 * n,
           elem_bytes=block, elem_stride=block)
    p.emit("FINISH")
    y = ref.requantize(np.concatenate([values[a], values[b]]), 77, 1 << 30, 10, -5)
    save(outdir, "x.npy", x)
    save(outdir, "s.npy", s)
    save(outdir, "expected_y.npy", y[None, :])
    return p


def mlp_program(outdir, rng, sizes=(30, 64, 10), block=16):
    """A 2-layer MLP (ReLU between), float32 in and out: the hidden
    activations go to a workspace region and come back (STORE -> SYNC ->
    LOAD), each layer marked for the statistics."""
    p = Program(default_config(block=block))
    k0, hdim, nout = sizes
    x = rng.normal(0, 1, (1, k0)).astype(np.float32)
    sx, zx, sh, zh, sy, zy = 0.03, 4, 0.05, -128, 0.08, 1
    w1 = rng.integers(-127, 128, (hdim, k0), dtype=np.int8)
    w2 = rng.integers(-127, 128, (nout, hdim), dtype=np.int8)
    sw1, sw2 = 0.004, 0.003
    b1 = rng.integers(-3000, 3000, hdim)
    b2 = rng.integers(-3000, 3000, nout)
    m1, s1 = ref.quantize_multiplier(sx * sw1 / sh)
    m2, s2 = ref.quantize_multiplier(sh * sw2 / sy)
    kb1, ob1, kb2, ob2 = blocks(k0, block), blocks(hdim, block), blocks(hdim, block), blocks(nout, block)
    f1 = b1 - zx * w1.astype(np.int64).sum(1)
    f2 = b2 - zh * w2.astype(np.int64).sum(1)
    w1o = p.constant(weight_entries(w1.reshape(hdim, 1, k0), block))
    w2o = p.constant(weight_entries(w2.reshape(nout, 1, hdim), block))
    p1o = p.constant(param_entries(f1, [m1] * hdim, [s1] * hdim, [zh] * hdim, block))
    p2o = p.constant(param_entries(f2, [m2] * nout, [s2] * nout, [zy] * nout, block))
    xr = p.region("input", kb1 * block)
    hr = p.region("workspace", ob1 * block)
    yr = p.region("output", nout)
    p.tensor("x", xr, [1, k0], [kb1 * block, 1], scale=sx, zero_point=zx)
    p.tensor("y", yr, [1, nout], [nout, 1], scale=sy, zero_point=zy)

    p.layer("fc1")
    p.emit("LOAD", buffer="IBUF", dst=0, dst_stride=kb1, region=xr, rows=1, cols=kb1,
           row_stride=kb1 * block, elem_bytes=block, elem_stride=block)
    p.emit("LOAD", buffer="WBUF", dst=0, dst_stride=0, region=0, dram_offset=w1o, rows=1,
           cols=ob1 * kb1, elem_bytes=block * block, elem_stride=block * block)
    p.emit("LOAD", buffer="PBUF", dst=0, dst_stride=0, region=0, dram_offset=p1o, rows=1,
           cols=ob1, elem_bytes=16 * block, elem_stride=16 * block, push_next=1)
    for o in range(ob1):
        p.emit("GEMM", pop_prev=int(o == 0), reset=1, acc=o, inp=0, wgt=o * kb1, n0=1, n1=1,
               k0=1, k1=kb1, inp_r1=1, wgt_r1=1)
    p.emit("REQUANT", acc=0, out=0, param=0, n0=ob1, n1=1, acc_s0=1, out_s0=1, param_s0=1,
           clamp_min=zh, clamp_max=127, push_next=1)
    p.emit("STORE", pop_prev=1, push_prev=1, src=0, region=hr, rows=1, cols=ob1,
           row_stride=ob1 * block, elem_bytes=block, elem_stride=block)

    p.layer("fc2")
    # The hidden activations must be in DRAM before the load reads them.
    p.emit("SYNC", stage="COMPUTE", pop_next=1, push_prev=1)
    p.emit("LOAD", pop_next=1, buffer="IBUF", dst=0, dst_stride=kb2, region=hr, rows=1,
           cols=kb2, row_stride=kb2 * block, elem_bytes=block, elem_stride=block)
    p.emit("LOAD", buffer="WBUF", dst=64, dst_stride=0, region=0, dram_offset=w2o, rows=1,
           cols=ob2 * kb2, elem_bytes=block * block, elem_stride=block * block)
    p.emit("LOAD", buffer="PBUF", dst=8, dst_stride=0, region=0, dram_offset=p2o, rows=1,
           cols=ob2, elem_bytes=16 * block, elem_stride=16 * block, push_next=1)
    p.emit("GEMM", pop_prev=1, reset=1, acc=16, inp=0, wgt=64, n0=1, n1=1, k0=1, k1=kb2,
           inp_r1=1, wgt_r1=1)
    p.emit("REQUANT", acc=16, out=0, param=8, n0=1, n1=1, clamp_min=-128, clamp_max=127,
           push_next=1)
    p.emit("STORE", pop_prev=1, src=0, region=yr, rows=1, cols=1, row_stride=nout,
           elem_bytes=nout, elem_stride=nout)
    p.emit("FINISH")

    xq = ref.quantize(x, sx, zx).astype(np.int64)
    h = ref.requantize((xq - zx) @ w1.astype(np.int64).T, b1, m1, s1, zh, zh, 127)
    y = ref.requantize((h.astype(np.int64) - zh) @ w2.astype(np.int64).T, b2, m2, s2, zy)
    save(outdir, "x.npy", x)
    save(outdir, "expected_y.npy", ref.dequantize(y, sy, zy))
    save(outdir, "expected_y_int8.npy", y)
    return p


PROGRAMS = {
    "gemm": lambda d, r: gemm_program(d, r),
    "requant": lambda d, r: gemm_program(d, r, m=4, k=256, n=32, extreme=True),
    "conv3x3": lambda d, r: conv_program(d, r),
    "conv3x3-stride2": lambda d, r: conv_program(d, r, h=9, w=8, cin=16, cout=40, stride=2),
    "conv5x5-block8": lambda d, r: conv_program(d, r, h=7, w=5, cin=12, cout=10, k=5, pad=2,
                                                block=8),
    "conv3x3-tiled": lambda d, r: conv_tiled_program(d, r),
    "maxpool": lambda d, r: maxpool_program(d, r),
    "avgpool": lambda d, r: avgpool_program(d, r),
    "add": lambda d, r: add_program(d, r),
    "alu": lambda d, r: alu_program(d, r),
    "mlp": lambda d, r: mlp_program(d, r),
}


def build(name, outdir):
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(sum(map(ord, name)))
    program = PROGRAMS[name](outdir, rng)
    with open(os.path.join(outdir, "model.npub"), "wb") as f:
        f.write(program.to_bytes())
    with open(os.path.join(outdir, "model.mlir"), "w") as f:
        f.write(program.to_mlir())


def main():
    if len(sys.argv) != 3 or (sys.argv[1] not in PROGRAMS and sys.argv[1] != "all"):
        sys.exit(f"usage: programs.py {{{'|'.join(PROGRAMS)}|all}} OUTDIR")
    name, outdir = sys.argv[1], sys.argv[2]
    for n in (PROGRAMS if name == "all" else [name]):
        build(n, os.path.join(outdir, n) if name == "all" else outdir)


if __name__ == "__main__":
    main()
