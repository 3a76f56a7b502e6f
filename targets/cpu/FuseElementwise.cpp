//===- FuseElementwise.cpp - Element-wise chains as one linalg op ---------===//
//
// Linalg's element-wise fusion, with one restriction: a producer is fused
// (and a reshape folded) only into consumers without reduction loops. Fused
// into a contraction, a producer such as a pooling window would be
// recomputed for every output it feeds, and the contraction would no longer
// be one that tile-and-vectorize recognises.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/Remarks.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace muon {
#define GEN_PASS_DEF_MUONFUSEELEMENTWISE
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

struct FuseElementwisePass
    : muon::impl::MuonFuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
      return producer && producer->hasOneUse() && consumer &&
             consumer.getNumReductionLoops() == 0;
    };
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    auto countLinalgOps = [&] {
      int64_t count = 0;
      getOperation().walk([&](linalg::LinalgOp) { ++count; });
      return count;
    };
    int64_t before = countLinalgOps();
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // muon-opt --remarks-filter=muon-fuse-elementwise: how many loop nests
    // fusion saved.
    int64_t after = countLinalgOps();
    remark::analysis(getOperation().getLoc(),
                     remark::RemarkOpts::name("ElementwiseFusion")
                         .category("muon-fuse-elementwise"))
        << remark::metric("linalg_ops_before", before)
        << remark::metric("linalg_ops_after", after);
  }
};

} // namespace
