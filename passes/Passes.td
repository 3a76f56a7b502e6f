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

#endif // MUON_PASSES_TD
