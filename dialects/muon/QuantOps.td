//===- QuantOps.td - muon ops: quantization -----------------*- tablegen -*-===//
//
// Included by MuonOps.td. Quantized tensors have `!quant.uniform` element
// types (per tensor or per axis); their scales and zero points are part of
// the type, so these ops carry no attributes. Storage casts between a
// quantized tensor and its plain integer storage are upstream `quant.scast`.
// The arithmetic is documented in docs/quantization.md; verifiers are in
// QuantOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_QUANT_OPS_TD
#define MUON_QUANT_OPS_TD

def Muon_QuantizeOp : Muon_Op<"quantize", [Pure]> {
  let summary = "Float to 8-bit quantized: saturate(round(x / scale) + zero_point)";
  let description = [{
    ONNX QuantizeLinear: the division is a true division (not a multiply by
    the reciprocal) and rounds half to even; the sum saturates to the
    storage range ([-128, 127] for i8, [0, 255] for u8). The result type
    holds the scale and zero point, per tensor or per axis.
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Muon_DequantizeOp : Muon_Op<"dequantize", [Pure]> {
  let summary = "Quantized to float: (q - zero_point) * scale";
  let description = [{
    ONNX DequantizeLinear. The input's storage is 8 or 32 bits (int32 inputs
    are accumulators or biases); the result's element type is the expressed
    type of the input's quantized type.
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Muon_RequantizeOp : Muon_Op<"requantize", [Pure]> {
  let summary = "An int32 accumulator to 8 bits: Muon's shared requantization";
  let description = [{
    The input is an int32 accumulator of a product of quantized tensors,
    typed `!quant.uniform<i32:f32[:axis], s_in>` with zero point 0 (s_in =
    s_a * s_b, per axis for per-channel weights). The result is per tensor
    with 8-bit storage and scale s_out. The real multiplier s_in / s_out is
    applied as a Q31 fixed-point multiplier and a shift, exactly as
    `muon_requantize` in runtime/common/requant.h (SRDHM with gemmlowp's
    nudge, a rounding right shift with ties away from zero), then the zero
    point is added and the sum saturates to the storage range. Every target
    computes it bit-exactly; see docs/quantization.md.

    `clamp_min` and `clamp_max` are the fused activation of
    `muon_requantize`, in the result's storage terms: a Relu folded into the
    requantization is `clamp_min` = the zero point, a Clip its bounds
    quantized with the result's scale and zero point (exact, since clamping
    commutes with the monotone rounding). Absent bounds are the storage
    range.
  }];
  let arguments = (ins AnyRankedTensor:$input,
                   OptionalAttr<I64Attr>:$clamp_min,
                   OptionalAttr<I64Attr>:$clamp_max);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Muon_QuantizedAddOp : Muon_Op<"quantized_add", [Pure]> {
  let summary = "Element-wise Add of two 8-bit quantized tensors (TFLite's)";
  let description = [{
    The sum of two tensors of one shape, each 8-bit and quantized per
    tensor, to an 8-bit result quantized per tensor, in integers as TFLite's
    quantized Add computes it (docs/quantization-arithmetic.md, "Quantized
    Add"): each input minus its zero point is shifted left by 20 and brought
    to the common scale 2 max(s_lhs, s_rhs) / 2^20 by SRDHM and a rounding
    right shift, the two are added, and the sum is requantized to the
    result as `muon_requantize` does, with the fused activation clamp
    `clamp_min` / `clamp_max` (in the result's storage terms). The NPU
    computes the same thing bit for bit.
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs,
                   OptionalAttr<I64Attr>:$clamp_min,
                   OptionalAttr<I64Attr>:$clamp_max);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // MUON_QUANT_OPS_TD
