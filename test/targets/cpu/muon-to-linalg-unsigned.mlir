// RUN: muon-opt %s --muon-to-linalg --split-input-file | FileCheck %s

// Unsigned integers (ONNX uint8..uint64, muon ui8..ui64): the lowering picks
// the unsigned arith ops from the muon types, then makes every type signless
// (arith has no unsigned types). The function's arguments and results keep
// their ONNX element type in muon.element_type for the C header.

// Div and Max on ui8: 200 / 3 = 66 and max(200, 3) = 200 only when the bits
// are read unsigned (as i8, 200 is -56: divsi gives -18, maxsi 3).
// CHECK-LABEL: func @div_max_unsigned
// CHECK-SAME: (%{{.*}}: tensor<4xi8> {muon.element_type = ui8, muon.name = "a"}, %{{.*}}: tensor<4xi8> {muon.element_type = ui8})
// CHECK-SAME: -> (tensor<4xi8> {muon.element_type = ui8})
// CHECK: ^bb0(%[[A:.*]]: i8, %[[B:.*]]: i8, %{{.*}}: i8):
// CHECK-NEXT: %[[Q:.*]] = arith.divui %[[A]], %[[B]] : i8
// CHECK: ^bb0(%[[C:.*]]: i8, %[[D:.*]]: i8, %{{.*}}: i8):
// CHECK-NEXT: %[[M:.*]] = arith.maxui %[[C]], %[[D]] : i8
// CHECK-NOT: ui8
func.func @div_max_unsigned(%a: tensor<4xui8> {muon.name = "a"}, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = muon.div %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = muon.max %0, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %1 : tensor<4xui8>
}

// -----

// Min, Mod and Less on ui32: minui, remui (no sign adjustment: both
// operands are non-negative) and cmpi ult. Signed results (i1) get no
// element-type attribute.
// CHECK-LABEL: func @min_mod_less_unsigned
// CHECK-SAME: -> (tensor<3xi32> {muon.element_type = ui32}, tensor<3xi32> {muon.element_type = ui32}, tensor<3xi1>)
// CHECK: arith.minui %{{.*}}, %{{.*}} : i32
// CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT: %[[R:.*]] = arith.remui %[[A]], %[[B]] : i32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: arith.cmpi ult, %{{.*}}, %{{.*}} : i32
func.func @min_mod_less_unsigned(%a: tensor<3xui32>, %b: tensor<3xui32>) -> (tensor<3xui32>, tensor<3xui32>, tensor<3xi1>) {
  %0 = muon.min %a, %b : (tensor<3xui32>, tensor<3xui32>) -> tensor<3xui32>
  %1 = muon.mod %a, %b : (tensor<3xui32>, tensor<3xui32>) -> tensor<3xui32>
  %2 = muon.less %a, %b : (tensor<3xui32>, tensor<3xui32>) -> tensor<3xi1>
  return %0, %1, %2 : tensor<3xui32>, tensor<3xui32>, tensor<3xi1>
}

// -----

// Casts: from ui16 zero-extend (extui) and convert with uitofp; to ui64 from
// float with fptoui; ui8 -> i8 keeps the bits: both are i8 once lowered.
// CHECK-LABEL: func @cast_unsigned
// CHECK: arith.extui %{{.*}} : i16 to i32
// CHECK: arith.uitofp %{{.*}} : i16 to f32
// CHECK: arith.fptoui %{{.*}} : f32 to i64
// CHECK: ^bb0(%[[X:.*]]: i8, %{{.*}}: i8):
// CHECK-NEXT: linalg.yield %[[X]]
func.func @cast_unsigned(%a: tensor<2xui16>, %f: tensor<2xf32>, %b: tensor<2xui8>) -> (tensor<2xi32>, tensor<2xf32>, tensor<2xui64>, tensor<2xi8>) {
  %0 = muon.cast %a to i32 : tensor<2xui16>
  %1 = muon.cast %a to f32 : tensor<2xui16>
  %2 = muon.cast %f to ui64 : tensor<2xf32>
  %3 = muon.cast %b to i8 : tensor<2xui8>
  return %0, %1, %2, %3 : tensor<2xi32>, tensor<2xf32>, tensor<2xui64>, tensor<2xi8>
}

// -----

// Pow with a ui64 exponent: the exponent is converted to the base's float
// type unsigned (uitofp), then powf.
// CHECK-LABEL: func @pow_unsigned_exponent
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT: %[[E:.*]] = arith.uitofp %[[Y]] : i64 to f32
// CHECK-NEXT: %[[P:.*]] = math.powf %[[X]], %[[E]] : f32
func.func @pow_unsigned_exponent(%x: tensor<3xf32>, %y: tensor<3xui64>) -> tensor<3xf32> {
  %0 = muon.pow %x, %y : (tensor<3xf32>, tensor<3xui64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Unsigned constants become signless constants with the same bits (255 is
// -1 as i8).
// CHECK-LABEL: func @unsigned_constant
// CHECK: arith.constant dense<[1, -1]> : tensor<2xi8>
// CHECK: arith.addi %{{.*}}, %{{.*}} : i8
func.func @unsigned_constant(%x: tensor<2xui8>) -> tensor<2xui8> {
  %c = muon.constant dense<[1, 255]> : tensor<2xui8>
  %0 = muon.add %x, %c : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  return %0 : tensor<2xui8>
}

// -----

// A blob keeps its bytes and takes the signless type.
// CHECK-LABEL: func @unsigned_resource
// CHECK: arith.constant dense_resource<bytes> : tensor<4xi8>
func.func @unsigned_resource(%x: tensor<4xui8>) -> tensor<4xui8> {
  %c = muon.constant dense_resource<bytes> : tensor<4xui8>
  %0 = muon.sub %x, %c : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

{-#
  dialect_resources: {
    builtin: {
      bytes: "0x0100000001FF7F80"
    }
  }
#-}

// -----

// BitShift-11: shli / shrui, and 0 where the shift is the bit width (8) or
// more (numpy's left_shift and right_shift; LLVM leaves those undefined).
// CHECK-LABEL: func @bit_shift
// CHECK-DAG: %[[W:.*]] = arith.constant 8 : i8
// CHECK-DAG: %[[Z:.*]] = arith.constant 0 : i8
// CHECK: ^bb0(%[[X:.*]]: i8, %[[Y:.*]]: i8, %{{.*}}: i8):
// CHECK-NEXT: %[[S:.*]] = arith.shli %[[X]], %[[Y]] : i8
// CHECK-NEXT: %[[OK:.*]] = arith.cmpi ult, %[[Y]], %[[W]] : i8
// CHECK-NEXT: %[[R:.*]] = arith.select %[[OK]], %[[S]], %[[Z]] : i8
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[X2:.*]]: i8, %[[Y2:.*]]: i8, %{{.*}}: i8):
// CHECK-NEXT: arith.shrui %[[X2]], %[[Y2]] : i8
func.func @bit_shift(%x: tensor<3xui8>, %y: tensor<3xui8>) -> (tensor<3xui8>, tensor<3xui8>) {
  %0 = muon.shift_left %x, %y : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  %1 = muon.shift_right %x, %y : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  return %0, %1 : tensor<3xui8>, tensor<3xui8>
}

// -----

// Reductions of ui8: max starts from 0 (the lowest ui8) with maxui, min from
// 255 (all ones, printed -1 as i8) with minui; L1 adds the elements as they
// are (an unsigned element is its own absolute value); ArgMax compares with
// ugt (the first maximum wins).
// CHECK-LABEL: func @reduce_unsigned
// CHECK-DAG: %[[ONES:.*]] = arith.constant -1 : i8
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i8
// CHECK: linalg.fill ins(%[[ZERO]] : i8)
// CHECK: arith.maxui %{{.*}}, %{{.*}} : i8
// CHECK: linalg.fill ins(%[[ONES]] : i8)
// CHECK: arith.minui %{{.*}}, %{{.*}} : i8
// CHECK: ^bb0(%[[X:.*]]: i8, %[[ACC:.*]]: i8):
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[X]], %[[ACC]] : i8
// CHECK-NEXT: linalg.yield %[[S]]
// CHECK: arith.cmpi ugt, %{{.*}}, %{{.*}} : i8
func.func @reduce_unsigned(%x: tensor<3x4xui8>) -> (tensor<3x1xui8>, tensor<3x1xui8>, tensor<3x1xui8>, tensor<3xi64>) {
  %0 = muon.reduce_max %x {axes = array<i64: 1>} : (tensor<3x4xui8>) -> tensor<3x1xui8>
  %1 = muon.reduce_min %x {axes = array<i64: 1>} : (tensor<3x4xui8>) -> tensor<3x1xui8>
  %2 = muon.reduce_l1 %x {axes = array<i64: 1>} : (tensor<3x4xui8>) -> tensor<3x1xui8>
  %3 = muon.arg_max %x {axis = 1 : i64, keepdims = false} : (tensor<3x4xui8>) -> tensor<3xi64>
  return %0, %1, %2, %3 : tensor<3x1xui8>, tensor<3x1xui8>, tensor<3x1xui8>, tensor<3xi64>
}

// -----

// ScatterElements-18's max and min reductions compare uint8 as unsigned
// integers: max(200, 100) is 200 (maxui), where a signed comparison of the
// same bits (-56, 100) would keep 100.
// CHECK-LABEL: func @scatter_max_min_unsigned
// CHECK: arith.maxui %{{.*}}, %{{.*}} : i8
// CHECK: arith.minui %{{.*}}, %{{.*}} : i8
// CHECK-NOT: arith.maxsi
// CHECK-NOT: arith.minsi
func.func @scatter_max_min_unsigned(%data: tensor<4xui8>, %indices: tensor<2xi64>, %updates: tensor<2xui8>) -> (tensor<4xui8>, tensor<4xui8>) {
  %0 = muon.scatter_elements %data, %indices, %updates {axis = 0 : i64, reduction = "max"} : (tensor<4xui8>, tensor<2xi64>, tensor<2xui8>) -> tensor<4xui8>
  %1 = muon.scatter_elements %data, %indices, %updates {axis = 0 : i64, reduction = "min"} : (tensor<4xui8>, tensor<2xi64>, tensor<2xui8>) -> tensor<4xui8>
  return %0, %1 : tensor<4xui8>, tensor<4xui8>
}

// -----

// Constant padding of uint8 with 200: the bits 0xC8, which print as -56 in
// the signless i8 the tensors have once lowered.
// CHECK-LABEL: func @pad_unsigned
// CHECK: %[[V:.*]] = arith.constant -56 : i8
// CHECK: tensor.pad %{{.*}} low[1] high[2]
// CHECK: tensor.yield %[[V]] : i8
func.func @pad_unsigned(%x: tensor<3xui8>) -> tensor<6xui8> {
  %0 = muon.pad %x {pads = array<i64: 1, 2>, value = 200.0 : f64} : (tensor<3xui8>) -> tensor<6xui8>
  return %0 : tensor<6xui8>
}
