// RUN: muon-opt %s --muon-hoist-static-allocas --split-input-file | FileCheck %s

// A stack buffer of a static size allocated inside loops moves to the start
// of the function: allocated once, not once per iteration.
// CHECK-LABEL: func @hoists_out_of_loops
// CHECK-NEXT: %[[BUFFER:.*]] = memref.alloca() : memref<vector<8xf32>>
// CHECK: scf.for
// CHECK-NEXT: scf.for
// CHECK-NOT: memref.alloca
// CHECK: memref.store %{{.*}}, %[[BUFFER]][]
func.func @hoists_out_of_loops(%v: vector<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %buffer = memref.alloca() : memref<vector<8xf32>>
      memref.store %v, %buffer[] : memref<vector<8xf32>>
    }
  }
  return
}

// -----

// A buffer of a size known only at run time stays where its size is.
// CHECK-LABEL: func @keeps_dynamic_sizes
// CHECK: scf.for
// CHECK-NEXT: memref.alloca(%{{.*}}) : memref<?xf32>
func.func @keeps_dynamic_sizes(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %buffer = memref.alloca(%i) : memref<?xf32>
  }
  return
}
