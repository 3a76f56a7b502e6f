// RUN: muon-opt %s --muon-to-npu --split-input-file --verify-diagnostics

// Every op the NPU cannot run is listed in one error (float ops here); the
// ops that only read their results are not listed again.
// expected-error @+1 {{2 operations of the int8 model cannot run on the NPU:}}
func.func @float_ops(%x: tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32> {
  %c = muon.constant dense<2.0> : tensor<1x4x2x2xf32>
  %s = muon.sub %x, %c : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  %d = muon.div %s, %c : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  %q = muon.quantize %d : (tensor<1x4x2x2xf32>) -> tensor<1x4x2x2x!quant.uniform<i8:f32, 0.5:3>>
  %r = muon.max_pool %q {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x2x2x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x4x1x1x!quant.uniform<i8:f32, 0.5:3>>
  %f = muon.dequantize %r : (tensor<1x4x1x1x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x4x1x1xf32>
  return %f : tensor<1x4x1x1xf32>
}

// -----

// uint8 activations are rejected: the NPU stores int8 only.
// expected-error @+1 {{muon.quantize: quantizes to a type other than signed 8-bit per tensor}}
func.func @uint8(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = muon.quantize %x : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.5:3>>
  %f = muon.dequantize %q : (tensor<1x4x!quant.uniform<u8:f32, 0.5:3>>) -> tensor<1x4xf32>
  return %f : tensor<1x4xf32>
}

// -----

// A float output must be the dequantization of an int8 tensor.
// expected-error @+1 {{output 'output1' is not the dequantization of a signed 8-bit tensor}}
func.func @float_output(%x: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>) {
  %q = muon.quantize %x : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<i8:f32, 0.5:3>>
  %f = muon.dequantize %q : (tensor<1x4x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x4xf32>
  return %f, %x : tensor<1x4xf32>, tensor<1x4xf32>
}

// -----

// A float model gets one error that says what to do.
// expected-error @+1 {{the model is not quantized: the NPU runs int8 models}}
func.func @float_model(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %r = muon.relu %x : tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}

// -----

// A grouped convolution with two outputs per input channel is not depthwise.
// expected-error @+1 {{grouped convolutions other than depthwise ones (one output channel per input channel) are not supported on the NPU}}
func.func @depth_multiplier(%x: tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %w = muon.constant dense<1> : tensor<4x1x1x1xi8>
  %q = muon.quantize %x : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>>
  %wq = quant.scast %w : tensor<4x1x1x1xi8> to tensor<4x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %acc = muon.conv %q, %wq {dilations = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>>, tensor<4x1x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4x4x4x!quant.uniform<i32:f32, 0.25>>
  %y = muon.requantize %acc : (tensor<1x4x4x4x!quant.uniform<i32:f32, 0.25>>) -> tensor<1x4x4x4x!quant.uniform<i8:f32, 0.5:3>>
  %f = muon.dequantize %y : (tensor<1x4x4x4x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x4x4x4xf32>
  return %f : tensor<1x4x4x4xf32>
}

// -----

// A 1x1 convolution padded by 1: its border outputs read padding only.
// expected-error @+1 {{a padding as wide as the window (windows of padding only) is not supported on the NPU}}
func.func @padding_only_windows(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x6x6xf32> {
  %w = muon.constant dense<1> : tensor<2x2x1x1xi8>
  %q = muon.quantize %x : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>>
  %wq = quant.scast %w : tensor<2x2x1x1xi8> to tensor<2x2x1x1x!quant.uniform<i8:f32, 0.5>>
  %acc = muon.conv %q, %wq {dilations = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>>, tensor<2x2x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x6x6x!quant.uniform<i32:f32, 0.25>>
  %y = muon.requantize %acc : (tensor<1x2x6x6x!quant.uniform<i32:f32, 0.25>>) -> tensor<1x2x6x6x!quant.uniform<i8:f32, 0.5:3>>
  %f = muon.dequantize %y : (tensor<1x2x6x6x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x2x6x6xf32>
  return %f : tensor<1x2x6x6xf32>
}
