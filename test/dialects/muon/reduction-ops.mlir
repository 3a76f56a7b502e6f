// RUN: muon-opt %s --split-input-file | muon-opt | FileCheck %s
// The generic form must round-trip as well (result types re-inferred on parse).
// RUN: muon-opt %s --split-input-file --mlir-print-op-generic | muon-opt | FileCheck %s

// Every op of dialects/muon/ReductionOps.td, parsed, printed and parsed again.
// Result types are the ones the ONNX operator specification gives.

// Reducing axes [1, 2] of [2,3,4,5]: kept as size 1 with keepdims
// ([2,1,1,5]), dropped without ([2,5]); every reduction shares the rule.
// CHECK-LABEL: func @reduce_keepdims
// CHECK: muon.reduce_sum %{{.*}} {axes = array<i64: 1, 2>} : (tensor<2x3x4x5xf32>) -> tensor<2x1x1x5xf32>
// CHECK: muon.reduce_mean %{{.*}} {axes = array<i64: 1, 2>, keepdims = false} : (tensor<2x3x4x5xf32>) -> tensor<2x5xf32>
// CHECK: muon.reduce_max
// CHECK: muon.reduce_min
// CHECK: muon.reduce_prod
// CHECK: muon.reduce_l1
// CHECK: muon.reduce_l2
// CHECK: muon.reduce_log_sum
// CHECK: muon.reduce_log_sum_exp
// CHECK: muon.reduce_sum_square
func.func @reduce_keepdims(%x: tensor<2x3x4x5xf32>) -> (tensor<2x1x1x5xf32>, tensor<2x5xf32>) {
  %0 = muon.reduce_sum %x {axes = array<i64: 1, 2>} : (tensor<2x3x4x5xf32>) -> tensor<2x1x1x5xf32>
  %1 = muon.reduce_mean %x {axes = array<i64: 1, 2>, keepdims = false} : (tensor<2x3x4x5xf32>) -> tensor<2x5xf32>
  %2 = muon.reduce_max %x {axes = array<i64: 1, 2>} : (tensor<2x3x4x5xf32>) -> tensor<2x1x1x5xf32>
  %3 = muon.reduce_min %x {axes = array<i64: 1, 2>} : (tensor<2x3x4x5xf32>) -> tensor<2x1x1x5xf32>
  %4 = muon.reduce_prod %x {axes = array<i64: 1, 2>} : (tensor<2x3x4x5xf32>) -> tensor<2x1x1x5xf32>
  %5 = muon.reduce_l1 %x {axes = array<i64: 1, 2>} : (tensor<2x3x4x5xf32>) -> tensor<2x1x1x5xf32>
  %6 = muon.reduce_l2 %x {axes = array<i64: 1, 2>} : (tensor<2x3x4x5xf32>) -> tensor<2x1x1x5xf32>
  %7 = muon.reduce_log_sum %x {axes = array<i64: 1, 2>} : (tensor<2x3x4x5xf32>) -> tensor<2x1x1x5xf32>
  %8 = muon.reduce_log_sum_exp %x {axes = array<i64: 1, 2>} : (tensor<2x3x4x5xf32>) -> tensor<2x1x1x5xf32>
  %9 = muon.reduce_sum_square %x {axes = array<i64: 1, 2>} : (tensor<2x3x4x5xf32>) -> tensor<2x1x1x5xf32>
  return %0, %1 : tensor<2x1x1x5xf32>, tensor<2x5xf32>
}

// -----

// Every axis without keepdims gives a rank-0 result; no axes reduces nothing
// (ONNX noop_with_empty_axes), whatever keepdims says.
// CHECK-LABEL: func @reduce_all_and_none
// CHECK: muon.reduce_sum %{{.*}} {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xi32>) -> tensor<i32>
// CHECK: muon.reduce_sum_square %{{.*}} {axes = array<i64>, keepdims = false} : (tensor<3x4xi32>) -> tensor<3x4xi32>
func.func @reduce_all_and_none(%x: tensor<3x4xi32>) -> (tensor<i32>, tensor<3x4xi32>) {
  %0 = muon.reduce_sum %x {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xi32>) -> tensor<i32>
  %1 = muon.reduce_sum_square %x {axes = array<i64>, keepdims = false} : (tensor<3x4xi32>) -> tensor<3x4xi32>
  return %0, %1 : tensor<i32>, tensor<3x4xi32>
}

// -----

// ArgMax/ArgMin give int64 indices whatever the input type.
// CHECK-LABEL: func @arg_reduce
// CHECK: muon.arg_max %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x1x4xi64>
// CHECK: muon.arg_min %{{.*}} {axis = 2 : i64, keepdims = false, select_last_index = true} : (tensor<2x3x4xf16>) -> tensor<2x3xi64>
func.func @arg_reduce(%x: tensor<2x3x4xf32>, %h: tensor<2x3x4xf16>) -> (tensor<2x1x4xi64>, tensor<2x3xi64>) {
  %0 = muon.arg_max %x {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x1x4xi64>
  %1 = muon.arg_min %h {axis = 2 : i64, keepdims = false, select_last_index = true} : (tensor<2x3x4xf16>) -> tensor<2x3xi64>
  return %0, %1 : tensor<2x1x4xi64>, tensor<2x3xi64>
}

// -----

// CHECK-LABEL: func @hardmax_cum_sum
// CHECK: muon.hardmax %{{.*}} {axis = 1 : i64} : tensor<3x4xf32>
// CHECK: muon.cum_sum %{{.*}} {axis = 0 : i64, exclusive = true, reverse = true} : tensor<3x4xf32>
func.func @hardmax_cum_sum(%x: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>) {
  %0 = muon.hardmax %x {axis = 1 : i64} : tensor<3x4xf32>
  %1 = muon.cum_sum %x {axis = 0 : i64, exclusive = true, reverse = true} : tensor<3x4xf32>
  return %0, %1 : tensor<3x4xf32>, tensor<3x4xf32>
}

// -----

// LayerNorm's scale and bias are optional and broadcast to x.shape[axis:]
// (a transformer's [768] parameters against [1, 128, 768] from axis 2).
// CHECK-LABEL: func @layer_norm
// CHECK: muon.layer_norm %{{.*}} scale %{{.*}} bias %{{.*}} {axis = 2 : i64, epsilon = 9.99999996E-13 : f32} : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
// CHECK: muon.layer_norm %{{.*}} {axis = 2 : i64} : (tensor<1x128x768xf32>) -> tensor<1x128x768xf32>
// CHECK: muon.layer_norm %{{.*}} scale %{{.*}} {axis = 1 : i64} : (tensor<1x128x768xf32>, tensor<1x768xf32>) -> tensor<1x128x768xf32>
func.func @layer_norm(%x: tensor<1x128x768xf32>, %s: tensor<768xf32>, %b: tensor<768xf32>, %s2: tensor<1x768xf32>) -> (tensor<1x128x768xf32>, tensor<1x128x768xf32>, tensor<1x128x768xf32>) {
  %0 = muon.layer_norm %x scale %s bias %b {axis = 2 : i64, epsilon = 1.0e-12 : f32} : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
  %1 = muon.layer_norm %x {axis = 2 : i64} : (tensor<1x128x768xf32>) -> tensor<1x128x768xf32>
  %2 = muon.layer_norm %x scale %s2 {axis = 1 : i64} : (tensor<1x128x768xf32>, tensor<1x768xf32>) -> tensor<1x128x768xf32>
  return %0, %1, %2 : tensor<1x128x768xf32>, tensor<1x128x768xf32>, tensor<1x128x768xf32>
}
