#ifndef MUON_PASSES_TD
#define MUON_PASSES_TD

include "mlir/Pass/PassBase.td"

def FoldBatchNorm : Pass<"muon-fold-batchnorm", "mlir::func::FuncOp"> {
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

def ConstantFold : Pass<"muon-constant-fold", "mlir::func::FuncOp"> {
  let summary = "Evaluate ops whose inputs are all constants at compile time";
  let description = [{
    Transpose, reshape, concat and the f32 element-wise ops of constant
    operands become constants (shape arithmetic such as Shape -> Gather ->
    Concat is already evaluated by the importer). A Gemm with a constant B and
    transB = 1, the form PyTorch exports for Linear layers, gets B transposed
    once here instead of on every call.
  }];
}

def FoldQuantDequant : Pass<"muon-fold-qdq", "mlir::func::FuncOp"> {
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

def DeadCodeElimination : Pass<"muon-dce", "mlir::func::FuncOp"> {
  let summary = "Erase muon ops whose results are unused";
  let description = [{
    ONNX graphs often compute values nobody reads (an unused Shape, a
    Dropout mask, outputs of folded subgraphs). Every muon op is free of side
    effects, so an op without users is removed, repeatedly.
  }];
}

#endif // MUON_PASSES_TD
