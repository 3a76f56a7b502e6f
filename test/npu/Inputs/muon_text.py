"""The pieces of muon MLIR text that the int8 test-model generators of this
directory write: dense constants and quantized element types."""
import numpy as np


def dense(values, type_):
    """A dense<...> attribute of `values` with type `type_`."""
    text = np.array2string(np.asarray(values), separator=", ", threshold=1 << 30,
                           max_line_width=1 << 30)
    return f"dense<{text}> : {type_}"


def per_axis(scales, axis, storage="i8"):
    """A per-axis quantized type along `axis`, zero points 0."""
    return f"!quant.uniform<{storage}:f32:{axis}, {{" + ", ".join(repr(s) for s in scales) + "}>"


def q8(scale, zp, storage="i8"):
    """A per-tensor quantized type."""
    return f"!quant.uniform<{storage}:f32, {scale}:{zp}>"
