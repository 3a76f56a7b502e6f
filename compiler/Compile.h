//===- Compile.h - Muon's public C++ entry point ----------------*- C++ -*-===//
#ifndef MUON_COMPILER_COMPILE_H
#define MUON_COMPILER_COMPILE_H

#include "compiler/quantization/Calibration.h"
#include "targets/cpu/CpuTarget.h"
#include "targets/cpu/Header.h"
#include "targets/hls/HlsProject.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Pass/PassManager.h"

#include <functional>
#include <optional>
#include <string>

namespace muon {

/// How far compilation goes and what it writes.
enum class EmitKind {
  Muon,
  OnnxQdq,
  Linalg,
  LLVMIR,
  Assembly,
  Object,
  /// NPU target: the npu.program as MLIR text, or its .npub container.
  NpuProgram,
  Npub,
  /// HLS target: the project folder, packed (hls::packProject).
  HlsProject
};

/// What the model is compiled for: a CPU (object file and C header),
/// Muon's NPU (an int8 instruction stream, docs/npu.md) or an FPGA (an HLS
/// C++ project, docs/hls.md).
enum class TargetKind { Cpu, Npu, Hls };

struct CompileOptions {
  TargetKind targetKind = TargetKind::Cpu;
  /// The host CPU's options: code generation for TargetKind::Cpu, and the
  /// float model that calibration runs.
  CpuTargetOptions target;
  EmitKind emit = EmitKind::Object;
  /// Post-training int8 quantization after the graph pipeline, when set.
  std::optional<QuantizationOptions> quantization;
  /// TargetKind::Npu: a remark per layer with its tiling and costs.
  bool npuReport = false;
  /// TargetKind::Npu: the MAC array's size (the hardware's BLOCK).
  int64_t npuBlock = 16;
  /// TargetKind::Npu: float ops before an input's quantization run on the
  /// host (muon-to-npu's host-prefix).
  bool npuHostPrefix = false;
  /// TargetKind::Hls: the part and clock of the Tcl script (the name is
  /// the CPU target's).
  hls::HlsOptions hls;
  /// TargetKind::Hls: the samples the testbench runs, in --calibration's
  /// format (default: the calibration samples, else random int8 inputs).
  std::string hlsTestbenchInputs;
  /// TargetKind::Hls: the design's estimate (--hls-report): printed when
  /// empty, else written to that JSON file.
  std::optional<std::string> hlsReport;
  /// Verify the IR after every pass; otherwise after every pipeline, which
  /// is most of the verifier's time saved (--verify-each).
  bool verifyEachPass = false;
  /// TargetKind::Cpu: the largest workspace the model may need, in bytes;
  /// 0 for no limit (--max-workspace).
  uint64_t maxWorkspaceBytes = 0;
  /// Called on every pass manager before it runs (IR printing).
  std::function<mlir::LogicalResult(mlir::PassManager &)> configure;
  /// Where compile() records how long each phase takes (--mlir-timing):
  /// a scope per pass pipeline with its passes, quantization, and LLVM's
  /// translation, optimisation and code generation. None when null.
  mlir::TimingScope *timing = nullptr;
};

struct CompileResult {
  /// The artefact: MLIR text, LLVM IR, assembly, object code or a .npub.
  std::string output;
  /// The C interface; set when compilation reached bufferization.
  std::optional<ModelInterface> interface;
};

/// Registers every dialect and interface a Muon compilation uses.
void registerMuonDialects(mlir::DialectRegistry &registry);

/// Loads a model: ONNX (binary or textual syntax) or muon-dialect MLIR text
/// (`.mlir`). Errors go to the context's diagnostic handler.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(llvm::StringRef path,
                                            mlir::MLIRContext &context);

/// Compiles a loaded model in place. Errors go to the context's handler.
mlir::FailureOr<CompileResult> compile(mlir::ModuleOp module,
                                       const CompileOptions &options);

} // namespace muon

#endif
