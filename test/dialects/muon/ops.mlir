// RUN: muon-opt %s --split-input-file | muon-opt | FileCheck %s
// The generic form must round-trip as well (result types re-inferred on parse).
// RUN: muon-opt %s --split-input-file --mlir-print-op-generic | muon-opt | FileCheck %s

// Every op of dialects/muon/MuonOps.td, parsed, printed and parsed again, with
// shapes from real models. Result types in the input are the ones the ONNX
// operator specification gives; the derivation of each windowed output size is
// written beside the case (out = floor_or_ceil((in + pb + pe - d*(k-1) - 1) / s) + 1).

// CHECK-LABEL: func @constant
// CHECK: muon.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK: muon.constant dense<7> : tensor<2x2xi64>
func.func @constant() -> (tensor<3xf32>, tensor<2x2xi64>) {
  %0 = muon.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %1 = muon.constant dense<7> : tensor<2x2xi64>
  return %0, %1 : tensor<3xf32>, tensor<2x2xi64>
}

// -----

// CHECK-LABEL: func @broadcast_add
// CHECK: muon.add %{{.*}}, %{{.*}} : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
func.func @broadcast_add(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = muon.add %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Sub/Mul/Div broadcast the same way; a scalar (rank 0) operand broadcasts to
// anything, and integer element types are accepted.
// CHECK-LABEL: func @binary
// CHECK: muon.sub %{{.*}}, %{{.*}} : (tensor<1x64x56x56xf32>, tensor<64x1x1xf32>) -> tensor<1x64x56x56xf32>
// CHECK: muon.mul %{{.*}}, %{{.*}} : (tensor<1x64x56x56xf32>, tensor<f32>) -> tensor<1x64x56x56xf32>
// CHECK: muon.div %{{.*}}, %{{.*}} : (tensor<4x1xi32>, tensor<1x5xi32>) -> tensor<4x5xi32>
func.func @binary(%x: tensor<1x64x56x56xf32>, %c: tensor<64x1x1xf32>, %s: tensor<f32>,
                  %i: tensor<4x1xi32>, %j: tensor<1x5xi32>) -> (tensor<1x64x56x56xf32>, tensor<4x5xi32>) {
  %0 = muon.sub %x, %c : (tensor<1x64x56x56xf32>, tensor<64x1x1xf32>) -> tensor<1x64x56x56xf32>
  %1 = muon.mul %0, %s : (tensor<1x64x56x56xf32>, tensor<f32>) -> tensor<1x64x56x56xf32>
  %2 = muon.div %i, %j : (tensor<4x1xi32>, tensor<1x5xi32>) -> tensor<4x5xi32>
  return %1, %2 : tensor<1x64x56x56xf32>, tensor<4x5xi32>
}

// -----

// CHECK-LABEL: func @unary
// CHECK: muon.relu %{{.*}} : tensor<1x16x8x8xf32>
// CHECK: muon.sigmoid %{{.*}} : tensor<1x16x8x8xf32>
// CHECK: muon.tanh %{{.*}} : tensor<1x16x8x8xf32>
// CHECK: muon.exp %{{.*}} : tensor<1x16x8x8xf32>
// CHECK: muon.log %{{.*}} : tensor<1x16x8x8xf32>
// CHECK: muon.sqrt %{{.*}} : tensor<1x16x8x8xf32>
// CHECK: muon.neg %{{.*}} : tensor<1x16x8x8xf32>
// CHECK: muon.abs %{{.*}} : tensor<1x16x8x8xf32>
func.func @unary(%x: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  %0 = muon.relu %x : tensor<1x16x8x8xf32>
  %1 = muon.sigmoid %0 : tensor<1x16x8x8xf32>
  %2 = muon.tanh %1 : tensor<1x16x8x8xf32>
  %3 = muon.exp %2 : tensor<1x16x8x8xf32>
  %4 = muon.log %3 : tensor<1x16x8x8xf32>
  %5 = muon.sqrt %4 : tensor<1x16x8x8xf32>
  %6 = muon.neg %5 : tensor<1x16x8x8xf32>
  %7 = muon.abs %6 : tensor<1x16x8x8xf32>
  return %7 : tensor<1x16x8x8xf32>
}

// -----

// CHECK-LABEL: func @leaky_relu_and_clip
// CHECK: muon.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32} : tensor<1x32x13x13xf32>
// ReLU6 (MobileNet), a lower bound only, and equal bounds (allowed: min <= max).
// CHECK: muon.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<1x32x13x13xf32>
// CHECK: muon.clip %{{.*}} {min = -1.000000e+00 : f32} : tensor<1x32x13x13xf32>
// CHECK: muon.clip %{{.*}} {max = 2.000000e+00 : f32, min = 2.000000e+00 : f32} : tensor<1x32x13x13xf32>
func.func @leaky_relu_and_clip(%x: tensor<1x32x13x13xf32>) -> tensor<1x32x13x13xf32> {
  %0 = muon.leaky_relu %x {alpha = 0.1 : f32} : tensor<1x32x13x13xf32>
  %1 = muon.clip %0 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x32x13x13xf32>
  %2 = muon.clip %1 {min = -1.0 : f32} : tensor<1x32x13x13xf32>
  %3 = muon.clip %2 {min = 2.0 : f32, max = 2.0 : f32} : tensor<1x32x13x13xf32>
  return %3 : tensor<1x32x13x13xf32>
}

// -----

// Gemm as exported by PyTorch's nn.Linear: Y[1,1000] = X[1,512] * W[1000,512]^T + b[1000].
// CHECK-LABEL: func @gemm_linear
// CHECK: muon.gemm %{{.*}}, %{{.*}}, %{{.*}} {transB = true} : (tensor<1x512xf32>, tensor<1000x512xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
func.func @gemm_linear(%x: tensor<1x512xf32>, %w: tensor<1000x512xf32>, %b: tensor<1000xf32>) -> tensor<1x1000xf32> {
  %0 = muon.gemm %x, %w, %b {transB = true} : (tensor<1x512xf32>, tensor<1000x512xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
  return %0 : tensor<1x1000xf32>
}

// -----

// transA: A is [K=3, M=4]; B is [K=3, N=5] -> [4, 5]. No C; C of shape [M, 1]
// and a scalar C broadcast to [M, N] as well.
// CHECK-LABEL: func @gemm_forms
// CHECK: muon.gemm %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, transA = true} : (tensor<3x4xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
// CHECK: muon.gemm %{{.*}}, %{{.*}}, %{{.*}} {beta = 2.000000e+00 : f32, transA = true} : (tensor<3x4xf32>, tensor<3x5xf32>, tensor<4x1xf32>) -> tensor<4x5xf32>
// CHECK: muon.gemm %{{.*}}, %{{.*}}, %{{.*}} {transA = true} : (tensor<3x4xf32>, tensor<3x5xf32>, tensor<f32>) -> tensor<4x5xf32>
func.func @gemm_forms(%a: tensor<3x4xf32>, %b: tensor<3x5xf32>, %c: tensor<4x1xf32>, %s: tensor<f32>) -> (tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>) {
  %0 = muon.gemm %a, %b {alpha = 0.5 : f32, transA = true} : (tensor<3x4xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
  %1 = muon.gemm %a, %b, %c {beta = 2.0 : f32, transA = true} : (tensor<3x4xf32>, tensor<3x5xf32>, tensor<4x1xf32>) -> tensor<4x5xf32>
  %2 = muon.gemm %a, %b, %s {transA = true} : (tensor<3x4xf32>, tensor<3x5xf32>, tensor<f32>) -> tensor<4x5xf32>
  return %0, %1, %2 : tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>
}

// -----

// numpy.matmul: plain 2-D; batch [2,1] x [3] broadcast to [2,3]; 1-D operands
// promoted and the added dimension dropped: [4] x [4,6] -> [6], [2,3,4] x [4] -> [2,3],
// [4] x [4] -> scalar.
// CHECK-LABEL: func @matmul
// CHECK: muon.matmul %{{.*}}, %{{.*}} : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
// CHECK: muon.matmul %{{.*}}, %{{.*}} : (tensor<2x1x8x16xf32>, tensor<3x16x4xf32>) -> tensor<2x3x8x4xf32>
// CHECK: muon.matmul %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<4x6xf32>) -> tensor<6xf32>
// CHECK: muon.matmul %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3xf32>
// CHECK: muon.matmul %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
func.func @matmul(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>, %c: tensor<2x1x8x16xf32>, %d: tensor<3x16x4xf32>,
                  %v: tensor<4xf32>, %m: tensor<4x6xf32>, %t: tensor<2x3x4xf32>)
    -> (tensor<8x4xf32>, tensor<2x3x8x4xf32>, tensor<6xf32>, tensor<2x3xf32>, tensor<f32>) {
  %0 = muon.matmul %a, %b : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  %1 = muon.matmul %c, %d : (tensor<2x1x8x16xf32>, tensor<3x16x4xf32>) -> tensor<2x3x8x4xf32>
  %2 = muon.matmul %v, %m : (tensor<4xf32>, tensor<4x6xf32>) -> tensor<6xf32>
  %3 = muon.matmul %t, %v : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  %4 = muon.matmul %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %0, %1, %2, %3, %4 : tensor<8x4xf32>, tensor<2x3x8x4xf32>, tensor<6xf32>, tensor<2x3xf32>, tensor<f32>
}

// -----

// ResNet stem: 224 + 3 + 3 - 1*(7-1) - 1 = 223, floor(223 / 2) + 1 = 112.
// CHECK-LABEL: func @conv_resnet_stem
// CHECK: muon.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32>
func.func @conv_resnet_stem(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32> {
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32>
  return %0 : tensor<1x64x112x112xf32>
}

// -----

// Dilation 2 on 7x7 with a 3x3 kernel, no pads: 7 - 2*(3-1) - 1 = 2, 2 / 1 + 1 = 3.
// CHECK-LABEL: func @conv_dilated
// CHECK: muon.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x7x7xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
func.func @conv_dilated(%x: tensor<1x2x7x7xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x3x3xf32> {
  %0 = muon.conv %x, %w, %b {dilations = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x7x7xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}

// -----

// Depthwise (MobileNet, group = C = 32, weight [32, 1, 3, 3]): 112 + 1 + 1 - 2 - 1 = 111,
// floor(111 / 2) + 1 = 56. Grouped (group 4: 8 channels -> 2 per group; 12 filters):
// 10 + 0 + 0 - 2 - 1 = 7, 7 + 1 = 8. Asymmetric pads [top 0, left 1, bottom 2, right 0]:
// H: 10 + 0 + 2 - 2 - 1 = 9 -> 10, W: 10 + 1 + 0 - 2 - 1 = 8 -> 9.
// CHECK-LABEL: func @conv_groups
// CHECK: muon.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 32 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x32x112x112xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x56x56xf32>
// CHECK: muon.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<2x8x10x10xf32>, tensor<12x2x3x3xf32>) -> tensor<2x12x8x8xf32>
// CHECK: muon.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 0, 1, 2, 0>, strides = array<i64: 1, 1>} : (tensor<2x8x10x10xf32>, tensor<3x8x3x3xf32>) -> tensor<2x3x10x9xf32>
func.func @conv_groups(%x: tensor<1x32x112x112xf32>, %w: tensor<32x1x3x3xf32>,
                       %y: tensor<2x8x10x10xf32>, %v: tensor<12x2x3x3xf32>, %u: tensor<3x8x3x3xf32>)
    -> (tensor<1x32x56x56xf32>, tensor<2x12x8x8xf32>, tensor<2x3x10x9xf32>) {
  %0 = muon.conv %x, %w {dilations = array<i64: 1, 1>, group = 32 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x32x112x112xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x56x56xf32>
  %1 = muon.conv %y, %v {dilations = array<i64: 1, 1>, group = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<2x8x10x10xf32>, tensor<12x2x3x3xf32>) -> tensor<2x12x8x8xf32>
  %2 = muon.conv %y, %u {dilations = array<i64: 1, 1>, pads = array<i64: 0, 1, 2, 0>, strides = array<i64: 1, 1>} : (tensor<2x8x10x10xf32>, tensor<3x8x3x3xf32>) -> tensor<2x3x10x9xf32>
  return %0, %1, %2 : tensor<1x32x56x56xf32>, tensor<2x12x8x8xf32>, tensor<2x3x10x9xf32>
}

// -----

// 1-D (audio, rank 3): 100 + 2 + 2 - 4 - 1 = 99, floor(99 / 3) + 1 = 34.
// 3-D (video, rank 5): D 8 - 2 - 1 = 5 -> 6, H/W 16 + 1 + 1 - 2 - 1 = 15, floor(15 / 2) + 1 = 8.
// CHECK-LABEL: func @conv_1d_3d
// CHECK: muon.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1>, pads = array<i64: 2, 2>, strides = array<i64: 3>} : (tensor<1x4x100xf32>, tensor<8x4x5xf32>) -> tensor<1x8x34xf32>
// CHECK: muon.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 1, 1, 0, 1, 1>, strides = array<i64: 1, 2, 2>} : (tensor<1x3x8x16x16xf32>, tensor<6x3x3x3x3xf32>) -> tensor<1x6x6x8x8xf32>
func.func @conv_1d_3d(%x: tensor<1x4x100xf32>, %w: tensor<8x4x5xf32>, %v: tensor<1x3x8x16x16xf32>, %k: tensor<6x3x3x3x3xf32>)
    -> (tensor<1x8x34xf32>, tensor<1x6x6x8x8xf32>) {
  %0 = muon.conv %x, %w {dilations = array<i64: 1>, pads = array<i64: 2, 2>, strides = array<i64: 3>} : (tensor<1x4x100xf32>, tensor<8x4x5xf32>) -> tensor<1x8x34xf32>
  %1 = muon.conv %v, %k {dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 1, 1, 0, 1, 1>, strides = array<i64: 1, 2, 2>} : (tensor<1x3x8x16x16xf32>, tensor<6x3x3x3x3xf32>) -> tensor<1x6x6x8x8xf32>
  return %0, %1 : tensor<1x8x34xf32>, tensor<1x6x6x8x8xf32>
}

// -----

// MaxPool 1x1x5x5, kernel 2, stride 2, no pads: span 5 - 1 - 1 = 3.
// ceil_mode: ceil(3 / 2) + 1 = 3; floor: floor(3 / 2) + 1 = 2.
// CHECK-LABEL: func @max_pool_ceil_mode
// CHECK: muon.max_pool %{{.*}} {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
// CHECK: muon.max_pool %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32>
func.func @max_pool_ceil_mode(%x: tensor<1x1x5x5xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) {
  %0 = muon.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  %1 = muon.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32>
  return %0, %1 : tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>
}

// -----

// MaxPool's Indices: the pooled shape with i64 elements.
// CHECK-LABEL: func @max_pool_indices
// CHECK: muon.max_pool_indices %{{.*}} {column_major = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xui8>) -> tensor<1x1x2x2xi64>
func.func @max_pool_indices(%x: tensor<1x1x5x5xui8>) -> tensor<1x1x2x2xi64> {
  %0 = muon.max_pool_indices %x {column_major = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xui8>) -> tensor<1x1x2x2xi64>
  return %0 : tensor<1x1x2x2xi64>
}

// -----

// ceil_mode with pads 1: span 5 + 1 + 1 - 1 - 1 = 5, ceil(5 / 2) + 1 = 4, but the
// 4th window would start at (4 - 1) * 2 = 6 >= 5 + 1, i.e. entirely in the end
// padding, so it is dropped (ONNX MaxPool: "sliding windows that would start in
// the right padded region are ignored") -> 3. Floor mode: floor(5 / 2) + 1 = 3.
// ResNet's max pool: 112 + 1 + 1 - 2 - 1 = 111, floor(111 / 2) + 1 = 56.
// CHECK-LABEL: func @max_pool_ceil_drops_last_window
// CHECK: muon.max_pool %{{.*}} {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
// CHECK: muon.max_pool %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
func.func @max_pool_ceil_drops_last_window(%x: tensor<1x1x5x5xf32>, %y: tensor<1x64x112x112xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x64x56x56xf32>) {
  %0 = muon.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  %1 = muon.max_pool %y {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  return %0, %1 : tensor<1x1x3x3xf32>, tensor<1x64x56x56xf32>
}

// -----

// AveragePool 3x3 stride 1 pad 1 keeps 8x8; count_include_pad and ceil_mode
// 7x7 kernel 3 stride 2: span 7 - 2 - 1 = 4, ceil(4 / 2) + 1 = 3 (exact, same as floor).
// 6x6 kernel 3 stride 2 ceil: span 6 - 2 - 1 = 3, ceil(3 / 2) + 1 = 3 (floor would be 2);
// the last window starts at 4 < 6, so it is kept.
// CHECK-LABEL: func @average_pool
// CHECK: muon.average_pool %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
// CHECK: muon.average_pool %{{.*}} {ceil_mode = true, count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32>
// CHECK: muon.average_pool %{{.*}} {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
func.func @average_pool(%x: tensor<1x8x8x8xf32>, %y: tensor<1x2x7x7xf32>, %z: tensor<1x2x6x6xf32>)
    -> (tensor<1x8x8x8xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %0 = muon.average_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %1 = muon.average_pool %y {ceil_mode = true, count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32>
  %2 = muon.average_pool %z {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0, %1, %2 : tensor<1x8x8x8xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func @global_pool
// CHECK: muon.global_average_pool %{{.*}} : (tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32>
// CHECK: muon.global_max_pool %{{.*}} : (tensor<2x16x10xf32>) -> tensor<2x16x1xf32>
func.func @global_pool(%x: tensor<1x512x7x7xf32>, %y: tensor<2x16x10xf32>) -> (tensor<1x512x1x1xf32>, tensor<2x16x1xf32>) {
  %0 = muon.global_average_pool %x : (tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32>
  %1 = muon.global_max_pool %y : (tensor<2x16x10xf32>) -> tensor<2x16x1xf32>
  return %0, %1 : tensor<1x512x1x1xf32>, tensor<2x16x1xf32>
}

// -----

// CHECK-LABEL: func @batch_norm
// CHECK: muon.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
// CHECK: muon.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32} : (tensor<4x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
func.func @batch_norm(%x: tensor<1x64x56x56xf32>, %y: tensor<4x64xf32>, %s: tensor<64xf32>, %b: tensor<64xf32>,
                      %m: tensor<64xf32>, %v: tensor<64xf32>) -> (tensor<1x64x56x56xf32>, tensor<4x64xf32>) {
  %0 = muon.batch_norm %x, %s, %b, %m, %v : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  %1 = muon.batch_norm %y, %s, %b, %m, %v {epsilon = 1.0e-3 : f32} : (tensor<4x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
  return %0, %1 : tensor<1x64x56x56xf32>, tensor<4x64xf32>
}

// -----

// CHECK-LABEL: func @softmax
// CHECK: muon.softmax %{{.*}} {axis = 1 : i64} : tensor<1x1000xf32>
// CHECK: muon.log_softmax %{{.*}} {axis = 0 : i64} : tensor<1x1000xf32>
// CHECK: muon.softmax %{{.*}} {axis = 3 : i64} : tensor<1x12x128x128xf32>
func.func @softmax(%x: tensor<1x1000xf32>, %a: tensor<1x12x128x128xf32>) -> (tensor<1x1000xf32>, tensor<1x12x128x128xf32>) {
  %0 = muon.softmax %x {axis = 1} : tensor<1x1000xf32>
  %1 = muon.log_softmax %0 {axis = 0} : tensor<1x1000xf32>
  %2 = muon.softmax %a {axis = 3} : tensor<1x12x128x128xf32>
  return %1, %2 : tensor<1x1000xf32>, tensor<1x12x128x128xf32>
}

// -----

// Flatten before the classifier (512 * 1 * 1 = 512) and a regrouping reshape
// (2 * 3 * 4 = 24 = 6 * 4).
// CHECK-LABEL: func @reshape
// CHECK: muon.reshape %{{.*}} : (tensor<1x512x1x1xf32>) -> tensor<1x512xf32>
// CHECK: muon.reshape %{{.*}} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
func.func @reshape(%x: tensor<1x512x1x1xf32>, %y: tensor<2x3x4xf32>) -> (tensor<1x512xf32>, tensor<4x6xf32>) {
  %0 = muon.reshape %x : (tensor<1x512x1x1xf32>) -> tensor<1x512xf32>
  %1 = muon.reshape %y : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
  return %0, %1 : tensor<1x512xf32>, tensor<4x6xf32>
}

// -----

// NCHW -> NHWC: result dim i is input dim perm[i] = [1, 8, 8, 3].
// CHECK-LABEL: func @transpose
// CHECK: muon.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x8x8xf32>) -> tensor<1x8x8x3xf32>
// CHECK: muon.transpose %{{.*}} {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
func.func @transpose(%x: tensor<1x3x8x8xf32>, %y: tensor<2x3x4xf32>) -> (tensor<1x8x8x3xf32>, tensor<4x2x3xf32>) {
  %0 = muon.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x8x8xf32>) -> tensor<1x8x8x3xf32>
  %1 = muon.transpose %y {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0, %1 : tensor<1x8x8x3xf32>, tensor<4x2x3xf32>
}

// -----

// Channel concat (DenseNet / Inception): 64 + 32 + 16 = 112; a single input.
// CHECK-LABEL: func @concat
// CHECK: muon.concat %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<1x64x28x28xf32>, tensor<1x32x28x28xf32>, tensor<1x16x28x28xf32>) -> tensor<1x112x28x28xf32>
// CHECK: muon.concat %{{.*}} {axis = 0 : i64} : (tensor<2x5xi64>) -> tensor<2x5xi64>
func.func @concat(%a: tensor<1x64x28x28xf32>, %b: tensor<1x32x28x28xf32>, %c: tensor<1x16x28x28xf32>, %d: tensor<2x5xi64>)
    -> (tensor<1x112x28x28xf32>, tensor<2x5xi64>) {
  %0 = muon.concat %a, %b, %c {axis = 1} : (tensor<1x64x28x28xf32>, tensor<1x32x28x28xf32>, tensor<1x16x28x28xf32>) -> tensor<1x112x28x28xf32>
  %1 = muon.concat %d {axis = 0} : (tensor<2x5xi64>) -> tensor<2x5xi64>
  return %0, %1 : tensor<1x112x28x28xf32>, tensor<2x5xi64>
}
