//===- muonc.cpp - The Muon compiler command line -------------------------===//
//
//   muonc model.onnx -o model.o          # object file + model.h beside it
//   muonc model.onnx --emit=muon         # the imported graph, for reading
//   muonc model.onnx --quantize=int8 --calibration=samples/   # int8
//   muonc model.onnx --target=npu --quantize=int8 --calibration=samples/
//         -o model.npub                       # Muon's NPU (muon-npu-run)
//   muonc model.onnx --target=hls --quantize=int8 --calibration=samples/
//         -o model_hls/                       # an HLS project (make csim)
//
//===----------------------------------------------------------------------===//

#include "compiler/CommandLine.h"
#include "compiler/Compile.h"
#include "compiler/Diagnostics.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("muonc options");

static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx | model.mlir>"),
                                      cl::cat(category));
static cl::opt<std::string>
    outputPath("o",
               cl::desc("Output file (default: <name>.o, .s, .ll, .mlir, "
                        ".onnx or .npub by --emit; '-' for stdout), or the "
                        "project folder of --target=hls (default <name>_hls)"),
               cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string> headerPath(
    "header",
    cl::desc("C header to write with --emit=obj|asm|llvm (default: the "
             "output path with extension .h; none when writing to stdout)"),
    cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    modelName("name",
              cl::desc("Prefix of the exported symbols: <name>_run, "
                       "<NAME>_WORKSPACE_SIZE (default: the input file's "
                       "stem, made a C identifier)"),
              cl::cat(category));
static cl::opt<muon::EmitKind> emitKind(
    "emit", cl::desc("What to write"), cl::init(muon::EmitKind::Object),
    cl::values(clEnumValN(muon::EmitKind::Muon, "muon",
                          "the muon dialect after the graph passes"),
               clEnumValN(muon::EmitKind::OnnxQdq, "onnx-qdq",
                          "the model after the graph passes as ONNX; quantized "
                          "tensors as QuantizeLinear/DequantizeLinear pairs"),
               clEnumValN(muon::EmitKind::Linalg, "linalg",
                          "linalg on tensors, before bufferization"),
               clEnumValN(muon::EmitKind::LLVMIR, "llvm", "optimised LLVM IR"),
               clEnumValN(muon::EmitKind::Assembly, "asm", "target assembly"),
               clEnumValN(muon::EmitKind::Object, "obj",
                          "an object file (default for --target=cpu)"),
               clEnumValN(muon::EmitKind::NpuProgram, "npu",
                          "--target=npu: the npu.program, one op per "
                          "instruction"),
               clEnumValN(muon::EmitKind::Npub, "npub",
                          "--target=npu: the .npub container (default)"),
               clEnumValN(muon::EmitKind::HlsProject, "hls",
                          "--target=hls: the project folder (default)")),
    cl::cat(category));
static cl::opt<std::string>
    targetTriple("mtriple", cl::desc("Target triple (default: the host)"),
                 cl::cat(category));
/// "resnet-18.v2.onnx" -> "resnet_18_v2".
static std::string defaultName(StringRef path) {
  StringRef stem = llvm::sys::path::stem(path);
  std::string name;
  for (char c : stem)
    name += llvm::isAlnum(c) ? c : '_';
  if (name.empty() || llvm::isDigit(name[0]))
    name = "m_" + name;
  return name;
}

static StringRef extensionFor(muon::EmitKind kind) {
  switch (kind) {
  case muon::EmitKind::Muon:
  case muon::EmitKind::Linalg:
  case muon::EmitKind::NpuProgram:
    return ".mlir";
  case muon::EmitKind::Npub:
    return ".npub";
  case muon::EmitKind::LLVMIR:
    return ".ll";
  case muon::EmitKind::Assembly:
    return ".s";
  case muon::EmitKind::Object:
    return ".o";
  case muon::EmitKind::OnnxQdq:
    return ".onnx";
  case muon::EmitKind::HlsProject:
    return "_hls";
  }
  llvm_unreachable("unknown emit kind");
}

static bool isCIdentifier(StringRef name) {
  return !name.empty() && !llvm::isDigit(name[0]) &&
         llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// Writes an HLS project (muon::hls::packProject) into `folder`, creating
/// it and its tb_data; the file names are the compiler's own, so nothing is
/// written outside the folder.
static bool writeProject(StringRef folder, StringRef packed) {
  FailureOr<std::vector<muon::hls::HlsFile>> files =
      muon::hls::unpackProject(packed);
  if (failed(files)) {
    llvm::errs() << "error: the HLS project is malformed\n";
    return false;
  }
  std::vector<std::unique_ptr<llvm::ToolOutputFile>> written;
  for (const muon::hls::HlsFile &file : *files) {
    SmallString<256> path(folder);
    llvm::sys::path::append(path, file.path);
    if (std::error_code ec = llvm::sys::fs::create_directories(
            llvm::sys::path::parent_path(path))) {
      llvm::errs() << "error: cannot create "
                   << llvm::sys::path::parent_path(path) << ": " << ec.message()
                   << "\n";
      return false;
    }
    std::string error;
    written.push_back(openOutputFile(path, &error));
    if (!written.back()) {
      llvm::errs() << "error: " << error << "\n";
      return false;
    }
    written.back()->os() << file.contents;
  }
  for (auto &file : written)
    file->keep();
  return true;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  muon::parseToolCommandLine(
      argc, argv, category,
      "muonc: compile an ONNX model ahead of time into an object file and a "
      "C header\n",
      /*withHlsOptions=*/true);

  std::string name = modelName.empty() ? defaultName(inputPath) : modelName;
  if (!isCIdentifier(name)) {
    llvm::errs() << "error: --name '" << name << "' is not a C identifier\n";
    return 1;
  }

  DialectRegistry registry;
  muon::registerMuonDialects(registry);
  MLIRContext context(registry);
  muon::ToolDiagnosticHandler diagnostics(context);

  muon::CompileOptions options;
  if (failed(muon::readCompileOptions(options)))
    return 1;
  muon::EmitKind emit = emitKind;
  if (!emitKind.getNumOccurrences() &&
      options.targetKind == muon::TargetKind::Npu)
    emit = muon::EmitKind::Npub;
  if (!emitKind.getNumOccurrences() &&
      options.targetKind == muon::TargetKind::Hls)
    emit = muon::EmitKind::HlsProject;
  bool npuOutput =
      emit == muon::EmitKind::NpuProgram || emit == muon::EmitKind::Npub;
  if (npuOutput != (options.targetKind == muon::TargetKind::Npu) &&
      emit != muon::EmitKind::Muon) {
    llvm::errs() << "error: --emit=npu and npub need --target=npu, which "
                    "writes only those and --emit=muon\n";
    return 1;
  }
  bool hlsOutput = emit == muon::EmitKind::HlsProject;
  if (hlsOutput != (options.targetKind == muon::TargetKind::Hls) &&
      emit != muon::EmitKind::Muon) {
    llvm::errs() << (hlsOutput ? "error: --emit=hls needs --target=hls\n"
                               : "error: --target=hls writes --emit=hls (the "
                                 "default) or --emit=muon\n");
    return 1;
  }
  if (hlsOutput && outputPath == "-") {
    llvm::errs() << "error: --target=hls writes a folder, not stdout\n";
    return 1;
  }
  options.emit = emit;
  options.target.name = name;
  options.target.triple = targetTriple;
  options.configure = muon::applyToolPassOptions;

  std::string output = outputPath.empty() ? name + extensionFor(emit).str()
                                          : outputPath.getValue();
  std::string header = headerPath;
  if (!header.empty() && emit != muon::EmitKind::Object &&
      emit != muon::EmitKind::Assembly && emit != muon::EmitKind::LLVMIR) {
    llvm::errs() << "error: --header needs --emit=obj, asm or llvm\n";
    return 1;
  }

  FailureOr<muon::CompileCache::Entry> outputs = muon::compileOrReuse(
      argc, argv, inputPath, {"o", "header"}, options, context, diagnostics);
  if (failed(outputs))
    return 1;

  // Write the outputs only now, so a failed compilation leaves none behind.
  if (hlsOutput)
    return writeProject(output, outputs->output) ? 0 : 1;
  std::string error;
  auto outputFile = openOutputFile(output, &error);
  if (!outputFile) {
    llvm::errs() << "error: " << error << "\n";
    return 1;
  }
  outputFile->os() << outputs->output;

  std::unique_ptr<llvm::ToolOutputFile> headerFile;
  if (header.empty() && output != "-" && outputs->interface) {
    SmallString<256> path(output);
    llvm::sys::path::replace_extension(path, ".h");
    header = path.str().str();
  }
  if (!header.empty() && outputs->interface) {
    headerFile = openOutputFile(header, &error);
    if (!headerFile) {
      llvm::errs() << "error: " << error << "\n";
      return 1;
    }
    muon::emitHeader(*outputs->interface, headerFile->os());
    headerFile->keep();
  }
  outputFile->keep();
  return 0;
}
