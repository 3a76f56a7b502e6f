//===- FunctionLowering.h - Lowering an int8 function to an npu.program --===//
//
// The state of muon-to-npu while it lowers one function (MuonToNpu.cpp):
// where each value lives, what the model returns, and what could not be
// lowered. Each layer kind's lowering is a method in a file of its own
// (GemmLayer.cpp, ConvLayer.cpp, PoolLayer.cpp, AddLayer.cpp), cutting the
// layer as its plan in Tiling.h says.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_TARGETS_NPU_FUNCTIONLOWERING_H
#define MUON_TARGETS_NPU_FUNCTIONLOWERING_H

#include "dialects/muon/OnnxLocations.h"
#include "targets/npu/ProgramBuilder.h"
#include "targets/npu/Tiling.h"

#include "dialects/muon/MuonOps.h"
#include "dialects/muon/Quantization.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/FormatVariadic.h"

namespace muon::npu {

inline mlir::RankedTensorType tensorType(mlir::Value value) {
  return llvm::cast<mlir::RankedTensorType>(value.getType());
}

/// The integer values of a constant seen through storage casts and
/// reshapes (the form weights and biases take after muon-fold-qdq).
std::optional<llvm::SmallVector<int64_t>> getConstantValues(mlir::Value value);

/// The per-tensor quantization of a signed 8-bit activation, or nothing.
std::optional<Quant> activationQuant(mlir::Type type);

/// bias - z_x * sum(w) per output channel, saturated to int32 (the NPU's
/// GEMM multiplies the raw int8 input; docs/quantization-arithmetic.md).
/// The CPU starts its int32 accumulation from the same value; the results
/// agree as long as neither it nor the accumulator overflows int32, which
/// needs |bias| or the sum near 2^31 (a calibrated model is far from it).
llvm::SmallVector<int64_t>
foldBias(std::optional<llvm::SmallVector<int64_t>> bias,
         llvm::ArrayRef<int64_t> weightSums, int64_t zeroPoint);

/// Lowers one function; collects what it cannot lower.
class FunctionLowering {
public:
  FunctionLowering(mlir::func::FuncOp func, ProgramBuilder &program,
                   bool hostPrefix)
      : func(func), program(program), block(program.getBlock()),
        hostPrefix(hostPrefix) {}

  /// Lowers every op; false when some could not be (listed in `failures`).
  mlir::LogicalResult run();

  /// "muon.sub  node 'Sub_0' (Sub): why" lines, in program order.
  llvm::SmallVector<std::string> failures;

private:
  void reject(mlir::Operation *op, const llvm::Twine &why) {
    for (mlir::Value result : op->getResults())
      rejected.insert(result);
    failures.push_back(describeRejection(op, why.str()));
  }

  /// Marks the result of an op that could not be lowered, so that its users
  /// are not listed as well.
  void markIfNotLowered(mlir::Operation *op) {
    for (mlir::Value result : op->getResults())
      if (!layouts.count(result))
        rejected.insert(result);
  }

  /// The layout of an 8-bit value already in DRAM, or nothing after
  /// reject. A copy: lowering the user adds layouts, which may move them.
  std::optional<Layout> input(mlir::Operation *user, mlir::Value value) {
    auto it = layouts.find(value);
    if (it == layouts.end()) {
      // Only the first op that cannot run is reported, not its users.
      if (rejected.contains(value)) {
        for (mlir::Value result : user->getResults())
          rejected.insert(result);
      } else {
        reject(user, "its input is not computed on the NPU");
      }
      return std::nullopt;
    }
    return it->second;
  }

  /// Where a layer's result goes: an output region when the model returns
  /// it (dequantized), the workspace otherwise.
  Layout place(mlir::Value result, const Layout &shape);

  void lowerInput(mlir::Value input, const std::string &name);
  void lowerProduct(mlir::Operation *product, RequantizeOp requantize);
  void lowerGemm(mlir::Operation *product, RequantizeOp requantize,
                 const Layout &in, Quant inQuant);
  void lowerConv(ConvOp conv, RequantizeOp requantize, const Layout &in,
                 Quant inQuant);
  void lowerWindowSum(ConvOp conv, RequantizeOp requantize, const Layout &in,
                      Quant inQuant);
  void lowerMaxPool(MaxPoolOp pool);
  void lowerPool(mlir::Operation *op, const Layout &in, const PoolShape &pool,
                 llvm::StringRef poolOp, int64_t padValue, int64_t paramOffset,
                 int64_t paramEntries, int64_t lowest, int64_t highest,
                 const Layout &out);
  void lowerAdd(QuantizedAddOp add);
  void lowerReshape(ReshapeOp reshape);

  /// Requantization parameters per output channel: the accumulator's
  /// scale over the output's, as getFixedPointMultiplier writes it.
  void requantParams(mlir::Value accumulator, Quant out, int64_t channels,
                     llvm::SmallVectorImpl<int64_t> &multipliers,
                     llvm::SmallVectorImpl<int64_t> &shifts);
  std::pair<int64_t, int64_t> clampOf(RequantizeOp requantize);

  mlir::func::FuncOp func;
  ProgramBuilder &program;
  int64_t block;
  /// Whether float ops before an input's quantization are left to the host.
  bool hostPrefix;
  /// The float ops that compute a quantized value from the model's inputs
  /// and constants alone (findHostPrefix).
  llvm::DenseSet<mlir::Operation *> hostOps;
  llvm::DenseMap<mlir::Value, Layout> layouts;
  /// Values the model returns (through a dequantize): their ONNX names.
  llvm::MapVector<mlir::Value, std::pair<std::string, Quant>> outputs;
  llvm::DenseSet<mlir::Value> flattened;
  /// Results of ops that cannot run, so that their users are not listed.
  llvm::DenseSet<mlir::Value> rejected;
  int64_t identityParams = -1;
};

} // namespace muon::npu

#endif
