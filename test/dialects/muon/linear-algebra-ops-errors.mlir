// RUN: muon-opt %s --split-input-file --verify-diagnostics

// Det-11 takes float square matrices.
func.func @det_not_square(%x: tensor<2x3xf32>) -> tensor<f32> {
  // expected-error @+2 {{input 'tensor<2x3xf32>' must be float square matrices [..., n, n]}}
  // expected-error @+1 {{'muon.det' op failed to infer returned types}}
  %0 = muon.det %x : (tensor<2x3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @det_integer(%x: tensor<2x2xi32>) -> tensor<i32> {
  // expected-error @+2 {{input 'tensor<2x2xi32>' must be float square matrices [..., n, n]}}
  // expected-error @+1 {{'muon.det' op failed to infer returned types}}
  %0 = muon.det %x : (tensor<2x2xi32>) -> tensor<i32>
  return %0 : tensor<i32>
}
