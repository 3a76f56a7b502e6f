//===- Calibration.h - Post-training quantization of float models -*- C++
//-*-===//
//
// `muonc --quantize=int8 --calibration=DIR`: runs the float model, compiled
// in-process, on the calibration samples in DIR, records the range of every
// activation that muon-quantize quantizes (CalibrationStatistics.h), writes
// the ranges onto the IR and runs muon-quantize. docs/quantization.md
// describes the data format, the methods and the scheme.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_COMPILER_CALIBRATION_H
#define MUON_COMPILER_CALIBRATION_H

#include "compiler/quantization/CalibrationStatistics.h"
#include "compiler/quantization/ModelRunner.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <string>
#include <vector>

namespace muon {

struct QuantizationOptions {
  /// One .npy file per sample, or for models with several inputs one
  /// subdirectory per sample holding <input name>.npy for each input.
  std::string calibrationDir;
  CalibrationMethod method = CalibrationMethod::MinMax;
  /// For CalibrationMethod::Percentile: the percentile of |x| kept, in
  /// (0, 100].
  double percentile = 99.99;
  /// ONNX node names whose ops stay float.
  std::vector<std::string> excludedNodes;
  /// Where to write the quantization report (QuantReport.h); none if empty.
  std::string reportPath;
  /// The samples the report runs on (same format as calibrationDir); the
  /// calibration samples if empty.
  std::string reportInputsDir;
};

/// Checks, on the module as imported (before any pass), that every excluded
/// node name names a node of the model; the error lists those that do not.
mlir::LogicalResult checkExcludedNodes(mlir::ModuleOp module,
                                       const QuantizationOptions &options);

/// Calibrates the muon-dialect module (after the graph pipeline) by running
/// it, compiled by `compileForHost`, on the samples, then quantizes it
/// with muon-quantize, and writes the quantization report when asked.
/// `configure` is applied to the quantization pass manager. Errors go to the
/// context's diagnostic handler.
mlir::LogicalResult quantizeModule(
    mlir::ModuleOp module, const QuantizationOptions &options,
    const CompileForHost &compileForHost,
    const std::function<mlir::LogicalResult(mlir::PassManager &)> &configure);

} // namespace muon

#endif
