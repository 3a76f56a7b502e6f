//===- HoistStaticAllocas.cpp - Stack buffers allocated once --------------===//
//
// Lowering vector transfers to loops (convert-vector-to-scf) allocates their
// temporary buffers with memref.alloca inside the loops they serve. An
// alloca in a loop takes new stack space on every iteration until the
// function returns: at -O3 LLVM promotes the buffers to registers, but at
// -O0 and -O1 a layer's loops used up megabytes of stack and crashed. Every
// alloca of a static size moves to the start of its function, so that it is
// allocated once; each iteration writes the buffer before it reads it, as
// it did a fresh one.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"

namespace muon {
#define GEN_PASS_DEF_MUONHOISTSTATICALLOCAS
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

struct HoistStaticAllocasPass
    : muon::impl::MuonHoistStaticAllocasBase<HoistStaticAllocasPass> {
  void runOnOperation() override {
    Block &entry = getOperation().getBody().front();
    SmallVector<memref::AllocaOp> nested;
    getOperation().walk([&](memref::AllocaOp alloca) {
      if (alloca->getBlock() != &entry && alloca->getNumOperands() == 0)
        nested.push_back(alloca);
    });
    for (memref::AllocaOp alloca : nested)
      alloca->moveBefore(&entry, entry.begin());
  }
};

} // namespace
