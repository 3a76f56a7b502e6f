// RUN: muon-opt %s --muon-lower-vectors --split-input-file | FileCheck %s

// A contraction becomes outer products, one FMA per row of the 2x8
// accumulator and step of the reduction (k = 2): four in all.
// CHECK-LABEL: func @contraction_to_fmas
// CHECK-NOT: vector.contract
// CHECK-NOT: vector.outerproduct
// CHECK-COUNT-4: vector.fma {{.*}} : vector<8xf32>
// CHECK-NOT: vector.fma
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @contraction_to_fmas(%a: vector<2x2xf32>, %b: vector<2x8xf32>, %c: vector<2x8xf32>) -> vector<2x8xf32> {
  %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>}
      %a, %b, %c : vector<2x2xf32>, vector<2x8xf32> into vector<2x8xf32>
  return %r : vector<2x8xf32>
}

// -----

// The accumulator that a reduction loop reads and writes at the same place
// in every step is read once before the loop and written once after it; in
// between it is a loop-carried vector (a register).
// CHECK-LABEL: func @accumulator_out_of_the_loop
// CHECK-SAME: (%[[ACC:.*]]: memref<8xf32>, %[[X:.*]]: memref<16x8xf32>)
// CHECK: %[[INIT:.*]] = vector.transfer_read %[[ACC]]
// CHECK: %[[SUM:.*]] = scf.for {{.*}} iter_args(%[[PARTIAL:.*]] = %[[INIT]])
// CHECK-NOT: %[[ACC]]
// CHECK: scf.yield
// CHECK: vector.transfer_write %[[SUM]], %[[ACC]]
func.func @accumulator_out_of_the_loop(%acc: memref<8xf32>, %x: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %pad = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c16 step %c1 {
    %a = vector.transfer_read %acc[%c0], %pad {in_bounds = [true]} : memref<8xf32>, vector<8xf32>
    %v = vector.transfer_read %x[%i, %c0], %pad {in_bounds = [true]} : memref<16x8xf32>, vector<8xf32>
    %s = arith.addf %a, %v : vector<8xf32>
    vector.transfer_write %s, %acc[%c0] {in_bounds = [true]} : vector<8xf32>, memref<8xf32>
  }
  return
}
