// RUN: muon-opt %s --muon-plan-workspace --split-input-file | FileCheck %s
// RUN: muon-opt %s --muon-plan-workspace --split-input-file --remarks-filter=muon-plan-workspace --remark-format=emitRemark -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

// Every static memref.alloc becomes a memref.view into the workspace (the last
// argument) at an offset chosen by first fit, largest buffer first, over the
// buffers' live ranges (first and last top-level op using the buffer or a view
// of it). Sizes are rounded up to 64 bytes. Offsets and totals are derived by
// hand beside each case.

func.func private @use(memref<16xf32>)

// Two 16 x f32 = 64-byte buffers, live over ops [0, 2] and [3, 5]: disjoint,
// so both sit at offset 0 and the workspace is 64 bytes.
// CHECK-LABEL: func.func @disjoint_share
// REMARK: remark: [Analysis] WorkspacePlan | Category:muon-plan-workspace | buffers=2, bytes=64, unshared_bytes=128
// CHECK-SAME: (%[[IN:.*]]: memref<16xf32>, %[[OUT:.*]]: memref<16xf32>, %[[WS:.*]]: memref<64xi8>) -> i32
// CHECK-SAME: muon.workspace_size = 64 : i64
// CHECK-NOT: memref.alloc
// CHECK: %[[O1:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = memref.view %[[WS]][%[[O1]]][] : memref<64xi8> to memref<16xf32>
// CHECK: memref.copy %[[IN]], %[[A]]
// CHECK: memref.copy %[[A]], %[[OUT]]
// CHECK: %[[O2:.*]] = arith.constant 0 : index
// CHECK: %[[B:.*]] = memref.view %[[WS]][%[[O2]]][] : memref<64xi8> to memref<16xf32>
// CHECK: memref.copy %[[IN]], %[[B]]
// CHECK: memref.copy %[[B]], %[[OUT]]
// CHECK-NOT: memref.alloc
func.func @disjoint_share(%in: memref<16xf32>, %out: memref<16xf32>, %ws: memref<0xi8>) -> i32 {
  %a = memref.alloc() : memref<16xf32>
  memref.copy %in, %a : memref<16xf32> to memref<16xf32>
  memref.copy %a, %out : memref<16xf32> to memref<16xf32>
  %b = memref.alloc() : memref<16xf32>
  memref.copy %in, %b : memref<16xf32> to memref<16xf32>
  memref.copy %b, %out : memref<16xf32> to memref<16xf32>
  %c0 = arith.constant 0 : i32
  return %c0 : i32
}

// -----

func.func private @use2(memref<10xf32>, memref<100xf32>)

// Overlapping live ranges: 100 x f32 = 400 bytes -> 448 (7 * 64), placed first
// at 0; 10 x f32 = 40 bytes -> 64, placed after it at 448. Total 448 + 64 = 512.
// CHECK-LABEL: func.func @overlapping_distinct
// REMARK: remark: [Analysis] WorkspacePlan | Category:muon-plan-workspace | buffers=2, bytes=512, unshared_bytes=512
// CHECK-SAME: (%[[WS:.*]]: memref<512xi8>) -> i32
// CHECK-SAME: muon.workspace_size = 512 : i64
// CHECK: %[[OA:.*]] = arith.constant 448 : index
// CHECK: %[[A:.*]] = memref.view %[[WS]][%[[OA]]][] : memref<512xi8> to memref<10xf32>
// CHECK: %[[OB:.*]] = arith.constant 0 : index
// CHECK: %[[B:.*]] = memref.view %[[WS]][%[[OB]]][] : memref<512xi8> to memref<100xf32>
// CHECK: call @use2(%[[A]], %[[B]])
func.func @overlapping_distinct(%ws: memref<0xi8>) -> i32 {
  %a = memref.alloc() : memref<10xf32>
  %b = memref.alloc() : memref<100xf32>
  call @use2(%a, %b) : (memref<10xf32>, memref<100xf32>) -> ()
  %c0 = arith.constant 0 : i32
  return %c0 : i32
}

// -----

func.func private @use_xy(memref<100xi8>, memref<40xf32>)
func.func private @use_yz(memref<40xf32>, memref<8xf16>)
func.func private @use_z(memref<8xf16>)

// Three buffers with deallocations (which end live ranges and are removed):
//   op 0 x = 100 x i8 = 100 B -> 128, live [0, 3]
//   op 1 y = 40 x f32 = 160 B -> 192, live [1, 6]
//   op 4 z = 8 x f16 = 16 B -> 64,    live [4, 8]
// Largest first: y at 0; x overlaps y -> 192; z overlaps y but not x -> reuses
// x's bytes at 192. Total max(192 + 128, 192 + 64) = 320.
// CHECK-LABEL: func.func @reuse_after_dealloc
// REMARK: remark: [Analysis] WorkspacePlan | Category:muon-plan-workspace | buffers=3, bytes=320, unshared_bytes=384
// CHECK-SAME: (%[[WS:.*]]: memref<320xi8>) -> i32
// CHECK-SAME: muon.workspace_size = 320 : i64
// CHECK: %[[OX:.*]] = arith.constant 192 : index
// CHECK: %[[X:.*]] = memref.view %[[WS]][%[[OX]]][] : memref<320xi8> to memref<100xi8>
// CHECK: %[[OY:.*]] = arith.constant 0 : index
// CHECK: %[[Y:.*]] = memref.view %[[WS]][%[[OY]]][] : memref<320xi8> to memref<40xf32>
// CHECK: call @use_xy(%[[X]], %[[Y]])
// CHECK: %[[OZ:.*]] = arith.constant 192 : index
// CHECK: %[[Z:.*]] = memref.view %[[WS]][%[[OZ]]][] : memref<320xi8> to memref<8xf16>
// CHECK: call @use_yz(%[[Y]], %[[Z]])
// CHECK: call @use_z(%[[Z]])
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @reuse_after_dealloc(%ws: memref<0xi8>) -> i32 {
  %x = memref.alloc() : memref<100xi8>
  %y = memref.alloc() : memref<40xf32>
  call @use_xy(%x, %y) : (memref<100xi8>, memref<40xf32>) -> ()
  memref.dealloc %x : memref<100xi8>
  %z = memref.alloc() : memref<8xf16>
  call @use_yz(%y, %z) : (memref<40xf32>, memref<8xf16>) -> ()
  memref.dealloc %y : memref<40xf32>
  call @use_z(%z) : (memref<8xf16>) -> ()
  memref.dealloc %z : memref<8xf16>
  %c0 = arith.constant 0 : i32
  return %c0 : i32
}

// -----

func.func private @use(memref<16xf32>)
func.func private @use_sub(memref<2x4xf32, strided<[4, 1], offset: 8>>)

// A view keeps its source alive: a (4 x 4 x f32 = 64 B) is last used through
// its subview at op 4, so it overlaps b (64 B, ops [2, 3]). Equal sizes are
// placed in order of first use: a at 0, b at 64; total 128. (Following only
// direct uses, a would end at op 1 and b could wrongly share offset 0.)
// CHECK-LABEL: func.func @view_extends_live_range
// REMARK: remark: [Analysis] WorkspacePlan | Category:muon-plan-workspace | buffers=2, bytes=128, unshared_bytes=128
// CHECK-SAME: (%[[WS:.*]]: memref<128xi8>) -> i32
// CHECK-SAME: muon.workspace_size = 128 : i64
// CHECK: %[[OA:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = memref.view %[[WS]][%[[OA]]][] : memref<128xi8> to memref<4x4xf32>
// CHECK: memref.subview %[[A]]
// CHECK: %[[OB:.*]] = arith.constant 64 : index
// CHECK: memref.view %[[WS]][%[[OB]]][] : memref<128xi8> to memref<16xf32>
func.func @view_extends_live_range(%ws: memref<0xi8>) -> i32 {
  %a = memref.alloc() : memref<4x4xf32>
  %v = memref.subview %a[2, 0] [2, 4] [1, 1] : memref<4x4xf32> to memref<2x4xf32, strided<[4, 1], offset: 8>>
  %b = memref.alloc() : memref<16xf32>
  call @use(%b) : (memref<16xf32>) -> ()
  call @use_sub(%v) : (memref<2x4xf32, strided<[4, 1], offset: 8>>) -> ()
  %c0 = arith.constant 0 : i32
  return %c0 : i32
}

// -----

// No buffers: the workspace stays empty, and its size is recorded as 0.
// CHECK-LABEL: func.func @no_buffers
// REMARK: remark: [Analysis] WorkspacePlan | Category:muon-plan-workspace | buffers=0, bytes=0, unshared_bytes=0
// CHECK-SAME: (%{{.*}}: memref<4xf32>, %{{.*}}: memref<0xi8>) -> i32
// CHECK-SAME: muon.workspace_size = 0 : i64
func.func @no_buffers(%in: memref<4xf32>, %ws: memref<0xi8>) -> i32 {
  %c0 = arith.constant 0 : i32
  return %c0 : i32
}
