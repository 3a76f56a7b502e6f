// RUN: muon-opt %s --muon-tile-and-vectorize --split-input-file | FileCheck %s
// RUN: muon-opt %s --muon-tile-and-vectorize --split-input-file --remarks-filter=muon-tile-and-vectorize --remark-format=emitRemark -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

// M = 12, N = 32: two blocks of 6 rows and two of 16 columns; the reduction
// (K = 8) steps one column of A and one row of B at a time into a 6x16
// accumulator.
// CHECK-LABEL: func @matmul_whole_blocks
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c12 step %c6
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c32 step %c16
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c8 step %c1
// CHECK: vector.contract {{.*}} : vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>
// CHECK-NOT: vector.mask
func.func @matmul_whole_blocks(%a: tensor<12x8xf32>, %b: tensor<8x32xf32>, %c: tensor<12x32xf32>) -> tensor<12x32xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<12x8xf32>, tensor<8x32xf32>) outs(%c : tensor<12x32xf32>) -> tensor<12x32xf32>
  return %0 : tensor<12x32xf32>
}

// -----

// M = 10 = 6 + 4 and N = 20 = 16 + 4: each dimension is split into whole
// blocks and a remainder, and a remainder is blocked at half the size (rows:
// 4 = 3 + 1), so every block has a static shape and no vector needs a mask.
// CHECK-LABEL: func @matmul_split_remainders
// CHECK-DAG: vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>
// CHECK-DAG: vector<6x1xf32>, vector<1x4xf32> into vector<6x4xf32>
// CHECK-DAG: vector<3x1xf32>, vector<1x16xf32> into vector<3x16xf32>
// CHECK-DAG: vector<3x1xf32>, vector<1x4xf32> into vector<3x4xf32>
// CHECK-DAG: vector<1x1xf32>, vector<1x16xf32> into vector<1x16xf32>
// CHECK-DAG: vector<1x1xf32>, vector<1x4xf32> into vector<1x4xf32>
// CHECK-NOT: vector.mask
func.func @matmul_split_remainders(%a: tensor<10x8xf32>, %b: tensor<8x20xf32>, %c: tensor<10x20xf32>) -> tensor<10x20xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<10x8xf32>, tensor<8x20xf32>) outs(%c : tensor<10x20xf32>) -> tensor<10x20xf32>
  return %0 : tensor<10x20xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
// Element-wise: 16 lanes along the innermost dimension.
// CHECK-LABEL: func @elementwise_vectorized
// CHECK: vector.transfer_read {{.*}} vector<1x16xf32>
// CHECK: arith.maximumf {{.*}} : vector<1x16xf32>
func.func @elementwise_vectorized(%x: tensor<4x32xf32>, %out: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x32xf32>) outs(%out : tensor<4x32xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<4x32xf32>
  return %0 : tensor<4x32xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
// An innermost extent of 20 = 16 + 4: split into a 16-wide part and a 4-wide
// remainder, both with static vectors (no masks).
// CHECK-LABEL: func @elementwise_split_remainder
// CHECK-DAG: arith.maximumf {{.*}} : vector<1x16xf32>
// CHECK-DAG: arith.maximumf {{.*}} : vector<1x4xf32>
// CHECK-NOT: vector.mask
func.func @elementwise_split_remainder(%x: tensor<3x20xf32>, %out: tensor<3x20xf32>) -> tensor<3x20xf32> {
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<3x20xf32>) outs(%out : tensor<3x20xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<3x20xf32>
  return %0 : tensor<3x20xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
// At nr = 16, an innermost extent of 12 of 8-bit integers (above nr / 2,
// not a power of two) is cut 8 + 4; one of 7 (at most nr / 2) stays one
// vector.
// CHECK-LABEL: func @elementwise_power_of_two_widths
// CHECK-DAG: arith.addi {{.*}} : vector<1x8xi8>
// CHECK-DAG: arith.addi {{.*}} : vector<1x4xi8>
// CHECK-DAG: arith.addi {{.*}} : vector<1x7xi8>
// CHECK-NOT: vector<1x12xi8>
func.func @elementwise_power_of_two_widths(%x: tensor<3x12xi8>, %out: tensor<3x12xi8>, %y: tensor<3x7xi8>, %out2: tensor<3x7xi8>) -> (tensor<3x12xi8>, tensor<3x7xi8>) {
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<3x12xi8>) outs(%out : tensor<3x12xi8>) {
  ^bb0(%in: i8, %o: i8):
    %r = arith.addi %in, %in : i8
    linalg.yield %r : i8
  } -> tensor<3x12xi8>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<3x7xi8>) outs(%out2 : tensor<3x7xi8>) {
  ^bb0(%in: i8, %o: i8):
    %r = arith.addi %in, %in : i8
    linalg.yield %r : i8
  } -> tensor<3x7xi8>
  return %0, %1 : tensor<3x12xi8>, tensor<3x7xi8>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
// Floats keep a width of 12: their vectors of any width legalize well.
// CHECK-LABEL: func @elementwise_float_widths_kept
// CHECK: arith.addf {{.*}} : vector<1x12xf32>
func.func @elementwise_float_widths_kept(%x: tensor<3x12xf32>, %out: tensor<3x12xf32>) -> tensor<3x12xf32> {
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<3x12xf32>) outs(%out : tensor<3x12xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.addf %in, %in : f32
    linalg.yield %r : f32
  } -> tensor<3x12xf32>
  return %0 : tensor<3x12xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
// An innermost extent below 4 gains nothing from vectors: left for the loop
// lowering.
// CHECK-LABEL: func @elementwise_short_rows_left_alone
// CHECK: linalg.generic
// CHECK-NOT: vector.
func.func @elementwise_short_rows_left_alone(%x: tensor<8x3xf32>, %out: tensor<8x3xf32>) -> tensor<8x3xf32> {
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x3xf32>) outs(%out : tensor<8x3xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// -----

// A convolution whose output rows (6 wide) would leave most of the 16-wide
// vectors idle becomes an im2col gather (left a loop nest: its floordiv/mod
// maps cannot be tiled exactly) and a contraction over 8x3x3 = 72 patch
// values for each of the 6x6 = 36 output positions, split 32 + 4; each
// reduction step is a 4x16 (then 4x4) multiply-accumulate.
// CHECK: #[[IM2COL:.*]] = affine_map<{{.*}}floordiv
// CHECK-LABEL: func @conv_as_im2col_contraction
// REMARK: remark: [Analysis] ConvolutionAlgorithm | Category:muon-tile-and-vectorize | algorithm=im2col, reduction_multiple=1
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// CHECK: linalg.generic {indexing_maps = [#[[IM2COL]]
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c72 step %c1
// CHECK: vector.multi_reduction <add>, %{{.*}} [3] : vector<1x4x16x1xf32> to vector<1x4x16xf32>
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c72 step %c1
// CHECK: vector.multi_reduction <add>, %{{.*}} [3] : vector<1x4x4x1xf32> to vector<1x4x4xf32>
func.func @conv_as_im2col_contraction(%x: tensor<1x8x8x8xf32>, %w: tensor<4x8x3x3xf32>, %out: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x8x8x8xf32>, tensor<4x8x3x3xf32>) outs(%out : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// A stride-1 convolution with 32-wide output rows is computed directly:
// blocks of 6 filters x 16 columns of one output row, and one step per
// (channel, kernel row, kernel column) tap: the outer product of the tap's
// 6 filter weights and 16 consecutive input pixels. The padded input is
// 34 wide, so each tap reads columns [kw, kw + 16) of the block.
// CHECK-LABEL: func @conv_direct
// REMARK: remark: [Analysis] ConvolutionAlgorithm | Category:muon-tile-and-vectorize | algorithm=direct, reduction_multiple=1
// CHECK-NOT: floordiv
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c12{{.*}} step %c6
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c2{{.*}} step %c1
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c32{{.*}} step %c16
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c4{{.*}} step %c1
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c3{{.*}} step %c1
// CHECK: scf.for %[[KW:.*]] = %c0{{.*}} to %c3{{.*}} step %c1
// CHECK: tensor.extract_slice %{{.*}}[0, %{{.*}}, %{{.*}}, %[[KW]]] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<1x4x3x18xf32> to tensor<1x1x1x16xf32>
// CHECK: vector.outerproduct %{{.*}}, %{{.*}}, %{{.*}} {kind = #vector.kind<add>} : vector<6xf32>, vector<16xf32>
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @conv_direct(%x: tensor<1x4x4x34xf32>, %w: tensor<12x4x3x3xf32>, %out: tensor<1x12x2x32xf32>) -> tensor<1x12x2x32xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x4x4x34xf32>, tensor<12x4x3x3xf32>) outs(%out : tensor<1x12x2x32xf32>) -> tensor<1x12x2x32xf32>
  return %0 : tensor<1x12x2x32xf32>
}

// -----

// 8-bit reads through stride-2 slices (a pooling window's taps) are one
// contiguous read of the 32 bytes from the first of 16 lanes (a whole vector;
// 31 span them) and a shuffle of every other one, at the offsets of the
// slices composed: column 2 j + 1 for the tap at column 1, row 2 i + 1 and
// column 2 j + 2 for the tap at (1, 2). For that tap the 32 bytes from the
// first lane at j = 16 (column 34) pass the 65 columns: its read ends at its
// last lane instead, from column 2 j + 1, and picks the odd bytes.
// CHECK-DAG: #[[TWICE:.*]] = affine_map<()[s0] -> (s0 * 2)>
// CHECK-DAG: #[[TWICE_1:.*]] = affine_map<()[s0] -> (s0 * 2 + 1)>
// CHECK-LABEL: func @strided_bytes
// CHECK: scf.for %[[N:arg[0-9]+]] =
// CHECK: scf.for %[[C:arg[0-9]+]] =
// CHECK: scf.for %[[I:arg[0-9]+]] =
// CHECK: scf.for %[[J:arg[0-9]+]] =
// CHECK:   %[[ROW:.*]] = affine.apply #[[TWICE]]()[%[[I]]]
// CHECK:   %[[COLUMN:.*]] = affine.apply #[[TWICE]]()[%[[J]]]
// CHECK:   %[[SPAN:.*]] = vector.transfer_read %arg0[%[[N]], %[[C]], %[[ROW]], %[[COLUMN]]]{{.*}} {in_bounds = [true]} : tensor<1x2x9x65xi8>, vector<32xi8>
// CHECK:   vector.shuffle %[[SPAN]], %[[SPAN]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
// CHECK:   affine.apply #[[TWICE_1]]()[%[[J]]]
// CHECK:   vector<32xi8>
// CHECK:   vector.shuffle {{.*}} [0, 2, 4,
// CHECK:   affine.apply #[[TWICE_1]]()[%[[I]]]
// CHECK:   affine.apply #[[TWICE_1]]()[%[[J]]]
// CHECK:   vector<32xi8>
// CHECK:   vector.shuffle {{.*}} [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31]
// CHECK:   arith.maxsi {{.*}} : vector<1x1x1x16xi8>
func.func @strided_bytes(%x: tensor<1x2x9x65xi8>) -> tensor<1x2x4x32xi8> {
  %a = tensor.extract_slice %x[0, 0, 0, 0] [1, 2, 4, 32] [1, 1, 2, 2] : tensor<1x2x9x65xi8> to tensor<1x2x4x32xi8>
  %b = tensor.extract_slice %x[0, 0, 0, 1] [1, 2, 4, 32] [1, 1, 2, 2] : tensor<1x2x9x65xi8> to tensor<1x2x4x32xi8>
  %c = tensor.extract_slice %x[0, 0, 1, 2] [1, 2, 4, 32] [1, 1, 2, 2] : tensor<1x2x9x65xi8> to tensor<1x2x4x32xi8>
  %e = tensor.empty() : tensor<1x2x4x32xi8>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a, %b, %c : tensor<1x2x4x32xi8>, tensor<1x2x4x32xi8>, tensor<1x2x4x32xi8>) outs(%e : tensor<1x2x4x32xi8>) {
  ^bb0(%p: i8, %q: i8, %r: i8, %o: i8):
    %m = arith.maxsi %p, %q : i8
    %n = arith.maxsi %m, %r : i8
    linalg.yield %n : i8
  } -> tensor<1x2x4x32xi8>
  return %0 : tensor<1x2x4x32xi8>
}

// -----

// Wider elements keep their strided reads.
// CHECK-LABEL: func @strided_floats
// CHECK-NOT: vector.shuffle
// CHECK: return
func.func @strided_floats(%x: tensor<1x2x9x66xf32>) -> tensor<1x2x4x32xf32> {
  %a = tensor.extract_slice %x[0, 0, 0, 0] [1, 2, 4, 32] [1, 1, 2, 2] : tensor<1x2x9x66xf32> to tensor<1x2x4x32xf32>
  %b = tensor.extract_slice %x[0, 0, 0, 1] [1, 2, 4, 32] [1, 1, 2, 2] : tensor<1x2x9x66xf32> to tensor<1x2x4x32xf32>
  %c = tensor.extract_slice %x[0, 0, 1, 2] [1, 2, 4, 32] [1, 1, 2, 2] : tensor<1x2x9x66xf32> to tensor<1x2x4x32xf32>
  %e = tensor.empty() : tensor<1x2x4x32xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a, %b, %c : tensor<1x2x4x32xf32>, tensor<1x2x4x32xf32>, tensor<1x2x4x32xf32>) outs(%e : tensor<1x2x4x32xf32>) {
  ^bb0(%p: f32, %q: f32, %r: f32, %o: f32):
    %m = arith.maximumf %p, %q : f32
    %n = arith.maximumf %m, %r : f32
    linalg.yield %n : f32
  } -> tensor<1x2x4x32xf32>
  return %0 : tensor<1x2x4x32xf32>
}
