// RUN: muon-opt %s --muon-to-linalg --split-input-file | FileCheck %s

// The lowering of the ops of dialects/muon/ElementwiseOps.td: one parallel
// linalg.generic over the broadcast result whose body computes one element.
// The expected formulas are the ONNX operator specification's, derived by
// hand beside each case.

// Round-11 rounds halves to even (roundeven, not round); Reciprocal is 1/x.
// CHECK-LABEL: func @round_reciprocal
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.roundeven %[[X]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[Q:.*]] = arith.divf %[[ONE]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[Q]]
func.func @round_reciprocal(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = muon.round %x : tensor<4xf32>
  %1 = muon.reciprocal %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Sign on integers: x > 0 ? 1 : (x < 0 ? -1 : x), with signed comparisons.
// CHECK-LABEL: func @sign_integer
// CHECK-DAG: %[[P:.*]] = arith.constant 1 : i8
// CHECK-DAG: %[[N:.*]] = arith.constant -1 : i8
// CHECK-DAG: %[[Z:.*]] = arith.constant 0 : i8
// CHECK: ^bb0(%[[X:.*]]: i8, %{{.*}}: i8):
// CHECK-NEXT: %[[LT:.*]] = arith.cmpi slt, %[[X]], %[[Z]] : i8
// CHECK-NEXT: %[[S1:.*]] = arith.select %[[LT]], %[[N]], %[[X]] : i8
// CHECK-NEXT: %[[GT:.*]] = arith.cmpi sgt, %[[X]], %[[Z]] : i8
// CHECK-NEXT: %[[S2:.*]] = arith.select %[[GT]], %[[P]], %[[S1]] : i8
// CHECK-NEXT: linalg.yield %[[S2]]
func.func @sign_integer(%x: tensor<4xi8>) -> tensor<4xi8> {
  %0 = muon.sign %x : tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// Mod without fmod takes the divisor's sign: -7 mod 3 = 2 = rem(-7, 3) + 3,
// since rem(-7, 3) = -1 is nonzero and its sign differs from 3's.
// CHECK-LABEL: func @mod_integer
// CHECK-DAG: %[[Z:.*]] = arith.constant 0 : i32
// CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT: %[[R:.*]] = arith.remsi %[[A]], %[[B]] : i32
// CHECK-NEXT: %[[NZ:.*]] = arith.cmpi ne, %[[R]], %[[Z]] : i32
// CHECK-NEXT: %[[RN:.*]] = arith.cmpi slt, %[[R]], %[[Z]] : i32
// CHECK-NEXT: %[[BN:.*]] = arith.cmpi slt, %[[B]], %[[Z]] : i32
// CHECK-NEXT: %[[DIFF:.*]] = arith.xori %[[RN]], %[[BN]] : i1
// CHECK-NEXT: %[[ADJ:.*]] = arith.andi %[[NZ]], %[[DIFF]] : i1
// CHECK-NEXT: %[[MOVED:.*]] = arith.addi %[[R]], %[[B]] : i32
// CHECK-NEXT: %[[RES:.*]] = arith.select %[[ADJ]], %[[MOVED]], %[[R]] : i32
// CHECK-NEXT: linalg.yield %[[RES]]
func.func @mod_integer(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = muon.mod %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// fmod = 1 is C fmod: the remainder alone.
// CHECK-LABEL: func @mod_fmod
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = arith.remf %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @mod_fmod(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = muon.mod %a, %b {fmod = true} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Pow with an integer base is computed in f64 and truncated back; a float
// base takes the exponent converted to its own type.
// CHECK-LABEL: func @pow_types
// CHECK: ^bb0(%[[A:.*]]: i64, %[[B:.*]]: f32, %{{.*}}: i64):
// CHECK-NEXT: %[[AF:.*]] = arith.sitofp %[[A]] : i64 to f64
// CHECK-NEXT: %[[BF:.*]] = arith.extf %[[B]] : f32 to f64
// CHECK-NEXT: %[[P:.*]] = math.powf %[[AF]], %[[BF]] : f64
// CHECK-NEXT: %[[R:.*]] = arith.fptosi %[[P]] : f64 to i64
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[X:.*]]: f32, %[[E:.*]]: i32, %{{.*}}: f32):
// CHECK-NEXT: %[[EF:.*]] = arith.sitofp %[[E]] : i32 to f32
// CHECK-NEXT: %[[Q:.*]] = math.powf %[[X]], %[[EF]] : f32
// CHECK-NEXT: linalg.yield %[[Q]]
func.func @pow_types(%a: tensor<4xi64>, %b: tensor<4xf32>, %x: tensor<4xf32>, %e: tensor<i32>) -> (tensor<4xi64>, tensor<4xf32>) {
  %0 = muon.pow %a, %b : (tensor<4xi64>, tensor<4xf32>) -> tensor<4xi64>
  %1 = muon.pow %x, %e : (tensor<4xf32>, tensor<i32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xi64>, tensor<4xf32>
}

// -----

// Comparisons are ordered (false on NaN) and produce i1 tensors; Where
// selects with all three operands broadcast: condition [3,1] -> (d0, 0),
// x [4] -> (d1), y scalar -> ().
// CHECK-DAG: #[[$COND:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[$X:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$Y:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @compare_where
// CHECK: %[[C:.*]] = linalg.generic
// CHECK: arith.cmpf oge, %{{.*}}, %{{.*}} : f32
// CHECK: } -> tensor<3x1xi1>
// CHECK: linalg.generic {indexing_maps = [#[[$COND]], #[[$X]], #[[$Y]], #[[$ID]]]
// CHECK-SAME: ins(%[[C]], %{{.*}}, %{{.*}} : tensor<3x1xi1>, tensor<4xf32>, tensor<f32>)
// CHECK: ^bb0(%[[S:.*]]: i1, %[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = arith.select %[[S]], %[[A]], %[[B]] : f32
func.func @compare_where(%a: tensor<3x1xf32>, %b: tensor<3x1xf32>, %x: tensor<4xf32>, %y: tensor<f32>) -> tensor<3x4xf32> {
  %0 = muon.greater_or_equal %a, %b : (tensor<3x1xf32>, tensor<3x1xf32>) -> tensor<3x1xi1>
  %1 = muon.where %0, %x, %y : (tensor<3x1xi1>, tensor<4xf32>, tensor<f32>) -> tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}

// -----

// Cast-13: float to bool is x != 0 (unordered, so NaN is true); bool to
// float is 0 or 1 (unsigned); float to integer truncates (fptosi).
// CHECK-LABEL: func @casts
// CHECK: arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK: arith.uitofp %{{.*}} : i1 to f16
// CHECK: arith.fptosi %{{.*}} : f16 to i32
func.func @casts(%x: tensor<4xf32>) -> tensor<4xi32> {
  %0 = muon.cast %x to i1 : tensor<4xf32>
  %1 = muon.cast %0 to f16 : tensor<4xi1>
  %2 = muon.cast %1 to i32 : tensor<4xf16>
  return %2 : tensor<4xi32>
}

// -----

// IsInf with detect_negative = false compares with +inf only (the
// `false or` the lowering starts from folds away).
// CHECK-LABEL: func @is_inf_positive
// CHECK-DAG: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: i1):
// CHECK-NEXT: %[[EQ:.*]] = arith.cmpf oeq, %[[X]], %[[INF]] : f32
// CHECK-NEXT: linalg.yield %[[EQ]]
func.func @is_inf_positive(%x: tensor<4xf32>) -> tensor<4xi1> {
  %0 = muon.is_inf %x {detect_negative = false} : (tensor<4xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// HardSwish-14: x * max(0, min(1, x / 6 + 0.5)), with 1/6 as a multiplier.
// CHECK-LABEL: func @hard_swish
// CHECK-DAG: %[[SIXTH:.*]] = arith.constant 0.166666672 : f32
// CHECK-DAG: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[X]], %[[SIXTH]] : f32
// CHECK-NEXT: %[[L:.*]] = arith.addf %[[M]], %[[HALF]] : f32
// CHECK-NEXT: %[[U:.*]] = arith.minimumf %[[L]], %[[ONE]] : f32
// CHECK-NEXT: %[[C:.*]] = arith.maximumf %[[U]], %[[ZERO]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.mulf %[[X]], %[[C]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @hard_swish(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = muon.hard_swish %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Softplus as max(x, 0) + log1p(exp(-|x|)), which does not overflow.
// CHECK-LABEL: func @softplus
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[A:.*]] = math.absf %[[X]] : f32
// CHECK-NEXT: %[[N:.*]] = arith.negf %[[A]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[N]] : f32
// CHECK-NEXT: %[[L:.*]] = math.log1p %[[E]] : f32
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[X]], %{{.*}} : f32
// CHECK-NEXT: %[[R:.*]] = arith.addf %[[M]], %[[L]] : f32
func.func @softplus(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = muon.softplus %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// PRelu on integers: x < 0 ? slope * x : x, slope [3] broadcast to [2,3].
// CHECK-LABEL: func @prelu_integer
// CHECK: ^bb0(%[[X:.*]]: i32, %[[S:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT: %[[M:.*]] = arith.muli %[[X]], %[[S]] : i32
// CHECK-NEXT: %[[N:.*]] = arith.cmpi slt, %[[X]], %{{.*}} : i32
// CHECK-NEXT: %[[R:.*]] = arith.select %[[N]], %[[M]], %[[X]] : i32
func.func @prelu_integer(%x: tensor<2x3xi32>, %slope: tensor<3xi32>) -> tensor<2x3xi32> {
  %0 = muon.prelu %x, %slope : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// Logic on bools: Not is xor with true.
// CHECK-LABEL: func @logic
// CHECK: %[[T:.*]] = arith.constant true
// CHECK: arith.andi %{{.*}}, %{{.*}} : i1
// CHECK: arith.xori %{{.*}}, %[[T]] : i1
func.func @logic(%a: tensor<4xi1>, %b: tensor<4xi1>) -> tensor<4xi1> {
  %0 = muon.and %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %1 = muon.not %0 : tensor<4xi1>
  return %1 : tensor<4xi1>
}

// -----

// Shrink-9 with lambd 1.5, bias 0.5: x < -1.5 ? x + 0.5 : (x > 1.5 ? x - 0.5 : 0).
// CHECK-LABEL: func @shrink
// CHECK-DAG: %[[L:.*]] = arith.constant 1.500000e+00 : f32
// CHECK-DAG: %[[NL:.*]] = arith.constant -1.500000e+00 : f32
// CHECK-DAG: %[[B:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[GT:.*]] = arith.cmpf ogt, %[[X]], %[[L]] : f32
// CHECK-NEXT: %[[SUB:.*]] = arith.subf %[[X]], %[[B]] : f32
// CHECK-NEXT: %[[HIGH:.*]] = arith.select %[[GT]], %[[SUB]], %[[Z]] : f32
// CHECK-NEXT: %[[LT:.*]] = arith.cmpf olt, %[[X]], %[[NL]] : f32
// CHECK-NEXT: %[[ADD:.*]] = arith.addf %[[X]], %[[B]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.select %[[LT]], %[[ADD]], %[[HIGH]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @shrink(%x: tensor<5xf32>) -> tensor<5xf32> {
  %0 = muon.shrink %x {bias = 0.5 : f32, lambd = 1.5 : f32} : tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// ONNX broadcasting aligns dimensions at the right; a size-1 dimension of an
// operand is read at index 0 (affine constant 0) when the result's is not 1.
//   lhs [2,1,4] in [2,3,4] -> (d0, 0, d2);  rhs [3,1] -> dims d1, d2 -> (d1, 0)
// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[$ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func @add_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<2x1x4xf32>, %[[B:.*]]: tensor<3x1xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3x4xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$ID3]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<2x1x4xf32>, tensor<3x1xf32>) outs(%[[E]] : tensor<2x3x4xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK: linalg.yield %[[S]]
// CHECK-NOT: muon.
// CHECK: return %[[R]]
func.func @add_broadcast(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = muon.add %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A size-1 dimension that is also 1 in the result keeps its dimension
// expression; a rank-0 operand reads no index at all.
// CHECK-DAG: #[[$ONE:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func @mul_scalar
// CHECK: linalg.generic {indexing_maps = [#[[$ONE]], #[[$SCALAR]], #[[$ONE]]]
// CHECK: arith.mulf
func.func @mul_scalar(%a: tensor<1x5xf32>, %s: tensor<f32>) -> tensor<1x5xf32> {
  %0 = muon.mul %a, %s : (tensor<1x5xf32>, tensor<f32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// -----

// Integer Sub/Div use the integer arith ops (ONNX Div on integers truncates, as divsi does).
// CHECK-LABEL: func @integer_binary
// CHECK: linalg.generic
// CHECK: arith.subi
// CHECK: linalg.generic
// CHECK: arith.divsi
func.func @integer_binary(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = muon.sub %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = muon.div %0, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %1 : tensor<4xi32>
}

// -----

// The scalar constants are hoisted to the function entry (and deduplicated) by
// the rewrite driver; commutative ops get the constant on the right.
// CHECK-LABEL: func @unary
// CHECK-DAG: %[[SIX:.*]] = arith.constant 6.000000e+00 : f32
// CHECK-DAG: %[[ALPHA:.*]] = arith.constant 1.000000e-01 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// Relu: max(x, 0).
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X0:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R0:.*]] = arith.maximumf %[[X0]], %[[ZERO]] : f32
// CHECK-NEXT: linalg.yield %[[R0]] : f32
// Sigmoid: 1 / (1 + exp(-x)).
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X1:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[N:.*]] = arith.negf %[[X1]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[N]] : f32
// CHECK-NEXT: %[[D:.*]] = arith.addf %[[E]], %[[ONE]] : f32
// CHECK-NEXT: %[[R1:.*]] = arith.divf %[[ONE]], %[[D]] : f32
// CHECK-NEXT: linalg.yield %[[R1]] : f32
// LeakyRelu: x < 0 ? alpha * x : x.
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X2:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[NEG:.*]] = arith.cmpf olt, %[[X2]], %[[ZERO]] : f32
// CHECK-NEXT: %[[SC:.*]] = arith.mulf %[[X2]], %[[ALPHA]] : f32
// CHECK-NEXT: %[[R2:.*]] = arith.select %[[NEG]], %[[SC]], %[[X2]] : f32
// CHECK-NEXT: linalg.yield %[[R2]] : f32
// Clip to [0, 6]: min(max(x, 0), 6).
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X3:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[X3]], %[[ZERO]] : f32
// CHECK-NEXT: %[[R3:.*]] = arith.minimumf %[[M]], %[[SIX]] : f32
// CHECK-NEXT: linalg.yield %[[R3]] : f32
// Tanh, Exp, Log, Sqrt, Abs, Neg map to one math/arith op each.
// CHECK: math.tanh
// CHECK: math.exp
// CHECK: math.log
// CHECK: math.sqrt
// CHECK: math.absf
// CHECK: arith.negf
// CHECK-NOT: muon.
func.func @unary(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = muon.relu %x : tensor<2x3xf32>
  %1 = muon.sigmoid %0 : tensor<2x3xf32>
  %2 = muon.leaky_relu %1 {alpha = 0.1 : f32} : tensor<2x3xf32>
  %3 = muon.clip %2 {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3xf32>
  %4 = muon.tanh %3 : tensor<2x3xf32>
  %5 = muon.exp %4 : tensor<2x3xf32>
  %6 = muon.log %5 : tensor<2x3xf32>
  %7 = muon.sqrt %6 : tensor<2x3xf32>
  %8 = muon.abs %7 : tensor<2x3xf32>
  %9 = muon.neg %8 : tensor<2x3xf32>
  return %9 : tensor<2x3xf32>
}
