// RUN: muon-opt %s --muon-graph-pipeline | FileCheck %s

// The graph passes muonc runs on every model: the BatchNorm folds into the
// conv (eps = 1, var = [3, 15], scale = [1, 3] -> s = [0.5, 0.75];
// mean = [1, -1], bias = [0, 3] -> t = [-0.5, 3.75]; W = [[1, 2], [3, 4]]
// scaled by s per filter: [[0.5, 1], [2.25, 3]]; b = [0.5, 1] -> b * s + t
// = [-0.25, 4.5]), the transpose of a constant becomes a constant, and the
// unused relu is gone.
// CHECK-LABEL: func @graph
// CHECK-DAG: %[[W:.*]] = muon.constant dense<{{\[}}{{\[}}{{\[}}[5.000000e-01]], {{\[}}[1.000000e+00]]], {{\[}}{{\[}}[2.250000e+00]], {{\[}}[3.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = muon.constant dense<[-2.500000e-01, 4.500000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[T:.*]] = muon.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[Y:.*]] = muon.conv %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT: muon.batch_norm
// CHECK-NOT: muon.transpose
// CHECK-NOT: muon.relu
// CHECK: return %[[Y]], %[[T]]
func.func @graph(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<2x2xf32>) {
  %w = muon.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = muon.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %scale = muon.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %bias = muon.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %mean = muon.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %var = muon.constant dense<[3.0, 15.0]> : tensor<2xf32>
  %0 = muon.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = muon.batch_norm %0, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %m = muon.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %t = muon.transpose %m {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %unused = muon.relu %x : tensor<1x2x4x4xf32>
  return %1, %t : tensor<1x2x4x4xf32>, tensor<2x2xf32>
}
