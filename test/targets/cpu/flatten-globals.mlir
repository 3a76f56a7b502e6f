// RUN: muon-opt %s --muon-flatten-globals | FileCheck %s

// A global of nested arrays becomes one flat array with the same values in
// the same order, whether they are inline (dense) or a resource.
// CHECK: llvm.mlir.global internal constant @matrix(dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00]> : tensor<6xf32>) {{.*}}: !llvm.array<6 x f32>
llvm.mlir.global internal constant @matrix(dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>) : !llvm.array<2 x array<3 x f32>>

// CHECK: llvm.mlir.global internal constant @weights(dense_resource<blob> : tensor<4xi8>) {{.*}}: !llvm.array<4 x i8>
llvm.mlir.global internal constant @weights(dense_resource<blob> : tensor<2x2xi8>) : !llvm.array<2 x array<2 x i8>>

// Flat arrays stay as they are.
// CHECK: llvm.mlir.global internal constant @vector(dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>) {{.*}}: !llvm.array<2 x f32>
llvm.mlir.global internal constant @vector(dense<[1.0, 2.0]> : tensor<2xf32>) : !llvm.array<2 x f32>

{-#
  dialect_resources: {
    builtin: {
      blob: "0x0100000001020304"
    }
  }
#-}
