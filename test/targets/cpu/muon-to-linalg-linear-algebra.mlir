// RUN: muon-opt %s --muon-to-linalg --split-input-file | FileCheck %s

// Lowerings of LinearAlgebraToLinalg.cpp, derived by hand beside each case.

// Det of [3,2,2]: an scf.for over the 3 matrices carries the working copy
// and the [3] result; per matrix, a loop over the 2 columns carries the copy
// and the determinant (starting at 1): a pivot search over rows k..2 keeps
// the largest |a[i][k]|, a loop over the columns swaps rows k and the pivot
// row, the determinant is negated on a swap and multiplied by the pivot, and
// rows k+1..2 subtract factor * row k (factor 0 when the pivot is 0).
// CHECK-LABEL: func @det
// CHECK-SAME: (%[[X:.*]]: tensor<3x2x2xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[MINUS:.*]] = arith.constant -1.000000e+00 : f32
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<3xf32>
// CHECK: %[[LOOP:.*]]:2 = scf.for %[[M:.*]] = %[[C0]] to %[[C3]] step %[[C1]] iter_args(%[[WORK:.*]] = %[[X]], %[[OUT:.*]] = %[[EMPTY]])
// CHECK: %[[COLS:.*]]:2 = scf.for %[[K:.*]] = %[[C0]] to %[[C2]] step %[[C1]] iter_args(%[[W:.*]] = %[[WORK]], %[[DET:.*]] = %[[ONE]])
// CHECK: %[[SEARCH:.*]]:2 = scf.for %[[I:.*]] = %[[K]] to %[[C2]] step %[[C1]] iter_args(%[[P:.*]] = %[[K]], %[[BEST:.*]] = %[[MINUS]])
// CHECK: %[[E:.*]] = tensor.extract %[[W]][%[[M]], %[[I]], %[[K]]]
// CHECK: %[[ABS:.*]] = math.absf %[[E]]
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[ABS]], %[[BEST]]
// CHECK: scf.for {{.*}} = %[[C0]] to %[[C2]]
// CHECK: tensor.insert
// CHECK: tensor.insert
// CHECK: %[[MOVED:.*]] = arith.cmpi ne, %[[SEARCH]]#0, %[[K]]
// CHECK: %[[NEG:.*]] = arith.negf %[[DET]]
// CHECK: %[[SIGNED:.*]] = arith.select %[[MOVED]], %[[NEG]], %[[DET]]
// CHECK: %[[PIVOT:.*]] = tensor.extract %{{.*}}[%[[M]], %[[K]], %[[K]]]
// CHECK: %[[NEWDET:.*]] = arith.mulf %[[SIGNED]], %[[PIVOT]]
// CHECK: %[[SINGULAR:.*]] = arith.cmpf oeq, %[[PIVOT]], %[[ZERO]]
// CHECK: %[[BELOW:.*]] = arith.addi %[[K]], %[[C1]]
// CHECK: scf.for %{{.*}} = %[[BELOW]] to %[[C2]]
// CHECK: arith.divf %{{.*}}, %[[PIVOT]]
// CHECK: arith.select %[[SINGULAR]], %[[ZERO]]
// CHECK: scf.for %{{.*}} = %[[K]] to %[[C2]]
// CHECK: arith.mulf
// CHECK: arith.subf
// CHECK: scf.yield %{{.*}}, %[[NEWDET]]
// CHECK: %[[RES:.*]] = tensor.insert %[[COLS]]#1 into %[[OUT]][%[[M]]]
// CHECK: scf.yield %[[COLS]]#0, %[[RES]]
// CHECK: return %[[LOOP]]#1
func.func @det(%x: tensor<3x2x2xf32>) -> tensor<3xf32> {
  %0 = muon.det %x : (tensor<3x2x2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
