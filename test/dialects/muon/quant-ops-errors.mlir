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

// -----

func.func @requantize_clamp_outside_storage(%x: tensor<4x!quant.uniform<i32:f32, 0.5>>) -> tensor<4x!quant.uniform<u8:f32, 0.5:10>> {
  // expected-error @+1 {{'muon.requantize' op clamp bound -1 is outside the result's storage range [0, 255]}}
  %0 = muon.requantize %x {clamp_min = -1 : i64} : (tensor<4x!quant.uniform<i32:f32, 0.5>>) -> tensor<4x!quant.uniform<u8:f32, 0.5:10>>
  return %0 : tensor<4x!quant.uniform<u8:f32, 0.5:10>>
}

// -----

func.func @requantize_clamp_inverted(%x: tensor<4x!quant.uniform<i32:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{'muon.requantize' op clamp_min 5 is greater than clamp_max 4}}
  %0 = muon.requantize %x {clamp_min = 5 : i64, clamp_max = 4 : i64} : (tensor<4x!quant.uniform<i32:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

// The accumulator's scale is s_x * s_w (0.5 * 0.25), per output channel for
// a per-channel weight; any other result type is rejected.
func.func @conv_quantized_result(%x: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:1>>, %w: tensor<3x2x1x1x!quant.uniform<i8:f32, 0.25>>) -> tensor<1x3x4x4x!quant.uniform<i32:f32, 0.5>> {
  // expected-error @+2 {{'muon.conv' op failed to infer returned types}}
  // expected-error @+1 {{'muon.conv' op inferred type(s) 'tensor<1x3x4x4x!quant.uniform<i32:f32, 1.250000e-01>>' are incompatible with return type(s) of operation 'tensor<1x3x4x4x!quant.uniform<i32:f32, 5.000000e-01>>'}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:1>>, tensor<3x2x1x1x!quant.uniform<i8:f32, 0.25>>) -> tensor<1x3x4x4x!quant.uniform<i32:f32, 0.5>>
  return %0 : tensor<1x3x4x4x!quant.uniform<i32:f32, 0.5>>
}

// -----

func.func @conv_quantized_bias_scale(%x: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:1>>, %w: tensor<3x2x1x1x!quant.uniform<i8:f32, 0.25>>, %b: tensor<3x!quant.uniform<i32:f32, 0.5>>) -> tensor<1x3x4x4x!quant.uniform<i32:f32, 0.125>> {
  // expected-error @+2 {{the bias scales must be the accumulator's (input scale times weight scale)}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:1>>, tensor<3x2x1x1x!quant.uniform<i8:f32, 0.25>>, tensor<3x!quant.uniform<i32:f32, 0.5>>) -> tensor<1x3x4x4x!quant.uniform<i32:f32, 0.125>>
  return %0 : tensor<1x3x4x4x!quant.uniform<i32:f32, 0.125>>
}

// -----

func.func @conv_weight_axis(%x: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<3x2x1x1x!quant.uniform<i8:f32:1, {0.25, 0.5}>>) -> tensor<1x3x4x4x!quant.uniform<i32:f32, 0.125>> {
  // expected-error @+2 {{the weight must be quantized per tensor or along axis 0 (its output channels), not along axis 1}}
  // expected-error @+1 {{'muon.conv' op failed to infer returned types}}
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5>>, tensor<3x2x1x1x!quant.uniform<i8:f32:1, {0.25, 0.5}>>) -> tensor<1x3x4x4x!quant.uniform<i32:f32, 0.125>>
  return %0 : tensor<1x3x4x4x!quant.uniform<i32:f32, 0.125>>
}

// -----

func.func @matmul_per_axis_input(%x: tensor<2x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>, %w: tensor<3x4x!quant.uniform<i8:f32, 0.25>>) -> tensor<2x4x!quant.uniform<i32:f32, 0.125>> {
  // expected-error @+2 {{a quantized product takes an 8-bit input quantized per tensor}}
  // expected-error @+1 {{'muon.matmul' op failed to infer returned types}}
  %0 = muon.matmul %x, %w : (tensor<2x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>, tensor<3x4x!quant.uniform<i8:f32, 0.25>>) -> tensor<2x4x!quant.uniform<i32:f32, 0.125>>
  return %0 : tensor<2x4x!quant.uniform<i32:f32, 0.125>>
}

// -----

func.func @gemm_quantized_alpha(%x: tensor<2x3x!quant.uniform<i8:f32, 0.5>>, %w: tensor<3x4x!quant.uniform<i8:f32, 0.25>>) -> tensor<2x4x!quant.uniform<i32:f32, 0.125>> {
  // expected-error @+2 {{a quantized gemm takes neither transA nor alpha and beta other than 1}}
  // expected-error @+1 {{'muon.gemm' op failed to infer returned types}}
  %0 = muon.gemm %x, %w {alpha = 2.0 : f32} : (tensor<2x3x!quant.uniform<i8:f32, 0.5>>, tensor<3x4x!quant.uniform<i8:f32, 0.25>>) -> tensor<2x4x!quant.uniform<i32:f32, 0.125>>
  return %0 : tensor<2x4x!quant.uniform<i32:f32, 0.125>>
}

// -----

func.func @quantized_add_shapes(%a: tensor<4x!quant.uniform<i8:f32, 0.5>>, %b: tensor<1x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{'muon.quantized_add' op result shape differs from the input's}}
  %0 = muon.quantized_add %a, %b : (tensor<4x!quant.uniform<i8:f32, 0.5>>, tensor<1x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @quantized_add_per_axis(%a: tensor<2x!quant.uniform<i8:f32:0, {0.5, 0.25}>>, %b: tensor<2x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{'muon.quantized_add' op lhs must be 8-bit and quantized per tensor}}
  %0 = muon.quantized_add %a, %b : (tensor<2x!quant.uniform<i8:f32:0, {0.5, 0.25}>>, tensor<2x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<2x!quant.uniform<i8:f32, 0.5>>
}
