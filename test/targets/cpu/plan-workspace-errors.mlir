// RUN: muon-opt %s --muon-plan-workspace --split-input-file --verify-diagnostics

// A buffer whose size is known only at run time cannot get a fixed offset.
func.func @dynamic_alloc(%n: index, %ws: memref<0xi8>) -> i32 {
  // expected-error @+1 {{cannot place a dynamic or strided buffer in the workspace: 'memref<?xf32>'}}
  %a = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %a : memref<?xf32>
  %c0 = arith.constant 0 : i32
  return %c0 : i32
}

// -----

// memref.view yields identity layouts only, so a strided buffer is refused too.
func.func @strided_alloc(%ws: memref<0xi8>) -> i32 {
  // expected-error @+1 {{cannot place a dynamic or strided buffer in the workspace: 'memref<4x4xf32, strided<[8, 1]>>'}}
  %a = memref.alloc() : memref<4x4xf32, strided<[8, 1]>>
  %c0 = arith.constant 0 : i32
  return %c0 : i32
}

// -----

// expected-error @+1 {{expected the workspace as the last argument}}
func.func @no_workspace(%x: tensor<4xf32>) -> i32 {
  %c0 = arith.constant 0 : i32
  return %c0 : i32
}
