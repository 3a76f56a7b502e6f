//===- KeepCopyLoopsRolled.cpp - No unrolling of pure data movement -------===//
//
// LLVM unrolls loop nests with constant trip counts completely when their
// bodies are small, and a copy or fill between layers has the smallest body
// there is: the zero fill of a 16x55x55 tensor became 880 vector stores (3,500
// machine stores) in one basic block. LLVM's instruction schedulers take time
// quadratic in a block's length, so two such fills took 4 of the 5 seconds of
// a CNN's code generation. A loop that only moves data is bound by memory and
// gains nothing from unrolling; this pass tells LLVM to leave it rolled
// (convert-scf-to-cf carries the annotation to the loop's latch branch).
// Loops that compute keep LLVM's unrolling, which their register-blocked
// bodies rely on.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"

namespace muon {
#define GEN_PASS_DEF_MUONKEEPCOPYLOOPSROLLED
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

/// Whether `op` (not counting the ops nested in it) only moves, views or
/// addresses data: no arithmetic on the values it moves.
bool onlyMovesData(Operation *op) {
  if (isa<scf::ForOp, scf::YieldOp, arith::ConstantOp, ub::PoisonOp>(op))
    return true;
  if (isa<memref::MemRefDialect, affine::AffineDialect>(op->getDialect()))
    return true;
  if (isa<vector::TransferReadOp, vector::TransferWriteOp, vector::LoadOp,
          vector::StoreOp, vector::BroadcastOp, vector::ExtractOp,
          vector::InsertOp, vector::ShapeCastOp, vector::TransposeOp,
          vector::ExtractStridedSliceOp, vector::InsertStridedSliceOp>(op))
    return true;
  // Address arithmetic.
  if (isa<arith::ArithDialect>(op->getDialect()))
    return llvm::all_of(op->getResultTypes(),
                        [](Type type) { return type.isIndex(); });
  return false;
}

struct KeepCopyLoopsRolledPass
    : muon::impl::MuonKeepCopyLoopsRolledBase<KeepCopyLoopsRolledPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    auto disable = BoolAttr::get(context, true);
    auto unroll =
        LLVM::LoopUnrollAttr::get(context, disable, {}, {}, {}, {}, {}, {});
    auto annotation =
        LLVM::LoopAnnotationAttr::get(context, {}, {}, {}, unroll, {}, {}, {},
                                      {}, {}, {}, {}, {}, {}, {}, {});
    getOperation().walk([&](scf::ForOp loop) {
      WalkResult computes = loop.getBody()->walk([](Operation *op) {
        return onlyMovesData(op) ? WalkResult::advance()
                                 : WalkResult::interrupt();
      });
      if (computes.wasInterrupted())
        return;
      loop->setAttr(LLVM::LoopAnnotationAttr::getMnemonic(), annotation);
      ++numRolledLoops;
    });
  }
};

} // namespace
