// RUN: muon-opt %s --muon-destination-passing="name=net" --split-input-file --verify-diagnostics

// The pass compiles exactly one function: a module with two is ambiguous.
// expected-error @+1 {{expected exactly one function to compile, found 2}}
module {
  func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
  func.func @other(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
}

// -----

// expected-error @+1 {{expected exactly one function to compile, found 0}}
module {
}
