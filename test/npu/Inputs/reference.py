"""An independent numpy reference for the NPU tests: the quantized operators
computed directly from their definitions in int64, not by imitating the
simulator's loops. The two roundings are written here in their floor form
(docs/quantization-arithmetic.md), the C header in gemmlowp's nudge form."""
import numpy as np

I32_MIN, I32_MAX = -(1 << 31), (1 << 31) - 1


def sat32(x):
    return np.clip(x, I32_MIN, I32_MAX)


def srdhm(a, b):
    """a * b / 2^31 rounded to nearest, ties towards +inf, saturated."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    return sat32((a * b + (1 << 30)) >> 31)


def rounding_shift_right(y, s):
    """y / 2^s rounded to nearest, ties away from zero; s clamped to [0, 31]."""
    y = np.asarray(y, np.int64)
    s = np.clip(np.asarray(s, np.int64), 0, 31)
    half = np.where(s > 0, np.left_shift(1, np.maximum(s - 1, 0)), 0)
    return np.sign(y) * ((np.abs(y) + half) >> s)


def saturating_shift_left(x, s):
    s = np.clip(np.asarray(s, np.int64), 0, 31)
    return sat32(np.asarray(x, np.int64) * np.left_shift(np.int64(1), s))


def requantize(acc, bias, multiplier, shift, zero_point, lo=-128, hi=127):
    shift = np.clip(np.asarray(shift, np.int64), -31, 31)
    x = sat32(np.asarray(acc, np.int64) + np.asarray(bias, np.int64))
    x = saturating_shift_left(x, np.maximum(-shift, 0))
    y = srdhm(x, multiplier)
    y = rounding_shift_right(y, np.maximum(shift, 0))
    z = y + np.asarray(zero_point, np.int64)
    z = np.minimum(np.maximum(z, lo), hi)
    return np.clip(z, -128, 127).astype(np.int8)


def quantize(x, scale, zero_point):
    """ONNX QuantizeLinear in float32: round half to even."""
    q = np.rint(np.asarray(x, np.float32) / np.float32(scale)) + zero_point
    return np.clip(q, -128, 127).astype(np.int8)


def dequantize(q, scale, zero_point):
    return (q.astype(np.int32) - zero_point).astype(np.float32) * np.float32(scale)


def quantize_multiplier(real):
    """real > 0 -> (Q31 multiplier, shift) with real = m * 2^-31 * 2^-shift."""
    shift = 0
    while real < 0.5:
        real *= 2
        shift += 1
    while real >= 1.0:
        real /= 2
        shift -= 1
    m = int(round(real * (1 << 31)))
    if m == 1 << 31:
        m //= 2
        shift -= 1
    return m, shift


def conv2d(x, x_zp, w, stride, pad):
    """x: int8 NCHW, w: int8 [Cout, Cin, kh, kw] -> int64 accumulators of
    sum((x - x_zp) * w), padding contributing 0."""
    n, c, h, wd = x.shape
    cout, _, kh, kw = w.shape
    xs = np.zeros((n, c, h + 2 * pad, wd + 2 * pad), np.int64)
    xs[:, :, pad:pad + h, pad:pad + wd] = x.astype(np.int64) - x_zp
    ho = (h + 2 * pad - kh) // stride + 1
    wo = (wd + 2 * pad - kw) // stride + 1
    out = np.zeros((n, cout, ho, wo), np.int64)
    for dy in range(kh):
        for dx in range(kw):
            patch = xs[:, :, dy:dy + stride * ho:stride, dx:dx + stride * wo:stride]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, dy, dx].astype(np.int64))
    return out


def max_pool(x, k, stride, pad):
    n, c, h, wd = x.shape
    xs = np.full((n, c, h + 2 * pad, wd + 2 * pad), -128, np.int64)
    xs[:, :, pad:pad + h, pad:pad + wd] = x
    ho = (h + 2 * pad - k) // stride + 1
    wo = (wd + 2 * pad - k) // stride + 1
    out = np.full((n, c, ho, wo), -(1 << 40), np.int64)
    for dy in range(k):
        for dx in range(k):
            out = np.maximum(out, xs[:, :, dy:dy + stride * ho:stride, dx:dx + stride * wo:stride])
    return out.astype(np.int8)
