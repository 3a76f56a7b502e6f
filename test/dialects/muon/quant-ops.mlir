// RUN: muon-opt %s --split-input-file | muon-opt | FileCheck %s
// RUN: muon-opt %s --split-input-file --mlir-print-op-generic | muon-opt | FileCheck %s

// The ops of dialects/muon/QuantOps.td, parsed, printed and parsed again:
// quantized tensors per tensor and per axis, signed and unsigned storage,
// and the storage casts (upstream quant.scast) at the ONNX-visible seams.

// CHECK-LABEL: func @quantize_dequantize
// CHECK: muon.quantize %{{.*}} : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<u8:f32, 5.000000e-01:128>>
// CHECK: quant.scast
// CHECK: muon.dequantize %{{.*}} : (tensor<2x3x!quant.uniform<u8:f32, 5.000000e-01:128>>) -> tensor<2x3xf32>
func.func @quantize_dequantize(%x: tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<2x3xf32>) {
  %q = muon.quantize %x : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<u8:f32, 0.5:128>>
  %s = quant.scast %q : tensor<2x3x!quant.uniform<u8:f32, 0.5:128>> to tensor<2x3xi8>
  %d = muon.dequantize %q : (tensor<2x3x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<2x3xf32>
  return %s, %d : tensor<2x3xi8>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @per_axis
// CHECK: muon.quantize %{{.*}} : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01:-3,5.000000e-01:7}>>
// CHECK: muon.dequantize
func.func @per_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %q = muon.quantize %x : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2:-3, 0.5:7}>>
  %d = muon.dequantize %q : (tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2:-3, 0.5:7}>>) -> tensor<2x3xf32>
  return %d : tensor<2x3xf32>
}

// -----

// An int32 accumulator, per output channel (axis 1 of NCHW), requantized to
// one u8 scale; an int32 tensor dequantized directly (DequantizeLinear of
// int32 biases).
// CHECK-LABEL: func @requantize
// CHECK: muon.requantize %{{.*}} : (tensor<1x2x4x4x!quant.uniform<i32:f32:1, {1.000000e-03,2.000000e-03}>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 2.500000e-02:10>>
// CHECK: muon.dequantize %{{.*}} : (tensor<4x!quant.uniform<i32:f32, 1.000000e-03>>) -> tensor<4xf32>
func.func @requantize(%acc: tensor<1x2x4x4xi32>, %bias: tensor<4xi32>) -> (tensor<1x2x4x4xi8>, tensor<4xf32>) {
  %a = quant.scast %acc : tensor<1x2x4x4xi32> to tensor<1x2x4x4x!quant.uniform<i32:f32:1, {0.001, 0.002}>>
  %r = muon.requantize %a : (tensor<1x2x4x4x!quant.uniform<i32:f32:1, {0.001, 0.002}>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.025:10>>
  %s = quant.scast %r : tensor<1x2x4x4x!quant.uniform<u8:f32, 0.025:10>> to tensor<1x2x4x4xi8>
  %b = quant.scast %bias : tensor<4xi32> to tensor<4x!quant.uniform<i32:f32, 0.001>>
  %d = muon.dequantize %b : (tensor<4x!quant.uniform<i32:f32, 0.001>>) -> tensor<4xf32>
  return %s, %d : tensor<1x2x4x4xi8>, tensor<4xf32>
}

// -----

// Quantized products: 8-bit operands, an int32 accumulator of scale
// s_x * s_w (per output channel for a per-channel weight), and a fused clamp
// on the requantization.
// CHECK-LABEL: func @quantized_products
// CHECK: muon.conv {{.*}} -> tensor<1x2x4x4x!quant.uniform<i32:f32:1, {1.250000e-01,2.500000e-01}>>
// CHECK: muon.requantize {{.*}} {clamp_max = 100 : i64, clamp_min = 3 : i64}
// CHECK: muon.matmul {{.*}} -> tensor<2x4x!quant.uniform<i32:f32:1, {1.250000e-01,2.500000e-01,1.250000e-01,2.500000e-01}>>
// CHECK: muon.gemm {{.*}} -> tensor<2x4x!quant.uniform<i32:f32, 1.250000e-01>>
func.func @quantized_products(%x: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:128>>, %w: tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.25, 0.5}>>, %b: tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.25}>>, %a: tensor<2x3x!quant.uniform<i8:f32, 0.5:-3>>, %m: tensor<3x4x!quant.uniform<i8:f32:1, {0.25, 0.5, 0.25, 0.5}>>, %g: tensor<4x3x!quant.uniform<i8:f32, 0.25>>, %c: tensor<4x!quant.uniform<i32:f32, 0.125>>) -> (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>>, tensor<2x4x!quant.uniform<i32:f32:1, {0.125, 0.25, 0.125, 0.25}>>, tensor<2x4x!quant.uniform<i32:f32, 0.125>>) {
  %0 = muon.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:128>>, tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.25, 0.5}>>, tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.25}>>) -> tensor<1x2x4x4x!quant.uniform<i32:f32:1, {0.125, 0.25}>>
  %1 = muon.requantize %0 {clamp_min = 3 : i64, clamp_max = 100 : i64} : (tensor<1x2x4x4x!quant.uniform<i32:f32:1, {0.125, 0.25}>>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>>
  %2 = muon.matmul %a, %m : (tensor<2x3x!quant.uniform<i8:f32, 0.5:-3>>, tensor<3x4x!quant.uniform<i8:f32:1, {0.25, 0.5, 0.25, 0.5}>>) -> tensor<2x4x!quant.uniform<i32:f32:1, {0.125, 0.25, 0.125, 0.25}>>
  %3 = muon.gemm %a, %g, %c {transB = true} : (tensor<2x3x!quant.uniform<i8:f32, 0.5:-3>>, tensor<4x3x!quant.uniform<i8:f32, 0.25>>, tensor<4x!quant.uniform<i32:f32, 0.125>>) -> tensor<2x4x!quant.uniform<i32:f32, 0.125>>
  return %1, %2, %3 : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>>, tensor<2x4x!quant.uniform<i32:f32:1, {0.125, 0.25, 0.125, 0.25}>>, tensor<2x4x!quant.uniform<i32:f32, 0.125>>
}
