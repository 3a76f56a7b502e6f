// RUN: muon-opt %s --muon-bufferize | FileCheck %s

// A read-only input that is written gets a copy first: into a buffer
// aligned to 64 bytes, with linalg.copy (which lowers to loops like any
// other op; memref.copy would need a runtime library call for a view that
// is not contiguous). The result is copied into the output the same way.
// CHECK-LABEL: func @copy_of_a_read_only_input
// CHECK-SAME: (%[[IN:.*]]: memref<4xf32>, %[[OUT:.*]]: memref<4xf32>, %[[V:.*]]: f32)
// CHECK: %[[BUFFER:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
// CHECK: linalg.copy ins(%[[IN]] : memref<4xf32>) outs(%[[BUFFER]] : memref<4xf32>)
// CHECK: memref.store %[[V]], %[[BUFFER]]
// CHECK: linalg.copy ins(%[[BUFFER]] : memref<4xf32>) outs(%[[OUT]] : memref<4xf32>)
// CHECK-NOT: memref.copy
func.func @copy_of_a_read_only_input(%in: memref<4xf32>, %out: memref<4xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %t = bufferization.to_tensor %in restrict : memref<4xf32> to tensor<4xf32>
  %w = tensor.insert %v into %t[%c0] : tensor<4xf32>
  bufferization.materialize_in_destination %w in restrict writable %out : (tensor<4xf32>, memref<4xf32>) -> ()
  return
}

// A tensor that nothing reads afterwards is updated in place: the slice is
// a view of the one buffer, and inserting it back is a copy of that view
// onto an equal one (which CSE and canonicalization erase after this
// pass, in muon-cpu-bufferize).
// CHECK-LABEL: func @in_place
// CHECK: %[[BUFFER:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8xf32>
// CHECK: %[[VIEW:.*]] = memref.subview %[[BUFFER]][4] [4] [1]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[VIEW]] :
// CHECK: %[[SAME:.*]] = memref.subview %[[BUFFER]][4] [4] [1]
// CHECK: linalg.copy ins(%[[VIEW]] : {{.*}}) outs(%[[SAME]] :
// CHECK-NOT: memref.alloc
// CHECK: return
func.func @in_place(%out: memref<8xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %slice = tensor.extract_slice %zeros[4] [4] [1] : tensor<8xf32> to tensor<4xf32>
  %ones = linalg.fill ins(%one : f32) outs(%slice : tensor<4xf32>) -> tensor<4xf32>
  %r = tensor.insert_slice %ones into %zeros[4] [4] [1] : tensor<4xf32> into tensor<8xf32>
  bufferization.materialize_in_destination %r in restrict writable %out : (tensor<8xf32>, memref<8xf32>) -> ()
  return
}
