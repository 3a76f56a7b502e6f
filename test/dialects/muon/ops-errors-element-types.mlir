// RUN: muon-opt %s --split-input-file --verify-diagnostics

// ONNX Gemm, MatMul, Conv and BatchNormalization take all their tensors in one
// type T (https://onnx.ai/onnx/operators/, "Type Constraints"), as the
// element-wise ops do.

func.func @gemm_element_types(%a: tensor<4x3xf32>, %b: tensor<3x6xf16>) -> tensor<4x6xf32> {
  // expected-error @+2 {{different element types}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = muon.gemm %a, %b : (tensor<4x3xf32>, tensor<3x6xf16>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

func.func @gemm_c_element_type(%a: tensor<4x3xf32>, %b: tensor<3x6xf32>, %c: tensor<6xi32>) -> tensor<4x6xf32> {
  // expected-error @+2 {{different element types}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = muon.gemm %a, %b, %c : (tensor<4x3xf32>, tensor<3x6xf32>, tensor<6xi32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

func.func @matmul_element_types(%a: tensor<4x3xf32>, %b: tensor<3x6xf16>) -> tensor<4x6xf32> {
  // expected-error @+2 {{different element types}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = muon.matmul %a, %b : (tensor<4x3xf32>, tensor<3x6xf16>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

func.func @conv_element_types(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf16>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{different element types}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf16>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @batch_norm_element_types(%x: tensor<1x4x8x8xf32>, %p: tensor<4xf16>) -> tensor<1x4x8x8xf32> {
  // expected-error @+2 {{different element types}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = muon.batch_norm %x, %p, %p, %p, %p : (tensor<1x4x8x8xf32>, tensor<4xf16>, tensor<4xf16>, tensor<4xf16>, tensor<4xf16>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}
