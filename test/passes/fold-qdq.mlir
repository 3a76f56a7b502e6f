// RUN: muon-opt %s --muon-fold-qdq --split-input-file | FileCheck %s

// The QDQ fold on the fake-quant form the importer gives QDQ models (see
// passes/FoldQuantDequant.cpp): activations muon.quantize -> muon.dequantize,
// weights and biases integer constants -> quant.scast -> muon.dequantize.
// Expected values are derived by hand beside each case.

// Conv with a per-channel weight, a dequantized int32 bias and a Relu:
// x scale 0.5, w scales {0.25, 0.5} -> accumulator scales {0.125, 0.25}
// (0.5 * 0.25, 0.5 * 0.5) per output channel (axis 1 of the result); the
// bias, quantized with those scales, is used as it is; Relu clamps at the
// output zero point, 3.
// CHECK-LABEL: func @conv_relu
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>)
// CHECK: %[[XQ:.*]] = muon.quantize %[[X]]
// CHECK-DAG: %[[W:.*]] = quant.scast %{{.*}} : tensor<2x2x1x1xi8> to tensor<2x2x1x1x!quant.uniform<i8:f32:0, {2.500000e-01,5.000000e-01}>>
// CHECK-DAG: %[[B:.*]] = quant.scast %{{.*}} : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {1.250000e-01,2.500000e-01}>>
// CHECK: %[[ACC:.*]] = muon.conv %[[XQ]], %[[W]], %[[B]] {{.*}} -> tensor<1x2x4x4x!quant.uniform<i32:f32:1, {1.250000e-01,2.500000e-01}>>
// CHECK: %[[Y:.*]] = muon.requantize %[[ACC]] {clamp_min = 3 : i64} : {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 1.000000e+00:3>>
// CHECK-NOT: muon.dequantize
// CHECK-NOT: muon.relu
// CHECK: return %[[Y]]
func.func @conv_relu(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 1.0:3>> {
  %xq = muon.quantize %x : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:-1>>
  %xf = muon.dequantize %xq : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:-1>>) -> tensor<1x2x4x4xf32>
  %w = muon.constant dense<[[[[1]], [[2]]], [[[-3]], [[4]]]]> : tensor<2x2x1x1xi8>
  %wq = quant.scast %w : tensor<2x2x1x1xi8> to tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.25, 0.5}>>
  %wf = muon.dequantize %wq : (tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.25, 0.5}>>) -> tensor<2x2x1x1xf32>
  %b = muon.constant dense<[100, -7]> : tensor<2xi32>
  %bq = quant.scast %b : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.25}>>
  %bf = muon.dequantize %bq : (tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.25}>>) -> tensor<2xf32>
  %0 = muon.conv %xf, %wf, %bf {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = muon.relu %0 : tensor<1x2x4x4xf32>
  %2 = muon.quantize %1 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 1.0:3>>
  return %2 : tensor<1x2x4x4x!quant.uniform<i8:f32, 1.0:3>>
}

// -----

// Gemm with transB, a float constant bias and a Clip to [0, 6]:
// accumulator scale 0.5 * 0.25 = 0.125; bias [1.0, -0.3125, 0.0625] / 0.125
// = [8, -2.5, 0.5], rounded half to even: [8, -2, 0]. The clip bounds in the
// output's terms (scale 0.5, zero point -3): 0 / 0.5 - 3 = -3 and
// 6 / 0.5 - 3 = 9.
// CHECK-LABEL: func @gemm_clip_float_bias
// CHECK-DAG: %[[BIAS:.*]] = muon.constant dense<[8, -2, 0]> : tensor<3xi32>
// CHECK-DAG: %[[BQ:.*]] = quant.scast %[[BIAS]] : tensor<3xi32> to tensor<3x!quant.uniform<i32:f32, 1.250000e-01>>
// CHECK: %[[ACC:.*]] = muon.gemm %{{.*}}, %{{.*}}, %[[BQ]] {{{.*}}transB = true} : {{.*}} -> tensor<2x3x!quant.uniform<i32:f32, 1.250000e-01>>
// CHECK: muon.requantize %[[ACC]] {clamp_max = 9 : i64, clamp_min = -3 : i64}
// CHECK-NOT: muon.clip
func.func @gemm_clip_float_bias(%x: tensor<2x4xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.5:-3>> {
  %xq = muon.quantize %x : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32, 0.5>>
  %xf = muon.dequantize %xq : (tensor<2x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x4xf32>
  %w = muon.constant dense<[[1, 2, 3, 4], [5, 6, 7, 8], [-1, -2, -3, -4]]> : tensor<3x4xi8>
  %wq = quant.scast %w : tensor<3x4xi8> to tensor<3x4x!quant.uniform<i8:f32, 0.25>>
  %wf = muon.dequantize %wq : (tensor<3x4x!quant.uniform<i8:f32, 0.25>>) -> tensor<3x4xf32>
  %b = muon.constant dense<[1.0, -0.3125, 0.0625]> : tensor<3xf32>
  %0 = muon.gemm %xf, %wf, %b {transB = true} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = muon.clip %0 {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3xf32>
  %2 = muon.quantize %1 : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.5:-3>>
  return %2 : tensor<2x3x!quant.uniform<i8:f32, 0.5:-3>>
}

// -----

// MatMul of a uint8 activation and a per-column weight (the rhs's last
// axis): accumulator scales 0.5 * {0.25, 1.0} per column.
// CHECK-LABEL: func @matmul_per_column
// CHECK: %[[ACC:.*]] = muon.matmul {{.*}} -> tensor<3x2x!quant.uniform<i32:f32:1, {1.250000e-01,5.000000e-01}>>
// CHECK: muon.requantize %[[ACC]] : {{.*}} -> tensor<3x2x!quant.uniform<u8:f32, 2.000000e+00:128>>
func.func @matmul_per_column(%x: tensor<3x4xf32>) -> tensor<3x2x!quant.uniform<u8:f32, 2.0:128>> {
  %xq = muon.quantize %x : (tensor<3x4xf32>) -> tensor<3x4x!quant.uniform<u8:f32, 0.5:128>>
  %xf = muon.dequantize %xq : (tensor<3x4x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<3x4xf32>
  %w = muon.constant dense<[[1, 2], [3, 4], [5, 6], [7, 8]]> : tensor<4x2xi8>
  %wq = quant.scast %w : tensor<4x2xi8> to tensor<4x2x!quant.uniform<i8:f32:1, {0.25, 1.0}>>
  %wf = muon.dequantize %wq : (tensor<4x2x!quant.uniform<i8:f32:1, {0.25, 1.0}>>) -> tensor<4x2xf32>
  %0 = muon.matmul %xf, %wf : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  %1 = muon.quantize %0 : (tensor<3x2xf32>) -> tensor<3x2x!quant.uniform<u8:f32, 2.0:128>>
  return %1 : tensor<3x2x!quant.uniform<u8:f32, 2.0:128>>
}

// -----

// The float product has a second user: it must stay, so nothing folds.
// CHECK-LABEL: func @keeps_shared_product
// CHECK: muon.matmul {{.*}} -> tensor<3x2xf32>
// CHECK-NOT: muon.requantize
func.func @keeps_shared_product(%x: tensor<3x4xf32>) -> (tensor<3x2x!quant.uniform<i8:f32, 2.0>>, tensor<3x2xf32>) {
  %xq = muon.quantize %x : (tensor<3x4xf32>) -> tensor<3x4x!quant.uniform<i8:f32, 0.5>>
  %xf = muon.dequantize %xq : (tensor<3x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<3x4xf32>
  %w = muon.constant dense<1> : tensor<4x2xi8>
  %wq = quant.scast %w : tensor<4x2xi8> to tensor<4x2x!quant.uniform<i8:f32, 0.25>>
  %wf = muon.dequantize %wq : (tensor<4x2x!quant.uniform<i8:f32, 0.25>>) -> tensor<4x2xf32>
  %0 = muon.matmul %xf, %wf : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  %1 = muon.quantize %0 : (tensor<3x2xf32>) -> tensor<3x2x!quant.uniform<i8:f32, 2.0>>
  return %1, %0 : tensor<3x2x!quant.uniform<i8:f32, 2.0>>, tensor<3x2xf32>
}

// -----

// A weight that is not dequantized (a float weight) keeps the float conv.
// CHECK-LABEL: func @keeps_float_weight
// CHECK: muon.conv {{.*}} -> tensor<1x1x2x2xf32>
// CHECK: muon.quantize
func.func @keeps_float_weight(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<i8:f32, 1.0>> {
  %xq = muon.quantize %x : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5>>
  %xf = muon.dequantize %xq : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x1x2x2xf32>
  %w = muon.constant dense<2.0> : tensor<1x1x1x1xf32>
  %0 = muon.conv %xf, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %1 = muon.quantize %0 : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<i8:f32, 1.0>>
  return %1 : tensor<1x1x2x2x!quant.uniform<i8:f32, 1.0>>
}

// -----

// Max pool and reshape with the same quantization in and out run on the
// quantized tensor.
// CHECK-LABEL: func @data_movement
// CHECK: %[[XQ:.*]] = muon.quantize
// CHECK: %[[P:.*]] = muon.max_pool %[[XQ]] {{.*}} -> tensor<1x2x2x2x!quant.uniform<u8:f32, 5.000000e-01:7>>
// CHECK: %[[R:.*]] = muon.reshape %[[P]] : {{.*}} -> tensor<1x8x!quant.uniform<u8:f32, 5.000000e-01:7>>
// CHECK-NOT: muon.dequantize
// CHECK: return %[[R]]
func.func @data_movement(%x: tensor<1x2x4x4xf32>) -> tensor<1x8x!quant.uniform<u8:f32, 0.5:7>> {
  %xq = muon.quantize %x : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:7>>
  %xf = muon.dequantize %xq : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:7>>) -> tensor<1x2x4x4xf32>
  %0 = muon.max_pool %xf {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %1 = muon.quantize %0 : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.5:7>>
  %2 = muon.dequantize %1 : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.5:7>>) -> tensor<1x2x2x2xf32>
  %3 = muon.reshape %2 : (tensor<1x2x2x2xf32>) -> tensor<1x8xf32>
  %4 = muon.quantize %3 : (tensor<1x8xf32>) -> tensor<1x8x!quant.uniform<u8:f32, 0.5:7>>
  return %4 : tensor<1x8x!quant.uniform<u8:f32, 0.5:7>>
}

// -----

// A max pool quantized again with other parameters stays in float.
// CHECK-LABEL: func @keeps_requantizing_max_pool
// CHECK: muon.max_pool {{.*}} -> tensor<1x2x2x2xf32>
func.func @keeps_requantizing_max_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.25>> {
  %xq = muon.quantize %x : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5>>
  %xf = muon.dequantize %xq : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x4x4xf32>
  %0 = muon.max_pool %xf {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %1 = muon.quantize %0 : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.25>>
  return %1 : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.25>>
}

// -----

// Add of two dequantized tensors, then Relu: TFLite's quantized add with
// the Relu as clamp_min = the output zero point, -2.
// CHECK-LABEL: func @add_relu
// CHECK: %[[A:.*]] = muon.quantize %arg0
// CHECK: %[[B:.*]] = muon.quantize %arg1
// CHECK: %[[S:.*]] = muon.quantized_add %[[A]], %[[B]] {clamp_min = -2 : i64} : {{.*}} -> tensor<4x!quant.uniform<i8:f32, 1.000000e+00:-2>>
// CHECK: return %[[S]]
func.func @add_relu(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 1.0:-2>> {
  %aq = muon.quantize %a : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  %af = muon.dequantize %aq : (tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4xf32>
  %bq = muon.quantize %b : (tensor<4xf32>) -> tensor<4x!quant.uniform<u8:f32, 0.25:128>>
  %bf = muon.dequantize %bq : (tensor<4x!quant.uniform<u8:f32, 0.25:128>>) -> tensor<4xf32>
  %0 = muon.add %af, %bf : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = muon.relu %0 : tensor<4xf32>
  %2 = muon.quantize %1 : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 1.0:-2>>
  return %2 : tensor<4x!quant.uniform<i8:f32, 1.0:-2>>
}

// -----

// Global average pool over 2x3: a depthwise conv (group 2) with a weight of
// ones of scale 1/6, whose accumulator has scale 0.5 / 6, requantized.
// CHECK-LABEL: func @global_average_pool
// CHECK: %[[ONES:.*]] = muon.constant dense<1> : tensor<2x1x2x3xi8>
// CHECK: %[[W:.*]] = quant.scast %[[ONES]] : tensor<2x1x2x3xi8> to tensor<2x1x2x3x!quant.uniform<i8:f32, 0.16666666666666666>>
// CHECK: %[[ACC:.*]] = muon.conv %{{.*}}, %[[W]] {{{.*}}group = 2 : i64{{.*}}} : {{.*}} -> tensor<1x2x1x1x!quant.uniform<i32:f32, 0.083333333333333329>>
// CHECK: muon.requantize %[[ACC]] : {{.*}} -> tensor<1x2x1x1x!quant.uniform<i8:f32, 2.500000e-01>>
func.func @global_average_pool(%x: tensor<1x2x2x3xf32>) -> tensor<1x2x1x1x!quant.uniform<i8:f32, 0.25>> {
  %xq = muon.quantize %x : (tensor<1x2x2x3xf32>) -> tensor<1x2x2x3x!quant.uniform<i8:f32, 0.5:1>>
  %xf = muon.dequantize %xq : (tensor<1x2x2x3x!quant.uniform<i8:f32, 0.5:1>>) -> tensor<1x2x2x3xf32>
  %0 = muon.global_average_pool %xf : (tensor<1x2x2x3xf32>) -> tensor<1x2x1x1xf32>
  %1 = muon.quantize %0 : (tensor<1x2x1x1xf32>) -> tensor<1x2x1x1x!quant.uniform<i8:f32, 0.25>>
  return %1 : tensor<1x2x1x1x!quant.uniform<i8:f32, 0.25>>
}

// -----

// Ops without an integer form stay dequantize -> float -> quantize.
// CHECK-LABEL: func @keeps_sigmoid
// CHECK: muon.dequantize
// CHECK: muon.sigmoid
// CHECK: muon.quantize
func.func @keeps_sigmoid(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.25>> {
  %xq = muon.quantize %x : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  %xf = muon.dequantize %xq : (tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4xf32>
  %0 = muon.sigmoid %xf : tensor<4xf32>
  %1 = muon.quantize %0 : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.25>>
  return %1 : tensor<4x!quant.uniform<i8:f32, 0.25>>
}

// -----

// A uint8 tensor visible in the ONNX graph imports as a round trip through
// ui8 between the quantize and the dequantize; the casts reinterpret bits,
// so the round trip goes and the quantized conv reads the quantize itself.
// CHECK-LABEL: func @uint8_round_trip
// CHECK: %[[XQ:.*]] = muon.quantize
// CHECK-NOT: muon.cast
// CHECK: muon.conv %[[XQ]]
func.func @uint8_round_trip(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 1.0:128>> {
  %xq = muon.quantize %x : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.5:128>>
  %s = quant.scast %xq : tensor<1x1x2x2x!quant.uniform<u8:f32, 0.5:128>> to tensor<1x1x2x2xi8>
  %u = muon.cast %s to ui8 : tensor<1x1x2x2xi8>
  %i = muon.cast %u to i8 : tensor<1x1x2x2xui8>
  %q = quant.scast %i : tensor<1x1x2x2xi8> to tensor<1x1x2x2x!quant.uniform<u8:f32, 0.5:128>>
  %xf = muon.dequantize %q : (tensor<1x1x2x2x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x1x2x2xf32>
  %w = muon.constant dense<3> : tensor<1x1x1x1xi8>
  %wq = quant.scast %w : tensor<1x1x1x1xi8> to tensor<1x1x1x1x!quant.uniform<i8:f32, 0.25>>
  %wf = muon.dequantize %wq : (tensor<1x1x1x1x!quant.uniform<i8:f32, 0.25>>) -> tensor<1x1x1x1xf32>
  %0 = muon.conv %xf, %wf {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %1 = muon.quantize %0 : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 1.0:128>>
  return %1 : tensor<1x1x2x2x!quant.uniform<u8:f32, 1.0:128>>
}

// -----

// Concat of equally quantized inputs and a transpose run on the quantized
// tensors; a concat of differently quantized inputs stays in float.
// CHECK-LABEL: func @concat_transpose
// CHECK: %[[C:.*]] = muon.concat %{{.*}}, %{{.*}} {axis = 0 : i64} : {{.*}} -> tensor<4x3x!quant.uniform<i8:f32, 5.000000e-01:2>>
// CHECK: %[[T:.*]] = muon.transpose %[[C]] {{.*}} -> tensor<3x4x!quant.uniform<i8:f32, 5.000000e-01:2>>
// CHECK: muon.concat {{.*}} -> tensor<4x3xf32>
// CHECK: return %[[T]]
func.func @concat_transpose(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> (tensor<3x4x!quant.uniform<i8:f32, 0.5:2>>, tensor<4x3x!quant.uniform<i8:f32, 0.5:2>>) {
  %aq = muon.quantize %a : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.5:2>>
  %af = muon.dequantize %aq : (tensor<2x3x!quant.uniform<i8:f32, 0.5:2>>) -> tensor<2x3xf32>
  %bq = muon.quantize %b : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.5:2>>
  %bf = muon.dequantize %bq : (tensor<2x3x!quant.uniform<i8:f32, 0.5:2>>) -> tensor<2x3xf32>
  %0 = muon.concat %af, %bf {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %1 = muon.quantize %0 : (tensor<4x3xf32>) -> tensor<4x3x!quant.uniform<i8:f32, 0.5:2>>
  %2 = muon.dequantize %1 : (tensor<4x3x!quant.uniform<i8:f32, 0.5:2>>) -> tensor<4x3xf32>
  %3 = muon.transpose %2 {perm = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
  %4 = muon.quantize %3 : (tensor<3x4xf32>) -> tensor<3x4x!quant.uniform<i8:f32, 0.5:2>>
  %cq = muon.quantize %b : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.25:2>>
  %cf = muon.dequantize %cq : (tensor<2x3x!quant.uniform<i8:f32, 0.25:2>>) -> tensor<2x3xf32>
  %5 = muon.concat %af, %cf {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %6 = muon.quantize %5 : (tensor<4x3xf32>) -> tensor<4x3x!quant.uniform<i8:f32, 0.5:2>>
  return %4, %6 : tensor<3x4x!quant.uniform<i8:f32, 0.5:2>>, tensor<4x3x!quant.uniform<i8:f32, 0.5:2>>
}
