// RUN: muon-opt %s --split-input-file --verify-diagnostics

// Invalid uses of every op of dialects/muon/MuonOps.td: each verifier and each
// result-type inference rejects the forms the ONNX operator specification
// rules out, and a written result type that disagrees with the inferred one.
// A failed inference reports its reason and then, from MLIR's
// InferTypeOpInterface verifier, "failed to infer returned types".
// (Mixed element types in gemm/matmul/conv/batch_norm: ops-errors-element-types.mlir.)

//===----------------------------------------------------------------------===//
// muon.constant
//===----------------------------------------------------------------------===//

func.func @constant_type_mismatch() -> tensor<3xf32> {
  // expected-error @+1 {{'muon.constant' op failed to verify that all of {value, result} have same type}}
  %0 = "muon.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Element-wise binary ops (multidirectional broadcasting)
//===----------------------------------------------------------------------===//

// Trailing dimensions 3 and 4 differ and neither is 1.
func.func @add_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+2 {{operand shapes 'tensor<2x3xf32>' and 'tensor<4xf32>' are not broadcast-compatible}}
  // expected-error @+1 {{'muon.add' op failed to infer returned types}}
  %0 = muon.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @sub_element_types(%a: tensor<2x3xf32>, %b: tensor<2x3xf16>) -> tensor<2x3xf32> {
  // expected-error @+2 {{operands have different element types: 'f32' and 'f16'}}
  // expected-error @+1 {{'muon.sub' op failed to infer returned types}}
  %0 = muon.sub %a, %b : (tensor<2x3xf32>, tensor<2x3xf16>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// [2,1] and [1,3] broadcast to [2,3], not to the written [3,2].
func.func @mul_wrong_result(%a: tensor<2x1xf32>, %b: tensor<1x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{'muon.mul' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x2xf32>'}}
  // expected-error @+1 {{'muon.mul' op failed to infer returned types}}
  %0 = muon.mul %a, %b : (tensor<2x1xf32>, tensor<1x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Broadcasting never drops dimensions: [5] and [4,5] give [4,5], not [5].
func.func @div_result_rank(%a: tensor<5xf32>, %b: tensor<4x5xf32>) -> tensor<5xf32> {
  // expected-error @+2 {{'muon.div' op inferred type(s) 'tensor<4x5xf32>' are incompatible with return type(s) of operation 'tensor<5xf32>'}}
  // expected-error @+1 {{'muon.div' op failed to infer returned types}}
  %0 = muon.div %a, %b : (tensor<5xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// The result element type follows the operands.
func.func @add_result_element_type(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xf32> {
  // expected-error @+2 {{'muon.add' op inferred type(s) 'tensor<4xi32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{'muon.add' op failed to infer returned types}}
  %0 = muon.add %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @add_unranked(%a: tensor<*xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'muon.add' op operand #0 must be ranked tensor of any type values}}
  %0 = "muon.add"(%a, %b) : (tensor<*xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Element-wise unary ops, LeakyRelu, Clip
//===----------------------------------------------------------------------===//

func.func @relu_changes_type(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'muon.relu' op requires the same type for all operands and results}}
  %0 = "muon.relu"(%x) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @sigmoid_changes_element_type(%x: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{'muon.sigmoid' op requires the same type for all operands and results}}
  %0 = "muon.sigmoid"(%x) : (tensor<4xf32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @leaky_relu_needs_alpha(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'muon.leaky_relu' op requires attribute 'alpha'}}
  %0 = muon.leaky_relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @clip_min_above_max(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'muon.clip' op min 6.000000e+00 is greater than max 0.000000e+00}}
  %0 = muon.clip %x {min = 6.0 : f32, max = 0.0 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// muon.gemm
//===----------------------------------------------------------------------===//

// A [4,3] x B [5,6]: K is 3 on A's side, 5 on B's.
func.func @gemm_inner_dims(%a: tensor<4x3xf32>, %b: tensor<5x6xf32>) -> tensor<4x6xf32> {
  // expected-error @+2 {{inner dimensions differ: 3 vs 5}}
  // expected-error @+1 {{'muon.gemm' op failed to infer returned types}}
  %0 = muon.gemm %a, %b : (tensor<4x3xf32>, tensor<5x6xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// With transB, B [6,5] is read as [5,6]: K = 5 against A's 3.
func.func @gemm_inner_dims_trans_b(%a: tensor<4x3xf32>, %b: tensor<6x5xf32>) -> tensor<4x6xf32> {
  // expected-error @+2 {{inner dimensions differ: 3 vs 5}}
  // expected-error @+1 {{'muon.gemm' op failed to infer returned types}}
  %0 = muon.gemm %a, %b {transB = true} : (tensor<4x3xf32>, tensor<6x5xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// transA makes A [3,4] an [4,3] operand; without it the product would be valid,
// with it K = 3 on A's side (dim 0) and 4 on B's.
func.func @gemm_inner_dims_trans_a(%a: tensor<3x4xf32>, %b: tensor<4x6xf32>) -> tensor<4x6xf32> {
  // expected-error @+2 {{inner dimensions differ: 3 vs 4}}
  // expected-error @+1 {{'muon.gemm' op failed to infer returned types}}
  %0 = muon.gemm %a, %b {transA = true} : (tensor<3x4xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// C broadcasts unidirectionally to [M, N] = [4, 6]: [4] is not [6] nor [1].
func.func @gemm_c_not_broadcastable(%a: tensor<4x3xf32>, %b: tensor<3x6xf32>, %c: tensor<4xf32>) -> tensor<4x6xf32> {
  // expected-error @+2 {{C of type 'tensor<4xf32>' does not broadcast to 'tensor<4x6xf32>'}}
  // expected-error @+1 {{'muon.gemm' op failed to infer returned types}}
  %0 = muon.gemm %a, %b, %c : (tensor<4x3xf32>, tensor<3x6xf32>, tensor<4xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// Unidirectional: C [8,6] would broadcast with [4,6] the other way round only.
func.func @gemm_c_larger_than_result(%a: tensor<4x3xf32>, %b: tensor<3x6xf32>, %c: tensor<1x4x6xf32>) -> tensor<4x6xf32> {
  // expected-error @+2 {{C of type 'tensor<1x4x6xf32>' does not broadcast to 'tensor<4x6xf32>'}}
  // expected-error @+1 {{'muon.gemm' op failed to infer returned types}}
  %0 = muon.gemm %a, %b, %c : (tensor<4x3xf32>, tensor<3x6xf32>, tensor<1x4x6xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

func.func @gemm_c_rows(%a: tensor<4x3xf32>, %b: tensor<3x6xf32>, %c: tensor<8x6xf32>) -> tensor<4x6xf32> {
  // expected-error @+2 {{C of type 'tensor<8x6xf32>' does not broadcast to 'tensor<4x6xf32>'}}
  // expected-error @+1 {{'muon.gemm' op failed to infer returned types}}
  %0 = muon.gemm %a, %b, %c : (tensor<4x3xf32>, tensor<3x6xf32>, tensor<8x6xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

func.func @gemm_rank(%a: tensor<2x4x3xf32>, %b: tensor<3x6xf32>) -> tensor<4x6xf32> {
  // expected-error @+2 {{A and B must be 2-D, got 'tensor<2x4x3xf32>' and 'tensor<3x6xf32>'}}
  // expected-error @+1 {{'muon.gemm' op failed to infer returned types}}
  %0 = muon.gemm %a, %b : (tensor<2x4x3xf32>, tensor<3x6xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// [4,3] x [3,6] is [4,6]; transB was forgotten in the written type.
func.func @gemm_wrong_result(%a: tensor<4x3xf32>, %b: tensor<3x6xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{'muon.gemm' op inferred type(s) 'tensor<4x6xf32>' are incompatible with return type(s) of operation 'tensor<4x3xf32>'}}
  // expected-error @+1 {{'muon.gemm' op failed to infer returned types}}
  %0 = muon.gemm %a, %b : (tensor<4x3xf32>, tensor<3x6xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// muon.matmul
//===----------------------------------------------------------------------===//

func.func @matmul_inner_dims(%a: tensor<8x16xf32>, %b: tensor<8x4xf32>) -> tensor<8x4xf32> {
  // expected-error @+2 {{inner dimensions differ: 'tensor<8x16xf32>' and 'tensor<8x4xf32>'}}
  // expected-error @+1 {{'muon.matmul' op failed to infer returned types}}
  %0 = muon.matmul %a, %b : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// A 1-D rhs [5] is promoted to [5,1]; lhs K is 4.
func.func @matmul_vector_inner_dims(%a: tensor<2x3x4xf32>, %v: tensor<5xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{inner dimensions differ: 'tensor<2x3x4xf32>' and 'tensor<5xf32>'}}
  // expected-error @+1 {{'muon.matmul' op failed to infer returned types}}
  %0 = muon.matmul %a, %v : (tensor<2x3x4xf32>, tensor<5xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Batch dimensions [2] and [3] do not broadcast.
func.func @matmul_batch(%a: tensor<2x8x16xf32>, %b: tensor<3x16x4xf32>) -> tensor<2x8x4xf32> {
  // expected-error @+2 {{batch dimensions of 'tensor<2x8x16xf32>' and 'tensor<3x16x4xf32>' are not broadcast-compatible}}
  // expected-error @+1 {{'muon.matmul' op failed to infer returned types}}
  %0 = muon.matmul %a, %b : (tensor<2x8x16xf32>, tensor<3x16x4xf32>) -> tensor<2x8x4xf32>
  return %0 : tensor<2x8x4xf32>
}

// -----

func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{operands must have rank >= 1}}
  // expected-error @+1 {{'muon.matmul' op failed to infer returned types}}
  %0 = muon.matmul %a, %b : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// [4] x [4,6]: the promoted leading 1 is removed again, so the result is [6].
func.func @matmul_keeps_promoted_dim(%v: tensor<4xf32>, %m: tensor<4x6xf32>) -> tensor<1x6xf32> {
  // expected-error @+2 {{'muon.matmul' op inferred type(s) 'tensor<6xf32>' are incompatible with return type(s) of operation 'tensor<1x6xf32>'}}
  // expected-error @+1 {{'muon.matmul' op failed to infer returned types}}
  %0 = muon.matmul %v, %m : (tensor<4xf32>, tensor<4x6xf32>) -> tensor<1x6xf32>
  return %0 : tensor<1x6xf32>
}

// -----

//===----------------------------------------------------------------------===//
// muon.conv
//===----------------------------------------------------------------------===//

// Weight [8, 3, 3, 3] expects 3 input channels (group 1); the input has 4.
func.func @conv_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{weight 'tensor<8x3x3x3xf32>' does not match input 'tensor<1x4x8x8xf32>' with group 1}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

// Group 3 does not divide 4 channels.
func.func @conv_group_divides_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+2 {{weight 'tensor<6x1x3x3xf32>' does not match input 'tensor<1x4x8x8xf32>' with group 3}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, group = 3 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Group 2 over 4 channels: 2 channels per group, but 6 filters are fine and 5 are not.
func.func @conv_group_divides_filters(%x: tensor<1x4x8x8xf32>, %w: tensor<5x2x3x3xf32>) -> tensor<1x5x6x6xf32> {
  // expected-error @+2 {{weight 'tensor<5x2x3x3xf32>' does not match input 'tensor<1x4x8x8xf32>' with group 2}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<5x2x3x3xf32>) -> tensor<1x5x6x6xf32>
  return %0 : tensor<1x5x6x6xf32>
}

// -----

// Depthwise weight [C, 1, kh, kw] with group 1 reads 1 channel of 4.
func.func @conv_depthwise_without_group(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{weight 'tensor<4x1x3x3xf32>' does not match input 'tensor<1x4x8x8xf32>' with group 1}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_group_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{weight 'tensor<8x4x3x3xf32>' does not match input 'tensor<1x4x8x8xf32>' with group 0}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, group = 0 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_weight_rank(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{weight 'tensor<8x4x3xf32>' and input 'tensor<1x4x8x8xf32>' must have the same rank, at least 3}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

// 8 filters need a bias of shape [8].
func.func @conv_bias_shape(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{bias 'tensor<4xf32>' must have shape [8]}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<4xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_bias_rank(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<1x8xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{bias 'tensor<1x8xf32>' must have shape [8]}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<1x8xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

// A 2-D convolution takes 4 pads (begin H, begin W, end H, end W), not 2.
func.func @conv_pad_count(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+2 {{expected 2 strides, 2 dilations and 4 pads}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @conv_stride_count(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{expected 2 strides, 2 dilations and 4 pads}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_dilation_count(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{expected 2 strides, 2 dilations and 4 pads}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_stride_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{kernel sizes, strides and dilations must be positive and pads non-negative}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 0, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_negative_pad(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{kernel sizes, strides and dilations must be positive and pads non-negative}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, -1>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

// A 5x5 kernel on a 4x4 input without pads: 4 - 4 - 1 < 0, no window fits.
func.func @conv_window_larger_than_input(%x: tensor<1x4x4x4xf32>, %w: tensor<8x4x5x5xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error @+2 {{window of size 5 does not fit spatial dimension 0 of input 'tensor<1x4x4x4xf32>'}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<8x4x5x5xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// -----

// Dilation makes a 3-wide kernel span 2 * (3 - 1) + 1 = 5 > 4 in W (H is 8).
func.func @conv_dilated_window_larger_than_input(%x: tensor<1x4x8x4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x4x1xf32> {
  // expected-error @+2 {{window of size 3 does not fit spatial dimension 1 of input 'tensor<1x4x8x4xf32>'}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x4xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x4x1xf32>
  return %0 : tensor<1x8x4x1xf32>
}

// -----

// Dilation 2 on 7x7 with a 3x3 kernel: 7 - 2 * (3 - 1) - 1 = 2, 2 / 1 + 1 = 3, not 5
// (5 would be the size without the dilation).
func.func @conv_dilated_wrong_result(%x: tensor<1x2x7x7xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+2 {{'muon.conv' op inferred type(s) 'tensor<1x4x3x3xf32>' are incompatible with return type(s) of operation 'tensor<1x4x5x5xf32>'}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x7x7xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// -----

// Conv has no ceil_mode: 8 + 1 + 1 - 2 - 1 = 7, floor(7 / 2) + 1 = 4, never 5.
func.func @conv_floor_only(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+2 {{'muon.conv' op inferred type(s) 'tensor<1x8x4x4xf32>' are incompatible with return type(s) of operation 'tensor<1x8x5x5xf32>'}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

//===----------------------------------------------------------------------===//
// muon.max_pool, muon.average_pool
//===----------------------------------------------------------------------===//

// 1x1x5x5, kernel 2, stride 2, floor mode: floor((5 - 1 - 1) / 2) + 1 = 2, not 3.
func.func @max_pool_floor_result(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  // expected-error @+2 {{'muon.max_pool' op inferred type(s) 'tensor<1x1x2x2xf32>' are incompatible with return type(s) of operation 'tensor<1x1x3x3xf32>'}}
  // expected-error @+1 {{'muon.max_pool' op failed to infer returned types}}
  %0 = muon.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// Same with ceil_mode: ceil(3 / 2) + 1 = 3, not 2.
func.func @max_pool_ceil_result(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+2 {{'muon.max_pool' op inferred type(s) 'tensor<1x1x3x3xf32>' are incompatible with return type(s) of operation 'tensor<1x1x2x2xf32>'}}
  // expected-error @+1 {{'muon.max_pool' op failed to infer returned types}}
  %0 = muon.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// ceil_mode, pads 1: ceil((5 + 2 - 1 - 1) / 2) + 1 = 4, but the 4th window starts
// at 3 * 2 = 6 >= 5 + 1 (inside the end padding only) and is dropped: 3, not 4.
func.func @max_pool_ceil_window_in_padding(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error @+2 {{'muon.max_pool' op inferred type(s) 'tensor<1x1x3x3xf32>' are incompatible with return type(s) of operation 'tensor<1x1x4x4xf32>'}}
  // expected-error @+1 {{'muon.max_pool' op failed to infer returned types}}
  %0 = muon.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @max_pool_pad_count(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x5x5xf32> {
  // expected-error @+2 {{expected 2 strides, 2 dilations and 4 pads}}
  // expected-error @+1 {{'muon.max_pool' op failed to infer returned types}}
  %0 = muon.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x5x5xf32>
  return %0 : tensor<1x1x5x5xf32>
}

// -----

func.func @max_pool_negative_pad(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  // expected-error @+2 {{kernel sizes, strides and dilations must be positive and pads non-negative}}
  // expected-error @+1 {{'muon.max_pool' op failed to infer returned types}}
  %0 = muon.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: -1, 0, 1, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// A 2-D kernel on a rank-3 input.
func.func @max_pool_input_rank(%x: tensor<1x1x5xf32>) -> tensor<1x1x3xf32> {
  // expected-error @+2 {{input 'tensor<1x1x5xf32>' must have rank 4 (N, C and 2 spatial dimensions)}}
  // expected-error @+1 {{'muon.max_pool' op failed to infer returned types}}
  %0 = muon.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x5xf32>) -> tensor<1x1x3xf32>
  return %0 : tensor<1x1x3xf32>
}

// -----

// Kernel 7 on 5 with pads 0 + 0: no window fits in W (H is 8).
func.func @average_pool_window_larger_than_input(%x: tensor<1x1x8x5xf32>) -> tensor<1x1x2x1xf32> {
  // expected-error @+2 {{window of size 7 does not fit spatial dimension 1 of input 'tensor<1x1x8x5xf32>'}}
  // expected-error @+1 {{'muon.average_pool' op failed to infer returned types}}
  %0 = muon.average_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 7, 7>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x8x5xf32>) -> tensor<1x1x2x1xf32>
  return %0 : tensor<1x1x2x1xf32>
}

// -----

func.func @average_pool_kernel_zero(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32> {
  // expected-error @+2 {{kernel sizes, strides and dilations must be positive and pads non-negative}}
  // expected-error @+1 {{'muon.average_pool' op failed to infer returned types}}
  %0 = muon.average_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

// count_include_pad changes the divisor, never the shape: 3x3 stride 1 pad 1 keeps 8x8.
func.func @average_pool_wrong_result(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x6x6xf32> {
  // expected-error @+2 {{'muon.average_pool' op inferred type(s) 'tensor<1x1x8x8xf32>' are incompatible with return type(s) of operation 'tensor<1x1x6x6xf32>'}}
  // expected-error @+1 {{'muon.average_pool' op failed to infer returned types}}
  %0 = muon.average_pool %x {count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x6x6xf32>
  return %0 : tensor<1x1x6x6xf32>
}

// -----

//===----------------------------------------------------------------------===//
// muon.global_average_pool, muon.global_max_pool
//===----------------------------------------------------------------------===//

func.func @global_average_pool_rank(%x: tensor<1x512xf32>) -> tensor<1x512xf32> {
  // expected-error @+2 {{input 'tensor<1x512xf32>' must have rank >= 3}}
  // expected-error @+1 {{'muon.global_average_pool' op failed to infer returned types}}
  %0 = muon.global_average_pool %x : (tensor<1x512xf32>) -> tensor<1x512xf32>
  return %0 : tensor<1x512xf32>
}

// -----

// Every spatial dimension becomes 1; N and C stay.
func.func @global_max_pool_wrong_result(%x: tensor<1x512x7x7xf32>) -> tensor<1x512xf32> {
  // expected-error @+2 {{'muon.global_max_pool' op inferred type(s) 'tensor<1x512x1x1xf32>' are incompatible with return type(s) of operation 'tensor<1x512xf32>'}}
  // expected-error @+1 {{'muon.global_max_pool' op failed to infer returned types}}
  %0 = muon.global_max_pool %x : (tensor<1x512x7x7xf32>) -> tensor<1x512xf32>
  return %0 : tensor<1x512xf32>
}

// -----

//===----------------------------------------------------------------------===//
// muon.batch_norm
//===----------------------------------------------------------------------===//

// 64 channels, a 32-element mean.
func.func @batch_norm_parameter_shape(%x: tensor<1x64x8x8xf32>, %p: tensor<64xf32>, %m: tensor<32xf32>) -> tensor<1x64x8x8xf32> {
  // expected-error @+2 {{parameter 'tensor<32xf32>' must have shape [64]}}
  // expected-error @+1 {{'muon.batch_norm' op failed to infer returned types}}
  %0 = muon.batch_norm %x, %p, %p, %m, %p : (tensor<1x64x8x8xf32>, tensor<64xf32>, tensor<64xf32>, tensor<32xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32>
  return %0 : tensor<1x64x8x8xf32>
}

// -----

func.func @batch_norm_parameter_rank(%x: tensor<1x64x8x8xf32>, %p: tensor<64xf32>, %s: tensor<64x1x1xf32>) -> tensor<1x64x8x8xf32> {
  // expected-error @+2 {{parameter 'tensor<64x1x1xf32>' must have shape [64]}}
  // expected-error @+1 {{'muon.batch_norm' op failed to infer returned types}}
  %0 = muon.batch_norm %x, %s, %p, %p, %p : (tensor<1x64x8x8xf32>, tensor<64x1x1xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32>
  return %0 : tensor<1x64x8x8xf32>
}

// -----

func.func @batch_norm_input_rank(%x: tensor<64xf32>, %p: tensor<64xf32>) -> tensor<64xf32> {
  // expected-error @+2 {{input 'tensor<64xf32>' must have rank >= 2}}
  // expected-error @+1 {{'muon.batch_norm' op failed to infer returned types}}
  %0 = muon.batch_norm %x, %p, %p, %p, %p : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  return %0 : tensor<64xf32>
}

// -----

func.func @batch_norm_wrong_result(%x: tensor<1x64x8x8xf32>, %p: tensor<64xf32>) -> tensor<1x64x4x4xf32> {
  // expected-error @+2 {{'muon.batch_norm' op inferred type(s) 'tensor<1x64x8x8xf32>' are incompatible with return type(s) of operation 'tensor<1x64x4x4xf32>'}}
  // expected-error @+1 {{'muon.batch_norm' op failed to infer returned types}}
  %0 = muon.batch_norm %x, %p, %p, %p, %p : (tensor<1x64x8x8xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x4x4xf32>
  return %0 : tensor<1x64x4x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// muon.softmax, muon.log_softmax
//===----------------------------------------------------------------------===//

func.func @softmax_axis_out_of_range(%x: tensor<1x1000xf32>) -> tensor<1x1000xf32> {
  // expected-error @+1 {{'muon.softmax' op axis 2 is out of range for rank 2}}
  %0 = muon.softmax %x {axis = 2} : tensor<1x1000xf32>
  return %0 : tensor<1x1000xf32>
}

// -----

// The importer resolves negative axes; the op accepts only the resolved form.
func.func @softmax_negative_axis(%x: tensor<1x1000xf32>) -> tensor<1x1000xf32> {
  // expected-error @+1 {{'muon.softmax' op axis -1 is out of range for rank 2}}
  %0 = muon.softmax %x {axis = -1} : tensor<1x1000xf32>
  return %0 : tensor<1x1000xf32>
}

// -----

func.func @log_softmax_axis_out_of_range(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{'muon.log_softmax' op axis 3 is out of range for rank 3}}
  %0 = muon.log_softmax %x {axis = 3} : tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// muon.reshape
//===----------------------------------------------------------------------===//

// 2 * 3 * 4 = 24 elements cannot become 5 * 5 = 25.
func.func @reshape_element_count(%x: tensor<2x3x4xf32>) -> tensor<5x5xf32> {
  // expected-error @+1 {{'muon.reshape' op cannot reshape 'tensor<2x3x4xf32>' (24 elements) to 'tensor<5x5xf32>' (25 elements)}}
  %0 = muon.reshape %x : (tensor<2x3x4xf32>) -> tensor<5x5xf32>
  return %0 : tensor<5x5xf32>
}

// -----

func.func @reshape_element_type(%x: tensor<2x3xf32>) -> tensor<6xi32> {
  // expected-error @+1 {{'muon.reshape' op changes the element type}}
  %0 = muon.reshape %x : (tensor<2x3xf32>) -> tensor<6xi32>
  return %0 : tensor<6xi32>
}

// -----

func.func @reshape_dynamic(%x: tensor<?x3xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{'muon.reshape' op needs static shapes}}
  %0 = muon.reshape %x : (tensor<?x3xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

//===----------------------------------------------------------------------===//
// muon.transpose
//===----------------------------------------------------------------------===//

func.func @transpose_repeated_perm(%x: tensor<2x3x4xf32>) -> tensor<2x2x4xf32> {
  // expected-error @+2 {{perm is not a permutation}}
  // expected-error @+1 {{'muon.transpose' op failed to infer returned types}}
  %0 = muon.transpose %x {perm = array<i64: 0, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<2x2x4xf32>
  return %0 : tensor<2x2x4xf32>
}

// -----

func.func @transpose_perm_out_of_range(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+2 {{perm is not a permutation}}
  // expected-error @+1 {{'muon.transpose' op failed to infer returned types}}
  %0 = muon.transpose %x {perm = array<i64: 0, 1, 3>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @transpose_perm_length(%x: tensor<2x3x4xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{perm has 2 entries for an input of rank 3}}
  // expected-error @+1 {{'muon.transpose' op failed to infer returned types}}
  %0 = muon.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3x4xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// perm [2, 0, 1] on [2, 3, 4] gives [4, 2, 3]; [3, 4, 2] is the inverse permutation.
func.func @transpose_inverse_perm(%x: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  // expected-error @+2 {{'muon.transpose' op inferred type(s) 'tensor<4x2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x4x2xf32>'}}
  // expected-error @+1 {{'muon.transpose' op failed to infer returned types}}
  %0 = muon.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  return %0 : tensor<3x4x2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// muon.concat
//===----------------------------------------------------------------------===//

// Along axis 1, dimension 2 must agree: 28 vs 14.
func.func @concat_mismatched_dims(%a: tensor<1x64x28x28xf32>, %b: tensor<1x32x14x28xf32>) -> tensor<1x96x28x28xf32> {
  // expected-error @+2 {{inputs differ in dimension 2}}
  // expected-error @+1 {{'muon.concat' op failed to infer returned types}}
  %0 = muon.concat %a, %b {axis = 1} : (tensor<1x64x28x28xf32>, tensor<1x32x14x28xf32>) -> tensor<1x96x28x28xf32>
  return %0 : tensor<1x96x28x28xf32>
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<2x3x1xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{inputs differ in rank or element type}}
  // expected-error @+1 {{'muon.concat' op failed to infer returned types}}
  %0 = muon.concat %a, %b {axis = 0} : (tensor<2x3xf32>, tensor<2x3x1xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @concat_element_type(%a: tensor<2x3xf32>, %b: tensor<2x3xf16>) -> tensor<4x3xf32> {
  // expected-error @+2 {{inputs differ in rank or element type}}
  // expected-error @+1 {{'muon.concat' op failed to infer returned types}}
  %0 = muon.concat %a, %b {axis = 0} : (tensor<2x3xf32>, tensor<2x3xf16>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{'muon.concat' op failed to infer returned types}}
  %0 = muon.concat %a, %b {axis = 2} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_no_inputs() -> tensor<2xf32> {
  // expected-error @+2 {{needs at least one input}}
  // expected-error @+1 {{'muon.concat' op failed to infer returned types}}
  %0 = muon.concat {axis = 0} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// 64 + 32 + 16 = 112 along the axis, not 96.
func.func @concat_wrong_result(%a: tensor<1x64x4x4xf32>, %b: tensor<1x32x4x4xf32>, %c: tensor<1x16x4x4xf32>) -> tensor<1x96x4x4xf32> {
  // expected-error @+2 {{'muon.concat' op inferred type(s) 'tensor<1x112x4x4xf32>' are incompatible with return type(s) of operation 'tensor<1x96x4x4xf32>'}}
  // expected-error @+1 {{'muon.concat' op failed to infer returned types}}
  %0 = muon.concat %a, %b, %c {axis = 1} : (tensor<1x64x4x4xf32>, tensor<1x32x4x4xf32>, tensor<1x16x4x4xf32>) -> tensor<1x96x4x4xf32>
  return %0 : tensor<1x96x4x4xf32>
}

// -----

// MaxPool's Indices are i64, whatever the input's element type.
func.func @max_pool_indices_type(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+2 {{'muon.max_pool_indices' op inferred type(s) 'tensor<1x1x2x2xi64>' are incompatible with return type(s) of operation 'tensor<1x1x2x2xf32>'}}
  // expected-error @+1 {{'muon.max_pool_indices' op failed to infer returned types}}
  %0 = muon.max_pool_indices %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}
