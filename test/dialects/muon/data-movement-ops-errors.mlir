// RUN: muon-opt %s --split-input-file --verify-diagnostics

// Invalid uses of the ops of dialects/muon/DataMovementOps.td: each result-type
// inference rejects the forms the ONNX operator specification (or the
// normalised form the importer produces) rules out.

func.func @gather_axis(%data: tensor<5x4xf32>, %indices: tensor<3xi64>) -> tensor<5x3xf32> {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{'muon.gather' op failed to infer returned types}}
  %0 = muon.gather %data, %indices {axis = 2 : i64} : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// -----

// Gather-13 indices are int32 or int64.
func.func @gather_float_indices(%data: tensor<5x4xf32>, %indices: tensor<3xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{indices must be signless integers, got 'tensor<3xf32>'}}
  // expected-error @+1 {{'muon.gather' op failed to infer returned types}}
  %0 = muon.gather %data, %indices {axis = 0 : i64} : (tensor<5x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// [5,4] at axis 1 with indices [3] gives [5,3], not [3,4].
func.func @gather_wrong_result(%data: tensor<5x4xf32>, %indices: tensor<3xi64>) -> tensor<3x4xf32> {
  // expected-error @+2 {{'muon.gather' op inferred type(s) 'tensor<5x3xf32>' are incompatible with return type(s) of operation 'tensor<3x4xf32>'}}
  // expected-error @+1 {{'muon.gather' op failed to infer returned types}}
  %0 = muon.gather %data, %indices {axis = 1 : i64} : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @gather_elements_rank(%data: tensor<3x3xf32>, %indices: tensor<3xi64>) -> tensor<3xf32> {
  // expected-error @+2 {{indices 'tensor<3xi64>' must have the rank of data 'tensor<3x3xf32>'}}
  // expected-error @+1 {{'muon.gather_elements' op failed to infer returned types}}
  %0 = muon.gather_elements %data, %indices {axis = 0 : i64} : (tensor<3x3xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @slice_count(%x: tensor<4x5xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{expected 2 offsets, sizes and strides}}
  // expected-error @+1 {{'muon.slice' op failed to infer returned types}}
  %0 = muon.slice %x {offsets = array<i64: 0>, sizes = array<i64: 2>, strides = array<i64: 1>} : (tensor<4x5xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// The importer clamps ONNX's bounds; the dialect never reads out of bounds:
// 3 elements from 2 with stride 2 read 2, 4 and 6 of 5.
func.func @slice_out_of_bounds(%x: tensor<4x5xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{dimension 1 reads elements 2 to 6 of 5}}
  // expected-error @+1 {{'muon.slice' op failed to infer returned types}}
  %0 = muon.slice %x {offsets = array<i64: 0, 2>, sizes = array<i64: 4, 3>, strides = array<i64: 1, 2>} : (tensor<4x5xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Backwards from 1 with stride -1, 3 elements would read index -1.
func.func @slice_negative_stride(%x: tensor<4xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{dimension 0 reads elements 1 to -1 of 4}}
  // expected-error @+1 {{'muon.slice' op failed to infer returned types}}
  %0 = muon.slice %x {offsets = array<i64: 1>, sizes = array<i64: 3>, strides = array<i64: -1>} : (tensor<4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @slice_zero_stride(%x: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{strides must be non-zero and sizes non-negative}}
  // expected-error @+1 {{'muon.slice' op failed to infer returned types}}
  %0 = muon.slice %x {offsets = array<i64: 0>, sizes = array<i64: 2>, strides = array<i64: 0>} : (tensor<4xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Negative ONNX pads are imported as a slice; the dialect's pads are not.
func.func @pad_negative(%x: tensor<4xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{pads must be non-negative}}
  // expected-error @+1 {{'muon.pad' op failed to infer returned types}}
  %0 = muon.pad %x {pads = array<i64: -1, 0>} : (tensor<4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @pad_count(%x: tensor<2x4xf32>) -> tensor<2x6xf32> {
  // expected-error @+2 {{expected 4 pads}}
  // expected-error @+1 {{'muon.pad' op failed to infer returned types}}
  %0 = muon.pad %x {pads = array<i64: 1, 1>} : (tensor<2x4xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// Pad-19's wrap mode is not part of the dialect.
func.func @pad_mode(%x: tensor<4xf32>) -> tensor<6xf32> {
  // expected-error @+2 {{unknown mode 'wrap'}}
  // expected-error @+1 {{'muon.pad' op failed to infer returned types}}
  %0 = muon.pad %x {mode = "wrap", pads = array<i64: 1, 1>} : (tensor<4xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// Reflecting 4 elements past the edge of a dimension of 4 would need to
// repeat the mirror image.
func.func @pad_reflect_too_far(%x: tensor<4xf32>) -> tensor<8xf32> {
  // expected-error @+2 {{reflect pads of dimension 0 must be smaller than its size 4}}
  // expected-error @+1 {{'muon.pad' op failed to infer returned types}}
  %0 = muon.pad %x {mode = "reflect", pads = array<i64: 4, 0>} : (tensor<4xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// [3,2] does not broadcast to [3,4] (2 is neither 4 nor 1).
func.func @expand_incompatible(%x: tensor<3x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{input 'tensor<3x2xf32>' does not broadcast to [3, 4]}}
  // expected-error @+1 {{'muon.expand' op failed to infer returned types}}
  %0 = muon.expand %x {shape = array<i64: 3, 4>} : (tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// `shape` is the broadcast result: [3,1] with [1,4] would be [3,4].
func.func @expand_not_result(%x: tensor<3x1xf32>) -> tensor<1x4xf32> {
  // expected-error @+2 {{input 'tensor<3x1xf32>' does not broadcast to [1, 4]}}
  // expected-error @+1 {{'muon.expand' op failed to infer returned types}}
  %0 = muon.expand %x {shape = array<i64: 1, 4>} : (tensor<3x1xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @resize_mode(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  // expected-error @+2 {{unknown mode 'lanczos'}}
  // expected-error @+1 {{'muon.resize' op failed to infer returned types}}
  %0 = muon.resize %x {mode = "lanczos", scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 1, 8, 8>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

func.func @resize_crop_without_roi(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  // expected-error @+2 {{roi (4 starts, then as many ends) is given exactly with tf_crop_and_resize}}
  // expected-error @+1 {{'muon.resize' op failed to infer returned types}}
  %0 = muon.resize %x {coordinate_transformation_mode = "tf_crop_and_resize", scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 1, 8, 8>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

func.func @resize_transform(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  // expected-error @+2 {{unknown coordinate_transformation_mode 'half_pixel_symmetric'}}
  // expected-error @+1 {{'muon.resize' op failed to infer returned types}}
  %0 = muon.resize %x {coordinate_transformation_mode = "half_pixel_symmetric", scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 1, 8, 8>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

func.func @resize_scales(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  // expected-error @+2 {{sizes, scales and input dimensions must be positive}}
  // expected-error @+1 {{'muon.resize' op failed to infer returned types}}
  %0 = muon.resize %x {scales = array<f64: 1.0, 1.0, 0.0, 2.0>, sizes = array<i64: 1, 1, 8, 8>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

func.func @resize_count(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  // expected-error @+2 {{expected 4 sizes and scales}}
  // expected-error @+1 {{'muon.resize' op failed to infer returned types}}
  %0 = muon.resize %x {scales = array<f64: 2.0, 2.0>, sizes = array<i64: 1, 1, 8, 8>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

// Trilu-14 needs matrices (rank >= 2) and a scalar k.
func.func @trilu_rank(%x: tensor<5xf32>) -> tensor<5xf32> {
  // expected-error @+2 {{input 'tensor<5xf32>' must have rank >= 2}}
  // expected-error @+1 {{'muon.trilu' op failed to infer returned types}}
  %0 = muon.trilu %x : (tensor<5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @trilu_k(%x: tensor<3x3xf32>, %k: tensor<2xi64>) -> tensor<3x3xf32> {
  // expected-error @+2 {{k must be a one-element integer tensor, got 'tensor<2xi64>'}}
  // expected-error @+1 {{'muon.trilu' op failed to infer returned types}}
  %0 = muon.trilu %x, %k : (tensor<3x3xf32>, tensor<2xi64>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// GatherND: 3 coordinates do not fit a rank-2 data.
func.func @gather_nd_tuple(%data: tensor<2x2xf32>, %indices: tensor<4x3xi64>) -> tensor<4xf32> {
  // expected-error @+2 {{index tuples of 3 coordinates do not fit data 'tensor<2x2xf32>' after 0 batch dimensions}}
  // expected-error @+1 {{'muon.gather_nd' op failed to infer returned types}}
  %0 = muon.gather_nd %data, %indices : (tensor<2x2xf32>, tensor<4x3xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gather_nd_batch(%data: tensor<2x3xf32>, %indices: tensor<3x1xi64>) -> tensor<3xf32> {
  // expected-error @+2 {{the batch dimensions of data 'tensor<2x3xf32>' and indices 'tensor<3x1xi64>' differ}}
  // expected-error @+1 {{'muon.gather_nd' op failed to infer returned types}}
  %0 = muon.gather_nd %data, %indices {batch_dims = 1 : i64} : (tensor<2x3xf32>, tensor<3x1xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @scatter_elements_shape(%data: tensor<3x3xf32>, %indices: tensor<2x3xi64>, %updates: tensor<3x2xf32>) -> tensor<3x3xf32> {
  // expected-error @+2 {{indices 'tensor<2x3xi64>' and updates 'tensor<3x2xf32>' must have one shape of the rank of data 'tensor<3x3xf32>'}}
  // expected-error @+1 {{'muon.scatter_elements' op failed to infer returned types}}
  %0 = muon.scatter_elements %data, %indices, %updates {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<3x2xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @scatter_reduction(%data: tensor<3x3xf32>, %indices: tensor<2x3xi64>, %updates: tensor<2x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+2 {{unknown reduction 'mean'}}
  // expected-error @+1 {{'muon.scatter_elements' op failed to infer returned types}}
  %0 = muon.scatter_elements %data, %indices, %updates {axis = 0 : i64, reduction = "mean"} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// ScatterND: indices [2,1] into [4,4,4] need updates [2] + [4,4].
func.func @scatter_nd_updates(%data: tensor<4x4x4xf32>, %indices: tensor<2x1xi64>, %updates: tensor<2x4xf32>) -> tensor<4x4x4xf32> {
  // expected-error @+2 {{updates 'tensor<2x4xf32>' must have shape [2, 4, 4]}}
  // expected-error @+1 {{'muon.scatter_nd' op failed to infer returned types}}
  %0 = muon.scatter_nd %data, %indices, %updates : (tensor<4x4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x4x4xf32>
  return %0 : tensor<4x4x4xf32>
}

// -----

func.func @reverse_sequence_lengths(%x: tensor<4x3xf32>, %lengths: tensor<4xi64>) -> tensor<4x3xf32> {
  // expected-error @+2 {{sequence_lens 'tensor<4xi64>' must hold one integer per batch entry of 'tensor<4x3xf32>'}}
  // expected-error @+1 {{'muon.reverse_sequence' op failed to infer returned types}}
  %0 = muon.reverse_sequence %x, %lengths {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @reverse_sequence_axes(%x: tensor<4x3xf32>, %lengths: tensor<4xi64>) -> tensor<4x3xf32> {
  // expected-error @+2 {{batch_axis and time_axis must differ}}
  // expected-error @+1 {{'muon.reverse_sequence' op failed to infer returned types}}
  %0 = muon.reverse_sequence %x, %lengths {batch_axis = 0 : i64, time_axis = 0 : i64} : (tensor<4x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}
