//===- PlanWorkspace.cpp - Static memory plan over the caller's workspace -===//
//
// Every intermediate buffer of a model has a static size and a live range
// known at compile time, so the whole memory plan is fixed here: each
// `memref.alloc` becomes a view at a fixed offset of the workspace argument,
// and buffers whose live ranges do not overlap share bytes.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/Remarks.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "targets/cpu/Passes.h"

namespace muon {
#define GEN_PASS_DEF_MUONPLANWORKSPACE
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;

struct Buffer {
  memref::AllocOp alloc;
  int64_t size;
  unsigned firstUse, lastUse; // positions of top-level ops in the body
  int64_t offset = -1;
};

/// Position of the top-level op of `block` that contains `op`.
unsigned topLevelPosition(Operation *op, Block &block,
                          const DenseMap<Operation *, unsigned> &positions) {
  Operation *ancestor = block.findAncestorOpInBlock(*op);
  return positions.lookup(ancestor);
}

/// The last top-level position at which `value` or a view of it is used.
unsigned lastUse(Value value, Block &block,
                 const DenseMap<Operation *, unsigned> &positions) {
  unsigned last = 0;
  SmallVector<Value> worklist = {value};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      last = std::max(last, topLevelPosition(user, block, positions));
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == v)
          worklist.push_back(view->getResult(0));
    }
  }
  return last;
}

struct PlanWorkspacePass
    : muon::impl::MuonPlanWorkspaceBase<PlanWorkspacePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || func.getNumArguments() == 0)
      return;
    Block &body = func.getBody().front();
    BlockArgument workspace = body.getArguments().back();
    if (!isa<MemRefType>(workspace.getType())) {
      func.emitError("expected the workspace as the last argument");
      return signalPassFailure();
    }
    DenseMap<Operation *, unsigned> positions;
    for (auto [i, op] : llvm::enumerate(body))
      positions[&op] = i;

    SmallVector<Buffer> buffers;
    WalkResult walk = func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity()) {
        alloc.emitError("cannot place a dynamic or strided buffer in the "
                        "workspace: ")
            << type;
        return WalkResult::interrupt();
      }
      int64_t bytes = type.getNumElements() *
                      llvm::divideCeil(type.getElementTypeBitWidth(), 8);
      buffers.push_back({alloc,
                         static_cast<int64_t>(llvm::alignTo(bytes, kAlignment)),
                         topLevelPosition(alloc, body, positions),
                         lastUse(alloc, body, positions)});
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    // First fit, largest buffers first: each buffer takes the lowest offset
    // that overlaps no placed buffer whose live range intersects its own.
    SmallVector<Buffer *> order;
    for (Buffer &buffer : buffers)
      order.push_back(&buffer);
    llvm::sort(order, [](Buffer *a, Buffer *b) {
      return std::make_pair(-a->size, a->firstUse) <
             std::make_pair(-b->size, b->firstUse);
    });
    int64_t total = 0;
    SmallVector<Buffer *> placed;
    for (Buffer *buffer : order) {
      SmallVector<std::pair<int64_t, int64_t>> busy;
      for (Buffer *other : placed)
        if (other->firstUse <= buffer->lastUse &&
            buffer->firstUse <= other->lastUse)
          busy.push_back({other->offset, other->offset + other->size});
      llvm::sort(busy);
      int64_t offset = 0;
      for (auto [begin, end] : busy) {
        if (offset + buffer->size <= begin)
          break;
        offset = std::max(offset, end);
      }
      buffer->offset = offset;
      total = std::max(total, offset + buffer->size);
      placed.push_back(buffer);
    }

    // Resize the workspace argument, then turn allocations into views.
    auto workspaceType =
        MemRefType::get({total}, IntegerType::get(&getContext(), 8));
    workspace.setType(workspaceType);
    SmallVector<Type> inputs(func.getArgumentTypes());
    inputs.back() = workspaceType;
    func.setFunctionType(
        FunctionType::get(&getContext(), inputs, func.getResultTypes()));
    for (Buffer &buffer : buffers) {
      OpBuilder b(buffer.alloc);
      Location loc = buffer.alloc.getLoc();
      Value offset = arith::ConstantIndexOp::create(b, loc, buffer.offset);
      Value view = memref::ViewOp::create(b, loc, buffer.alloc.getType(),
                                          workspace, offset, ValueRange{});
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
    func.walk([](memref::DeallocOp dealloc) { dealloc.erase(); });
    func->setAttr("muon.workspace_size",
                  IntegerAttr::get(IntegerType::get(&getContext(), 64), total));
    // muon-opt --remarks-filter=muon-plan-workspace: what sharing saved.
    int64_t unshared = 0;
    for (const Buffer &buffer : buffers)
      unshared += buffer.size;
    remark::analysis(func.getLoc(), remark::RemarkOpts::name("WorkspacePlan")
                                        .category("muon-plan-workspace"))
        << remark::metric("buffers", static_cast<int64_t>(buffers.size()))
        << remark::metric("bytes", total)
        << remark::metric("unshared_bytes", unshared);
  }
};

} // namespace
