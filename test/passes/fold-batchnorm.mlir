// RUN: muon-opt %s --muon-fold-batchnorm --split-input-file | FileCheck %s
// RUN: muon-opt %s --muon-fold-batchnorm --split-input-file --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC

// batch_norm(y) = (y - mean) / sqrt(var + eps) * scale + bias = y * s + t with
//   s = scale / sqrt(var + eps),  t = bias - mean * s   (per channel),
// so conv(x, W, b) -> batch_norm  becomes  conv(x, W * s[f], b * s + t)  and
// gemm(A, B, C) -> batch_norm  becomes  gemm(A, B * s[column], beta * C * s + t).
// The parameters below are chosen so that var + eps is a perfect square and
// every folded value is exact in f32; each expected value is derived by hand
// beside its case.
// The pass has no failure paths (it only declines to fold), so there is no
// fold-batchnorm-errors.mlir.

// Two filters over two input channels, 1x1 kernel, conv bias present.
//   eps = 1, var = [3, 15] -> sqrt(var + eps) = [2, 4]; scale = [1, 3] -> s = [0.5, 0.75]
//   mean = [1, -1], bias = [0, 3] -> t = [0 - 1 * 0.5, 3 + 1 * 0.75] = [-0.5, 3.75]
//   W = [[1, 2], [3, 4]] (filter-major) -> [[1, 2] * 0.5, [3, 4] * 0.75] = [[0.5, 1], [2.25, 3]]
//   b = [0.5, 1] -> [0.5 * 0.5 - 0.5, 1 * 0.75 + 3.75] = [-0.25, 4.5]
// CHECK-LABEL: func @folds_into_conv
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>)
// CHECK-NOT: muon.batch_norm
// CHECK-DAG: %[[W:.*]] = muon.constant dense<{{\[}}{{\[}}{{\[}}[5.000000e-01]], {{\[}}[1.000000e+00]]], {{\[}}{{\[}}[2.250000e+00]], {{\[}}[3.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = muon.constant dense<[-2.500000e-01, 4.500000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = muon.conv %[[X]], %[[W]], %[[B]] {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NOT: muon.batch_norm
// CHECK: return %[[Y]]
func.func @folds_into_conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = muon.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = muon.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %scale = muon.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %bias = muon.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %mean = muon.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %var = muon.constant dense<[3.0, 15.0]> : tensor<2xf32>
  %0 = muon.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("node 'conv' (Conv)")
  %1 = muon.batch_norm %0, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("node 'bn' (BatchNormalization)")
  return %1 : tensor<1x2x4x4xf32>
}
// The folded conv keeps both nodes' names in its location.
// LOC-LABEL: func @folds_into_conv
// LOC: muon.conv {{.*}} loc(#[[FUSED:loc[0-9]*]])
// LOC-DAG: #[[BN:loc[0-9]+]] = loc("node 'bn' (BatchNormalization)")
// LOC-DAG: #[[CONV:loc[0-9]+]] = loc("node 'conv' (Conv)")
// LOC: #[[FUSED]] = loc(fused[#[[CONV]], #[[BN]]])

// -----

// Depthwise 2x2 kernels (group 2), no conv bias (taken as 0), padding and
// stride kept; a relu after the batch_norm now reads the folded conv.
//   same s = [0.5, 0.75], t = [-0.5, 3.75] as above
//   W = [1, 2, 3, 4 | 5, 6, 7, 8] -> [0.5, 1, 1.5, 2 | 3.75, 4.5, 5.25, 6]
//   b = [0, 0] -> t = [-0.5, 3.75]
// CHECK-LABEL: func @folds_into_depthwise_conv_without_bias
// CHECK-DAG: %[[W:.*]] = muon.constant dense<{{\[}}{{\[}}{{\[}}[5.000000e-01, 1.000000e+00], [1.500000e+00, 2.000000e+00]]], {{\[}}{{\[}}[3.750000e+00, 4.500000e+00], [5.250000e+00, 6.000000e+00]]]]> : tensor<2x1x2x2xf32>
// CHECK-DAG: %[[B:.*]] = muon.constant dense<[-5.000000e-01, 3.750000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = muon.conv %{{.*}}, %[[W]], %[[B]] {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK-NOT: muon.batch_norm
// CHECK: %[[R:.*]] = muon.relu %[[Y]]
// CHECK: return %[[R]]
func.func @folds_into_depthwise_conv_without_bias(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x4x4xf32> {
  %w = muon.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]], [[[5.0, 6.0], [7.0, 8.0]]]]> : tensor<2x1x2x2xf32>
  %scale = muon.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %bias = muon.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %mean = muon.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %var = muon.constant dense<[3.0, 15.0]> : tensor<2xf32>
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x6x6xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x4x4xf32>
  %1 = muon.batch_norm %0, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %2 = muon.relu %1 : tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// The default epsilon (1e-5) is used when none is written: var = 0.99999 in
// f32 is 0.99998999..., + 1e-5 rounds to exactly 1.0 in f32, so s = scale = 2
// and t = -mean * 2 = -1. W = [1] -> [2], no bias -> [-1].
// (Checked with numpy: np.float32(2) / np.sqrt(np.float32(0.99999) + np.float32(1e-5)) == 2.0.)
// CHECK-LABEL: func @default_epsilon
// CHECK-DAG: muon.constant dense<2.000000e+00> : tensor<1x1x1x1xf32>
// CHECK-DAG: muon.constant dense<-1.000000e+00> : tensor<1xf32>
// CHECK-NOT: muon.batch_norm
func.func @default_epsilon(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = muon.constant dense<1.0> : tensor<1x1x1x1xf32>
  %scale = muon.constant dense<2.0> : tensor<1xf32>
  %bias = muon.constant dense<0.0> : tensor<1xf32>
  %mean = muon.constant dense<0.5> : tensor<1xf32>
  %var = muon.constant dense<0.99999> : tensor<1xf32>
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %1 = muon.batch_norm %0, %scale, %bias, %mean, %var : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %1 : tensor<1x1x2x2xf32>
}

// -----

// Imported weights are resource blobs; they fold the same way. The blob holds
// alignment 4, then f32 1.0 (0x3F800000) and 2.0 (0x40000000) little-endian.
//   s = [0.5, 0.75] as above -> W = [1 * 0.5, 2 * 0.75] = [0.5, 1.5]; t = [-0.5, 3.75]
// CHECK-LABEL: func @folds_resource_weights
// CHECK-DAG: muon.constant dense<{{\[}}{{\[}}{{\[}}[5.000000e-01]]], {{\[}}{{\[}}[1.500000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: muon.constant dense<[-5.000000e-01, 3.750000e+00]> : tensor<2xf32>
// CHECK-NOT: muon.batch_norm
func.func @folds_resource_weights(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = muon.constant dense_resource<conv_w> : tensor<2x1x1x1xf32>
  %scale = muon.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %bias = muon.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %mean = muon.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %var = muon.constant dense<[3.0, 15.0]> : tensor<2xf32>
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = muon.batch_norm %0, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      conv_w: "0x040000000000803F00000040"
    }
  }
#-}

// -----

// Folded weights of more than 16 elements are written as a resource blob
// (dialects/muon/Constants.h); 4 filters x 1 channel x 3 x 3 = 36 elements.
// The bias (4 elements) stays inline: t = bias - mean * s with mean = 0 is
// bias = [1, 2, 3, 4]. With the default eps, s = 1 / sqrt(1 + 1e-5) in f32 is
// 0.999995 = 0x3F7FFFAC (numpy: np.float32(1) / np.sqrt(np.float32(1) +
// np.float32(1e-5))), so the blob is the alignment 4 and then 36 times the
// little-endian bytes AC FF 7F 3F.
// CHECK-LABEL: func @large_folded_weight_is_a_resource
// CHECK-DAG: muon.constant dense_resource<folded_weight{{.*}}> : tensor<4x1x3x3xf32>
// CHECK-DAG: muon.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK-NOT: muon.batch_norm
// CHECK: folded_weight: "0x04000000ACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3FACFF7F3F"
func.func @large_folded_weight_is_a_resource(%x: tensor<1x1x4x4xf32>) -> tensor<1x4x2x2xf32> {
  %w = muon.constant dense<1.0> : tensor<4x1x3x3xf32>
  %scale = muon.constant dense<1.0> : tensor<4xf32>
  %bias = muon.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %mean = muon.constant dense<0.0> : tensor<4xf32>
  %var = muon.constant dense<1.0> : tensor<4xf32>
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32>
  %1 = muon.batch_norm %0, %scale, %bias, %mean, %var : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %1 : tensor<1x4x2x2xf32>
}

// -----

// Gemm without transB: B is [K=2, N=3], column j belongs to channel j.
//   eps = 1, var = [3, 3, 3] -> sqrt = 2; scale = [1, 4, -2] -> s = [0.5, 2, -1]
//   mean = [1, 0, 2], bias = [0, 1, 0.5] -> t = [0 - 0.5, 1 - 0, 0.5 + 2] = [-0.5, 1, 2.5]
//   B = [[1, 2, 3], [4, 5, 6]] -> [[0.5, 4, -3], [2, 10, -6]]
//   beta = 2, C = [1, 2, 3] -> beta * C = [2, 4, 6] -> [2 * 0.5 - 0.5, 4 * 2 + 1, 6 * -1 + 2.5] = [0.5, 9, -3.5]
//   alpha = 0.5 stays (it scales A * B only); beta is folded into C, so the new gemm has beta = 1.
// CHECK-LABEL: func @folds_into_gemm
// CHECK-SAME: (%[[A:.*]]: tensor<4x2xf32>)
// CHECK-DAG: %[[B:.*]] = muon.constant dense<{{\[}}[5.000000e-01, 4.000000e+00, -3.000000e+00], [2.000000e+00, 1.000000e+01, -6.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG: %[[C:.*]] = muon.constant dense<[5.000000e-01, 9.000000e+00, -3.500000e+00]> : tensor<3xf32>
// CHECK: %[[Y:.*]] = muon.gemm %[[A]], %[[B]], %[[C]] {alpha = 5.000000e-01 : f32} : (tensor<4x2xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
// CHECK-NOT: muon.batch_norm
// CHECK: return %[[Y]]
func.func @folds_into_gemm(%a: tensor<4x2xf32>) -> tensor<4x3xf32> {
  %b = muon.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %c = muon.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %scale = muon.constant dense<[1.0, 4.0, -2.0]> : tensor<3xf32>
  %bias = muon.constant dense<[0.0, 1.0, 0.5]> : tensor<3xf32>
  %mean = muon.constant dense<[1.0, 0.0, 2.0]> : tensor<3xf32>
  %var = muon.constant dense<3.0> : tensor<3xf32>
  %0 = muon.gemm %a, %b, %c {alpha = 0.5 : f32, beta = 2.0 : f32} : (tensor<4x2xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %1 = muon.batch_norm %0, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}

// -----

// Gemm with transB (nn.Linear): B is [N=3, K=2], row j belongs to channel j.
//   same s = [0.5, 2, -1], t = [-0.5, 1, 2.5]
//   B = [[1, 4], [2, 5], [3, 6]] -> [[0.5, 2], [4, 10], [-3, -6]]
//   no C (taken as 0) -> t = [-0.5, 1, 2.5]
// CHECK-LABEL: func @folds_into_gemm_trans_b
// CHECK-DAG: %[[B:.*]] = muon.constant dense<{{\[}}[5.000000e-01, 2.000000e+00], [4.000000e+00, 1.000000e+01], [-3.000000e+00, -6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: %[[C:.*]] = muon.constant dense<[-5.000000e-01, 1.000000e+00, 2.500000e+00]> : tensor<3xf32>
// CHECK: muon.gemm %{{.*}}, %[[B]], %[[C]] {transB = true} : (tensor<4x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<4x3xf32>
// CHECK-NOT: muon.batch_norm
func.func @folds_into_gemm_trans_b(%a: tensor<4x2xf32>) -> tensor<4x3xf32> {
  %b = muon.constant dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]> : tensor<3x2xf32>
  %scale = muon.constant dense<[1.0, 4.0, -2.0]> : tensor<3xf32>
  %bias = muon.constant dense<[0.0, 1.0, 0.5]> : tensor<3xf32>
  %mean = muon.constant dense<[1.0, 0.0, 2.0]> : tensor<3xf32>
  %var = muon.constant dense<3.0> : tensor<3xf32>
  %0 = muon.gemm %a, %b {transB = true} : (tensor<4x2xf32>, tensor<3x2xf32>) -> tensor<4x3xf32>
  %1 = muon.batch_norm %0, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}

// -----

// C of shape [1, N] is one value per column too: C = [[1, 2, 3]], beta = 1 ->
// [1 * 0.5 - 0.5, 2 * 2 + 1, 3 * -1 + 2.5] = [0, 5, -0.5]; B = identity-like [[1, 0, 0], [0, 1, 0]]
// -> [[0.5, 0, 0], [0, 2, 0]] (-0 for the -1 column: 0 * -1 = -0.0).
// CHECK-LABEL: func @folds_into_gemm_row_c
// CHECK-DAG: muon.constant dense<{{\[}}[5.000000e-01, 0.000000e+00, -0.000000e+00], [0.000000e+00, 2.000000e+00, -0.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG: muon.constant dense<[0.000000e+00, 5.000000e+00, -5.000000e-01]> : tensor<3xf32>
// CHECK-NOT: muon.batch_norm
func.func @folds_into_gemm_row_c(%a: tensor<4x2xf32>) -> tensor<4x3xf32> {
  %b = muon.constant dense<[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]> : tensor<2x3xf32>
  %c = muon.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  %scale = muon.constant dense<[1.0, 4.0, -2.0]> : tensor<3xf32>
  %bias = muon.constant dense<[0.0, 1.0, 0.5]> : tensor<3xf32>
  %mean = muon.constant dense<[1.0, 0.0, 2.0]> : tensor<3xf32>
  %var = muon.constant dense<3.0> : tensor<3xf32>
  %0 = muon.gemm %a, %b, %c : (tensor<4x2xf32>, tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<4x3xf32>
  %1 = muon.batch_norm %0, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Cases that must not fold
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func @keeps_non_constant_conv_weight
// CHECK: muon.conv
// CHECK: muon.batch_norm
func.func @keeps_non_constant_conv_weight(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %p = muon.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = muon.batch_norm %0, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func @keeps_non_constant_conv_bias
// CHECK: muon.conv
// CHECK: muon.batch_norm
func.func @keeps_non_constant_conv_bias(%x: tensor<1x2x4x4xf32>, %b: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = muon.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %p = muon.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %0 = muon.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = muon.batch_norm %0, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func @keeps_non_constant_scale
// CHECK: muon.conv
// CHECK: muon.batch_norm
func.func @keeps_non_constant_scale(%x: tensor<1x2x4x4xf32>, %scale: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = muon.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %p = muon.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = muon.batch_norm %0, %scale, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// The conv result is also returned, so rewriting its weights would change that output.
// CHECK-LABEL: func @keeps_conv_with_two_users
// CHECK: %[[C:.*]] = muon.conv
// CHECK: %[[N:.*]] = muon.batch_norm %[[C]]
// CHECK: return %[[N]], %[[C]]
func.func @keeps_conv_with_two_users(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = muon.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %p = muon.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = muon.batch_norm %0, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1, %0 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// relu is not affine: batch_norm(relu(conv)) != relu(conv') in general.
// CHECK-LABEL: func @keeps_batch_norm_after_relu
// CHECK: muon.conv
// CHECK: muon.relu
// CHECK: muon.batch_norm
func.func @keeps_batch_norm_after_relu(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = muon.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %p = muon.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = muon.relu %0 : tensor<1x2x4x4xf32>
  %2 = muon.batch_norm %1, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// A batch_norm on a function argument has nothing to fold into.
// CHECK-LABEL: func @keeps_batch_norm_on_argument
// CHECK: muon.batch_norm
func.func @keeps_batch_norm_on_argument(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %p = muon.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %0 = muon.batch_norm %x, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func @keeps_non_constant_gemm_b
// CHECK: muon.gemm
// CHECK: muon.batch_norm
func.func @keeps_non_constant_gemm_b(%a: tensor<4x2xf32>, %b: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %p = muon.constant dense<[1.0, 4.0, 2.0]> : tensor<3xf32>
  %0 = muon.gemm %a, %b : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %1 = muon.batch_norm %0, %p, %p, %p, %p : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}

// -----

// C of shape [M, N] = [4, 3] has a value per element, not per column; folding
// would need a [4, 3] bias, which conv/gemm's per-channel form cannot hold.
// CHECK-LABEL: func @keeps_gemm_with_full_c
// CHECK: muon.gemm
// CHECK: muon.batch_norm
func.func @keeps_gemm_with_full_c(%a: tensor<4x2xf32>, %c: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %b = muon.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %cc = muon.constant dense<1.0> : tensor<4x3xf32>
  %p = muon.constant dense<[1.0, 4.0, 2.0]> : tensor<3xf32>
  %0 = muon.gemm %a, %b, %cc : (tensor<4x2xf32>, tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %1 = muon.batch_norm %0, %p, %p, %p, %p : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}

// -----

// The pass folds f32 constants only.
// CHECK-LABEL: func @keeps_f16
// CHECK: muon.conv
// CHECK: muon.batch_norm
func.func @keeps_f16(%x: tensor<1x2x4x4xf16>) -> tensor<1x2x4x4xf16> {
  %w = muon.constant dense<1.0> : tensor<2x2x1x1xf16>
  %p = muon.constant dense<[1.0, 3.0]> : tensor<2xf16>
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf16>, tensor<2x2x1x1xf16>) -> tensor<1x2x4x4xf16>
  %1 = muon.batch_norm %0, %p, %p, %p, %p : (tensor<1x2x4x4xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>) -> tensor<1x2x4x4xf16>
  return %1 : tensor<1x2x4x4xf16>
}
