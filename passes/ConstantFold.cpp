//===- ConstantFold.cpp - Evaluate constant subgraphs at compile time -----===//
//
// Everything a model computes from its weights alone is computed here once,
// so the generated code only does the work that depends on the inputs.
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/Constants.h"
#include "dialects/muon/OpVerification.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/Passes.h"

#include <cmath>
#include <functional>

namespace muon {
#define GEN_PASS_DEF_MUONCONSTANTFOLD
#include "passes/Passes.h.inc"
} // namespace muon

using namespace mlir;
using namespace muon;

namespace {

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// Permutes the elements of a row-major tensor: result dim i is input dim
/// perm[i].
SmallVector<float> transposeValues(ArrayRef<float> values,
                                   ArrayRef<int64_t> shape,
                                   ArrayRef<int64_t> perm) {
  SmallVector<int64_t> resultShape;
  for (int64_t p : perm)
    resultShape.push_back(shape[p]);
  SmallVector<int64_t> inStrides = stridesOf(shape);
  SmallVector<float> result(values.size());
  SmallVector<int64_t> index(perm.size(), 0);
  for (size_t linear = 0; linear < values.size(); ++linear) {
    int64_t source = 0;
    for (size_t d = 0; d < perm.size(); ++d)
      source += index[d] * inStrides[perm[d]];
    result[linear] = values[source];
    for (int64_t d = static_cast<int64_t>(perm.size()) - 1; d >= 0; --d) {
      if (++index[d] < resultShape[d])
        break;
      index[d] = 0;
    }
  }
  return result;
}

Value makeConstant(PatternRewriter &rewriter, Location loc,
                   RankedTensorType type, ArrayRef<float> values) {
  return ConstantOp::create(rewriter, loc,
                            makeElements<float>(type, values, "folded"));
}

struct FoldTranspose : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto values = getF32Constant(op.getInput());
    if (!values)
      return rewriter.notifyMatchFailure(op, "input is not an f32 constant");
    rewriter.replaceOp(
        op, makeConstant(rewriter, op.getLoc(), op.getType(),
                         transposeValues(*values,
                                         rankedType(op.getInput()).getShape(),
                                         op.getPerm())));
    return success();
  }
};

struct FoldReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto values = getF32Constant(op.getInput());
    if (!values)
      return rewriter.notifyMatchFailure(op, "input is not an f32 constant");
    rewriter.replaceOp(
        op, makeConstant(rewriter, op.getLoc(), op.getType(), *values));
    return success();
  }
};

struct FoldConcat : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    int64_t axis = op.getAxis();
    // Concatenation copies, for each index of the dimensions before `axis`,
    // one contiguous chunk of every input in turn.
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= type.getDimSize(d);
    SmallVector<SmallVector<float>> inputs;
    for (Value input : op.getInputs()) {
      auto values = getF32Constant(input);
      if (!values)
        return rewriter.notifyMatchFailure(op, "an input is not a constant");
      inputs.push_back(std::move(*values));
    }
    SmallVector<float> result;
    for (int64_t o = 0; o < outer; ++o)
      for (const SmallVector<float> &values : inputs) {
        int64_t chunk = values.size() / outer;
        result.append(values.begin() + o * chunk,
                      values.begin() + (o + 1) * chunk);
      }
    rewriter.replaceOp(op, makeConstant(rewriter, op.getLoc(), type, result));
    return success();
  }
};

/// Element-wise ops of constant operands, evaluated with ONNX broadcasting.
template <typename OpTy> struct FoldBinary : OpRewritePattern<OpTy> {
  using Fn = std::function<float(float, float)>;
  FoldBinary(MLIRContext *context, Fn fn)
      : OpRewritePattern<OpTy>(context), fn(std::move(fn)) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto lhs = getF32Constant(op.getLhs());
    auto rhs = getF32Constant(op.getRhs());
    if (!lhs || !rhs)
      return rewriter.notifyMatchFailure(op, "operands are not f32 constants");
    RankedTensorType type = op.getType();
    ArrayRef<int64_t> shape = type.getShape();
    auto operandIndex = [&](RankedTensorType operand, ArrayRef<int64_t> index) {
      int64_t offset = shape.size() - operand.getRank(), linear = 0;
      SmallVector<int64_t> strides = stridesOf(operand.getShape());
      for (int64_t d = 0; d < operand.getRank(); ++d)
        if (operand.getDimSize(d) != 1)
          linear += index[offset + d] * strides[d];
      return linear;
    };
    auto lhsType = rankedType(op.getLhs()), rhsType = rankedType(op.getRhs());
    SmallVector<float> result;
    SmallVector<int64_t> index(shape.size(), 0);
    for (int64_t n = 0; n < type.getNumElements(); ++n) {
      result.push_back(fn((*lhs)[operandIndex(lhsType, index)],
                          (*rhs)[operandIndex(rhsType, index)]));
      for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
        if (++index[d] < shape[d])
          break;
        index[d] = 0;
      }
    }
    rewriter.replaceOp(op, makeConstant(rewriter, op.getLoc(), type, result));
    return success();
  }

  Fn fn;
};

/// gemm(A, B, transB = 1) with a constant B: transpose B once, here.
struct PretransposeGemmWeight : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getTransB())
      return rewriter.notifyMatchFailure(op, "B is not transposed");
    auto b = getF32Constant(op.getB());
    if (!b)
      return rewriter.notifyMatchFailure(op, "B is not an f32 constant");
    auto bType = rankedType(op.getB());
    auto transposedType = RankedTensorType::get(
        {bType.getDimSize(1), bType.getDimSize(0)}, bType.getElementType());
    Value transposed =
        makeConstant(rewriter, op.getLoc(), transposedType,
                     transposeValues(*b, bType.getShape(), {1, 0}));
    rewriter.modifyOpInPlace(op, [&] {
      op.getBMutable().assign(transposed);
      op.setTransB(false);
    });
    return success();
  }
};

struct ConstantFoldPass : muon::impl::MuonConstantFoldBase<ConstantFoldPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns
        .add<FoldTranspose, FoldReshape, FoldConcat, PretransposeGemmWeight>(
            context);
    patterns.add<FoldBinary<AddOp>>(context,
                                    [](float a, float b) { return a + b; });
    patterns.add<FoldBinary<SubOp>>(context,
                                    [](float a, float b) { return a - b; });
    patterns.add<FoldBinary<MulOp>>(context,
                                    [](float a, float b) { return a * b; });
    patterns.add<FoldBinary<DivOp>>(context,
                                    [](float a, float b) { return a / b; });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
