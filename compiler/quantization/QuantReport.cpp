//===- QuantReport.cpp - What int8 quantization cost, layer by layer ------===//

#include "compiler/quantization/QuantReport.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

#include <cmath>

namespace muon {

void TensorError::add(llvm::ArrayRef<float> reference,
                      llvm::ArrayRef<float> quantized, int64_t classes) {
  for (auto [r, q] : llvm::zip(reference, quantized)) {
    double difference = static_cast<double>(q) - r;
    signal += static_cast<double>(r) * r;
    noise += difference * difference;
    maxError = std::max(maxError, std::abs(difference));
  }
  if (classes < 2)
    return;
  for (size_t row = 0; row + classes <= reference.size(); row += classes) {
    auto argmax = [&](llvm::ArrayRef<float> values) {
      auto slice = values.slice(row, classes);
      return std::max_element(slice.begin(), slice.end()) - slice.begin();
    };
    ++rows;
    agreeing += argmax(reference) == argmax(quantized);
  }
}

std::optional<double> TensorError::sqnr() const {
  if (noise == 0)
    return std::nullopt;
  return 10 * std::log10(signal / noise);
}

static llvm::json::Object toJson(const ReportEntry &entry) {
  std::optional<double> sqnr = entry.error.sqnr();
  llvm::json::Object object{
      {"name", entry.name},
      {"op", entry.op},
      {"sqnr_db", sqnr ? llvm::json::Value(*sqnr) : llvm::json::Value(nullptr)},
      {"max_abs_error", entry.error.maxError},
  };
  if (!entry.op.empty() && entry.scale > 0) {
    object["scale"] = entry.scale;
    object["zero_point"] = entry.zeroPoint;
  }
  if (entry.error.rows > 0)
    object["top1_agreement"] =
        static_cast<double>(entry.error.agreeing) / entry.error.rows;
  return object;
}

static void printRow(llvm::raw_ostream &os, const ReportEntry &entry) {
  if (std::optional<double> sqnr = entry.error.sqnr())
    os << llvm::format("%9.1f", *sqnr);
  else
    os << "    exact";
  os << llvm::format("  %11.4g  ", entry.error.maxError) << entry.name;
  if (!entry.op.empty())
    os << " (" << entry.op << ")";
  if (entry.error.rows > 0)
    os << llvm::format("  top-1 agreement %lld/%lld (%.1f %%)",
                       static_cast<long long>(entry.error.agreeing),
                       static_cast<long long>(entry.error.rows),
                       100.0 * entry.error.agreeing / entry.error.rows);
  os << "\n";
}

mlir::LogicalResult writeQuantReport(llvm::StringRef path,
                                     llvm::StringRef inputs, size_t samples,
                                     std::vector<ReportEntry> activations,
                                     const std::vector<ReportEntry> &outputs,
                                     llvm::raw_ostream &table,
                                     std::string &error) {
  // Worst first; identical tensors (no noise) last.
  llvm::stable_sort(activations,
                    [](const ReportEntry &a, const ReportEntry &b) {
                      return a.error.sqnr().value_or(INFINITY) <
                             b.error.sqnr().value_or(INFINITY);
                    });

  llvm::json::Array layerArray, outputArray;
  for (const ReportEntry &entry : activations)
    layerArray.push_back(toJson(entry));
  for (const ReportEntry &entry : outputs)
    outputArray.push_back(toJson(entry));
  llvm::json::Object report{{"inputs", inputs},
                            {"samples", static_cast<int64_t>(samples)},
                            {"activations", std::move(layerArray)},
                            {"outputs", std::move(outputArray)}};
  std::error_code ec;
  llvm::raw_fd_ostream file(path, ec);
  if (ec) {
    error = "--quant-report: cannot write " + path.str() + ": " + ec.message();
    return mlir::failure();
  }
  file << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";

  table << "quantization report (" << path << "): " << samples
        << " samples from " << inputs << "\n";
  table << "  SQNR dB  max |error|  activation, worst first\n";
  for (const ReportEntry &entry : activations)
    printRow(table, entry);
  table << "  SQNR dB  max |error|  model output\n";
  for (const ReportEntry &entry : outputs)
    printRow(table, entry);
  return mlir::success();
}

} // namespace muon
