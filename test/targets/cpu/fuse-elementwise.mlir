// RUN: muon-opt %s --muon-fuse-elementwise --split-input-file | FileCheck %s
// RUN: muon-opt %s --muon-fuse-elementwise --split-input-file --remarks-filter=muon-fuse-elementwise --remark-format=emitRemark -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

#map = affine_map<(d0, d1) -> (d0, d1)>

// An element-wise chain becomes one op: the sum is computed where the
// ReLU needs it, with no tensor between them.
// CHECK-LABEL: func @chain
// REMARK: remark: [Analysis] ElementwiseFusion | Category:muon-fuse-elementwise | linalg_ops_after=1, linalg_ops_before=2
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK-NEXT: arith.maximumf
// CHECK-NOT: linalg.generic
func.func @chain(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e0 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %e1 = tensor.empty() : tensor<4x8xf32>
  %relu = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<4x8xf32>) outs(%e1 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %out: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %relu : tensor<4x8xf32>
}

// -----

#map = affine_map<(d0, d1) -> (d0, d1)>

// A contraction keeps its element-wise operand apart: fused, the sum would
// be recomputed for each of the 3 columns, and the matmul would be a
// generic op that tile-and-vectorize does not block.
// CHECK-LABEL: func @not_into_a_contraction
// REMARK: remark: [Analysis] ElementwiseFusion | Category:muon-fuse-elementwise | linalg_ops_after=2, linalg_ops_before=2
// CHECK: %[[SUM:.*]] = linalg.generic
// CHECK: arith.addf
// CHECK: linalg.matmul ins(%[[SUM]],
func.func @not_into_a_contraction(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>, %w: tensor<8x3xf32>, %acc: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %e0 = tensor.empty() : tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e0 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %r = linalg.matmul ins(%sum, %w : tensor<4x8xf32>, tensor<8x3xf32>) outs(%acc : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

#map = affine_map<(d0, d1) -> (d0, d1)>

// A producer with two users stays: fused into both, it would be computed
// twice.
// CHECK-LABEL: func @not_with_two_users
// REMARK: remark: [Analysis] ElementwiseFusion | Category:muon-fuse-elementwise | linalg_ops_after=3, linalg_ops_before=3
// CHECK-COUNT-3: linalg.generic
func.func @not_with_two_users(%a: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %out: f32):
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<4x8xf32>
  %neg = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%exp : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %out: f32):
    %y = arith.negf %x : f32
    linalg.yield %y : f32
  } -> tensor<4x8xf32>
  %abs = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%exp : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %out: f32):
    %y = math.absf %x : f32
    linalg.yield %y : f32
  } -> tensor<4x8xf32>
  return %neg, %abs : tensor<4x8xf32>, tensor<4x8xf32>
}
