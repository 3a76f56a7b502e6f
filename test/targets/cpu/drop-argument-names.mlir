// RUN: muon-opt %s --muon-drop-argument-names | FileCheck %s

// The ONNX names go; other argument attributes stay.
// CHECK-LABEL: func @model_run
// CHECK-SAME: (%{{.*}}: memref<4xf32>, %{{.*}}: memref<4xf32> {llvm.noalias}, %{{.*}}: memref<0xi8>)
// CHECK-NOT: muon.name
func.func @model_run(%x: memref<4xf32> {muon.name = "x"}, %y: memref<4xf32> {llvm.noalias, muon.name = "y"}, %workspace: memref<0xi8> {muon.name = "workspace"}) {
  return
}
