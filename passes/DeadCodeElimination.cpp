//===- DeadCodeElimination.cpp - Erase unused muon ops --------------------===//

#include "mlir/Transforms/RegionUtils.h"
#include "passes/Passes.h"

namespace muon {
#define GEN_PASS_DEF_MUONDEADCODEELIMINATION
#include "passes/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

struct DeadCodeEliminationPass
    : muon::impl::MuonDeadCodeEliminationBase<DeadCodeEliminationPass> {
  void runOnOperation() override {
    // Walking backwards erases a whole dead chain in one sweep: an op's
    // users are visited (and erased) before the op itself.
    for (Block &block : getOperation().getBody())
      for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
        if (isa<muon::MuonDialect>(op.getDialect()) && isOpTriviallyDead(&op))
          op.erase();
  }
};

} // namespace
