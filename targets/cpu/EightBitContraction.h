//===- EightBitContraction.h - 8-bit tile-and-vectorize --------*- C++ -*-===//
//
// muon-tile-and-vectorize (TileAndVectorize.cpp) blocks every contraction
// into MR x NR register blocks; an int32 contraction of two 8-bit operands
// takes one of the paths declared here first (EightBitContraction.cpp): its
// reduction split into pairs or quads for the CPU's dot-product
// instructions, and an 8-bit convolution rewritten over im2col patches.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_TARGETS_CPU_EIGHTBITCONTRACTION_H
#define MUON_TARGETS_CPU_EIGHTBITCONTRACTION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace muon::cpu {

/// How an int32 contraction of two 8-bit operands widens them: its body is
/// `out + ext(a) * ext(b)` with each `ext` an arith.extsi or arith.extui from
/// i8 (named ops spell their implicit casts the same way in their region).
struct EightBitContraction {
  bool lhsSigned, rhsSigned;
};

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

/// Yields `args[2] + ext(args[0]) * ext(args[1])` in i32, each factor
/// sign-extended when its flag says so and zero-extended otherwise: the body
/// of an int32 contraction of narrower integers, the form
/// matchEightBitContraction reads.
void yieldExtendedProduct(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::ValueRange args, bool lhsSigned,
                          bool rhsSigned);

/// The product `a * b` when `op`'s body (of two inputs and one init) yields
/// `out + a * b` on integers, else null.
mlir::arith::MulIOp getAccumulatedProduct(mlir::linalg::LinalgOp op);

/// `op`'s operand extensions when it is an int32 contraction of two 8-bit
/// inputs.
std::optional<EightBitContraction>
matchEightBitContraction(mlir::linalg::LinalgOp op);

/// The 8-bit contraction `op` (projected-permutation maps, reduction loop
/// `k` a plain dimension of both inputs) with its reduction padded by
/// `extra` zero steps, in both inputs, so that it splits into pairs.
mlir::FailureOr<mlir::linalg::LinalgOp>
padReduction(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp op,
             unsigned k, int64_t extra);

/// Rewrites the 8-bit contraction `op` (reduction loop `k` of even extent,
/// a plain dimension of both inputs and used nowhere else in them) into its
/// PairContraction form. A is widened once, before the contraction (at
/// compile time when it is a constant), so that each of its pairs is one
/// 32-bit lane to broadcast; a constant B is packed at compile time into the
/// interleaved i16 rows the pair dot product reads.
mlir::FailureOr<std::pair<mlir::linalg::LinalgOp, PairContraction>>
splitIntoPairs(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp op,
               unsigned n, unsigned k, EightBitContraction kind, int64_t bits);

/// One reduction step of an 8-bit contraction in PairContraction form
/// (`step`: an MR x NR block of the output along loops `m` x `n`, extent 2
/// along the pair loop, 1 along the others) with pair dot products on
/// `bits`-wide vectors. B's pairs (b[k][j], b[k+1][j]) fill 32-bit lane j
/// (read as such when packed, else B's two rows are widened and
/// interleaved); for each of A's MR rows, the row's pair (a[i][k],
/// a[i][k+1]) is broadcast to every 32-bit lane, and lane j of the pair dot
/// product is the step's exact contribution to c[i][j].
mlir::LogicalResult vectorizePairStep(mlir::RewriterBase &rewriter,
                                      mlir::linalg::LinalgOp step, unsigned m,
                                      unsigned n, const PairContraction &pair,
                                      int64_t bits);

/// Rewrites the 8-bit contraction `op`, whose A is a constant int8 matrix
/// indexed (m, k) and whose B uses `k` as a plain dimension (nowhere else),
/// into its quad form: loop k becomes k4 (a quarter of its extent) and a new
/// innermost loop of extent 4 takes the quad, A is the same constant viewed
/// as [M, K/4, 4] (each row's quad one 32-bit lane to broadcast), B is
/// viewed as [.., K/4, 4, ..]. The quad dot product multiplies unsigned B
/// bytes by signed A bytes, so a signed B is computed as b + 128 (its bits
/// with the top one flipped, read as uint8) and the accumulator starts at
/// c - 128 * sum_k a[i][k], computed at compile time.
mlir::FailureOr<std::pair<mlir::linalg::LinalgOp, PairContraction>>
splitIntoQuads(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp op,
               unsigned m, unsigned k, EightBitContraction kind, int64_t bits);

/// One reduction step of an 8-bit contraction in quad form (`step`: an
/// MR x NR block of the output along loops `m` x `n`, extent 4 along the
/// quad loop): B's four rows interleaved into quads (b[k..k+3][j] in 32-bit
/// lane j, offset to uint8 when signed), each of A's MR rows' quad
/// broadcast to every lane, and `vpdpbusd` adds the four products of each
/// lane to c[i][j].
mlir::LogicalResult vectorizeQuadStep(mlir::RewriterBase &rewriter,
                                      mlir::linalg::LinalgOp step, unsigned m,
                                      unsigned n, const PairContraction &quad);

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
mlir::LogicalResult rewriteEightBitConvInIm2Col(
    mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp conv,
    llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> dilations,
    EightBitContraction kind, int64_t reductionMultiple);

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
void readStridedBytesContiguously(mlir::RewriterBase &rewriter,
                                  mlir::func::FuncOp func);

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
mlir::LogicalResult vectorizeElementwise(mlir::RewriterBase &rewriter,
                                         mlir::linalg::LinalgOp op, int64_t nr);

} // namespace muon::cpu

#endif
