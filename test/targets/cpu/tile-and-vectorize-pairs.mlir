// RUN: muon-opt %s --muon-tile-and-vectorize="mr=8 nr=32 pair-dot-bits=512" --split-input-file | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: muon-opt %s --muon-tile-and-vectorize="mr=6 nr=16 pair-dot-bits=256" --split-input-file | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: muon-opt %s --muon-tile-and-vectorize="mr=8 nr=32" --split-input-file | FileCheck %s --check-prefix=NOPAIRS
// RUN: muon-opt %s --muon-tile-and-vectorize="mr=8 nr=32 pair-dot-bits=512 quad-dot-bits=512" --split-input-file | FileCheck %s --check-prefix=QUADS
// RUN: muon-opt %s --muon-tile-and-vectorize="mr=8 nr=32 pair-dot-bits=512" --split-input-file --remarks-filter=muon-tile-and-vectorize --remark-format=emitRemark -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK-PAIRS
// RUN: muon-opt %s --muon-tile-and-vectorize="mr=8 nr=32" --split-input-file --remarks-filter=muon-tile-and-vectorize --remark-format=emitRemark -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK-NOPAIRS
// RUN: muon-opt %s --muon-tile-and-vectorize="mr=8 nr=32 pair-dot-bits=512 quad-dot-bits=512" --split-input-file --remarks-filter=muon-tile-and-vectorize --remark-format=emitRemark -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK-QUADS

// The remark each convolution gets (conv_int8, then
// generic_conv_uint8_strided): both go through the 8-bit im2col path with
// their reduction padded to pairs (2) or quads (4); without pair dot
// products the named conv_int8 is computed directly, and the generic one,
// which has no named form, still takes the im2col path one k at a time.
// REMARK-PAIRS: remark: [Analysis] ConvolutionAlgorithm | Category:muon-tile-and-vectorize | algorithm="8-bit im2col", reduction_multiple=2
// REMARK-PAIRS: remark: [Analysis] ConvolutionAlgorithm | Category:muon-tile-and-vectorize | algorithm="8-bit im2col", reduction_multiple=2
// REMARK-NOPAIRS: remark: [Analysis] ConvolutionAlgorithm | Category:muon-tile-and-vectorize | algorithm=direct, reduction_multiple=1
// REMARK-NOPAIRS: remark: [Analysis] ConvolutionAlgorithm | Category:muon-tile-and-vectorize | algorithm="8-bit im2col", reduction_multiple=1
// REMARK-QUADS-COUNT-2: remark: [Analysis] ConvolutionAlgorithm | Category:muon-tile-and-vectorize | algorithm="8-bit im2col", reduction_multiple=4

// int8 x int8 -> int32 with a constant B: B is packed at compile time into
// i16 pairs (b[2k][j], b[2k+1][j]) with the pair innermost, A is widened to
// i16 once (vectorized), and each reduction step (one pair of k) reads the
// block's row pairs as 32-bit lanes to broadcast, B's pairs as one contiguous
// vector, and accumulates with the exact pair dot product.
// CHECK-LABEL: func @matmul_constant_b
// CHECK: arith.extsi {{.*}} : vector<1x32xi8> to vector<1x32xi16>
// CHECK: tensor.expand_shape {{.*}} into tensor<8x32x2xi16>
// CHECK: arith.constant dense<3> : tensor<32x32x2xi16>
// CHECK: scf.for {{.*}} to %c32{{(_[0-9]+)?}} step %c1{{(_[0-9]+)?}} iter_args
// AVX512: vector.transfer_read {{.*}} : tensor<8x1x2xi16>, vector<8x2xi16>
// AVX512: vector.transfer_read {{.*}} : tensor<64xi16>, vector<64xi16>
// AVX512: vector.bitcast {{.*}} : vector<2xi16> to vector<1xi32>
// AVX512: vector.broadcast {{.*}} : vector<1xi32> to vector<16xi32>
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.pmaddw.d.512"({{.*}}) : (vector<32xi16>, vector<32xi16>) -> vector<16xi32>
// AVX512: arith.addi {{.*}} : vector<16xi32>
// AVX2: vector.transfer_read {{.*}} : tensor<6x1x2xi16>, vector<6x2xi16>
// AVX2: vector.transfer_read {{.*}} : tensor<32xi16>, vector<32xi16>
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"({{.*}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// CHECK-NOT: vector.contract
// NOPAIRS-LABEL: func @matmul_constant_b
// NOPAIRS-NOT: llvm.call_intrinsic
// NOPAIRS: vector.contract {{.*}} : vector<8x1xi8>, vector<1x32xi8> into vector<8x32xi32>
func.func @matmul_constant_b(%a: tensor<8x64xi8>, %c: tensor<8x32xi32>) -> tensor<8x32xi32> {
  %b = arith.constant dense<3> : tensor<64x32xi8>
  %0 = linalg.matmul ins(%a, %b : tensor<8x64xi8>, tensor<64x32xi8>) outs(%c : tensor<8x32xi32>) -> tensor<8x32xi32>
  return %0 : tensor<8x32xi32>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
// A computed B (uint8 here, extended without sign): each step widens B's two
// rows and interleaves them; A (int8) is widened with sign.
// CHECK-LABEL: func @matmul_computed_unsigned_b
// CHECK: arith.extsi {{.*}} to vector<1x32xi16>
// AVX512: vector.transfer_read {{.*}} : tensor<1x2x32xi8>, vector<2x32xi8>
// AVX512: vector.interleave {{.*}} : vector<32xi8> -> vector<64xi8>
// AVX512: arith.extui {{.*}} : vector<64xi8> to vector<64xi16>
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.pmaddw.d.512"
// AVX2: vector.interleave {{.*}} : vector<16xi8> -> vector<32xi8>
// AVX2: arith.extui {{.*}} : vector<32xi8> to vector<32xi16>
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
func.func @matmul_computed_unsigned_b(%a: tensor<8x64xi8>, %b: tensor<64x32xi8>, %c: tensor<8x32xi32>) -> tensor<8x32xi32> {
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<8x64xi8>, tensor<64x32xi8>) outs(%c : tensor<8x32xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xw = arith.extsi %x : i8 to i32
    %yw = arith.extui %y : i8 to i32
    %p = arith.muli %xw, %yw : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<8x32xi32>
  return %0 : tensor<8x32xi32>
}

// -----

// An odd reduction is padded with a zero step in both operands (a zero adds
// nothing to the integer dot product) and then splits into pairs. Without
// pair dot products it is contracted one step at a time, unpadded.
// CHECK-LABEL: func @matmul_odd_reduction
// CHECK: tensor.pad %arg0 low[0, 0] high[0, 1]
// CHECK: tensor<8x33xi8> to tensor<8x34xi8>
// CHECK: tensor.pad %arg1 low[0, 0] high[1, 0]
// CHECK: tensor<33x32xi8> to tensor<34x32xi8>
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.pmaddw.d.512"
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// NOPAIRS-LABEL: func @matmul_odd_reduction
// NOPAIRS-NOT: tensor.pad
// NOPAIRS: vector.contract
func.func @matmul_odd_reduction(%a: tensor<8x33xi8>, %b: tensor<33x32xi8>, %c: tensor<8x32xi32>) -> tensor<8x32xi32> {
  %0 = linalg.matmul ins(%a, %b : tensor<8x33xi8>, tensor<33x32xi8>) outs(%c : tensor<8x32xi32>) -> tensor<8x32xi32>
  return %0 : tensor<8x32xi32>
}

// -----

// An 8-bit convolution with full-width rows still goes through im2col (the
// direct path has no pair form): the patches are gathered one output row
// (a vector of 32 pixels) per step, then a pair contraction of the filter
// (widened at compile time) and the patches.
// CHECK-LABEL: func @conv_int8
// CHECK: vector.transfer_read %arg0{{.*}} : tensor<1x8x3x34xi8>, vector<32xi8>
// CHECK: vector.transfer_write {{.*}} : vector<32xi8>, tensor<1x8x3x3x1x32xi8>
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x72x32xi8>
// CHECK: arith.constant dense<-128> : tensor<16x36x2xi16>
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.pmaddw.d.512"
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// With quad dot products (AVX-512 VNNI), the constant filter is read as
// quads of int8 and the patches (signed) as uint8 quads b + 128: four rows
// interleaved and their top bits flipped; the accumulator starts at
// -128 x the sum of each filter row (here -128 x -128 x 72).
// QUADS-LABEL: func @conv_int8
// QUADS: arith.constant dense<-128> : tensor<16x18x4xi8>
// QUADS: tensor.expand_shape {{.*}} into tensor<1x18x4x32xi8>
// QUADS: arith.constant dense<1179648> : tensor<16xi32>
// QUADS: vector.interleave {{.*}} : vector<64xi8> -> vector<128xi8>
// QUADS: arith.xori {{.*}} : vector<128xi8>
// QUADS: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"({{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// NOPAIRS-LABEL: func @conv_int8
// NOPAIRS: vector.outerproduct
func.func @conv_int8(%x: tensor<1x8x3x34xi8>, %c: tensor<1x16x1x32xi32>) -> tensor<1x16x1x32xi32> {
  %w = arith.constant dense<-128> : tensor<16x8x3x3xi8>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x8x3x34xi8>, tensor<16x8x3x3xi8>) outs(%c : tensor<1x16x1x32xi32>) -> tensor<1x16x1x32xi32>
  return %0 : tensor<1x16x1x32xi32>
}

// -----

#x = affine_map<(n, f, y, x, c, ky, kx) -> (n, c, y * 2 + ky, x * 2 + kx)>
#w = affine_map<(n, f, y, x, c, ky, kx) -> (f, c, ky, kx)>
#o = affine_map<(n, f, y, x, c, ky, kx) -> (n, f, y, x)>
// A stride-2 convolution of a uint8 input written as linalg.generic (there
// is no named form with a zero extension): the same path; each patch row
// reads 2 x 16 - 1 pixels and keeps every second one.
// CHECK-LABEL: func @generic_conv_uint8_strided
// CHECK: vector.transfer_read %arg0{{.*}} : tensor<1x4x9x33xi8>, vector<31xi8>
// CHECK: vector.shuffle {{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<31xi8>, vector<31xi8>
// CHECK: arith.extui {{.*}} to vector<{{32|64}}xi16>
// CHECK: llvm.call_intrinsic
// Without pair dot products the contraction steps one k at a time.
// A uint8 B needs no offset (no xori, no correction) for the quads.
// QUADS-LABEL: func @generic_conv_uint8_strided
// QUADS-NOT: arith.xori
// QUADS: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// QUADS-NOT: arith.xori
// NOPAIRS-LABEL: func @generic_conv_uint8_strided
// NOPAIRS: vector.shuffle
// NOPAIRS: arith.extui {{.*}} : vector<1x8x32x1xi8> to vector<1x8x32x1xi32>
// NOPAIRS: vector.multi_reduction <add>
func.func @generic_conv_uint8_strided(%x: tensor<1x4x9x33xi8>, %c: tensor<1x16x4x16xi32>) -> tensor<1x16x4x16xi32> {
  %w = arith.constant dense<5> : tensor<16x4x3x3xi8>
  %0 = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x4x9x33xi8>, tensor<16x4x3x3xi8>) outs(%c : tensor<1x16x4x16xi32>) {
  ^bb0(%a: i8, %b: i8, %acc: i32):
    %aw = arith.extui %a : i8 to i32
    %bw = arith.extsi %b : i8 to i32
    %p = arith.muli %aw, %bw : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<1x16x4x16xi32>
  return %0 : tensor<1x16x4x16xi32>
}
