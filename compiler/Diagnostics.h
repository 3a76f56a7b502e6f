//===- Diagnostics.h - How Muon's tools report errors -----------*- C++ -*-===//
#ifndef MUON_COMPILER_DIAGNOSTICS_H
#define MUON_COMPILER_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"

namespace muon {

/// Prints diagnostics as `<severity>: <file>: <node 'name'>: message`, the
/// form users of a model compiler can act on (no MLIR location syntax), and
/// counts them.
class ToolDiagnosticHandler {
public:
  explicit ToolDiagnosticHandler(mlir::MLIRContext &context);
  ~ToolDiagnosticHandler();
  unsigned numErrors() const { return errors; }
  /// Errors, warnings, remarks and notes printed.
  unsigned numPrinted() const { return printed; }

private:
  mlir::MLIRContext &context;
  mlir::DiagnosticEngine::HandlerID id;
  unsigned errors = 0;
  unsigned printed = 0;
};

} // namespace muon

#endif
