//===- OutlineLayers.cpp - One function per loop nest ---------------------===//
//
// LLVM's optimisation and code generation take time that grows faster than
// the size of the function they work on: a CNN lowered into one function of
// a hundred thousand lines of LLVM IR took a minute to compile. Each loop
// nest of the entry function (a layer, or a copy or fill between layers)
// moves into a private function of its own, which LLVM handles alone, and
// the entry function calls them in order. The buffers a nest works on are
// its function's arguments, so the repeated blocks of a network (the same
// computation on other weights and buffers) share one function: less code
// for LLVM to compile, and for the CPU's instruction cache to hold.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace muon {
#define GEN_PASS_DEF_MUONOUTLINELAYERS
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

/// Whether a value defined outside a loop nest is passed to its function as
/// an argument: the entry function's arguments, and the buffers it places
/// in them or reads weights from (views, globals). Passing them rather than
/// recomputing them in the function leaves two layers of the same shapes
/// with the same function, which they can share.
bool isPassed(Value value) {
  return isa<BlockArgument>(value) ||
         isa<memref::GetGlobalOp, memref::ViewOp>(value.getDefiningOp());
}

/// Whether a value defined outside a loop nest is recomputed inside its
/// function: constants, and subviews and reshapes of the passed buffers.
/// They cost nothing to repeat, and a subview (a strided layout) could not
/// cross a call of bare pointers.
bool isRematerialized(Operation *op) {
  return op && op->getNumRegions() == 0 && op->getNumResults() == 1 &&
         (isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
              memref::CastOp, memref::ReinterpretCastOp>(op) ||
          (isPure(op) && op->getNumOperands() == 0));
}

/// The values `nest` uses from outside it, split into the ones passed as
/// arguments (`arguments`) and the ops to clone into its function, each after
/// its operands (`clones`). Both are in the order of first use by the nest,
/// so that two nests that compute the same way on different buffers get
/// equal functions. Fails when the nest uses any other value.
LogicalResult collectInputs(Operation *nest, SmallVector<Value> &arguments,
                            SmallVector<Operation *> &clones) {
  SetVector<Value> passed;
  SetVector<Operation *> cloned;
  // Depth first from each use, operands before the ops that use them.
  std::function<LogicalResult(Value)> visit = [&](Value value) {
    if (isPassed(value)) {
      passed.insert(value);
      return success();
    }
    Operation *producer = value.getDefiningOp();
    if (cloned.contains(producer))
      return success();
    if (!isRematerialized(producer))
      return failure();
    for (Value operand : producer->getOperands())
      if (failed(visit(operand)))
        return failure();
    cloned.insert(producer);
    return success();
  };
  WalkResult result = nest->walk<WalkOrder::PreOrder>([&](Operation *op) {
    for (Value operand : op->getOperands())
      if (!nest->isAncestor(operand.getParentRegion()->getParentOp()) &&
          failed(visit(operand)))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (result.wasInterrupted())
    return failure();
  arguments.assign(passed.begin(), passed.end());
  clones.assign(cloned.begin(), cloned.end());
  return success();
}

/// A hash of `function`'s body that equal bodies share (names of values
/// and locations aside), to find candidates for sharing quickly.
llvm::hash_code hashBody(func::FuncOp function) {
  llvm::hash_code hash = mlir::hash_value(function.getFunctionType());
  function.getBody().walk([&](Operation *op) {
    hash =
        llvm::hash_combine(hash, OperationEquivalence::computeHash(
                                     op, OperationEquivalence::ignoreHashValue,
                                     OperationEquivalence::ignoreHashValue,
                                     OperationEquivalence::IgnoreLocations));
  });
  return hash;
}

struct OutlineLayersPass
    : muon::impl::MuonOutlineLayersBase<OutlineLayersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto entry : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (entry.isPrivate() || entry.isExternal())
        continue;
      Block &body = entry.getBody().front();
      Operation *previous = entry;
      unsigned count = 0;
      // The functions made so far, by the hash of their bodies.
      DenseMap<llvm::hash_code, SmallVector<func::FuncOp, 1>> made;
      for (Operation &op : llvm::make_early_inc_range(body)) {
        if (op.getNumRegions() == 0 || op.getNumResults() != 0)
          continue;
        SmallVector<Value> arguments;
        SmallVector<Operation *> clones;
        if (failed(collectInputs(&op, arguments, clones)))
          continue;
        func::FuncOp function;
        func::CallOp call;
        std::tie(function, call) =
            outline(symbols, entry.getName() + "_nest" + Twine(count), previous,
                    op, arguments, clones);
        SmallVector<func::FuncOp, 1> &candidates = made[hashBody(function)];
        auto equal = llvm::find_if(candidates, [&](func::FuncOp candidate) {
          return candidate.getFunctionType() == function.getFunctionType() &&
                 OperationEquivalence::isRegionEquivalentTo(
                     &candidate.getBody(), &function.getBody(),
                     OperationEquivalence::IgnoreLocations);
        });
        if (equal != candidates.end()) {
          call.setCallee(equal->getSymName());
          symbols.erase(function);
          ++numSharedNests;
          continue;
        }
        candidates.push_back(function);
        previous = function;
        ++count;
      }
      // What only the nests used: constants, globals and views.
      for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
        if (op.use_empty() && (isRematerialized(&op) ||
                               isa<memref::GetGlobalOp, memref::ViewOp>(op)))
          op.erase();
    }
  }

  /// Moves `nest` into a new function `name(arguments)`, placed after
  /// `previous`, which recomputes `clones` first, and calls it in its place.
  /// Returns the new function and its call.
  std::pair<func::FuncOp, func::CallOp>
  outline(SymbolTable &symbols, const Twine &name, Operation *previous,
          Operation &nest, ArrayRef<Value> arguments,
          ArrayRef<Operation *> clones) {
    OpBuilder builder(previous->getContext());
    builder.setInsertionPointAfter(previous);
    Location loc = nest.getLoc();
    auto type = builder.getFunctionType(ValueRange(arguments).getTypes(), {});
    auto function = func::FuncOp::create(builder, loc, name.str(), type);
    function.setPrivate();
    // Internal to the object (its one exported symbol stays <name>_run),
    // and not inlined: LLVM's inliner would put back a function called once.
    function->setAttr(
        "llvm.linkage",
        LLVM::LinkageAttr::get(builder.getContext(), LLVM::Linkage::Internal));
    function->setAttr("passthrough",
                      builder.getArrayAttr(builder.getStringAttr("noinline")));
    symbols.insert(function); // renamed if the name is taken

    Block *body = function.addEntryBlock();
    builder.setInsertionPointToStart(body);
    IRMapping mapping;
    mapping.map(arguments, body->getArguments());
    for (Operation *op : clones)
      builder.clone(*op, mapping);
    builder.clone(nest, mapping);
    func::ReturnOp::create(builder, loc);

    builder.setInsertionPoint(&nest);
    auto call = func::CallOp::create(builder, loc, function, arguments);
    nest.erase();
    return {function, call};
  }
};

} // namespace
