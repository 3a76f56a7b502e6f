//===- HlsEstimate.h - Latency and resources of an HLS design ---*- C++ -*-===//
//
// What the HLS target's design costs, from the layers' shapes alone, in a
// second instead of hours of synthesis (docs/hls.md, "Estimates"): cycles
// per inference, DSP slices, LUTs, flip-flops and 18 Kb block RAMs, per
// layer and in total, against the chosen part's totals. Every formula is
// in docs/hls.md; the pipelined loop iterations are exact (the C
// simulation counts them), the rest is a model.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_TARGETS_HLS_HLSESTIMATE_H
#define MUON_TARGETS_HLS_HLSESTIMATE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace muon::hls {

struct LayerEstimate {
  std::string name;   // layerN
  std::string kernel; // conv2d, dense, max_pool2d, quantized_add
  std::string node;   // the ONNX node
  /// Iterations of the kernel's pipelined loop per inference (II 1).
  int64_t iterations = 0;
  /// Cycles per inference: each entry into the pipelined loop costs its
  /// trips plus the pipeline's depth.
  int64_t latency = 0;
  /// A product layer's reuse factor: pipelined iterations per output pixel
  /// (0 for the other kernels), and its int8 multipliers.
  int64_t reuse = 0, multipliers = 0;
  int64_t dsp = 0, lut = 0, ff = 0;
  /// Block RAMs of the layer's constant arrays (weights and parameters).
  int64_t bram18 = 0;
};

/// The arithmetic units of a kernel, unrolled in its pipelined loop or
/// after it: int8 multiply-accumulates, 32-bit fixed-point scalings
/// (requantization) and 8-bit comparisons.
struct KernelUnits {
  int64_t macs = 0, scalings = 0, comparators = 0;
};

/// A layer before its loops: its control logic, no cycles yet.
LayerEstimate layerBase(std::string name, std::string kernel, std::string node);

/// A kernel call: `entries` times a pipelined loop of `trips` iterations,
/// each entry followed by `tail` cycles (the requantization after a
/// product's sum), with `units`.
LayerEstimate estimateLayer(std::string name, std::string kernel,
                            std::string node, int64_t entries, int64_t trips,
                            int64_t depth, int64_t tail, KernelUnits units);

/// A stream design's process also reads each of its `inputs` (their
/// element counts) from its FIFO and writes `written` elements to
/// `writers` FIFOs: pipelined loops of one element per iteration.
void addStreamLoops(LayerEstimate &layer, llvm::ArrayRef<int64_t> inputs,
                    int64_t written, int64_t writers);

/// Pipeline depths of the kernels' loops, in cycles: the int8
/// multiply-accumulate, the requantization after a sum, a max-pool
/// comparison, one element of the quantized Add, of a stream's read or
/// write, and of a table lookup (Concat).
inline constexpr int64_t kMacDepth = 3, kRequantDepth = 8, kCompareDepth = 2,
                         kAddDepth = 12, kStreamDepth = 2, kCopyDepth = 2;
/// DSP slices of an 8x8-bit product (one) and of a 32x32-bit one (four
/// 25x18 multipliers, DSP48E1/E2).
inline constexpr int64_t kDspPerMac = 1, kDspPer32BitProduct = 4;
/// Logic around them, an assumed model (docs/hls.md): a layer's loop
/// counters, addresses and pipeline control; a multiply-accumulate's
/// 32-bit add and registers; a scaling's rounding, shifts, saturation and
/// clamp; an 8-bit comparison.
inline constexpr int64_t kLutPerLayer = 150, kFfPerLayer = 200, kLutPerMac = 40,
                         kFfPerMac = 48, kLutPerScaling = 250,
                         kFfPerScaling = 300, kLutPerComparator = 16,
                         kFfPerComparator = 16;

/// 18 Kb block RAMs for an array of `elements` of `bits` bits: none when it
/// holds at most 1 Kb (LUT RAM), else 2K x 9 for bytes and 1K x 18 halves
/// for wider elements.
int64_t bram18ForArray(int64_t elements, int64_t bits);
/// LUTs of an array that bram18ForArray leaves in LUT RAM (64 bits each).
int64_t lutRamForArray(int64_t elements, int64_t bits);

struct FpgaPart {
  llvm::StringRef name, description;
  int64_t lut, ff, dsp, bram18;
};

/// The totals of a known part (a prefix of --hls-part, e.g. xc7z020 for
/// xc7z020clg400-1), or null.
const FpgaPart *findPart(llvm::StringRef part);

struct HlsEstimate {
  std::vector<LayerEstimate> layers;
  /// Block RAMs and LUT RAM of the arrays between layers (of a stream
  /// design: the processes' arrays and the FIFOs).
  int64_t bufferBram18 = 0, bufferLut = 0;
  /// Whether the layers are dataflow processes (--hls-io=stream), which
  /// work on successive inferences at once.
  bool dataflow = false;

  int64_t iterations() const;
  /// Cycles of one inference: the sum of the layers' (an upper bound for a
  /// dataflow design, whose processes overlap).
  int64_t latency() const;
  /// Cycles between inferences: the latency, or a dataflow design's
  /// slowest process.
  int64_t interval() const;
  int64_t dsp() const;
  int64_t lut() const;
  int64_t ff() const;
  int64_t bram18() const;
};

/// The estimate as a table (--hls-report) and as JSON (NAME_estimate.json),
/// with the part's totals and the throughput at `clockNs`.
std::string formatEstimate(const HlsEstimate &estimate, llvm::StringRef part,
                           double clockNs);
std::string estimateJson(const HlsEstimate &estimate, llvm::StringRef part,
                         double clockNs);

} // namespace muon::hls

#endif
