//===- HlsProject.h - An int8 model as a Vitis-style HLS project -*- C++
//-*-===//
//
// The FPGA target (docs/hls.md): the int8 model the NPU also takes (after
// muon-fold-qdq and the integer passes) becomes synthesizable C++ for
// Vitis HLS: a top function over int8 arrays that calls one kernel of
// lib/muon_hls.h per layer, the layers' parameters and weights as constant
// arrays, a testbench, a Makefile whose `make csim` runs the C simulation
// with g++, and a Tcl script for Vitis HLS.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_TARGETS_HLS_HLSPROJECT_H
#define MUON_TARGETS_HLS_HLSPROJECT_H

#include "targets/hls/HlsEstimate.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <map>
#include <string>
#include <vector>

namespace muon::hls {

/// How layers pass tensors (--hls-io): `Parallel`, arrays between layers
/// that run one after the other; `Stream`, one dataflow process per layer
/// with FIFOs between them, so that layers work on successive inferences
/// at once.
enum class HlsIo { Parallel, Stream };

struct HlsOptions {
  /// The top function, and the prefix of every file (a C identifier).
  std::string name;
  /// The FPGA part the Tcl script synthesizes for.
  std::string part = "xc7z020clg400-1";
  /// The clock period, in nanoseconds.
  double clockNs = 5.0;
  HlsIo io = HlsIo::Parallel;
  /// Float ops before the inputs' quantization (--hls-host-prefix) and
  /// after the outputs' dequantization (--hls-host-suffix) run on the host
  /// (dialects/muon/HostFloatEnds.h).
  bool hostPrefix = false, hostSuffix = false;
  /// The reuse factor of every product layer (--hls-reuse=N): the
  /// iterations of its pipelined loop per output pixel, its multipliers
  /// being its products per pixel / N. 0: one multiplier per layer.
  int64_t reuse = 0;
  /// Reuse factors of the layers of named ONNX nodes (--hls-reuse=NODE:N),
  /// before the model-wide one.
  std::map<std::string, int64_t> nodeReuse;
};

/// One array of the top function: a model input (after its quantization)
/// or output (before its dequantization), int8 with the quantization the
/// model gives it.
struct HlsPort {
  std::string onnxName;
  std::string cName;
  /// The float value whose quantization the port carries (a model input,
  /// or a host prefix's result), or which an output port's dequantization
  /// gives.
  mlir::Value source;
  /// What the host does around the port, for the header.
  std::string hostNote;
  std::vector<int64_t> shape;
  double scale = 1.0;
  int64_t zeroPoint = 0;
  int64_t numElements() const;
};

struct HlsFile {
  std::string path; // relative to the project folder
  std::string contents;
};

struct HlsProject {
  std::vector<HlsPort> inputs, outputs;
  std::vector<HlsFile> files;
  HlsEstimate estimate;
};

/// The project of the int8 function `func`. Every op that has no HLS
/// kernel is listed in one error on `func`, and nothing is returned.
mlir::FailureOr<HlsProject> buildHlsProject(mlir::func::FuncOp func,
                                            const HlsOptions &options);

/// The testbench data of one port for `samples` samples: one line per
/// sample, its int8 values separated by spaces (tb_data/<port>.dat, which
/// <name>_tb.cpp reads).
std::string
formatTestbenchData(const std::vector<std::vector<int8_t>> &samples);

/// The project as one string and back, for muonc to write it as a folder.
std::string packProject(const std::vector<HlsFile> &files);
mlir::FailureOr<std::vector<HlsFile>> unpackProject(llvm::StringRef packed);

} // namespace muon::hls

#endif
