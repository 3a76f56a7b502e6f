// RUN: muon-opt %s --muon-fold-operand-extension --split-input-file | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
// Both operands sign-extended from int8: the named matmul reads them.
// CHECK-LABEL: func @signed_matmul
// CHECK-NOT: linalg.generic
// CHECK: linalg.matmul ins(%arg0, %arg1 : tensor<4x8xi8>, tensor<8x16xi8>) outs(%arg2 : tensor<4x16xi32>)
func.func @signed_matmul(%a: tensor<4x8xi8>, %b: tensor<8x16xi8>, %c: tensor<4x16xi32>) -> tensor<4x16xi32> {
  %ea = tensor.empty() : tensor<4x8xi32>
  %wa = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x8xi8>) outs(%ea : tensor<4x8xi32>) {
  ^bb0(%x: i8, %o: i32):
    %e = arith.extsi %x : i8 to i32
    linalg.yield %e : i32
  } -> tensor<4x8xi32>
  %eb = tensor.empty() : tensor<8x16xi32>
  %wb = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<8x16xi8>) outs(%eb : tensor<8x16xi32>) {
  ^bb0(%x: i8, %o: i32):
    %e = arith.extsi %x : i8 to i32
    linalg.yield %e : i32
  } -> tensor<8x16xi32>
  %0 = linalg.matmul ins(%wa, %wb : tensor<4x8xi32>, tensor<8x16xi32>) outs(%c : tensor<4x16xi32>) -> tensor<4x16xi32>
  return %0 : tensor<4x16xi32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
// A zero-extended (uint8) operand and an int32 constant whose values fit in
// int8: a linalg.generic with the extensions in its body.
// CHECK-LABEL: func @unsigned_times_constant
// CHECK: %[[B:.*]] = arith.constant dense<{{\[}}[-128, 127]{{.*}}> : tensor<2x2xi8>
// CHECK: linalg.generic {{.*}} ins(%arg0, %[[B]] : tensor<2x2xi8>, tensor<2x2xi8>) outs(%arg1 : tensor<2x2xi32>)
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.muli
// CHECK: arith.addi
func.func @unsigned_times_constant(%a: tensor<2x2xi8>, %c: tensor<2x2xi32>) -> tensor<2x2xi32> {
  %ea = tensor.empty() : tensor<2x2xi32>
  %wa = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<2x2xi8>) outs(%ea : tensor<2x2xi32>) {
  ^bb0(%x: i8, %o: i32):
    %e = arith.extui %x : i8 to i32
    linalg.yield %e : i32
  } -> tensor<2x2xi32>
  %b = arith.constant dense<[[-128, 127], [0, 5]]> : tensor<2x2xi32>
  %0 = linalg.matmul ins(%wa, %b : tensor<2x2xi32>, tensor<2x2xi32>) outs(%c : tensor<2x2xi32>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
// A constant with a value outside int8 (a zero point was subtracted, say)
// keeps the product in int32.
// CHECK-LABEL: func @keeps_wide_constant
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x2xi32>, tensor<2x2xi32>)
func.func @keeps_wide_constant(%a: tensor<2x2xi8>, %c: tensor<2x2xi32>) -> tensor<2x2xi32> {
  %ea = tensor.empty() : tensor<2x2xi32>
  %wa = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<2x2xi8>) outs(%ea : tensor<2x2xi32>) {
  ^bb0(%x: i8, %o: i32):
    %e = arith.extsi %x : i8 to i32
    linalg.yield %e : i32
  } -> tensor<2x2xi32>
  %b = arith.constant dense<[[-129, 127], [0, 5]]> : tensor<2x2xi32>
  %0 = linalg.matmul ins(%wa, %b : tensor<2x2xi32>, tensor<2x2xi32>) outs(%c : tensor<2x2xi32>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
// An operand that is more than an extension (here minus a zero point) keeps
// the product in int32.
// CHECK-LABEL: func @keeps_centered_operand
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x2xi32>, tensor<2x2xi32>)
func.func @keeps_centered_operand(%a: tensor<2x2xi8>, %b: tensor<2x2xi32>, %c: tensor<2x2xi32>) -> tensor<2x2xi32> {
  %ea = tensor.empty() : tensor<2x2xi32>
  %c3 = arith.constant 3 : i32
  %wa = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<2x2xi8>) outs(%ea : tensor<2x2xi32>) {
  ^bb0(%x: i8, %o: i32):
    %e = arith.extsi %x : i8 to i32
    %s = arith.subi %e, %c3 : i32
    linalg.yield %s : i32
  } -> tensor<2x2xi32>
  %0 = linalg.matmul ins(%wa, %wa : tensor<2x2xi32>, tensor<2x2xi32>) outs(%c : tensor<2x2xi32>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// A convolution of a zero-padded, sign-extended input: the padding moves to
// the 8-bit tensor and the named convolution reads both 8-bit operands.
// CHECK-LABEL: func @padded_conv
// CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %{{.*}} : i8
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%[[PAD]], %{{.*}} : tensor<1x2x6x6xi8>, tensor<4x2x3x3xi8>)
func.func @padded_conv(%x: tensor<1x2x4x4xi8>, %c: tensor<1x4x4x4xi32>) -> tensor<1x4x4x4xi32> {
  %zero = arith.constant 0 : i32
  %ex = tensor.empty() : tensor<1x2x4x4xi32>
  %wx = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x2x4x4xi8>) outs(%ex : tensor<1x2x4x4xi32>) {
  ^bb0(%v: i8, %o: i32):
    %e = arith.extsi %v : i8 to i32
    linalg.yield %e : i32
  } -> tensor<1x2x4x4xi32>
  %padded = tensor.pad %wx low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : i32
  } : tensor<1x2x4x4xi32> to tensor<1x2x6x6xi32>
  %w = arith.constant dense<1> : tensor<4x2x3x3xi32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : tensor<1x2x6x6xi32>, tensor<4x2x3x3xi32>) outs(%c : tensor<1x4x4x4xi32>) -> tensor<1x4x4x4xi32>
  return %0 : tensor<1x4x4x4xi32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// A zero-extended (uint8) convolution input: the named convolution extends
// with sign only, so the product becomes a linalg.generic with the
// convolution's indexing maps and the extensions in its body.
// CHECK-LABEL: func @unsigned_conv
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// CHECK: linalg.generic {{.*}} ins(%arg0, %{{.*}} : tensor<1x2x4x4xi8>, tensor<4x2x3x3xi8>) outs(%arg1 : tensor<1x4x2x2xi32>)
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.extsi %{{.*}} : i8 to i32
func.func @unsigned_conv(%x: tensor<1x2x4x4xi8>, %c: tensor<1x4x2x2xi32>) -> tensor<1x4x2x2xi32> {
  %ex = tensor.empty() : tensor<1x2x4x4xi32>
  %wx = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x2x4x4xi8>) outs(%ex : tensor<1x2x4x4xi32>) {
  ^bb0(%v: i8, %o: i32):
    %e = arith.extui %v : i8 to i32
    linalg.yield %e : i32
  } -> tensor<1x2x4x4xi32>
  %w = arith.constant dense<1> : tensor<4x2x3x3xi32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%wx, %w : tensor<1x2x4x4xi32>, tensor<4x2x3x3xi32>) outs(%c : tensor<1x4x2x2xi32>) -> tensor<1x4x2x2xi32>
  return %0 : tensor<1x4x2x2xi32>
}
