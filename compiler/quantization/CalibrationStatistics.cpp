//===- CalibrationStatistics.cpp - Ranges of calibrated tensors -----------===//

#include "compiler/quantization/CalibrationStatistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace muon {

void TensorStatistics::observeRange(llvm::ArrayRef<float> values) {
  for (float v : values) {
    if (std::isnan(v))
      continue;
    if (!seen) {
      min = max = v;
      seen = true;
    }
    min = std::min(min, v);
    max = std::max(max, v);
  }
}

double TensorStatistics::binWidth() const {
  double maxAbs = std::max(std::fabs(double(min)), std::fabs(double(max)));
  return maxAbs / kHistogramBins;
}

void TensorStatistics::observeHistogram(llvm::ArrayRef<float> values) {
  if (histogram.empty())
    histogram.assign(kHistogramBins, 0);
  double width = binWidth();
  for (float v : values) {
    if (std::isnan(v))
      continue;
    double bin = width > 0 ? std::floor(std::fabs(double(v)) / width) : 0;
    histogram[static_cast<size_t>(
        std::clamp(bin, 0.0, double(kHistogramBins - 1)))]++;
  }
}

double TensorStatistics::percentileThreshold(double percentile) const {
  uint64_t total = 0;
  for (uint64_t count : histogram)
    total += count;
  double target = std::ceil(percentile / 100.0 * double(total));
  uint64_t cumulative = 0;
  for (unsigned bin = 0; bin < histogram.size(); ++bin) {
    cumulative += histogram[bin];
    if (double(cumulative) >= target)
      return (bin + 1) * binWidth();
  }
  return kHistogramBins * binWidth();
}

/// Moves a little probability mass onto the empty bins so that the KL
/// divergence stays finite (MXNet's _smooth_distribution, on counts); false
/// when that would make a bin negative.
static bool smooth(std::vector<double> &distribution) {
  const double epsilon = 1e-4;
  size_t zeros = std::count(distribution.begin(), distribution.end(), 0.0);
  size_t nonzeros = distribution.size() - zeros;
  if (nonzeros == 0)
    return false;
  double taken = epsilon * double(zeros) / double(nonzeros);
  for (double &d : distribution) {
    d = d == 0.0 ? epsilon : d - taken;
    if (d <= 0.0)
      return false;
  }
  return true;
}

/// KL(p || q) of two unnormalised distributions.
static double klDivergence(const std::vector<double> &p,
                           const std::vector<double> &q) {
  double sumP = 0, sumQ = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    sumP += p[i];
    sumQ += q[i];
  }
  double divergence = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    double pi = p[i] / sumP, qi = q[i] / sumQ;
    if (pi > 0)
      divergence += pi * std::log(pi / qi);
  }
  return divergence;
}

double TensorStatistics::entropyThreshold() const {
  // The int8 levels that represent |x| in [0, T]: 128 magnitudes when x takes
  // both signs (the range is then about [-T, T]), all 255 steps when it
  // takes one (e.g. after a relu, the range is [0, T]).
  const unsigned levels = (min < 0.0f && max > 0.0f) ? 128 : 255;
  const unsigned bins = histogram.size();
  // The bin holding 0 takes its neighbour's count, as NVIDIA's
  // pytorch-quantization does: after a relu it holds half of all values,
  // and that spike, which every threshold represents exactly, would
  // otherwise dominate the divergence and drive the threshold down.
  std::vector<uint64_t> histogram = this->histogram;
  histogram[0] = histogram[1];
  double best = std::numeric_limits<double>::infinity();
  unsigned bestStop = bins;
  std::vector<double> p, q;
  uint64_t outliers = 0;
  for (unsigned bin = levels; bin < bins; ++bin)
    outliers += histogram[bin];
  for (unsigned stop = levels; stop <= bins; ++stop) {
    // p: the first `stop` bins, the clipped mass folded into the last one.
    p.assign(histogram.begin(), histogram.begin() + stop);
    p.back() += double(outliers);
    if (stop < bins)
      outliers -= histogram[stop];
    // q: the same bins merged into `levels` levels (without the clipped
    // mass) and spread back evenly over the bins that were not empty.
    q.assign(stop, 0.0);
    unsigned merged = stop / levels;
    for (unsigned level = 0; level < levels; ++level) {
      unsigned begin = level * merged;
      unsigned end = level + 1 == levels ? stop : begin + merged;
      double total = 0;
      unsigned nonzero = 0;
      for (unsigned i = begin; i < end; ++i) {
        total += double(histogram[i]);
        nonzero += p[i] != 0.0;
      }
      for (unsigned i = begin; i < end; ++i)
        if (p[i] != 0.0)
          q[i] = total / nonzero;
    }
    if (!smooth(p) || !smooth(q))
      continue;
    double divergence = klDivergence(p, q);
    if (divergence < best) {
      best = divergence;
      bestStop = stop;
    }
  }
  return bestStop * binWidth();
}

CalibrationRange TensorStatistics::range(CalibrationMethod method,
                                         double percentile) const {
  CalibrationRange range{min, max};
  if (method == CalibrationMethod::MinMax || histogram.empty())
    return range;
  double threshold = method == CalibrationMethod::Percentile
                         ? percentileThreshold(percentile)
                         : entropyThreshold();
  range.min = static_cast<float>(std::max(double(min), -threshold));
  range.max = static_cast<float>(std::min(double(max), threshold));
  return range;
}

} // namespace muon
