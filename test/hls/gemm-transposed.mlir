// RUN: rm -rf %t && muonc %s --target=hls --name=gemm -o %t
// RUN: FileCheck %s < %t/gemm.cpp
// RUN: make -s -C %t csim | FileCheck %s --check-prefix=EXACT

// A quantized Gemm whose constant weight is stored transposed ([N][K],
// transB): muonc writes it in the order the dense kernel's lanes read it,
// [N / PE][K / SIMD][PE][SIMD], and the C simulation on 8 random samples
// matches the CPU int8 path. The accumulator scale 2^-7 is
// s_x * s_w = 2^-4 * 2^-3 (exact, as the verifier wants it).
// CHECK: muon_hls::dense<1, 4, 3, 1, 1>(in_x, layer1_weight, layer1_bias, 3, layer1_requant, out_y);
// EXACT: 8 of 8 outputs bit-exact
//
// Reuse factor 2 of 3 x 4 = 12 products: 6 multipliers, PE 3 (gcd(6, 3))
// x SIMD 2, so the weight is [1][2][3][2]: the first two k of rows 0, 1
// and 2, then the last two.
// RUN: rm -rf %t.reuse && muonc %s --target=hls --name=gemm --hls-reuse=2 -o %t.reuse
// RUN: FileCheck %s --check-prefix=REUSE < %t.reuse/gemm.cpp
// REUSE: muon_hls::dense<1, 4, 3, 3, 2>(in_x,
// RUN: FileCheck %s --check-prefix=REUSE-WEIGHT < %t.reuse/gemm_weights.h
// REUSE-WEIGHT: static const int8_t layer1_weight[12] = {
// REUSE-WEIGHT-NEXT: 1, -2, 5, 6, -9, 10, 3, -4, -7, 8, 11, -12};
// RUN: make -s -C %t.reuse csim | FileCheck %s --check-prefix=EXACT
func.func @main(%x: tensor<1x4xf32> {muon.name = "x"}) -> (tensor<1x3xf32> {muon.name = "y"}) {
  %q = muon.quantize %x : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<i8:f32, 6.250000e-02:3>>
  %w = muon.constant dense<[[1, -2, 3, -4], [5, 6, -7, 8], [-9, 10, 11, -12]]> : tensor<3x4xi8>
  %wq = quant.scast %w : tensor<3x4xi8> to tensor<3x4x!quant.uniform<i8:f32, 1.250000e-01>>
  %b = muon.constant dense<[100, -200, 300]> : tensor<3xi32>
  %bq = quant.scast %b : tensor<3xi32> to tensor<3x!quant.uniform<i32:f32, 7.812500e-03>>
  %acc = muon.gemm %q, %wq, %bq {transB = true} : (tensor<1x4x!quant.uniform<i8:f32, 6.250000e-02:3>>, tensor<3x4x!quant.uniform<i8:f32, 1.250000e-01>>, tensor<3x!quant.uniform<i32:f32, 7.812500e-03>>) -> tensor<1x3x!quant.uniform<i32:f32, 7.812500e-03>>
  %r = muon.requantize %acc : (tensor<1x3x!quant.uniform<i32:f32, 7.812500e-03>>) -> tensor<1x3x!quant.uniform<i8:f32, 2.500000e-01:-5>>
  %y = muon.dequantize %r : (tensor<1x3x!quant.uniform<i8:f32, 2.500000e-01:-5>>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}
