// RUN: muon-opt %s --split-input-file --verify-diagnostics

// Invalid uses of the ops of dialects/muon/ElementwiseOps.td: each inference
// rejects the element types and shapes the ONNX type constraints rule out.
// A failed inference reports its reason and then, from MLIR's
// InferTypeOpInterface verifier, "failed to infer returned types".

func.func @max_mixed_types(%a: tensor<3xf32>, %b: tensor<3xf16>) -> tensor<3xf32> {
  // expected-error @+2 {{operands have different element types: 'f32' and 'f16'}}
  // expected-error @+1 {{'muon.max' op failed to infer returned types}}
  %0 = muon.max %a, %b : (tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @min_not_broadcastable(%a: tensor<3xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{operand shapes 'tensor<3xf32>' and 'tensor<4xf32>' are not broadcast-compatible}}
  // expected-error @+1 {{'muon.min' op failed to infer returned types}}
  %0 = muon.min %a, %b : (tensor<3xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// And, Or, Xor and Not take bools (i1) only.
func.func @and_on_floats(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{operands must be i1, not 'f32'}}
  // expected-error @+1 {{'muon.and' op failed to infer returned types}}
  %0 = muon.and %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Ordering comparisons are on numbers; only Equal compares bools.
func.func @less_on_bools(%a: tensor<3xi1>, %b: tensor<3xi1>) -> tensor<3xi1> {
  // expected-error @+2 {{operands must be numeric, not 'i1'}}
  // expected-error @+1 {{'muon.less' op failed to infer returned types}}
  %0 = muon.less %a, %b : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

// A comparison's result is i1, whatever the operands.
func.func @greater_result_type(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{'muon.greater' op inferred type(s) 'tensor<3xi1>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{'muon.greater' op failed to infer returned types}}
  %0 = muon.greater %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// The result of Pow has the base's element type, not the exponent's.
func.func @pow_result_type(%a: tensor<3xf32>, %b: tensor<3xi64>) -> tensor<3xi64> {
  // expected-error @+2 {{'muon.pow' op inferred type(s) 'tensor<3xf32>' are incompatible with return type(s) of operation 'tensor<3xi64>'}}
  // expected-error @+1 {{'muon.pow' op failed to infer returned types}}
  %0 = muon.pow %a, %b : (tensor<3xf32>, tensor<3xi64>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

func.func @where_float_condition(%c: tensor<3xf32>, %x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{condition must be i1, not 'f32'}}
  // expected-error @+1 {{'muon.where' op failed to infer returned types}}
  %0 = muon.where %c, %x, %x : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @where_mixed_branches(%c: tensor<3xi1>, %x: tensor<3xf32>, %y: tensor<3xi32>) -> tensor<3xf32> {
  // expected-error @+2 {{operands have different element types: 'f32' and 'i32'}}
  // expected-error @+1 {{'muon.where' op failed to infer returned types}}
  %0 = muon.where %c, %x, %y : (tensor<3xi1>, tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// PRelu broadcasts the slope to the input, never the input to the slope.
func.func @prelu_slope_too_large(%x: tensor<4xf32>, %slope: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{slope 'tensor<3x4xf32>' does not broadcast to input 'tensor<4xf32>'}}
  // expected-error @+1 {{'muon.prelu' op failed to infer returned types}}
  %0 = muon.prelu %x, %slope : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @is_nan_on_integers(%x: tensor<3xi32>) -> tensor<3xi1> {
  // expected-error @+2 {{input must be float, not 'i32'}}
  // expected-error @+1 {{'muon.is_nan' op failed to infer returned types}}
  %0 = muon.is_nan %x : (tensor<3xi32>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

// The result type of muon.cast is inferred while parsing, so the error is
// the parser's.
func.func @cast_to_index(%x: tensor<3xi32>) -> tensor<3xindex> {
  // expected-error @+1 {{to must be a float or integer type, not 'index'}}
  %0 = muon.cast %x to index : tensor<3xi32>
  return %0 : tensor<3xindex>
}

// -----

// Celu divides by alpha.
func.func @celu_zero_alpha(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'muon.celu' op alpha must not be 0}}
  %0 = muon.celu %x {alpha = 0.0 : f32} : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// BitShift-11 is defined on unsigned integers only.
func.func @shift_signed(%a: tensor<3xi32>, %b: tensor<3xi32>) -> tensor<3xi32> {
  // expected-error @+2 {{operands must be unsigned integers, not 'i32'}}
  // expected-error @+1 {{'muon.shift_left' op failed to infer returned types}}
  %0 = muon.shift_left %a, %b : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

func.func @where_not_broadcastable(%c: tensor<2xi1>, %x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{operand shapes 'tensor<2xi1>', 'tensor<3xf32>' and 'tensor<3xf32>' are not broadcast-compatible}}
  // expected-error @+1 {{'muon.where' op failed to infer returned types}}
  %0 = muon.where %c, %x, %y : (tensor<2xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
