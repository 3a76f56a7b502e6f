// RUN: muon-opt %s --muon-to-linalg --split-input-file --verify-diagnostics

// Forms the CPU target has no lowering for yet are reported on the op, once,
// instead of leaving muon ops behind for a later pass to trip over.

// A 3-D (video) convolution: input and weight of rank 5.
func.func @conv_3d(%x: tensor<1x3x8x16x16xf32>, %w: tensor<6x3x3x3x3xf32>) -> tensor<1x6x6x14x14xf32> {
  // expected-error @+1 {{the CPU target cannot lower this form of 'muon.conv' yet}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>} : (tensor<1x3x8x16x16xf32>, tensor<6x3x3x3x3xf32>) -> tensor<1x6x6x14x14xf32>
  return %0 : tensor<1x6x6x14x14xf32>
}

// -----

// Pooling is lowered in 1-D and 2-D; a 3-D max pool (rank 5) is not.
func.func @max_pool_3d(%x: tensor<1x4x8x8x8xf32>) -> tensor<1x4x4x4x4xf32> {
  // expected-error @+1 {{the CPU target cannot lower this form of 'muon.max_pool' yet}}
  %0 = muon.max_pool %x {dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x4x8x8x8xf32>) -> tensor<1x4x4x4x4xf32>
  return %0 : tensor<1x4x4x4x4xf32>
}

// -----

// Integer convolutions lower (on int32, as the importer widens quantized
// operands); a convolution of quantized tensors does not.
func.func @conv_quantized(%x: tensor<1x3x8x8x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x3x3x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4x6x6x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{the CPU target cannot lower this form of 'muon.conv' yet}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8x!quant.uniform<i8:f32, 0.5>>, tensor<4x3x3x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4x6x6x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<1x4x6x6x!quant.uniform<i8:f32, 0.5>>
}

// -----

// Only the first op left over is reported: the lowering of the relu below
// succeeded, the 3-D convolution did not.
func.func @reports_first_leftover(%x: tensor<1x3x8x16x16xf32>, %w: tensor<6x3x3x3x3xf32>) -> tensor<1x6x6x14x14xf32> {
  // expected-error @+1 {{the CPU target cannot lower this form of 'muon.conv' yet}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>} : (tensor<1x3x8x16x16xf32>, tensor<6x3x3x3x3xf32>) -> tensor<1x6x6x14x14xf32>
  %1 = muon.relu %0 : tensor<1x6x6x14x14xf32>
  return %1 : tensor<1x6x6x14x14xf32>
}
