// RUN: muon-opt %s --muon-to-linalg --split-input-file | FileCheck %s

// One case per op family, checking the essential structure of the lowering:
// which linalg op, its indexing maps, its padding and its accumulator.
// Padding and divisor values are derived by hand beside each case.

//===----------------------------------------------------------------------===//
// Element-wise ops
//===----------------------------------------------------------------------===//

// ONNX broadcasting aligns dimensions at the right; a size-1 dimension of an
// operand is read at index 0 (affine constant 0) when the result's is not 1.
//   lhs [2,1,4] in [2,3,4] -> (d0, 0, d2);  rhs [3,1] -> dims d1, d2 -> (d1, 0)
// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[$ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func @add_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<2x1x4xf32>, %[[B:.*]]: tensor<3x1xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3x4xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$ID3]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<2x1x4xf32>, tensor<3x1xf32>) outs(%[[E]] : tensor<2x3x4xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK: linalg.yield %[[S]]
// CHECK-NOT: muon.
// CHECK: return %[[R]]
func.func @add_broadcast(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = muon.add %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A size-1 dimension that is also 1 in the result keeps its dimension
// expression; a rank-0 operand reads no index at all.
// CHECK-DAG: #[[$ONE:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func @mul_scalar
// CHECK: linalg.generic {indexing_maps = [#[[$ONE]], #[[$SCALAR]], #[[$ONE]]]
// CHECK: arith.mulf
func.func @mul_scalar(%a: tensor<1x5xf32>, %s: tensor<f32>) -> tensor<1x5xf32> {
  %0 = muon.mul %a, %s : (tensor<1x5xf32>, tensor<f32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// -----

// Integer Sub/Div use the integer arith ops (ONNX Div on integers truncates, as divsi does).
// CHECK-LABEL: func @integer_binary
// CHECK: linalg.generic
// CHECK: arith.subi
// CHECK: linalg.generic
// CHECK: arith.divsi
func.func @integer_binary(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = muon.sub %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = muon.div %0, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %1 : tensor<4xi32>
}

// -----

// The scalar constants are hoisted to the function entry (and deduplicated) by
// the rewrite driver; commutative ops get the constant on the right.
// CHECK-LABEL: func @unary
// CHECK-DAG: %[[SIX:.*]] = arith.constant 6.000000e+00 : f32
// CHECK-DAG: %[[ALPHA:.*]] = arith.constant 1.000000e-01 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// Relu: max(x, 0).
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X0:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R0:.*]] = arith.maximumf %[[X0]], %[[ZERO]] : f32
// CHECK-NEXT: linalg.yield %[[R0]] : f32
// Sigmoid: 1 / (1 + exp(-x)).
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X1:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[N:.*]] = arith.negf %[[X1]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[N]] : f32
// CHECK-NEXT: %[[D:.*]] = arith.addf %[[E]], %[[ONE]] : f32
// CHECK-NEXT: %[[R1:.*]] = arith.divf %[[ONE]], %[[D]] : f32
// CHECK-NEXT: linalg.yield %[[R1]] : f32
// LeakyRelu: x < 0 ? alpha * x : x.
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X2:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[NEG:.*]] = arith.cmpf olt, %[[X2]], %[[ZERO]] : f32
// CHECK-NEXT: %[[SC:.*]] = arith.mulf %[[X2]], %[[ALPHA]] : f32
// CHECK-NEXT: %[[R2:.*]] = arith.select %[[NEG]], %[[SC]], %[[X2]] : f32
// CHECK-NEXT: linalg.yield %[[R2]] : f32
// Clip to [0, 6]: min(max(x, 0), 6).
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X3:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[X3]], %[[ZERO]] : f32
// CHECK-NEXT: %[[R3:.*]] = arith.minimumf %[[M]], %[[SIX]] : f32
// CHECK-NEXT: linalg.yield %[[R3]] : f32
// Tanh, Exp, Log, Sqrt, Abs, Neg map to one math/arith op each.
// CHECK: math.tanh
// CHECK: math.exp
// CHECK: math.log
// CHECK: math.sqrt
// CHECK: math.absf
// CHECK: arith.negf
// CHECK-NOT: muon.
func.func @unary(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = muon.relu %x : tensor<2x3xf32>
  %1 = muon.sigmoid %0 : tensor<2x3xf32>
  %2 = muon.leaky_relu %1 {alpha = 0.1 : f32} : tensor<2x3xf32>
  %3 = muon.clip %2 {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3xf32>
  %4 = muon.tanh %3 : tensor<2x3xf32>
  %5 = muon.exp %4 : tensor<2x3xf32>
  %6 = muon.log %5 : tensor<2x3xf32>
  %7 = muon.sqrt %6 : tensor<2x3xf32>
  %8 = muon.abs %7 : tensor<2x3xf32>
  %9 = muon.neg %8 : tensor<2x3xf32>
  return %9 : tensor<2x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Gemm and MatMul
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

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

// -----

//===----------------------------------------------------------------------===//
// Data movement and constants
//===----------------------------------------------------------------------===//

// Channel concat: offsets along axis 1 are 0, 64 and 64 + 32 = 96.
// CHECK-LABEL: func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<1x64x4x4xf32>, %[[B:.*]]: tensor<1x32x4x4xf32>, %[[C:.*]]: tensor<1x16x4x4xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x112x4x4xf32>
// CHECK: %[[R0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0, 0, 0] [1, 64, 4, 4] [1, 1, 1, 1] : tensor<1x64x4x4xf32> into tensor<1x112x4x4xf32>
// CHECK: %[[R1:.*]] = tensor.insert_slice %[[B]] into %[[R0]][0, 64, 0, 0] [1, 32, 4, 4] [1, 1, 1, 1] : tensor<1x32x4x4xf32> into tensor<1x112x4x4xf32>
// CHECK: %[[R2:.*]] = tensor.insert_slice %[[C]] into %[[R1]][0, 96, 0, 0] [1, 16, 4, 4] [1, 1, 1, 1] : tensor<1x16x4x4xf32> into tensor<1x112x4x4xf32>
// CHECK: return %[[R2]]
func.func @concat(%a: tensor<1x64x4x4xf32>, %b: tensor<1x32x4x4xf32>, %c: tensor<1x16x4x4xf32>) -> tensor<1x112x4x4xf32> {
  %0 = muon.concat %a, %b, %c {axis = 1} : (tensor<1x64x4x4xf32>, tensor<1x32x4x4xf32>, tensor<1x16x4x4xf32>) -> tensor<1x112x4x4xf32>
  return %0 : tensor<1x112x4x4xf32>
}

// -----

// Flatten [1, 512, 1, 1] -> [1, 512] is one collapse; [1, 512] -> [1, 8, 64]
// one expand; [2, 3, 4] -> [4, 6] has no common refinement (2 * 3 * 4 vs 4 * 6
// split at different places), so it goes through [24].
// CHECK-LABEL: func @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<1x512x1x1xf32>, %[[V:.*]]: tensor<1x512xf32>, %[[Y:.*]]: tensor<2x3x4xf32>)
// CHECK: tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2, 3]] : tensor<1x512x1x1xf32> into tensor<1x512xf32>
// CHECK: tensor.expand_shape %[[V]] {{\[}}[0], [1, 2]] output_shape [1, 8, 64] : tensor<1x512xf32> into tensor<1x8x64xf32>
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[Y]] {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [4, 6] : tensor<24xf32> into tensor<4x6xf32>
func.func @reshape(%x: tensor<1x512x1x1xf32>, %v: tensor<1x512xf32>, %y: tensor<2x3x4xf32>) -> (tensor<1x512xf32>, tensor<1x8x64xf32>, tensor<4x6xf32>) {
  %0 = muon.reshape %x : (tensor<1x512x1x1xf32>) -> tensor<1x512xf32>
  %1 = muon.reshape %v : (tensor<1x512xf32>) -> tensor<1x8x64xf32>
  %2 = muon.reshape %y : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
  return %0, %1, %2 : tensor<1x512xf32>, tensor<1x8x64xf32>, tensor<4x6xf32>
}

// -----

// reshape(reshape(x)) folds into one reshape before lowering (ReshapeOp::fold):
// [1, 512, 1, 1] -> [1, 8, 64] directly, through [512] (no common refinement).
// CHECK-LABEL: func @reshape_chain
// CHECK-SAME: (%[[X:.*]]: tensor<1x512x1x1xf32>)
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1, 2, 3]] : tensor<1x512x1x1xf32> into tensor<512xf32>
// CHECK: %[[R:.*]] = tensor.expand_shape %[[F]] {{\[}}[0, 1, 2]] output_shape [1, 8, 64] : tensor<512xf32> into tensor<1x8x64xf32>
// CHECK-NOT: tensor.
// CHECK: return %[[R]]
func.func @reshape_chain(%x: tensor<1x512x1x1xf32>) -> tensor<1x8x64xf32> {
  %0 = muon.reshape %x : (tensor<1x512x1x1xf32>) -> tensor<1x512xf32>
  %1 = muon.reshape %0 : (tensor<1x512xf32>) -> tensor<1x8x64xf32>
  return %1 : tensor<1x8x64xf32>
}

// -----

// CHECK-LABEL: func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x4xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x8x4x3xf32>
// CHECK: linalg.transpose ins(%[[X]] : tensor<1x3x8x4xf32>) outs(%[[E]] : tensor<1x8x4x3xf32>) permutation = [0, 2, 3, 1]
func.func @transpose(%x: tensor<1x3x8x4xf32>) -> tensor<1x8x4x3xf32> {
  %0 = muon.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x8x4xf32>) -> tensor<1x8x4x3xf32>
  return %0 : tensor<1x8x4x3xf32>
}

// -----

// CHECK-LABEL: func @constant
// CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NOT: muon.constant
// CHECK: return %[[C]]
func.func @constant() -> tensor<2xf32> {
  %0 = muon.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
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
