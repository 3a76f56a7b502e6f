//===- TileAndVectorize.cpp - Register blocking and vectorization ---------===//
//
// Speed on a CPU comes from keeping a block of the output in vector
// registers while the reduction streams through it. This pass shapes every
// contraction into that form on tensors: tile the output to MR x NR, tile
// the reduction to single steps, and vectorize each step into an outer
// product. Bufferization and `hoistRedundantVectorTransfers` later move the
// accumulator out of the reduction loop into registers.
//
// Stride-1 convolutions get the same form directly: a block is MR output
// channels x NR output columns of one output row, a step one (channel,
// kernel row, kernel column) tap, the outer product of MR filter weights and
// NR consecutive input pixels. Other convolutions become a matrix product
// over im2col patches.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"

namespace muon {
#define GEN_PASS_DEF_MUONTILEANDVECTORIZE
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

LogicalResult vectorizeElementwise(RewriterBase &rewriter, linalg::LinalgOp op,
                                   int64_t nr);

/// Tiles `op` by `sizes` (0 = not tiled) and returns the tiled op, or `op`
/// itself when nothing is tiled.
FailureOr<linalg::LinalgOp> tile(RewriterBase &rewriter, linalg::LinalgOp op,
                                 ArrayRef<int64_t> sizes) {
  if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
    return op;
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return cast<linalg::LinalgOp>(tiled->tiledOps.front());
}

/// Tiles `op` by `sizes` and vectorizes the tile; a dimension's vector size
/// is its tile size, or its full (static) extent when it is not tiled.
LogicalResult tileAndVectorize(RewriterBase &rewriter, linalg::LinalgOp op,
                               ArrayRef<int64_t> sizes) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<int64_t> vectorSizes;
  for (auto [size, range] : llvm::zip(sizes, ranges)) {
    if (ShapedType::isDynamic(range))
      return failure();
    vectorSizes.push_back(size ? size : range);
  }
  FailureOr<linalg::LinalgOp> tiled = tile(rewriter, op, sizes);
  if (failed(tiled))
    return failure();
  rewriter.setInsertionPoint(*tiled);
  if (!tiled->hasDynamicShape())
    vectorSizes.clear();
  FailureOr<linalg::VectorizationResult> vectorized =
      linalg::vectorize(rewriter, *tiled, vectorSizes);
  if (failed(vectorized))
    return failure();
  rewriter.replaceOp(*tiled, vectorized->replacements);
  return success();
}

/// Blocks an op whose output block is `mr` along loop `rowDim` by `nr`
/// along loop `colDim`: calls `blockFn(part, mr, nr)` on parts of `op` in
/// which those extents are multiples of the block sizes (or smaller than
/// them). An extent that is not is first split into a part that is and a
/// remainder, blocked at half the size along that dimension (recursively),
/// so a 17-wide remainder of 32 becomes 16 + 1 rather than one 17-wide block
/// that straddles vector registers; for the same reason a column extent
/// below `nr` is blocked at the largest power-of-two fraction of `nr` that
/// fits (28 columns of 32 become 16 + 8 + 4). Every block has a static shape
/// and no vector needs a mask.
using BlockFn =
    function_ref<LogicalResult(linalg::LinalgOp part, int64_t mr, int64_t nr)>;
LogicalResult splitIntoWholeBlocks(RewriterBase &rewriter, linalg::LinalgOp op,
                                   unsigned rowDim, unsigned colDim, int64_t mr,
                                   int64_t nr, BlockFn blockFn) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  while (nr > 1 && ranges[colDim] < nr)
    nr /= 2;
  for (auto [dim, size] : {std::pair(rowDim, mr), std::pair(colDim, nr)}) {
    int64_t range = ranges[dim];
    if (range <= size || range % size == 0)
      continue;
    rewriter.setInsertionPoint(op);
    auto [whole, rest] =
        linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()), dim,
                        rewriter.getIndexAttr(range - range % size));
    bool rows = dim == rowDim;
    if (failed(splitIntoWholeBlocks(
            rewriter, cast<linalg::LinalgOp>(whole.getOperation()), rowDim,
            colDim, mr, nr, blockFn)) ||
        failed(splitIntoWholeBlocks(
            rewriter, cast<linalg::LinalgOp>(rest.getOperation()), rowDim,
            colDim, rows ? std::max<int64_t>(mr / 2, 1) : mr,
            rows ? nr : std::max<int64_t>(nr / 2, 1), blockFn)))
      return failure();
    return success();
  }
  return blockFn(op, mr, nr);
}

/// Tiles `op` into output blocks (`blockSizes`) and those into reduction
/// steps (`stepSizes`); returns the step op.
FailureOr<linalg::LinalgOp> tileIntoSteps(RewriterBase &rewriter,
                                          linalg::LinalgOp op,
                                          ArrayRef<int64_t> blockSizes,
                                          ArrayRef<int64_t> stepSizes) {
  FailureOr<linalg::LinalgOp> block = tile(rewriter, op, blockSizes);
  if (failed(block))
    return failure();
  return tile(rewriter, *block, stepSizes);
}

/// How an int32 contraction of two 8-bit operands widens them: its body is
/// `out + ext(a) * ext(b)` with each `ext` an arith.extsi or arith.extui from
/// i8 (named ops spell their implicit casts the same way in their region).
struct EightBitContraction {
  bool lhsSigned, rhsSigned;
};

/// `op`'s operand extensions when it is an int32 contraction of two 8-bit
/// inputs.
std::optional<EightBitContraction>
matchEightBitContraction(linalg::LinalgOp op) {
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
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddIOp>();
  if (!add)
    return std::nullopt;
  Value accumulator = body->getArgument(2);
  Value product = add.getLhs() == accumulator   ? add.getRhs()
                  : add.getRhs() == accumulator ? add.getLhs()
                                                : Value();
  auto mul = product ? product.getDefiningOp<arith::MulIOp>() : nullptr;
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
StringRef pairDotIntrinsic(int64_t bits) {
  return bits == 512 ? "llvm.x86.avx512.pmaddw.d.512"
                     : "llvm.x86.avx2.pmadd.wd";
}

/// The permutation map and shape of the vector of loops `loopDims` of
/// operand `operand` of `step` (every other loop of extent 1): vector
/// dimension i comes from the operand dimension whose index expression uses
/// loop loopDims[i] and has its extent.
FailureOr<std::pair<AffineMap, SmallVector<int64_t>>>
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
Value readStepOperand(RewriterBase &rewriter, Location loc, OpOperand &operand,
                      AffineMap map, ArrayRef<int64_t> shape, Type elementType,
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

/// An 8-bit contraction in the form vectorizePairStep computes: its
/// reduction over k split into k2 (the old loop k, half the extent) and a
/// new innermost loop `pairLoop` of extent 2, with A widened to i16 and
/// B either widened to i16 and packed with the pair innermost (a constant)
/// or 8-bit with the pair beside k2.
struct PairContraction {
  EightBitContraction kind;
  unsigned pairLoop;
  bool packedRhs;
  /// The vector width in bits of the dot product instruction.
  int64_t bits;
  /// 4 for the quad form (see splitIntoQuads), whose B holds b + 128 when
  /// `offsetRhs`.
  int64_t width = 2;
  bool offsetRhs = false;
};

/// The values of an int8 constant, possibly reshaped, in row-major order.
std::optional<SmallVector<int8_t>> readInt8Constant(Value value) {
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
int16_t widen(int8_t value, bool isSigned) {
  return isSigned ? int16_t(value) : int16_t(uint8_t(value));
}

/// The 8-bit tensor `value` (static shape) with `extra` zeros appended along
/// dimension `dim`: a new constant when `value` is an int8 constant (so that
/// the pair and quad forms still find a constant to pack at compile time),
/// else a tensor.pad. A zero adds nothing to an integer dot product, so a
/// reduction padded in both operands is exact.
Value padWithZeros(RewriterBase &rewriter, Location loc, Value value,
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

/// The 8-bit contraction `op` (projected-permutation maps, reduction loop
/// `k` a plain dimension of both inputs) with its reduction padded by
/// `extra` zero steps, in both inputs, so that it splits into pairs.
FailureOr<linalg::LinalgOp> padReduction(RewriterBase &rewriter,
                                         linalg::LinalgOp op, unsigned k,
                                         int64_t extra) {
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

/// Rewrites the 8-bit contraction `op` (reduction loop `k` of even extent,
/// a plain dimension of both inputs and used nowhere else in them) into its
/// PairContraction form. A is widened once, before the contraction (at
/// compile time when it is a constant), so that each of its pairs is one
/// 32-bit lane to broadcast; a constant B is packed at compile time into the
/// interleaved i16 rows the pair dot product reads.
FailureOr<std::pair<linalg::LinalgOp, PairContraction>>
splitIntoPairs(RewriterBase &rewriter, linalg::LinalgOp op, unsigned n,
               unsigned k, EightBitContraction kind, int64_t bits) {
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
        Type i32 = b.getI32Type();
        // A 16-bit operand holds the widened value already.
        auto extend = [&](Value v, bool isSigned) -> Value {
          if (isSigned || v.getType().isInteger(16))
            return arith::ExtSIOp::create(b, l, i32, v);
          return arith::ExtUIOp::create(b, l, i32, v);
        };
        Value product =
            arith::MulIOp::create(b, l, extend(args[0], kind.lhsSigned),
                                  extend(args[1], kind.rhsSigned));
        linalg::YieldOp::create(
            b, l, ValueRange{arith::AddIOp::create(b, l, args[2], product)});
      });
  rewriter.replaceOp(op, generic.getResults());
  // The widening of a computed A is element-wise: vectorized like others.
  if (auto expand = lhs.getDefiningOp<tensor::ExpandShapeOp>())
    if (auto widening = expand.getSrc().getDefiningOp<linalg::GenericOp>())
      (void)vectorizeElementwise(rewriter, widening, /*nr=*/32);
  return std::pair(cast<linalg::LinalgOp>(generic.getOperation()),
                   PairContraction{kind, pairLoop, packedRhs, bits});
}

/// One reduction step of an 8-bit contraction in PairContraction form
/// (`step`: an MR x NR block of the output along loops `m` x `n`, extent 2
/// along the pair loop, 1 along the others) with pair dot products on
/// `bits`-wide vectors. B's pairs (b[k][j], b[k+1][j]) fill 32-bit lane j
/// (read as such when packed, else B's two rows are widened and
/// interleaved); for each of A's MR rows, the row's pair (a[i][k],
/// a[i][k+1]) is broadcast to every 32-bit lane, and lane j of the pair dot
/// product is the step's exact contribution to c[i][j].
LogicalResult vectorizePairStep(RewriterBase &rewriter, linalg::LinalgOp step,
                                unsigned m, unsigned n,
                                const PairContraction &pair, int64_t bits) {
  unsigned t = pair.pairLoop;
  OpOperand &lhsOperand = *step.getDpsInputOperand(0);
  OpOperand &rhsOperand = *step.getDpsInputOperand(1);
  OpOperand &initOperand = *step.getDpsInitOperand(0);
  auto lhsVector = stepOperandVector(step, lhsOperand, {m, t});
  auto rhsVector = stepOperandVector(step, rhsOperand,
                                     pair.packedRhs ? ArrayRef<unsigned>{n, t}
                                                    : ArrayRef<unsigned>{t, n});
  auto initVector = stepOperandVector(step, initOperand, {m, n});
  if (failed(lhsVector) || failed(rhsVector) || failed(initVector))
    return step->emitOpError("pair step of unexpected operand shapes");
  SmallVector<int64_t> ranges = step.getStaticLoopRanges();
  int64_t rows = ranges[m], columns = ranges[n], lanes = bits / 32;
  Location loc = step.getLoc();
  MLIRContext *context = rewriter.getContext();
  rewriter.setInsertionPoint(step);
  Type i8 = rewriter.getI8Type(), i16 = rewriter.getI16Type(),
       i32 = rewriter.getI32Type();
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  auto read = [&](OpOperand &operand, AffineMap map, ArrayRef<int64_t> shape,
                  Type elementType) {
    return readStepOperand(rewriter, loc, operand, map, shape, elementType,
                           zero);
  };
  Value aPairs = read(lhsOperand, lhsVector->first, lhsVector->second, i16);
  Value c = read(initOperand, initVector->first, initVector->second, i32);
  auto bPairsType = VectorType::get({2 * columns}, i16);
  Value bPairs;
  if (pair.packedRhs) {
    // The step's [1, ..., 1, NR, 2] slice of the packed B is contiguous: one
    // 1-D read (a 2-D one would be unrolled into NR reads of one pair).
    Value slice = rhsOperand.get();
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
    Value b = read(rhsOperand, rhsVector->first, rhsVector->second, i8);
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
  auto write = vector::TransferWriteOp::create(
      rewriter, loc, c, initOperand.get(),
      SmallVector<Value>(
          cast<ShapedType>(initOperand.get().getType()).getRank(), zero),
      AffineMapAttr::get(initVector->first),
      rewriter.getBoolArrayAttr(SmallVector<bool>(2, true)));
  rewriter.replaceOp(step, write.getResult());
  return success();
}

/// Rewrites the 8-bit contraction `op`, whose A is a constant int8 matrix
/// indexed (m, k) and whose B uses `k` as a plain dimension (nowhere else),
/// into its quad form: loop k becomes k4 (a quarter of its extent) and a new
/// innermost loop of extent 4 takes the quad, A is the same constant viewed
/// as [M, K/4, 4] (each row's quad one 32-bit lane to broadcast), B is
/// viewed as [.., K/4, 4, ..]. The quad dot product multiplies unsigned B
/// bytes by signed A bytes, so a signed B is computed as b + 128 (its bits
/// with the top one flipped, read as uint8) and the accumulator starts at
/// c - 128 * sum_k a[i][k], computed at compile time.
FailureOr<std::pair<linalg::LinalgOp, PairContraction>>
splitIntoQuads(RewriterBase &rewriter, linalg::LinalgOp op, unsigned m,
               unsigned k, EightBitContraction kind, int64_t bits) {
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

/// One reduction step of an 8-bit contraction in quad form (`step`: an
/// MR x NR block of the output along loops `m` x `n`, extent 4 along the
/// quad loop): B's four rows interleaved into quads (b[k..k+3][j] in 32-bit
/// lane j, offset to uint8 when signed), each of A's MR rows' quad
/// broadcast to every lane, and `vpdpbusd` adds the four products of each
/// lane to c[i][j].
LogicalResult vectorizeQuadStep(RewriterBase &rewriter, linalg::LinalgOp step,
                                unsigned m, unsigned n,
                                const PairContraction &quad) {
  unsigned t = quad.pairLoop;
  OpOperand &lhsOperand = *step.getDpsInputOperand(0);
  OpOperand &rhsOperand = *step.getDpsInputOperand(1);
  OpOperand &initOperand = *step.getDpsInitOperand(0);
  auto lhsVector = stepOperandVector(step, lhsOperand, {m, t});
  auto rhsVector = stepOperandVector(step, rhsOperand, {t, n});
  auto initVector = stepOperandVector(step, initOperand, {m, n});
  if (failed(lhsVector) || failed(rhsVector) || failed(initVector))
    return step->emitOpError("quad step of unexpected operand shapes");
  SmallVector<int64_t> ranges = step.getStaticLoopRanges();
  int64_t rows = ranges[m], columns = ranges[n], lanes = quad.bits / 32;
  Location loc = step.getLoc();
  rewriter.setInsertionPoint(step);
  Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  auto read = [&](OpOperand &operand, AffineMap map, ArrayRef<int64_t> shape,
                  Type elementType) {
    return readStepOperand(rewriter, loc, operand, map, shape, elementType,
                           zero);
  };
  Value a = read(lhsOperand, lhsVector->first, lhsVector->second, i8);
  Value b = read(rhsOperand, rhsVector->first, rhsVector->second, i8);
  Value c = read(initOperand, initVector->first, initVector->second, i32);
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
  auto write = vector::TransferWriteOp::create(
      rewriter, loc, c, initOperand.get(),
      SmallVector<Value>(
          cast<ShapedType>(initOperand.get().getType()).getRank(), zero),
      AffineMapAttr::get(initVector->first),
      rewriter.getBoolArrayAttr(SmallVector<bool>(2, true)));
  rewriter.replaceOp(step, write.getResult());
  return success();
}

/// Tiles one whole-block part of a contraction into MR x NR blocks and
/// reduction steps of 1 (of one pair for a PairContraction whose blocks are
/// whole `pairDotBits` vectors of i32), and vectorizes each step.
LogicalResult
vectorizeContractionBlocks(RewriterBase &rewriter, linalg::LinalgOp op,
                           const linalg::ContractionDimensions &dims,
                           int64_t mr, int64_t nr,
                           const PairContraction *pair) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned numLoops = op.getNumLoops();
  SmallVector<int64_t> blockSizes(numLoops, 0), stepSizes(numLoops, 0);
  for (ArrayRef<unsigned> outer :
       {ArrayRef(dims.batch), ArrayRef(dims.m), ArrayRef(dims.n)})
    for (unsigned d : outer)
      blockSizes[d] = 1;
  blockSizes[dims.m.back()] = std::min(mr, ranges[dims.m.back()]);
  blockSizes[dims.n.back()] = std::min(nr, ranges[dims.n.back()]);
  for (unsigned d : dims.k)
    stepSizes[d] = 1;
  // Blocks narrower than a vector of i32 (remainders) use the generic
  // vectorization of the pair form: still exact, not as fast.
  bool pairSteps = pair && blockSizes[dims.n.back()] % (pair->bits / 32) == 0;
  if (pair)
    stepSizes[pair->pairLoop] = pairSteps ? 0 : 1;
  // `op` is replaced from here on.
  FailureOr<linalg::LinalgOp> step =
      tileIntoSteps(rewriter, op, blockSizes, stepSizes);
  if (failed(step))
    return failure();
  if (pairSteps && pair->width == 4)
    return vectorizeQuadStep(rewriter, *step, dims.m.back(), dims.n.back(),
                             *pair);
  if (pairSteps)
    return vectorizePairStep(rewriter, *step, dims.m.back(), dims.n.back(),
                             *pair, pair->bits);
  rewriter.setInsertionPoint(*step);
  // A vector.contract (rather than multiply + reduce) lowers to FMAs.
  FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
      rewriter, *step, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
      /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
      /*assumeDynamicDimsMatchVecSizes=*/false,
      /*createNamedContraction=*/true);
  if (failed(vectorized))
    return failure();
  rewriter.replaceOp(*step, vectorized->replacements);
  return success();
}

/// MR x NR output blocks, reduction steps of 1 (or of one pair or quad),
/// batch dimensions of 1. An int32 contraction of 8-bit operands (input 0
/// along m, input 1 along n) is first rewritten into its quad form when the
/// target has quad dot products of `quadDotBits` and A is a constant int8
/// matrix, else into its pair form when it has pair dot products of
/// `pairDotBits` and the reduction is even.
LogicalResult vectorizeContraction(RewriterBase &rewriter, linalg::LinalgOp op,
                                   int64_t mr, int64_t nr, int64_t pairDotBits,
                                   int64_t quadDotBits) {
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  std::optional<PairContraction> pair;
  std::optional<EightBitContraction> kind;
  if (pairDotBits == 256 || pairDotBits == 512)
    kind = matchEightBitContraction(op);
  unsigned m = dims->m.back(), n = dims->n.back(), k = dims->k.back();
  // Only matrix-product maps: a convolution that inferContractionDims
  // accepts (a grouped one) keeps the generic vectorization.
  AffineMap lhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap rhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  if (kind && lhsMap.isProjectedPermutation() &&
      rhsMap.isProjectedPermutation() && !lhsMap.isFunctionOfDim(n) &&
      !rhsMap.isFunctionOfDim(m)) {
    // An odd reduction takes one zero step more, in both operands (an 8-bit
    // convolution's patches and filter come padded already).
    if (ranges[k] % 2 != 0) {
      FailureOr<linalg::LinalgOp> padded =
          padReduction(rewriter, op, k, /*extra=*/1);
      if (succeeded(padded)) {
        op = *padded;
        ranges = op.getStaticLoopRanges();
      }
    }
    FailureOr<std::pair<linalg::LinalgOp, PairContraction>> split = failure();
    if ((quadDotBits == 256 || quadDotBits == 512) && ranges[k] % 4 == 0)
      split = splitIntoQuads(rewriter, op, m, k, *kind, quadDotBits);
    if (failed(split) && ranges[k] % 2 == 0)
      split = splitIntoPairs(rewriter, op, n, k, *kind, pairDotBits);
    if (succeeded(split)) {
      op = split->first;
      pair = split->second;
      dims->k.push_back(pair->pairLoop);
    }
  }
  return splitIntoWholeBlocks(
      rewriter, op, m, n, mr, nr,
      [&](linalg::LinalgOp part, int64_t mr, int64_t nr) {
        return vectorizeContractionBlocks(rewriter, part, *dims, mr, nr,
                                          pair ? &*pair : nullptr);
      });
}

/// The fraction of vector lanes that do useful work when a row of `width`
/// columns is cut into blocks as splitIntoWholeBlocks does, with vectors of
/// `lanes` elements.
double laneUtilization(int64_t width, int64_t nr, int64_t lanes) {
  int64_t vectors = 0;
  for (int64_t rest = width, size = nr; rest > 0; size /= 2) {
    while (size > 1 && rest < size)
      size /= 2;
    int64_t blocks = rest / size;
    vectors += blocks * llvm::divideCeil(size, lanes);
    rest -= blocks * size;
  }
  return double(width) / double(vectors * lanes);
}

/// Whether vectorizeDirectConvolution applies: unit strides and dilations,
/// static shapes, and output rows that fill the vectors (a 56-wide row cut
/// 32 + 16 + 8 does, at 88 %; a 28-wide row cut 16 + 8 + 4 does not, and a
/// matrix product over im2col patches of all its rows together is faster).
bool isDirectConvolution(linalg::Conv2DNchwFchwOp conv, int64_t nr) {
  auto unit = [](DenseIntElementsAttr values) {
    return llvm::all_of(values.getValues<int64_t>(),
                        [](int64_t v) { return v == 1; });
  };
  // Loops: n, f, oh, ow, c, kh, kw. The register block holds two vectors
  // per row (8x32 with AVX-512, 6x16 with AVX2).
  SmallVector<int64_t> ranges = conv.getStaticLoopRanges();
  return unit(conv.getStrides()) && unit(conv.getDilations()) &&
         !llvm::any_of(ranges, ShapedType::isDynamic) &&
         laneUtilization(ranges[3], nr, std::max<int64_t>(nr / 2, 1)) >= 0.85;
}

/// Conv2D (NCHW input, FCHW filter) as isDirectConvolution accepts: output
/// blocks of MR filters x NR columns of one output row, and steps of one
/// (channel, kernel row, kernel column) tap, each an outer product of the
/// tap's MR filter weights and NR consecutive input pixels.
LogicalResult vectorizeDirectConvolution(RewriterBase &rewriter,
                                         linalg::Conv2DNchwFchwOp conv,
                                         int64_t mr, int64_t nr) {
  return splitIntoWholeBlocks(
      rewriter, cast<linalg::LinalgOp>(conv.getOperation()), /*rowDim=*/1,
      /*colDim=*/3, mr, nr,
      [&](linalg::LinalgOp part, int64_t mr, int64_t nr) -> LogicalResult {
        SmallVector<int64_t> partRanges = part.getStaticLoopRanges();
        int64_t rows = std::min(mr, partRanges[1]);
        int64_t columns = std::min(nr, partRanges[3]);
        FailureOr<linalg::LinalgOp> step =
            tileIntoSteps(rewriter, part, {1, rows, 1, columns, 0, 0, 0},
                          {0, 0, 0, 0, 1, 1, 1});
        if (failed(step))
          return failure();
        // The step reads input [1, 1, 1, columns], filter [rows, 1, 1, 1]
        // and accumulates into output [1, rows, 1, columns].
        Value input = step->getDpsInputOperand(0)->get();
        Value filter = step->getDpsInputOperand(1)->get();
        Value output = step->getDpsInitOperand(0)->get();
        auto elementType = getElementTypeOrSelf(output.getType());
        if (!cast<ShapedType>(input.getType()).hasStaticShape() ||
            cast<ShapedType>(input.getType()).getDimSize(3) != columns)
          return step->emitOpError("tap step of unexpected input shape");
        Location loc = step->getLoc();
        rewriter.setInsertionPoint(*step);
        Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
        SmallVector<Value> origin(4, zero);
        MLIRContext *context = rewriter.getContext();
        auto read = [&](Value source, ArrayRef<int64_t> shape,
                        ArrayRef<unsigned> dims) -> Value {
          SmallVector<AffineExpr> results = llvm::map_to_vector(
              dims, [&](unsigned d) { return getAffineDimExpr(d, context); });
          auto map = AffineMap::get(4, 0, results, context);
          Type sourceType = getElementTypeOrSelf(source.getType());
          Value padding = arith::ConstantOp::create(
              rewriter, loc, rewriter.getZeroAttr(sourceType));
          Value vector = vector::TransferReadOp::create(
              rewriter, loc, VectorType::get(shape, sourceType), source, origin,
              AffineMapAttr::get(map), padding, /*mask=*/Value(),
              rewriter.getBoolArrayAttr(SmallVector<bool>(shape.size(), true)));
          // Narrower operands (an int32 convolution of 8-bit tensors) are
          // extended as the named op's body does: integers with sign.
          auto wideType = VectorType::get(shape, elementType);
          if (sourceType != elementType && isa<IntegerType>(sourceType))
            vector = arith::ExtSIOp::create(rewriter, loc, wideType, vector);
          else if (sourceType != elementType)
            vector = arith::ExtFOp::create(rewriter, loc, wideType, vector);
          return vector;
        };
        Value weights = read(filter, {rows}, {0});
        Value pixels = read(input, {columns}, {3});
        Value accumulator = read(output, {rows, columns}, {1, 3});
        Value product = vector::OuterProductOp::create(
            rewriter, loc, accumulator.getType(), weights, pixels, accumulator,
            vector::CombiningKind::ADD);
        auto write = vector::TransferWriteOp::create(
            rewriter, loc, product, output, origin,
            AffineMapAttr::get(AffineMap::get(
                4, 0,
                {getAffineDimExpr(1, context), getAffineDimExpr(3, context)},
                context)),
            rewriter.getBoolArrayAttr({true, true}));
        rewriter.replaceOp(*step, write.getResult());
        return success();
      });
}

/// An 8-bit NCHW convolution as a pair contraction over im2col patches: the
/// patch tensor [N, C, KH, KW, OH, OW] is gathered by a loop nest that copies
/// one output row of input pixels (a vector of OW, or every stride-th of a
/// longer one) per step, rather than by linalg's im2col gather, which stays
/// a scalar loop with a division per element (a 1x1 stride-1 convolution
/// needs no patches); then an int32 contraction of
/// the filter [F, C KH KW] (along m) and the patches [N, C KH KW, OH OW]
/// (along n) with the operands' sign extension in its body. An odd
/// reduction C KH KW (3 x 7 x 7 = 147 for an RGB stem) is padded to a
/// multiple of `reductionMultiple` with zero rows of patches and zero taps
/// of the filter, for the pair and quad forms.
LogicalResult rewriteEightBitConvInIm2Col(RewriterBase &rewriter,
                                          linalg::LinalgOp conv,
                                          ArrayRef<int64_t> strides,
                                          ArrayRef<int64_t> dilations,
                                          EightBitContraction kind,
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
        Type i32 = b.getI32Type();
        auto extend = [&](Value v, bool isSigned) -> Value {
          if (isSigned)
            return arith::ExtSIOp::create(b, l, i32, v);
          return arith::ExtUIOp::create(b, l, i32, v);
        };
        Value p = arith::MulIOp::create(b, l, extend(args[0], kind.rhsSigned),
                                        extend(args[1], kind.lhsSigned));
        linalg::YieldOp::create(
            b, l, ValueRange{arith::AddIOp::create(b, l, args[2], p)});
      });
  rewriter.replaceOp(
      conv, tensor::ExpandShapeOp::create(rewriter, loc, outputType,
                                          product.getResult(0), outputGroups)
                .getResult());
  return success();
}

/// Element-wise ops: `nr` elements at a time along the innermost loop. An
/// innermost extent that is not a multiple of the width is split into a
/// whole part and a remainder vectorized the same way, so no vector needs a
/// mask. On 8- and 16-bit integers a width above nr / 2 is a power of two
/// (56 columns of 32 are cut 32 + 16 + 8, not 32 + 24): LLVM legalizes
/// such vectors of another width, and the 32-bit ones they are widened to
/// (24 x i32 with AVX-512), in pieces it assembles lane by lane, which made
/// the 24 columns of an int8 depthwise convolution's 56 slower than the
/// other 32. Narrower remainders keep their width: cut further, their last
/// columns would be left to scalar loops. Float vectors of any width
/// legalize well, and each cut costs a loop nest: they keep theirs (28
/// columns of float depthwise took 1.5x as long cut 16 + 12).
LogicalResult vectorizeElementwise(RewriterBase &rewriter, linalg::LinalgOp op,
                                   int64_t nr) {
  if (op.getNumLoops() == 0 || op.getNumReductionLoops() != 0)
    return failure();
  // Tiling is exact only for maps that pick (or broadcast) loop dimensions;
  // the im2col gather, with its floordiv/mod maps, stays a loop nest.
  if (!llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
        return map.isProjectedPermutation(/*allowZeroInResults=*/true);
      }))
    return failure();
  // LLVM packs a vector of i1 into bits in memory, while a buffer of i1
  // holds one byte per element: bool tensors are read and written by
  // scalar loops.
  if (llvm::any_of(op->getOperandTypes(), [](Type type) {
        return getElementTypeOrSelf(type).isInteger(1);
      }))
    return failure();
  // Math functions without a polynomial approximation or LLVM intrinsic
  // become libm calls, which take scalars only.
  bool callsLibm =
      llvm::any_of(op.getBlock()->getOperations(), [](Operation &o) {
        return isa<math::TanOp, math::SinhOp, math::CoshOp, math::AsinhOp,
                   math::AcoshOp, math::AtanhOp>(o);
      });
  if (callsLibm)
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  unsigned innerDim = op.getNumLoops() - 1;
  int64_t inner = ranges[innerDim];
  // Too short to gain from vectors; left to the loop lowering.
  if (inner < 4)
    return failure();
  bool narrowIntegers = llvm::any_of(op->getOperandTypes(), [](Type type) {
    Type element = getElementTypeOrSelf(type);
    return element.isInteger() && element.getIntOrFloatBitWidth() < 32;
  });
  int64_t width = std::min(nr, inner);
  if (narrowIntegers && width > nr / 2 && !llvm::isPowerOf2_64(width))
    width = llvm::bit_floor(uint64_t(width));
  if (inner % width != 0) {
    rewriter.setInsertionPoint(op);
    auto [whole, rest] =
        linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()),
                        innerDim, rewriter.getIndexAttr(inner - inner % width));
    for (TilingInterface part : {whole, rest})
      (void)vectorizeElementwise(
          rewriter, cast<linalg::LinalgOp>(part.getOperation()), nr);
    return success();
  }
  SmallVector<int64_t> sizes(op.getNumLoops(), 1);
  sizes.back() = width;
  return tileAndVectorize(rewriter, op, sizes);
}

/// Vector reads of 8-bit elements through slices of stride s > 1 along
/// their innermost dimension (the taps of a pooling window or depthwise
/// convolution at stride s) as one contiguous read and a shuffle of every
/// s-th element: LLVM has no gather of bytes and loads a strided vector of
/// them one byte at a time. The read is of n s elements, from the first
/// element the strided read reads or else ending at its last, where the
/// tensor has them (a whole vector for a power-of-two n; LLVM assembles a
/// vector of bytes of another width, and its shuffle, byte by byte), else of
/// the (n - 1) s + 1 that span the vector, which are in bounds as the
/// strided read is. Wider elements keep their reads.
void readStridedBytesContiguously(RewriterBase &rewriter, func::FuncOp func) {
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

struct TileAndVectorizePass
    : muon::impl::MuonTileAndVectorizeBase<TileAndVectorizePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());

    // Named NCHW convolutions, and 8-bit ones written as linalg.generic
    // (a zero-extended uint8 operand has no named form).
    SmallVector<linalg::LinalgOp> convs;
    func.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::Conv2DNchwFchwOp>(op) ||
          (isa<linalg::GenericOp>(op) && op.hasPureTensorSemantics() &&
           matchEightBitContraction(op)))
        convs.push_back(op);
    });
    for (linalg::LinalgOp op : convs) {
      SmallVector<int64_t> strides, dilations;
      if (auto named = dyn_cast<linalg::Conv2DNchwFchwOp>(op.getOperation())) {
        strides = llvm::to_vector(named.getStrides().getValues<int64_t>());
        dilations = llvm::to_vector(named.getDilations().getValues<int64_t>());
      } else if (!linalg::isaConvolutionOpOfType<linalg::Conv2DNchwFchwOp>(
                     op, &dilations, &strides) ||
                 strides.size() != 2 || dilations.size() != 2) {
        continue;
      }
      // The direct path's outer products have no pair form yet; the pair
      // dot products over im2col patches are the faster choice for 8-bit
      // convolutions. A generic one takes this path on any target (the
      // contraction is then vectorized one step of k at a time).
      std::optional<EightBitContraction> eightBit =
          matchEightBitContraction(op);
      bool named = isa<linalg::Conv2DNchwFchwOp>(op);
      // Reductions padded to whole pairs, or to whole quads where the
      // target has quad dot products.
      int64_t reductionMultiple = (quadDotBits == 256 || quadDotBits == 512) ? 4
                                  : pairDotBits                              ? 2
                                                : 1;
      if (eightBit && (pairDotBits || !named) &&
          succeeded(rewriteEightBitConvInIm2Col(
              rewriter, op, strides, dilations, *eightBit, reductionMultiple)))
        continue;
      auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op.getOperation());
      if (!conv)
        continue;
      if (isDirectConvolution(conv, nr)) {
        if (failed(vectorizeDirectConvolution(rewriter, conv, mr, nr)))
          return signalPassFailure();
        continue;
      }
      rewriter.setInsertionPoint(conv);
      (void)linalg::rewriteInIm2Col(rewriter, conv);
    }

    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && !isa<linalg::FillOp>(op))
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      // Ops that fit neither scheme stay as they are and become loops.
      if (linalg::isaContractionOpInterface(op) ||
          succeeded(linalg::inferContractionDims(op))) {
        if (succeeded(vectorizeContraction(rewriter, op, mr, nr, pairDotBits,
                                           quadDotBits)))
          continue;
      } else if (isa<linalg::GenericOp>(op)) {
        (void)vectorizeElementwise(rewriter, op, nr);
      }
    }
    readStridedBytesContiguously(rewriter, func);
  }
};

} // namespace
