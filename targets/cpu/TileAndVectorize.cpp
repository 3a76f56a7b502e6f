//===- TileAndVectorize.cpp - Register blocking and vectorization ---------===//
//
// Speed on a CPU comes from keeping a block of the output in vector
// registers while the reduction streams through it. This pass shapes every
// contraction into that form on tensors: tile the output to MR x NR, tile
// the reduction to single steps, and vectorize each step into an outer
// product. Bufferization and `hoistRedundantVectorTransfers` later move the
// accumulator out of the reduction loop into registers.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
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

/// MR x NR output blocks, reduction steps of 1, batch dimensions of 1.
/// A dimension that is not a multiple of its block size is first split into
/// a part that is and a remainder, so every block has a static shape and no
/// vector needs a mask.
LogicalResult vectorizeContraction(RewriterBase &rewriter, linalg::LinalgOp op,
                                   int64_t mr, int64_t nr) {
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  unsigned numLoops = op.getNumLoops();
  SmallVector<int64_t> blockSizes(numLoops, 0);
  for (unsigned d : dims->batch)
    blockSizes[d] = 1;
  for (unsigned d : dims->m)
    blockSizes[d] = 1;
  for (unsigned d : dims->n)
    blockSizes[d] = 1;
  for (auto [dim, size] : {std::pair(dims->m.back(), mr),
                           std::pair(dims->n.back(), nr)}) {
    int64_t range = ranges[dim];
    if (range > size && range % size != 0) {
      rewriter.setInsertionPoint(op);
      auto [whole, rest] = linalg::splitOp(
          rewriter, cast<TilingInterface>(op.getOperation()), dim,
          rewriter.getIndexAttr(range - range % size));
      // The remainder is blocked at half the size along this dimension
      // (recursively), so a 17-wide remainder of 32 becomes 16 + 1 rather
      // than one 17-wide block that straddles vector registers.
      bool rows = dim == dims->m.back();
      if (failed(vectorizeContraction(
              rewriter, cast<linalg::LinalgOp>(whole.getOperation()), mr,
              nr)) ||
          failed(vectorizeContraction(
              rewriter, cast<linalg::LinalgOp>(rest.getOperation()),
              rows ? std::max<int64_t>(mr / 2, 1) : mr,
              rows ? nr : std::max<int64_t>(nr / 2, 1))))
        return failure();
      return success();
    }
    blockSizes[dim] = std::min(size, range);
  }
  // `op` is replaced from here on.
  FailureOr<linalg::LinalgOp> block = tile(rewriter, op, blockSizes);
  if (failed(block))
    return failure();

  SmallVector<int64_t> stepSizes(numLoops, 0);
  for (unsigned d : dims->k)
    stepSizes[d] = 1;
  FailureOr<linalg::LinalgOp> step = tile(rewriter, *block, stepSizes);
  if (failed(step))
    return failure();
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
  bool callsLibm = llvm::any_of(op.getBlock()->getOperations(), [](Operation &o) {
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
    auto [whole, rest] = linalg::splitOp(
        rewriter, cast<TilingInterface>(op.getOperation()), innerDim,
        rewriter.getIndexAttr(inner - inner % nr));
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

    // A convolution is a matrix product over im2col patches.
    SmallVector<linalg::Conv2DNchwFchwOp> convs;
    func.walk([&](linalg::Conv2DNchwFchwOp conv) { convs.push_back(conv); });
    for (linalg::Conv2DNchwFchwOp conv : convs) {
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
        if (succeeded(vectorizeContraction(rewriter, op, mr, nr)))
          continue;
      } else if (isa<linalg::GenericOp>(op)) {
        (void)vectorizeElementwise(rewriter, op, nr);
      }
    }
  }
};

} // namespace
