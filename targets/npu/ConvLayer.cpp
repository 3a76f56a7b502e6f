//===- ConvLayer.cpp - Convolution layers on the NPU ----------------------===//
//
// Convolutions, depthwise ones included, and their requantization on the
// GEMM array (muon-to-npu, FunctionLowering.h).
//
//===----------------------------------------------------------------------===//

#include "targets/npu/FunctionLowering.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace muon;
using namespace muon::npu;

/// A convolution: per tile of output rows, the padded input rows in IBUF as
/// [row][column][channel block], one GEMM per output channel block over
/// (ky) x (kx, input channel block), one REQUANT, one STORE
/// (docs/npu-isa.md, "Example: a convolution tile").
///
/// A depthwise convolution (group = channels) runs on the same GEMM with a
/// diagonal weight entry per tap: output block b reads only input block b,
/// so its reduction is (ky) x (kx) over the entries of that block, and the
/// array does BLOCK of its BLOCK^2 products usefully.
void FunctionLowering::lowerConv(ConvOp conv, RequantizeOp requantize,
                                 const Layout &in, Quant inQuant) {
  bool depthwise = conv.getGroup() != 1;
  RankedTensorType wType = tensorType(conv.getWeight());
  RankedTensorType outType = tensorType(conv.getResult());
  int64_t cout = wType.getDimSize(0), cin = wType.getDimSize(1);
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  int64_t sh = conv.getStrides()[0], sw = conv.getStrides()[1];
  ArrayRef<int64_t> pads = conv.getPads();
  int64_t pt = pads[0], pl = pads[1], pb = pads[2], pr = pads[3];
  int64_t ho = outType.getDimSize(2), wo = outType.getDimSize(3);
  int64_t cb = in.blocks(block), ob = ceilDiv(cout, block);
  // Input channel blocks one output block reduces over at each tap.
  int64_t reducedBlocks = depthwise ? 1 : cb;
  // A packed input (packedPixelBytes): output columns whose window lies in
  // the image read entries of `perEntry` pixels, a window row in `parts`
  // entries; the columns whose window reaches the padding read one pixel
  // per entry, as from an unpacked input. Each output block has weight
  // entries for both: [ky][kx] taps, then [ky][part].
  int64_t pixel = in.pixelBytes, perEntry = pixel ? block / pixel : 1;
  int64_t parts = pixel ? ceilDiv(kw, perEntry) : 0;
  int64_t tapEntries = kh * kw * reducedBlocks;
  int64_t blockEntries = tapEntries + kh * parts; // WBUF entries per block
  int64_t weightEntries = ob * blockEntries;
  if (!padsBelowKernel(pads, kh, kw)) {
    reject(conv, kPadsAsWideAsKernel);
    return;
  }
  if (pl * cb > 255 || pr * cb > 255 || pt > 255 || pb > 255) {
    reject(conv, kPadsBeyondLoad);
    return;
  }
  if (blockEntries > kWbufEntries) {
    reject(conv, llvm::formatv("the {0} weight entries of one output channel "
                               "block exceed WBUF (splitting the reduction "
                               "is not implemented)",
                               blockEntries));
    return;
  }
  std::optional<ConvTiling> tiling =
      planConv({kh, kw, sh, sw, pl, in.w, cb, ho, wo, ob, blockEntries,
                pixel ? perEntry : 0});
  if (!tiling) {
    reject(conv, "the input window of one output does not fit IBUF");
    return;
  }
  int64_t groupBlocks = tiling->groupBlocks, groups = tiling->groups;
  int64_t tileRows = tiling->tileRows;
  bool doubleBuffered = tiling->doubleBuffered;
  SmallVector<int64_t> weights = *getConstantValues(conv.getWeight());
  std::optional<SmallVector<int64_t>> biasValues;
  if (conv.getBias() && !(biasValues = getConstantValues(conv.getBias()))) {
    reject(conv, "its bias is not a constant");
    return;
  }
  // WBUF entries [ob][ky][kx][cb] of the weight [Cout][Cin][kh][kw]; for a
  // depthwise weight [C][1][kh][kw], diagonal entries [ob][ky][kx]; for a
  // packed input, then [ob][ky][part], tap kx in lanes of pixel kx % perEntry.
  SmallVector<int8_t> tiles(weightEntries * block * block, 0);
  SmallVector<int64_t> sums(cout, 0);
  auto put = [&](int64_t entry, int64_t o, int64_t lane, int64_t value) {
    tiles[(entry * block + o % block) * block + lane] = value;
  };
  for (int64_t o = 0; o < cout; ++o)
    for (int64_t c = 0; c < cin; ++c)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x) {
          int64_t value = weights[((o * cin + c) * kh + y) * kw + x];
          int64_t first = o / block * blockEntries;
          put(first + (y * kw + x) * reducedBlocks +
                  (depthwise ? 0 : c / block),
              o, depthwise ? o % block : c % block, value);
          if (pixel)
            put(first + tapEntries + y * parts + x / perEntry, o,
                x % perEntry * pixel + c, value);
          sums[o] += value;
        }
  int64_t weightOffset = program.addConstant(tiles);
  Quant outQuant = *activationQuant(requantize.getType());
  SmallVector<int64_t> multipliers, shifts;
  requantParams(conv.getResult(), outQuant, cout, multipliers, shifts);
  int64_t paramOffset =
      program.addParams(foldBias(biasValues, sums, inQuant.zeroPoint),
                        multipliers, shifts, outQuant.zeroPoint);
  auto [lowest, highest] = clampOf(requantize);
  Layout out = place(requantize.getResult(), Layout{0, 0, ho, wo, cout});
  layouts[requantize.getResult()] = out;

  using Instr = ProgramBuilder::Instr;
  int64_t colTiles = tiling->columnTiles.size();
  int64_t tileCount = tiling->tiles();
  program.beginLayer(
      conv, llvm::formatv("{0} {1}x{2} stride {3}: {4}x{5}x{6} -> "
                          "{7}x{8}x{9}, {10}",
                          depthwise ? "Depthwise conv" : "Conv", kh, kw, sh,
                          in.h, in.w, in.c, ho, wo, cout, tiling->describe()));
  int64_t inputEntries = tiling->inputEntries;
  int64_t outputEntries = tiling->outputEntries;
  // Each group is lowered as a layer of its own: its first tile waits for
  // the previous group's last store (emitTile), so its weights may replace
  // those the previous groups read.
  for (int64_t g0 = 0; g0 < ob; g0 += groupBlocks) {
    int64_t count = std::min(groupBlocks, ob - g0);
    SmallVector<Instr> constantLoads;
    auto [wbufBase, pbufBase] = program.placeConstants(
        weightOffset + g0 * blockEntries * block * block, count * blockEntries,
        paramOffset + g0 * 16 * block, count, constantLoads);
    for (int64_t tile = 0; tile < tileCount; ++tile) {
      auto [c0, cols, packed] = tiling->columnTiles[tile % colTiles];
      int64_t r0 = tile / colTiles * tileRows;
      int64_t rows = std::min(tileRows, ho - r0);
      int64_t half = doubleBuffered ? tile % 2 : 0;
      int64_t inBase = half * inputEntries;
      int64_t outBase = half * outputEntries; // ACC and OBUF
      WindowSpan inRows = windowSpan(r0, rows, kh, sh, pt, in.h);
      WindowSpan inCols = windowSpan(c0, cols, kw, sw, pl, in.w);
      int64_t row = inCols.padded() * cb; // IBUF entries per input row
      SmallVector<Instr> loads, computes, stores;
      // Packed: entry k of a row starts at the pixel where output column
      // c0 + k's window does (no horizontal padding in these columns); the
      // row's entries fit where the unpacked window's would.
      int64_t packedRow = cols + (parts - 1) * perEntry / sw;
      if (packed)
        loads.push_back(
            {"npu.load",
             {{"dst", inBase},
              {"dst_stride", packedRow},
              {"region", in.region},
              {"dram_offset",
               in.offset + (inRows.first * in.w + c0 * sw - pl) * pixel},
              {"rows", inRows.count},
              {"cols", packedRow},
              {"row_stride", in.w * pixel},
              {"elem_bytes", block},
              {"elem_stride", sw * pixel},
              {"pad_top", inRows.padBefore},
              {"pad_bottom", inRows.padAfter},
              {"pad_value", inQuant.zeroPoint}},
             {{"buffer", "IBUF"}}});
      else
        loads.push_back(loadWindow(in, block, inRows, inCols, "IBUF", inBase,
                                   inQuant.zeroPoint));
      if (tile == 0)
        llvm::append_range(loads, constantLoads);
      for (int64_t o = 0; o < count && packed; ++o)
        computes.push_back({"npu.gemm",
                            {{"reset", 1},
                             {"acc", outBase + o * rows * cols},
                             {"inp", inBase},
                             {"wgt", wbufBase + o * blockEntries + tapEntries},
                             {"n0", rows},
                             {"n1", cols},
                             {"k0", kh},
                             {"k1", parts},
                             {"acc_s0", cols},
                             {"acc_s1", 1},
                             {"inp_s0", sh * packedRow},
                             {"inp_s1", 1},
                             {"inp_r0", packedRow},
                             {"inp_r1", parts > 1 ? perEntry / sw : 1},
                             {"wgt_r0", parts},
                             {"wgt_r1", 1}}});
      for (int64_t o = 0; o < count && !packed; ++o)
        computes.push_back({"npu.gemm",
                            {{"reset", 1},
                             {"acc", outBase + o * rows * cols},
                             {"inp", inBase + (depthwise ? g0 + o : 0)},
                             {"wgt", wbufBase + o * blockEntries},
                             {"n0", rows},
                             {"n1", cols},
                             {"k0", kh},
                             {"k1", kw * reducedBlocks},
                             {"acc_s0", cols},
                             {"acc_s1", 1},
                             {"inp_s0", sh * row},
                             {"inp_s1", sw * cb},
                             {"inp_r0", row},
                             {"inp_r1", depthwise ? cb : 1},
                             {"wgt_r0", kw * reducedBlocks},
                             {"wgt_r1", 1}}});
      // OBUF as [pixel][block of the group], the NHWC order STORE writes.
      computes.push_back({"npu.requant",
                          {{"acc", outBase},
                           {"out", outBase},
                           {"n0", count},
                           {"n1", rows * cols},
                           {"acc_s0", rows * cols},
                           {"acc_s1", 1},
                           {"out_s0", 1},
                           {"out_s1", count},
                           {"param", pbufBase},
                           {"param_s0", 1},
                           {"clamp_min", lowest},
                           {"clamp_max", highest}}});
      // With all output blocks, each row of the tile is one contiguous run
      // of DRAM; a group's blocks are a run per pixel, and the pixels of
      // consecutive rows are evenly spaced only when the tile spans them.
      int64_t dramOffset = out.offset + ((r0 * wo + c0) * ob + g0) * block;
      if (groups == 1) {
        stores.push_back({"npu.store",
                          {{"src", outBase},
                           {"region", out.region},
                           {"dram_offset", dramOffset},
                           {"rows", rows},
                           {"cols", cols * ob},
                           {"row_stride", wo * ob * block},
                           {"elem_bytes", block},
                           {"elem_stride", block}}});
      }
      int64_t runRows = cols == wo ? rows : 1;
      for (int64_t r = 0; groups > 1 && r < rows; r += runRows)
        stores.push_back({"npu.store",
                          {{"src", outBase + r * cols * count},
                           {"region", out.region},
                           {"dram_offset", dramOffset + r * wo * ob * block},
                           {"rows", runRows * cols},
                           {"cols", count},
                           {"row_stride", ob * block},
                           {"elem_bytes", block},
                           {"elem_stride", block}}});
      program.emitTile(loads, computes, stores, tile, tileCount,
                       doubleBuffered);
    }
  }
}
