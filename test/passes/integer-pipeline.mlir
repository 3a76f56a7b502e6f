// RUN: muon-opt %s --muon-integer-pipeline | FileCheck %s

// The passes muonc runs after quantization: Add of two dequantized tensors
// then Relu, quantized, becomes one integer add that clamps at the output
// zero point, -2 (muon-fold-qdq), and no float op is left (dead code).
// CHECK-LABEL: func @add_relu
// CHECK: %[[A:.*]] = muon.quantize %arg0
// CHECK: %[[B:.*]] = muon.quantize %arg1
// CHECK: %[[S:.*]] = muon.quantized_add %[[A]], %[[B]] {clamp_min = -2 : i64}
// CHECK-NOT: muon.dequantize
// CHECK-NOT: muon.add
// CHECK-NOT: muon.relu
// CHECK: return %[[S]]
func.func @add_relu(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 1.0:-2>> {
  %aq = muon.quantize %a : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  %af = muon.dequantize %aq : (tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4xf32>
  %bq = muon.quantize %b : (tensor<4xf32>) -> tensor<4x!quant.uniform<u8:f32, 0.25:128>>
  %bf = muon.dequantize %bq : (tensor<4x!quant.uniform<u8:f32, 0.25:128>>) -> tensor<4xf32>
  %0 = muon.add %af, %bf : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = muon.relu %0 : tensor<4xf32>
  %2 = muon.quantize %1 : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 1.0:-2>>
  return %2 : tensor<4x!quant.uniform<i8:f32, 1.0:-2>>
}
