//===- OutlineLayers.cpp - One function per loop nest ---------------------===//
//
// LLVM's optimisation and code generation take time that grows faster than
// the size of the function they work on: a CNN lowered into one function of
// a hundred thousand lines of LLVM IR took a minute to compile. Each loop
// nest of the entry function (a layer, or a copy or fill between layers)
// moves into a private function of its own, which LLVM handles alone, and
// the entry function calls them in order.
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

/// Whether a value defined outside a loop nest is recomputed inside its
/// function rather than passed: constants, globals and views. They cost
/// nothing to repeat, and a view (a subview's strided layout) could not
/// cross a call of bare pointers.
bool isRematerialized(Operation *op) {
  return op && op->getNumRegions() == 0 && op->getNumResults() == 1 &&
         (isa<memref::GetGlobalOp, memref::ViewOp, memref::SubViewOp,
              memref::ExpandShapeOp, memref::CollapseShapeOp, memref::CastOp,
              memref::ReinterpretCastOp>(op) ||
          (isPure(op) && op->getNumOperands() == 0));
}

/// The values `nest` uses from outside it, split into the entry function's
/// arguments it needs (`arguments`, in the entry function's order) and the
/// ops to clone into its function, in an order where each comes after its
/// operands (`clones`). Fails when it uses any other value.
LogicalResult collectInputs(Operation *nest, SmallVector<Value> &arguments,
                            SmallVector<Operation *> &clones) {
  SetVector<Value> used;
  getUsedValuesDefinedAbove(nest->getRegions(), used);
  used.insert(nest->getOperands().begin(), nest->getOperands().end());
  SmallVector<Value> pending(used.begin(), used.end());
  SetVector<BlockArgument> entryArguments;
  SetVector<Operation *> needed;
  while (!pending.empty()) {
    Value value = pending.pop_back_val();
    if (auto argument = dyn_cast<BlockArgument>(value)) {
      entryArguments.insert(argument);
      continue;
    }
    Operation *producer = value.getDefiningOp();
    if (!isRematerialized(producer))
      return failure();
    if (needed.insert(producer))
      pending.append(producer->getOperands().begin(),
                     producer->getOperands().end());
  }
  arguments.assign(entryArguments.begin(), entryArguments.end());
  llvm::sort(arguments, [](Value a, Value b) {
    return cast<BlockArgument>(a).getArgNumber() <
           cast<BlockArgument>(b).getArgNumber();
  });
  // The entry function's order is one where operands come first.
  clones.assign(needed.begin(), needed.end());
  llvm::sort(clones,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return success();
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
      for (Operation &op : llvm::make_early_inc_range(body)) {
        if (op.getNumRegions() == 0 || op.getNumResults() != 0)
          continue;
        SmallVector<Value> arguments;
        SmallVector<Operation *> clones;
        if (failed(collectInputs(&op, arguments, clones)))
          continue;
        previous = outline(symbols, entry.getName() + "_nest" + Twine(count++),
                           previous, op, arguments, clones);
      }
      // What only the nests used: constants, globals and views.
      for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
        if (op.use_empty() && isRematerialized(&op))
          op.erase();
    }
  }

  /// Moves `nest` into a new function `name(arguments)`, placed after
  /// `previous`, which recomputes `clones` first, and calls it in its place.
  /// Returns the new function.
  func::FuncOp outline(SymbolTable &symbols, const Twine &name,
                       Operation *previous, Operation &nest,
                       ArrayRef<Value> arguments,
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
    func::CallOp::create(builder, loc, function, arguments);
    nest.erase();
    return function;
  }
};

} // namespace
