// RUN: muon-opt %s --split-input-file --verify-diagnostics

// Invalid uses of the ops of dialects/muon/ReductionOps.td. A failed
// inference reports its reason and then, from MLIR's InferTypeOpInterface
// verifier, "failed to infer returned types".

// The importer sorts and normalises axes; the dialect accepts one form.
func.func @reduce_axes_unsorted(%x: tensor<2x3x4xf32>) -> tensor<2x1x1xf32> {
  // expected-error @+2 {{axes [2, 1] must be strictly increasing in [0, 3)}}
  // expected-error @+1 {{'muon.reduce_sum' op failed to infer returned types}}
  %0 = muon.reduce_sum %x {axes = array<i64: 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  return %0 : tensor<2x1x1xf32>
}

// -----

func.func @reduce_axes_repeated(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  // expected-error @+2 {{axes [1, 1] must be strictly increasing in [0, 3)}}
  // expected-error @+1 {{'muon.reduce_max' op failed to infer returned types}}
  %0 = muon.reduce_max %x {axes = array<i64: 1, 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

func.func @reduce_axis_negative(%x: tensor<2x3x4xf32>) -> tensor<2x3x1xf32> {
  // expected-error @+2 {{axes [-1] must be strictly increasing in [0, 3)}}
  // expected-error @+1 {{'muon.reduce_mean' op failed to infer returned types}}
  %0 = muon.reduce_mean %x {axes = array<i64: -1>} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  return %0 : tensor<2x3x1xf32>
}

// -----

func.func @reduce_axis_out_of_range(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+2 {{axes [3] must be strictly increasing in [0, 3)}}
  // expected-error @+1 {{'muon.reduce_l2' op failed to infer returned types}}
  %0 = muon.reduce_l2 %x {axes = array<i64: 3>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// keepdims defaults to true: the reduced dimension stays as size 1.
func.func @reduce_wrong_result(%x: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+2 {{'muon.reduce_sum' op inferred type(s) 'tensor<2x1x4xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  // expected-error @+1 {{'muon.reduce_sum' op failed to infer returned types}}
  %0 = muon.reduce_sum %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @arg_max_axis(%x: tensor<2x3xf32>) -> tensor<2x3xi64> {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{'muon.arg_max' op failed to infer returned types}}
  %0 = muon.arg_max %x {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// ArgMax's indices are int64 (ONNX), whatever the input's type.
func.func @arg_min_result_type(%x: tensor<2x3xf32>) -> tensor<2x1xi32> {
  // expected-error @+1 {{'muon.arg_min' op result #0 must be tensor of 64-bit signless integer values}}
  %0 = muon.arg_min %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xi32>
  return %0 : tensor<2x1xi32>
}

// -----

func.func @hardmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis -1 is out of range for rank 2}}
  %0 = muon.hardmax %x {axis = -1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @cum_sum_axis(%x: tensor<5xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{axis 1 is out of range for rank 1}}
  %0 = muon.cum_sum %x {axis = 1 : i64} : tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @layer_norm_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{'muon.layer_norm' op failed to infer returned types}}
  %0 = muon.layer_norm %x {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// From axis 1 of [2,3,4] the normalised shape is [3,4]; a [2,3,4] scale
// does not broadcast to it.
func.func @layer_norm_scale_shape(%x: tensor<2x3x4xf32>, %s: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+2 {{parameter 'tensor<2x3x4xf32>' does not broadcast to the normalised shape [3, 4]}}
  // expected-error @+1 {{'muon.layer_norm' op failed to infer returned types}}
  %0 = muon.layer_norm %x scale %s {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @layer_norm_bias_size(%x: tensor<2x3x4xf32>, %b: tensor<3xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+2 {{parameter 'tensor<3xf32>' does not broadcast to the normalised shape [4]}}
  // expected-error @+1 {{'muon.layer_norm' op failed to infer returned types}}
  %0 = muon.layer_norm %x bias %b {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @layer_norm_element_types(%x: tensor<2x4xf32>, %s: tensor<4xf16>) -> tensor<2x4xf32> {
  // expected-error @+2 {{operands have different element types: 'f32' and 'f16'}}
  // expected-error @+1 {{'muon.layer_norm' op failed to infer returned types}}
  %0 = muon.layer_norm %x scale %s {axis = 1 : i64} : (tensor<2x4xf32>, tensor<4xf16>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
