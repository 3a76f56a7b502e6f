//===- calibration-statistics.cpp - Calibration ranges of .npy files ------===//
//
//   calibration-statistics PERCENTILE FILE.npy...
//
// Treats the files as the samples of one tensor and prints the range each
// calibration method chooses (compiler/quantization/CalibrationStatistics.h),
// one method per line: "minmax MIN MAX", "percentile MIN MAX", "entropy MIN
// MAX", then "bin WIDTH". calibration_statistics.py compares them with numpy.
//
//===----------------------------------------------------------------------===//

#include "compiler/TensorFiles.h"
#include "compiler/quantization/CalibrationStatistics.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace muon;

int main(int argc, char **argv) {
  if (argc < 3) {
    llvm::errs() << "usage: calibration-statistics PERCENTILE FILE.npy...\n";
    return 2;
  }
  double percentile = std::atof(argv[1]);
  std::vector<HostTensor> samples;
  for (int i = 2; i < argc; ++i) {
    llvm::Expected<HostTensor> tensor = readTensorFile(argv[i]);
    if (!tensor) {
      llvm::errs() << llvm::toString(tensor.takeError()) << "\n";
      return 1;
    }
    if (tensor->dtype != "f4") {
      llvm::errs() << argv[i] << ": expected float32\n";
      return 1;
    }
    samples.push_back(std::move(*tensor));
  }
  auto values = [](const HostTensor &t) {
    return llvm::ArrayRef(reinterpret_cast<const float *>(t.data.data()),
                          t.numElements());
  };
  TensorStatistics statistics;
  for (const HostTensor &sample : samples)
    statistics.observeRange(values(sample));
  for (const HostTensor &sample : samples)
    statistics.observeHistogram(values(sample));
  auto print = [&](const char *name, CalibrationMethod method) {
    CalibrationRange range = statistics.range(method, percentile);
    llvm::outs() << name << " "
                 << llvm::format("%.9g %.9g", range.min, range.max) << "\n";
  };
  print("minmax", CalibrationMethod::MinMax);
  print("percentile", CalibrationMethod::Percentile);
  print("entropy", CalibrationMethod::Entropy);
  llvm::outs() << "bin " << llvm::format("%.9g", statistics.binWidth()) << "\n";
  return 0;
}
