// RUN: muon-opt %s --muon-to-linalg --split-input-file --verify-diagnostics

// Reductions whose element type the CPU lowering does not handle are
// reported on the op (ReductionToLinalg.cpp says why in its match failure).

// An integer mean would truncate; only float reduce_mean is lowered.
func.func @reduce_mean_integer(%x: tensor<3x4xi32>) -> tensor<3x1xi32> {
  // expected-error @+1 {{the CPU target cannot lower this form of 'muon.reduce_mean' yet}}
  %0 = muon.reduce_mean %x {axes = array<i64: 1>} : (tensor<3x4xi32>) -> tensor<3x1xi32>
  return %0 : tensor<3x1xi32>
}

// -----

func.func @layer_norm_integer(%x: tensor<3x4xi32>) -> tensor<3x4xi32> {
  // expected-error @+1 {{the CPU target cannot lower this form of 'muon.layer_norm' yet}}
  %0 = muon.layer_norm %x {axis = 1 : i64} : (tensor<3x4xi32>) -> tensor<3x4xi32>
  return %0 : tensor<3x4xi32>
}
