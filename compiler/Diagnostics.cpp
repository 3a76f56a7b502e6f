//===- Diagnostics.cpp - How Muon's tools report errors -------------------===//

#include "compiler/Diagnostics.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;

namespace muon {

/// "model.onnx: node 'conv_3' (Conv)" for importer locations (whose names
/// describe the node, initializer or input), "file:line:col" for MLIR input,
/// nothing for unknown locations.
static std::string describeLocation(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    std::string child = describeLocation(name.getChildLoc());
    return (child.empty() ? "" : child + ": ") + name.getName().str();
  }
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    std::string s = file.getFilename().str();
    if (file.getLine())
      s += ":" + std::to_string(file.getLine()) + ":" +
           std::to_string(file.getColumn());
    return s;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc))
    if (!fused.getLocations().empty())
      return describeLocation(fused.getLocations().front());
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    return describeLocation(callSite.getCallee());
  return "";
}

static void print(Diagnostic &diag) {
  llvm::raw_ostream &os = llvm::errs();
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error:
    llvm::WithColor(os, llvm::HighlightColor::Error) << "error: ";
    break;
  case DiagnosticSeverity::Warning:
    llvm::WithColor(os, llvm::HighlightColor::Warning) << "warning: ";
    break;
  case DiagnosticSeverity::Note:
    llvm::WithColor(os, llvm::HighlightColor::Note) << "note: ";
    break;
  case DiagnosticSeverity::Remark:
    llvm::WithColor(os, llvm::HighlightColor::Remark) << "remark: ";
    break;
  }
  std::string where = describeLocation(diag.getLocation());
  if (!where.empty())
    os << where << ": ";
  os << diag.str() << "\n";
  for (Diagnostic &note : diag.getNotes())
    print(note);
}

ToolDiagnosticHandler::ToolDiagnosticHandler(MLIRContext &context)
    : context(context) {
  // Users get the message and the ONNX node; IR dumps are for --mlir-* flags.
  context.printOpOnDiagnostic(false);
  id = context.getDiagEngine().registerHandler([this](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      ++errors;
    ++printed;
    print(diag);
    return success();
  });
}

ToolDiagnosticHandler::~ToolDiagnosticHandler() {
  context.getDiagEngine().eraseHandler(id);
}

} // namespace muon
