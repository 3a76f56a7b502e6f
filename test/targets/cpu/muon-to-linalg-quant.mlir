// RUN: muon-opt %s --muon-to-linalg --canonicalize --split-input-file | FileCheck %s

// The lowering of the ops of dialects/muon/QuantOps.td: element-wise
// linalg.generic ops on the storage types; the quantized types and the
// quant.scast at the seams disappear. The formulas are ONNX's
// QuantizeLinear and DequantizeLinear and, for requantize, muon_requantize
// of runtime/common/requant.h with m and shift derived as in
// docs/quantization.md (here 0.001 / 0.025 = 0.04 = 1374389535 * 2^-31 * 2^-4).

// CHECK-LABEL: func @quantize_dequantize
// CHECK-NOT: quant.
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: i8):
// CHECK:   %[[D:.*]] = arith.divf %[[X]], %{{.*}} : f32
// CHECK:   %[[R:.*]] = math.roundeven %[[D]] : f32
// CHECK:   %[[Z:.*]] = arith.addf %[[R]], %{{.*}} : f32
// CHECK:   %[[LO:.*]] = arith.maxnumf %[[Z]], %{{.*}} : f32
// CHECK:   %[[HI:.*]] = arith.minnumf %[[LO]], %{{.*}} : f32
// CHECK:   %[[I:.*]] = arith.fptosi %[[HI]] : f32 to i32
// CHECK:   arith.trunci %[[I]] : i32 to i8
// CHECK: linalg.generic
// CHECK: ^bb0(%[[Q:.*]]: i8, %{{.*}}: f32):
// CHECK:   %[[E:.*]] = arith.extui %[[Q]] : i8 to i32
// CHECK:   %[[C:.*]] = arith.subi %[[E]], %c128_i32 : i32
// CHECK:   %[[F:.*]] = arith.sitofp %[[C]] : i32 to f32
// CHECK:   arith.mulf %[[F]], %{{.*}} : f32
// CHECK-NOT: quant.
func.func @quantize_dequantize(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %q = muon.quantize %x : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<u8:f32, 0.5:128>>
  %d = muon.dequantize %q : (tensor<2x3x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<2x3xf32>
  return %d : tensor<2x3xf32>
}

// -----

// Per-axis scales and zero points are constant tensors of shape [C, 1]
// read at the channel (axis 0 of a rank-2 tensor).
// CHECK: #[[CHANNEL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @quantize_per_axis
// CHECK: arith.constant dense<{{\[}}[1.000000e-01], [2.000000e-01]]> : tensor<2x1xf32>
// CHECK: arith.constant dense<{{\[}}[0.000000e+00], [-3.000000e+00]]> : tensor<2x1xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[CHANNEL]], #[[CHANNEL]], #{{.*}}]
func.func @quantize_per_axis(%x: tensor<2x3xf32>) -> tensor<2x3xi8> {
  %q = muon.quantize %x : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:0, {0.1, 0.2:-3}>>
  %s = quant.scast %q : tensor<2x3x!quant.uniform<i8:f32:0, {0.1, 0.2:-3}>> to tensor<2x3xi8>
  return %s : tensor<2x3xi8>
}

// -----

// A per-tensor requantization with a multiplier below 1: no left shift.
// SRDHM and the rounding shift by 4 are one arithmetic shift by 31 + 4 of
// the i64 product plus a bias: 2^30 + 8 * 2^31 = 18253611008, or
// 2^30 + 7 * 2^31 = 16106127360 when SRDHM's result is negative (the
// product below -2^30). The rest is i32: the clamp comes before the zero
// point, to [-128 - 10, 127 - 10], so the sum cannot wrap.
// CHECK-LABEL: func @requantize
// CHECK-NOT: quant.
// CHECK: ^bb0(%[[ACC:.*]]: i32, %{{.*}}: i8):
// CHECK:   %[[X:.*]] = arith.extsi %[[ACC]] : i32 to i64
// CHECK-NOT: arith.shli
// CHECK:   %[[P:.*]] = arith.muli %[[X]], %c1374389535_i64 : i64
// CHECK:   %[[NEG:.*]] = arith.cmpi slt, %[[P]], %c-1073741824_i64 : i64
// CHECK:   %[[BIAS:.*]] = arith.select %[[NEG]], %c16106127360_i64, %c18253611008_i64 : i64
// CHECK:   %[[SUM:.*]] = arith.addi %[[P]], %[[BIAS]] : i64
// CHECK:   %[[Y:.*]] = arith.shrsi %[[SUM]], %c35_i64 : i64
// CHECK:   %[[Y32:.*]] = arith.trunci %[[Y]] : i64 to i32
// CHECK:   %[[LO:.*]] = arith.maxsi %[[Y32]], %c-138_i32 : i32
// CHECK:   %[[HI:.*]] = arith.minsi %[[LO]], %c117_i32 : i32
// CHECK:   %[[Z:.*]] = arith.addi %[[HI]], %c10_i32 : i32
// CHECK:   arith.trunci %[[Z]] : i32 to i8
func.func @requantize(%acc: tensor<4xi32>) -> tensor<4xi8> {
  %a = quant.scast %acc : tensor<4xi32> to tensor<4x!quant.uniform<i32:f32, 0.001>>
  %r = muon.requantize %a : (tensor<4x!quant.uniform<i32:f32, 0.001>>) -> tensor<4x!quant.uniform<i8:f32, 0.025:10>>
  %s = quant.scast %r : tensor<4x!quant.uniform<i8:f32, 0.025:10>> to tensor<4xi8>
  return %s : tensor<4xi8>
}

// -----

// Per output channel (axis 1 of NCHW): m and shift per channel, u8 range.
// 0.001 / 0.025 = 0.04 (shift 4) and 0.002 / 0.025 = 0.08 (shift 3) share
// m = 1374389535; a multiplier above 1 (0.05 / 0.025 = 2, shift -2) adds
// the saturating left shift.
// CHECK-LABEL: func @requantize_per_axis
// CHECK-DAG: arith.constant dense<{{\[}}[{{\[}}1374389535]], {{\[}}[1374389535]], {{\[}}[1073741824]]]> : tensor<3x1x1xi64>
// CHECK-DAG: arith.constant dense<{{\[}}[{{\[}}4]], {{\[}}[3]], {{\[}}[-2]]]> : tensor<3x1x1xi32>
// CHECK: arith.shli
// CHECK: arith.maxsi %{{.*}}, %c-10_i32
// CHECK: arith.minsi %{{.*}}, %c245_i32
func.func @requantize_per_axis(%acc: tensor<1x3x4x4xi32>) -> tensor<1x3x4x4xi8> {
  %a = quant.scast %acc : tensor<1x3x4x4xi32> to tensor<1x3x4x4x!quant.uniform<i32:f32:1, {0.001, 0.002, 0.05}>>
  %r = muon.requantize %a : (tensor<1x3x4x4x!quant.uniform<i32:f32:1, {0.001, 0.002, 0.05}>>) -> tensor<1x3x4x4x!quant.uniform<u8:f32, 0.025:10>>
  %s = quant.scast %r : tensor<1x3x4x4x!quant.uniform<u8:f32, 0.025:10>> to tensor<1x3x4x4xi8>
  return %s : tensor<1x3x4x4xi8>
}

// -----

// A quantized conv: linalg's named convolution of the i8 storage itself
// with an i32 accumulator, the input padded with its zero point (3), onto
// bias - z_x * Σ_k w per output channel, computed at compile time:
// [10 - 3 * (1 + 2), -20 - 3 * (-1 + 4)] = [1, -29].
// CHECK-LABEL: func @quantized_conv
// CHECK-DAG: %[[INIT:.*]] = arith.constant dense<{{\[\[\[}}1]], {{\[\[}}-29]]]> : tensor<2x1x1xi32>
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<2x2x1x1xi8>
// CHECK-DAG: %[[ZX:.*]] = arith.constant 3 : i8
// CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[ZX]] : i8
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} ins(%[[INIT]] : tensor<2x1x1xi32>)
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%[[PAD]], %[[W]] : tensor<1x2x5x5xi8>, tensor<2x2x1x1xi8>) outs(%[[ACC]] : tensor<1x2x3x3xi32>)
func.func @quantized_conv(%xs: tensor<1x2x3x3xi8>) -> tensor<1x2x3x3xi32> {
  %x = quant.scast %xs : tensor<1x2x3x3xi8> to tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5:3>>
  %w = muon.constant dense<[[[[1]], [[2]]], [[[-1]], [[4]]]]> : tensor<2x2x1x1xi8>
  %wq = quant.scast %w : tensor<2x2x1x1xi8> to tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.25, 0.5}>>
  %b = muon.constant dense<[10, -20]> : tensor<2xi32>
  %bq = quant.scast %b : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.25}>>
  %0 = muon.conv %x, %wq, %bq {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5:3>>, tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.25, 0.5}>>, tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.25}>>) -> tensor<1x2x3x3x!quant.uniform<i32:f32:1, {0.125, 0.25}>>
  %1 = quant.scast %0 : tensor<1x2x3x3x!quant.uniform<i32:f32:1, {0.125, 0.25}>> to tensor<1x2x3x3xi32>
  return %1 : tensor<1x2x3x3xi32>
}

// -----

// The fused clamp of muon.requantize narrows the final clamp to [-3, 9],
// [0, 12] before the zero point -3 is added.
// CHECK-LABEL: func @requantize_clamp
// CHECK-DAG: %[[LO:.*]] = arith.constant 0 : i32
// CHECK-DAG: %[[HI:.*]] = arith.constant 12 : i32
// CHECK: arith.maxsi %{{.*}}, %[[LO]] : i32
// CHECK: arith.minsi %{{.*}}, %[[HI]] : i32
func.func @requantize_clamp(%xs: tensor<4xi32>) -> tensor<4xi8> {
  %x = quant.scast %xs : tensor<4xi32> to tensor<4x!quant.uniform<i32:f32, 0.125>>
  %0 = muon.requantize %x {clamp_min = -3 : i64, clamp_max = 9 : i64} : (tensor<4x!quant.uniform<i32:f32, 0.125>>) -> tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
  %1 = quant.scast %0 : tensor<4x!quant.uniform<i8:f32, 0.5:-3>> to tensor<4xi8>
  return %1 : tensor<4xi8>
}

// -----

// Max pooling of quantized values compares their storage (the scale is
// positive): uint8 storage as unsigned integers (maxui), int8 as signed ones
// (maxsi). Kernel 2, stride 2, no pads: one tap-by-tap generic each.
// CHECK-LABEL: func @max_pool_quantized
// CHECK-SAME: (%[[U:.*]]: tensor<1x1x4x4xi8>, %[[S:.*]]: tensor<1x1x4x4xi8>)
// CHECK-COUNT-3: arith.maxui %{{.*}}, %{{.*}} : i8
// CHECK-NOT: arith.maxui
// CHECK-COUNT-3: arith.maxsi %{{.*}}, %{{.*}} : i8
// CHECK-NOT: quant.
func.func @max_pool_quantized(%us: tensor<1x1x4x4xi8>, %ss: tensor<1x1x4x4xi8>) -> (tensor<1x1x2x2xi8>, tensor<1x1x2x2xi8>) {
  %u = quant.scast %us : tensor<1x1x4x4xi8> to tensor<1x1x4x4x!quant.uniform<u8:f32, 0.5:128>>
  %0 = muon.max_pool %u {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.5:128>>
  %1 = quant.scast %0 : tensor<1x1x2x2x!quant.uniform<u8:f32, 0.5:128>> to tensor<1x1x2x2xi8>
  %s = quant.scast %ss : tensor<1x1x4x4xi8> to tensor<1x1x4x4x!quant.uniform<i8:f32, 0.5:-3>>
  %2 = muon.max_pool %s {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4x!quant.uniform<i8:f32, 0.5:-3>>) -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:-3>>
  %3 = quant.scast %2 : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x1x2x2xi8>
  return %1, %3 : tensor<1x1x2x2xi8>, tensor<1x1x2x2xi8>
}

// -----

// A padded uint8 max pool pads with 0, the lowest uint8 (bits 0x00); an
// int8 one with -128.
// CHECK-LABEL: func @max_pool_quantized_padding
// CHECK-DAG: %[[LOWEST:.*]] = arith.constant -128 : i8
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i8
// CHECK: tensor.pad
// CHECK: tensor.yield %[[ZERO]] : i8
// CHECK: arith.maxui
// CHECK: tensor.pad
// CHECK: tensor.yield %[[LOWEST]] : i8
// CHECK: arith.maxsi
func.func @max_pool_quantized_padding(%us: tensor<1x1x2x2xi8>, %ss: tensor<1x1x2x2xi8>) -> (tensor<1x1x3x3xi8>, tensor<1x1x3x3xi8>) {
  %u = quant.scast %us : tensor<1x1x2x2xi8> to tensor<1x1x2x2x!quant.uniform<u8:f32, 0.5:128>>
  %0 = muon.max_pool %u {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x1x3x3x!quant.uniform<u8:f32, 0.5:128>>
  %1 = quant.scast %0 : tensor<1x1x3x3x!quant.uniform<u8:f32, 0.5:128>> to tensor<1x1x3x3xi8>
  %s = quant.scast %ss : tensor<1x1x2x2xi8> to tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:-3>>
  %2 = muon.max_pool %s {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:-3>>) -> tensor<1x1x3x3x!quant.uniform<i8:f32, 0.5:-3>>
  %3 = quant.scast %2 : tensor<1x1x3x3x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x1x3x3xi8>
  return %1, %3 : tensor<1x1x3x3xi8>, tensor<1x1x3x3xi8>
}

// -----

// Reshape, transpose and concat of one quantized type move its storage.
// CHECK-LABEL: func @quantized_data_movement
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xi8>)
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[X]] : tensor<2x3xi8>) outs(%{{.*}} : tensor<3x2xi8>) permutation = [1, 0]
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[T]] {{\[\[}}0, 1]] : tensor<3x2xi8> into tensor<6xi8>
// CHECK: %[[C:.*]] = tensor.insert_slice %[[R]] into %{{.*}}[0] [6] [1] : tensor<6xi8> into tensor<12xi8>
// CHECK: tensor.insert_slice %[[R]] into %[[C]][6] [6] [1] : tensor<6xi8> into tensor<12xi8>
// CHECK-NOT: quant.
func.func @quantized_data_movement(%xs: tensor<2x3xi8>) -> tensor<12xi8> {
  %x = quant.scast %xs : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32, 0.5>>
  %t = muon.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<3x2x!quant.uniform<i8:f32, 0.5>>
  %r = muon.reshape %t : (tensor<3x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<6x!quant.uniform<i8:f32, 0.5>>
  %c = muon.concat %r, %r {axis = 0 : i64} : (tensor<6x!quant.uniform<i8:f32, 0.5>>, tensor<6x!quant.uniform<i8:f32, 0.5>>) -> tensor<12x!quant.uniform<i8:f32, 0.5>>
  %s = quant.scast %c : tensor<12x!quant.uniform<i8:f32, 0.5>> to tensor<12xi8>
  return %s : tensor<12xi8>
}
