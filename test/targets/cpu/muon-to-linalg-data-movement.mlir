// RUN: muon-opt %s --muon-to-linalg --split-input-file | FileCheck %s

// Lowerings of DataMovementToLinalg.cpp: which linalg/tensor ops, their
// indexing maps, and the index arithmetic, derived by hand beside each case.

// Gather along axis 1 of [5,4,3] with indices [2,6]: the result [5,2,6,3]
// reads indices at result dims (1, 2) and data at (d0, index, d3); a
// negative index gets 4 added, and the result is clamped to [0, 3].
// CHECK-DAG: #[[$IDX:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-DAG: #[[$ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @gather
// CHECK-SAME: (%[[DATA:.*]]: tensor<5x4x3xf32>, %[[INDICES:.*]]: tensor<2x6xi64>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: linalg.generic {indexing_maps = [#[[$IDX]], #[[$ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[INDICES]] : tensor<2x6xi64>)
// CHECK: ^bb0(%[[I:.*]]: i64, %{{.*}}: f32):
// CHECK-DAG: %[[D0:.*]] = linalg.index 0 : index
// CHECK-DAG: %[[D3:.*]] = linalg.index 3 : index
// CHECK: %[[CAST:.*]] = arith.index_cast %[[I]] : i64 to index
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[CAST]], %[[C0]]
// CHECK: %[[WRAPPED:.*]] = arith.addi %[[CAST]], %[[C4]]
// CHECK: %[[SEL:.*]] = arith.select %[[NEG]], %[[WRAPPED]], %[[CAST]]
// CHECK: %[[LO:.*]] = arith.maxsi %[[SEL]], %[[C0]]
// CHECK: %[[J:.*]] = arith.minsi %[[LO]], %[[C3]]
// CHECK: %[[E:.*]] = tensor.extract %[[DATA]][%[[D0]], %[[J]], %[[D3]]]
// CHECK: linalg.yield %[[E]]
func.func @gather(%data: tensor<5x4x3xf32>, %indices: tensor<2x6xi64>) -> tensor<5x2x6x3xf32> {
  %0 = muon.gather %data, %indices {axis = 1 : i64} : (tensor<5x4x3xf32>, tensor<2x6xi64>) -> tensor<5x2x6x3xf32>
  return %0 : tensor<5x2x6x3xf32>
}

// -----

// GatherElements reads indices at the result index itself and replaces only
// the axis coordinate (axis 0 of a [3,3] matrix here).
// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @gather_elements
// CHECK-SAME: (%[[DATA:.*]]: tensor<3x3xf32>, %[[INDICES:.*]]: tensor<2x3xi32>)
// CHECK: linalg.generic {indexing_maps = [#[[$ID2]], #[[$ID2]]]
// CHECK-SAME: ins(%[[INDICES]] : tensor<2x3xi32>)
// CHECK: %[[D1:.*]] = linalg.index 1 : index
// CHECK: arith.index_cast %{{.*}} : i32 to index
// CHECK: %[[J:.*]] = arith.minsi
// CHECK: tensor.extract %[[DATA]][%[[J]], %[[D1]]]
func.func @gather_elements(%data: tensor<3x3xf32>, %indices: tensor<2x3xi32>) -> tensor<2x3xf32> {
  %0 = muon.gather_elements %data, %indices {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Positive strides are one tensor.extract_slice and nothing else.
// CHECK-LABEL: func @slice_forward
// CHECK: %[[S:.*]] = tensor.extract_slice %{{.*}}[2, 0, 1] [3, 10, 2] [2, 1, 3] : tensor<20x10x5xf32> to tensor<3x10x2xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[S]]
func.func @slice_forward(%x: tensor<20x10x5xf32>) -> tensor<3x10x2xf32> {
  %0 = muon.slice %x {offsets = array<i64: 2, 0, 1>, sizes = array<i64: 3, 10, 2>, strides = array<i64: 2, 1, 3>} : (tensor<20x10x5xf32>) -> tensor<3x10x2xf32>
  return %0 : tensor<3x10x2xf32>
}

// -----

// Stride -2 from 19 over 10 elements reads 19, 17, ..., 1: the slice from 1
// with stride 2, then reversed by reading element 9 - i.
// CHECK-DAG: #[[$REV:.*]] = affine_map<(d0, d1, d2) -> (-d0 + 9, d1, d2)>
// CHECK-DAG: #[[$ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func @slice_backward
// CHECK: %[[S:.*]] = tensor.extract_slice %{{.*}}[1, 0, 1] [10, 10, 3] [2, 1, 1] : tensor<20x10x5xf32> to tensor<10x10x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$REV]], #[[$ID3]]]
// CHECK-SAME: ins(%[[S]] : tensor<10x10x3xf32>)
func.func @slice_backward(%x: tensor<20x10x5xf32>) -> tensor<10x10x3xf32> {
  %0 = muon.slice %x {offsets = array<i64: 19, 0, 1>, sizes = array<i64: 10, 10, 3>, strides = array<i64: -2, 1, 1>} : (tensor<20x10x5xf32>) -> tensor<10x10x3xf32>
  return %0 : tensor<10x10x3xf32>
}

// -----

// Mode constant is a tensor.pad with the value in the element type.
// CHECK-LABEL: func @pad_constant
// CHECK: %[[V:.*]] = arith.constant 2.500000e+00 : f32
// CHECK: tensor.pad %{{.*}} low[0, 0, 3, 1] high[0, 0, 4, 2]
// CHECK: tensor.yield %[[V]]
// CHECK: tensor<2x3x4x4xf32> to tensor<2x3x11x7xf32>
func.func @pad_constant(%x: tensor<2x3x4x4xf32>) -> tensor<2x3x11x7xf32> {
  %0 = muon.pad %x {pads = array<i64: 0, 0, 3, 1, 0, 0, 4, 2>, value = 2.5 : f64} : (tensor<2x3x4x4xf32>) -> tensor<2x3x11x7xf32>
  return %0 : tensor<2x3x11x7xf32>
}

// -----

// Reflect, one row before a [2,3] input: row i reads j = i - 1, mirrored to
// -j below 0 and to 2 * (2 - 1) - j above 1; columns are not padded.
// CHECK-LABEL: func @pad_reflect
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xi32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<3x3xi32>)
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[K:.*]] = linalg.index 1 : index
// CHECK: %[[J:.*]] = arith.subi %[[I]], %[[C1]]
// CHECK: %[[BELOW:.*]] = arith.cmpi slt, %[[J]], %[[C0]]
// CHECK: %[[NEGJ:.*]] = arith.subi %[[C0]], %[[J]]
// CHECK: %[[J1:.*]] = arith.select %[[BELOW]], %[[NEGJ]], %[[J]]
// CHECK: %[[ABOVE:.*]] = arith.cmpi sgt, %[[J1]], %[[C1]]
// CHECK: %[[MIRROR:.*]] = arith.subi %[[C2]], %[[J1]]
// CHECK: %[[J2:.*]] = arith.select %[[ABOVE]], %[[MIRROR]], %[[J1]]
// CHECK: tensor.extract %[[X]][%[[J2]], %[[K]]]
func.func @pad_reflect(%x: tensor<2x3xi32>) -> tensor<3x3xi32> {
  %0 = muon.pad %x {mode = "reflect", pads = array<i64: 1, 0, 0, 0>} : (tensor<2x3xi32>) -> tensor<3x3xi32>
  return %0 : tensor<3x3xi32>
}

// -----

// Edge clamps j = i - 2 to [0, 3] for a dimension of 4.
// CHECK-LABEL: func @pad_edge
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[J:.*]] = arith.subi %[[I]], %[[C2]]
// CHECK: %[[LO:.*]] = arith.maxsi %[[J]], %[[C0]]
// CHECK: %[[HI:.*]] = arith.minsi %[[LO]], %[[C3]]
// CHECK: tensor.extract %{{.*}}[%[[HI]]]
func.func @pad_edge(%x: tensor<4xf32>) -> tensor<7xf32> {
  %0 = muon.pad %x {mode = "edge", pads = array<i64: 2, 1>} : (tensor<4xf32>) -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

// Expand is ONNX broadcasting: [3,1] in [2,3,6] reads (d1, 0).
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-LABEL: func @expand
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #{{.*}}]
func.func @expand(%x: tensor<3x1xf32>) -> tensor<2x3x6xf32> {
  %0 = muon.expand %x {shape = array<i64: 2, 3, 6>} : (tensor<3x1xf32>) -> tensor<2x3x6xf32>
  return %0 : tensor<2x3x6xf32>
}

// -----

// Nearest, asymmetric, floor, scale 2 on [1,1,2,3] -> [1,1,4,6]: output x
// reads floor(x / 2): rows [0, 0, 1, 1], columns [0, 0, 1, 1, 2, 2]. The
// unresized dimensions use the loop index.
// CHECK-DAG: #[[$ROWS:.*]] = affine_map<(d0, d1, d2, d3) -> (d2)>
// CHECK-DAG: #[[$COLS:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func @resize_nearest
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x2x3xf32>)
// CHECK-DAG: %[[R:.*]] = arith.constant dense<[0, 0, 1, 1]> : tensor<4xi64>
// CHECK-DAG: %[[C:.*]] = arith.constant dense<[0, 0, 1, 1, 2, 2]> : tensor<6xi64>
// CHECK: linalg.generic {indexing_maps = [#[[$ROWS]], #[[$COLS]], #{{.*}}]
// CHECK-SAME: ins(%[[R]], %[[C]] : tensor<4xi64>, tensor<6xi64>)
// CHECK: ^bb0(%[[Y:.*]]: i64, %[[XX:.*]]: i64, %{{.*}}: f32):
// CHECK: %[[YI:.*]] = arith.index_cast %[[Y]]
// CHECK: %[[XI:.*]] = arith.index_cast %[[XX]]
// CHECK: tensor.extract %[[X]][%{{.*}}, %{{.*}}, %[[YI]], %[[XI]]]
func.func @resize_nearest(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x4x6xf32> {
  %0 = muon.resize %x {coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 1, 4, 6>} : (tensor<1x1x2x3xf32>) -> tensor<1x1x4x6xf32>
  return %0 : tensor<1x1x4x6xf32>
}

// -----

// Linear, half_pixel, [4] -> [2] (scale 0.5): x maps to (x + 0.5) / 0.5 - 0.5
// = 0.5 and 2.5, so taps [0, 2] and [1, 3] with weights 1 - 0.5 and 0.5
// (compile-time tables, one per tap); the result is the weighted sum.
// CHECK-LABEL: func @resize_linear
// CHECK-DAG: %[[LOW:.*]] = arith.constant dense<[0, 2]> : tensor<2xi64>
// CHECK-DAG: %[[HIGH:.*]] = arith.constant dense<[1, 3]> : tensor<2xi64>
// CHECK-DAG: %[[W:.*]] = arith.constant dense<5.000000e-01> : tensor<2xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[LOW]], %[[HIGH]], %[[W]], %[[W]] : tensor<2xi64>, tensor<2xi64>, tensor<2xf32>, tensor<2xf32>)
// CHECK: ^bb0(%[[L:.*]]: i64, %[[H:.*]]: i64, %[[WL:.*]]: f32, %[[WH:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[LI:.*]] = arith.index_cast %[[L]]
// CHECK: %[[A:.*]] = tensor.extract %{{.*}}[%[[LI]]]
// CHECK: %[[TA:.*]] = arith.mulf %[[WL]], %[[A]]
// CHECK: %[[HI:.*]] = arith.index_cast %[[H]]
// CHECK: %[[B:.*]] = tensor.extract %{{.*}}[%[[HI]]]
// CHECK: %[[TB:.*]] = arith.mulf %[[WH]], %[[B]]
// CHECK: %[[SUM:.*]] = arith.addf %[[TA]], %[[TB]]
// CHECK: linalg.yield %[[SUM]]
func.func @resize_linear(%x: tensor<4xf32>) -> tensor<2xf32> {
  %0 = muon.resize %x {mode = "linear", scales = array<f64: 0.5>, sizes = array<i64: 2>} : (tensor<4xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Trilu, upper, with a run-time k: k is read once before the loop nest, and
// element (i, j) of the last two dimensions is kept when j - i >= k.
// CHECK-LABEL: func @trilu
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x5xf32>, %[[K:.*]]: tensor<i64>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[KV:.*]] = tensor.extract %[[K]][]
// CHECK: %[[KI:.*]] = arith.index_cast %[[KV]] : i64 to index
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[X]] : tensor<2x4x5xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG: %[[I:.*]] = linalg.index 1 : index
// CHECK-DAG: %[[J:.*]] = linalg.index 2 : index
// CHECK: %[[D:.*]] = arith.subi %[[J]], %[[I]]
// CHECK: %[[KEEP:.*]] = arith.cmpi sge, %[[D]], %[[KI]]
// CHECK: %[[SEL:.*]] = arith.select %[[KEEP]], %[[IN]], %[[ZERO]]
// CHECK: linalg.yield %[[SEL]]
func.func @trilu(%x: tensor<2x4x5xf32>, %k: tensor<i64>) -> tensor<2x4x5xf32> {
  %0 = muon.trilu %x, %k : (tensor<2x4x5xf32>, tensor<i64>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

// Lower triangle without k: k is 0 and the test is j - i <= 0.
// CHECK-LABEL: func @tril
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: linalg.generic
// CHECK: %[[D:.*]] = arith.subi
// CHECK: %[[KEEP:.*]] = arith.cmpi sle, %[[D]], %[[C0]]
// CHECK: arith.select %[[KEEP]], %{{.*}}, %[[ZERO]] : i32
func.func @tril(%x: tensor<3x3xi32>) -> tensor<3x3xi32> {
  %0 = muon.trilu %x {upper = false} : (tensor<3x3xi32>) -> tensor<3x3xi32>
  return %0 : tensor<3x3xi32>
}

// -----

// GatherND with batch_dims 1, data [2,3,4], indices [2,5,1]: result [2,5,4]
// element (b, i, s) reads data[b, t, s] with t = indices[b, i, 0] wrapped
// into [0, 3).
// CHECK-LABEL: func @gather_nd
// CHECK-SAME: (%[[DATA:.*]]: tensor<2x3x4xf32>, %[[INDICES:.*]]: tensor<2x5x1xi64>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: linalg.generic
// CHECK-NOT: ins(
// CHECK-DAG: %[[B:.*]] = linalg.index 0 : index
// CHECK-DAG: %[[I:.*]] = linalg.index 1 : index
// CHECK-DAG: %[[S:.*]] = linalg.index 2 : index
// CHECK: %[[T:.*]] = tensor.extract %[[INDICES]][%[[B]], %[[I]], %[[C0]]]
// CHECK: arith.index_cast %[[T]]
// CHECK: arith.addi %{{.*}}, %[[C3]]
// CHECK: %[[W:.*]] = arith.minsi %{{.*}}, %[[C2]]
// CHECK: tensor.extract %[[DATA]][%[[B]], %[[W]], %[[S]]]
func.func @gather_nd(%data: tensor<2x3x4xf32>, %indices: tensor<2x5x1xi64>) -> tensor<2x5x4xf32> {
  %0 = muon.gather_nd %data, %indices {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x5x1xi64>) -> tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}

// -----

// ScatterElements along axis 1 with reduction add: an scf.for nest over the
// [2,3] updates carries data; update (i, j) is added to data[i, t] with t =
// indices[i, j] wrapped into [0, 4).
// CHECK-LABEL: func @scatter_elements
// CHECK-SAME: (%[[DATA:.*]]: tensor<3x4xf32>, %[[INDICES:.*]]: tensor<2x3xi32>, %[[UPDATES:.*]]: tensor<2x3xf32>)
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: scf.for %[[I:[a-z0-9]+]] = %{{.*}} to %[[C2]] step %{{.*}} iter_args(%[[OUTER:[a-z0-9]+]] = %[[DATA]]) -> (tensor<3x4xf32>)
// CHECK: scf.for %[[J:[a-z0-9]+]] = %{{.*}} to %[[C3]] step %{{.*}} iter_args(%[[T:[a-z0-9]+]] = %[[OUTER]]) -> (tensor<3x4xf32>)
// CHECK: %[[U:.*]] = tensor.extract %[[UPDATES]][%[[I]], %[[J]]]
// CHECK: %[[IDX:.*]] = tensor.extract %[[INDICES]][%[[I]], %[[J]]]
// CHECK: arith.index_cast %[[IDX]] : i32 to index
// CHECK: %[[W:.*]] = arith.minsi
// CHECK: %[[OLD:.*]] = tensor.extract %[[T]][%[[I]], %[[W]]]
// CHECK: %[[NEW:.*]] = arith.addf %[[OLD]], %[[U]]
// CHECK: %[[INS:.*]] = tensor.insert %[[NEW]] into %[[T]][%[[I]], %[[W]]]
// CHECK: scf.yield %[[INS]]
func.func @scatter_elements(%data: tensor<3x4xf32>, %indices: tensor<2x3xi32>, %updates: tensor<2x3xf32>) -> tensor<3x4xf32> {
  %0 = muon.scatter_elements %data, %indices, %updates {axis = 1 : i64, reduction = "add"} : (tensor<3x4xf32>, tensor<2x3xi32>, tensor<2x3xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// ScatterND, data [4,4,4], indices [2,1], updates [2,4,4], reduction none:
// update (i, a, b) overwrites data[t, a, b], t = indices[i, 0] wrapped.
// CHECK-LABEL: func @scatter_nd
// CHECK-SAME: (%[[DATA:.*]]: tensor<4x4x4xf32>, %[[INDICES:.*]]: tensor<2x1xi64>, %[[UPDATES:.*]]: tensor<2x4x4xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK: scf.for %[[I:[a-z0-9]+]] =
// CHECK: scf.for %[[A:[a-z0-9]+]] =
// CHECK: scf.for %[[B:[a-z0-9]+]] = {{.*}} iter_args(%[[T:[a-z0-9]+]] =
// CHECK: %[[U:.*]] = tensor.extract %[[UPDATES]][%[[I]], %[[A]], %[[B]]]
// CHECK: tensor.extract %[[INDICES]][%[[I]], %[[C0]]]
// CHECK: %[[W:.*]] = arith.minsi
// CHECK-NOT: arith.addf
// CHECK: tensor.insert %[[U]] into %[[T]][%[[W]], %[[A]], %[[B]]]
func.func @scatter_nd(%data: tensor<4x4x4xf32>, %indices: tensor<2x1xi64>, %updates: tensor<2x4x4xf32>) -> tensor<4x4x4xf32> {
  %0 = muon.scatter_nd %data, %indices, %updates : (tensor<4x4x4xf32>, tensor<2x1xi64>, tensor<2x4x4xf32>) -> tensor<4x4x4xf32>
  return %0 : tensor<4x4x4xf32>
}

// -----

// ReverseSequence with time axis 0 and batch axis 1 of a [4,3] input: the
// lengths are read at the batch index; time t < len reads len - 1 - t.
// CHECK-DAG: #[[$LEN:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @reverse_sequence
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>, %[[LENS:.*]]: tensor<3xi64>)
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: linalg.generic {indexing_maps = [#[[$LEN]], #{{.*}}]
// CHECK-SAME: ins(%[[LENS]] : tensor<3xi64>)
// CHECK: ^bb0(%[[L:.*]]: i64, %{{.*}}: f32):
// CHECK-DAG: %[[T:.*]] = linalg.index 0 : index
// CHECK-DAG: %[[B:.*]] = linalg.index 1 : index
// CHECK: arith.index_cast %[[L]]
// CHECK: %[[LEN:.*]] = arith.minsi %{{.*}}, %[[C4]]
// CHECK: %[[IN:.*]] = arith.cmpi slt, %[[T]], %[[LEN]]
// CHECK: %[[D:.*]] = arith.subi %[[LEN]], %[[T]]
// CHECK: %[[REV:.*]] = arith.subi %[[D]], %[[C1]]
// CHECK: %[[TT:.*]] = arith.select %[[IN]], %[[REV]], %[[T]]
// CHECK: tensor.extract %[[X]][%[[TT]], %[[B]]]
func.func @reverse_sequence(%x: tensor<4x3xf32>, %lengths: tensor<3xi64>) -> tensor<4x3xf32> {
  %0 = muon.reverse_sequence %x, %lengths {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x3xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

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
