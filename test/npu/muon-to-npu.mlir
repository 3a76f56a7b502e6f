// RUN: muon-opt %s --muon-to-npu='block=4' --split-input-file | FileCheck %s

// A Gemm [1, 3] x [3, 2] + bias with a fused clamp, at BLOCK 4. Expected
// bytes by hand (docs/npu-isa.md): the WBUF entry holds [output lane][input
// lane] = W^T padded with zeros; the PBUF entry per lane {bias - z_x sum(w),
// multiplier, shift, zero point}: channel 0: 100 - 3 * (1 + 3 - 5) = 103,
// scale 0.125 / 1 = 2^30 * 2^-31 * 2^-2; channel 1: -7 - 3 * (-2 + 4 + 6) =
// -31, scale 0.0625 = 2^30 * 2^-31 * 2^-3.
// CHECK-LABEL: npu.program @gemm attributes {config = {block = 4 : i64}, layers = ["muon.gemm"]}
// CHECK: npu.region "input", 4
// CHECK: npu.region "output", 4
// CHECK: npu.tensor "x" {region = 1 : i64, scale = 5.000000e-01 : f32, shape = array<i64: 1, 3>, strides = array<i64: 4, 1>, zero_point = 3 : i64}
// CHECK: npu.tensor "y" {region = 2 : i64, shape = array<i64: 1, 2>, strides = array<i64: 4, 1>, zero_point = -5 : i64}
// CHECK: npu.constants dense<[1, 3, -5, 0, -2, 4, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0,
// CHECK-SAME: 103, 0, 0, 0, 0, 0, 0, 64, 2, 0, 0, 0, -5, -1, -1, -1,
// CHECK-SAME: -31, -1, -1, -1, 0, 0, 0, 64, 3, 0, 0, 0, -5, -1, -1, -1,
// The weights and parameters load first (a layer's constants do not wait
// for the previous layer), then the input, which signals compute.
// CHECK: npu.layer
// CHECK-NEXT: npu.load {buffer = "WBUF", cols = 1 : i64, dst_stride = 1 : i64, elem_bytes = 16 : i64, elem_stride = 16 : i64, row_stride = 16 : i64, rows = 1 : i64}
// CHECK-NEXT: npu.load {buffer = "PBUF", cols = 1 : i64, dram_offset = 16 : i64, dst_stride = 1 : i64, elem_bytes = 64 : i64, elem_stride = 64 : i64, row_stride = 64 : i64, rows = 1 : i64}
// CHECK-NEXT: npu.load {cols = 1 : i64, dst_stride = 1 : i64, elem_bytes = 4 : i64, elem_stride = 4 : i64, push_next = true, region = 1 : i64, row_stride = 4 : i64, rows = 1 : i64}
// CHECK-NEXT: npu.gemm {inp_r1 = 1 : i64, k0 = 1 : i64, k1 = 1 : i64, n0 = 1 : i64, n1 = 1 : i64, pop_prev = true, reset = true, wgt_r1 = 1 : i64}
// CHECK-NEXT: npu.requant {{{.*}}clamp_max = 127 : i64, clamp_min = -5 : i64, n0 = 1 : i64, {{.*}}push_next = true}
// CHECK-NEXT: npu.store {cols = 1 : i64, elem_bytes = 4 : i64, elem_stride = 4 : i64, pop_prev = true, region = 2 : i64, row_stride = 4 : i64, rows = 1 : i64}
// CHECK-NEXT: npu.finish
// CHECK-NOT: func.func
func.func @gemm(%x: tensor<1x3xf32> {muon.name = "x"}) -> (tensor<1x2xf32> {muon.name = "y"}) {
  %w = muon.constant dense<[[1, -2], [3, 4], [-5, 6]]> : tensor<3x2xi8>
  %b = muon.constant dense<[100, -7]> : tensor<2xi32>
  %q = muon.quantize %x : (tensor<1x3xf32>) -> tensor<1x3x!quant.uniform<i8:f32, 0.5:3>>
  %wq = quant.scast %w : tensor<3x2xi8> to tensor<3x2x!quant.uniform<i8:f32:1, {0.25, 0.125}>>
  %bq = quant.scast %b : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.0625}>>
  %acc = muon.gemm %q, %wq, %bq : (tensor<1x3x!quant.uniform<i8:f32, 0.5:3>>, tensor<3x2x!quant.uniform<i8:f32:1, {0.25, 0.125}>>, tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.0625}>>) -> tensor<1x2x!quant.uniform<i32:f32:1, {0.125, 0.0625}>>
  %y = muon.requantize %acc {clamp_min = -5 : i64} : (tensor<1x2x!quant.uniform<i32:f32:1, {0.125, 0.0625}>>) -> tensor<1x2x!quant.uniform<i8:f32, 1.0:-5>>
  %f = muon.dequantize %y : (tensor<1x2x!quant.uniform<i8:f32, 1.0:-5>>) -> tensor<1x2xf32>
  return %f : tensor<1x2xf32>
}

// -----

// A 3x3 convolution of 48 output rows: at least 8 rows, so it is cut into 4
// tiles of 12 rows, double-buffered (halves of IBUF, ACC and OBUF), so that
// the load of one tile and the store of another overlap the compute of a
// third. A tile reads 14 padded input rows of 50 entries at BLOCK 4 (700
// entries); the first is padded at the top, the last at the bottom; the
// weights and parameters load once. Tile t + 2 reuses tile t's buffers: its
// load waits for tile t's REQUANT (compute -> load), its REQUANT for tile
// t's STORE (store -> compute). The 2x2 max pool after it: 4 tiles of 6
// output rows, each half of ACC holding 12 input rows and then the 6 result
// rows. Between layers, the last store signals a compute SYNC, which
// signals the next layer's first load; the next layer's constants go to the
// other half of WBUF and PBUF and load before that wait (a prefetch).
// CHECK-LABEL: npu.program @conv_tiled
// CHECK: npu.region "input", 9216
// CHECK: npu.region "output", 2304
// CHECK: npu.region "workspace", 9216
// CHECK: npu.tensor "image" {region = 1 : i64, scale = 5.000000e-01 : f32, shape = array<i64: 1, 4, 48, 48>, strides = array<i64: 9216, 1, 192, 4>, zero_point = -7 : i64}
// CHECK: npu.layer
// CHECK-NEXT: npu.load {buffer = "WBUF", cols = 9 : i64
// CHECK-NEXT: npu.load {buffer = "PBUF", cols = 1 : i64, dram_offset = 144 : i64
// CHECK-NEXT: npu.load {cols = 48 : i64, dst_stride = 50 : i64, elem_bytes = 4 : i64, elem_stride = 4 : i64, pad_left = 1 : i64, pad_right = 1 : i64, pad_top = 1 : i64, pad_value = -7 : i64, push_next = true, region = 1 : i64, row_stride = 192 : i64, rows = 13 : i64}
// CHECK-NEXT: npu.gemm {acc_s0 = 48 : i64, acc_s1 = 1 : i64, inp_r0 = 50 : i64, inp_r1 = 1 : i64, inp_s0 = 50 : i64, inp_s1 = 1 : i64, k0 = 3 : i64, k1 = 3 : i64, n0 = 12 : i64, n1 = 48 : i64, pop_prev = true, reset = true, wgt_r0 = 3 : i64, wgt_r1 = 1 : i64}
// CHECK-NEXT: npu.requant {{{.*}}n1 = 576 : i64, {{.*}}push_next = true, push_prev = true}
// CHECK-NEXT: npu.store {cols = 48 : i64, {{.*}}pop_prev = true, push_prev = true, region = 3 : i64, row_stride = 192 : i64, rows = 12 : i64}
// CHECK-NEXT: npu.load {cols = 48 : i64, dram_offset = 2112 : i64, dst = 700 : i64, {{.*}}push_next = true, region = 1 : i64, row_stride = 192 : i64, rows = 14 : i64}
// CHECK-NEXT: npu.gemm {acc = 576 : i64, {{.*}}inp = 700 : i64, {{.*}}n0 = 12 : i64, n1 = 48 : i64, pop_prev = true
// CHECK-NEXT: npu.requant {acc = 576 : i64, {{.*}}out = 576 : i64, {{.*}}push_next = true, push_prev = true}
// CHECK-NEXT: npu.store {cols = 48 : i64, dram_offset = 2304 : i64, {{.*}}pop_prev = true, push_prev = true, region = 3 : i64, row_stride = 192 : i64, rows = 12 : i64, src = 576 : i64}
// CHECK-NEXT: npu.load {cols = 48 : i64, dram_offset = 4416 : i64, dst_stride = 50 : i64, {{.*}}pop_next = true, push_next = true, region = 1 : i64, row_stride = 192 : i64, rows = 14 : i64}
// CHECK-NEXT: npu.gemm
// CHECK-NEXT: npu.requant {{{.*}}pop_next = true, push_next = true}
// CHECK-NEXT: npu.store {cols = 48 : i64, dram_offset = 4608 : i64, {{.*}}pop_prev = true, region = 3 : i64, row_stride = 192 : i64, rows = 12 : i64}
// CHECK-NEXT: npu.load {cols = 48 : i64, dram_offset = 6720 : i64, dst = 700 : i64, dst_stride = 50 : i64, elem_bytes = 4 : i64, elem_stride = 4 : i64, pad_bottom = 1 : i64, pad_left = 1 : i64, pad_right = 1 : i64, pad_value = -7 : i64, pop_next = true, push_next = true, region = 1 : i64, row_stride = 192 : i64, rows = 13 : i64}
// CHECK-NEXT: npu.gemm
// CHECK-NEXT: npu.requant {{{.*}}pop_next = true, push_next = true}
// CHECK-NEXT: npu.store {cols = 48 : i64, dram_offset = 6912 : i64, {{.*}}pop_prev = true, push_prev = true, region = 3 : i64, row_stride = 192 : i64, rows = 12 : i64, src = 576 : i64}
// CHECK-NEXT: npu.layer {layer_id = 1 : i64}
// CHECK-NEXT: npu.load {buffer = "PBUF", cols = 1 : i64, dram_offset = 208 : i64, dst = 32 : i64
// CHECK-NEXT: npu.sync {pop_next = true, push_prev = true, stage = "COMPUTE"}
// CHECK-NEXT: npu.load {buffer = "ACC", cols = 48 : i64, dst_stride = 48 : i64, {{.*}}pad_value = -128 : i64, pop_next = true, push_next = true, region = 3 : i64, row_stride = 192 : i64, rows = 12 : i64}
// CHECK-NEXT: npu.pool {dst = 576 : i64, dst_s0 = 24 : i64, dst_s1 = 1 : i64, n0 = 6 : i64, n1 = 24 : i64, pop_prev = true, src_s0 = 96 : i64, src_s1 = 2 : i64, win_h = 2 : i64, win_s0 = 48 : i64, win_s1 = 1 : i64, win_w = 2 : i64}
// CHECK-NEXT: npu.requant {acc = 576 : i64, {{.*}}n1 = 144 : i64, {{.*}}param = 32 : i64
// CHECK-NEXT: npu.store {{{.*}}region = 2 : i64, row_stride = 96 : i64, rows = 6 : i64}
// CHECK-NEXT: npu.load {buffer = "ACC", cols = 48 : i64, dram_offset = 2304 : i64, dst = 720 : i64, {{.*}}rows = 12 : i64}
// CHECK-NEXT: npu.pool {dst = 1296 : i64, {{.*}}src = 720 : i64
// CHECK-NEXT: npu.requant {acc = 1296 : i64, {{.*}}out = 144 : i64
// CHECK-NEXT: npu.store {cols = 24 : i64, dram_offset = 576 : i64, {{.*}}src = 144 : i64}
// CHECK-COUNT-2: npu.store
// CHECK-NEXT: npu.finish
func.func @conv_tiled(%x: tensor<1x4x48x48xf32> {muon.name = "image"}) -> (tensor<1x4x24x24xf32> {muon.name = "pooled"}) {
  %w = muon.constant dense<1> : tensor<4x4x3x3xi8>
  %q = muon.quantize %x : (tensor<1x4x48x48xf32>) -> tensor<1x4x48x48x!quant.uniform<i8:f32, 0.5:-7>>
  %wq = quant.scast %w : tensor<4x4x3x3xi8> to tensor<4x4x3x3x!quant.uniform<i8:f32, 0.25>>
  %acc = muon.conv %q, %wq {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x48x48x!quant.uniform<i8:f32, 0.5:-7>>, tensor<4x4x3x3x!quant.uniform<i8:f32, 0.25>>) -> tensor<1x4x48x48x!quant.uniform<i32:f32, 0.125>>
  %y = muon.requantize %acc : (tensor<1x4x48x48x!quant.uniform<i32:f32, 0.125>>) -> tensor<1x4x48x48x!quant.uniform<i8:f32, 1.0:2>>
  %p = muon.max_pool %y {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x48x48x!quant.uniform<i8:f32, 1.0:2>>) -> tensor<1x4x24x24x!quant.uniform<i8:f32, 1.0:2>>
  %f = muon.dequantize %p : (tensor<1x4x24x24x!quant.uniform<i8:f32, 1.0:2>>) -> tensor<1x4x24x24xf32>
  return %f : tensor<1x4x24x24xf32>
}

// -----

// A quantized Add: per input ADD -z, SHL 20, MULQ, SHR (TFLite's
// parameters: s_a / (2 max(s_a, s_b)) = 0.5 and 0.25 are 2^30 with shifts 0
// and 1), the sum, and the output's REQUANT with ReLU's clamp.
// CHECK-LABEL: npu.program @add
// CHECK: npu.load {buffer = "PBUF"
// CHECK-NEXT: npu.load {buffer = "ACC", cols = 1 : i64, dst_stride = 1 : i64, {{.*}}region = 1 : i64
// CHECK-NEXT: npu.load {buffer = "ACC", cols = 1 : i64, dst = 1 : i64, dst_stride = 1 : i64, {{.*}}push_next = true, region = 2 : i64
// CHECK-NEXT: npu.alu {dst_s1 = 1 : i64, imm = -3 : i64, n0 = 1 : i64, n1 = 1 : i64, op = "ADD", pop_prev = true, use_imm = true}
// CHECK-NEXT: npu.alu {dst_s1 = 1 : i64, imm = 20 : i64, n0 = 1 : i64, n1 = 1 : i64, op = "SHL", use_imm = true}
// CHECK-NEXT: npu.alu {dst_s1 = 1 : i64, imm = 1073741824 : i64, n0 = 1 : i64, n1 = 1 : i64, op = "MULQ", use_imm = true}
// CHECK-NEXT: npu.alu {dst_s1 = 1 : i64, n0 = 1 : i64, n1 = 1 : i64, op = "SHR", use_imm = true}
// CHECK-NEXT: npu.alu {dst = 1 : i64, dst_s1 = 1 : i64, imm = 4 : i64, n0 = 1 : i64, n1 = 1 : i64, op = "ADD", use_imm = true}
// CHECK-NEXT: npu.alu {dst = 1 : i64, dst_s1 = 1 : i64, imm = 20 : i64, {{.*}}op = "SHL"
// CHECK-NEXT: npu.alu {dst = 1 : i64, dst_s1 = 1 : i64, imm = 1073741824 : i64, {{.*}}op = "MULQ"
// CHECK-NEXT: npu.alu {dst = 1 : i64, dst_s1 = 1 : i64, imm = 1 : i64, {{.*}}op = "SHR"
// CHECK-NEXT: npu.alu {dst_s1 = 1 : i64, n0 = 1 : i64, n1 = 1 : i64, op = "ADD", src = 1 : i64, src_s1 = 1 : i64}
// CHECK-NEXT: npu.requant {acc_s1 = 1 : i64, clamp_max = 127 : i64, clamp_min = 10 : i64, n0 = 1 : i64, n1 = 1 : i64, out_s1 = 1 : i64, push_next = true}
// CHECK-NEXT: npu.store
func.func @add(%a: tensor<1x4xf32> {muon.name = "a"}, %b: tensor<1x4xf32> {muon.name = "b"}) -> (tensor<1x4xf32> {muon.name = "y"}) {
  %qa = muon.quantize %a : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<i8:f32, 0.5:3>>
  %qb = muon.quantize %b : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<i8:f32, 0.25:-4>>
  %s = muon.quantized_add %qa, %qb {clamp_min = 10 : i64} : (tensor<1x4x!quant.uniform<i8:f32, 0.5:3>>, tensor<1x4x!quant.uniform<i8:f32, 0.25:-4>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.75:10>>
  %f = muon.dequantize %s : (tensor<1x4x!quant.uniform<i8:f32, 0.75:10>>) -> tensor<1x4xf32>
  return %f : tensor<1x4xf32>
}

// -----

// A convolution whose rows are wide (202 padded entries at BLOCK 4): half
// of IBUF holds 5 input rows, so tiles of 3 output rows (16 tiles).
// CHECK-LABEL: npu.program @conv_wide
// CHECK: npu.load {cols = 200 : i64, dst_stride = 202 : i64, {{.*}}pad_top = 1 : i64, {{.*}}rows = 4 : i64}
// CHECK: npu.gemm {{{.*}}n0 = 3 : i64, n1 = 200 : i64
// CHECK-COUNT-15: npu.gemm {{{.*}}n0 = 3 : i64, n1 = 200 : i64
// CHECK-NOT: npu.gemm
func.func @conv_wide(%x: tensor<1x4x48x200xf32>) -> tensor<1x4x48x200xf32> {
  %w = muon.constant dense<1> : tensor<4x4x3x3xi8>
  %q = muon.quantize %x : (tensor<1x4x48x200xf32>) -> tensor<1x4x48x200x!quant.uniform<i8:f32, 0.5:-7>>
  %wq = quant.scast %w : tensor<4x4x3x3xi8> to tensor<4x4x3x3x!quant.uniform<i8:f32, 0.25>>
  %acc = muon.conv %q, %wq {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x48x200x!quant.uniform<i8:f32, 0.5:-7>>, tensor<4x4x3x3x!quant.uniform<i8:f32, 0.25>>) -> tensor<1x4x48x200x!quant.uniform<i32:f32, 0.125>>
  %y = muon.requantize %acc : (tensor<1x4x48x200x!quant.uniform<i32:f32, 0.125>>) -> tensor<1x4x48x200x!quant.uniform<i8:f32, 1.0:2>>
  %f = muon.dequantize %y : (tensor<1x4x48x200x!quant.uniform<i8:f32, 1.0:2>>) -> tensor<1x4x48x200xf32>
  return %f : tensor<1x4x48x200xf32>
}
