// RUN: muon-opt %s --muon-outline-layers --split-input-file | FileCheck %s

// Each loop nest of the entry function becomes a function of its own,
// internal to the object and never inlined, whose arguments are the buffers
// it uses (the entry function's arguments and the views of them) in the order
// it first uses them; the constants it uses are cloned into it.
// CHECK-LABEL: func.func @model_run(
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<4xf32>, %[[Y:[a-z0-9]+]]: memref<4xf32>, %[[WS:[a-z0-9]+]]: memref<64xi8>)
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: %[[T:.*]] = memref.view %[[WS]]
// CHECK-NEXT: call @model_run_nest0(%[[X]], %[[T]]) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT: call @model_run_nest1(%[[T]], %[[Y]]) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT: return %[[ZERO]]
// CHECK: func.func private @model_run_nest0(%[[A:.*]]: memref<4xf32>, %[[B:.*]]: memref<4xf32>)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK-SAME: passthrough = ["noinline"]
// CHECK: scf.for
// CHECK: memref.load %[[A]]
// CHECK: memref.store %{{.*}}, %[[B]]
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

// -----

// Two layers that compute alike on other buffers and weights (a repeated
// block) share one function; a third that computes otherwise gets its own.
// The subviews are cloned into the function, the views and globals passed.
// CHECK-LABEL: func.func @repeated_blocks(
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<8xf32>, %[[Y:[a-z0-9]+]]: memref<8xf32>, %[[WS:[a-z0-9]+]]: memref<64xi8>)
// CHECK-DAG: %[[W1:.*]] = memref.get_global @w1
// CHECK-DAG: %[[W2:.*]] = memref.get_global @w2
// CHECK-DAG: %[[T:.*]] = memref.view %[[WS]][%{{.*}}][] : memref<64xi8> to memref<8xf32>
// CHECK: call @repeated_blocks_nest0(%[[X]], %[[W1]], %[[T]])
// CHECK-NEXT: call @repeated_blocks_nest0(%[[T]], %[[W2]], %[[Y]])
// CHECK-NEXT: call @repeated_blocks_nest1(%[[Y]], %[[W2]], %[[X]])
// CHECK: func.func private @repeated_blocks_nest0(
// CHECK: memref.subview
// CHECK: arith.mulf
// CHECK: func.func private @repeated_blocks_nest1(
// CHECK: arith.addf
// CHECK-NOT: func.func
memref.global "private" constant @w1 : memref<8xf32> = dense<1.0>
memref.global "private" constant @w2 : memref<8xf32> = dense<2.0>
func.func @repeated_blocks(%x: memref<8xf32>, %y: memref<8xf32>, %ws: memref<64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  %w1 = memref.get_global @w1 : memref<8xf32>
  %w2 = memref.get_global @w2 : memref<8xf32>
  %t = memref.view %ws[%c32][] : memref<64xi8> to memref<8xf32>
  %x_half = memref.subview %x[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x_half[%i] : memref<4xf32, strided<[1], offset: 4>>
    %w = memref.load %w1[%i] : memref<8xf32>
    %p = arith.mulf %v, %w : f32
    memref.store %p, %t[%i] : memref<8xf32>
  }
  %t_half = memref.subview %t[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %t_half[%i] : memref<4xf32, strided<[1], offset: 4>>
    %w = memref.load %w2[%i] : memref<8xf32>
    %p = arith.mulf %v, %w : f32
    memref.store %p, %y[%i] : memref<8xf32>
  }
  %y_half = memref.subview %y[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %y_half[%i] : memref<4xf32, strided<[1], offset: 4>>
    %w = memref.load %w2[%i] : memref<8xf32>
    %p = arith.addf %v, %w : f32
    memref.store %p, %x[%i] : memref<8xf32>
  }
  return
}
