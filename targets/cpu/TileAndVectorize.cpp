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
// over im2col patches. Int32 contractions of 8-bit operands take the pair
// and quad dot-product paths of EightBitContraction.cpp.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/EightBitContraction.h"
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Remarks.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"

namespace muon {
#define GEN_PASS_DEF_MUONTILEANDVECTORIZE
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;
using namespace muon::cpu;

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

} // namespace

LogicalResult muon::cpu::vectorizeElementwise(RewriterBase &rewriter,
                                              linalg::LinalgOp op, int64_t nr) {
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

namespace {

struct TileAndVectorizePass
    : muon::impl::MuonTileAndVectorizeBase<TileAndVectorizePass> {
  using Base::Base;

  /// An analysis remark (muon-opt --remarks-filter=muon-tile-and-vectorize)
  /// naming the form a convolution takes, and the multiple its reduction is
  /// padded to for pair or quad dot products.
  static void reportAlgorithm(Location loc, StringRef algorithm,
                              int64_t reductionMultiple) {
    remark::analysis(loc, remark::RemarkOpts::name("ConvolutionAlgorithm")
                              .category("muon-tile-and-vectorize"))
        << remark::metric("algorithm", algorithm)
        << remark::metric("reduction_multiple", reductionMultiple);
  }

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
      Location loc = op.getLoc();
      if (eightBit && (pairDotBits || !named) &&
          succeeded(rewriteEightBitConvInIm2Col(rewriter, op, strides,
                                                dilations, *eightBit,
                                                reductionMultiple))) {
        reportAlgorithm(loc, "8-bit im2col", reductionMultiple);
        continue;
      }
      auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op.getOperation());
      if (!conv)
        continue;
      if (isDirectConvolution(conv, nr)) {
        if (failed(vectorizeDirectConvolution(rewriter, conv, mr, nr)))
          return signalPassFailure();
        reportAlgorithm(loc, "direct", 1);
        continue;
      }
      rewriter.setInsertionPoint(conv);
      if (succeeded(linalg::rewriteInIm2Col(rewriter, conv)))
        reportAlgorithm(loc, "im2col", 1);
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
