// RUN: muon-opt %s --split-input-file --verify-diagnostics

// Invalid uses of the ops of dialects/muon/QuantOps.td: storage widths an op
// does not take, per-axis types that do not fit their tensor, and operands
// or results that are not quantized.

func.func @quantize_to_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'muon.quantize' op result must be a tensor of !quant.uniform, not 'tensor<4xf32>'}}
  %0 = muon.quantize %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @quantize_wrong_storage(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i16:f32, 0.5>> {
  // expected-error @+1 {{'muon.quantize' op result storage must be 8 bits (i8 or u8), not 'i16'}}
  %0 = muon.quantize %x : (tensor<4xf32>) -> tensor<4x!quant.uniform<i16:f32, 0.5>>
  return %0 : tensor<4x!quant.uniform<i16:f32, 0.5>>
}

// -----

func.func @quantize_expressed_type(%x: tensor<4xf16>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{'muon.quantize' op input element type 'f16' differs from the expressed type 'f32'}}
  %0 = muon.quantize %x : (tensor<4xf16>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @quantize_axis_out_of_range(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32:1, {0.5, 0.25}>> {
  // expected-error @+1 {{'muon.quantize' op result is quantized along axis 1, which a tensor of rank 1 lacks}}
  %0 = muon.quantize %x : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
  return %0 : tensor<4x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
}

// -----

func.func @quantize_scale_count(%x: tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25}>> {
  // expected-error @+1 {{'muon.quantize' op result has 2 scales for the 3 elements of axis 1}}
  %0 = muon.quantize %x : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
}

// -----

func.func @quantize_shape(%x: tensor<4xf32>) -> tensor<5x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{'muon.quantize' op result shape differs from the input's}}
  %0 = muon.quantize %x : (tensor<4xf32>) -> tensor<5x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<5x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @dequantize_plain(%x: tensor<4xi8>) -> tensor<4xf32> {
  // expected-error @+1 {{'muon.dequantize' op input must be a tensor of !quant.uniform, not 'tensor<4xi8>'}}
  %0 = muon.dequantize %x : (tensor<4xi8>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dequantize_wrong_storage(%x: tensor<4x!quant.uniform<i16:f32, 0.5>>) -> tensor<4xf32> {
  // expected-error @+1 {{'muon.dequantize' op input storage must be 8 or 32 bits, not 'i16'}}
  %0 = muon.dequantize %x : (tensor<4x!quant.uniform<i16:f32, 0.5>>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dequantize_result_type(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4xf16> {
  // expected-error @+1 {{'muon.dequantize' op result element type 'f16' differs from the expressed type 'f32'}}
  %0 = muon.dequantize %x : (tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @requantize_from_i8(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{'muon.requantize' op input storage must be i32 (an accumulator), not 'i8'}}
  %0 = muon.requantize %x : (tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @requantize_to_i32(%x: tensor<4x!quant.uniform<i32:f32, 0.5>>) -> tensor<4x!quant.uniform<i32:f32, 0.5>> {
  // expected-error @+1 {{'muon.requantize' op result storage must be 8 bits (i8 or u8), not 'i32'}}
  %0 = muon.requantize %x : (tensor<4x!quant.uniform<i32:f32, 0.5>>) -> tensor<4x!quant.uniform<i32:f32, 0.5>>
  return %0 : tensor<4x!quant.uniform<i32:f32, 0.5>>
}

// -----

func.func @requantize_zero_point(%x: tensor<4x!quant.uniform<i32:f32, 0.5:3>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{'muon.requantize' op input zero points must be 0}}
  %0 = muon.requantize %x : (tensor<4x!quant.uniform<i32:f32, 0.5:3>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @requantize_per_axis_result(%x: tensor<2x!quant.uniform<i32:f32, 0.5>>) -> tensor<2x!quant.uniform<i8:f32:0, {0.5, 0.25}>> {
  // expected-error @+1 {{'muon.requantize' op result must be quantized per tensor}}
  %0 = muon.requantize %x : (tensor<2x!quant.uniform<i32:f32, 0.5>>) -> tensor<2x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
  return %0 : tensor<2x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
}

// -----

func.func @requantize_scale_count(%x: tensor<2x3x!quant.uniform<i32:f32:0, {0.5, 0.25, 0.125}>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{'muon.requantize' op input has 3 scales for the 2 elements of axis 0}}
  %0 = muon.requantize %x : (tensor<2x3x!quant.uniform<i32:f32:0, {0.5, 0.25, 0.125}>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32, 0.5>>
}
