//===- Bufferize.cpp - One-shot bufferization for Muon's entry function ---===//
//
// The tensors of the entry function become buffers, in place wherever the
// one-shot analysis proves it safe. Copies become linalg.copy so that they
// lower to loops like everything else: memref.copy would need a runtime
// library call for strided views.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"

namespace muon {
#define GEN_PASS_DEF_MUONBUFFERIZE
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

struct BufferizePass : muon::impl::MuonBufferizeBase<BufferizePass> {
  void runOnOperation() override {
    bufferization::OneShotBufferizationOptions options;
    options.bufferAlignment = 64;
    options.setFunctionBoundaryTypeConversion(
        bufferization::LayoutMapOption::IdentityLayoutMap);
    options.unknownTypeConverterFn =
        [](TensorType type, Attribute memorySpace,
           const bufferization::BufferizationOptions &) {
          return bufferization::getMemRefTypeWithStaticIdentityLayout(
              type, memorySpace);
        };
    options.memCpyFn = [](OpBuilder &b, Location loc, Value from, Value to) {
      linalg::CopyOp::create(b, loc, from, to);
      return success();
    };
    bufferization::BufferizationState state;
    if (failed(
            bufferization::runOneShotBufferize(getOperation(), options, state)))
      signalPassFailure();
  }
};

} // namespace
