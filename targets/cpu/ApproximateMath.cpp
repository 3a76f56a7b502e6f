//===- ApproximateMath.cpp - Math functions as polynomials ----------------===//
//
// exp, log, tanh, erf and the other math functions the models use become
// MLIR's polynomial approximations: code that vectorizes like the rest of a
// layer and needs no libm in the user's program.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace muon {
#define GEN_PASS_DEF_MUONAPPROXIMATEMATH
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

struct ApproximateMathPass
    : muon::impl::MuonApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
