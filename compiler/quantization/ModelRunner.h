//===- ModelRunner.h - Running a muon module in the compiler ----*- C++ -*-===//
//
// Calibration and the quantization report run the model being compiled on
// sample inputs, inside the compiler: the module is compiled by the normal
// CPU pipeline with the values to observe added as extra results, and the
// object file is loaded into this process with LLVM's ORC JIT (no C compiler
// involved). Its entry point has the destination-passing C ABI of
// docs/abi.md:
//   int <name>_run(const T *in..., T *out..., void *workspace);
// A small LLVM IR function, JIT-compiled beside it, unpacks an array of
// pointers into that call, so that models of any arity can be called.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_COMPILER_MODELRUNNER_H
#define MUON_COMPILER_MODELRUNNER_H

#include "compiler/TensorFiles.h"
#include "targets/cpu/Header.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace llvm::orc {
class LLJIT;
} // namespace llvm::orc

namespace muon {

/// A model input as sample files must hold it.
struct ExpectedInput {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
};

/// One value per model input.
using Sample = std::vector<HostTensor>;

/// The inputs of `func` as sample files must hold them.
std::vector<ExpectedInput> getExpectedInputs(mlir::func::FuncOp func);

/// Where samples come from, for messages: the option that named the
/// directory ("--calibration") and what one sample is called ("calibration
/// sample").
struct SampleSource {
  llvm::StringRef option;
  llvm::StringRef what;
  llvm::function_ref<mlir::InFlightDiagnostic()> error;
};

/// Reads the samples of `dir`: one .npy file per sample (sorted by name)
/// for a model with one input, one subdirectory per sample holding
/// <input name>.npy for each input otherwise. Each must hold its input's
/// type and full shape.
mlir::FailureOr<std::vector<Sample>>
readSamples(llvm::StringRef dir, llvm::ArrayRef<ExpectedInput> inputs,
            const SampleSource &source);

/// An object file for the host CPU and its C interface.
struct HostObject {
  std::string object;
  ModelInterface interface;
};

/// Compiles a muon-dialect module to an object file for the CPU this
/// process runs on. Calibration and the quantization report get it from
/// muon::compile, which passes a call to itself (Compile.cpp): quantization
/// runs inside a compilation without depending on the compiler.
using CompileForHost =
    std::function<mlir::FailureOr<HostObject>(mlir::ModuleOp)>;

/// A muon module compiled for the host with some of its values as extra
/// results, loaded into this process.
class ModelRunner {
public:
  /// Compiles a copy of `module` (muon dialect) that also returns the
  /// values in `observed` (function arguments or op results of its one
  /// function) with `compileForHost`.
  static mlir::FailureOr<std::unique_ptr<ModelRunner>>
  create(mlir::ModuleOp module, llvm::ArrayRef<mlir::Value> observed,
         const CompileForHost &compileForHost);
  ~ModelRunner();

  /// Runs the model on one sample; observed value `i` is then at
  /// observation(i, sample).
  mlir::LogicalResult run(const Sample &sample, mlir::Location loc);
  /// Observed value `i` of the last run, as floats: the observed values
  /// must be f32.
  llvm::ArrayRef<float> observation(size_t i, const Sample &sample) const;

private:
  ModelInterface model;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  int (*call)(void **) = nullptr;
  /// Where each observed value is found: (is a model input, index).
  std::vector<std::pair<bool, size_t>> sources;
  std::vector<std::vector<char>> outputs;
  std::vector<char> workspace;
};

} // namespace muon

#endif
