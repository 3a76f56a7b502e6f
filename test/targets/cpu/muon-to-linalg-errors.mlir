// RUN: muon-opt %s --muon-to-linalg --split-input-file --verify-diagnostics

// Forms the CPU target has no lowering for yet are reported on the op, once,
// instead of leaving muon ops behind for a later pass to trip over.

// AveragePool divides: it is lowered on floats only.
func.func @average_pool_integer(%x: tensor<1x4x8x8xi32>) -> tensor<1x4x4x4xi32> {
  // expected-error @+1 {{the CPU target cannot lower this form of 'muon.average_pool' yet}}
  %0 = muon.average_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xi32>) -> tensor<1x4x4x4xi32>
  return %0 : tensor<1x4x4x4xi32>
}

// -----

// Quantized products and data movement lower on their storage; an
// element-wise float op on quantized tensors does not (the QDQ fold leaves
// such ops in float between a dequantize and a quantize).
func.func @sigmoid_quantized(%x: tensor<1x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{the CPU target cannot lower this form of 'muon.sigmoid' yet}}
  %0 = muon.sigmoid %x : tensor<1x4x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<1x4x!quant.uniform<i8:f32, 0.5>>
}

// -----

// Only the first op left over is reported: the lowering of the sign below
// succeeded, the integer average pooling did not.
func.func @reports_first_leftover(%x: tensor<1x4x8x8xi32>) -> tensor<1x4x4x4xi32> {
  // expected-error @+1 {{the CPU target cannot lower this form of 'muon.average_pool' yet}}
  %0 = muon.average_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xi32>) -> tensor<1x4x4x4xi32>
  %1 = muon.sign %0 : tensor<1x4x4x4xi32>
  return %1 : tensor<1x4x4x4xi32>
}

// -----

// Data movement runs on the storage of quantized values, but Trilu also
// writes zeros, which are the zero point only when it is 0: not lowered.
func.func @trilu_quantized(%x: tensor<3x3x!quant.uniform<i8:f32, 0.5:4>>) -> tensor<3x3x!quant.uniform<i8:f32, 0.5:4>> {
  // expected-error @+1 {{the CPU target cannot lower this form of 'muon.trilu' yet}}
  %0 = muon.trilu %x : (tensor<3x3x!quant.uniform<i8:f32, 0.5:4>>) -> tensor<3x3x!quant.uniform<i8:f32, 0.5:4>>
  return %0 : tensor<3x3x!quant.uniform<i8:f32, 0.5:4>>
}
