//===- HlsEstimate.cpp - Latency and resources of an HLS design -----------===//

#include "targets/hls/HlsEstimate.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"

using namespace muon;
using namespace muon::hls;

LayerEstimate hls::layerBase(std::string name, std::string kernel,
                             std::string node) {
  LayerEstimate layer;
  layer.name = std::move(name);
  layer.kernel = std::move(kernel);
  layer.node = std::move(node);
  layer.lut = kLutPerLayer;
  layer.ff = kFfPerLayer;
  return layer;
}

LayerEstimate hls::estimateLayer(std::string name, std::string kernel,
                                 std::string node, int64_t entries,
                                 int64_t trips, int64_t depth, int64_t tail,
                                 KernelUnits units) {
  LayerEstimate layer =
      layerBase(std::move(name), std::move(kernel), std::move(node));
  layer.iterations = entries * trips;
  layer.latency = entries * (trips + depth - 1 + tail);
  layer.dsp = units.macs * kDspPerMac + units.scalings * kDspPer32BitProduct;
  layer.lut += units.macs * kLutPerMac + units.scalings * kLutPerScaling +
               units.comparators * kLutPerComparator;
  layer.ff += units.macs * kFfPerMac + units.scalings * kFfPerScaling +
              units.comparators * kFfPerComparator;
  return layer;
}

void hls::addStreamLoops(LayerEstimate &layer, llvm::ArrayRef<int64_t> inputs,
                         int64_t written, int64_t writers) {
  for (int64_t elements : inputs) {
    layer.iterations += elements;
    layer.latency += elements + kStreamDepth - 1;
  }
  layer.iterations += written;
  layer.latency += written + writers * (kStreamDepth - 1);
}

int64_t hls::bram18ForArray(int64_t elements, int64_t bits) {
  if (elements * bits <= 1024)
    return 0;
  if (bits <= 9)
    return llvm::divideCeil(elements, 2048);
  return llvm::divideCeil(elements, 1024) * llvm::divideCeil(bits, 18);
}

int64_t hls::lutRamForArray(int64_t elements, int64_t bits) {
  return elements * bits <= 1024 ? llvm::divideCeil(elements * bits, 64) : 0;
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

/// The sum of one field over the layers.
static int64_t sumOf(const std::vector<LayerEstimate> &layers,
                     int64_t LayerEstimate::*field) {
  int64_t total = 0;
  for (const LayerEstimate &layer : layers)
    total += layer.*field;
  return total;
}

int64_t HlsEstimate::iterations() const {
  return sumOf(layers, &LayerEstimate::iterations);
}

int64_t HlsEstimate::latency() const {
  return sumOf(layers, &LayerEstimate::latency);
}

int64_t HlsEstimate::interval() const {
  if (!dataflow)
    return latency();
  int64_t slowest = 0;
  for (const LayerEstimate &layer : layers)
    slowest = std::max(slowest, layer.latency);
  return slowest;
}

int64_t HlsEstimate::dsp() const { return sumOf(layers, &LayerEstimate::dsp); }

int64_t HlsEstimate::lut() const {
  return bufferLut + sumOf(layers, &LayerEstimate::lut);
}

int64_t HlsEstimate::ff() const { return sumOf(layers, &LayerEstimate::ff); }

int64_t HlsEstimate::bram18() const {
  return bufferBram18 + sumOf(layers, &LayerEstimate::bram18);
}

/// Whether the design fits the part on every resource.
static bool fits(const HlsEstimate &estimate, const FpgaPart &part) {
  return estimate.dsp() <= part.dsp && estimate.lut() <= part.lut &&
         estimate.ff() <= part.ff && estimate.bram18() <= part.bram18;
}

/// Inferences per second: one per initiation interval.
static double throughput(const HlsEstimate &estimate, double clockNs) {
  return estimate.interval() ? 1e9 / (estimate.interval() * clockNs) : 0.0;
}

std::string hls::formatEstimate(const HlsEstimate &estimate,
                                llvm::StringRef part, double clockNs) {
  auto row = [](llvm::StringRef name, llvm::StringRef kernel,
                llvm::StringRef reuse, llvm::StringRef iterations,
                llvm::StringRef cycles, llvm::StringRef dsp,
                llvm::StringRef lut, llvm::StringRef ff, llvm::StringRef bram18,
                llvm::StringRef node) {
    return llvm::formatv("{0,-8} {1,-14} {2,6} {3,11} {4,11} {5,5} {6,7} "
                         "{7,7} {8,6}  {9}",
                         name, kernel, reuse, iterations, cycles, dsp, lut, ff,
                         bram18, node)
        .str();
  };
  auto text = [](int64_t value) { return std::to_string(value); };
  std::string table = row("layer", "kernel", "reuse", "iterations", "cycles",
                          "DSP", "LUT", "FF", "BRAM18", "node") +
                      "\n";
  for (const LayerEstimate &layer : estimate.layers)
    table +=
        row(layer.name, layer.kernel, layer.reuse ? text(layer.reuse) : "",
            text(layer.iterations), text(layer.latency), text(layer.dsp),
            text(layer.lut), text(layer.ff), text(layer.bram18), layer.node) +
        "\n";
  table += llvm::StringRef(row("buffers", "", "", "", "", "",
                               text(estimate.bufferLut), "",
                               text(estimate.bufferBram18), ""))
               .rtrim()
               .str() +
           "\n";
  table += llvm::StringRef(row("total", "", "", text(estimate.iterations()),
                               text(estimate.latency()), text(estimate.dsp()),
                               text(estimate.lut()), text(estimate.ff()),
                               text(estimate.bram18()), ""))
               .rtrim()
               .str() +
           "\n";
  if (estimate.dataflow)
    table += llvm::formatv("latency at most {0} cycles = {1:f2} us at {2} ns "
                           "(the processes' sum); initiation interval {3} "
                           "cycles (the slowest process), {4:f1} "
                           "inferences/s\n",
                           estimate.latency(),
                           estimate.latency() * clockNs / 1e3, clockNs,
                           estimate.interval(), throughput(estimate, clockNs))
                 .str();
  else
    table +=
        llvm::formatv("latency {0} cycles = {1:f2} us at {2} ns, {3:f1} "
                      "inferences/s (initiation interval = latency: the "
                      "layers run in sequence)\n",
                      estimate.latency(), estimate.latency() * clockNs / 1e3,
                      clockNs, throughput(estimate, clockNs))
            .str();
  if (const FpgaPart *known = findPart(part)) {
    table += llvm::formatv("{0} ({1}): DSP {2} of {3}, LUT {4} of {5}, FF {6} "
                           "of {7}, BRAM18 {8} of {9}: {10}\n",
                           part, known->description, estimate.dsp(), known->dsp,
                           estimate.lut(), known->lut, estimate.ff(), known->ff,
                           estimate.bram18(), known->bram18,
                           fits(estimate, *known) ? "fits" : "does not fit")
                 .str();
  } else {
    table += llvm::formatv("{0}: no totals known for this part; the verdict "
                           "needs xc7z020* or xczu3eg*\n",
                           part)
                 .str();
  }
  return table;
}

std::string hls::estimateJson(const HlsEstimate &estimate, llvm::StringRef part,
                              double clockNs) {
  llvm::json::Array layers;
  for (const LayerEstimate &layer : estimate.layers)
    layers.push_back(llvm::json::Object{{"name", layer.name},
                                        {"kernel", layer.kernel},
                                        {"node", layer.node},
                                        {"reuse", layer.reuse},
                                        {"multipliers", layer.multipliers},
                                        {"iterations", layer.iterations},
                                        {"cycles", layer.latency},
                                        {"dsp", layer.dsp},
                                        {"lut", layer.lut},
                                        {"ff", layer.ff},
                                        {"bram18", layer.bram18}});
  llvm::json::Object total{
      {"iterations", estimate.iterations()},
      {"cycles", estimate.latency()},
      {"interval", estimate.interval()},
      {"dataflow", estimate.dataflow},
      {"dsp", estimate.dsp()},
      {"lut", estimate.lut()},
      {"ff", estimate.ff()},
      {"bram18", estimate.bram18()},
      {"buffer_lut", estimate.bufferLut},
      {"buffer_bram18", estimate.bufferBram18},
      {"clock_ns", clockNs},
      {"inferences_per_second", throughput(estimate, clockNs)}};
  llvm::json::Object root{{"part", part.str()},
                          {"layers", std::move(layers)},
                          {"total", std::move(total)}};
  if (const FpgaPart *known = findPart(part)) {
    root["available"] = llvm::json::Object{{"lut", known->lut},
                                           {"ff", known->ff},
                                           {"dsp", known->dsp},
                                           {"bram18", known->bram18}};
    root["fits"] = fits(estimate, *known);
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return text;
}
