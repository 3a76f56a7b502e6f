#ifndef MUON_PASSES_TD
#define MUON_PASSES_TD

include "mlir/Pass/PassBase.td"

def MuonFoldBatchNorm : Pass<"muon-fold-batchnorm", "mlir::func::FuncOp"> {
  let summary = "Fold inference BatchNormalization into the preceding Conv or Gemm";
  let description = [{
    conv(x, W, b) -> batch_norm(scale, bias, mean, var, eps)  becomes
    conv(x, W * s, (b - mean) * s + bias)  with  s = scale / sqrt(var + eps),
    s applied per output channel. Gemm (without transB, or with) folds the
    same way over its N columns. Applies only when the weights, the bias and
    the BatchNorm parameters are f32 constants and the producer has no other
    user.
  }];
}

def MuonConstantFold : Pass<"muon-constant-fold", "mlir::func::FuncOp"> {
  let summary = "Evaluate ops whose inputs are all constants at compile time";
  let description = [{
    Transpose, reshape, concat and the f32 element-wise ops of constant
    operands become constants (shape arithmetic such as Shape -> Gather ->
    Concat is already evaluated by the importer). A Gemm with a constant B and
    transB = 1, the form PyTorch exports for Linear layers, gets B transposed
    once here instead of on every call.
  }];
}

def MuonFoldQuantDequant : Pass<"muon-fold-qdq", "mlir::func::FuncOp"> {
  let summary = "Fold dequantize -> float op -> quantize into integer ops";
  let description = [{
    A QDQ model (and a model quantized by Muon) computes each op as
    dequantize -> float op -> quantize. Where an integer form exists, the op
    runs on the quantized tensors instead:
      quantize(act?(conv|matmul|gemm(dequantize(x), dequantize(w), b)))
        -> requantize(quantized conv|matmul|gemm(x, w, b_int32)), with a
           Relu or Clip `act` as the requantization's clamp;
      quantize(op(dequantize(x))) with equal quantization on both sides, for
        max pool, reshape, transpose and concat -> op(x).
    The fake-quant form it matches is documented in FoldQuantDequant.cpp.
    Everything else stays in float between its dequantize and quantize.
  }];
  let dependentDialects = ["mlir::quant::QuantDialect"];
}

def MuonDeadCodeElimination : Pass<"muon-dce", "mlir::func::FuncOp"> {
  let summary = "Erase muon ops whose results are unused";
  let description = [{
    ONNX graphs often compute values nobody reads (an unused Shape, a
    Dropout mask, outputs of folded subgraphs). Every muon op is free of side
    effects, so an op without users is removed, repeatedly.
  }];
}

def MuonQuantize : Pass<"muon-quantize", "mlir::func::FuncOp"> {
  let summary = "Insert int8 fake quantization from calibrated ranges";
  let description = [{
    Post-training quantization: rewrites a float graph into the form that
    importing the equivalent QDQ ONNX model gives, so that the same later
    passes and lowerings apply to both. The float ranges come from
    `muon.calibration_range = array<f32: min, max>` attributes, which
    calibration writes on the defining op of each value (or on the function
    argument) and this pass removes.

    Quantized ops: conv, gemm, matmul, add, the pooling ops and concat.
    Each float activation they read or produce gets
      muon.quantize (to !quant.uniform<i8:f32, s:z>) -> muon.dequantize,
    asymmetric per tensor (the range widened to include 0). A relu or clip
    that is the only user of a quantized op's result is quantized after
    the activation instead, so that it can be fused. Constant weights of
    conv, gemm and matmul become int8 constants, symmetric per output
    channel (s = max|w| / 127): muon.constant -> quant.scast ->
    muon.dequantize; their constant bias int32 with scale s_x * s_w[c] and
    zero point 0; other float constants that add or concat read int8 per
    tensor. Other ops keep float inputs and outputs, and values
    already quantized (read from a muon.dequantize or into a muon.quantize)
    are left as they are. See docs/quantization.md.
  }];
  let options = [
    ListOption<"excludeNodes", "exclude", "std::string",
               "ONNX node names to keep in float">
  ];
  let dependentDialects = ["mlir::quant::QuantDialect"];
}

#endif // MUON_PASSES_TD
