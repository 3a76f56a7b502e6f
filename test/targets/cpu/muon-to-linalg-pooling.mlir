// RUN: muon-opt %s --muon-to-linalg --split-input-file | FileCheck %s

// Lowerings of PoolingToLinalg.cpp: taps or linalg pooling ops, their padding
// and divisors, derived by hand beside each case.

// MaxPool 3x3 stride 2 pad 1 on 8x8 (out 4, last window ends at 3 * 2 + 3 = 9 =
// 1 + 8): padding is -inf (0xFF800000), so it never wins. The window is taken
// tap by tap: tap (i, j) is the slice starting at (i, j) with stride 2, and
// one element-wise max combines the nine taps.
// CHECK-LABEL: func @max_pool
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x8x8xf32>)
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 0, 0]
// CHECK: tensor.yield %[[NINF]] : f32
// CHECK: tensor.extract_slice %[[P]][0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 2, 2] : tensor<1x2x9x9xf32> to tensor<1x2x4x4xf32>
// CHECK: tensor.extract_slice %[[P]][0, 0, 2, 2] [1, 2, 4, 4] [1, 1, 2, 2] : tensor<1x2x9x9xf32> to tensor<1x2x4x4xf32>
// CHECK: %[[R:.*]] = linalg.generic
// CHECK-COUNT-8: arith.maximumf
// CHECK: return %[[R]]
func.func @max_pool(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  %0 = muon.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// ceil_mode on 5x5, kernel 2, stride 2, no pads: out 3, the last window covers
// [4, 6), one row/column beyond the input, which is padded with -inf at the end.
// CHECK-LABEL: func @max_pool_ceil_mode
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NINF]] : f32
// CHECK: } : tensor<1x1x5x5xf32> to tensor<1x1x6x6xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 1, 1] [1, 1, 3, 3] [1, 1, 2, 2] : tensor<1x1x6x6xf32> to tensor<1x1x3x3xf32>
// CHECK-COUNT-3: arith.maximumf
func.func @max_pool_ceil_mode(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %0 = muon.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// AveragePool 3x3, stride 1, pad 1 on 4x4, count_include_pad = false: a sum
// of the nine taps of the zero-padded input, then a multiply by the reciprocal of the number of
// input elements under each window: 4 at the corners (1/4), 6 along the edges
// (1/6 = 0.166666672 in f32), 9 inside (1/9 = 0.111111112 in f32).
// The [4, 4] table is read at (h, w) of the [1, 1, 4, 4] sum.
// CHECK-DAG: #[[$HW:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[$ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @average_pool_exclude_pad
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x4x4xf32>)
// CHECK-DAG: %[[RECIP:.*]] = arith.constant dense<{{\[}}[2.500000e-01, 0.166666672, 0.166666672, 2.500000e-01], [0.166666672, 0.111111112, 0.111111112, 0.166666672], [0.166666672, 0.111111112, 0.111111112, 0.166666672], [2.500000e-01, 0.166666672, 0.166666672, 2.500000e-01]]> : tensor<4x4xf32>
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[ZERO]] : f32
// CHECK: tensor.extract_slice %[[P]][0, 0, 0, 0] [1, 1, 4, 4] [1, 1, 1, 1] : tensor<1x1x6x6xf32> to tensor<1x1x4x4xf32>
// CHECK: %[[SUM:.*]] = linalg.generic
// CHECK-COUNT-8: arith.addf
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$HW]], #[[$ID4]]], {{.*}}} ins(%[[SUM]], %[[RECIP]] : tensor<1x1x4x4xf32>, tensor<4x4xf32>)
// CHECK: ^bb0(%[[S:.*]]: f32, %[[D:.*]]: f32, %{{.*}}: f32):
// CHECK: arith.mulf %[[S]], %[[D]] : f32
// CHECK: return %[[R]]
func.func @average_pool_exclude_pad(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %0 = muon.average_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// count_include_pad = true: every window lies within the declared pads, so
// every divisor is 9.
// CHECK-LABEL: func @average_pool_include_pad
// CHECK: arith.constant dense<0.111111112> : tensor<4x4xf32>
// CHECK-COUNT-8: arith.addf
func.func @average_pool_include_pad(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %0 = muon.average_pool %x {count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// ceil_mode on 5x5, kernel 2, stride 2, count_include_pad = true: the padding
// ceil_mode adds is not a declared pad and never counts (as in ONNX Runtime and
// PyTorch), so the last row/column of windows holds 2 * 1 elements and the
// corner 1 * 1: [[1/4, 1/4, 1/2], [1/4, 1/4, 1/2], [1/2, 1/2, 1]].
// CHECK-LABEL: func @average_pool_ceil_mode
// CHECK-DAG: arith.constant dense<{{\[}}[2.500000e-01, 2.500000e-01, 5.000000e-01], [2.500000e-01, 2.500000e-01, 5.000000e-01], [5.000000e-01, 5.000000e-01, 1.000000e+00]]> : tensor<3x3xf32>
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 1, 1] [1, 1, 3, 3] [1, 1, 2, 2] : tensor<1x1x6x6xf32> to tensor<1x1x3x3xf32>
func.func @average_pool_ceil_mode(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %0 = muon.average_pool %x {ceil_mode = true, count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// 1-D AveragePool (rank 3) is a 2-D one over a height of 1. Kernel 3, pad 1 on
// width 5, count_include_pad = false: the windows hold 2, 3, 3, 3, 2 inputs, so
// the [5] table is [1/2, 1/3, 1/3, 1/3, 1/2] (1/3 = 0.333333343 in f32).
// CHECK-LABEL: func @average_pool_1d
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x5xf32>)
// CHECK-DAG: %[[RECIP:.*]] = arith.constant dense<[5.000000e-01, 0.333333343, 0.333333343, 0.333333343, 5.000000e-01]> : tensor<5xf32>
// CHECK: %[[X4:.*]] = tensor.expand_shape %[[X]] {{.*}} : tensor<1x2x5xf32> into tensor<1x2x1x5xf32>
// CHECK: tensor.pad %[[X4]] low[0, 0, 0, 1] high[0, 0, 0, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 2] [1, 2, 1, 5] [1, 1, 1, 1] : tensor<1x2x1x7xf32> to tensor<1x2x1x5xf32>
// CHECK: %[[SUM4:.*]] = linalg.generic
// CHECK: %[[SUM:.*]] = tensor.collapse_shape %[[SUM4]] {{.*}} : tensor<1x2x1x5xf32> into tensor<1x2x5xf32>
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %[[RECIP]] : tensor<1x2x5xf32>, tensor<5xf32>)
// CHECK: arith.mulf
func.func @average_pool_1d(%x: tensor<1x2x5xf32>) -> tensor<1x2x5xf32> {
  %0 = muon.average_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 3>, pads = array<i64: 1, 1>, strides = array<i64: 1>} : (tensor<1x2x5xf32>) -> tensor<1x2x5xf32>
  return %0 : tensor<1x2x5xf32>
}

// -----

// GlobalAveragePool over 7x7: a reduction over (h, w) into [N, C], a divide by
// 7 * 7 = 49, and a reshape back to [1, 8, 1, 1].
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$NC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-LABEL: func @global_average_pool
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x7x7xf32>)
// CHECK: %[[N:.*]] = arith.constant 4.900000e+01 : f32
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$NC]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<1x8x7x7xf32>) outs(%{{.*}} : tensor<1x8xf32>)
// CHECK: arith.addf
// CHECK: %[[AVG:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<1x8xf32>)
// CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.divf %[[S]], %[[N]] : f32
// CHECK: tensor.expand_shape %[[AVG]] {{.*}} : tensor<1x8xf32> into tensor<1x8x1x1xf32>
func.func @global_average_pool(%x: tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32> {
  %0 = muon.global_average_pool %x : (tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// -----

// CHECK-LABEL: func @global_max_pool
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}} : tensor<2x3x10xf32>) outs(%[[FILL]] : tensor<2x3xf32>)
// CHECK: arith.maximumf
// CHECK-NOT: arith.divf
// CHECK: tensor.expand_shape {{.*}} : tensor<2x3xf32> into tensor<2x3x1xf32>
func.func @global_max_pool(%x: tensor<2x3x10xf32>) -> tensor<2x3x1xf32> {
  %0 = muon.global_max_pool %x : (tensor<2x3x10xf32>) -> tensor<2x3x1xf32>
  return %0 : tensor<2x3x1xf32>
}

// -----

// A 3-D max pool reduces over the window loops (kd, kh, kw), whose bounds come
// from an empty [2, 2, 2] tensor, from -inf.
// CHECK-DAG: #[[$INP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2 * 2 + d5, d3 * 2 + d6, d4 * 2 + d7)>
// CHECK-DAG: #[[$WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d6, d7)>
// CHECK-LABEL: func @max_pool_3d
// CHECK-DAG: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[WINDOW:.*]] = tensor.empty() : tensor<2x2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$INP]], #[[$WIN]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%{{.*}}, %[[WINDOW]] : {{.*}}) outs(%[[INIT]] : tensor<1x2x2x2x2xf32>)
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
func.func @max_pool_3d(%x: tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xf32> {
  %0 = muon.max_pool %x {dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xf32>
  return %0 : tensor<1x2x2x2x2xf32>
}

// -----

// Max pooling of ui8: padding is 0 (uint8's lowest value, so it never wins)
// and the taps combine with maxui.
// CHECK-LABEL: func @max_pool_unsigned
// CHECK-DAG: %[[Z:.*]] = arith.constant 0 : i8
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK-NEXT: ^bb0
// CHECK-NEXT: tensor.yield %[[Z]] : i8
// CHECK: arith.maxui %{{.*}}, %{{.*}} : i8
// CHECK-NEXT: arith.maxui %{{.*}}, %{{.*}} : i8
// CHECK-NEXT: arith.maxui %{{.*}}, %{{.*}} : i8
// CHECK-NEXT: linalg.yield
func.func @max_pool_unsigned(%x: tensor<1x1x3x3xui8>) -> tensor<1x1x3x3xui8> {
  %0 = muon.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3xui8>) -> tensor<1x1x3x3xui8>
  return %0 : tensor<1x1x3x3xui8>
}

// -----

// MaxPool's Indices, column major (storage_order 1) on a 5x5 input, kernel 2,
// stride 2: the window element at (h, w) = (oh * 2 + kh, ow * 2 + kw) has index
// h + w * 5 (N = C = 1, so the slice offset folds away); a strictly greater
// element replaces both the maximum and its index.
// CHECK-LABEL: func @max_pool_indices
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32, %[[MAX:.*]]: f32, %[[IDX:.*]]: i64):
// CHECK-NEXT: %[[OW:.*]] = linalg.index 3 : index
// CHECK-NEXT: %[[OW2:.*]] = arith.muli %[[OW]], %[[C2]] : index
// CHECK-NEXT: %[[KW:.*]] = linalg.index 5 : index
// CHECK-NEXT: %[[W:.*]] = arith.addi %[[OW2]], %[[KW]] : index
// CHECK-NEXT: %[[OH:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[OH2:.*]] = arith.muli %[[OH]], %[[C2]] : index
// CHECK-NEXT: %[[KH:.*]] = linalg.index 4 : index
// CHECK-NEXT: %[[H:.*]] = arith.addi %[[OH2]], %[[KH]] : index
// CHECK-NEXT: %[[W5:.*]] = arith.muli %[[W]], %[[C5]] : index
// CHECK-NEXT: %[[I:.*]] = arith.addi %[[W5]], %[[H]] : index
// CHECK-NEXT: %[[GT:.*]] = arith.cmpf ogt, %[[X]], %[[MAX]] : f32
// CHECK-NEXT: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT: %[[M:.*]] = arith.select %[[GT]], %[[X]], %[[MAX]] : f32
// CHECK-NEXT: %[[J:.*]] = arith.select %[[GT]], %[[I64]], %[[IDX]] : i64
// CHECK-NEXT: linalg.yield %[[M]], %[[J]] : f32, i64
func.func @max_pool_indices(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xi64> {
  %0 = muon.max_pool_indices %x {column_major = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xi64>
  return %0 : tensor<1x1x2x2xi64>
}
