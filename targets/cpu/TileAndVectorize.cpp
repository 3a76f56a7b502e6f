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

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace muon {
#define GEN_PASS_DEF_MUONTILEANDVECTORIZE
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

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

/// One reduction step of two of an 8-bit contraction (`step`: an MR x NR
/// block of the output along loops `m` x `n`, extent 2 along loop `k`)
/// with pair dot products on `bits`-wide vectors. B's two rows are widened
/// to i16 and interleaved, (b[k][j], b[k+1][j]) in 32-bit lane j, and for
/// each of A's MR rows multiplied by the row's pair (a[i][k], a[i][k+1])
/// broadcast to every 32-bit lane: lane j of the result is the step's exact
/// contribution to c[i][j].
LogicalResult vectorizePairStep(RewriterBase &rewriter, linalg::LinalgOp step,
                                unsigned m, unsigned n, unsigned k,
                                EightBitContraction kind, int64_t bits) {
  OpOperand &lhsOperand = *step.getDpsInputOperand(0);
  OpOperand &rhsOperand = *step.getDpsInputOperand(1);
  OpOperand &initOperand = *step.getDpsInitOperand(0);
  auto lhsVector = stepOperandVector(step, lhsOperand, {m, k});
  auto rhsVector = stepOperandVector(step, rhsOperand, {k, n});
  auto initVector = stepOperandVector(step, initOperand, {m, n});
  if (failed(lhsVector) || failed(rhsVector) || failed(initVector))
    return failure();
  SmallVector<int64_t> ranges = step.getStaticLoopRanges();
  int64_t rows = ranges[m], columns = ranges[n], lanes = bits / 32;
  Location loc = step.getLoc();
  rewriter.setInsertionPoint(step);
  Type i8 = rewriter.getI8Type(), i16 = rewriter.getI16Type(),
       i32 = rewriter.getI32Type();
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  auto read = [&](OpOperand &operand, AffineMap map, ArrayRef<int64_t> shape,
                  Type elementType) -> Value {
    auto type = cast<ShapedType>(operand.get().getType());
    Value padding = arith::ConstantOp::create(
        rewriter, loc, rewriter.getZeroAttr(elementType));
    return vector::TransferReadOp::create(
        rewriter, loc, VectorType::get(shape, elementType), operand.get(),
        SmallVector<Value>(type.getRank(), zero), AffineMapAttr::get(map),
        padding, /*mask=*/Value(),
        rewriter.getBoolArrayAttr(SmallVector<bool>(shape.size(), true)));
  };
  auto extend = [&](Value value, bool isSigned, VectorType type) -> Value {
    if (isSigned)
      return arith::ExtSIOp::create(rewriter, loc, type, value);
    return arith::ExtUIOp::create(rewriter, loc, type, value);
  };
  Value a = read(lhsOperand, lhsVector->first, lhsVector->second, i8);
  Value b = read(rhsOperand, rhsVector->first, rhsVector->second, i8);
  Value c = read(initOperand, initVector->first, initVector->second, i32);

  Value bPairs =
      extend(vector::InterleaveOp::create(
                 rewriter, loc, vector::ExtractOp::create(rewriter, loc, b, 0),
                 vector::ExtractOp::create(rewriter, loc, b, 1)),
             kind.rhsSigned, VectorType::get({2 * columns}, i16));
  Value aPairs = extend(a, kind.lhsSigned, VectorType::get({rows, 2}, i16));
  auto pairsType = VectorType::get({2 * lanes}, i16);
  auto sumsType = VectorType::get({lanes}, i32);
  SmallVector<Value> bParts;
  for (int64_t j = 0; j < columns; j += lanes)
    bParts.push_back(vector::ExtractStridedSliceOp::create(
        rewriter, loc, bPairs, /*offsets=*/{2 * j}, /*sizes=*/{2 * lanes},
        /*strides=*/{1}));
  StringAttr intrinsic = rewriter.getStringAttr(pairDotIntrinsic(bits));
  for (int64_t i = 0; i < rows; ++i) {
    Value pair = vector::ExtractOp::create(rewriter, loc, aPairs, i);
    Value lane = vector::BitCastOp::create(rewriter, loc,
                                           VectorType::get({1}, i32), pair);
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

/// Whether vectorizePairStep can compute the MR x NR blocks of the
/// contraction `op`: 8-bit operands, input 0 along m and input 1 along n, an
/// even innermost reduction and blocks of whole `pairDotBits` vectors of
/// i32.
std::optional<EightBitContraction>
matchPairSteps(linalg::LinalgOp op, const linalg::ContractionDimensions &dims,
               int64_t nr, int64_t pairDotBits) {
  if (pairDotBits != 256 && pairDotBits != 512)
    return std::nullopt;
  std::optional<EightBitContraction> kind = matchEightBitContraction(op);
  if (!kind)
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned m = dims.m.back(), n = dims.n.back(), k = dims.k.back();
  AffineMap lhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap rhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  if (!lhsMap.isFunctionOfDim(m) || lhsMap.isFunctionOfDim(n) ||
      !rhsMap.isFunctionOfDim(n) || rhsMap.isFunctionOfDim(m))
    return std::nullopt;
  if (ranges[k] % 2 != 0 || std::min(nr, ranges[n]) % (pairDotBits / 32) != 0)
    return std::nullopt;
  return kind;
}

/// Tiles one whole-block part of a contraction into MR x NR blocks and
/// reduction steps of 1 (2 for the pair dot products of 8-bit operands),
/// and vectorizes each step.
LogicalResult
vectorizeContractionBlocks(RewriterBase &rewriter, linalg::LinalgOp op,
                           const linalg::ContractionDimensions &dims,
                           int64_t mr, int64_t nr, int64_t pairDotBits) {
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
  std::optional<EightBitContraction> pairs =
      matchPairSteps(op, dims, nr, pairDotBits);
  if (pairs)
    stepSizes[dims.k.back()] = 2;
  // `op` is replaced from here on.
  FailureOr<linalg::LinalgOp> step =
      tileIntoSteps(rewriter, op, blockSizes, stepSizes);
  if (failed(step))
    return failure();
  if (pairs)
    return vectorizePairStep(rewriter, *step, dims.m.back(), dims.n.back(),
                             dims.k.back(), *pairs, pairDotBits);
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

/// MR x NR output blocks, reduction steps of 1 (or 2), batch dimensions of
/// 1.
LogicalResult vectorizeContraction(RewriterBase &rewriter, linalg::LinalgOp op,
                                   int64_t mr, int64_t nr,
                                   int64_t pairDotBits) {
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return failure();
  if (llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
    return failure();
  return splitIntoWholeBlocks(
      rewriter, op, dims->m.back(), dims->n.back(), mr, nr,
      [&](linalg::LinalgOp part, int64_t mr, int64_t nr) {
        return vectorizeContractionBlocks(rewriter, part, *dims, mr, nr,
                                          pairDotBits);
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
          auto type = VectorType::get(shape, elementType);
          Value padding = arith::ConstantOp::create(
              rewriter, loc, rewriter.getZeroAttr(elementType));
          return vector::TransferReadOp::create(
              rewriter, loc, type, source, origin, AffineMapAttr::get(map),
              padding, /*mask=*/Value(),
              rewriter.getBoolArrayAttr(SmallVector<bool>(shape.size(), true)));
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

/// Element-wise ops: `nr` elements at a time along the innermost loop. An
/// innermost extent that is not a multiple of `nr` is split into a whole
/// part and a remainder vectorized at its own width, so no vector needs a
/// mask.
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
  if (inner > nr && inner % nr != 0) {
    rewriter.setInsertionPoint(op);
    auto [whole, rest] =
        linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()),
                        innerDim, rewriter.getIndexAttr(inner - inner % nr));
    for (TilingInterface part : {whole, rest})
      (void)vectorizeElementwise(
          rewriter, cast<linalg::LinalgOp>(part.getOperation()), nr);
    return success();
  }
  SmallVector<int64_t> sizes(op.getNumLoops(), 1);
  sizes.back() = std::min(nr, inner);
  return tileAndVectorize(rewriter, op, sizes);
}

struct TileAndVectorizePass
    : muon::impl::MuonTileAndVectorizeBase<TileAndVectorizePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());

    SmallVector<linalg::Conv2DNchwFchwOp> convs;
    func.walk([&](linalg::Conv2DNchwFchwOp conv) { convs.push_back(conv); });
    for (linalg::Conv2DNchwFchwOp conv : convs) {
      // The direct path's outer products have no pair form yet; the pair
      // dot products over im2col patches are the faster choice for 8-bit
      // convolutions.
      bool pairs = pairDotBits && matchEightBitContraction(conv);
      if (!pairs && isDirectConvolution(conv, nr)) {
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
        if (succeeded(vectorizeContraction(rewriter, op, mr, nr, pairDotBits)))
          continue;
      } else if (isa<linalg::GenericOp>(op)) {
        (void)vectorizeElementwise(rewriter, op, nr);
      }
    }
  }
};

} // namespace
