// RUN: muon-opt %s --muon-constant-fold --split-input-file | FileCheck %s

// [[1,2,3],[4,5,6]] transposed is [[1,4],[2,5],[3,6]].
// CHECK-LABEL: func @transpose_of_constant
// CHECK-NOT: muon.transpose
// CHECK: muon.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
func.func @transpose_of_constant() -> tensor<3x2xf32> {
  %0 = muon.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %1 = muon.transpose %0 {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// A Linear layer as PyTorch exports it: B = [[1,2],[3,4],[5,6]] is [N=3, K=2].
// CHECK-LABEL: func @gemm_weight_pretransposed
// CHECK: %[[B:.*]] = muon.constant dense<{{\[}}[1.000000e+00, 3.000000e+00, 5.000000e+00], [2.000000e+00, 4.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK: muon.gemm %arg0, %[[B]] :
// CHECK-NOT: transB
func.func @gemm_weight_pretransposed(%a: tensor<1x2xf32>) -> tensor<1x3xf32> {
  %b = muon.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %0 = muon.gemm %a, %b {transB = true} : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

// [[1],[2]] + [10, 20, 30] broadcasts to [[11,21,31],[12,22,32]].
// CHECK-LABEL: func @broadcast_add_of_constants
// CHECK-NOT: muon.add
// CHECK: muon.constant dense<{{\[}}[1.100000e+01, 2.100000e+01, 3.100000e+01], [1.200000e+01, 2.200000e+01, 3.200000e+01]]> : tensor<2x3xf32>
func.func @broadcast_add_of_constants() -> tensor<2x3xf32> {
  %0 = muon.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %1 = muon.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %2 = muon.add %0, %1 : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}

// -----

// Concatenating [[1,2],[3,4]] and [[5],[6]] along axis 1 gives [[1,2,5],[3,4,6]].
// CHECK-LABEL: func @concat_of_constants
// CHECK-NOT: muon.concat
// CHECK: muon.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 5.000000e+00], [3.000000e+00, 4.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
func.func @concat_of_constants() -> tensor<2x3xf32> {
  %0 = muon.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %1 = muon.constant dense<[[5.0], [6.0]]> : tensor<2x1xf32>
  %2 = muon.concat %0, %1 {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}

// -----

// 6 / [2, 4] = [3, 1.5]; 1 - [3, 1.5] = [-2, -0.5]: chains fold completely.
// CHECK-LABEL: func @chain_of_constants
// CHECK-NOT: muon.div
// CHECK-NOT: muon.sub
// CHECK: muon.constant dense<[-2.000000e+00, -5.000000e-01]> : tensor<2xf32>
func.func @chain_of_constants() -> tensor<2xf32> {
  %six = muon.constant dense<6.0> : tensor<1xf32>
  %one = muon.constant dense<1.0> : tensor<1xf32>
  %d = muon.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %0 = muon.div %six, %d : (tensor<1xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = muon.sub %one, %0 : (tensor<1xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @keeps_ops_on_inputs
// CHECK: muon.transpose %arg0
// CHECK: muon.add %arg0
// CHECK: muon.gemm %arg1, %arg2 {transB = true}
func.func @keeps_ops_on_inputs(%x: tensor<2x2xf32>, %a: tensor<1x2xf32>, %b: tensor<3x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<1x3xf32>) {
  %c = muon.constant dense<1.0> : tensor<2x2xf32>
  %0 = muon.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %1 = muon.add %x, %c : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %2 = muon.gemm %a, %b {transB = true} : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<2x2xf32>, tensor<1x3xf32>
}
