//===- LowerVectors.cpp - Vector ops in the 1-D form LLVM handles well ----===//
//
// Accumulators move out of reduction loops (a loop-carried vector instead
// of a load and a store per step), then contractions become outer products
// (FMAs), masks masked loads and stores, and n-D vector ops 1-D ones.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace muon {
#define GEN_PASS_DEF_MUONLOWERVECTORS
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

struct LowerVectorsPass : muon::impl::MuonLowerVectorsBase<LowerVectorsPass> {
  void runOnOperation() override {
    linalg::hoistRedundantVectorTransfers(getOperation());
    RewritePatternSet patterns(&getContext());
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerParallel);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    vector::populateVectorMaskOpLoweringPatterns(patterns);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::EltWise);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
