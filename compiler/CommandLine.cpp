//===- CommandLine.cpp - Options shared by Muon's tools -------------------===//

#include "compiler/CommandLine.h"
#include "compiler/CompileCache.h"
#include "compiler/Diagnostics.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <sys/resource.h>

using namespace mlir;
namespace cl = llvm::cl;

namespace muon {

static cl::OptionCategory compileCategory("Compile options");
static cl::OptionCategory mlirOptions("MLIR debugging options");
// muonc's alone: muon-run does not compile for the FPGA.
static cl::OptionCategory hlsCategory("FPGA target options (--target=hls)");

static cl::opt<unsigned>
    optLevel("O", cl::desc("LLVM optimisation level 0-3 (default 3)"),
             cl::Prefix, cl::init(3), cl::cat(compileCategory));
static cl::opt<std::string> targetCpu(
    "mcpu",
    cl::desc("Target CPU, e.g. znver3, x86-64-v3 (default: the host's CPU)"),
    cl::cat(compileCategory));

enum class QuantizeKind { None, Int8 };
static cl::opt<QuantizeKind> quantize(
    "quantize",
    cl::desc("Quantize a float model after calibrating it (needs "
             "--calibration)"),
    cl::init(QuantizeKind::None),
    cl::values(clEnumValN(QuantizeKind::Int8, "int8",
                          "int8 activations (per tensor) and weights (per "
                          "output channel); see docs/quantization.md")),
    cl::cat(compileCategory));
static cl::opt<std::string> calibrationDir(
    "calibration",
    cl::desc("Directory of calibration samples: one .npy file per sample, "
             "or for several inputs one subdirectory per sample holding "
             "<input name>.npy for each"),
    cl::value_desc("dir"), cl::cat(compileCategory));
static cl::opt<CalibrationMethod> calibrationMethod(
    "calibration-method", cl::desc("How a tensor's range is chosen"),
    cl::init(CalibrationMethod::MinMax),
    cl::values(clEnumValN(CalibrationMethod::MinMax, "minmax",
                          "the smallest and largest value seen (default)"),
               clEnumValN(CalibrationMethod::Percentile, "percentile",
                          "clipped at --calibration-percentile of |x|"),
               clEnumValN(CalibrationMethod::Entropy, "entropy",
                          "clipped where the KL divergence of the int8 "
                          "histogram is least")),
    cl::cat(compileCategory));
static cl::opt<double> calibrationPercentile(
    "calibration-percentile",
    cl::desc("The percentile of |x| kept by --calibration-method=percentile "
             "(default 99.99)"),
    cl::init(99.99), cl::cat(compileCategory));
static cl::list<std::string> quantizeExclude(
    "quantize-exclude", cl::desc("ONNX nodes (by name) that stay in float"),
    cl::value_desc("node,..."), cl::CommaSeparated, cl::cat(compileCategory));
static cl::opt<std::string> quantReport(
    "quant-report",
    cl::desc("Write what quantization cost as JSON to this file (SQNR and "
             "largest error of every quantized activation, worst first, and "
             "of the outputs, with top-1 agreement) and print it as a table"),
    cl::value_desc("file"), cl::cat(compileCategory));
static cl::opt<std::string> cacheDir(
    "cache-dir",
    cl::desc("Folder of earlier compilations' outputs, reused when the "
             "model, the options, the calibration samples, the host CPU and "
             "the tool are all unchanged (default: $MUON_CACHE_DIR, else "
             "$XDG_CACHE_HOME/muon, else ~/.cache/muon; 'none': compile "
             "without it). For --emit=obj, asm, llvm and npub, without "
             "--mlir-* options and reports"),
    cl::value_desc("dir"), cl::cat(compileCategory));
static cl::opt<unsigned> cacheSize(
    "cache-size",
    cl::desc("Bound of the cache folder in MiB: the least recently used "
             "outputs are removed beyond it (default 1024)"),
    cl::value_desc("MiB"), cl::init(1024), cl::cat(compileCategory));
static cl::opt<bool> verifyEach(
    "verify-each",
    cl::desc("Verify the IR after every pass, to find the pass that broke it "
             "(default: after every pass pipeline)"),
    cl::cat(mlirOptions));
static cl::opt<TargetKind> targetKind(
    "target", cl::desc("What the model is compiled for"),
    cl::init(TargetKind::Cpu),
    cl::values(clEnumValN(TargetKind::Cpu, "cpu",
                          "this CPU or -mtriple's: native code, an object "
                          "file and a C header (default)"),
               clEnumValN(TargetKind::Npu, "npu",
                          "Muon's int8 NPU: a .npub instruction stream "
                          "(muon-npu-run, or muon-run on the bit-exact "
                          "simulator); the model must be int8 (a QDQ model "
                          "or --quantize=int8)"),
               clEnumValN(TargetKind::Hls, "hls",
                          "an FPGA: a Vitis HLS C++ project folder whose C "
                          "simulation (make csim) is bit-exact with the CPU "
                          "int8 path; the model must be int8")),
    cl::cat(compileCategory));
static cl::opt<std::string>
    hlsPart("hls-part",
            cl::desc("With --target=hls: the FPGA part build_prj.tcl "
                     "synthesizes for (default xc7z020clg400-1, a Zynq-7020)"),
            cl::value_desc("part"), cl::init("xc7z020clg400-1"),
            cl::cat(hlsCategory));
static cl::opt<double> hlsClockNs(
    "hls-clock-ns",
    cl::desc("With --target=hls: the clock period in nanoseconds (default "
             "5, 200 MHz)"),
    cl::value_desc("ns"), cl::init(5.0), cl::cat(hlsCategory));
static cl::opt<std::string> hlsReport(
    "hls-report",
    cl::desc("With --target=hls: print the design's estimated cycles, DSP "
             "slices, LUTs, flip-flops and block RAMs per layer and in "
             "total, against the part's; =FILE.json writes them to that "
             "file as JSON instead (every project also holds them as "
             "<name>_estimate.json)"),
    cl::value_desc("file.json"), cl::ValueOptional, cl::cat(hlsCategory));
static cl::opt<hls::HlsIo> hlsIo(
    "hls-io", cl::desc("With --target=hls: how layers pass tensors"),
    cl::values(clEnumValN(hls::HlsIo::Parallel, "parallel",
                          "arrays between layers, which run one after the "
                          "other (default)"),
               clEnumValN(hls::HlsIo::Stream, "stream",
                          "one dataflow process per layer and FIFOs between "
                          "them, whose depths muonc computes; AXI-Stream "
                          "ports; layers work on successive inferences at "
                          "once")),
    cl::init(hls::HlsIo::Parallel), cl::cat(hlsCategory));
static cl::opt<bool> hlsHostPrefix(
    "hls-host-prefix",
    cl::desc("With --target=hls: float ops that compute an input's "
             "quantization from the model's inputs alone (input "
             "standardisation) run on the host; the design's input is "
             "their result"),
    cl::cat(hlsCategory));
static cl::opt<bool> hlsHostSuffix(
    "hls-host-suffix",
    cl::desc("With --target=hls: float ops after the last dequantizations "
             "(a final Softmax) run on the host; the design's outputs are "
             "the int8 tensors they read"),
    cl::cat(hlsCategory));
static cl::list<std::string> hlsReuse(
    "hls-reuse",
    cl::desc("With --target=hls: the reuse factor of every Conv, Gemm and "
             "MatMul layer (N), or of the layer of one ONNX node (NODE:N): "
             "its pipelined iterations per output pixel, with products per "
             "pixel / N multipliers; a factor the layer cannot take is an "
             "error that lists those it can (default: one multiplier per "
             "layer)"),
    cl::value_desc("N|node:N,..."), cl::CommaSeparated, cl::cat(hlsCategory));
static cl::opt<std::string> hlsTestbenchInputs(
    "hls-testbench-inputs",
    cl::desc("With --target=hls: the samples the testbench runs, in "
             "--calibration's format (default: the calibration samples, "
             "else 8 random int8 inputs)"),
    cl::value_desc("dir"), cl::cat(hlsCategory));
static cl::opt<bool> npuReport(
    "npu-report",
    cl::desc("With --target=npu: print how each layer is tiled and what its "
             "instructions cost in the NPU's cycle model (muon-npu-run "
             "--stats measures a run)"),
    cl::cat(compileCategory));
static cl::opt<unsigned> npuBlock(
    "npu-block",
    cl::desc("With --target=npu: the MAC array's size BLOCK the program is "
             "compiled for, 1 to 64 (default 16; the buffers keep their "
             "default entry counts)"),
    cl::value_desc("N"), cl::init(16), cl::cat(compileCategory));
static cl::opt<bool> npuHostPrefix(
    "npu-host-prefix",
    cl::desc("With --target=npu: leave the float ops that compute an "
             "input's quantization from the model's inputs alone (feature "
             "standardisation, say) to the host; the program's input is "
             "then their result, named after the op computing it (a remark "
             "lists them)"),
    cl::cat(compileCategory));
static cl::opt<std::string> maxWorkspace(
    "max-workspace",
    cl::desc("Reject a model whose workspace (its intermediate tensors, "
             "the bytes the caller provides) is larger than this: bytes, or "
             "with a K, M or G suffix (powers of 1024)"),
    cl::value_desc("size"), cl::cat(compileCategory));
static cl::opt<std::string> quantReportInputs(
    "quant-report-inputs",
    cl::desc("Samples for --quant-report, in --calibration's format "
             "(default: the calibration samples)"),
    cl::value_desc("dir"), cl::cat(compileCategory));

LogicalResult readCompileOptions(CompileOptions &options) {
  auto fail = [](const llvm::Twine &message) {
    llvm::errs() << "error: " << message << "\n";
    return failure();
  };
  if (optLevel > 3)
    return fail("-O" + llvm::Twine(optLevel) + " is not a level (0-3)");
  options.target.optLevel = optLevel;
  options.target.cpu = targetCpu;
  options.verifyEachPass = verifyEach;
  options.targetKind = targetKind;
  if (maxWorkspace.getNumOccurrences()) {
    if (targetKind == TargetKind::Npu)
      return fail("--max-workspace needs --target=cpu (an NPU program's "
                  "workspace is a region of the .npub)");
    if (targetKind == TargetKind::Hls)
      return fail("--max-workspace needs --target=cpu (an HLS design's "
                  "arrays are memories on the FPGA)");
    StringRef text = maxWorkspace;
    uint64_t unit = 1;
    if (text.consume_back("K") || text.consume_back("k"))
      unit = uint64_t(1) << 10;
    else if (text.consume_back("M"))
      unit = uint64_t(1) << 20;
    else if (text.consume_back("G"))
      unit = uint64_t(1) << 30;
    uint64_t bytes;
    if (text.getAsInteger(10, bytes) || bytes == 0 || bytes > UINT64_MAX / unit)
      return fail("--max-workspace=" + maxWorkspace +
                  " is not a size (bytes, or a number with K, M or G)");
    options.maxWorkspaceBytes = bytes * unit;
  }
  for (const cl::Option *npuOnly : {static_cast<cl::Option *>(&npuReport),
                                    static_cast<cl::Option *>(&npuBlock),
                                    static_cast<cl::Option *>(&npuHostPrefix)})
    if (npuOnly->getNumOccurrences() && targetKind != TargetKind::Npu)
      return fail("--" + npuOnly->ArgStr + " needs --target=npu");
  if (npuBlock < 1 || npuBlock > 64)
    return fail("--npu-block=" + llvm::Twine(npuBlock) + " is outside 1..64");
  for (const cl::Option *hlsOnly :
       {static_cast<cl::Option *>(&hlsPart),
        static_cast<cl::Option *>(&hlsClockNs),
        static_cast<cl::Option *>(&hlsReport),
        static_cast<cl::Option *>(std::addressof(hlsReuse)),
        static_cast<cl::Option *>(&hlsIo),
        static_cast<cl::Option *>(&hlsHostPrefix),
        static_cast<cl::Option *>(&hlsHostSuffix),
        static_cast<cl::Option *>(&hlsTestbenchInputs)})
    if (hlsOnly->getNumOccurrences() && targetKind != TargetKind::Hls)
      return fail("--" + hlsOnly->ArgStr + " needs --target=hls");
  if (!(hlsClockNs > 0 && hlsClockNs <= 1000))
    return fail(
        "--hls-clock-ns=" + llvm::formatv("{0}", hlsClockNs.getValue()) +
        " is not a clock period in (0, 1000] ns");
  if (hlsPart.empty() || !llvm::all_of(hlsPart.getValue(), [](char c) {
        return llvm::isAlnum(c) || c == '-' || c == '_' || c == '.';
      }))
    return fail("--hls-part='" + hlsPart +
                "' is not a part name (letters, "
                "digits, '-', '_' and '.')");
  for (StringRef value : hlsReuse) {
    // NODE:N (a node's name may hold ':' itself), or N.
    auto [node, factorText] =
        value.contains(':') ? value.rsplit(':') : std::pair(StringRef(), value);
    int64_t factor;
    if (factorText.getAsInteger(10, factor) || factor < 1 ||
        (value.contains(':')
             ? node.empty() || options.hls.nodeReuse.count(node.str())
             : options.hls.reuse != 0))
      return fail("--hls-reuse=" + value +
                  " is not a reuse factor (a positive integer N, or NODE:N; "
                  "one for the model and one per node)");
    if (node.empty())
      options.hls.reuse = factor;
    else
      options.hls.nodeReuse[node.str()] = factor;
  }
  if (hlsReport.getNumOccurrences() && !hlsReport.empty() &&
      !StringRef(hlsReport).ends_with(".json"))
    return fail("--hls-report=" + hlsReport + " is not a .json file");
  options.hls.part = hlsPart;
  options.hls.clockNs = hlsClockNs;
  options.hls.io = hlsIo;
  options.hls.hostPrefix = hlsHostPrefix;
  options.hls.hostSuffix = hlsHostSuffix;
  options.hlsTestbenchInputs = hlsTestbenchInputs;
  if (hlsReport.getNumOccurrences())
    options.hlsReport = hlsReport;
  options.npuReport = npuReport;
  options.npuBlock = npuBlock;
  options.npuHostPrefix = npuHostPrefix;
  if (quantize == QuantizeKind::None) {
    if (calibrationDir.getNumOccurrences() ||
        calibrationMethod.getNumOccurrences() ||
        calibrationPercentile.getNumOccurrences() ||
        quantizeExclude.getNumOccurrences() ||
        quantReport.getNumOccurrences() ||
        quantReportInputs.getNumOccurrences())
      return fail("--calibration, --calibration-method, "
                  "--calibration-percentile, --quantize-exclude and "
                  "--quant-report[-inputs] apply only with --quantize=int8");
    return success();
  }
  if (calibrationDir.empty())
    return fail("--quantize=int8 needs --calibration=DIR, a directory of "
                "sample inputs (see docs/quantization.md)");
  if (!(calibrationPercentile > 0.0 && calibrationPercentile <= 100.0))
    return fail("--calibration-percentile=" +
                std::to_string(calibrationPercentile.getValue()) +
                " is not in (0, 100]");
  QuantizationOptions quantization;
  quantization.calibrationDir = calibrationDir;
  quantization.method = calibrationMethod;
  quantization.percentile = calibrationPercentile;
  quantization.excludedNodes.assign(quantizeExclude.begin(),
                                    quantizeExclude.end());
  if (quantReportInputs.getNumOccurrences() && quantReport.empty())
    return fail("--quant-report-inputs needs --quant-report=FILE");
  quantization.reportPath = quantReport;
  quantization.reportInputsDir = quantReportInputs;
  options.quantization = std::move(quantization);
  return success();
}

/// Exits with an error when an argument names no registered option. LLVM's
/// parser reads an unknown option that begins with a registered name as
/// that option followed by more: `--hello` (a mistyped `--hls-...`) ran
/// `-h` and printed the help with exit status 0, which a build script takes
/// for success. Options that take their value appended (`-O3`) and values
/// given as the next argument are let through.
static void rejectUnknownOptions(int argc, char **argv) {
  auto &options = cl::getRegisteredOptions();
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    if (arg == "--")
      return;
    if (arg.size() < 2 || arg[0] != '-')
      continue; // a positional argument, or "-"
    StringRef name = arg.drop_front(arg.starts_with("--") ? 2 : 1);
    bool hasValue = name.contains('=');
    name = name.split('=').first;
    if (name == "h")
      continue; // --help's alias, which LLVM registers while parsing
    if (cl::Option *option = options.lookup(name)) {
      if (!hasValue && option->getValueExpectedFlag() == cl::ValueRequired)
        ++i; // its value
      continue;
    }
    if (llvm::any_of(options, [&](const auto &entry) {
          return entry.second->getFormattingFlag() == cl::Prefix &&
                 !entry.first.empty() && name.starts_with(entry.first);
        }))
      continue;
    llvm::errs() << llvm::sys::path::filename(argv[0])
                 << ": error: unknown option '" << arg
                 << "' (--help lists the options)\n";
    std::exit(1);
  }
}

void parseToolCommandLine(int argc, char **argv,
                          cl::OptionCategory &toolOptions,
                          llvm::StringRef overview, bool withHlsOptions) {
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  // The options that help someone look inside a compilation.
  for (auto &[name, option] : cl::getRegisteredOptions()) {
    StringRef key = name;
    // (--mlir-print-ir-before/after=PASS would need every pass registered
    // by name; the -all forms work on the pipelines as built.
    // --mlir-pass-statistics stays hidden: LLVM's statistics are compiled
    // out of a release LLVM such as Debian's, and it would print empty
    // reports.)
    if ((key.starts_with("mlir-print-ir") && key != "mlir-print-ir-before" &&
         key != "mlir-print-ir-after") ||
        key == "mlir-timing" || key == "mlir-timing-display" ||
        key == "mlir-print-debuginfo" ||
        key == "mlir-elide-elementsattrs-if-larger" ||
        key == "mlir-elide-resource-strings-if-larger" ||
        key == "mlir-disable-threading")
      option->addCategory(mlirOptions);
  }
  SmallVector<const cl::OptionCategory *> shown = {
      &toolOptions, &compileCategory, &mlirOptions};
  if (withHlsOptions)
    shown.push_back(&hlsCategory);
  cl::HideUnrelatedOptions(shown);
  rejectUnknownOptions(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, overview);
}

LogicalResult applyToolPassOptions(PassManager &pm) {
  return applyPassManagerCLOptions(pm);
}

CompileTiming::CompileTiming() {
  applyDefaultTimingManagerCLOptions(manager);
  rootScope = manager.getRootScope();
}

OwningOpRef<ModuleOp> CompileTiming::loadModel(StringRef path,
                                               MLIRContext &context) {
  TimingScope import = rootScope.nest("import");
  return muon::loadModel(path, context);
}

CompileTiming::~CompileTiming() {
  if (!manager.isEnabled())
    return;
  rootScope.stop();
  manager.print();
  manager.setEnabled(false); // printed once, not again on destruction
  // ru_maxrss is in KiB on Linux.
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) == 0)
    llvm::errs() << "peak memory: " << usage.ru_maxrss / 1024 << " MiB\n";
}

FailureOr<CompileCache::Entry>
compileOrReuse(int argc, char **argv, StringRef modelPath,
               llvm::ArrayRef<StringRef> ignoredOptions,
               const CompileOptions &options, MLIRContext &context,
               const ToolDiagnosticHandler &diagnostics) {
  EmitKind emit = options.emit;
  bool forCache =
      (emit == EmitKind::Object || emit == EmitKind::Assembly ||
       emit == EmitKind::LLVMIR || emit == EmitKind::Npub) &&
      !options.npuReport &&
      !(options.quantization && !options.quantization->reportPath.empty());
  std::string folder = cacheDir.getNumOccurrences()
                           ? cacheDir.getValue()
                           : CompileCache::defaultDirectory();
  std::optional<std::vector<std::string>> arguments;
  if (forCache && folder != "none" && !folder.empty()) {
    SmallVector<StringRef> ignored(ignoredOptions);
    ignored.append({"cache-dir", "cache-size"});
    arguments = CompileCache::keyArguments(argc, argv, modelPath, ignored);
  }
  std::optional<CompileCache> cache;
  std::string key;
  if (arguments) {
    // The symbol prefix may come from the model's file name.
    arguments->push_back("--name=" + options.target.name);
    // A file that cannot be read is for the compilation to report.
    llvm::Expected<std::string> computed = CompileCache::key(
        argv[0], modelPath, *arguments,
        options.quantization ? options.quantization->calibrationDir : "");
    if (computed) {
      key = *computed;
      cache.emplace(folder, uint64_t(cacheSize) << 20);
      if (std::optional<CompileCache::Entry> entry = cache->lookup(key))
        return std::move(*entry);
    } else {
      llvm::consumeError(computed.takeError());
    }
  }

  CompileTiming timing;
  OwningOpRef<ModuleOp> module = timing.loadModel(modelPath, context);
  if (!module)
    return failure();
  CompileOptions timed = options;
  timed.timing = &timing.root();
  FailureOr<CompileResult> result = compile(*module, timed);
  if (failed(result))
    return failure();
  CompileCache::Entry entry{std::move(result->output),
                            std::move(result->interface)};
  // Only a compilation that printed nothing: one taken from the cache later
  // could not repeat its warnings and remarks.
  if (cache && !diagnostics.numPrinted())
    if (llvm::Error err = cache->store(key, entry))
      llvm::errs() << "warning: compile cache: "
                   << llvm::toString(std::move(err)) << "\n";
  return entry;
}

} // namespace muon
