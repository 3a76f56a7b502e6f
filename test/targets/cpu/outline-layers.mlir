// RUN: muon-opt %s --muon-outline-layers --split-input-file | FileCheck %s

// Each loop nest of the entry function becomes a function of its own,
// internal to the object and never inlined, whose arguments are the entry
// function's arguments it uses, in their order; the constants and views of
// those arguments it uses are cloned into it.
// CHECK-LABEL: func.func @model_run(
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<4xf32>, %[[Y:[a-z0-9]+]]: memref<4xf32>, %[[WS:[a-z0-9]+]]: memref<64xi8>)
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT: call @model_run_nest0(%[[X]], %[[WS]]) : (memref<4xf32>, memref<64xi8>) -> ()
// CHECK-NEXT: call @model_run_nest1(%[[Y]], %[[WS]]) : (memref<4xf32>, memref<64xi8>) -> ()
// CHECK-NEXT: return %[[ZERO]]
// CHECK: func.func private @model_run_nest0(%[[A:.*]]: memref<4xf32>, %[[B:.*]]: memref<64xi8>)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK-SAME: passthrough = ["noinline"]
// CHECK: memref.view %[[B]]
// CHECK: scf.for
// CHECK: memref.load %[[A]]
// CHECK: func.func private @model_run_nest1(
// CHECK: scf.for
func.func @model_run(%x: memref<4xf32>, %y: memref<4xf32>, %ws: memref<64xi8>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c0_i32 = arith.constant 0 : i32
  %t = memref.view %ws[%c0][] : memref<64xi8> to memref<4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x[%i] : memref<4xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %t[%i] : memref<4xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %t[%i] : memref<4xf32>
    memref.store %v, %y[%i] : memref<4xf32>
  }
  return %c0_i32 : i32
}

// -----

// A nest that uses a value computed in the entry function (not a constant,
// a global or a view) stays where it is, as do private functions.
// CHECK-LABEL: func.func @reads_a_scalar(
// CHECK-NOT: call
// CHECK: scf.for
// CHECK-LABEL: func.func private @helper(
// CHECK-NOT: call
// CHECK: scf.for
func.func @reads_a_scalar(%x: memref<4xf32>, %y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %s = memref.load %x[%c0] : memref<4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %s, %y[%i] : memref<4xf32>
  }
  return
}
func.func private @helper(%y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %f = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %f, %y[%i] : memref<4xf32>
  }
  return
}
