// RUN: muon-opt %s --muon-quantize --split-input-file | FileCheck %s
// RUN: muon-opt %s --muon-quantize=exclude=conv1 --split-input-file | FileCheck %s --check-prefix=EXCLUDE
//
// Expected scales and zero points are numpy's (float32 arithmetic):
//   activation [lo, hi] -> lo' = min(lo, 0), hi' = max(hi, 0),
//     s = float32((hi' - lo') / 255), z = clip(round(-128 - lo' / s))
//   [-1, 3] -> 0.015686275437474251 : -64   [0, 6] -> 0.023529412224888802 : -128
//   weights [[0.5], [-2.0]] per channel: s = max|w| / 127 =
//     0.0039370078593492508, 0.015748031437397003; q = 127, -127
//   bias [1, -1]: s = s_x * s_w = 6.1756989452987909e-05,
//     0.00024702795781195164 (float32); q = round(b / s) = 16192, -4048
//   (scales printed with 17 significant digits, as MLIR prints them)

// A convolution followed by relu: the input quantized, the weights per
// output channel, the bias int32, the output quantized after the relu.
// CHECK-LABEL: func @conv_relu
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x4x4xf32>)
// CHECK-NOT: muon.calibration_range
// CHECK: %[[XQ:.*]] = muon.quantize %[[X]] : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4x!quant.uniform<i8:f32, 0.015686275437474251:-64>>
// CHECK: %[[XD:.*]] = muon.dequantize %[[XQ]] : (tensor<1x1x4x4x!quant.uniform<i8:f32, 0.015686275437474251:-64>>) -> tensor<1x1x4x4xf32>
// CHECK-DAG: %[[W:.*]] = muon.constant dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-127]]]]> : tensor<2x1x1x1xi8>
// CHECK-DAG: %[[B:.*]] = muon.constant dense<[16192, -4048]> : tensor<2xi32>
// CHECK: %[[WQ:.*]] = quant.scast %[[W]] : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.0039370078593492508,0.015748031437397003}>>
// CHECK: %[[WD:.*]] = muon.dequantize %[[WQ]] : {{.*}} -> tensor<2x1x1x1xf32>
// CHECK: %[[BQ:.*]] = quant.scast %[[B]] : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {6.1756989452987909E-5,2.4702795781195164E-4}>>
// CHECK: %[[BD:.*]] = muon.dequantize %[[BQ]] : {{.*}} -> tensor<2xf32>
// CHECK: %[[C:.*]] = muon.conv %[[XD]], %[[WD]], %[[BD]]
// CHECK: %[[R:.*]] = muon.relu %[[C]]
// CHECK: %[[RQ:.*]] = muon.quantize %[[R]] : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.023529412224888802:-128>>
// CHECK: %[[RD:.*]] = muon.dequantize %[[RQ]]
// CHECK: return %[[RD]]

// An excluded node keeps its float input, weights and output.
// EXCLUDE-LABEL: func @conv_relu
// EXCLUDE-NOT: muon.quantize
// EXCLUDE-NOT: quant.scast
// EXCLUDE: muon.conv
// EXCLUDE-NOT: muon.quantize
// EXCLUDE: return
func.func @conv_relu(%x: tensor<1x1x4x4xf32> {muon.calibration_range = array<f32: -1.0, 3.0>}) -> tensor<1x2x4x4xf32> {
  %w = muon.constant dense<[[[[0.5]]], [[[-2.0]]]]> : tensor<2x1x1x1xf32>
  %b = muon.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %c = muon.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("node 'conv1' (Conv)")
  %r = muon.relu %c {muon.calibration_range = array<f32: 0.0, 6.0>} : tensor<1x2x4x4xf32> loc("node 'relu1' (Relu)")
  return %r : tensor<1x2x4x4xf32>
}

// -----

// Gemm weights [K, N] (transB = 0) are quantized per column (axis 1);
// numpy: s = max|w| over K / 127 = 0.023622047156095505, 0.031496062874794006
// and q = [[42, -127], [85, 16], [-127, 32]]. The output feeds a softmax,
// which stays float and reads the dequantized value.
// CHECK-LABEL: func @gemm_softmax
// CHECK: muon.quantize %arg0 : (tensor<1x3xf32>) -> tensor<1x3x!quant.uniform<i8:f32, 0.015686275437474251:-1>>
// CHECK: muon.constant dense<{{\[\[}}42, -127], [85, 16], [-127, 32]]> : tensor<3x2xi8>
// CHECK: quant.scast {{.*}} : tensor<3x2xi8> to tensor<3x2x!quant.uniform<i8:f32:1, {0.023622047156095505,0.031496062874794006}>>
// CHECK: %[[G:.*]] = muon.gemm
// CHECK: %[[GQ:.*]] = muon.quantize %[[G]] : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.015686275437474251:-128>>
// CHECK: %[[GD:.*]] = muon.dequantize %[[GQ]]
// CHECK: %[[S:.*]] = muon.softmax %[[GD]]
// CHECK-NOT: muon.quantize
// CHECK: return %[[S]]
func.func @gemm_softmax(%x: tensor<1x3xf32> {muon.calibration_range = array<f32: -2.0, 2.0>}) -> tensor<1x2xf32> {
  %w = muon.constant dense<[[1.0, -4.0], [2.0, 0.5], [-3.0, 1.0]]> : tensor<3x2xf32>
  %g = muon.gemm %x, %w {muon.calibration_range = array<f32: 0.5, 4.0>} : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  %s = muon.softmax %g {axis = 1 : i64} : tensor<1x2xf32>
  return %s : tensor<1x2xf32>
}

// -----

// Add, concat and pooling quantize their inputs and outputs; a value read
// by several quantized ops is quantized once.
// CHECK-LABEL: func @add_concat_pool
// CHECK-SAME: (%[[A:.*]]: tensor<1x1x2x2xf32>, %[[B:.*]]: tensor<1x1x2x2xf32>)
// CHECK: %[[AQ:.*]] = muon.quantize %[[A]]
// CHECK: %[[AD:.*]] = muon.dequantize %[[AQ]]
// CHECK: %[[BQ:.*]] = muon.quantize %[[B]]
// CHECK: %[[BD:.*]] = muon.dequantize %[[BQ]]
// CHECK: %[[S:.*]] = muon.add %[[AD]], %[[BD]]
// CHECK: %[[SQ:.*]] = muon.quantize %[[S]]
// CHECK: %[[SD:.*]] = muon.dequantize %[[SQ]]
// CHECK: %[[C:.*]] = muon.concat %[[SD]], %[[AD]]
// CHECK: %[[CQ:.*]] = muon.quantize %[[C]]
// CHECK: %[[CD:.*]] = muon.dequantize %[[CQ]]
// CHECK: %[[P:.*]] = muon.max_pool %[[CD]]
// CHECK: %[[PQ:.*]] = muon.quantize %[[P]]
// CHECK: %[[PD:.*]] = muon.dequantize %[[PQ]]
// CHECK: return %[[PD]]
func.func @add_concat_pool(%a: tensor<1x1x2x2xf32> {muon.calibration_range = array<f32: -1.0, 1.0>},
                           %b: tensor<1x1x2x2xf32> {muon.calibration_range = array<f32: -1.0, 1.0>}) -> tensor<1x2x1x1xf32> {
  %s = muon.add %a, %b {muon.calibration_range = array<f32: -2.0, 2.0>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  %c = muon.concat %s, %a {axis = 1 : i64, muon.calibration_range = array<f32: -2.0, 2.0>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32>
  %p = muon.max_pool %c {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, muon.calibration_range = array<f32: -2.0, 2.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32>
  return %p : tensor<1x2x1x1xf32>
}

// -----

// Float-only ops alone are left as they are.
// CHECK-LABEL: func @float_only
// CHECK-NOT: muon.quantize
// CHECK: muon.sigmoid
func.func @float_only(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = muon.sigmoid %x : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Values already quantized (a QDQ model, or a second run of the pass) are
// left as they are, and so are weights that are not float constants.
// CHECK-LABEL: func @already_quantized
// CHECK-COUNT-2: muon.quantize
// CHECK-NOT: muon.quantize
func.func @already_quantized(%x: tensor<1x4xf32>, %w: tensor<4x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>>) -> tensor<1x2xf32> {
  %q = muon.quantize %x : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<i8:f32, 0.5:3>>
  %d = muon.dequantize %q : (tensor<1x4x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x4xf32>
  %wd = muon.dequantize %w : (tensor<4x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>>) -> tensor<4x2xf32>
  %y = muon.matmul %d, %wd : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  %yq = muon.quantize %y : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.1:0>>
  %yd = muon.dequantize %yq : (tensor<1x2x!quant.uniform<i8:f32, 0.1:0>>) -> tensor<1x2xf32>
  return %yd : tensor<1x2xf32>
}

// -----

// A float constant read by add (a bias after a matmul) becomes int8 per
// tensor over its own range: numpy for [-1, 0.5, 2, 0] gives
// s = 3 / 255 = 0.011764706112444401, z = -43, q = [-128, -1, 127, -43].
// CHECK-LABEL: func @add_constant
// CHECK: %[[C:.*]] = muon.constant dense<[-128, -1, 127, -43]> : tensor<4xi8>
// CHECK: %[[CQ:.*]] = quant.scast %[[C]] : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.011764706112444401:-43>>
// CHECK: %[[CD:.*]] = muon.dequantize %[[CQ]]
// CHECK: muon.add %{{.*}}, %[[CD]]
func.func @add_constant(%x: tensor<1x4xf32> {muon.calibration_range = array<f32: -1.0, 1.0>}) -> tensor<1x4xf32> {
  %c = muon.constant dense<[-1.0, 0.5, 2.0, 0.0]> : tensor<4xf32>
  %y = muon.add %x, %c {muon.calibration_range = array<f32: -2.0, 3.0>} : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
