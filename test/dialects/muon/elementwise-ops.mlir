// RUN: muon-opt %s --split-input-file | muon-opt | FileCheck %s
// The generic form must round-trip as well (result types re-inferred on parse).
// RUN: muon-opt %s --split-input-file --mlir-print-op-generic | muon-opt | FileCheck %s

// The ops of dialects/muon/ElementwiseOps.td, parsed, printed and parsed
// again. Result types are the ones the ONNX operator specification gives:
// numpy broadcasting of all operands, i1 for comparisons and tests, the
// base's element type for Pow, the input's shape for PRelu.

// CHECK-LABEL: func @unary_math
// CHECK: muon.reciprocal %{{.*}} : tensor<2x3xf32>
// CHECK: muon.round %{{.*}} : tensor<2x3xf32>
// CHECK: muon.atanh %{{.*}} : tensor<2x3xf32>
// CHECK: muon.sign %{{.*}} : tensor<4xi32>
func.func @unary_math(%x: tensor<2x3xf32>, %i: tensor<4xi32>) -> (tensor<2x3xf32>, tensor<4xi32>) {
  %0 = muon.reciprocal %x : tensor<2x3xf32>
  %1 = muon.round %0 : tensor<2x3xf32>
  %2 = muon.atanh %1 : tensor<2x3xf32>
  %3 = muon.sign %i : tensor<4xi32>
  return %2, %3 : tensor<2x3xf32>, tensor<4xi32>
}

// -----

// CHECK-LABEL: func @activations
// CHECK: muon.selu %{{.*}} {alpha = 1.67326319 : f32, gamma = 1.05070102 : f32} : tensor<3xf32>
// CHECK: muon.hard_sigmoid %{{.*}} {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32} : tensor<3xf32>
// CHECK: muon.celu %{{.*}} {alpha = 2.000000e+00 : f32} : tensor<3xf32>
// CHECK: muon.hard_swish %{{.*}} : tensor<3xf32>
func.func @activations(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = muon.selu %x {alpha = 1.67326319 : f32, gamma = 1.05070102 : f32} : tensor<3xf32>
  %1 = muon.hard_sigmoid %0 {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<3xf32>
  %2 = muon.celu %1 {alpha = 2.0 : f32} : tensor<3xf32>
  %3 = muon.hard_swish %2 : tensor<3xf32>
  return %3 : tensor<3xf32>
}

// -----

// Comparisons broadcast like arithmetic and give i1; logic ops take i1.
// CHECK-LABEL: func @compare_and_select
// CHECK: muon.greater_or_equal %{{.*}}, %{{.*}} : (tensor<3x1xf32>, tensor<4xf32>) -> tensor<3x4xi1>
// CHECK: muon.equal %{{.*}}, %{{.*}} : (tensor<3x4xi1>, tensor<i1>) -> tensor<3x4xi1>
// CHECK: muon.xor %{{.*}}, %{{.*}} : (tensor<3x4xi1>, tensor<4xi1>) -> tensor<3x4xi1>
// CHECK: muon.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<3x4xi1>, tensor<3x1xf32>, tensor<f32>) -> tensor<3x4xf32>
func.func @compare_and_select(%a: tensor<3x1xf32>, %b: tensor<4xf32>, %t: tensor<i1>, %m: tensor<4xi1>, %s: tensor<f32>) -> tensor<3x4xf32> {
  %0 = muon.greater_or_equal %a, %b : (tensor<3x1xf32>, tensor<4xf32>) -> tensor<3x4xi1>
  %1 = muon.equal %0, %t : (tensor<3x4xi1>, tensor<i1>) -> tensor<3x4xi1>
  %2 = muon.xor %1, %m : (tensor<3x4xi1>, tensor<4xi1>) -> tensor<3x4xi1>
  %3 = muon.where %2, %a, %s : (tensor<3x4xi1>, tensor<3x1xf32>, tensor<f32>) -> tensor<3x4xf32>
  return %3 : tensor<3x4xf32>
}

// -----

// Pow-15: the exponent may have its own element type; the result has the
// base's. Mod keeps fmod; Max/Min broadcast.
// CHECK-LABEL: func @binary
// CHECK: muon.pow %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<i64>) -> tensor<3xf32>
// CHECK: muon.mod %{{.*}}, %{{.*}} {fmod = true} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK: muon.max %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
func.func @binary(%x: tensor<3xf32>, %e: tensor<i64>, %c: tensor<2x1xf32>) -> tensor<2x3xf32> {
  %0 = muon.pow %x, %e : (tensor<3xf32>, tensor<i64>) -> tensor<3xf32>
  %1 = muon.mod %0, %x {fmod = true} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %2 = muon.max %c, %1 : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}

// -----

// PRelu-16: slope [5] broadcasts to input [3,4,5].
// CHECK-LABEL: func @prelu
// CHECK: muon.prelu %{{.*}}, %{{.*}} : (tensor<3x4x5xf32>, tensor<5xf32>) -> tensor<3x4x5xf32>
func.func @prelu(%x: tensor<3x4x5xf32>, %slope: tensor<5xf32>) -> tensor<3x4x5xf32> {
  %0 = muon.prelu %x, %slope : (tensor<3x4x5xf32>, tensor<5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----

// CHECK-LABEL: func @tests_and_casts
// CHECK: muon.is_nan %{{.*}} : (tensor<4xf32>) -> tensor<4xi1>
// CHECK: muon.is_inf %{{.*}} {detect_negative = false} : (tensor<4xf32>) -> tensor<4xi1>
// CHECK: muon.not %{{.*}} : tensor<4xi1>
// CHECK: muon.cast %{{.*}} to i64 : tensor<4xi1>
// CHECK: muon.cast %{{.*}} to f16 : tensor<4xi64>
func.func @tests_and_casts(%x: tensor<4xf32>) -> (tensor<4xi1>, tensor<4xf16>) {
  %0 = muon.is_nan %x : (tensor<4xf32>) -> tensor<4xi1>
  %1 = muon.is_inf %x {detect_negative = false} : (tensor<4xf32>) -> tensor<4xi1>
  %2 = muon.not %1 : tensor<4xi1>
  %3 = muon.cast %2 to i64 : tensor<4xi1>
  %4 = muon.cast %3 to f16 : tensor<4xi64>
  return %0, %4 : tensor<4xi1>, tensor<4xf16>
}

// -----

// Unsigned integers (ONNX uint8..uint64) keep their signedness in the dialect.
// CHECK-LABEL: func @unsigned_and_shrink
// CHECK: muon.shift_left %{{.*}}, %{{.*}} : (tensor<3xui16>, tensor<1xui16>) -> tensor<3xui16>
// CHECK: muon.shift_right %{{.*}}, %{{.*}} : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xui16>
// CHECK: muon.div %{{.*}}, %{{.*}} : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xui16>
// CHECK: muon.shrink %{{.*}} {bias = 1.500000e+00 : f32, lambd = 1.500000e+00 : f32} : tensor<5xf32>
func.func @unsigned_and_shrink(%a: tensor<3xui16>, %b: tensor<1xui16>, %x: tensor<5xf32>) -> (tensor<3xui16>, tensor<5xf32>) {
  %0 = muon.shift_left %a, %b : (tensor<3xui16>, tensor<1xui16>) -> tensor<3xui16>
  %1 = muon.shift_right %0, %a : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xui16>
  %2 = muon.div %1, %a : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xui16>
  %3 = muon.shrink %x {bias = 1.5 : f32, lambd = 1.5 : f32} : tensor<5xf32>
  return %2, %3 : tensor<3xui16>, tensor<5xf32>
}
