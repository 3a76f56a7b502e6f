// RUN: muon-opt %s --muon-to-linalg --split-input-file | FileCheck %s

// Lowering of dialects/muon/ReductionOps.td (targets/cpu/ReductionToLinalg.cpp):
// one linalg.generic per reduction whose output map drops the reduced loops,
// an accumulator filled with the combination's identity, and an element-wise
// finishing step.

// ReduceMean over axis 1 of [2,3,4]: sum into [2,4] from 0, then divide by
// the 3 reduced elements. keepdims = false needs no reshape.
// CHECK-DAG: #[[$ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$DROP1:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func @reduce_mean
// CHECK-DAG: %[[THREE:.*]] = arith.constant 3.000000e+00 : f32
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$ID3]], #[[$DROP1]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%arg0 : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK: arith.addf
// CHECK: %[[MEAN:.*]] = linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<2x4xf32>)
// CHECK: arith.divf %{{.*}}, %[[THREE]]
// CHECK-NOT: tensor.expand_shape
// CHECK: return %[[MEAN]]
func.func @reduce_mean(%x: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  %0 = muon.reduce_mean %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// keepdims: the reduced tensor [3] is expanded back to [1,3,1].
// L2 squares before summing and takes the square root after.
// CHECK-LABEL: func @reduce_l2_keepdims
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction"]
// CHECK: %[[SQ:.*]] = arith.mulf %[[X:.*]], %[[X]]
// CHECK: arith.addf %[[SQ]]
// CHECK: math.sqrt
// CHECK: %[[R:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2]] output_shape [1, 3, 1] : tensor<3xf32> into tensor<1x3x1xf32>
// CHECK: return %[[R]]
func.func @reduce_l2_keepdims(%x: tensor<2x3x4xf32>) -> tensor<1x3x1xf32> {
  %0 = muon.reduce_l2 %x {axes = array<i64: 0, 2>} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// -----

// Integer ReduceMax starts from the lowest i32 (-2^31) and uses maxsi;
// reducing every axis without keepdims gives a rank-0 tensor.
// CHECK-DAG: #[[$ALL:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func @reduce_max_integer
// CHECK: %[[LOWEST:.*]] = arith.constant -2147483648 : i32
// CHECK: linalg.fill ins(%[[LOWEST]] : i32) outs(%{{.*}} : tensor<i32>)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$ALL]]], iterator_types = ["reduction", "reduction"]}
// CHECK: arith.maxsi
func.func @reduce_max_integer(%x: tensor<3x4xi32>) -> tensor<i32> {
  %0 = muon.reduce_max %x {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xi32>) -> tensor<i32>
  return %0 : tensor<i32>
}

// -----

// Float ReduceMin starts from +inf; ReduceProd from 1.
// CHECK-LABEL: func @reduce_min_prod
// CHECK-DAG: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: linalg.fill ins(%[[INF]] : f32)
// CHECK: arith.minimumf
// CHECK: linalg.fill ins(%[[ONE]] : f32)
// CHECK: arith.mulf
func.func @reduce_min_prod(%x: tensor<3x4xf32>) -> (tensor<3x1xf32>, tensor<3x1xf32>) {
  %0 = muon.reduce_min %x {axes = array<i64: 1>} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  %1 = muon.reduce_prod %x {axes = array<i64: 1>} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  return %0, %1 : tensor<3x1xf32>, tensor<3x1xf32>
}

// -----

// No axes (ONNX noop_with_empty_axes): every loop is parallel, so only the
// element-wise part remains, here |x| of ReduceL1.
// CHECK-LABEL: func @reduce_l1_no_axes
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: math.absf
// CHECK: arith.addf
// CHECK-NOT: tensor.expand_shape
func.func @reduce_l1_no_axes(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = muon.reduce_l1 %x {axes = array<i64>} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// log(sum(exp(x))) = m + log(sum(exp(x - m))) with m the maximum (0 where
// it is infinite), so that large x does not overflow.
// CHECK-LABEL: func @reduce_log_sum_exp
// CHECK: %[[MAX:.*]] = linalg.generic
// CHECK: arith.maximumf
// CHECK: %[[SHIFT:.*]] = linalg.generic {{.*}} ins(%[[MAX]] : tensor<2xf32>)
// CHECK: math.absf
// CHECK: arith.cmpf olt
// CHECK: arith.select
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%arg0, %[[SHIFT]] : tensor<2x3xf32>, tensor<2xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[M:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[D:.*]] = arith.subf %[[X]], %[[M]]
// CHECK: %[[E:.*]] = math.exp %[[D]]
// CHECK: arith.addf %[[E]], %[[ACC]]
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %[[SHIFT]] : tensor<2xf32>, tensor<2xf32>)
// CHECK: %[[L:.*]] = math.log
// CHECK: arith.addf %[[L]]
func.func @reduce_log_sum_exp(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  %0 = muon.reduce_log_sum_exp %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// ArgMax: one generic carrying the best value and its index; the strict
// ogt keeps the first maximum, oge (select_last_index) moves to the last.
// CHECK-LABEL: func @arg_max
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<2xf32>, tensor<2xi64>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[BEST:.*]]: f32, %[[IDX:.*]]: i64):
// CHECK: %[[I:.*]] = linalg.index 1 : index
// CHECK: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK: %[[BETTER:.*]] = arith.cmpf ogt, %[[X]], %[[BEST]]
// CHECK: arith.select %[[BETTER]], %[[X]], %[[BEST]]
// CHECK: arith.select %[[BETTER]], %[[I64]], %[[IDX]]
// CHECK: tensor.expand_shape %[[R]]#1
// CHECK-LABEL: func @arg_min_last
// CHECK: arith.constant 2147483647 : i32
// CHECK: arith.cmpi sle
func.func @arg_max(%x: tensor<2x3xf32>) -> tensor<2x1xi64> {
  %0 = muon.arg_max %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}
func.func @arg_min_last(%x: tensor<2x3xi32>) -> tensor<2xi64> {
  %0 = muon.arg_min %x {axis = 1 : i64, keepdims = false, select_last_index = true} : (tensor<2x3xi32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Hardmax: the first maximum's index along axis 0, broadcast back, compared
// with the position along the axis.
// CHECK-DAG: #[[$BCAST:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func @hardmax
// CHECK: %[[ARG:.*]]:2 = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK: arith.cmpf ogt
// CHECK: %[[IDX:.*]] = tensor.expand_shape %[[ARG]]#1 {{\[\[}}0, 1]] output_shape [1, 3]
// CHECK: linalg.generic {indexing_maps = [#[[$BCAST]], #{{.*}}], iterator_types = ["parallel", "parallel"]} ins(%[[IDX]] : tensor<1x3xi64>)
// CHECK: linalg.index 0
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @hardmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = muon.hardmax %x {axis = 0 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CumSum along axis 1 of [2,3]: a third loop d2 = j reads x[d0, j] and adds
// it to y[d0, d1] when j < d1 (exclusive), j >= d1 (reverse), j <= d1
// (neither).
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @cum_sum
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: %[[I:.*]] = linalg.index 1
// CHECK: %[[J:.*]] = linalg.index 2
// CHECK: arith.cmpi slt, %[[J]], %[[I]]
// CHECK: arith.addi
// CHECK: linalg.generic
// CHECK: arith.cmpi sge
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: arith.cmpi sle
func.func @cum_sum(%x: tensor<2x3xi32>, %f: tensor<2x3xf32>) -> (tensor<2x3xi32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = muon.cum_sum %x {axis = 1 : i64, exclusive = true} : tensor<2x3xi32>
  %1 = muon.cum_sum %f {axis = 1 : i64, reverse = true} : tensor<2x3xf32>
  %2 = muon.cum_sum %f {axis = 1 : i64} : tensor<2x3xf32>
  return %0, %1, %2 : tensor<2x3xi32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// LayerNorm over axis 2 of [2,3,4]: the mean (sum / 4), the mean of the
// squared centred values, 1 / sqrt(variance + epsilon), then
// (x - mean) * inv_std_dev * scale with both statistics read as [2,3,1].
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$STAT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
// CHECK-DAG: #[[$SCALE:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func @layer_norm
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// CHECK-DAG: %[[N:.*]] = arith.constant 4.000000e+00 : f32
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<2x3xf32>)
// CHECK: arith.divf %{{.*}}, %[[N]]
// CHECK: %[[SQ:.*]] = linalg.generic {{.*}} ins(%arg0, %[[MEAN]] : tensor<2x3x4xf32>, tensor<2x3xf32>)
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[INV:.*]] = linalg.generic {{.*}} ins(%[[SQ]] : tensor<2x3xf32>)
// CHECK: %[[VAR:.*]] = arith.divf %{{.*}}, %[[N]]
// CHECK: %[[SHIFTED:.*]] = arith.addf %[[VAR]], %[[EPS]]
// CHECK: %[[STD:.*]] = math.sqrt %[[SHIFTED]]
// CHECK: arith.divf %[[ONE]], %[[STD]]
// CHECK: %[[M3:.*]] = tensor.expand_shape %[[MEAN]]
// CHECK: %[[I3:.*]] = tensor.expand_shape %[[INV]]
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$STAT]], #[[$STAT]], #[[$SCALE]], #[[$ID]]]
// CHECK-SAME: ins(%arg0, %[[M3]], %[[I3]], %arg1 :
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.mulf
// CHECK-NEXT: linalg.yield
func.func @layer_norm(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = muon.layer_norm %x scale %s {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}
