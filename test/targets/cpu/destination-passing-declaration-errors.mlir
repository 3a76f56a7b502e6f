// RUN: muon-opt %s --muon-destination-passing="name=net" --verify-diagnostics

// A function without a body is reported, not dereferenced.
module {
  // expected-error @+1 {{has no body}}
  func.func private @main(tensor<2xf32>) -> tensor<2xf32>
}
