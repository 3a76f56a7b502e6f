//===- CommandLine.h - Options shared by Muon's tools -----------*- C++ -*-===//
#ifndef MUON_COMPILER_COMMANDLINE_H
#define MUON_COMPILER_COMMANDLINE_H

#include "compiler/Compile.h"
#include "compiler/CompileCache.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"

namespace muon {

/// Registers MLIR's IR-printing and timing options and parses the command
/// line. `--help` then lists the tool's own options, the compile options
/// every compiling tool shares (readCompileOptions), the FPGA target's if
/// `withHlsOptions` (muonc; muon-run does not compile for the FPGA) and
/// those MLIR options only, not the hundreds of LLVM backend flags linked
/// into every tool.
void parseToolCommandLine(int argc, char **argv,
                          llvm::cl::OptionCategory &toolOptions,
                          llvm::StringRef overview, bool withHlsOptions);

/// Applies the parsed MLIR options (--mlir-print-ir-after-all, ...) to `pm`.
mlir::LogicalResult applyToolPassOptions(mlir::PassManager &pm);

/// The timing of a whole compilation, on with --mlir-timing: loading the
/// model, then what compile() records under `root` (CompileOptions::timing).
/// The report goes to stderr when the object is destroyed, followed by the
/// process's peak memory.
class CompileTiming {
public:
  CompileTiming();
  ~CompileTiming();
  mlir::TimingScope &root() { return rootScope; }
  /// muon::loadModel, timed as "import".
  mlir::OwningOpRef<mlir::ModuleOp> loadModel(llvm::StringRef path,
                                              mlir::MLIRContext &context);

private:
  mlir::DefaultTimingManager manager;
  mlir::TimingScope rootScope;
};

/// Copies the compile options muonc and muon-run share (-O, -mcpu,
/// --target and the NPU's options, --quantize and its calibration options)
/// into `options`; prints an error and returns failure when they contradict
/// each other (an --npu-* option without --target=npu, say).
mlir::LogicalResult readCompileOptions(CompileOptions &options);

class ToolDiagnosticHandler;

/// Compiles the model at `modelPath` as `options` say, or takes what an
/// earlier compilation produced from the compile cache (--cache-dir,
/// docs/cli.md). The tool's command line (`argc`, `argv`) is part of the
/// key, but for the model's path and the options in `ignoredOptions` with
/// their values (output paths, a run's inputs: options that take a value
/// and do not change the compilation). Times the compilation for
/// --mlir-timing. Errors go to the context's handler.
mlir::FailureOr<CompileCache::Entry>
compileOrReuse(int argc, char **argv, llvm::StringRef modelPath,
               llvm::ArrayRef<llvm::StringRef> ignoredOptions,
               const CompileOptions &options, mlir::MLIRContext &context,
               const ToolDiagnosticHandler &diagnostics);

} // namespace muon

#endif
