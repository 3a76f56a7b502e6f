//===- muon-npu-translate.cpp - npu dialect to .npub ----------------------===//
//
//   muon-npu-translate program.mlir -o model.npub
//
// Verifies an npu.program written in the npu dialect and writes its .npub
// container, which muon-npu-run executes. The compiler's NPU target builds
// the same ops from a quantized model; this tool makes the step on its own
// visible and testable.
//
//===----------------------------------------------------------------------===//

#include "targets/npu/NpubWriter.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<npu dialect .mlir>"));
static cl::opt<std::string> outputPath("o", cl::Required,
                                       cl::desc("the .npub file to write"),
                                       cl::value_desc("file"));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(
      argc, argv, "muon-npu-translate: an npu.program to a .npub file\n");

  MLIRContext context;
  context.loadDialect<muon::npu::NpuDialect>();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string error;
  auto file = openInputFile(inputPath, &error);
  if (!file) {
    llvm::errs() << "error: " << error << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;
  auto programs = llvm::to_vector(module->getOps<muon::npu::ProgramOp>());
  if (programs.size() != 1) {
    module->emitError() << "expected one npu.program, found "
                        << programs.size();
    return 1;
  }
  FailureOr<std::string> bytes = muon::npu::writeNpub(programs.front());
  if (failed(bytes))
    return 1;
  auto output = openOutputFile(outputPath, &error);
  if (!output) {
    llvm::errs() << "error: " << error << "\n";
    return 1;
  }
  output->os() << *bytes;
  output->keep();
  return 0;
}
