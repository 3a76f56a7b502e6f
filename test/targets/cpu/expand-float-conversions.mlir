// RUN: muon-opt %s --muon-expand-float-conversions --split-input-file | FileCheck %s
// RUN: muon-opt %s --muon-expand-float-conversions=native-f16=true --split-input-file | FileCheck %s --check-prefix=NATIVE

// f32 -> bf16 is integer code on every target: the upper half of the bits
// plus 0x7fff (32767) and the kept part's last bit, or for a NaN the upper
// half with the quiet bit 0x40 (64) set.
// CHECK-LABEL: func @truncf_f32_to_bf16
// CHECK-NOT: arith.truncf
// CHECK-DAG: arith.constant 32767 : i32
// CHECK-DAG: arith.constant 2139095040 : i32
// CHECK-DAG: arith.constant 64 : i32
// CHECK: %[[BITS:.*]] = arith.trunci %{{.*}} : i32 to i16
// CHECK: arith.bitcast %[[BITS]] : i16 to bf16
// NATIVE-LABEL: func @truncf_f32_to_bf16
// NATIVE-NOT: arith.truncf
func.func @truncf_f32_to_bf16(%x: f32) -> bf16 {
  %0 = arith.truncf %x : f32 to bf16
  return %0 : bf16
}

// -----

// Vectors take the same code, lane by lane, with splat constants.
// CHECK-LABEL: func @truncf_vector_to_bf16
// CHECK-NOT: arith.truncf
// CHECK: arith.constant dense<32767> : vector<8xi32>
// CHECK: arith.trunci %{{.*}} : vector<8xi32> to vector<8xi16>
func.func @truncf_vector_to_bf16(%x: vector<8xf32>) -> vector<8xbf16> {
  %0 = arith.truncf %x : vector<8xf32> to vector<8xbf16>
  return %0 : vector<8xbf16>
}

// -----

// f32 -> f16 is integer code unless the target converts natively: normal
// numbers rebased by 112 << 23 (939524096) and rounded at bit 13 (0xfff is
// 4095), overflow from 0x477ff000 (1199566848) on, subnormals below
// 0x38800000 (947912704).
// CHECK-LABEL: func @truncf_f32_to_f16
// CHECK-NOT: arith.truncf
// CHECK-DAG: arith.constant 939524096 : i32
// CHECK-DAG: arith.constant 4095 : i32
// CHECK-DAG: arith.constant 1199566848 : i32
// CHECK-DAG: arith.constant 947912704 : i32
// CHECK: arith.bitcast %{{.*}} : i16 to f16
// NATIVE-LABEL: func @truncf_f32_to_f16
// NATIVE-NEXT: arith.truncf %{{.*}} : f32 to f16
func.func @truncf_f32_to_f16(%x: f32) -> f16 {
  %0 = arith.truncf %x : f32 to f16
  return %0 : f16
}

// -----

// f64 -> 16 bits first rounds to odd in f32 (toward zero, then the last
// bit set when inexact), then to 16 bits: natively for f16 where the target
// can, as integer code otherwise.
// CHECK-LABEL: func @truncf_f64_to_f16
// CHECK: arith.truncf %{{.*}} : f64 to f32
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf one
// CHECK-NOT: arith.truncf
// CHECK: arith.bitcast %{{.*}} : i16 to f16
// NATIVE-LABEL: func @truncf_f64_to_f16
// NATIVE: arith.truncf %{{.*}} : f64 to f32
// NATIVE: arith.cmpf one
// NATIVE: arith.truncf %{{.*}} : f32 to f16
func.func @truncf_f64_to_f16(%x: f64) -> f16 {
  %0 = arith.truncf %x : f64 to f16
  return %0 : f16
}

// -----

// CHECK-LABEL: func @truncf_f64_to_bf16
// CHECK: arith.truncf %{{.*}} : f64 to f32
// CHECK: arith.cmpf one
// CHECK-NOT: arith.truncf
// CHECK: arith.bitcast %{{.*}} : i16 to bf16
func.func @truncf_f64_to_bf16(%x: f64) -> bf16 {
  %0 = arith.truncf %x : f64 to bf16
  return %0 : bf16
}

// -----

// f16 -> f32 without native conversion: the exponent rebased, subnormals
// through sitofp and a multiplication by 2^-24 (exact); to f64 through f32.
// CHECK-LABEL: func @extf_f16
// CHECK-NOT: arith.extf %{{.*}} : f16
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK: arith.mulf
// CHECK: arith.extf %{{.*}} : f32 to f64
// NATIVE-LABEL: func @extf_f16
// NATIVE-NEXT: arith.extf %{{.*}} : f16 to f32
// NATIVE-NEXT: arith.extf %{{.*}} : f16 to f64
func.func @extf_f16(%x: f16) -> (f32, f64) {
  %0 = arith.extf %x : f16 to f32
  %1 = arith.extf %x : f16 to f64
  return %0, %1 : f32, f64
}

// -----

// Widening bf16 is a shift that LLVM does inline: it stays.
// CHECK-LABEL: func @extf_bf16
// CHECK-NEXT: arith.extf %{{.*}} : bf16 to f32
func.func @extf_bf16(%x: bf16) -> f32 {
  %0 = arith.extf %x : bf16 to f32
  return %0 : f32
}

// -----

// Arithmetic on bf16 (and on f16 without native conversion) computes in
// f32; the rounding back is expanded like any other.
// CHECK-LABEL: func @arithmetic
// CHECK-DAG: arith.addf %{{.*}}, %{{.*}} : f32
// CHECK-DAG: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK-NOT: arith.addf %{{.*}} : bf16
// CHECK-NOT: arith.mulf %{{.*}} : f16
// CHECK-NOT: arith.truncf
// NATIVE-LABEL: func @arithmetic
// NATIVE-DAG: arith.addf %{{.*}}, %{{.*}} : f32
// NATIVE-DAG: arith.mulf %{{.*}}, %{{.*}} : f16
func.func @arithmetic(%a: bf16, %b: bf16, %c: f16, %d: f16) -> (bf16, f16) {
  %0 = arith.addf %a, %b : bf16
  %1 = arith.mulf %c, %d : f16
  return %0, %1 : bf16, f16
}

// -----

// A fused multiply-add on f16 computes in f32 even where f16 converts
// natively: LLVM would compute it in f64 and round with __truncdfhf2.
// CHECK-LABEL: func @fma_f16
// CHECK: math.fma %{{.*}} : f32
// NATIVE-LABEL: func @fma_f16
// NATIVE: math.fma %{{.*}} : f32
// NATIVE-NEXT: arith.truncf %{{.*}} : f32 to f16
func.func @fma_f16(%a: f16, %b: f16, %c: f16) -> f16 {
  %0 = math.fma %a, %b, %c : f16
  return %0 : f16
}
