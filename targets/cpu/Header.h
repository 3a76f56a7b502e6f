//===- Header.h - The C interface of a compiled model -----------*- C++ -*-===//
#ifndef MUON_TARGETS_CPU_HEADER_H
#define MUON_TARGETS_CPU_HEADER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace muon {

struct TensorInterface {
  std::string onnxName; // name in the ONNX graph
  std::string cName;    // C identifier used in the header
  std::string cType;    // e.g. "float", "int64_t"
  std::string note;     // e.g. "bfloat16 bits", or empty
  std::vector<int64_t> shape;
  int64_t numElements() const;
};

/// The C ABI of a compiled model:
///   int <name>_run(const T *in..., T *out..., void *workspace);
struct ModelInterface {
  std::string name;   // symbol prefix
  std::string source; // the ONNX file it came from
  int64_t opset = 0;
  std::vector<TensorInterface> inputs, outputs;
  int64_t workspaceSize = 0; // bytes
};

/// Reads the interface from a module whose entry function has been through
/// muon-destination-passing and muon-plan-workspace.
mlir::FailureOr<ModelInterface> describeModel(mlir::ModuleOp module,
                                              llvm::StringRef name);

/// Writes the C header that declares the model's entry point.
void emitHeader(const ModelInterface &model, llvm::raw_ostream &os);

} // namespace muon

#endif
