//===- HostFloatEnds.cpp - Float ops an int8 target leaves to the host ----===//

#include "dialects/muon/HostFloatEnds.h"
#include "dialects/muon/MuonOps.h"
#include "dialects/muon/Quantization.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace muon;

/// Whether the host can run `op`: no regions, nothing quantized in or out.
static bool isHostFloatOp(Operation *op) {
  auto quantized = [](Type type) {
    return getQuantizedElementType(type) != nullptr;
  };
  return op->getNumRegions() == 0 && !isa<QuantizeOp, DequantizeOp>(op) &&
         !llvm::any_of(op->getOperandTypes(), quantized) &&
         !llvm::any_of(op->getResultTypes(), quantized);
}

llvm::DenseSet<Operation *> muon::findHostPrefix(Block &body) {
  llvm::DenseSet<Operation *> host;
  for (Operation &op : body.without_terminator()) {
    auto quantize = dyn_cast<QuantizeOp>(op);
    if (!quantize || isa<BlockArgument>(quantize.getInput()))
      continue;
    // The ops the quantized value is computed by, back to the arguments.
    llvm::DenseSet<Operation *> slice;
    SmallVector<Value> work{quantize.getInput()};
    bool onHost = true;
    while (onHost && !work.empty()) {
      Operation *def = work.pop_back_val().getDefiningOp();
      if (!def || isa<ConstantOp>(def) || slice.contains(def) ||
          host.contains(def))
        continue;
      onHost = isHostFloatOp(def);
      slice.insert(def);
      llvm::append_range(work, def->getOperands());
    }
    // Nothing but the quantizations may read what the host computes.
    for (Operation *inner : slice)
      for (Operation *user : inner->getUsers())
        onHost &= slice.contains(user) || host.contains(user) ||
                  isa<QuantizeOp>(user);
    if (onHost)
      host.insert(slice.begin(), slice.end());
  }
  return host;
}

llvm::DenseSet<Operation *> muon::findHostSuffix(Block &body) {
  // In reverse program order every user is decided before its operands'
  // producers: an op is a candidate if all its users are.
  llvm::DenseSet<Operation *> host;
  for (Operation &op : llvm::reverse(body.without_terminator()))
    if (!isa<ConstantOp>(op) && isHostFloatOp(&op) && !op.use_empty() &&
        llvm::all_of(op.getUsers(), [&](Operation *user) {
          return host.contains(user) || isa<func::ReturnOp>(user);
        }))
      host.insert(&op);
  // An operand computed by a float op outside the suffix (one the design
  // would have to run) disqualifies its reader, and then the reader's own
  // operands' producers: drop them until the set is closed both ways.
  auto closed = [&](Operation *op) {
    return llvm::all_of(op->getOperands(),
                        [&](Value operand) {
                          Operation *def = operand.getDefiningOp();
                          return isa<DequantizeOp, ConstantOp>(def) ||
                                 host.contains(def);
                        }) &&
           llvm::all_of(op->getUsers(), [&](Operation *user) {
             return host.contains(user) || isa<func::ReturnOp>(user);
           });
  };
  bool changed = true;
  while (changed) {
    changed = false;
    for (Operation *op : llvm::to_vector(host))
      if (!closed(op)) {
        host.erase(op);
        changed = true;
      }
  }
  return host;
}
