//===- Tiling.h - How muon-to-npu cuts a layer into tiles -------*- C++ -*-===//
//
// The tiling of each layer kind, decided from its shape and the buffer sizes
// alone, before any instruction is emitted: which outputs one tile computes,
// whether tiles alternate between two halves of the buffers (double
// buffering), and how weights that exceed WBUF are split. The layer
// lowerings (<Kind>Layer.cpp) emit the tiles a plan describes; `describe`
// is what `muonc --npu-report` prints for the layer.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_TARGETS_NPU_TILING_H
#define MUON_TARGETS_NPU_TILING_H

#include "dialects/muon/MuonOps.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace muon::npu {

/// A layer of at least this many output rows (entries, for an Add) is cut
/// into at least kPipelinedTiles double-buffered tiles even when it would
/// fit the buffers at once: the loads of one tile and the stores of another
/// then hide behind the compute of a third, where one tile would load,
/// compute and store in turn.
inline constexpr int64_t kMinPipelinedRows = 8;
inline constexpr int64_t kMinPipelinedEntries = 256;
inline constexpr int64_t kPipelinedTiles = 4;

/// Y[1, N] = X[1, K] . W over `entries` input entries and `outBlocks` output
/// channel blocks: tiles of output blocks whose weights fit WBUF. When the
/// input entries exceed IBUF, or one block's weights WBUF, the reduction is
/// cut into even parts, each loading its input entries and its part of the
/// weights and accumulating onto the last.
struct GemmTiling {
  int64_t parts, partEntries; // the reduction
  int64_t tileBlocks, tiles;  // output channel blocks per tile
  /// "6 tiles of 1 output channel block, the reduction in 3 parts of 834
  /// entries, one at a time".
  std::string describe(int64_t outBlocks) const;
};
GemmTiling planGemm(int64_t entries, int64_t outBlocks);

/// The shape of a convolution as the NPU runs it.
struct ConvShape {
  int64_t kh, kw, sh, sw;
  int64_t padLeft;
  int64_t inWidth, inBlocks; // input image width, input channel blocks
  int64_t ho, wo, outBlocks;
  /// WBUF entries of one output channel block's weights.
  int64_t blockEntries;
  /// Pixels per entry of a packed input (packedPixelBytes), 0 unpacked.
  int64_t packedPerEntry;
};

/// A convolution's tiles: output channel groups whose constants fit (half
/// of) WBUF and PBUF, each a pass over tiles of output rows (or parts of a
/// row) whose input window fits IBUF and outputs ACC and OBUF, twice over
/// when double-buffered.
struct ConvTiling {
  int64_t groupBlocks, groups;
  int64_t tileRows, tileCols;
  bool doubleBuffered;
  /// Column tiles of at most tileCols outputs; with a packed input, the
  /// columns whose window lies in the image are tiles of their own.
  struct ColumnTile {
    int64_t first, count;
    bool packed;
  };
  llvm::SmallVector<ColumnTile> columnTiles;
  int64_t packedColumns, packedPerEntry;
  int64_t rowTiles;
  /// IBUF entries of a tile's input window, and ACC/OBUF entries of its
  /// outputs: what one half of the buffers holds when double-buffered.
  int64_t inputEntries, outputEntries;
  /// Tiles per group.
  int64_t tiles() const { return rowTiles * columnTiles.size(); }
  /// "3 groups of 7 output channel blocks, each 4 tiles of 2 output rows,
  /// double-buffered".
  std::string describe() const;
};
/// Nothing when the input window of one output does not fit IBUF.
std::optional<ConvTiling> planConv(const ConvShape &shape);

/// A pooling window: kernel, strides, pads [top, left, bottom, right] and
/// the output size.
struct PoolShape {
  int64_t kh, kw, sh, sw, pt, pl, pb, pr, ho, wo;
};

/// A pool's tiles: output rows of every channel block when one output row
/// of all of them fits half of ACC with its input window; else one output
/// row of a group of channel blocks, each loaded on its own as
/// [row][column] ("planar"); else columns of one row of one block.
struct PoolTiling {
  int64_t tileRows, tileCols, groupBlocks;
  bool doubleBuffered, planar;
  int64_t rowTiles, colTiles, tiles;
  /// ACC entries of a tile's input window and of its results, OBUF entries
  /// of its results: what one half of the buffers holds when
  /// double-buffered.
  int64_t inputEntries, outputEntries;
  /// "10 tiles of 3 output rows x 4 channel blocks, double-buffered".
  std::string describe() const;
};
/// `channelBlocks` of `shape`; poolProblem must have found no problem.
PoolTiling planPool(const PoolShape &shape, int64_t channelBlocks);

/// Why a pooling window cannot run on the NPU, or nothing: its pads must be
/// below the window and within LOAD's fields, and the window of one output
/// of one channel block must fit ACC (planPool splits rows, channels and
/// columns down to that).
std::optional<llvm::StringRef> poolProblem(const PoolShape &pool,
                                           int64_t channelBlocks);

/// An element-wise layer over `entries` entries in runs that fit ACC (both
/// operands) and OBUF.
struct AddTiling {
  int64_t runEntries, runs;
  bool doubleBuffered;
  /// "4 runs of 392, double-buffered".
  std::string describe(int64_t entries) const;
};
AddTiling planAdd(int64_t entries);

/// Whether pads [top, left, bottom, right] are each smaller than the
/// kernel, so that every window holds a pixel of the image (a window of
/// padding only would make a LOAD of no rows).
bool padsBelowKernel(llvm::ArrayRef<int64_t> pads, int64_t kh, int64_t kw);
inline constexpr llvm::StringLiteral kPadsAsWideAsKernel =
    "a padding as wide as the window (windows of padding only) is not "
    "supported on the NPU";
inline constexpr llvm::StringLiteral kPadsBeyondLoad =
    "its padding exceeds the pad fields of LOAD (255 entries)";

/// The output columns [begin, end) of a convolution whose window lies in
/// the image (no horizontal padding): those a packed input serves.
std::pair<int64_t, int64_t> columnsInsideImage(int64_t wo, int64_t width,
                                               int64_t kw, int64_t sw,
                                               int64_t padLeft);

/// The bytes per pixel of a packed model input read by `conv`, or 0 when
/// packing does not pay. Unpacked, a pixel of C < BLOCK channels fills C
/// lanes of its entry (a stem's 3 of 16); packed in P = PowerOf2Ceil(C)
/// bytes, an entry holds BLOCK / P pixels, and one GEMM step multiplies as
/// many taps of a window row. Entry k of an input row starts at the pixel
/// output column k's window starts at (k stride_w - pad_left), so a window
/// row takes `parts` = ceil(kw / (BLOCK / P)) entries, BLOCK / P / stride_w
/// entries apart.
int64_t packedPixelBytes(ConvOp conv, int64_t block);

} // namespace muon::npu

#endif
