//===- EightBitContraction.cpp - The 8-bit paths of tile-and-vectorize ---===//
//
// Pair and quad dot products for int32 contractions of 8-bit operands, and
// 8-bit convolutions over im2col patches (EightBitContraction.h).
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/EightBitContraction.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"

using namespace mlir;
using namespace muon::cpu;

std::optional<EightBitContraction>
muon::cpu::matchEightBitContraction(linalg::LinalgOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return std::nullopt;
  auto isInteger = [](Value value, unsigned width) {
    return getElementTypeOrSelf(value.getType()).isSignlessInteger(width);
  };
  if (!isInteger(op.getDpsInputs()[0], 8) ||
      !isInteger(op.getDpsInputs()[1], 8) ||
      !isInteger(op.getDpsInits()[0], 32))
    return std::nullopt;
  Block *body = op.getBlock();
  arith::MulIOp mul = getAccumulatedProduct(op);
  if (!mul)
    return std::nullopt;
  // Which input a factor extends (its block argument number), and whether
  // with sign.
  auto extension =
      [&](Value factor) -> std::optional<std::pair<unsigned, bool>> {
    Operation *ext = factor.getDefiningOp();
    if (!isa_and_nonnull<arith::ExtSIOp, arith::ExtUIOp>(ext))
      return std::nullopt;
    auto arg = dyn_cast<BlockArgument>(ext->getOperand(0));
    if (!arg || arg.getOwner() != body || arg.getArgNumber() > 1)
      return std::nullopt;
    return std::pair(arg.getArgNumber(), isa<arith::ExtSIOp>(ext));
  };
  auto lhs = extension(mul.getLhs()), rhs = extension(mul.getRhs());
  if (!lhs || !rhs || lhs->first == rhs->first)
    return std::nullopt;
  if (lhs->first == 1)
    std::swap(lhs, rhs);
  return EightBitContraction{lhs->second, rhs->second};
}

/// The exact dot product of i16 pairs on `bits`-wide vectors: i32 lane i is
/// a[2i] * b[2i] + a[2i+1] * b[2i+1] (x86 vpmaddwd). Products of 8-bit
/// values (at most 2 x 2^15 in magnitude) cannot overflow it.
static StringRef pairDotIntrinsic(int64_t bits) {
  return bits == 512 ? "llvm.x86.avx512.pmaddw.d.512"
                     : "llvm.x86.avx2.pmadd.wd";
}

/// The permutation map and shape of the vector of loops `loopDims` of
/// operand `operand` of `step` (every other loop of extent 1): vector
/// dimension i comes from the operand dimension whose index expression uses
/// loop loopDims[i] and has its extent.
static FailureOr<std::pair<AffineMap, SmallVector<int64_t>>>
stepOperandVector(linalg::LinalgOp step, OpOperand &operand,
                  ArrayRef<unsigned> loopDims) {
  SmallVector<int64_t> ranges = step.getStaticLoopRanges();
  AffineMap map = step.getMatchingIndexingMap(&operand);
  auto type = cast<ShapedType>(operand.get().getType());
  MLIRContext *context = step->getContext();
  SmallVector<AffineExpr> results;
  SmallVector<int64_t> shape;
  for (unsigned d : loopDims) {
    std::optional<unsigned> source;
    for (auto [r, expr] : llvm::enumerate(map.getResults()))
      if (expr.isFunctionOfDim(d) && type.getDimSize(r) == ranges[d] &&
          !llvm::is_contained(results, getAffineDimExpr(r, context)))
        source = r;
    if (!source)
      return failure();
    results.push_back(getAffineDimExpr(*source, context));
    shape.push_back(ranges[d]);
  }
  return std::pair(AffineMap::get(type.getRank(), 0, results, context), shape);
}

/// The vector of `shape` (and `elementType`, the operand's own or the one
/// it was widened to) that `map` (from stepOperandVector) reads from a
/// step's operand at index `zero` in every dimension.
static Value readStepOperand(RewriterBase &rewriter, Location loc,
                             OpOperand &operand, AffineMap map,
                             ArrayRef<int64_t> shape, Type elementType,
                             Value zero) {
  auto type = cast<ShapedType>(operand.get().getType());
  Value padding = arith::ConstantOp::create(rewriter, loc,
                                            rewriter.getZeroAttr(elementType));
  return vector::TransferReadOp::create(
      rewriter, loc, VectorType::get(shape, elementType), operand.get(),
      SmallVector<Value>(type.getRank(), zero), AffineMapAttr::get(map),
      padding, /*mask=*/Value(),
      rewriter.getBoolArrayAttr(SmallVector<bool>(shape.size(), true)));
}

void muon::cpu::yieldExtendedProduct(OpBuilder &b, Location loc,
                                     ValueRange args, bool lhsSigned,
                                     bool rhsSigned) {
  Type i32 = b.getI32Type();
  auto extend = [&](Value v, bool isSigned) -> Value {
    if (isSigned)
      return arith::ExtSIOp::create(b, loc, i32, v);
    return arith::ExtUIOp::create(b, loc, i32, v);
  };
  Value product = arith::MulIOp::create(b, loc, extend(args[0], lhsSigned),
                                        extend(args[1], rhsSigned));
  linalg::YieldOp::create(
      b, loc, ValueRange{arith::AddIOp::create(b, loc, args[2], product)});
}

arith::MulIOp muon::cpu::getAccumulatedProduct(linalg::LinalgOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return nullptr;
  Block *body = op.getBlock();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddIOp>();
  if (!add)
    return nullptr;
  Value accumulator = body->getArgument(2);
  Value product = add.getLhs() == accumulator   ? add.getRhs()
                  : add.getRhs() == accumulator ? add.getLhs()
                                                : Value();
  return product ? product.getDefiningOp<arith::MulIOp>() : nullptr;
}

namespace {

/// Where a pair or quad step reads its operands as vectors: A [MR, T], B
/// [T, NR] (or [NR, T] when packed) and the accumulator [MR, NR], with the
/// block's MR and NR; the reads start at `zero`, created before the step.
struct StepVectors {
  using Vector = std::pair<AffineMap, SmallVector<int64_t>>;
  OpOperand *lhs, *rhs, *init;
  Vector lhsVector, rhsVector, initVector;
  int64_t rows, columns;
  Value zero;

  /// `operand` read where `vector` says, as `elementType`.
  Value read(RewriterBase &rewriter, Location loc, OpOperand &operand,
             const Vector &vector, Type elementType) const {
    return readStepOperand(rewriter, loc, operand, vector.first, vector.second,
                           elementType, zero);
  }
};

} // namespace

/// The vectors of `step` over its loops m and n and the reduction loop t;
/// an error naming the `kind` of step when its operands have other shapes.
static FailureOr<StepVectors> getStepVectors(RewriterBase &rewriter,
                                             linalg::LinalgOp step, unsigned m,
                                             unsigned n, unsigned t,
                                             bool packedRhs, StringRef kind) {
  StepVectors vectors;
  vectors.lhs = step.getDpsInputOperand(0);
  vectors.rhs = step.getDpsInputOperand(1);
  vectors.init = step.getDpsInitOperand(0);
  auto lhs = stepOperandVector(step, *vectors.lhs, {m, t});
  auto rhs = stepOperandVector(step, *vectors.rhs,
                               packedRhs ? ArrayRef<unsigned>{n, t}
                                         : ArrayRef<unsigned>{t, n});
  auto init = stepOperandVector(step, *vectors.init, {m, n});
  if (failed(lhs) || failed(rhs) || failed(init))
    return step->emitOpError() << kind << " step of unexpected operand shapes";
  vectors.lhsVector = std::move(*lhs);
  vectors.rhsVector = std::move(*rhs);
  vectors.initVector = std::move(*init);
  SmallVector<int64_t> ranges = step.getStaticLoopRanges();
  vectors.rows = ranges[m];
  vectors.columns = ranges[n];
  rewriter.setInsertionPoint(step);
  vectors.zero = arith::ConstantIndexOp::create(rewriter, step.getLoc(), 0);
  return vectors;
}

/// Replaces `step` by the write of its MR x NR accumulator block `c` to its
/// init operand, where `map` (from stepOperandVector) read it.
static void replaceStepWithAccumulator(RewriterBase &rewriter, Location loc,
                                       linalg::LinalgOp step, AffineMap map,
                                       Value c, Value zero) {
  OpOperand &init = *step.getDpsInitOperand(0);
  auto write = vector::TransferWriteOp::create(
      rewriter, loc, c, init.get(),
      SmallVector<Value>(cast<ShapedType>(init.get().getType()).getRank(),
                         zero),
      AffineMapAttr::get(map),
      rewriter.getBoolArrayAttr(SmallVector<bool>(2, true)));
  rewriter.replaceOp(step, write.getResult());
}

/// The values of an int8 constant, possibly reshaped, in row-major order.
static std::optional<SmallVector<int8_t>> readInt8Constant(Value value) {
  while (Operation *op = value.getDefiningOp()) {
    if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op))
      break;
    value = op->getOperand(0);
  }
  ElementsAttr values;
  if (!matchPattern(value, m_Constant(&values)) ||
      !values.getElementType().isSignlessInteger(8))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(values))
    return llvm::to_vector(dense.getValues<int8_t>());
  if (auto resource = dyn_cast<DenseI8ResourceElementsAttr>(values))
    if (std::optional<ArrayRef<int8_t>> data = resource.tryGetAsArrayRef())
      if (int64_t(data->size()) == values.getNumElements())
        return llvm::to_vector(*data);
  return std::nullopt;
}

/// `value` widened from 8 to 16 bits with or without sign.
static int16_t widen(int8_t value, bool isSigned) {
  return isSigned ? int16_t(value) : int16_t(uint8_t(value));
}

/// The 8-bit tensor `value` (static shape) with `extra` zeros appended along
/// dimension `dim`: a new constant when `value` is an int8 constant (so that
/// the pair and quad forms still find a constant to pack at compile time),
/// else a tensor.pad. A zero adds nothing to an integer dot product, so a
/// reduction padded in both operands is exact.
static Value padWithZeros(RewriterBase &rewriter, Location loc, Value value,
                          unsigned dim, int64_t extra) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] += extra;
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  if (std::optional<SmallVector<int8_t>> values = readInt8Constant(value)) {
    int64_t inner = 1;
    for (int64_t size : type.getShape().drop_front(dim + 1))
      inner *= size;
    int64_t block = type.getDimSize(dim) * inner;
    SmallVector<int8_t> padded;
    padded.reserve(paddedType.getNumElements());
    for (int64_t start = 0; start < int64_t(values->size()); start += block) {
      padded.append(values->begin() + start, values->begin() + start + block);
      padded.append(extra * inner, 0);
    }
    return arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(paddedType, ArrayRef<int8_t>(padded)));
  }
  SmallVector<OpFoldResult> low(type.getRank(), rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> high(low);
  high[dim] = rewriter.getIndexAttr(extra);
  Value zero = arith::ConstantOp::create(
      rewriter, loc, rewriter.getZeroAttr(type.getElementType()));
  return tensor::PadOp::create(rewriter, loc, paddedType, value, low, high,
                               zero);
}

FailureOr<linalg::LinalgOp> muon::cpu::padReduction(RewriterBase &rewriter,
                                                    linalg::LinalgOp op,
                                                    unsigned k, int64_t extra) {
  AffineExpr kExpr = getAffineDimExpr(k, rewriter.getContext());
  rewriter.setInsertionPoint(op);
  SmallVector<Value> operands;
  for (OpOperand *input : op.getDpsInputOperands()) {
    ArrayRef<AffineExpr> results =
        op.getMatchingIndexingMap(input).getResults();
    const AffineExpr *position = llvm::find(results, kExpr);
    if (position == results.end() ||
        !cast<ShapedType>(input->get().getType()).hasStaticShape())
      return failure();
    operands.push_back(padWithZeros(rewriter, op.getLoc(), input->get(),
                                    position - results.begin(), extra));
  }
  llvm::append_range(operands, op.getDpsInits());
  Operation *padded =
      clone(rewriter, op, op->getResultTypes(), ValueRange(operands));
  rewriter.replaceOp(op, padded->getResults());
  return cast<linalg::LinalgOp>(padded);
}

FailureOr<std::pair<linalg::LinalgOp, PairContraction>>
muon::cpu::splitIntoPairs(RewriterBase &rewriter, linalg::LinalgOp op,
                          unsigned n, unsigned k, EightBitContraction kind,
                          int64_t bits) {
  MLIRContext *context = rewriter.getContext();
  AffineExpr kExpr = getAffineDimExpr(k, context);
  auto kPosition = [&](AffineMap map) -> std::optional<unsigned> {
    std::optional<unsigned> position;
    for (auto [r, expr] : llvm::enumerate(map.getResults())) {
      if (expr == kExpr && !position)
        position = r;
      else if (expr.isFunctionOfDim(k))
        return std::nullopt;
    }
    return position;
  };
  OpOperand *lhsOperand = op.getDpsInputOperand(0);
  OpOperand *rhsOperand = op.getDpsInputOperand(1);
  AffineMap lhsMap = op.getMatchingIndexingMap(lhsOperand);
  AffineMap rhsMap = op.getMatchingIndexingMap(rhsOperand);
  std::optional<unsigned> lhsK = kPosition(lhsMap), rhsK = kPosition(rhsMap);
  auto lhsType = cast<RankedTensorType>(lhsOperand->get().getType());
  auto rhsType = cast<RankedTensorType>(rhsOperand->get().getType());
  if (!lhsK || !rhsK || !lhsType.hasStaticShape() || !rhsType.hasStaticShape())
    return failure();
  int64_t pairs = lhsType.getDimSize(*lhsK) / 2;
  unsigned numLoops = op.getNumLoops(), pairLoop = numLoops;
  AffineExpr pairExpr = getAffineDimExpr(pairLoop, context);
  Location loc = op.getLoc();
  Type i16 = rewriter.getI16Type();
  rewriter.setInsertionPoint(op);

  // Dimension `position` of `shape` split into (pairs, 2).
  auto splitShape = [&](ArrayRef<int64_t> shape, unsigned position) {
    SmallVector<int64_t> split(shape);
    split[position] = pairs;
    split.insert(split.begin() + position + 1, 2);
    return split;
  };
  auto splitReassociation = [&](int64_t rank, unsigned position) {
    SmallVector<ReassociationIndices> groups;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t first = i <= int64_t(position) ? i : i + 1;
      groups.push_back(i == int64_t(position)
                           ? ReassociationIndices{first, first + 1}
                           : ReassociationIndices{first});
    }
    return groups;
  };
  // `map` over numLoops + 1 loops, the pair loop inserted at `position`.
  auto pairMap = [&](AffineMap map, std::optional<unsigned> position) {
    SmallVector<AffineExpr> results(map.getResults());
    if (position)
      results.insert(results.begin() + *position, pairExpr);
    return AffineMap::get(numLoops + 1, 0, results, context);
  };

  // A: widened to i16, the pair beside k2.
  SmallVector<int64_t> lhsShape = splitShape(lhsType.getShape(), *lhsK);
  auto lhsPairType = RankedTensorType::get(lhsShape, i16);
  Value lhs;
  if (std::optional<SmallVector<int8_t>> values =
          readInt8Constant(lhsOperand->get())) {
    SmallVector<int16_t> wide = llvm::map_to_vector(
        *values, [&](int8_t v) { return widen(v, kind.lhsSigned); });
    lhs = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(lhsPairType, ArrayRef<int16_t>(wide)));
  } else {
    auto wideType = RankedTensorType::get(lhsType.getShape(), i16);
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, wideType.getShape(), i16);
    AffineMap identity =
        AffineMap::getMultiDimIdentityMap(lhsType.getRank(), context);
    auto widening = linalg::GenericOp::create(
        rewriter, loc, wideType, lhsOperand->get(), empty,
        ArrayRef<AffineMap>{identity, identity},
        SmallVector<utils::IteratorType>(lhsType.getRank(),
                                         utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value wide =
              kind.lhsSigned
                  ? arith::ExtSIOp::create(b, l, i16, args[0]).getResult()
                  : arith::ExtUIOp::create(b, l, i16, args[0]).getResult();
          linalg::YieldOp::create(b, l, wide);
        });
    lhs = tensor::ExpandShapeOp::create(
        rewriter, loc, lhsPairType, widening.getResult(0),
        splitReassociation(lhsType.getRank(), *lhsK));
  }

  // B: a constant packed as i16 with the pair innermost; otherwise 8-bit
  // with the pair beside k2.
  Value rhs;
  bool packedRhs = false;
  std::optional<unsigned> rhsPairPosition = *rhsK + 1;
  std::optional<unsigned> rhsN;
  for (auto [r, expr] : llvm::enumerate(rhsMap.getResults()))
    if (expr == getAffineDimExpr(n, context))
      rhsN = r;
  std::optional<SmallVector<int8_t>> rhsValues;
  if (rhsN && rhsMap.isProjectedPermutation())
    rhsValues = readInt8Constant(rhsOperand->get());
  if (rhsValues) {
    // Packed: B's other dimensions (k halved), then n, then the pair, so
    // that a step's NR pairs are 2 NR contiguous i16.
    ArrayRef<int64_t> sourceShape = rhsType.getShape();
    int64_t rank = sourceShape.size();
    SmallVector<int64_t> order; // packed dimension -> B's dimension
    for (int64_t d = 0; d < rank; ++d)
      if (d != int64_t(*rhsN))
        order.push_back(d);
    order.push_back(*rhsN);
    SmallVector<int64_t> shape;
    SmallVector<AffineExpr> results;
    for (int64_t d : order) {
      shape.push_back(d == int64_t(*rhsK) ? pairs : sourceShape[d]);
      results.push_back(rhsMap.getResult(d));
    }
    shape.push_back(2);
    results.push_back(pairExpr);
    SmallVector<int64_t> sourceStrides(rank, 1);
    for (int64_t d = rank - 2; d >= 0; --d)
      sourceStrides[d] = sourceStrides[d + 1] * sourceShape[d + 1];
    SmallVector<int16_t> packed(rhsValues->size());
    SmallVector<int64_t> index(shape.size(), 0);
    for (int16_t &element : packed) {
      int64_t source = 0;
      for (int64_t p = 0; p < rank; ++p) {
        int64_t d = order[p];
        source +=
            sourceStrides[d] *
            (d == int64_t(*rhsK) ? 2 * index[p] + index.back() : index[p]);
      }
      element = widen((*rhsValues)[source], kind.rhsSigned);
      for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
        if (++index[d] < shape[d])
          break;
        index[d] = 0;
      }
    }
    rhs = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(RankedTensorType::get(shape, i16),
                               ArrayRef<int16_t>(packed)));
    rhsMap = AffineMap::get(numLoops, 0, results, context);
    rhsPairPosition = std::nullopt;
    packedRhs = true;
  } else {
    rhs = tensor::ExpandShapeOp::create(
        rewriter, loc,
        RankedTensorType::get(splitShape(rhsType.getShape(), *rhsK),
                              rhsType.getElementType()),
        rhsOperand->get(), splitReassociation(rhsType.getRank(), *rhsK));
  }

  SmallVector<AffineMap> maps = {
      pairMap(lhsMap, *lhsK + 1),
      packedRhs ? AffineMap::get(numLoops + 1, 0, rhsMap.getResults(), context)
                : pairMap(rhsMap, rhsPairPosition),
      pairMap(op.getMatchingIndexingMap(op.getDpsInitOperand(0)),
              std::nullopt)};
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  iterators.push_back(utils::IteratorType::reduction);
  Value init = op.getDpsInits()[0];
  auto generic = linalg::GenericOp::create(
      rewriter, loc, init.getType(), ValueRange{lhs, rhs}, init, maps,
      iterators, [&](OpBuilder &b, Location l, ValueRange args) {
        // A 16-bit operand holds the widened value already.
        yieldExtendedProduct(b, l, args,
                             kind.lhsSigned || args[0].getType().isInteger(16),
                             kind.rhsSigned || args[1].getType().isInteger(16));
      });
  rewriter.replaceOp(op, generic.getResults());
  // The widening of a computed A is element-wise: vectorized like others.
  if (auto expand = lhs.getDefiningOp<tensor::ExpandShapeOp>())
    if (auto widening = expand.getSrc().getDefiningOp<linalg::GenericOp>())
      (void)vectorizeElementwise(rewriter, widening, /*nr=*/32);
  return std::pair(cast<linalg::LinalgOp>(generic.getOperation()),
                   PairContraction{kind, pairLoop, packedRhs, bits});
}

LogicalResult muon::cpu::vectorizePairStep(RewriterBase &rewriter,
                                           linalg::LinalgOp step, unsigned m,
                                           unsigned n,
                                           const PairContraction &pair,
                                           int64_t bits) {
  FailureOr<StepVectors> vectors = getStepVectors(
      rewriter, step, m, n, pair.pairLoop, pair.packedRhs, "pair");
  if (failed(vectors))
    return failure();
  int64_t rows = vectors->rows, columns = vectors->columns, lanes = bits / 32;
  Location loc = step.getLoc();
  MLIRContext *context = rewriter.getContext();
  Type i8 = rewriter.getI8Type(), i16 = rewriter.getI16Type(),
       i32 = rewriter.getI32Type();
  Value zero = vectors->zero;
  Value aPairs =
      vectors->read(rewriter, loc, *vectors->lhs, vectors->lhsVector, i16);
  Value c =
      vectors->read(rewriter, loc, *vectors->init, vectors->initVector, i32);
  auto bPairsType = VectorType::get({2 * columns}, i16);
  Value bPairs;
  if (pair.packedRhs) {
    // The step's [1, ..., 1, NR, 2] slice of the packed B is contiguous: one
    // 1-D read (a 2-D one would be unrolled into NR reads of one pair).
    Value slice = vectors->rhs->get();
    auto sliceType = cast<RankedTensorType>(slice.getType());
    ReassociationIndices all =
        llvm::to_vector(llvm::seq<int64_t>(0, sliceType.getRank()));
    Value flat = tensor::CollapseShapeOp::create(
        rewriter, loc, slice, ArrayRef<ReassociationIndices>{all});
    Value padding =
        arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(i16));
    bPairs = vector::TransferReadOp::create(
        rewriter, loc, bPairsType, flat, ValueRange{zero},
        AffineMapAttr::get(AffineMap::getMinorIdentityMap(1, 1, context)),
        padding, /*mask=*/Value(), rewriter.getBoolArrayAttr({true}));
  } else {
    Value b =
        vectors->read(rewriter, loc, *vectors->rhs, vectors->rhsVector, i8);
    Value interleaved = vector::InterleaveOp::create(
        rewriter, loc, vector::ExtractOp::create(rewriter, loc, b, 0),
        vector::ExtractOp::create(rewriter, loc, b, 1));
    bPairs =
        pair.kind.rhsSigned
            ? arith::ExtSIOp::create(rewriter, loc, bPairsType, interleaved)
                  .getResult()
            : arith::ExtUIOp::create(rewriter, loc, bPairsType, interleaved)
                  .getResult();
  }
  auto pairsType = VectorType::get({2 * lanes}, i16);
  auto sumsType = VectorType::get({lanes}, i32);
  SmallVector<Value> bParts;
  for (int64_t j = 0; j < columns; j += lanes)
    bParts.push_back(vector::ExtractStridedSliceOp::create(
        rewriter, loc, bPairs, /*offsets=*/{2 * j}, /*sizes=*/{2 * lanes},
        /*strides=*/{1}));
  StringAttr intrinsic = rewriter.getStringAttr(pairDotIntrinsic(bits));
  for (int64_t i = 0; i < rows; ++i) {
    Value rowPair = vector::ExtractOp::create(rewriter, loc, aPairs, i);
    Value lane = vector::BitCastOp::create(rewriter, loc,
                                           VectorType::get({1}, i32), rowPair);
    Value splat = vector::BitCastOp::create(
        rewriter, loc, pairsType,
        vector::BroadcastOp::create(rewriter, loc, sumsType, lane));
    Value row = vector::ExtractOp::create(rewriter, loc, c, i);
    for (auto [part, bPart] : llvm::enumerate(bParts)) {
      int64_t offset = part * lanes;
      Value sums =
          LLVM::CallIntrinsicOp::create(rewriter, loc, sumsType, intrinsic,
                                        ValueRange{bPart, splat})
              .getResult(0);
      Value old = vector::ExtractStridedSliceOp::create(rewriter, loc, row,
                                                        {offset}, {lanes}, {1});
      row = vector::InsertStridedSliceOp::create(
          rewriter, loc, arith::AddIOp::create(rewriter, loc, old, sums), row,
          {offset}, {1});
    }
    c = vector::InsertOp::create(rewriter, loc, row, c, i);
  }
  replaceStepWithAccumulator(rewriter, loc, step, vectors->initVector.first, c,
                             zero);
  return success();
}

FailureOr<std::pair<linalg::LinalgOp, PairContraction>>
muon::cpu::splitIntoQuads(RewriterBase &rewriter, linalg::LinalgOp op,
                          unsigned m, unsigned k, EightBitContraction kind,
                          int64_t bits) {
  MLIRContext *context = rewriter.getContext();
  AffineExpr mExpr = getAffineDimExpr(m, context);
  AffineExpr kExpr = getAffineDimExpr(k, context);
  OpOperand *lhsOperand = op.getDpsInputOperand(0);
  OpOperand *rhsOperand = op.getDpsInputOperand(1);
  OpOperand *initOperand = op.getDpsInitOperand(0);
  AffineMap lhsMap = op.getMatchingIndexingMap(lhsOperand);
  AffineMap rhsMap = op.getMatchingIndexingMap(rhsOperand);
  AffineMap initMap = op.getMatchingIndexingMap(initOperand);
  if (!kind.lhsSigned || lhsMap.getNumResults() != 2 ||
      lhsMap.getResult(0) != mExpr || lhsMap.getResult(1) != kExpr)
    return failure();
  std::optional<unsigned> rhsK, initM;
  for (auto [r, expr] : llvm::enumerate(rhsMap.getResults())) {
    if (expr == kExpr && !rhsK)
      rhsK = r;
    else if (expr.isFunctionOfDim(k))
      return failure();
  }
  for (auto [r, expr] : llvm::enumerate(initMap.getResults()))
    if (expr == mExpr)
      initM = r;
  auto rhsType = cast<RankedTensorType>(rhsOperand->get().getType());
  auto initType = cast<RankedTensorType>(initOperand->get().getType());
  if (!rhsK || !initM || !rhsType.hasStaticShape() ||
      !initType.hasStaticShape())
    return failure();
  std::optional<SmallVector<int8_t>> weights =
      readInt8Constant(lhsOperand->get());
  if (!weights)
    return failure();
  int64_t rows = op.getStaticLoopRanges()[m];
  int64_t depth = op.getStaticLoopRanges()[k], quads = depth / 4;
  unsigned numLoops = op.getNumLoops(), quadLoop = numLoops;
  AffineExpr quadExpr = getAffineDimExpr(quadLoop, context);
  Location loc = op.getLoc();
  Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
  rewriter.setInsertionPoint(op);

  auto lhsType = RankedTensorType::get({rows, quads, 4}, i8);
  Value lhs = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(lhsType, ArrayRef<int8_t>(*weights)));
  SmallVector<int64_t> rhsShape(rhsType.getShape());
  rhsShape[*rhsK] = quads;
  rhsShape.insert(rhsShape.begin() + *rhsK + 1, 4);
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < rhsType.getRank(); ++i) {
    int64_t first = i <= int64_t(*rhsK) ? i : i + 1;
    groups.push_back(i == int64_t(*rhsK)
                         ? ReassociationIndices{first, first + 1}
                         : ReassociationIndices{first});
  }
  Value rhs = tensor::ExpandShapeOp::create(rewriter, loc,
                                            RankedTensorType::get(rhsShape, i8),
                                            rhsOperand->get(), groups);

  Value init = initOperand->get();
  bool offsetRhs = kind.rhsSigned;
  if (offsetRhs) {
    SmallVector<int32_t> correction(rows, 0);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < depth; ++j)
        correction[i] -= 128 * int32_t((*weights)[i * depth + j]);
    Value corrections = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(RankedTensorType::get({rows}, i32),
                               ArrayRef<int32_t>(correction)));
    int64_t rank = initType.getRank();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
    AffineMap perRow =
        AffineMap::get(rank, 0, getAffineDimExpr(*initM, context));
    // One pass over the accumulator: c + correction[i], or, when c is a
    // fill, the fill value + correction[i] written into the fill's tensor.
    SmallVector<Value> inputs = {corrections};
    SmallVector<AffineMap> maps = {perRow, identity};
    Value destination = init;
    std::optional<Value> fillValue;
    if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
      fillValue = fill.getInputs()[0];
      destination = fill.getOutputs()[0];
    } else {
      inputs.push_back(init);
      maps.insert(maps.begin() + 1, identity);
    }
    auto sum = linalg::GenericOp::create(
        rewriter, loc, initType, inputs, destination, maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value start = fillValue ? *fillValue : args[1];
          linalg::YieldOp::create(
              b, l, ValueRange{arith::AddIOp::create(b, l, start, args[0])});
        });
    init = sum.getResult(0);
  }

  auto withQuad = [&](AffineMap map, unsigned position) {
    SmallVector<AffineExpr> results(map.getResults());
    results.insert(results.begin() + position, quadExpr);
    return AffineMap::get(numLoops + 1, 0, results, context);
  };
  SmallVector<AffineMap> maps = {
      withQuad(lhsMap, 2), withQuad(rhsMap, *rhsK + 1),
      AffineMap::get(numLoops + 1, 0, initMap.getResults(), context)};
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  iterators.push_back(utils::IteratorType::reduction);
  rewriter.setInsertionPoint(op);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, initType, ValueRange{lhs, rhs}, init, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value a = arith::ExtSIOp::create(b, l, i32, args[0]);
        Value bValue = args[1];
        if (offsetRhs)
          bValue = arith::XOrIOp::create(
              b, l, bValue,
              arith::ConstantOp::create(b, l, b.getIntegerAttr(i8, -128)));
        Value product = arith::MulIOp::create(
            b, l, a, arith::ExtUIOp::create(b, l, i32, bValue));
        linalg::YieldOp::create(
            b, l, ValueRange{arith::AddIOp::create(b, l, args[2], product)});
      });
  rewriter.replaceOp(op, generic.getResults());
  // The correction is element-wise: vectorized like others (this replaces
  // the ops, and their uses in `generic`).
  if (offsetRhs)
    (void)vectorizeElementwise(
        rewriter, cast<linalg::LinalgOp>(init.getDefiningOp()), /*nr=*/16);
  PairContraction quad{kind, quadLoop, /*packedRhs=*/false, bits};
  quad.width = 4;
  quad.offsetRhs = offsetRhs;
  return std::pair(cast<linalg::LinalgOp>(generic.getOperation()), quad);
}

LogicalResult muon::cpu::vectorizeQuadStep(RewriterBase &rewriter,
                                           linalg::LinalgOp step, unsigned m,
                                           unsigned n,
                                           const PairContraction &quad) {
  FailureOr<StepVectors> vectors =
      getStepVectors(rewriter, step, m, n, quad.pairLoop,
                     /*packedRhs=*/false, "quad");
  if (failed(vectors))
    return failure();
  int64_t rows = vectors->rows, columns = vectors->columns,
          lanes = quad.bits / 32;
  Location loc = step.getLoc();
  Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
  Value a = vectors->read(rewriter, loc, *vectors->lhs, vectors->lhsVector, i8);
  Value b = vectors->read(rewriter, loc, *vectors->rhs, vectors->rhsVector, i8);
  Value c =
      vectors->read(rewriter, loc, *vectors->init, vectors->initVector, i32);
  auto row = [&](int64_t r) -> Value {
    return vector::ExtractOp::create(rewriter, loc, b, r);
  };
  // (b0, b2) and (b1, b3) interleaved, then those two: b0 b1 b2 b3 per lane.
  Value quads = vector::InterleaveOp::create(
      rewriter, loc,
      vector::InterleaveOp::create(rewriter, loc, row(0), row(2)),
      vector::InterleaveOp::create(rewriter, loc, row(1), row(3)));
  if (quad.offsetRhs)
    quads = arith::XOrIOp::create(
        rewriter, loc, quads,
        arith::ConstantOp::create(
            rewriter, loc,
            DenseElementsAttr::get(VectorType::get({4 * columns}, i8),
                                   rewriter.getIntegerAttr(i8, -128))));
  auto bytesType = VectorType::get({4 * lanes}, i8);
  auto sumsType = VectorType::get({lanes}, i32);
  SmallVector<Value> bParts;
  for (int64_t j = 0; j < columns; j += lanes)
    bParts.push_back(vector::ExtractStridedSliceOp::create(
        rewriter, loc, quads, /*offsets=*/{4 * j}, /*sizes=*/{4 * lanes},
        /*strides=*/{1}));
  StringAttr intrinsic =
      rewriter.getStringAttr(quad.bits == 512 ? "llvm.x86.avx512.vpdpbusd.512"
                                              : "llvm.x86.avx512.vpdpbusd.256");
  for (int64_t i = 0; i < rows; ++i) {
    Value lane = vector::BitCastOp::create(
        rewriter, loc, VectorType::get({1}, i32),
        vector::ExtractOp::create(rewriter, loc, a, i));
    Value splat = vector::BitCastOp::create(
        rewriter, loc, bytesType,
        vector::BroadcastOp::create(rewriter, loc, sumsType, lane));
    Value accumulators = vector::ExtractOp::create(rewriter, loc, c, i);
    for (auto [part, bPart] : llvm::enumerate(bParts)) {
      int64_t offset = part * lanes;
      Value old = vector::ExtractStridedSliceOp::create(
          rewriter, loc, accumulators, {offset}, {lanes}, {1});
      // Unsigned bytes (B) first, signed bytes (A) second.
      Value sums =
          LLVM::CallIntrinsicOp::create(rewriter, loc, sumsType, intrinsic,
                                        ValueRange{old, bPart, splat})
              .getResult(0);
      accumulators = vector::InsertStridedSliceOp::create(
          rewriter, loc, sums, accumulators, {offset}, {1});
    }
    c = vector::InsertOp::create(rewriter, loc, accumulators, c, i);
  }
  replaceStepWithAccumulator(rewriter, loc, step, vectors->initVector.first, c,
                             vectors->zero);
  return success();
}

LogicalResult muon::cpu::rewriteEightBitConvInIm2Col(
    RewriterBase &rewriter, linalg::LinalgOp conv, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> dilations, EightBitContraction kind,
    int64_t reductionMultiple) {
  Value input = conv.getDpsInputs()[0], filter = conv.getDpsInputs()[1];
  Value init = conv.getDpsInits()[0];
  auto inputType = cast<RankedTensorType>(input.getType());
  auto filterType = cast<RankedTensorType>(filter.getType());
  auto outputType = cast<RankedTensorType>(init.getType());
  if (!inputType.hasStaticShape() || !filterType.hasStaticShape() ||
      !outputType.hasStaticShape())
    return failure();
  int64_t n = inputType.getDimSize(0), c = inputType.getDimSize(1);
  int64_t kh = filterType.getDimSize(2), kw = filterType.getDimSize(3);
  int64_t oh = outputType.getDimSize(2), ow = outputType.getDimSize(3);
  int64_t reduction = c * kh * kw;
  // Only an odd reduction is padded: an even one has whole pairs already.
  int64_t extra = reduction % 2 == 0
                      ? 0
                      : llvm::alignTo(reduction, reductionMultiple) - reduction;
  Location loc = conv.getLoc();
  MLIRContext *context = rewriter.getContext();
  rewriter.setInsertionPoint(conv);
  Value patches;
  bool pointwise = kh == 1 && kw == 1 && strides[0] == 1 && strides[1] == 1 &&
                   inputType.getDimSize(2) == oh &&
                   inputType.getDimSize(3) == ow;
  if (pointwise) {
    // A 1x1 convolution's patches are its input.
    patches = tensor::CollapseShapeOp::create(
        rewriter, loc, input, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    if (extra)
      patches = padWithZeros(rewriter, loc, patches, 1, extra);
  } else {
    Type i8 = rewriter.getI8Type();
    auto index = [&](int64_t value) -> Value {
      return arith::ConstantIndexOp::create(rewriter, loc, value);
    };
    Value zero = index(0), one = index(1);
    Value padding =
        arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(i8));
    // [N, C, KH, KW, OH, OW], or [N, C KH KW + extra, OH, OW] when padded,
    // its last `extra` rows zeros.
    SmallVector<int64_t> patchesShape = {n, c, kh, kw, oh, ow};
    if (extra)
      patchesShape = {n, reduction + extra, oh, ow};
    int64_t patchesRank = patchesShape.size();
    Value empty = tensor::EmptyOp::create(rewriter, loc, patchesShape, i8);
    if (extra) {
      SmallVector<OpFoldResult> offsets = {
          rewriter.getIndexAttr(0), rewriter.getIndexAttr(reduction),
          rewriter.getIndexAttr(0), rewriter.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes = {
          rewriter.getIndexAttr(n), rewriter.getIndexAttr(extra),
          rewriter.getIndexAttr(oh), rewriter.getIndexAttr(ow)};
      SmallVector<OpFoldResult> unitStrides(4, rewriter.getIndexAttr(1));
      Value rows = tensor::ExtractSliceOp::create(rewriter, loc, empty, offsets,
                                                  sizes, unitStrides);
      Value zeros =
          linalg::FillOp::create(rewriter, loc, padding, rows).getResult(0);
      empty = tensor::InsertSliceOp::create(rewriter, loc, zeros, empty,
                                            offsets, sizes, unitStrides);
    }
    int64_t span = (ow - 1) * strides[1] + 1;
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, SmallVector<Value>(5, zero),
        {index(n), index(c), index(kh), index(kw), index(oh)},
        SmallVector<Value>(5, one), ValueRange{empty},
        [&](OpBuilder &b, Location l, ValueRange ivs,
            ValueRange patches) -> scf::ValueVector {
          AffineExpr y, ky, kx;
          bindDims(context, y, ky, kx);
          Value row = affine::AffineApplyOp::create(
              b, l, AffineMap::get(3, 0, y * strides[0] + ky * dilations[0]),
              ValueRange{ivs[4], ivs[2], ivs[3]});
          Value column = affine::AffineApplyOp::create(
              b, l, AffineMap::get(3, 0, kx * dilations[1]),
              ValueRange{ivs[4], ivs[2], ivs[3]});
          Value pixels = vector::TransferReadOp::create(
              b, l, VectorType::get({span}, i8), input,
              ValueRange{ivs[0], ivs[1], row, column},
              AffineMapAttr::get(AffineMap::getMinorIdentityMap(4, 1, context)),
              padding, /*mask=*/Value(), b.getBoolArrayAttr({true}));
          if (strides[1] != 1) {
            SmallVector<int64_t> every;
            for (int64_t x = 0; x < ow; ++x)
              every.push_back(x * strides[1]);
            pixels = vector::ShuffleOp::create(b, l, pixels, pixels, every);
          }
          SmallVector<Value> destination = {ivs[0], ivs[1], ivs[2],
                                            ivs[3], ivs[4], zero};
          if (extra) {
            AffineExpr channel, ky, kx;
            bindDims(context, channel, ky, kx);
            Value tap = affine::AffineApplyOp::create(
                b, l, AffineMap::get(3, 0, (channel * kh + ky) * kw + kx),
                ValueRange{ivs[1], ivs[2], ivs[3]});
            destination = {ivs[0], tap, ivs[4], zero};
          }
          Value written = vector::TransferWriteOp::create(
                              b, l, pixels, patches[0], destination,
                              AffineMapAttr::get(AffineMap::getMinorIdentityMap(
                                  patchesRank, 1, context)),
                              b.getBoolArrayAttr({true}))
                              .getResult();
          return {written};
        });
    SmallVector<ReassociationIndices> patchesGroups = {{0}, {1, 2, 3}, {4, 5}};
    if (extra)
      patchesGroups = {{0}, {1}, {2, 3}};
    patches = tensor::CollapseShapeOp::create(rewriter, loc, nest.results[0],
                                              patchesGroups);
  }
  Value weights = tensor::CollapseShapeOp::create(
      rewriter, loc, filter, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
  if (extra)
    weights = padWithZeros(rewriter, loc, weights, 1, extra);
  SmallVector<ReassociationIndices> outputGroups = {{0}, {1}, {2, 3}};
  Value outputInit =
      tensor::CollapseShapeOp::create(rewriter, loc, init, outputGroups);
  // Loops (n, f, p, k): filter (f, k), patches (n, k, p), output (n, f, p).
  AffineExpr dn, df, dp, dk;
  bindDims(context, dn, df, dp, dk);
  SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {df, dk}, context),
                                 AffineMap::get(4, 0, {dn, dk, dp}, context),
                                 AffineMap::get(4, 0, {dn, df, dp}, context)};
  using utils::IteratorType;
  auto product = linalg::GenericOp::create(
      rewriter, loc, outputInit.getType(), ValueRange{weights, patches},
      outputInit, maps,
      {IteratorType::parallel, IteratorType::parallel, IteratorType::parallel,
       IteratorType::reduction},
      [&](OpBuilder &b, Location l, ValueRange args) {
        yieldExtendedProduct(b, l, args, kind.rhsSigned, kind.lhsSigned);
      });
  rewriter.replaceOp(
      conv, tensor::ExpandShapeOp::create(rewriter, loc, outputType,
                                          product.getResult(0), outputGroups)
                .getResult());
  return success();
}

void muon::cpu::readStridedBytesContiguously(RewriterBase &rewriter,
                                             func::FuncOp func) {
  SmallVector<vector::TransferReadOp> reads;
  func.walk([&](vector::TransferReadOp read) { reads.push_back(read); });
  MLIRContext *context = rewriter.getContext();
  for (vector::TransferReadOp read : reads) {
    VectorType type = read.getVectorType();
    auto sourceType = dyn_cast<RankedTensorType>(read.getBase().getType());
    if (!sourceType || !type.getElementType().isInteger(8) || read.getMask() ||
        !read.getPermutationMap().isMinorIdentity() ||
        type.getNumElements() != type.getShape().back())
      continue;
    // In bounds: marked so, or (as the vectorizer leaves a tile's reads,
    // before canonicalization marks them) read from index 0 of a static
    // tensor at least as large.
    bool fromOrigin = sourceType.hasStaticShape() &&
                      llvm::all_of(read.getIndices(), [](Value index) {
                        return isZeroInteger(getAsOpFoldResult(index));
                      });
    ArrayRef<int64_t> covered = sourceType.getShape().take_back(type.getRank());
    bool inBounds =
        llvm::all_of(read.getInBoundsValues(), [](bool b) { return b; }) ||
        (fromOrigin &&
         llvm::all_of(llvm::zip(type.getShape(), covered), [](auto sizes) {
           return std::get<0>(sizes) <= std::get<1>(sizes);
         }));
    if (!inBounds)
      continue;
    // The chain of rank-preserving slices with static strides under the
    // read, composed into offsets and strides in the tensor they slice.
    int64_t rank = sourceType.getRank();
    SmallVector<OpFoldResult> offsets = getAsOpFoldResult(read.getIndices());
    SmallVector<int64_t> strides(rank, 1);
    Value source = read.getBase();
    Location loc = read.getLoc();
    rewriter.setInsertionPoint(read);
    while (auto slice = source.getDefiningOp<tensor::ExtractSliceOp>()) {
      if (slice.getSourceType().getRank() != rank ||
          ShapedType::isDynamicShape(slice.getStaticStrides()))
        break;
      for (int64_t d = 0; d < rank; ++d) {
        int64_t sliceStride = slice.getStaticStrides()[d];
        AffineExpr base, index;
        bindSymbols(context, base, index);
        offsets[d] = affine::makeComposedFoldedAffineApply(
            rewriter, loc, base + index * sliceStride,
            {slice.getMixedOffsets()[d], offsets[d]});
        strides[d] *= sliceStride;
      }
      source = slice.getSource();
    }
    int64_t stride = strides.back(), lanes = type.getShape().back();
    if (stride <= 1)
      continue;
    // The offset's bounds come from the loops of the tile around the read.
    int64_t span = (lanes - 1) * stride + 1, before = 0;
    auto baseType = dyn_cast<RankedTensorType>(source.getType());
    if (baseType && !baseType.isDynamicDim(rank - 1)) {
      auto bound = [&](presburger::BoundType type) {
        return ValueBoundsConstraintSet::computeConstantBound(
            type, offsets.back(), /*stopCondition=*/nullptr,
            /*closedUB=*/true);
      };
      FailureOr<int64_t> highest = bound(presburger::BoundType::UB);
      FailureOr<int64_t> lowest = bound(presburger::BoundType::LB);
      if (succeeded(highest) &&
          *highest + lanes * stride <= baseType.getDimSize(rank - 1)) {
        span = lanes * stride;
      } else if (succeeded(lowest) && *lowest >= stride - 1) {
        span = lanes * stride;
        before = stride - 1;
        AffineExpr offset;
        bindSymbols(context, offset);
        offsets.back() = affine::makeComposedFoldedAffineApply(
            rewriter, loc, offset - before, {offsets.back()});
      }
    }
    Value wide = vector::TransferReadOp::create(
        rewriter, loc, VectorType::get({span}, type.getElementType()), source,
        getValueOrCreateConstantIndexOp(rewriter, loc, offsets),
        AffineMapAttr::get(AffineMap::getMinorIdentityMap(rank, 1, context)),
        read.getPadding(), /*mask=*/Value(), rewriter.getBoolArrayAttr({true}));
    SmallVector<int64_t> every;
    for (int64_t i = 0; i < lanes; ++i)
      every.push_back(before + i * stride);
    Value picked = vector::ShuffleOp::create(rewriter, loc, wide, wide, every);
    rewriter.replaceOp(
        read, vector::ShapeCastOp::create(rewriter, loc, type, picked));
  }
}
