//===- FoldOperandExtension.cpp - 8-bit operands for integer products -----===//
//
// MatMulInteger and ConvInteger without zero points are imported as int32
// products of operands widened from int8 (a muon.cast each, an element-wise
// linalg.generic of arith.extsi after muon-to-linalg, or an int32 constant
// once a constant weight's extension is folded). This pass lets the
// contraction read the 8-bit tensors and extend them in its body, the form
// tile-and-vectorize computes with exact pair dot products, and removes the
// int32 copies.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/EightBitContraction.h"
#include "targets/cpu/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace muon {
#define GEN_PASS_DEF_MUONFOLDOPERANDEXTENSION
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

/// An 8-bit tensor that an int32 operand extends: `build` creates it (only
/// once the whole contraction is known to fold), `isSigned` tells how it
/// was extended.
struct NarrowOperand {
  std::function<Value(OpBuilder &)> build;
  bool isSigned;
};

/// `value` (an int32 tensor) as the extension of an 8-bit tensor: the
/// result of an element-wise linalg.generic whose body only extends its
/// i8 input, an int32 constant whose values all fit in int8, or a reshape
/// or zero padding (a padding value the extension reproduces) of either.
std::optional<NarrowOperand> findNarrowOperand(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.getElementType().isSignlessInteger(32))
    return std::nullopt;
  auto i8 = IntegerType::get(value.getContext(), 8);
  if (auto generic = value.getDefiningOp<linalg::GenericOp>()) {
    if (generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
        generic.getNumReductionLoops() != 0 ||
        !llvm::all_of(generic.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); }))
      return std::nullopt;
    Value input = generic.getDpsInputs()[0];
    if (!getElementTypeOrSelf(input.getType()).isSignlessInteger(8))
      return std::nullopt;
    Block *body = generic.getBody();
    auto yield = cast<linalg::YieldOp>(body->getTerminator());
    Operation *ext = yield.getValues()[0].getDefiningOp();
    if (!isa_and_nonnull<arith::ExtSIOp, arith::ExtUIOp>(ext) ||
        ext->getOperand(0) != body->getArgument(0))
      return std::nullopt;
    return NarrowOperand{[input](OpBuilder &) { return input; },
                         isa<arith::ExtSIOp>(ext)};
  }
  if (auto collapse = value.getDefiningOp<tensor::CollapseShapeOp>()) {
    std::optional<NarrowOperand> source = findNarrowOperand(collapse.getSrc());
    if (!source)
      return std::nullopt;
    return NarrowOperand{[=](OpBuilder &b) mutable -> Value {
                           return tensor::CollapseShapeOp::create(
                               b, collapse.getLoc(), source->build(b),
                               collapse.getReassociationIndices());
                         },
                         source->isSigned};
  }
  if (auto expand = value.getDefiningOp<tensor::ExpandShapeOp>()) {
    std::optional<NarrowOperand> source = findNarrowOperand(expand.getSrc());
    if (!source || !expand.getResultType().hasStaticShape())
      return std::nullopt;
    auto narrowType =
        RankedTensorType::get(expand.getResultType().getShape(), i8);
    return NarrowOperand{[=](OpBuilder &b) mutable -> Value {
                           return tensor::ExpandShapeOp::create(
                               b, expand.getLoc(), narrowType, source->build(b),
                               expand.getReassociationIndices());
                         },
                         source->isSigned};
  }
  if (auto pad = value.getDefiningOp<tensor::PadOp>()) {
    std::optional<NarrowOperand> source = findNarrowOperand(pad.getSource());
    APInt padding;
    if (!source || !pad.getConstantPaddingValue() ||
        !matchPattern(pad.getConstantPaddingValue(), m_ConstantInt(&padding)))
      return std::nullopt;
    // The 8-bit padding value must extend to the int32 one.
    if (source->isSigned ? !padding.isSignedIntN(8) : !padding.isIntN(8))
      return std::nullopt;
    return NarrowOperand{
        [=](OpBuilder &b) mutable -> Value {
          Location loc = pad.getLoc();
          Value narrowPadding = arith::ConstantOp::create(
              b, loc, b.getIntegerAttr(i8, padding.trunc(8)));
          return tensor::PadOp::create(
              b, loc, RankedTensorType::get(pad.getResultType().getShape(), i8),
              source->build(b), pad.getMixedLowPad(), pad.getMixedHighPad(),
              narrowPadding, pad.getNofold());
        },
        source->isSigned};
  }
  DenseIntElementsAttr values;
  if (!matchPattern(value, m_Constant(&values)))
    return std::nullopt;
  if (!llvm::all_of(values.getValues<APInt>(),
                    [](const APInt &v) { return v.isSignedIntN(8); }))
    return std::nullopt;
  Location loc = value.getLoc();
  return NarrowOperand{
      [=](OpBuilder &b) mutable -> Value {
        DenseElementsAttr narrow =
            values.mapValues(i8, [](const APInt &v) { return v.trunc(8); });
        return arith::ConstantOp::create(b, loc, cast<TypedAttr>(narrow));
      },
      true};
}

/// Whether `op`'s body is `out + a * b` on its two inputs, with no cast:
/// the body of an int32 matmul or convolution.
bool isPlainProduct(linalg::LinalgOp op) {
  arith::MulIOp mul = muon::cpu::getAccumulatedProduct(op);
  if (!mul)
    return false;
  Block *body = op.getBlock();
  Value a = body->getArgument(0), b = body->getArgument(1);
  return (mul.getLhs() == a && mul.getRhs() == b) ||
         (mul.getLhs() == b && mul.getRhs() == a);
}

struct FoldExtensionIntoContraction
    : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    bool named =
        isa<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::Conv2DNchwFchwOp>(
            op);
    if (!named &&
        !(isa<linalg::GenericOp>(op) && linalg::isaContractionOpInterface(op)))
      return rewriter.notifyMatchFailure(op, "not a matmul or convolution");
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 ||
        !getElementTypeOrSelf(op.getDpsInits()[0].getType())
             .isSignlessInteger(32))
      return rewriter.notifyMatchFailure(op, "not an int32 product");
    // Named matmuls may carry indexing maps of their own (transposes).
    if (named && op.hasUserDefinedMaps())
      return rewriter.notifyMatchFailure(op, "matmul with custom maps");
    if (!isPlainProduct(op))
      return rewriter.notifyMatchFailure(op, "body is not out + a * b");
    std::optional<NarrowOperand> lhs = findNarrowOperand(op.getDpsInputs()[0]);
    std::optional<NarrowOperand> rhs = findNarrowOperand(op.getDpsInputs()[1]);
    if (!lhs || !rhs)
      return rewriter.notifyMatchFailure(
          op, "an operand is not an 8-bit tensor widened to int32");
    // Signed named ops extend their operands with sign in their body.
    // Otherwise a linalg.generic, which tile-and-vectorize recognises as
    // a matmul or an NCHW convolution by its indexing maps.
    bool keepNamed = named && lhs->isSigned && rhs->isSigned;
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    Value init = op.getDpsInits()[0];
    Type resultType = init.getType();
    SmallVector<Value> inputs = {lhs->build(rewriter), rhs->build(rewriter)};
    if (keepNamed) {
      Operation *replacement;
      if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op.getOperation()))
        replacement = linalg::Conv2DNchwFchwOp::create(
            rewriter, loc, resultType, inputs, init, conv.getStrides(),
            conv.getDilations());
      else if (isa<linalg::MatmulOp>(op))
        replacement =
            linalg::MatmulOp::create(rewriter, loc, resultType, inputs, init);
      else
        replacement = linalg::BatchMatmulOp::create(rewriter, loc, resultType,
                                                    inputs, init);
      rewriter.replaceOp(op, replacement->getResults());
      return success();
    }
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, inputs, init, op.getIndexingMapsArray(),
        op.getIteratorTypesArray(),
        [&](OpBuilder &b, Location l, ValueRange args) {
          muon::cpu::yieldExtendedProduct(b, l, args, lhs->isSigned,
                                          rhs->isSigned);
        });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

struct FoldOperandExtensionPass
    : muon::impl::MuonFoldOperandExtensionBase<FoldOperandExtensionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldExtensionIntoContraction>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
