// RUN: muon-opt %s --muon-to-linalg --split-input-file | FileCheck %s

// AveragePool on f16: the divisor table has the op's element type. Kernel 2,
// stride 2, no pads on 4x4: every window holds 4 inputs, so every divisor is
// 1/4 (exact in f16).

// CHECK-LABEL: func @average_pool_f16
// CHECK: %[[RECIP:.*]] = arith.constant dense<2.500000e-01> : tensor<2x2xf16>
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x2x2xf16>)
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %[[RECIP]] : tensor<1x1x2x2xf16>, tensor<2x2xf16>)
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f16
func.func @average_pool_f16(%x: tensor<1x1x4x4xf16>) -> tensor<1x1x2x2xf16> {
  %0 = muon.average_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf16>) -> tensor<1x1x2x2xf16>
  return %0 : tensor<1x1x2x2xf16>
}

// -----

// Casts between f16 and bf16 (both 16 bits wide) go through f32, which holds
// every value of either exactly; bf16 to and from f32 is one extf / truncf.
// CHECK-LABEL: func @cast_f16_bf16
// CHECK: ^bb0(%[[H:.*]]: f16, %{{.*}}: bf16):
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[H]] : f16 to f32
// CHECK-NEXT: %[[B:.*]] = arith.truncf %[[W]] : f32 to bf16
// CHECK-NEXT: linalg.yield %[[B]]
// CHECK: arith.extf %{{.*}} : bf16 to f32
func.func @cast_f16_bf16(%x: tensor<4xf16>) -> (tensor<4xbf16>, tensor<4xf32>) {
  %0 = muon.cast %x to bf16 : tensor<4xf16>
  %1 = muon.cast %0 to f32 : tensor<4xbf16>
  return %0, %1 : tensor<4xbf16>, tensor<4xf32>
}
