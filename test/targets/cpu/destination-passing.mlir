// RUN: muon-opt %s --muon-destination-passing="name=net" --split-input-file | FileCheck %s
// RUN: muon-opt %s --muon-destination-passing --split-input-file | FileCheck %s --check-prefix=DEFAULT

// The entry function gets Muon's C ABI (targets/cpu/Passes.td):
//   @<name>_run(memref inputs..., memref outputs..., memref<0xi8> workspace) -> i32
// inputs read through bufferization.to_tensor restrict, each result stored
// with materialize_in_destination restrict writable, and 0 returned.

// Two inputs, two outputs; the ONNX names (muon.name) of the inputs and the
// results move to the corresponding memref arguments, the workspace gets its own.
// CHECK-LABEL: func.func @net_run
// CHECK-SAME: (%[[X:.*]]: memref<1x4xf32> {muon.name = "features"}, %[[Y:.*]]: memref<4xf32>, %[[O0:.*]]: memref<1x4xf32> {muon.name = "scores"}, %[[O1:.*]]: memref<1x4xf32>, %[[WS:.*]]: memref<0xi8> {muon.name = "workspace"}) -> i32
// CHECK-SAME: attributes {muon.num_outputs = 2 : i64}
// CHECK: %[[TX:.*]] = bufferization.to_tensor %[[X]] restrict : memref<1x4xf32> to tensor<1x4xf32>
// CHECK: %[[TY:.*]] = bufferization.to_tensor %[[Y]] restrict : memref<4xf32> to tensor<4xf32>
// CHECK: %[[S:.*]] = muon.add %[[TX]], %[[TY]]
// CHECK: %[[R:.*]] = muon.relu %[[S]]
// CHECK: bufferization.materialize_in_destination %[[S]] in restrict writable %[[O0]] : (tensor<1x4xf32>, memref<1x4xf32>) -> ()
// CHECK: bufferization.materialize_in_destination %[[R]] in restrict writable %[[O1]] : (tensor<1x4xf32>, memref<1x4xf32>) -> ()
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: return %[[ZERO]] : i32
// The tensor function is gone.
// CHECK-NOT: func.func
// DEFAULT: func.func @model_run(
func.func @main(%x: tensor<1x4xf32> {muon.name = "features"}, %y: tensor<4xf32>) -> (tensor<1x4xf32> {muon.name = "scores"}, tensor<1x4xf32>) {
  %0 = muon.add %x, %y : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  %1 = muon.relu %0 : tensor<1x4xf32>
  return %0, %1 : tensor<1x4xf32>, tensor<1x4xf32>
}

// -----

// The function's own name does not matter; the symbol comes from the option.
// An output that is an input is copied into the output buffer.
// CHECK-LABEL: func.func @net_run
// CHECK-SAME: (%[[X:.*]]: memref<2x3xf32>, %[[O:.*]]: memref<2x3xf32>, %{{.*}}: memref<0xi8> {muon.name = "workspace"}) -> i32
// CHECK-SAME: attributes {muon.num_outputs = 1 : i64}
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[X]] restrict
// CHECK: bufferization.materialize_in_destination %[[T]] in restrict writable %[[O]]
// CHECK-NOT: @torch_jit
// DEFAULT: func.func @model_run(
func.func @torch_jit(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}

// -----

// A model without inputs (all constants) still takes its output and workspace.
// CHECK-LABEL: func.func @net_run
// CHECK-SAME: (%[[O:.*]]: memref<2xf32>, %{{.*}}: memref<0xi8> {muon.name = "workspace"}) -> i32
// CHECK: %[[C:.*]] = muon.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: bufferization.materialize_in_destination %[[C]] in restrict writable %[[O]]
func.func @main() -> tensor<2xf32> {
  %0 = muon.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// An empty tensor with a 0 after its first dimension gets explicit strides,
// computed as if each dimension were at least 1 (3x0x5: [5, 5, 1]), since
// the bare-pointer calling convention rejects the identity layout of such a
// memref; a leading 0 (0x5) keeps the identity layout.
// CHECK-LABEL: func.func @net_run
// CHECK-SAME: (%[[X:.*]]: memref<3x0x5xi64, strided<[5, 5, 1]>>, %[[Y:.*]]: memref<0x5xf32>, %[[O:.*]]: memref<3x0x5xi64, strided<[5, 5, 1]>>, %{{.*}}: memref<0xi8> {muon.name = "workspace"})
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[X]] restrict : memref<3x0x5xi64, strided<[5, 5, 1]>> to tensor<3x0x5xi64>
// CHECK: bufferization.materialize_in_destination %[[T]] in restrict writable %[[O]] : (tensor<3x0x5xi64>, memref<3x0x5xi64, strided<[5, 5, 1]>>) -> ()
func.func @main(%x: tensor<3x0x5xi64>, %y: tensor<0x5xf32>) -> tensor<3x0x5xi64> {
  return %x : tensor<3x0x5xi64>
}

// -----

// Two matmuls whose results are both outputs start from one zero fill (CSE
// merged them). Each output's chain of destinations gets its own fill and
// empty tensor, so that empty-tensor elimination can put each in its own
// output buffer: shared, both would be computed in the first output's.
// CHECK-LABEL: func.func @net_run
// CHECK: %[[E0:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK: %[[F0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E0]] : tensor<2x2xf32>)
// CHECK: %[[F1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<2x2xf32>)
// CHECK: %[[A:.*]] = linalg.matmul ins({{.*}}) outs(%[[F1]] : tensor<2x2xf32>)
// CHECK: %[[B:.*]] = linalg.matmul ins({{.*}}) outs(%[[F0]] : tensor<2x2xf32>)
// CHECK: bufferization.materialize_in_destination %[[A]]
// CHECK: bufferization.materialize_in_destination %[[B]]
func.func @main(%x: tensor<2x2xf32>, %y: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x2xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x2xf32>) -> tensor<2x2xf32>
  %a = linalg.matmul ins(%x, %y : tensor<2x2xf32>, tensor<2x2xf32>) outs(%fill : tensor<2x2xf32>) -> tensor<2x2xf32>
  %b = linalg.matmul ins(%a, %y : tensor<2x2xf32>, tensor<2x2xf32>) outs(%fill : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %a, %b : tensor<2x2xf32>, tensor<2x2xf32>
}
