// RUN: muon-opt %s --muon-dce --split-input-file | FileCheck %s

// An unused chain disappears entirely; what the result needs stays.
// CHECK-LABEL: func @removes_unused_chain
// CHECK-NEXT: %[[R:.*]] = muon.relu %arg0
// CHECK-NEXT: return %[[R]]
func.func @removes_unused_chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = muon.constant dense<2.0> : tensor<4xf32>
  %0 = muon.mul %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = muon.sigmoid %0 : tensor<4xf32>
  %2 = muon.relu %x : tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @keeps_everything_used
// CHECK: muon.constant
// CHECK: muon.mul
// CHECK: muon.sigmoid
func.func @keeps_everything_used(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = muon.constant dense<2.0> : tensor<4xf32>
  %0 = muon.mul %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = muon.sigmoid %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}
