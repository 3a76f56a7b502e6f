//===- LinearAlgebraToLinalg.cpp - Lowering determinants ------------------===//
//
// Patterns of the muon-to-linalg pass (MuonToLinalg.cpp) for the ops of
// dialects/muon/LinearAlgebraOps.td. A determinant is a sequential
// elimination, not a parallel map, so it is an scf.for nest on tensors that
// carries a working copy of the matrices (one-shot bufferization makes that
// copy once, before the loops).
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "targets/cpu/LinalgBuilders.h"
#include "targets/cpu/Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace muon;

namespace {

/// Gaussian elimination with partial pivoting, as LAPACK's getrf (behind
/// numpy.linalg.det, the ONNX reference) does it: for each column k the row
/// with the largest |a[i][k]| (i >= k) is swapped up (negating the
/// determinant), the determinant is multiplied by the pivot, and the rows
/// below subtract their multiple of row k. A zero pivot (a singular matrix)
/// makes the determinant 0; its multipliers are set to 0 rather than NaN.
struct DetLowering : OpRewritePattern<DetOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DetOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = tensorType(op.getInput());
    Type elementType = inputType.getElementType();
    int64_t n = inputType.getShape().back();
    int64_t count = op.getType().getNumElements();
    auto flatType = RankedTensorType::get({count}, elementType);
    Value matrices =
        reshapeTensor(rewriter, loc, op.getInput(),
                      RankedTensorType::get({count, n, n}, elementType));
    auto index = [&](OpBuilder &b, int64_t value) -> Value {
      return arith::ConstantIndexOp::create(b, loc, value);
    };
    Value zero = index(rewriter, 0), one = index(rewriter, 1),
          size = index(rewriter, n);
    Value fZero = scalarConstant(rewriter, loc, elementType, 0.0);
    Value fOne = scalarConstant(rewriter, loc, elementType, 1.0);
    Value fMinusOne = scalarConstant(rewriter, loc, elementType, -1.0);

    auto batches = scf::ForOp::create(
        rewriter, loc, zero, index(rewriter, count), one,
        ValueRange{matrices, emptyTensor(rewriter, loc, flatType)},
        [&](OpBuilder &b, Location l, Value m, ValueRange carried) {
          auto at = [&](Value work, Value i, Value j) -> Value {
            return tensor::ExtractOp::create(b, l, work, ValueRange{m, i, j});
          };
          auto columns = scf::ForOp::create(
              b, l, zero, size, one, ValueRange{carried[0], fOne},
              [&](OpBuilder &b, Location l, Value k, ValueRange state) {
                // The pivot row: the largest |a[i][k]|, i >= k.
                auto search = scf::ForOp::create(
                    b, l, k, size, one, ValueRange{k, fMinusOne},
                    [&](OpBuilder &b, Location l, Value i, ValueRange best) {
                      Value magnitude =
                          math::AbsFOp::create(b, l, at(state[0], i, k));
                      Value larger = arith::CmpFOp::create(
                          b, l, arith::CmpFPredicate::OGT, magnitude, best[1]);
                      scf::YieldOp::create(
                          b, l,
                          ValueRange{
                              arith::SelectOp::create(b, l, larger, i, best[0]),
                              arith::SelectOp::create(b, l, larger, magnitude,
                                                      best[1])});
                    });
                Value pivotRow = search.getResult(0);
                auto swap = scf::ForOp::create(
                    b, l, zero, size, one, ValueRange{state[0]},
                    [&](OpBuilder &b, Location l, Value j, ValueRange work) {
                      Value top = at(work[0], k, j),
                            other = at(work[0], pivotRow, j);
                      Value swapped = tensor::InsertOp::create(
                          b, l, other, work[0], ValueRange{m, k, j});
                      swapped = tensor::InsertOp::create(
                          b, l, top, swapped, ValueRange{m, pivotRow, j});
                      scf::YieldOp::create(b, l, swapped);
                    });
                Value work = swap.getResult(0);
                Value moved = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::ne, pivotRow, k);
                Value det = arith::SelectOp::create(
                    b, l, moved, arith::NegFOp::create(b, l, state[1]),
                    state[1]);
                Value pivot = at(work, k, k);
                det = arith::MulFOp::create(b, l, det, pivot);
                Value singular = arith::CmpFOp::create(
                    b, l, arith::CmpFPredicate::OEQ, pivot, fZero);
                Value below = arith::AddIOp::create(b, l, k, one);
                auto rows = scf::ForOp::create(
                    b, l, below, size, one, ValueRange{work},
                    [&](OpBuilder &b, Location l, Value i, ValueRange work) {
                      Value factor =
                          arith::DivFOp::create(b, l, at(work[0], i, k), pivot);
                      factor = arith::SelectOp::create(b, l, singular, fZero,
                                                       factor);
                      auto row = scf::ForOp::create(
                          b, l, k, size, one, ValueRange{work[0]},
                          [&](OpBuilder &b, Location l, Value j,
                              ValueRange work) {
                            Value product = arith::MulFOp::create(
                                b, l, factor, at(work[0], k, j));
                            Value value = arith::SubFOp::create(
                                b, l, at(work[0], i, j), product);
                            scf::YieldOp::create(
                                b, l,
                                tensor::InsertOp::create(b, l, value, work[0],
                                                         ValueRange{m, i, j})
                                    .getResult());
                          });
                      scf::YieldOp::create(b, l, row.getResult(0));
                    });
                scf::YieldOp::create(b, l, ValueRange{rows.getResult(0), det});
              });
          Value result = tensor::InsertOp::create(b, l, columns.getResult(1),
                                                  carried[1], ValueRange{m});
          scf::YieldOp::create(b, l, ValueRange{columns.getResult(0), result});
        });
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, loc, batches.getResult(1), op.getType()));
    return success();
  }
};

} // namespace

void muon::populateLinearAlgebraLowerings(RewritePatternSet &patterns) {
  patterns.add<DetLowering>(patterns.getContext());
}
