//===- Tiling.cpp - How muon-to-npu cuts a layer into tiles ---------------===//

#include "targets/npu/Tiling.h"
#include "targets/npu/ProgramBuilder.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace mlir;
using namespace muon;
using namespace muon::npu;

namespace {

int64_t pipelinedTileRows(int64_t rows) {
  return ceilDiv(rows, kPipelinedTiles);
}

StringRef plural(int64_t count) { return count == 1 ? "" : "s"; }

} // namespace

GemmTiling npu::planGemm(int64_t entries, int64_t outBlocks) {
  GemmTiling tiling;
  tiling.parts = ceilDiv(entries, std::min(kIbufEntries, kWbufEntries));
  tiling.partEntries = ceilDiv(entries, tiling.parts);
  tiling.tileBlocks =
      std::min({outBlocks, kWbufEntries / tiling.partEntries, kPbufEntries});
  tiling.tiles = ceilDiv(outBlocks, tiling.tileBlocks);
  return tiling;
}

std::string GemmTiling::describe(int64_t outBlocks) const {
  return llvm::formatv(
      "{0} tile{1} of {2} output channel block{3}{4}, one at a time", tiles,
      plural(tiles), std::min(tileBlocks, outBlocks), plural(tileBlocks),
      parts == 1 ? std::string()
                 : llvm::formatv(", the reduction in {0} parts of {1} entries",
                                 parts, partEntries)
                       .str());
}

std::optional<ConvTiling> npu::planConv(const ConvShape &s) {
  ConvTiling tiling;
  // Output channel groups: when the weights or parameters exceed WBUF or
  // PBUF, the output blocks are cut into groups whose constants fit half of
  // them (so that a group's constants load while the group before computes,
  // placeConstants), or all of them if not even one block fits half. Each
  // group is a pass over the rows of the image: the input is read once per
  // group, the much larger weights once.
  int64_t groupBlocks = s.outBlocks;
  if (s.outBlocks * s.blockEntries > kWbufEntries ||
      s.outBlocks > kPbufEntries) {
    groupBlocks = std::min(kWbufEntries / 2 / s.blockEntries, kPbufEntries / 2);
    if (groupBlocks == 0)
      groupBlocks = std::min(kWbufEntries / s.blockEntries, kPbufEntries);
  }
  tiling.groupBlocks = groupBlocks;
  tiling.groups = ceilDiv(s.outBlocks, groupBlocks);
  // Tiles of output rows x columns: the input window they read fits IBUF,
  // their outputs ACC and OBUF; twice over (double buffering) when the
  // layer needs more than one tile. Tiles are whole rows when one row fits
  // half the buffers, else parts of one row (column tiles, as even as
  // possible), single-buffered only if not even one output fits half.
  auto inputEntries = [&](int64_t rows, int64_t cols) {
    return windowExtent(rows, s.kh, s.sh) * windowExtent(cols, s.kw, s.sw) *
           s.inBlocks;
  };
  auto outputEntries = [&](int64_t rows, int64_t cols) {
    return rows * cols * groupBlocks;
  };
  auto fits = [&](int64_t rows, int64_t cols, int64_t copies) {
    int64_t inputs = inputEntries(rows, cols);
    int64_t outputs = outputEntries(rows, cols);
    return copies * inputs <= kIbufEntries && copies * outputs <= kAccEntries &&
           copies * outputs <= kObufEntries;
  };
  int64_t tileRows = s.ho, tileCols = s.wo;
  bool doubleBuffered = true;
  if (fits(s.ho, s.wo, 1) && s.ho < kMinPipelinedRows) {
    doubleBuffered = false;
  } else if (fits(1, s.wo, 2)) {
    tileRows = pipelinedTileRows(s.ho);
    while (!fits(tileRows, s.wo, 2))
      --tileRows;
  } else {
    tileRows = 1;
    doubleBuffered = fits(1, 1, 2);
    int64_t copies = doubleBuffered ? 2 : 1;
    while (tileCols > 0 && !fits(1, tileCols, copies))
      --tileCols;
    if (tileCols == 0)
      return std::nullopt;
    tileCols = ceilDiv(s.wo, ceilDiv(s.wo, tileCols));
  }
  tiling.tileRows = tileRows;
  tiling.tileCols = tileCols;
  tiling.doubleBuffered = doubleBuffered;
  tiling.rowTiles = ceilDiv(s.ho, tileRows);
  tiling.inputEntries = inputEntries(tileRows, tileCols);
  tiling.outputEntries = outputEntries(tileRows, tileCols);
  auto addColumns = [&](int64_t begin, int64_t end, bool packed) {
    for (int64_t c0 = begin; c0 < end; c0 += tileCols)
      tiling.columnTiles.push_back({c0, std::min(tileCols, end - c0), packed});
  };
  auto [packedBegin, packedEnd] =
      s.packedPerEntry
          ? columnsInsideImage(s.wo, s.inWidth, s.kw, s.sw, s.padLeft)
          : std::pair<int64_t, int64_t>(s.wo, s.wo);
  addColumns(0, packedBegin, false);
  addColumns(packedBegin, packedEnd, true);
  addColumns(packedEnd, s.wo, false);
  tiling.packedColumns = packedEnd - packedBegin;
  tiling.packedPerEntry = s.packedPerEntry;
  return tiling;
}

std::string ConvTiling::describe() const {
  int64_t tileCount = tiles();
  std::string text = llvm::formatv(
      "{0} tile{1} of {2} output row{3}{4}{5}{6}", tileCount, plural(tileCount),
      tileRows, plural(tileRows),
      columnTiles.size() == 1
          ? std::string()
          : llvm::formatv(" x up to {0} columns", tileCols).str(),
      doubleBuffered ? ", double-buffered" : "",
      packedPerEntry ? llvm::formatv(", input pixels packed {0} to an entry "
                                     "({1} columns)",
                                     packedPerEntry, packedColumns)
                           .str()
                     : std::string());
  if (groups == 1)
    return text;
  return llvm::formatv("{0} groups of {1} output channel block{2}, each {3}",
                       groups, groupBlocks, plural(groupBlocks), text);
}

PoolTiling npu::planPool(const PoolShape &pool, int64_t cb) {
  // ACC holds a tile's input window and its results; twice over when the
  // layer needs several tiles (double buffering) and a tile fits that.
  auto inputEntries = [&](int64_t rows, int64_t cols, int64_t blocks) {
    return windowExtent(rows, pool.kh, pool.sh) *
           windowExtent(cols, pool.kw, pool.sw) * blocks;
  };
  auto fits = [&](int64_t rows, int64_t cols, int64_t blocks, int64_t copies) {
    int64_t outputs = rows * cols * blocks;
    return copies * (inputEntries(rows, cols, blocks) + outputs) <=
               kAccEntries &&
           copies * outputs <= kObufEntries;
  };
  int64_t tileRows = pool.ho, tileCols = pool.wo, groupBlocks = cb;
  bool doubleBuffered =
      !fits(pool.ho, pool.wo, cb, 1) || pool.ho >= kMinPipelinedRows;
  if (doubleBuffered && fits(1, pool.wo, cb, 2)) {
    tileRows = pipelinedTileRows(pool.ho);
    while (!fits(tileRows, pool.wo, cb, 2))
      --tileRows;
  } else if (doubleBuffered && fits(1, pool.wo, 1, 2)) {
    tileRows = 1;
    while (!fits(1, pool.wo, groupBlocks, 2))
      --groupBlocks;
    groupBlocks = ceilDiv(cb, ceilDiv(cb, groupBlocks));
  } else if (doubleBuffered) {
    tileRows = 1, groupBlocks = 1;
    doubleBuffered = fits(1, 1, 1, 2);
    while (!fits(1, tileCols, 1, doubleBuffered ? 2 : 1))
      --tileCols; // poolProblem: one output's window fits
    tileCols = ceilDiv(pool.wo, ceilDiv(pool.wo, tileCols));
  }
  int64_t rowTiles = ceilDiv(pool.ho, tileRows);
  int64_t colTiles = ceilDiv(pool.wo, tileCols);
  return {tileRows,
          tileCols,
          groupBlocks,
          doubleBuffered,
          /*planar=*/groupBlocks < cb,
          rowTiles,
          colTiles,
          ceilDiv(cb, groupBlocks) * rowTiles * colTiles,
          inputEntries(tileRows, tileCols, groupBlocks),
          tileRows * tileCols * groupBlocks};
}

std::string PoolTiling::describe() const {
  return llvm::formatv(
      "{0} tile{1} of {2} output row{3}{4}{5}{6}", tiles, plural(tiles),
      tileRows, plural(tileRows),
      colTiles == 1 ? std::string()
                    : llvm::formatv(" x up to {0} columns", tileCols).str(),
      planar ? llvm::formatv(" x {0} channel block{1}", groupBlocks,
                             plural(groupBlocks))
                   .str()
             : std::string(),
      doubleBuffered ? ", double-buffered" : "");
}

std::optional<StringRef> npu::poolProblem(const PoolShape &pool, int64_t cb) {
  if (!padsBelowKernel({pool.pt, pool.pl, pool.pb, pool.pr}, pool.kh, pool.kw))
    return kPadsAsWideAsKernel;
  if (pool.pl * cb > 255 || pool.pr * cb > 255 || pool.pt > 255 ||
      pool.pb > 255)
    return kPadsBeyondLoad;
  if (pool.kh * pool.kw + 1 > kAccEntries)
    return StringRef("the window of one output does not fit ACC");
  return std::nullopt;
}

AddTiling npu::planAdd(int64_t entries) {
  // A run of entries takes 2 n ACC entries (both operands) and n OBUF
  // entries; twice over (double buffering) when the Add needs several runs.
  int64_t chunk = std::min<int64_t>(kAccEntries / 2, kObufEntries);
  bool doubleBuffered = entries > chunk || entries >= kMinPipelinedEntries;
  if (doubleBuffered)
    chunk = std::min(chunk / 2, ceilDiv(entries, kPipelinedTiles));
  return {chunk, ceilDiv(entries, chunk), doubleBuffered};
}

std::string AddTiling::describe(int64_t entries) const {
  return llvm::formatv("{0} run{1} of {2}{3}", runs, plural(runs),
                       std::min(runEntries, entries),
                       doubleBuffered ? ", double-buffered" : "");
}

bool npu::padsBelowKernel(ArrayRef<int64_t> pads, int64_t kh, int64_t kw) {
  return pads[0] < kh && pads[2] < kh && pads[1] < kw && pads[3] < kw;
}

/// unpacked, in column tiles of their own; on a small image those tiles
/// cost more (a DMA latency of 64 cycles each in the cycle model) than
/// packing saves, so packing needs to save kMinPackedSavings GEMM steps.
constexpr int64_t kMinPackedSavings = 1024;

std::pair<int64_t, int64_t> npu::columnsInsideImage(int64_t wo, int64_t width,
                                                    int64_t kw, int64_t sw,
                                                    int64_t padLeft) {
  int64_t begin = std::min(wo, ceilDiv(padLeft, sw));
  int64_t lastStart = width - kw + padLeft; // of a window inside the image
  int64_t end =
      lastStart < 0 ? begin : std::clamp(lastStart / sw + 1, begin, wo);
  return {begin, end};
}

int64_t npu::packedPixelBytes(ConvOp conv, int64_t block) {
  RankedTensorType wType = conv.getWeight().getType();
  RankedTensorType inType = conv.getInput().getType();
  RankedTensorType outType = conv.getResult().getType();
  if (conv.getGroup() != 1 || inType.getRank() != 4 ||
      llvm::any_of(conv.getDilations(), [](int64_t d) { return d != 1; }))
    return 0;
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  int64_t sw = conv.getStrides()[1];
  int64_t pixel = llvm::PowerOf2Ceil(wType.getDimSize(1));
  if (2 * pixel > block || block % pixel != 0)
    return 0;
  int64_t perEntry = block / pixel, parts = ceilDiv(kw, perEntry);
  if (parts >= kw || (parts > 1 && perEntry % sw != 0))
    return 0;
  auto [begin, end] = columnsInsideImage(
      outType.getDimSize(3), inType.getDimSize(3), kw, sw, conv.getPads()[1]);
  int64_t saved = outType.getDimSize(2) * (end - begin) *
                  ceilDiv(wType.getDimSize(0), block) * kh * (kw - parts);
  return saved >= kMinPackedSavings ? pixel : 0;
}
