// RUN: muon-opt %s --muon-keep-copy-loops-rolled --split-input-file | FileCheck %s
// RUN: muon-opt %s --muon-keep-copy-loops-rolled --convert-scf-to-cf --split-input-file | FileCheck %s --check-prefix=CF

// A zero fill of a strided view (a layer's output initialised between
// layers): both loops only store, so both are marked, and the lowering to
// branches carries the mark to each loop's latch.
// CHECK: #[[UNROLL:.*]] = #llvm.loop_unroll<disable = true>
// CHECK: #[[ROLLED:.*]] = #llvm.loop_annotation<unroll = #[[UNROLL]]>
// CHECK-LABEL: func @fill
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.transfer_write
// CHECK: } {loop_annotation = #[[ROLLED]]}
// CHECK: } {loop_annotation = #[[ROLLED]]}
// CF-LABEL: func @fill
// CF-COUNT-2: cf.br ^{{.*}} {loop_annotation = #
func.func @fill(%out: memref<16x55x55xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c55 = arith.constant 55 : index
  %zero = arith.constant dense<0.0> : vector<32xf32>
  %tile = memref.subview %out[0, 0, 0] [16, 55, 32] [1, 1, 1]
      : memref<16x55x55xf32> to memref<16x55x32xf32, strided<[3025, 55, 1]>>
  scf.for %i = %c0 to %c16 step %c1 {
    scf.for %j = %c0 to %c55 step %c1 {
      vector.transfer_write %zero, %tile[%i, %j, %c0] {in_bounds = [true]}
          : vector<32xf32>, memref<16x55x32xf32, strided<[3025, 55, 1]>>
    }
  }
  return
}

// -----

// A copy with address arithmetic and a broadcast load (a bias spread over a
// row) moves data only.
// CHECK-LABEL: func @copy_and_broadcast
// CHECK: scf.for
// CHECK: vector.broadcast
// CHECK: } {loop_annotation = #
func.func @copy_and_broadcast(%in: memref<64xf32>, %out: memref<64x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c32 = arith.constant 32 : index
  scf.for %i = %c0 to %c32 step %c1 {
    %k = arith.muli %i, %c2 : index
    %x = memref.load %in[%k] : memref<64xf32>
    %row = vector.broadcast %x : f32 to vector<8xf32>
    vector.store %row, %out[%k, %c0] : memref<64x8xf32>, vector<8xf32>
  }
  return
}

// -----

// A loop that computes (a reduction with its accumulator carried) keeps
// LLVM's unrolling, and so does a loop around it; a copy loop nested in it
// (its epilogue) is still marked.
// CHECK-LABEL: func @computes
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.addf
// CHECK-NEXT: scf.yield
// CHECK-NEXT: {{^ +}$}}
// CHECK: scf.for
// CHECK: } {loop_annotation = #
// CHECK-NEXT: {{^ +}$}}
// CHECK-NOT: loop_annotation
func.func @computes(%a: memref<8x64xf32>, %out: memref<8xf32>,
                    %copy: memref<8x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    %sum = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %zero) -> f32 {
      %x = memref.load %a[%i, %k] : memref<8x64xf32>
      %next = arith.addf %acc, %x : f32
      scf.yield %next : f32
    }
    memref.store %sum, %out[%i] : memref<8xf32>
    scf.for %j = %c0 to %c4 step %c1 {
      memref.store %sum, %copy[%i, %j] : memref<8x4xf32>
    }
  }
  return
}
