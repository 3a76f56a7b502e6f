//===- CommandLine.cpp - Options shared by Muon's tools -------------------===//

#include "compiler/CommandLine.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/Timing.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace muon {

void parseToolCommandLine(int argc, char **argv,
                          cl::OptionCategory &toolOptions,
                          llvm::StringRef overview) {
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  static cl::OptionCategory mlirOptions("MLIR debugging options");
  // The options that help someone look inside a compilation.
  for (auto &[name, option] : cl::getRegisteredOptions()) {
    StringRef key = name;
    // (--mlir-print-ir-before/after=PASS would need every pass registered
    // by name; the -all forms work on the pipelines as built.)
    if ((key.starts_with("mlir-print-ir") && key != "mlir-print-ir-before" &&
         key != "mlir-print-ir-after") ||
        key == "mlir-timing" || key == "mlir-pass-statistics" ||
        key == "mlir-print-debuginfo" ||
        key == "mlir-elide-elementsattrs-if-larger" ||
        key == "mlir-elide-resource-strings-if-larger" ||
        key == "mlir-disable-threading")
      option->addCategory(mlirOptions);
  }
  cl::HideUnrelatedOptions({&toolOptions, &mlirOptions});
  cl::ParseCommandLineOptions(argc, argv, overview);
}

LogicalResult applyToolPassOptions(PassManager &pm) {
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  applyDefaultTimingPassManagerCLOptions(pm);
  return success();
}

} // namespace muon
