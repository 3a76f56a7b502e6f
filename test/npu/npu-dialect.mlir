// The npu dialect parses and prints: fields left at their encoding's 0
// (false, the first enum value) are not printed back.
// RUN: muon-opt %s | FileCheck %s
// RUN: muon-opt %s | muon-opt | FileCheck %s

// CHECK-LABEL: npu.program @tiny attributes {config = {block = 8 : i64}, layers = ["fc"]}
// CHECK: npu.region "input", 8
// CHECK: npu.region "output", 8
// CHECK: npu.tensor "x" {region = 1 : i64, scale = 5.000000e-01 : f32, shape = array<i64: 1, 8>, strides = array<i64: 8, 1>, zero_point = 3 : i64}
// CHECK: npu.constants dense<[1, 2, 3, 4]> : tensor<4xi8>
// CHECK: npu.layer
// CHECK-NEXT: npu.load {cols = 1 : i64, elem_bytes = 8 : i64, elem_stride = 8 : i64, push_next = true, region = 1 : i64, row_stride = 8 : i64, rows = 1 : i64}
// CHECK-NEXT: npu.alu {n0 = 1 : i64, n1 = 1 : i64, op = "MAX", use_imm = true}
// CHECK-NEXT: npu.sync {stage = "STORE"}
// CHECK-NEXT: npu.finish
module {
  npu.program @tiny attributes {config = {block = 8 : i64}, layers = ["fc"]} {
    npu.region "input", 8
    npu.region "output", 8
    npu.tensor "x" {region = 1 : i64, shape = array<i64: 1, 8>, strides = array<i64: 8, 1>, scale = 0.5 : f32, zero_point = 3 : i64}
    npu.constants dense<[1, 2, 3, 4]> : tensor<4xi8>
    npu.layer {layer_id = 0 : i64}
    npu.load {buffer = "IBUF", region = 1 : i64, rows = 1 : i64, cols = 1 : i64, row_stride = 8 : i64, elem_bytes = 8 : i64, elem_stride = 8 : i64, push_next = true}
    npu.alu {op = "MAX", use_imm = true, n0 = 1 : i64, n1 = 1 : i64, imm = 0 : i64}
    npu.sync {stage = "STORE"}
    npu.finish
  }
}
