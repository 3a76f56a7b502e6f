// RUN: muon-opt %s --muon-quantize --split-input-file --verify-diagnostics

// A value to quantize without a calibrated range.
// expected-error @+1 {{a quantized value has no muon.calibration_range = array<f32: min, max> (calibration writes it)}}
func.func @no_range(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  %y = muon.matmul %x, %w : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @nan_range(%x: tensor<4xf32> {muon.calibration_range = array<f32: 0.0, 1.0>}) -> tensor<4xf32> {
  // expected-error @+1 {{nan] is not a finite interval}}
  %y = muon.add %x, %x {muon.calibration_range = array<f32: 0.0, 0x7FC00000>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
