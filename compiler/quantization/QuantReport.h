//===- QuantReport.h - What int8 quantization cost, layer by layer -*- C++
//-*-===//
//
// `--quant-report=FILE`: the float model and the quantized one run on the
// same samples; every quantized activation is compared with its float
// counterpart (SQNR, largest error), and so is every model output (plus
// top-1 agreement for outputs with a class axis). Written as JSON to FILE,
// with the worst layers first, and as a table. docs/quantization.md
// describes the fields.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_COMPILER_QUANTREPORT_H
#define MUON_COMPILER_QUANTREPORT_H

#include "mlir/Support/LLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace muon {

/// The error of a quantized tensor against its float reference, summed over
/// the samples.
struct TensorError {
  double signal = 0;   ///< sum of reference^2
  double noise = 0;    ///< sum of (quantized - reference)^2
  double maxError = 0; ///< max |quantized - reference|
  int64_t rows = 0;    ///< rows of `classes` values compared by argmax
  int64_t agreeing = 0;

  /// Adds one sample. With `classes` > 1 the tensor is also read as rows of
  /// `classes` values whose argmax is compared (top-1 agreement).
  void add(llvm::ArrayRef<float> reference, llvm::ArrayRef<float> quantized,
           int64_t classes);
  /// 10 log10(signal / noise); nullopt when the two are identical.
  std::optional<double> sqnr() const;
};

/// One compared tensor.
struct ReportEntry {
  std::string name; ///< ONNX node names, or the input/output name
  std::string op;   ///< the muon op that computes it
  double scale = 0; ///< its quantization (activations)
  int64_t zeroPoint = 0;
  int64_t classes = 0; ///< outputs: the size of the last axis
  TensorError error;
};

/// Writes the report as JSON to `path` and as a table to `table`: the
/// activations sorted worst (lowest SQNR) first, then the outputs.
mlir::LogicalResult writeQuantReport(llvm::StringRef path,
                                     llvm::StringRef inputs, size_t samples,
                                     std::vector<ReportEntry> activations,
                                     const std::vector<ReportEntry> &outputs,
                                     llvm::raw_ostream &table,
                                     std::string &error);

} // namespace muon

#endif
