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
