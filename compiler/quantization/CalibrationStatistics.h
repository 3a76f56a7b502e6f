//===- CalibrationStatistics.h - Ranges of calibrated tensors ---*- C++ -*-===//
//
// The float range post-training quantization gives a tensor, from the values
// it takes on the calibration samples. Independent of MLIR so that it can be
// tested against numpy (test/compiler/calibration-statistics.test).
//
//===----------------------------------------------------------------------===//

#ifndef MUON_COMPILER_CALIBRATIONSTATISTICS_H
#define MUON_COMPILER_CALIBRATIONSTATISTICS_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace muon {

enum class CalibrationMethod {
  /// The smallest and largest value seen.
  MinMax,
  /// Clipped symmetrically at a percentile of |x|.
  Percentile,
  /// Clipped symmetrically where the int8 distribution of |x| loses the
  /// least information (KL divergence, TensorRT's calibration).
  Entropy,
};

struct CalibrationRange {
  float min = 0.0f, max = 0.0f;
};

/// Statistics of one tensor over all calibration samples, gathered in two
/// passes over the samples: every method needs the range (observeRange);
/// percentile and entropy then need a histogram of |x| over [0, max |x|]
/// (observeHistogram, after every observeRange).
class TensorStatistics {
public:
  static constexpr unsigned kHistogramBins = 2048;

  void observeRange(llvm::ArrayRef<float> values);
  void observeHistogram(llvm::ArrayRef<float> values);

  /// The range `method` chooses. `percentile` (in (0, 100]) is used by
  /// CalibrationMethod::Percentile only.
  CalibrationRange range(CalibrationMethod method,
                         double percentile = 99.99) const;

  /// The width of one histogram bin.
  double binWidth() const;

private:
  /// The smallest threshold T such that `percentile` % of |x| are <= T, to
  /// the upper edge of the bin it falls in.
  double percentileThreshold(double percentile) const;
  /// TensorRT's search: the threshold whose clipped and int8-quantized
  /// distribution has the least KL divergence from the clipped one.
  double entropyThreshold() const;

  bool seen = false;
  float min = 0.0f, max = 0.0f;
  std::vector<uint64_t> histogram;
};

} // namespace muon

#endif
