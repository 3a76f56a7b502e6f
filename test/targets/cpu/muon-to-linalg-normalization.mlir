// RUN: muon-opt %s --muon-to-linalg --split-input-file | FileCheck %s

// Lowerings of NormalizationToLinalg.cpp (BatchNorm, Softmax, LogSoftmax;
// LayerNorm is in muon-to-linalg-reduction.mlir with the reductions it is
// built from), derived by hand beside each case.

// (x - mean) / sqrt(var + eps) * scale + bias, the [C] parameters viewed as
// [C, 1, 1] and read at channel d1.
// CHECK-DAG: #[[$CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-LABEL: func @batch_norm
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x4x4xf32>, %[[S:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>, %[[M:.*]]: tensor<3xf32>, %[[V:.*]]: tensor<3xf32>)
// CHECK-DAG: %[[EPS:.*]] = arith.constant 1.000000e-03 : f32
// CHECK-DAG: %[[S3:.*]] = tensor.expand_shape %[[S]] {{.*}} into tensor<3x1x1xf32>
// CHECK-DAG: %[[B3:.*]] = tensor.expand_shape %[[B]] {{.*}} into tensor<3x1x1xf32>
// CHECK-DAG: %[[M3:.*]] = tensor.expand_shape %[[M]] {{.*}} into tensor<3x1x1xf32>
// CHECK-DAG: %[[V3:.*]] = tensor.expand_shape %[[V]] {{.*}} into tensor<3x1x1xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$CH]], #[[$CH]], #[[$CH]], #[[$CH]], #{{.*}}]{{.*}} ins(%[[X]], %[[S3]], %[[B3]], %[[M3]], %[[V3]] :
// CHECK: ^bb0(%[[x:.*]]: f32, %[[s:.*]]: f32, %[[b:.*]]: f32, %[[m:.*]]: f32, %[[v:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[VE:.*]] = arith.addf %[[v]], %[[EPS]] : f32
// CHECK: %[[SD:.*]] = math.sqrt %[[VE]] : f32
// CHECK: %[[C:.*]] = arith.subf %[[x]], %[[m]] : f32
// CHECK: %[[N:.*]] = arith.divf %[[C]], %[[SD]] : f32
// CHECK: %[[SC:.*]] = arith.mulf %[[N]], %[[s]] : f32
// CHECK: arith.addf %[[SC]], %[[b]] : f32
func.func @batch_norm(%x: tensor<1x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %0 = muon.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-3 : f32} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// softmax along axis 1 of [2, 10]: a max reduction (from -inf), a sum of
// exp(x - max) (from 0), then exp(x - max) / sum.
// CHECK-DAG: #[[$X:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$RED:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func @softmax
// CHECK-SAME: (%[[IN:.*]]: tensor<2x10xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[F1:.*]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[$X]], #[[$RED]]], iterator_types = ["parallel", "reduction"]} ins(%[[IN]] : tensor<2x10xf32>) outs(%[[F1]] : tensor<2xf32>)
// CHECK: arith.maximumf
// CHECK: %[[F2:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$X]], #[[$RED]], #[[$RED]]], iterator_types = ["parallel", "reduction"]} ins(%[[IN]], %[[MAX]] : tensor<2x10xf32>, tensor<2xf32>) outs(%[[F2]] : tensor<2xf32>)
// CHECK: ^bb0(%[[a:.*]]: f32, %[[mx:.*]]: f32, %[[acc:.*]]: f32):
// CHECK: %[[D:.*]] = arith.subf %[[a]], %[[mx]] : f32
// CHECK: %[[E:.*]] = math.exp %[[D]] : f32
// CHECK: arith.addf %[[E]], %[[acc]] : f32
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$X]], #[[$RED]], #[[$RED]], #[[$X]]], iterator_types = ["parallel", "parallel"]} ins(%[[IN]], %[[MAX]], %[[SUM]] : tensor<2x10xf32>, tensor<2xf32>, tensor<2xf32>)
// CHECK: ^bb0(%[[a2:.*]]: f32, %[[mx2:.*]]: f32, %[[s2:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[D2:.*]] = arith.subf %[[a2]], %[[mx2]] : f32
// CHECK: %[[E2:.*]] = math.exp %[[D2]] : f32
// CHECK: arith.divf %[[E2]], %[[s2]] : f32
// CHECK: return %[[R]]
func.func @softmax(%x: tensor<2x10xf32>) -> tensor<2x10xf32> {
  %0 = muon.softmax %x {axis = 1} : tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}

// -----

// log_softmax along axis 0 of [4, 3]: the reduced tensor is [3], read at d1;
// the result is (x - max) - log(sum).
// CHECK-DAG: #[[$RED0:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @log_softmax
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$RED0]]], iterator_types = ["reduction", "parallel"]} {{.*}} outs(%{{.*}} : tensor<3xf32>)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$RED0]], #[[$RED0]]], iterator_types = ["reduction", "parallel"]}
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: ^bb0(%[[a:.*]]: f32, %[[mx:.*]]: f32, %[[s:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[D:.*]] = arith.subf %[[a]], %[[mx]] : f32
// CHECK: %[[L:.*]] = math.log %[[s]] : f32
// CHECK: arith.subf %[[D]], %[[L]] : f32
func.func @log_softmax(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = muon.log_softmax %x {axis = 0} : tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}
