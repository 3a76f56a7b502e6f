//===- HlsEstimate.cpp - Latency and resources of an HLS design -----------===//

#include "targets/hls/HlsEstimate.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"

using namespace muon;
using namespace muon::hls;

LayerEstimate hls::estimateLayer(std::string name, std::string kernel,
                                 std::string node, int64_t entries,
                                 int64_t trips, int64_t depth, int64_t tail,
                                 int64_t dsp) {
  LayerEstimate layer;
  layer.name = std::move(name);
  layer.kernel = std::move(kernel);
  layer.node = std::move(node);
  layer.iterations = entries * trips;
  layer.latency = entries * (trips + depth - 1 + tail);
  layer.dsp = dsp;
  return layer;
}

int64_t hls::bram18ForArray(int64_t elements, int64_t bits) {
  if (elements * bits <= 1024)
    return 0;
  if (bits <= 9)
    return llvm::divideCeil(elements, 2048);
  return llvm::divideCeil(elements, 1024) * llvm::divideCeil(bits, 18);
}

// Totals from the vendors' product tables.
static const FpgaPart kParts[] = {
    {"xc7z020", "Zynq-7020", 53200, 106400, 220, 280},
    {"xczu3eg", "Zynq UltraScale+ ZU3EG", 70560, 141120, 360, 432},
};

const FpgaPart *hls::findPart(llvm::StringRef part) {
  for (const FpgaPart &known : kParts)
    if (part.starts_with(known.name))
      return &known;
  return nullptr;
}

int64_t HlsEstimate::iterations() const {
  int64_t total = 0;
  for (const LayerEstimate &layer : layers)
    total += layer.iterations;
  return total;
}

int64_t HlsEstimate::latency() const {
  int64_t total = 0;
  for (const LayerEstimate &layer : layers)
    total += layer.latency;
  return total;
}

int64_t HlsEstimate::dsp() const {
  int64_t total = 0;
  for (const LayerEstimate &layer : layers)
    total += layer.dsp;
  return total;
}

int64_t HlsEstimate::bram18() const {
  int64_t total = bufferBram18;
  for (const LayerEstimate &layer : layers)
    total += layer.bram18;
  return total;
}

/// Inferences per second: the layers run one after the other, and the
/// next inference starts when the last layer is done.
static double throughput(const HlsEstimate &estimate, double clockNs) {
  return estimate.latency() ? 1e9 / (estimate.latency() * clockNs) : 0.0;
}

std::string hls::formatEstimate(const HlsEstimate &estimate,
                                llvm::StringRef part, double clockNs) {
  std::string text = llvm::formatv("{0,-8} {1,-14} {2,12} {3,12} {4,5} {5,6}  "
                                   "{6}\n",
                                   "layer", "kernel", "iterations", "cycles",
                                   "DSP", "BRAM18", "node")
                         .str();
  for (const LayerEstimate &layer : estimate.layers)
    text += llvm::formatv("{0,-8} {1,-14} {2,12} {3,12} {4,5} {5,6}  {6}\n",
                          layer.name, layer.kernel, layer.iterations,
                          layer.latency, layer.dsp, layer.bram18, layer.node)
                .str();
  text += llvm::formatv("{0,-8} {1,-14} {2,12} {3,12} {4,5} {5,6}\n", "buffers",
                        "", "", "", "", estimate.bufferBram18)
              .str();
  text += llvm::formatv("{0,-8} {1,-14} {2,12} {3,12} {4,5} {5,6}\n", "total",
                        "", estimate.iterations(), estimate.latency(),
                        estimate.dsp(), estimate.bram18())
              .str();
  text += llvm::formatv("latency {0} cycles = {1:f2} us at {2} ns, {3:f0} "
                        "inferences/s (initiation interval = latency: the "
                        "layers run in sequence)\n",
                        estimate.latency(), estimate.latency() * clockNs / 1e3,
                        clockNs, throughput(estimate, clockNs))
              .str();
  if (const FpgaPart *known = findPart(part)) {
    bool fits =
        estimate.dsp() <= known->dsp && estimate.bram18() <= known->bram18;
    text += llvm::formatv("{0} ({1}): DSP {2} of {3}, BRAM18 {4} of {5}: {6}\n",
                          part, known->description, estimate.dsp(), known->dsp,
                          estimate.bram18(), known->bram18,
                          fits ? "fits" : "does not fit")
                .str();
  } else {
    text += llvm::formatv("{0}: no totals known for this part; the verdict "
                          "needs xc7z020* or xczu3eg*\n",
                          part)
                .str();
  }
  return text;
}

std::string hls::estimateJson(const HlsEstimate &estimate, llvm::StringRef part,
                              double clockNs) {
  llvm::json::Array layers;
  for (const LayerEstimate &layer : estimate.layers)
    layers.push_back(llvm::json::Object{{"name", layer.name},
                                        {"kernel", layer.kernel},
                                        {"node", layer.node},
                                        {"iterations", layer.iterations},
                                        {"cycles", layer.latency},
                                        {"dsp", layer.dsp},
                                        {"bram18", layer.bram18}});
  llvm::json::Object total{
      {"iterations", estimate.iterations()},
      {"cycles", estimate.latency()},
      {"dsp", estimate.dsp()},
      {"bram18", estimate.bram18()},
      {"buffer_bram18", estimate.bufferBram18},
      {"clock_ns", clockNs},
      {"inferences_per_second", throughput(estimate, clockNs)}};
  llvm::json::Object root{{"part", part.str()},
                          {"layers", std::move(layers)},
                          {"total", std::move(total)}};
  if (const FpgaPart *known = findPart(part))
    root["available"] = llvm::json::Object{{"lut", known->lut},
                                           {"ff", known->ff},
                                           {"dsp", known->dsp},
                                           {"bram18", known->bram18}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return text;
}
