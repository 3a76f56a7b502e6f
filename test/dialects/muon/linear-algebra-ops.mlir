// RUN: muon-opt %s --split-input-file | muon-opt | FileCheck %s
// RUN: muon-opt %s --split-input-file --mlir-print-op-generic | muon-opt | FileCheck %s

// The ops of dialects/muon/LinearAlgebraOps.td, parsed, printed and parsed
// again. Det-11: [..., n, n] -> [...].
// CHECK-LABEL: func @det
// CHECK: muon.det %{{.*}} : (tensor<3x2x2xf32>) -> tensor<3xf32>
// CHECK: muon.det %{{.*}} : (tensor<4x4xf64>) -> tensor<f64>
func.func @det(%x: tensor<3x2x2xf32>, %y: tensor<4x4xf64>) -> (tensor<3xf32>, tensor<f64>) {
  %0 = muon.det %x : (tensor<3x2x2xf32>) -> tensor<3xf32>
  %1 = muon.det %y : (tensor<4x4xf64>) -> tensor<f64>
  return %0, %1 : tensor<3xf32>, tensor<f64>
}
