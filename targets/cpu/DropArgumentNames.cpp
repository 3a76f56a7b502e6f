//===- DropArgumentNames.cpp - No ONNX names left for LLVM ----------------===//
//
// The entry function's arguments keep their ONNX names (`muon.name`) until
// the header has been written. LLVM has no use for them, and its
// translation warns about every argument attribute it does not know.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"

namespace muon {
#define GEN_PASS_DEF_MUONDROPARGUMENTNAMES
#include "targets/cpu/Passes.h.inc"
} // namespace muon

namespace {

struct DropArgumentNamesPass
    : muon::impl::MuonDropArgumentNamesBase<DropArgumentNamesPass> {
  void runOnOperation() override {
    mlir::func::FuncOp func = getOperation();
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
      func.removeArgAttr(i, "muon.name");
  }
};

} // namespace
