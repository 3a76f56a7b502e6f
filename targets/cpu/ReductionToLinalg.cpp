//===- ReductionToLinalg.cpp - Lowering reductions and arg-reductions -----===//
//
// Patterns of the muon-to-linalg pass (MuonToLinalg.cpp) for the ops of
// dialects/muon/ReductionOps.td.
// Every reduction is one linalg.generic whose output drops the reduced loops,
// followed by an element-wise finishing step (mean divide, sqrt, log) that
// linalg fusion merges with its consumers.
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "targets/cpu/LinalgBuilders.h"
#include "targets/cpu/Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace muon;

namespace {

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

/// Signless (signed) or unsigned integers: the bodies compute on their
/// signless storage and pick unsigned comparisons for the latter.
bool isIntegerElement(Type type) {
  type = getElementTypeOrSelf(type);
  return type.isSignlessInteger() || type.isUnsignedInteger();
}

/// The largest (or lowest) value of a float or integer type (in its storage
/// type): the identity of min (max) reductions.
Value extremeConstant(OpBuilder &b, Location loc, Type type, bool largest) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(type, APFloat::getInf(floatType.getFloatSemantics(),
                                             /*Negative=*/!largest)));
  unsigned width = type.getIntOrFloatBitWidth();
  Type storage = storageType(type);
  if (type.isUnsignedInteger())
    return arith::ConstantOp::create(
        b, loc,
        b.getIntegerAttr(storage, largest ? APInt::getMaxValue(width)
                                          : APInt::getZero(width)));
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(storage, largest ? APInt::getSignedMaxValue(width)
                                        : APInt::getSignedMinValue(width)));
}

int64_t reducedCount(RankedTensorType type, ArrayRef<int64_t> axes) {
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= type.getDimSize(axis);
  return count;
}

/// The index (i64, `axis` dropped from the shape) of the maximum or minimum
/// of `input` (whose ONNX element type is `elementType`) along `axis`; ties
/// go to the first index, or the last with `lastIndex` (ONNX
/// ArgMax/ArgMin).
Value buildArgReduce(OpBuilder &b, Location loc, Value input, Type elementType,
                     int64_t axis, bool maximum, bool lastIndex) {
  MLIRContext *context = b.getContext();
  auto inputType = tensorType(input);
  int64_t rank = inputType.getRank();
  RankedTensorType valueType = droppedType(inputType, axis);
  auto indexType = RankedTensorType::get(valueType.getShape(), b.getI64Type());
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
  AffineMap reduced = identity.dropResult(axis);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators[axis] = utils::IteratorType::reduction;
  Value values = filledTensor(b, loc, valueType,
                              extremeConstant(b, loc, elementType, !maximum));
  Value indices = filledTensor(b, loc, indexType,
                               scalarConstant(b, loc, b.getI64Type(), 0));
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{valueType, indexType}, input,
      ValueRange{values, indices}, {identity, reduced, reduced}, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = args[0], best = args[1], bestIndex = args[2];
        Value index = arith::IndexCastOp::create(
            nb, nl, nb.getI64Type(), linalg::IndexOp::create(nb, nl, axis));
        // A strict comparison keeps the first of equal extremes, a
        // non-strict one moves on to the last.
        Value better;
        if (isa<FloatType>(elementType))
          better = arith::CmpFOp::create(
              nb, nl,
              maximum ? (lastIndex ? arith::CmpFPredicate::OGE
                                   : arith::CmpFPredicate::OGT)
                      : (lastIndex ? arith::CmpFPredicate::OLE
                                   : arith::CmpFPredicate::OLT),
              x, best);
        else if (isUnsignedElement(elementType))
          better = arith::CmpIOp::create(
              nb, nl,
              maximum ? (lastIndex ? arith::CmpIPredicate::uge
                                   : arith::CmpIPredicate::ugt)
                      : (lastIndex ? arith::CmpIPredicate::ule
                                   : arith::CmpIPredicate::ult),
              x, best);
        else
          better = arith::CmpIOp::create(
              nb, nl,
              maximum ? (lastIndex ? arith::CmpIPredicate::sge
                                   : arith::CmpIPredicate::sgt)
                      : (lastIndex ? arith::CmpIPredicate::sle
                                   : arith::CmpIPredicate::slt),
              x, best);
        linalg::YieldOp::create(
            nb, nl,
            ValueRange{
                arith::SelectOp::create(nb, nl, better, x, best),
                arith::SelectOp::create(nb, nl, better, index, bestIndex)});
      });
  return generic.getResult(1);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// How one Reduce* op computes: a step applied to each element, the
/// combination of the elements and a step applied to the combined value.
struct Reduction {
  enum class Combine { Add, Mul, Max, Min } combine;
  /// Exp is exp(x - m) with m the maximum of the reduced elements, and Log
  /// then log(sum) + m, so that a large x does not overflow (ReduceLogSumExp).
  enum class Prologue { None, Abs, Square, Exp } prologue = Prologue::None;
  enum class Epilogue { None, Mean, Sqrt, Log } epilogue = Epilogue::None;

  /// Integers have no exp, log or sqrt, and an integer mean would truncate.
  bool supportsIntegers() const {
    return prologue != Prologue::Exp && epilogue == Epilogue::None;
  }
};

/// Combines `x` into `acc`; integers compare as unsigned ones when
/// `isUnsigned`.
Value combineElements(OpBuilder &b, Location loc, Reduction::Combine combine,
                      Value x, Value acc, bool isUnsigned) {
  bool floating = isa<FloatType>(x.getType());
  switch (combine) {
  case Reduction::Combine::Add:
    return floating ? arith::AddFOp::create(b, loc, x, acc).getResult()
                    : arith::AddIOp::create(b, loc, x, acc).getResult();
  case Reduction::Combine::Mul:
    return floating ? arith::MulFOp::create(b, loc, x, acc).getResult()
                    : arith::MulIOp::create(b, loc, x, acc).getResult();
  case Reduction::Combine::Max:
    return maximum(b, loc, x, acc, isUnsigned);
  case Reduction::Combine::Min:
    if (floating)
      return arith::MinimumFOp::create(b, loc, x, acc);
    if (isUnsigned)
      return arith::MinUIOp::create(b, loc, x, acc);
    return arith::MinSIOp::create(b, loc, x, acc);
  }
  llvm_unreachable("unknown combine");
}

Value combineIdentity(OpBuilder &b, Location loc, Reduction::Combine combine,
                      Type type) {
  switch (combine) {
  case Reduction::Combine::Add:
    return scalarConstant(b, loc, type, 0.0);
  case Reduction::Combine::Mul:
    return scalarConstant(b, loc, type, 1.0);
  case Reduction::Combine::Max:
    return extremeConstant(b, loc, type, /*largest=*/false);
  case Reduction::Combine::Min:
    return extremeConstant(b, loc, type, /*largest=*/true);
  }
  llvm_unreachable("unknown combine");
}

template <typename OpTy> struct ReduceLowering : OpConversionPattern<OpTy> {
  ReduceLowering(const TypeConverter &converter, MLIRContext *context,
                 Reduction reduction)
      : OpConversionPattern<OpTy>(converter, context), reduction(reduction) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type elementType = op.getType().getElementType();
    bool floating = isFloat(elementType);
    if (!floating &&
        !(isIntegerElement(elementType) && reduction.supportsIntegers()))
      return rewriter.notifyMatchFailure(
          op, reduction.supportsIntegers()
                  ? "only float and integer element types"
                  : "only float element types");
    Location loc = op.getLoc();
    bool isUnsigned = isUnsignedElement(elementType);
    Value input = adaptor.getInput();
    auto inputType = tensorType(input);
    ArrayRef<int64_t> axes = op.getAxes();
    RankedTensorType reducedType = droppedType(inputType, axes);
    using Prologue = Reduction::Prologue;
    using Epilogue = Reduction::Epilogue;

    SmallVector<Value> inputs = {input};
    if (reduction.prologue == Prologue::Exp) {
      // The shift m: the maximum where it is finite, else 0 (all elements
      // -inf give log(0) = -inf; an inf element gives inf).
      Value max = buildReduction(
          rewriter, loc, input, axes,
          extremeConstant(rewriter, loc, elementType, /*largest=*/false),
          [](OpBuilder &b, Location l, ValueRange a) {
            return arith::MaximumFOp::create(b, l, a[0], a[1]).getResult();
          });
      inputs.push_back(buildElementwise(
          rewriter, loc, reducedType, max,
          [](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value inf = extremeConstant(b, l, a[0].getType(), true);
            Value finite =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT,
                                      math::AbsFOp::create(b, l, a[0]), inf);
            return arith::SelectOp::create(
                b, l, finite, a[0], scalarConstant(b, l, a[0].getType(), 0.0));
          }));
    }

    Value combined = buildReduction(
        rewriter, loc, inputs, axes,
        combineIdentity(rewriter, loc, reduction.combine, elementType),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = a[0];
          switch (reduction.prologue) {
          case Prologue::None:
            break;
          case Prologue::Abs:
            // An unsigned element is its own absolute value.
            if (floating)
              x = math::AbsFOp::create(b, l, x);
            else if (!isUnsigned)
              x = math::AbsIOp::create(b, l, x);
            break;
          case Prologue::Square:
            x = floating ? arith::MulFOp::create(b, l, x, x).getResult()
                         : arith::MulIOp::create(b, l, x, x).getResult();
            break;
          case Prologue::Exp:
            x = math::ExpOp::create(b, l, arith::SubFOp::create(b, l, x, a[1]));
            break;
          }
          return combineElements(b, l, reduction.combine, x, a.back(),
                                 isUnsigned);
        });

    if (reduction.epilogue != Epilogue::None) {
      inputs[0] = combined;
      double count = reducedCount(inputType, axes);
      combined = buildElementwise(
          rewriter, loc, reducedType, inputs,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value acc = a[0];
            switch (reduction.epilogue) {
            case Epilogue::None:
              break;
            case Epilogue::Mean:
              return arith::DivFOp::create(
                  b, l, acc, scalarConstant(b, l, acc.getType(), count));
            case Epilogue::Sqrt:
              return math::SqrtOp::create(b, l, acc);
            case Epilogue::Log:
              acc = math::LogOp::create(b, l, acc);
              if (a.size() > 1)
                acc = arith::AddFOp::create(b, l, acc, a[1]);
              break;
            }
            return acc;
          });
    }
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, loc, combined, storageType(op.getType())));
    return success();
  }

  Reduction reduction;
};

template <typename OpTy>
void addReduction(const TypeConverter &converter, RewritePatternSet &patterns,
                  Reduction reduction) {
  patterns.add<ReduceLowering<OpTy>>(converter, patterns.getContext(),
                                     reduction);
}

//===----------------------------------------------------------------------===//
// Arg-reductions, Hardmax, CumSum
//===----------------------------------------------------------------------===//

template <typename OpTy, bool maximum>
struct ArgReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type elementType = tensorType(op.getInput()).getElementType();
    if (!isFloat(elementType) && !isIntegerElement(elementType))
      return rewriter.notifyMatchFailure(
          op, "only float and integer element types");
    Value indices =
        buildArgReduce(rewriter, op.getLoc(), adaptor.getInput(), elementType,
                       op.getAxis(), maximum, op.getSelectLastIndex());
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(), indices,
                                         cast<RankedTensorType>(op.getType())));
    return success();
  }
};

/// Hardmax: 1 where the index along `axis` is the first maximum's.
struct HardmaxLowering : OpConversionPattern<HardmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(HardmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isFloat(op.getType()))
      return rewriter.notifyMatchFailure(op, "only float element types");
    Location loc = op.getLoc();
    int64_t axis = op.getAxis();
    RankedTensorType type = op.getType();
    Value indices = buildArgReduce(rewriter, loc, adaptor.getInput(),
                                   type.getElementType(), axis,
                                   /*maximum=*/true, /*lastIndex=*/false);
    indices =
        reshapeTensor(rewriter, loc, indices,
                      RankedTensorType::get(keptType(type, axis).getShape(),
                                            rewriter.getI64Type()));
    Value result = buildElementwise(
        rewriter, loc, type, indices,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value index = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                            index, a[0]);
          Type t = type.getElementType();
          return arith::SelectOp::create(b, l, hit, scalarConstant(b, l, t, 1),
                                         scalarConstant(b, l, t, 0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// CumSum as a reduction over a second loop j along `axis`: y[.., i, ..]
/// accumulates x[.., j, ..] for the j the attributes select (j <= i, j < i
/// with exclusive, j >= i with reverse, j > i with both). That is quadratic
/// in the axis length, which stays small where models use CumSum (position
/// ids, masks), and keeps the lowering one linalg op.
struct CumSumLowering : OpConversionPattern<CumSumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CumSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    bool floating = isFloat(type);
    if (!floating && !isIntegerElement(type))
      return rewriter.notifyMatchFailure(
          op, "only float and integer element types");
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    int64_t rank = type.getRank(), axis = op.getAxis();
    // Loops d0 .. d(rank-1) run over the output, d(rank) is j.
    SmallVector<AffineExpr> outputExprs, inputExprs;
    for (int64_t d = 0; d < rank; ++d) {
      outputExprs.push_back(getAffineDimExpr(d, context));
      inputExprs.push_back(getAffineDimExpr(d == axis ? rank : d, context));
    }
    AffineMap input = AffineMap::get(rank + 1, 0, inputExprs, context);
    AffineMap output = AffineMap::get(rank + 1, 0, outputExprs, context);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    arith::CmpIPredicate predicate =
        op.getReverse() ? (op.getExclusive() ? arith::CmpIPredicate::sgt
                                             : arith::CmpIPredicate::sge)
                        : (op.getExclusive() ? arith::CmpIPredicate::slt
                                             : arith::CmpIPredicate::sle);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, storageType(type), adaptor.getInput(),
            filledTensor(rewriter, loc, storageType(type), 0.0),
            {input, output}, iterators,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value i = linalg::IndexOp::create(b, l, axis);
              Value j = linalg::IndexOp::create(b, l, rank);
              Value selected = arith::CmpIOp::create(b, l, predicate, j, i);
              Value x = arith::SelectOp::create(
                  b, l, selected, a[0],
                  scalarConstant(b, l, a[0].getType(), 0.0));
              linalg::YieldOp::create(
                  b, l,
                  combineElements(b, l, Reduction::Combine::Add, x, a[1],
                                  /*isUnsigned=*/false));
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void muon::populateReductionLowerings(const TypeConverter &converter,
                                      RewritePatternSet &patterns) {
  using C = Reduction::Combine;
  using P = Reduction::Prologue;
  using E = Reduction::Epilogue;
  addReduction<ReduceSumOp>(converter, patterns, {C::Add});
  addReduction<ReduceMeanOp>(converter, patterns, {C::Add, P::None, E::Mean});
  addReduction<ReduceMaxOp>(converter, patterns, {C::Max});
  addReduction<ReduceMinOp>(converter, patterns, {C::Min});
  addReduction<ReduceProdOp>(converter, patterns, {C::Mul});
  addReduction<ReduceL1Op>(converter, patterns, {C::Add, P::Abs});
  addReduction<ReduceL2Op>(converter, patterns, {C::Add, P::Square, E::Sqrt});
  addReduction<ReduceLogSumOp>(converter, patterns, {C::Add, P::None, E::Log});
  addReduction<ReduceLogSumExpOp>(converter, patterns,
                                  {C::Add, P::Exp, E::Log});
  addReduction<ReduceSumSquareOp>(converter, patterns, {C::Add, P::Square});
  patterns
      .add<ArgReduceLowering<ArgMaxOp, true>,
           ArgReduceLowering<ArgMinOp, false>, HardmaxLowering, CumSumLowering>(
          converter, patterns.getContext());
}
