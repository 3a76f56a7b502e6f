// RUN: muon-opt %s --split-input-file | muon-opt | FileCheck %s
// The generic form must round-trip as well (result types re-inferred on parse).
// RUN: muon-opt %s --split-input-file --mlir-print-op-generic | muon-opt | FileCheck %s

// The ops of dialects/muon/DataMovementOps.td, parsed, printed and parsed
// again. Result types are the ones the ONNX operator specification gives,
// derived beside each case.

// Gather-13: data[:axis] + indices + data[axis+1:]:
//   [5,4,3] at axis 1 with indices [2,6] -> [5, 2,6, 3]; a scalar index drops
//   the axis: [5,4,3] at axis 0 -> [4,3] (an embedding lookup of one token).
// CHECK-LABEL: func @gather
// CHECK: muon.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<5x4x3xf32>, tensor<2x6xi64>) -> tensor<5x2x6x3xf32>
// CHECK: muon.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<5x4x3xf32>, tensor<i32>) -> tensor<4x3xf32>
func.func @gather(%data: tensor<5x4x3xf32>, %indices: tensor<2x6xi64>, %index: tensor<i32>) -> (tensor<5x2x6x3xf32>, tensor<4x3xf32>) {
  %0 = muon.gather %data, %indices {axis = 1 : i64} : (tensor<5x4x3xf32>, tensor<2x6xi64>) -> tensor<5x2x6x3xf32>
  %1 = muon.gather %data, %index {axis = 0 : i64} : (tensor<5x4x3xf32>, tensor<i32>) -> tensor<4x3xf32>
  return %0, %1 : tensor<5x2x6x3xf32>, tensor<4x3xf32>
}

// -----

// GatherElements-13: the result has the shape of indices, which has the rank
// of data (here 2 rows picked per column of a 3x3 matrix).
// CHECK-LABEL: func @gather_elements
// CHECK: muon.gather_elements %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
func.func @gather_elements(%data: tensor<3x3xf32>, %indices: tensor<2x3xi64>) -> tensor<2x3xf32> {
  %0 = muon.gather_elements %data, %indices {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// The result shape is `sizes`; dimension 0 reads the 20 rows backwards from
// 19 with stride -2 (10 elements: 19, 17, ..., 1), dimension 2 elements 1..3.
// CHECK-LABEL: func @slice
// CHECK: muon.slice %{{.*}} {offsets = array<i64: 19, 0, 1>, sizes = array<i64: 10, 10, 3>, strides = array<i64: -2, 1, 1>} : (tensor<20x10x5xf32>) -> tensor<10x10x3xf32>
func.func @slice(%x: tensor<20x10x5xf32>) -> tensor<10x10x3xf32> {
  %0 = muon.slice %x {offsets = array<i64: 19, 0, 1>, sizes = array<i64: 10, 10, 3>, strides = array<i64: -2, 1, 1>} : (tensor<20x10x5xf32>) -> tensor<10x10x3xf32>
  return %0 : tensor<10x10x3xf32>
}

// -----

// pads [begin..., end...]: [1,3,4,5] + [0,0,1,2] + [0,0,3,4] -> [1,3,8,11].
// The defaults (mode constant, value 0) are not printed.
// CHECK-LABEL: func @pad
// CHECK: muon.pad %{{.*}} {pads = array<i64: 0, 0, 1, 2, 0, 0, 3, 4>} : (tensor<1x3x4x5xf32>) -> tensor<1x3x8x11xf32>
// CHECK: muon.pad %{{.*}} {mode = "reflect", pads = array<i64: 0, 0, 1, 2, 0, 0, 3, 4>} : (tensor<1x3x4x5xf32>) -> tensor<1x3x8x11xf32>
// CHECK: muon.pad %{{.*}} {mode = "edge", pads = array<i64: 1, 0, 0, 0>} : (tensor<2x3xi32>) -> tensor<3x3xi32>
// CHECK: muon.pad %{{.*}} {pads = array<i64: 0, 2>, value = 1.500000e+00 : f64} : (tensor<4xf32>) -> tensor<6xf32>
func.func @pad(%x: tensor<1x3x4x5xf32>, %y: tensor<2x3xi32>, %z: tensor<4xf32>) -> (tensor<1x3x8x11xf32>, tensor<1x3x8x11xf32>, tensor<3x3xi32>, tensor<6xf32>) {
  %0 = muon.pad %x {pads = array<i64: 0, 0, 1, 2, 0, 0, 3, 4>} : (tensor<1x3x4x5xf32>) -> tensor<1x3x8x11xf32>
  %1 = muon.pad %x {mode = "reflect", pads = array<i64: 0, 0, 1, 2, 0, 0, 3, 4>} : (tensor<1x3x4x5xf32>) -> tensor<1x3x8x11xf32>
  %2 = muon.pad %y {mode = "edge", pads = array<i64: 1, 0, 0, 0>} : (tensor<2x3xi32>) -> tensor<3x3xi32>
  %3 = muon.pad %z {pads = array<i64: 0, 2>, value = 1.5 : f64} : (tensor<4xf32>) -> tensor<6xf32>
  return %0, %1, %2, %3 : tensor<1x3x8x11xf32>, tensor<1x3x8x11xf32>, tensor<3x3xi32>, tensor<6xf32>
}

// -----

// [3,1] broadcasts to [2,3,6] (Expand's result, stored by the importer).
// CHECK-LABEL: func @expand
// CHECK: muon.expand %{{.*}} {shape = array<i64: 2, 3, 6>} : (tensor<3x1xf32>) -> tensor<2x3x6xf32>
func.func @expand(%x: tensor<3x1xf32>) -> tensor<2x3x6xf32> {
  %0 = muon.expand %x {shape = array<i64: 2, 3, 6>} : (tensor<3x1xf32>) -> tensor<2x3x6xf32>
  return %0 : tensor<2x3x6xf32>
}

// -----

// A 2x nearest upsampling of a feature map (YOLO's neck) and a linear resize
// with align_corners.
// CHECK-LABEL: func @resize
// CHECK: muon.resize %{{.*}} {coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", scales = array<f64: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>, sizes = array<i64: 1, 8, 26, 26>} : (tensor<1x8x13x13xf32>) -> tensor<1x8x26x26xf32>
// CHECK: muon.resize %{{.*}} {coordinate_transformation_mode = "align_corners", mode = "linear", scales = array<f64: 1.000000e+00, 1.000000e+00, 6.000000e-01, 6.000000e-01>, sizes = array<i64: 1, 1, 1, 2>} : (tensor<1x1x2x4xf32>) -> tensor<1x1x1x2xf32>
func.func @resize(%x: tensor<1x8x13x13xf32>, %y: tensor<1x1x2x4xf32>) -> (tensor<1x8x26x26xf32>, tensor<1x1x1x2xf32>) {
  %0 = muon.resize %x {coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 8, 26, 26>} : (tensor<1x8x13x13xf32>) -> tensor<1x8x26x26xf32>
  %1 = muon.resize %y {coordinate_transformation_mode = "align_corners", mode = "linear", scales = array<f64: 1.0, 1.0, 0.6, 0.6>, sizes = array<i64: 1, 1, 1, 2>} : (tensor<1x1x2x4xf32>) -> tensor<1x1x1x2xf32>
  return %0, %1 : tensor<1x8x26x26xf32>, tensor<1x1x1x2xf32>
}

// -----

// Trilu-14 keeps the input's type; k is an optional run-time scalar.
// CHECK-LABEL: func @trilu
// CHECK: muon.trilu %{{.*}}, %{{.*}} : (tensor<2x4x5xi64>, tensor<i64>) -> tensor<2x4x5xi64>
// CHECK: muon.trilu %{{.*}} {upper = false} : (tensor<3x3xf32>) -> tensor<3x3xf32>
func.func @trilu(%x: tensor<2x4x5xi64>, %k: tensor<i64>, %y: tensor<3x3xf32>) -> (tensor<2x4x5xi64>, tensor<3x3xf32>) {
  %0 = muon.trilu %x, %k : (tensor<2x4x5xi64>, tensor<i64>) -> tensor<2x4x5xi64>
  %1 = muon.trilu %y {upper = false} : (tensor<3x3xf32>) -> tensor<3x3xf32>
  return %0, %1 : tensor<2x4x5xi64>, tensor<3x3xf32>
}

// -----

// GatherND-13: indices[:-1] + data[batch_dims + m:]. Data [2,2,2] with
// indices [2,1,2] (pairs) gives [2,1] + [2] = [2,1,2]; with batch_dims 1 and
// indices [2,1] (single coordinates), [2] + [2] = [2,2].
// CHECK-LABEL: func @gather_nd
// CHECK: muon.gather_nd %{{.*}}, %{{.*}} : (tensor<2x2x2xf32>, tensor<2x1x2xi64>) -> tensor<2x1x2xf32>
// CHECK: muon.gather_nd %{{.*}}, %{{.*}} {batch_dims = 1 : i64} : (tensor<2x2x2xf32>, tensor<2x1xi64>) -> tensor<2x2xf32>
func.func @gather_nd(%data: tensor<2x2x2xf32>, %pairs: tensor<2x1x2xi64>, %single: tensor<2x1xi64>) -> (tensor<2x1x2xf32>, tensor<2x2xf32>) {
  %0 = muon.gather_nd %data, %pairs : (tensor<2x2x2xf32>, tensor<2x1x2xi64>) -> tensor<2x1x2xf32>
  %1 = muon.gather_nd %data, %single {batch_dims = 1 : i64} : (tensor<2x2x2xf32>, tensor<2x1xi64>) -> tensor<2x2xf32>
  return %0, %1 : tensor<2x1x2xf32>, tensor<2x2xf32>
}

// -----

// ScatterElements and ScatterND keep data's type. ScatterND's updates are
// indices[:-1] + data[m:]: [2] + [4,4] for a [4,4,4] data and [2,1] indices.
// CHECK-LABEL: func @scatter
// CHECK: muon.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64, reduction = "add"} : (tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<1x5xf32>
// CHECK: muon.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} {reduction = "mul"} : (tensor<4x4x4xf32>, tensor<2x1xi64>, tensor<2x4x4xf32>) -> tensor<4x4x4xf32>
func.func @scatter(%data: tensor<1x5xf32>, %indices: tensor<1x2xi64>, %updates: tensor<1x2xf32>, %cube: tensor<4x4x4xf32>, %rows: tensor<2x1xi64>, %slices: tensor<2x4x4xf32>) -> (tensor<1x5xf32>, tensor<4x4x4xf32>) {
  %0 = muon.scatter_elements %data, %indices, %updates {axis = 1 : i64, reduction = "add"} : (tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<1x5xf32>
  %1 = muon.scatter_nd %cube, %rows, %slices {reduction = "mul"} : (tensor<4x4x4xf32>, tensor<2x1xi64>, tensor<2x4x4xf32>) -> tensor<4x4x4xf32>
  return %0, %1 : tensor<1x5xf32>, tensor<4x4x4xf32>
}

// -----

// ReverseSequence-10 keeps the input's type; one length per batch entry
// (batch_axis 1 of a [time 4, batch 3] input).
// CHECK-LABEL: func @reverse_sequence
// CHECK: muon.reverse_sequence %{{.*}}, %{{.*}} {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x3xf32>, tensor<3xi64>) -> tensor<4x3xf32>
func.func @reverse_sequence(%x: tensor<4x3xf32>, %lengths: tensor<3xi64>) -> tensor<4x3xf32> {
  %0 = muon.reverse_sequence %x, %lengths {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x3xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}
