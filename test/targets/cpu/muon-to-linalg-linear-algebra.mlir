// RUN: muon-opt %s --muon-to-linalg --split-input-file | FileCheck %s

// Lowerings of LinearAlgebraToLinalg.cpp (Det, Gemm, MatMul, Conv): which
// linalg op, its indexing maps, its padding and its accumulator, derived by
// hand beside each case.

// Det of [3,2,2]: an scf.for over the 3 matrices carries the working copy
// and the [3] result; per matrix, a loop over the 2 columns carries the copy
// and the determinant (starting at 1): a pivot search over rows k..2 keeps
// the largest |a[i][k]|, a loop over the columns swaps rows k and the pivot
// row, the determinant is negated on a swap and multiplied by the pivot, and
// rows k+1..2 subtract factor * row k (factor 0 when the pivot is 0).
// CHECK-LABEL: func @det
// CHECK-SAME: (%[[X:.*]]: tensor<3x2x2xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[MINUS:.*]] = arith.constant -1.000000e+00 : f32
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<3xf32>
// CHECK: %[[LOOP:.*]]:2 = scf.for %[[M:.*]] = %[[C0]] to %[[C3]] step %[[C1]] iter_args(%[[WORK:.*]] = %[[X]], %[[OUT:.*]] = %[[EMPTY]])
// CHECK: %[[COLS:.*]]:2 = scf.for %[[K:.*]] = %[[C0]] to %[[C2]] step %[[C1]] iter_args(%[[W:.*]] = %[[WORK]], %[[DET:.*]] = %[[ONE]])
// CHECK: %[[SEARCH:.*]]:2 = scf.for %[[I:.*]] = %[[K]] to %[[C2]] step %[[C1]] iter_args(%[[P:.*]] = %[[K]], %[[BEST:.*]] = %[[MINUS]])
// CHECK: %[[E:.*]] = tensor.extract %[[W]][%[[M]], %[[I]], %[[K]]]
// CHECK: %[[ABS:.*]] = math.absf %[[E]]
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[ABS]], %[[BEST]]
// CHECK: scf.for {{.*}} = %[[C0]] to %[[C2]]
// CHECK: tensor.insert
// CHECK: tensor.insert
// CHECK: %[[MOVED:.*]] = arith.cmpi ne, %[[SEARCH]]#0, %[[K]]
// CHECK: %[[NEG:.*]] = arith.negf %[[DET]]
// CHECK: %[[SIGNED:.*]] = arith.select %[[MOVED]], %[[NEG]], %[[DET]]
// CHECK: %[[PIVOT:.*]] = tensor.extract %{{.*}}[%[[M]], %[[K]], %[[K]]]
// CHECK: %[[NEWDET:.*]] = arith.mulf %[[SIGNED]], %[[PIVOT]]
// CHECK: %[[SINGULAR:.*]] = arith.cmpf oeq, %[[PIVOT]], %[[ZERO]]
// CHECK: %[[BELOW:.*]] = arith.addi %[[K]], %[[C1]]
// CHECK: scf.for %{{.*}} = %[[BELOW]] to %[[C2]]
// CHECK: arith.divf %{{.*}}, %[[PIVOT]]
// CHECK: arith.select %[[SINGULAR]], %[[ZERO]]
// CHECK: scf.for %{{.*}} = %[[K]] to %[[C2]]
// CHECK: arith.mulf
// CHECK: arith.subf
// CHECK: scf.yield %{{.*}}, %[[NEWDET]]
// CHECK: %[[RES:.*]] = tensor.insert %[[COLS]]#1 into %[[OUT]][%[[M]]]
// CHECK: scf.yield %[[COLS]]#0, %[[RES]]
// CHECK: return %[[LOOP]]#1
func.func @det(%x: tensor<3x2x2xf32>) -> tensor<3xf32> {
  %0 = muon.det %x : (tensor<3x2x2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// nn.Linear: transB becomes a linalg.transpose of B; the bias C [4] is
// broadcast into the [2, 4] accumulator (map (d0, d1) -> (d1)) before the
// matmul adds the product onto it.
// CHECK-DAG: #[[$BIAS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @gemm_trans_b_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[W:.*]]: tensor<4x3xf32>, %[[C:.*]]: tensor<4xf32>)
// CHECK: %[[TE:.*]] = tensor.empty() : tensor<3x4xf32>
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<4x3xf32>) outs(%[[TE]] : tensor<3x4xf32>) permutation = [1, 0]
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[$BIAS]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[C]] : tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[X]], %[[WT]] : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK: return %[[R]]
func.func @gemm_trans_b_bias(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = muon.gemm %x, %w, %b {transB = true} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Without transB, B is used as is; transA transposes A [3, 2] to [2, 3].
// No C: the accumulator is zero-filled.
// CHECK-LABEL: func @gemm_trans_a_no_c
// CHECK-SAME: (%[[A:.*]]: tensor<3x2xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[AT:.*]] = linalg.transpose ins(%[[A]] : tensor<3x2xf32>) outs(%{{.*}} : tensor<2x3xf32>) permutation = [1, 0]
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: linalg.matmul ins(%[[AT]], %[[B]] : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[FILL]] : tensor<2x4xf32>)
// CHECK-NOT: linalg.transpose
func.func @gemm_trans_a_no_c(%a: tensor<3x2xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = muon.gemm %a, %b {transA = true} : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// alpha = 1, beta = 2: the accumulator is pre-loaded with 2 * C.
// CHECK-LABEL: func @gemm_beta
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>, %[[C:.*]]: tensor<2x4xf32>)
// CHECK: %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%[[C]] : tensor<2x4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.mulf %[[IN]], %[[TWO]] : f32
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[A]], %[[B]] : {{.*}}) outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @gemm_beta(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = muon.gemm %a, %b, %c {beta = 2.0 : f32} : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// alpha = 0.5 with C [4], beta 3: the product starts from zero and an epilogue
// computes 0.5 * AB + 3 * C, C broadcast along rows.
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @gemm_alpha
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>, %[[C:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[THREE:.*]] = arith.constant 3.000000e+00 : f32
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: %[[P:.*]] = linalg.matmul ins(%[[A]], %[[B]] : {{.*}}) outs(%[[FILL]] : tensor<2x4xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]], #[[$ID]]], {{.*}}} ins(%[[P]], %[[C]] : tensor<2x4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[AB:.*]]: f32, %[[CV:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG: %[[S1:.*]] = arith.mulf %[[AB]], %[[HALF]] : f32
// CHECK-DAG: %[[S2:.*]] = arith.mulf %[[CV]], %[[THREE]] : f32
// CHECK: arith.addf %[[S1]], %[[S2]] : f32
// CHECK: return %[[R]]
func.func @gemm_alpha(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = muon.gemm %a, %b, %c {alpha = 0.5 : f32, beta = 3.0 : f32} : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// [8, 16] x [16, 4]: one linalg.matmul into a zero-filled accumulator.
// CHECK-LABEL: func @matmul_2d
// CHECK-SAME: (%[[A:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<16x4xf32>)
// CHECK: %[[FILL:.*]] = linalg.fill
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<8x16xf32>, tensor<16x4xf32>) outs(%[[FILL]] : tensor<8x4xf32>)
// CHECK: return %[[R]]
func.func @matmul_2d(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>) -> tensor<8x4xf32> {
  %0 = muon.matmul %a, %b : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// Both operands batched, same batch [2, 3] = 6: one batch_matmul over the
// flattened batch, reshaped back.
// CHECK-LABEL: func @matmul_batched
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x8x16xf32>, %[[B:.*]]: tensor<2x3x16x4xf32>)
// CHECK-DAG: %[[A3:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2], [3]] : tensor<2x3x8x16xf32> into tensor<6x8x16xf32>
// CHECK-DAG: %[[B3:.*]] = tensor.collapse_shape %[[B]] {{\[}}[0, 1], [2], [3]] : tensor<2x3x16x4xf32> into tensor<6x16x4xf32>
// CHECK: %[[R:.*]] = linalg.batch_matmul ins(%[[A3]], %[[B3]] : tensor<6x8x16xf32>, tensor<6x16x4xf32>) outs(%{{.*}} : tensor<6x8x4xf32>)
// CHECK: %[[E:.*]] = tensor.expand_shape %[[R]] {{\[}}[0, 1], [2], [3]] output_shape [2, 3, 8, 4] : tensor<6x8x4xf32> into tensor<2x3x8x4xf32>
// CHECK: return %[[E]]
func.func @matmul_batched(%a: tensor<2x3x8x16xf32>, %b: tensor<2x3x16x4xf32>) -> tensor<2x3x8x4xf32> {
  %0 = muon.matmul %a, %b : (tensor<2x3x8x16xf32>, tensor<2x3x16x4xf32>) -> tensor<2x3x8x4xf32>
  return %0 : tensor<2x3x8x4xf32>
}

// -----

// Batch [1] and [3] broadcast to [3]: the lhs is materialised at batch 3 by a
// generic that reads batch index 0.
// CHECK-DAG: #[[$B0:.*]] = affine_map<(d0, d1, d2) -> (0, d1, d2)>
// CHECK-LABEL: func @matmul_batch_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<1x8x16xf32>, %[[B:.*]]: tensor<3x16x4xf32>)
// CHECK: %[[AB:.*]] = linalg.generic {indexing_maps = [#[[$B0]], {{.*}}]{{.*}} ins(%[[A]] : tensor<1x8x16xf32>) outs(%{{.*}} : tensor<3x8x16xf32>)
// CHECK: %[[R:.*]] = linalg.batch_matmul ins(%[[AB]], %[[B]] : tensor<3x8x16xf32>, tensor<3x16x4xf32>) outs(%{{.*}} : tensor<3x8x4xf32>)
// CHECK: return %[[R]]
func.func @matmul_batch_broadcast(%a: tensor<1x8x16xf32>, %b: tensor<3x16x4xf32>) -> tensor<3x8x4xf32> {
  %0 = muon.matmul %a, %b : (tensor<1x8x16xf32>, tensor<3x16x4xf32>) -> tensor<3x8x4xf32>
  return %0 : tensor<3x8x4xf32>
}

// -----

// [2, 8, 16] x [16, 4]: the batch folds into the rows (2 * 8 = 16) of one matmul.
// CHECK-LABEL: func @matmul_batch_into_rows
// CHECK-SAME: (%[[A:.*]]: tensor<2x8x16xf32>, %[[B:.*]]: tensor<16x4xf32>)
// CHECK: %[[A2:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2]] : tensor<2x8x16xf32> into tensor<16x16xf32>
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[A2]], %[[B]] : tensor<16x16xf32>, tensor<16x4xf32>) outs(%{{.*}} : tensor<16x4xf32>)
// CHECK: tensor.expand_shape %[[R]] {{\[}}[0, 1], [2]] output_shape [2, 8, 4] : tensor<16x4xf32> into tensor<2x8x4xf32>
// CHECK-NOT: linalg.batch_matmul
func.func @matmul_batch_into_rows(%a: tensor<2x8x16xf32>, %b: tensor<16x4xf32>) -> tensor<2x8x4xf32> {
  %0 = muon.matmul %a, %b : (tensor<2x8x16xf32>, tensor<16x4xf32>) -> tensor<2x8x4xf32>
  return %0 : tensor<2x8x4xf32>
}

// -----

// group 1, stride 1, pads 1: out = 8, the last window ends at (8 - 1) * 1 + 3 = 10
// = 1 + 8 + 1, so both pads stay 1. The bias [4] is viewed as [4, 1, 1] and
// broadcast into the accumulator (map (n, f, h, w) -> (f, 0, 0)).
// CHECK-DAG: #[[$CBIAS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-LABEL: func @conv_padded_bias
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[ZERO]] : f32
// CHECK: } : tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
// CHECK: %[[B3:.*]] = tensor.expand_shape %[[B]] {{\[}}[0, 1, 2]] output_shape [4, 1, 1] : tensor<4xf32> into tensor<4x1x1xf32>
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[$CBIAS]], {{.*}}]{{.*}} ins(%[[B3]] : tensor<4x1x1xf32>) outs(%{{.*}} : tensor<1x4x8x8xf32>)
// CHECK: %[[R:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[P]], %[[W]] : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%[[INIT]] : tensor<1x4x8x8xf32>)
// CHECK: return %[[R]]
func.func @conv_padded_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %0 = muon.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// Stride 2 with pads 1 on 8: out = floor((8 + 2 - 3) / 2) + 1 = 4; the last
// window ends at (4 - 1) * 2 + 3 = 9 = 1 + 8, so the end pad row/column is never
// read and only the begin pads are materialised: 1x3x9x9. Dilation 1 x 2 and
// strides 2 x 1 are passed through in (H, W) order.
// CHECK-LABEL: func @conv_strided_unread_end_pad
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 0, 0]
// CHECK: linalg.fill
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) outs(%{{.*}} : tensor<1x4x4x4xf32>)
// H: 8 - 2 - 1 = 5, floor(5 / 2) + 1 = 3; W: 8 - 2 * 2 - 1 = 3, 3 / 1 + 1 = 4.
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%{{.*}} : tensor<1x4x3x4xf32>)
func.func @conv_strided_unread_end_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x3x4xf32>) {
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  %1 = muon.conv %x, %w {dilations = array<i64: 1, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x4xf32>
  return %0, %1 : tensor<1x4x4x4xf32>, tensor<1x4x3x4xf32>
}

// -----

// Depthwise (group = C = F = 4), tap by tap: the nine taps of the padded
// input (tap (i, j) starts at (i, j), stride 1), weight [4, 1, 3, 3] as nine
// columns of [4, 9], and one element-wise sum of tap * weight.
// CHECK-LABEL: func @conv_depthwise
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8x8xf32>, %[[W:.*]]: tensor<4x1x3x3xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.extract_slice %[[P]][0, 0, 0, 0] [1, 4, 8, 8] [1, 1, 1, 1] : tensor<1x4x10x10xf32> to tensor<1x4x8x8xf32>
// CHECK: tensor.extract_slice %[[P]][0, 0, 2, 2] [1, 4, 8, 8] [1, 1, 1, 1]
// CHECK: %[[COLS:.*]] = tensor.collapse_shape %[[W]] {{.*}} : tensor<4x1x3x3xf32> into tensor<4x9xf32>
// CHECK: tensor.extract_slice %[[COLS]][0, 8] [4, 1] [1, 1]
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x8x8xf32>)
// CHECK-COUNT-9: math.fma
// CHECK-NOT: linalg.conv_2d
func.func @conv_depthwise(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, group = 4 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// Grouped, group 2: 8 channels -> [2, 4], 6 filters -> [2, 3]; weight
// [6, 4, 3, 3] -> [2, 3, 4, 3, 3]; output [1, 2, 3, 4, 4] back to [1, 6, 4, 4]
// (6 - 3 + 1 = 4).
// CHECK-LABEL: func @conv_grouped
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x6x6xf32>, %[[W:.*]]: tensor<6x4x3x3xf32>)
// CHECK-DAG: %[[X5:.*]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 4, 6, 6] : tensor<1x8x6x6xf32> into tensor<1x2x4x6x6xf32>
// CHECK-DAG: %[[W5:.*]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 4, 3, 3] : tensor<6x4x3x3xf32> into tensor<2x3x4x3x3xf32>
// CHECK: %[[R5:.*]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[X5]], %[[W5]] : tensor<1x2x4x6x6xf32>, tensor<2x3x4x3x3xf32>) outs(%{{.*}} : tensor<1x2x3x4x4xf32>)
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[R5]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x4x4xf32> into tensor<1x6x4x4xf32>
// CHECK: return %[[R]]
func.func @conv_grouped(%x: tensor<1x8x6x6xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x4x4xf32> {
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x6x6xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// -----

// 1-D: a 2-D convolution over a height of 1; pads [2, 2] become W pads only.
// 16 + 2 + 2 - 5 + 1 = 16.
// CHECK-LABEL: func @conv_1d
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x16xf32>, %[[W:.*]]: tensor<8x4x5xf32>)
// CHECK-DAG: %[[X4:.*]] = tensor.expand_shape %[[X]] {{.*}} : tensor<1x4x16xf32> into tensor<1x4x1x16xf32>
// CHECK-DAG: %[[W4:.*]] = tensor.expand_shape %[[W]] {{.*}} : tensor<8x4x5xf32> into tensor<8x4x1x5xf32>
// CHECK: %[[P:.*]] = tensor.pad %[[X4]] low[0, 0, 0, 2] high[0, 0, 0, 2]
// CHECK: %[[R:.*]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[P]], %[[W4]] : tensor<1x4x1x20xf32>, tensor<8x4x1x5xf32>) outs(%{{.*}} : tensor<1x8x1x16xf32>)
// CHECK: tensor.collapse_shape %[[R]] {{.*}} : tensor<1x8x1x16xf32> into tensor<1x8x16xf32>
func.func @conv_1d(%x: tensor<1x4x16xf32>, %w: tensor<8x4x5xf32>) -> tensor<1x8x16xf32> {
  %0 = muon.conv %x, %w {dilations = array<i64: 1>, pads = array<i64: 2, 2>, strides = array<i64: 1>} : (tensor<1x4x16xf32>, tensor<8x4x5xf32>) -> tensor<1x8x16xf32>
  return %0 : tensor<1x8x16xf32>
}

// -----

// A 3-D convolution with 2 groups is one generic loop nest over
// (n, g, f, od, oh, ow, c, kd, kh, kw): input [1, 4, ...] viewed as
// [N, G, C/G, ...] = [1, 2, 2, ...] read at o * 2 + k (stride 2), weight
// [6, 2, ...] as [G, F/G, C/G, ...] = [2, 3, 2, ...], accumulating x * w onto
// the bias broadcast from [6, 1, 1, 1]. The end pads (1 each) are not needed:
// (2 - 1) * 2 + 3 = 5 fits the input.
// CHECK-DAG: #[[$IN3:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d1, d6, d3 * 2 + d7, d4 * 2 + d8, d5 * 2 + d9)>
// CHECK-DAG: #[[$W3:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d1, d2, d6, d7, d8, d9)>
// CHECK-DAG: #[[$OUT3:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-LABEL: func @conv_3d_grouped
// CHECK: tensor.expand_shape %{{.*}} : tensor<6xf32> into tensor<6x1x1x1xf32>
// CHECK: %[[BIAS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x6x2x2x2xf32>)
// CHECK-DAG: %[[X:.*]] = tensor.expand_shape %{{.*}} : tensor<1x4x5x5x5xf32> into tensor<1x2x2x5x5x5xf32>
// CHECK-DAG: %[[W:.*]] = tensor.expand_shape %{{.*}} : tensor<6x2x3x3x3xf32> into tensor<2x3x2x3x3x3xf32>
// CHECK-DAG: %[[INIT:.*]] = tensor.expand_shape %[[BIAS]] {{.*}} : tensor<1x6x2x2x2xf32> into tensor<1x2x3x2x2x2xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$IN3]], #[[$W3]], #[[$OUT3]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%[[X]], %[[W]] : {{.*}}) outs(%[[INIT]] : {{.*}})
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK: tensor.collapse_shape %[[R]] {{.*}} : tensor<1x2x3x2x2x2xf32> into tensor<1x6x2x2x2xf32>
func.func @conv_3d_grouped(%x: tensor<1x4x5x5x5xf32>, %w: tensor<6x2x3x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x2x2x2xf32> {
  %0 = muon.conv %x, %w, %b {dilations = array<i64: 1, 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 1, 1, 1>, strides = array<i64: 2, 2, 2>} : (tensor<1x4x5x5x5xf32>, tensor<6x2x3x3x3xf32>, tensor<6xf32>) -> tensor<1x6x2x2x2xf32>
  return %0 : tensor<1x6x2x2x2xf32>
}
