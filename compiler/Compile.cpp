//===- Compile.cpp - Muon's public C++ entry point ------------------------===//

#include "compiler/Compile.h"
#include "compiler/onnx/OnnxExporter.h"
#include "compiler/onnx/OnnxImporter.h"
#include "passes/Passes.h"
#include "targets/npu/NpubWriter.h"
#include "targets/npu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace muon {

void registerMuonDialects(DialectRegistry &registry) {
  registerCpuTargetDialects(registry);
  registry.insert<npu::NpuDialect>();
}

OwningOpRef<ModuleOp> loadModel(StringRef path, MLIRContext &context) {
  if (!path.ends_with(".mlir"))
    return importOnnxFile(path, context);
  std::string error;
  auto file = openInputFile(path, &error);
  if (!file) {
    emitError(UnknownLoc::get(&context)) << error;
    return nullptr;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, &context);
}

/// A timer of one phase of the compilation in the caller's scope (one that
/// records nothing without it).
static TimingScope timePhase(const CompileOptions &options, StringRef phase) {
  return options.timing ? options.timing->nest(phase) : TimingScope();
}

static LogicalResult runPipeline(ModuleOp module, const CompileOptions &options,
                                 StringRef phase,
                                 function_ref<void(PassManager &)> build) {
  PassManager pm(module->getContext());
  build(pm);
  pm.enableVerifier(options.verifyEachPass);
  if (options.configure && failed(options.configure(pm)))
    return failure();
  TimingScope timing = timePhase(options, phase);
  pm.enableTiming(timing);
  if (failed(pm.run(module)))
    return failure();
  if (options.verifyEachPass)
    return success();
  TimingScope verification = timing.nest("verification");
  return verify(module);
}

static std::string printModule(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

/// The int8 model to an npu.program (muon-to-npu), printed or written as a
/// .npub container.
static FailureOr<CompileResult> compileForNpu(ModuleOp module,
                                              const CompileOptions &options) {
  if (options.emit != EmitKind::NpuProgram && options.emit != EmitKind::Npub)
    return module.emitError(
        "the NPU target writes --emit=muon, npu or npub (the default)");
  if (failed(runPipeline(module, options, "lowering to the NPU",
                         [&](PassManager &pm) {
                           MuonToNpuOptions npuOptions;
                           npuOptions.report = options.npuReport;
                           npuOptions.block = options.npuBlock;
                           npuOptions.hostPrefix = options.npuHostPrefix;
                           pm.addPass(createMuonToNpu(npuOptions));
                         })))
    return failure();
  CompileResult result;
  if (options.emit == EmitKind::NpuProgram) {
    result.output = printModule(module);
    return result;
  }
  auto programs = llvm::to_vector(module.getOps<npu::ProgramOp>());
  if (programs.size() != 1)
    return module.emitError("muon-to-npu did not produce one npu.program");
  FailureOr<std::string> bytes = npu::writeNpub(programs.front());
  if (failed(bytes))
    return failure();
  result.output = std::move(*bytes);
  return result;
}

FailureOr<CompileResult> compile(ModuleOp module,
                                 const CompileOptions &options) {
  CompileResult result;
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(options.target, error);
  if (!machine)
    return module.emitError(error);
  if (options.quantization &&
      failed(checkExcludedNodes(module, *options.quantization)))
    return failure();
  if (failed(runPipeline(module, options, "graph passes", buildGraphPipeline)))
    return failure();
  if (options.quantization) {
    TimingScope timing = timePhase(options, "quantization");
    // Calibration runs the float model here, whatever the target of this
    // compilation is; only the optimisation level carries over.
    CompileForHost compileForHost =
        [&](ModuleOp copy) -> FailureOr<HostObject> {
      CompileOptions hostOptions;
      hostOptions.target = options.target;
      hostOptions.target.triple.clear();
      hostOptions.target.cpu.clear();
      hostOptions.target.name = "muon_calibration";
      hostOptions.emit = EmitKind::Object;
      FailureOr<CompileResult> compiled = compile(copy, hostOptions);
      if (failed(compiled))
        return failure();
      return HostObject{std::move(compiled->output),
                        std::move(*compiled->interface)};
    };
    if (failed(quantizeModule(module, *options.quantization, compileForHost,
                              options.configure)))
      return failure();
  }
  // The model is in QDQ form here, whether it was imported so or quantized
  // above: the form ONNX has a name for.
  if (options.emit == EmitKind::OnnxQdq) {
    llvm::raw_string_ostream os(result.output);
    if (failed(exportOnnx(module, os)))
      return failure();
    return result;
  }
  if (failed(
          runPipeline(module, options, "integer passes", buildIntegerPipeline)))
    return failure();
  if (options.emit == EmitKind::Muon) {
    result.output = printModule(module);
    return result;
  }
  if (options.targetKind == TargetKind::Npu)
    return compileForNpu(module, options);
  if (failed(runPipeline(
          module, options, "lowering to linalg", [&](PassManager &pm) {
            buildMuonToLinalgPipeline(pm, chooseRegisterBlock(*machine));
          })))
    return failure();
  if (options.emit == EmitKind::Linalg) {
    result.output = printModule(module);
    return result;
  }
  if (failed(
          runPipeline(module, options, "bufferization", [&](PassManager &pm) {
            buildBufferizePipeline(pm, options.target);
          })))
    return failure();
  FailureOr<ModelInterface> interface =
      describeModel(module, options.target.name);
  if (failed(interface))
    return failure();
  if (options.maxWorkspaceBytes &&
      interface->workspaceSize >
          static_cast<int64_t>(options.maxWorkspaceBytes))
    return module.emitError()
           << "the model needs a workspace of " << interface->workspaceSize
           << " bytes, more than --max-workspace allows ("
           << options.maxWorkspaceBytes << ")";
  result.interface = std::move(*interface);
  if (failed(runPipeline(module, options, "lowering to the LLVM dialect",
                         [&](PassManager &pm) {
                           buildLowerToLLVMPipeline(
                               pm, hasNativeF16Conversion(*machine));
                         })))
    return failure();
  NativeOutput kind = options.emit == EmitKind::LLVMIR ? NativeOutput::LLVMIR
                      : options.emit == EmitKind::Assembly
                          ? NativeOutput::Assembly
                          : NativeOutput::Object;
  llvm::raw_string_ostream os(result.output);
  TimingScope timing = timePhase(options, "LLVM");
  if (failed(emitNative(module, *machine, options.target.optLevel, kind, os,
                        timing)))
    return failure();
  return result;
}

} // namespace muon
