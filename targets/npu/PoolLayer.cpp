//===- PoolLayer.cpp - Pooling layers on the NPU --------------------------===//
//
// Max pools and the window sums average pools fold to, on POOL and
// REQUANT (muon-to-npu, FunctionLowering.h).
//
//===----------------------------------------------------------------------===//

#include "targets/npu/FunctionLowering.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace muon;
using namespace muon::npu;

/// Max pool or window sum: per tile (planPool), the padded input window in
/// ACC (padded with `padValue`), one POOL per channel block, a REQUANT with
/// the parameters at `paramOffset` (`paramEntries` entries: one per channel
/// block, or one shared by all), a STORE.
void FunctionLowering::lowerPool(Operation *op, const Layout &in,
                                 const PoolShape &pool, StringRef poolOp,
                                 int64_t padValue, int64_t paramOffset,
                                 int64_t paramEntries, int64_t lowest,
                                 int64_t highest, const Layout &out) {
  int64_t cb = in.blocks(block);
  PoolTiling tiling = planPool(pool, cb);
  int64_t tileRows = tiling.tileRows, tileCols = tiling.tileCols;
  int64_t groupBlocks = tiling.groupBlocks;
  int64_t rowTiles = tiling.rowTiles, colTiles = tiling.colTiles;
  int64_t tileCount = tiling.tiles;
  bool doubleBuffered = tiling.doubleBuffered, planar = tiling.planar;
  using Instr = ProgramBuilder::Instr;
  program.beginLayer(
      op, llvm::formatv("{0} {1}x{2} stride {3}: {4}x{5}x{6} -> {7}x{8}, {9}",
                        poolOp == "MAX" ? "MaxPool" : "window sum", pool.kh,
                        pool.kw, pool.sh, in.h, in.w, in.c, pool.ho, pool.wo,
                        tiling.describe()));
  SmallVector<Instr> constantLoads;
  int64_t pbufBase =
      program.placeConstants(0, 0, paramOffset, paramEntries, constantLoads)
          .second;
  int64_t tileInputs = tiling.inputEntries;
  int64_t tileOutputs = tiling.outputEntries;
  for (int64_t tile = 0; tile < tileCount; ++tile) {
    int64_t g0 = tile / (rowTiles * colTiles) * groupBlocks;
    int64_t r0 = tile / colTiles % rowTiles * tileRows;
    int64_t c0 = tile % colTiles * tileCols;
    int64_t count = std::min(groupBlocks, cb - g0);
    int64_t rows = std::min(tileRows, pool.ho - r0);
    int64_t cols = std::min(tileCols, pool.wo - c0);
    int64_t half = doubleBuffered ? tile % 2 : 0;
    int64_t accBase = half * (tileInputs + tileOutputs);
    int64_t outBase = half * tileOutputs;
    int64_t results = accBase + tileInputs; // ACC entry
    WindowSpan inRows = windowSpan(r0, rows, pool.kh, pool.sh, pool.pt, in.h);
    WindowSpan inCols = windowSpan(c0, cols, pool.kw, pool.sw, pool.pl, in.w);
    // ACC entries between input columns, rows and channel blocks.
    int64_t colStride = planar ? 1 : cb;
    int64_t rowStride = inCols.padded() * colStride;
    int64_t blockStride = planar ? inRows.padded() * rowStride : 1;
    SmallVector<Instr> loads, computes;
    if (planar) {
      for (int64_t b = 0; b < count; ++b)
        loads.push_back(loadWindow(in, block, inRows, inCols, "ACC",
                                   accBase + b * blockStride, padValue,
                                   g0 + b));
    } else {
      loads.push_back(
          loadWindow(in, block, inRows, inCols, "ACC", accBase, padValue));
    }
    if (tile == 0)
      llvm::append_range(loads, constantLoads);
    for (int64_t b = 0; b < count; ++b)
      computes.push_back({"npu.pool",
                          {{"dst", results + b},
                           {"src", accBase + b * blockStride},
                           {"n0", rows},
                           {"n1", cols},
                           {"win_h", pool.kh},
                           {"win_w", pool.kw},
                           {"dst_s0", cols * count},
                           {"dst_s1", count},
                           {"src_s0", pool.sh * rowStride},
                           {"src_s1", pool.sw * colStride},
                           {"win_s0", rowStride},
                           {"win_s1", colStride}},
                          {{"op", poolOp}}});
    // ACC holds [pixel][block]; the parameters follow the channel block.
    computes.push_back({"npu.requant",
                        {{"acc", results},
                         {"out", outBase},
                         {"n0", count},
                         {"n1", rows * cols},
                         {"acc_s0", 1},
                         {"acc_s1", count},
                         {"out_s0", 1},
                         {"out_s1", count},
                         {"param", pbufBase + (paramEntries == 1 ? 0 : g0)},
                         {"param_s0", paramEntries == 1 ? 0 : 1},
                         {"clamp_min", lowest},
                         {"clamp_max", highest}}});
    // The tile's rows, with all blocks one run of DRAM each; with `count`
    // of the `cb` blocks (one row, then), a run per pixel.
    int64_t dramOffset = out.offset + ((r0 * pool.wo + c0) * cb + g0) * block;
    Instr store = planar ? Instr{"npu.store",
                                 {{"src", outBase},
                                  {"region", out.region},
                                  {"dram_offset", dramOffset},
                                  {"rows", rows * cols},
                                  {"cols", count},
                                  {"row_stride", cb * block},
                                  {"elem_bytes", block},
                                  {"elem_stride", block}}}
                         : Instr{"npu.store",
                                 {{"src", outBase},
                                  {"region", out.region},
                                  {"dram_offset", dramOffset},
                                  {"rows", rows},
                                  {"cols", cols * cb},
                                  {"row_stride", pool.wo * cb * block},
                                  {"elem_bytes", block},
                                  {"elem_stride", block}}};
    program.emitTile(loads, computes, {store}, tile, tileCount, doubleBuffered);
  }
}

/// The window sum an average pool folds to (a depthwise convolution with
/// a weight of ones): POOL SUM, then REQUANT with bias -z_x * count.
void FunctionLowering::lowerWindowSum(ConvOp conv, RequantizeOp requantize,
                                      const Layout &in, Quant inQuant) {
  RankedTensorType wType = tensorType(conv.getWeight());
  RankedTensorType outType = tensorType(conv.getResult());
  ArrayRef<int64_t> pads = conv.getPads();
  PoolShape pool{wType.getDimSize(2),
                 wType.getDimSize(3),
                 conv.getStrides()[0],
                 conv.getStrides()[1],
                 pads[0],
                 pads[1],
                 pads[2],
                 pads[3],
                 outType.getDimSize(2),
                 outType.getDimSize(3)};
  if (std::optional<StringRef> problem = poolProblem(pool, in.blocks(block))) {
    reject(conv, *problem);
    return;
  }
  Quant outQuant = *activationQuant(requantize.getType());
  SmallVector<int64_t> multipliers, shifts;
  requantParams(conv.getResult(), outQuant, in.c, multipliers, shifts);
  // Per-tensor scales (the usual case) share one PBUF entry for all blocks.
  int64_t channels = in.c;
  if (llvm::all_equal(multipliers) && llvm::all_equal(shifts)) {
    channels = block;
    multipliers.resize(channels, multipliers.front());
    shifts.resize(channels, shifts.front());
  }
  // Padded taps hold z_x (the CPU pads the same way), so every window sums
  // kh * kw values, each offset by z_x.
  SmallVector<int64_t> bias(channels, -inQuant.zeroPoint * pool.kh * pool.kw);
  int64_t paramOffset =
      program.addParams(bias, multipliers, shifts, outQuant.zeroPoint);
  auto [lowest, highest] = clampOf(requantize);
  Layout out =
      place(requantize.getResult(), Layout{0, 0, pool.ho, pool.wo, in.c});
  layouts[requantize.getResult()] = out;
  lowerPool(conv, in, pool, "SUM", inQuant.zeroPoint, paramOffset,
            ceilDiv(channels, block), lowest, highest, out);
}

void FunctionLowering::lowerMaxPool(MaxPoolOp op) {
  std::optional<Layout> in = input(op, op.getInput());
  if (!in)
    return;
  std::optional<Quant> quant = activationQuant(op.getType());
  if (!quant || flattened.contains(op.getInput())) {
    reject(op, "needs a signed 8-bit image");
    return;
  }
  if (op.getCeilMode() ||
      llvm::any_of(op.getDilations(), [](int64_t d) { return d != 1; })) {
    reject(op, "ceil mode and dilation are not supported on the NPU");
    return;
  }
  ArrayRef<int64_t> pads = op.getPads();
  PoolShape pool{op.getKernelShape()[0],
                 op.getKernelShape()[1],
                 op.getStrides()[0],
                 op.getStrides()[1],
                 pads[0],
                 pads[1],
                 pads[2],
                 pads[3],
                 op.getType().getDimSize(2),
                 op.getType().getDimSize(3)};
  if (std::optional<StringRef> problem = poolProblem(pool, in->blocks(block))) {
    reject(op, *problem);
    return;
  }
  // The identity requantization (docs/npu-isa.md, REQUANT), shared.
  if (identityParams < 0) {
    SmallVector<int64_t> zeros(block, 0), ones(block, (int64_t(1) << 31) - 1);
    identityParams = program.addParams(zeros, ones, zeros, 0);
  }
  Layout out = place(op.getResult(), Layout{0, 0, pool.ho, pool.wo, in->c});
  layouts[op.getResult()] = out;
  // -128 pads: no window is all padding, so the maximum is a real value.
  lowerPool(op, *in, pool, "MAX", -128, identityParams, 1, -128, 127, out);
}
