// RUN: muon-opt %s --muon-approximate-math | FileCheck %s

// exp and tanh become polynomials in arith ops on the same vectors: no
// math.exp or math.tanh is left for LLVM to turn into libm calls.
// CHECK-LABEL: func @exp_and_tanh
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK: math.fma {{.*}} : vector<8xf32>
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK: return
func.func @exp_and_tanh(%x: vector<8xf32>) -> (vector<8xf32>, vector<8xf32>) {
  %e = math.exp %x : vector<8xf32>
  %t = math.tanh %x : vector<8xf32>
  return %e, %t : vector<8xf32>, vector<8xf32>
}
