//===- FoldBatchNorm.cpp - Fold BatchNormalization into Conv and Gemm -----===//
//
// Inference BatchNormalization is an affine map per channel, so it folds into
// the weights and bias of a preceding Conv or Gemm (ONNX BatchNormalization:
// y = (x - mean) / sqrt(var + epsilon) * scale + bias).
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/Constants.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/Passes.h"

#include <cmath>

namespace muon {
#define GEN_PASS_DEF_MUONFOLDBATCHNORM
#include "passes/Passes.h.inc"
} // namespace muon

using namespace mlir;
using namespace muon;

namespace {

/// Per-channel scale s and shift t such that batch_norm(y) = y * s + t.
struct ChannelAffine {
  SmallVector<float> scale, shift;
};

std::optional<ChannelAffine> channelAffine(BatchNormOp bn) {
  auto scale = getF32Constant(bn.getScale());
  auto bias = getF32Constant(bn.getBias());
  auto mean = getF32Constant(bn.getMean());
  auto variance = getF32Constant(bn.getVariance());
  if (!scale || !bias || !mean || !variance)
    return std::nullopt;
  float epsilon = bn.getEpsilon().convertToFloat();
  ChannelAffine affine;
  for (size_t c = 0; c < scale->size(); ++c) {
    float s = (*scale)[c] / std::sqrt((*variance)[c] + epsilon);
    affine.scale.push_back(s);
    affine.shift.push_back((*bias)[c] - (*mean)[c] * s);
  }
  return affine;
}

Value makeConstant(PatternRewriter &rewriter, Location loc,
                   RankedTensorType type, ArrayRef<float> values,
                   StringRef blobName) {
  return ConstantOp::create(rewriter, loc,
                            makeElements<float>(type, values, blobName));
}

struct FoldIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<ConvOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a single-use conv");
    auto weight = getF32Constant(conv.getWeight());
    if (!weight)
      return rewriter.notifyMatchFailure(bn, "conv weight is not constant");
    int64_t filters = conv.getType().getDimSize(1);
    SmallVector<float> bias(filters, 0.0f);
    if (conv.getBias()) {
      auto convBias = getF32Constant(conv.getBias());
      if (!convBias)
        return rewriter.notifyMatchFailure(bn, "conv bias is not constant");
      bias = *convBias;
    }
    std::optional<ChannelAffine> affine = channelAffine(bn);
    if (!affine)
      return rewriter.notifyMatchFailure(bn, "parameters are not constant");

    int64_t perFilter = weight->size() / filters;
    for (int64_t f = 0; f < filters; ++f) {
      for (int64_t i = 0; i < perFilter; ++i)
        (*weight)[f * perFilter + i] *= affine->scale[f];
      bias[f] = bias[f] * affine->scale[f] + affine->shift[f];
    }
    Location loc = bn.getLoc();
    auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
    Value newWeight =
        makeConstant(rewriter, loc, weightType, *weight, "folded_weight");
    Value newBias = makeConstant(
        rewriter, loc,
        RankedTensorType::get({filters}, weightType.getElementType()), bias,
        "folded_bias");
    // The folded op stands for both ONNX nodes; their names stay in its
    // location (diagnostics, --quantize-exclude).
    rewriter.replaceOp(
        bn, ConvOp::create(rewriter,
                           rewriter.getFusedLoc({conv.getLoc(), bn.getLoc()}),
                           conv.getInput(), newWeight, newBias,
                           conv.getStridesAttr(), conv.getPadsAttr(),
                           conv.getDilationsAttr(), conv.getGroupAttr()));
    return success();
  }
};

struct FoldIntoGemm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto gemm = bn.getInput().getDefiningOp<GemmOp>();
    if (!gemm || !gemm->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a single-use gemm");
    auto b = getF32Constant(gemm.getB());
    if (!b)
      return rewriter.notifyMatchFailure(bn, "gemm B is not constant");
    int64_t n = gemm.getType().getDimSize(1);
    float beta = gemm.getBeta().convertToFloat();
    SmallVector<float> c(n, 0.0f);
    if (gemm.getC()) {
      auto cType = cast<RankedTensorType>(gemm.getC().getType());
      auto cValues = getF32Constant(gemm.getC());
      if (!cValues || cType.getNumElements() != n ||
          (cType.getRank() == 2 && cType.getDimSize(0) != 1))
        return rewriter.notifyMatchFailure(
            bn, "gemm C is not a constant of one value per column");
      for (int64_t j = 0; j < n; ++j)
        c[j] = beta * (*cValues)[j];
    }
    std::optional<ChannelAffine> affine = channelAffine(bn);
    if (!affine)
      return rewriter.notifyMatchFailure(bn, "parameters are not constant");

    // Column j of op(B) holds the weights of output channel j.
    int64_t k = b->size() / n;
    for (int64_t row = 0; row < k; ++row)
      for (int64_t j = 0; j < n; ++j) {
        int64_t index = gemm.getTransB() ? j * k + row : row * n + j;
        (*b)[index] *= affine->scale[j];
      }
    for (int64_t j = 0; j < n; ++j)
      c[j] = c[j] * affine->scale[j] + affine->shift[j];
    Location loc = bn.getLoc();
    auto bType = cast<RankedTensorType>(gemm.getB().getType());
    Value newB = makeConstant(rewriter, loc, bType, *b, "folded_weight");
    Value newC = makeConstant(
        rewriter, loc, RankedTensorType::get({n}, bType.getElementType()), c,
        "folded_bias");
    rewriter.replaceOp(
        bn, GemmOp::create(rewriter,
                           rewriter.getFusedLoc({gemm.getLoc(), bn.getLoc()}),
                           gemm.getA(), newB, newC, gemm.getAlphaAttr(),
                           rewriter.getF32FloatAttr(1.0f), gemm.getTransAAttr(),
                           gemm.getTransBAttr()));
    return success();
  }
};

struct FoldBatchNormPass
    : muon::impl::MuonFoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoConv, FoldIntoGemm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
