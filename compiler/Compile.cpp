//===- Compile.cpp - Muon's public C++ entry point ------------------------===//

#include "compiler/Compile.h"
#include "compiler/onnx/OnnxExporter.h"
#include "compiler/onnx/OnnxImporter.h"
#include "compiler/quantization/ModelRunner.h"
#include "passes/Passes.h"
#include "targets/npu/NpubWriter.h"
#include "targets/npu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/SourceMgr.h"

#include <cmath>
#include <cstring>
#include <random>

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

/// Compiles a module for the CPU this process runs on, to run it in
/// process (ModelRunner): calibration runs the float model, the HLS
/// testbench the int8 one, whatever the target of this compilation is; only
/// the optimisation level carries over.
static CompileForHost compileForHost(const CompileOptions &options) {
  return [&options](ModuleOp copy) -> FailureOr<HostObject> {
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
}

/// QuantizeLinear of one element as the CPU's int8 lowering computes it
/// (QuantizeLowering in targets/cpu/QuantToLinalg.cpp): in f32,
/// round_half_to_even(x / scale) + zero_point, clamped to int8, NaN to
/// -128.
static int8_t quantizeElement(float x, double scale, int64_t zeroPoint) {
  float shifted = std::nearbyint(x / static_cast<float>(scale)) +
                  static_cast<float>(zeroPoint);
  return static_cast<int8_t>(std::fmin(std::fmax(shifted, -128.0f), 127.0f));
}

/// The int8 value q whose dequantization (q - zero_point) * scale, rounded
/// to f32, is `y`: |q - zero_point| <= 255, so y / scale is within 2^-16 of
/// an integer and rounds to it.
static int8_t requantizeOutput(float y, double scale, int64_t zeroPoint) {
  double q = std::nearbyint(static_cast<double>(y) / scale) +
             static_cast<double>(zeroPoint);
  return static_cast<int8_t>(std::fmin(std::fmax(q, -128.0), 127.0));
}

/// The samples the HLS testbench runs: --hls-testbench-inputs, else the
/// calibration samples, else 8 random ones whose every input value is
/// exactly an int8 value of its port's quantization.
static FailureOr<std::vector<Sample>>
testbenchSamples(func::FuncOp func, const hls::HlsProject &project,
                 const CompileOptions &options) {
  auto error = [&] { return emitError(func.getLoc()); };
  std::vector<ExpectedInput> inputs = getExpectedInputs(func);
  if (!options.hlsTestbenchInputs.empty())
    return readSamples(options.hlsTestbenchInputs, inputs,
                       {"--hls-testbench-inputs", "testbench sample", error});
  if (options.quantization && !options.quantization->calibrationDir.empty())
    return readSamples(options.quantization->calibrationDir, inputs,
                       {"--calibration", "calibration sample", error});
  // Random samples need every port to be a model input, to give it
  // int8-exact values.
  for (const hls::HlsPort &port : project.inputs)
    if (!isa<BlockArgument>(port.source))
      return error() << "the design's input '" << port.onnxName
                     << "' is computed on the host: give the testbench "
                        "samples with --hls-testbench-inputs";
  std::mt19937 random(0);
  std::vector<Sample> samples(8);
  for (Sample &sample : samples)
    for (const ExpectedInput &input : inputs) {
      const hls::HlsPort *port = nullptr;
      for (const hls::HlsPort &candidate : project.inputs)
        if (cast<BlockArgument>(candidate.source).getArgNumber() ==
            &input - inputs.data())
          port = &candidate;
      if (input.dtype != "f4")
        return error() << "input '" << input.name
                       << "' is not float32: give the testbench samples "
                          "with --hls-testbench-inputs";
      HostTensor tensor{input.dtype, input.shape, {}};
      int64_t elements = 1;
      for (int64_t size : input.shape)
        elements *= size;
      for (int64_t i = 0; i < elements; ++i) {
        int64_t q = static_cast<int64_t>(random() % 256) - 128;
        float x = port ? static_cast<float>((q - port->zeroPoint) * port->scale)
                       : 0.0f; // an input no port reads
        const char *bytes = reinterpret_cast<const char *>(&x);
        tensor.data.insert(tensor.data.end(), bytes, bytes + sizeof x);
      }
      sample.push_back(std::move(tensor));
    }
  return samples;
}

/// The int8 model as an HLS project (targets/hls), with its testbench data:
/// each sample's inputs quantized as the model quantizes them, and the
/// outputs the CPU int8 path computes for them (run in process), before
/// their dequantization.
static FailureOr<CompileResult> compileForHls(ModuleOp module,
                                              const CompileOptions &options) {
  if (options.emit != EmitKind::HlsProject)
    return module.emitError(
        "the HLS target writes --emit=muon or hls (the default)");
  auto funcs = llvm::to_vector(module.getOps<func::FuncOp>());
  if (funcs.size() != 1)
    return module.emitError("the HLS target compiles one function, found ")
           << funcs.size();
  func::FuncOp func = funcs.front();
  hls::HlsOptions hlsOptions = options.hls;
  hlsOptions.name = options.target.name;
  FailureOr<hls::HlsProject> project = hls::buildHlsProject(func, hlsOptions);
  if (failed(project))
    return failure();

  if (options.hlsReport && options.hlsReport->empty())
    llvm::errs() << hls::formatEstimate(project->estimate, hlsOptions.part,
                                        hlsOptions.clockNs);
  if (options.hlsReport && !options.hlsReport->empty()) {
    std::error_code error;
    llvm::raw_fd_ostream report(*options.hlsReport, error);
    if (error)
      return module.emitError("cannot write --hls-report=")
             << *options.hlsReport << ": " << error.message();
    report << hls::estimateJson(project->estimate, hlsOptions.part,
                                hlsOptions.clockNs);
  }
  FailureOr<std::vector<Sample>> samples =
      testbenchSamples(func, *project, options);
  if (failed(samples))
    return failure();
  // The runner observes each output port's dequantized value and each
  // input port's float that is not a model input (a host prefix's result).
  SmallVector<Value> observed;
  for (const hls::HlsPort &port : project->outputs)
    observed.push_back(port.source);
  for (const hls::HlsPort &port : project->inputs)
    if (!isa<BlockArgument>(port.source))
      observed.push_back(port.source);
  FailureOr<std::unique_ptr<ModelRunner>> runner =
      ModelRunner::create(module, observed, compileForHost(options));
  if (failed(runner))
    return failure();
  std::vector<std::vector<std::vector<int8_t>>> inputData(
      project->inputs.size()),
      outputData(project->outputs.size());
  for (const Sample &sample : *samples) {
    if (failed((*runner)->run(sample, func.getLoc())))
      return failure();
    size_t observation = project->outputs.size();
    for (auto [port, data] : llvm::zip_equal(project->inputs, inputData)) {
      std::vector<float> values;
      if (auto argument = dyn_cast<BlockArgument>(port.source)) {
        const HostTensor &tensor = sample[argument.getArgNumber()];
        values.resize(port.numElements());
        std::memcpy(values.data(), tensor.data.data(),
                    values.size() * sizeof(float));
      } else {
        values = (*runner)->observation(observation++, sample);
      }
      std::vector<int8_t> quantized;
      for (float x : values)
        quantized.push_back(quantizeElement(x, port.scale, port.zeroPoint));
      data.push_back(std::move(quantized));
    }
    for (auto [i, port] : llvm::enumerate(project->outputs)) {
      std::vector<int8_t> values;
      for (float y : (*runner)->observation(i, sample))
        values.push_back(requantizeOutput(y, port.scale, port.zeroPoint));
      outputData[i].push_back(std::move(values));
    }
  }
  std::vector<hls::HlsFile> files = std::move(project->files);
  for (auto [port, data] : llvm::zip_equal(project->inputs, inputData))
    files.push_back(
        {"tb_data/" + port.cName + ".dat", hls::formatTestbenchData(data)});
  for (auto [port, data] : llvm::zip_equal(project->outputs, outputData))
    files.push_back({"tb_data/" + port.cName + ".expected.dat",
                     hls::formatTestbenchData(data)});
  CompileResult result;
  result.output = hls::packProject(files);
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
    if (failed(quantizeModule(module, *options.quantization,
                              compileForHost(options), options.configure)))
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
  if (options.targetKind == TargetKind::Hls)
    return compileForHls(module, options);
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
