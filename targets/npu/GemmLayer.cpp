//===- GemmLayer.cpp - Gemm and MatMul layers on the NPU ------------------===//
//
// A [1, K] x [K, N] product and its requantization: one GEMM per output
// channel block over the input entries (muon-to-npu, FunctionLowering.h).
//
//===----------------------------------------------------------------------===//

#include "targets/npu/FunctionLowering.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace muon;
using namespace muon::npu;

/// Y[1, N] = X[1, K] . W: the input's entries (one pixel, or the pixels of
/// a flattened image) are the reduction; one GEMM per output channel block,
/// tiled by output blocks so that the weights fit WBUF.
void FunctionLowering::lowerGemm(Operation *product, RequantizeOp requantize,
                                 const Layout &in, Quant inQuant) {
  Value x = product->getOperand(0), w = product->getOperand(1);
  RankedTensorType xType = tensorType(x), wType = tensorType(w);
  bool transB = false;
  Value bias;
  if (auto gemm = dyn_cast<GemmOp>(product)) {
    transB = gemm.getTransB();
    bias = gemm.getC();
  } else if (wType.getRank() != 2) {
    reject(product, "a batched MatMul is not supported on the NPU");
    return;
  }
  if (xType.getRank() != 2 || xType.getDimSize(0) != 1) {
    reject(product, "only a [1, K] input (batch 1) is supported on the NPU");
    return;
  }
  int64_t k = xType.getDimSize(1);
  int64_t n = transB ? wType.getDimSize(0) : wType.getDimSize(1);
  SmallVector<int64_t> weights = *getConstantValues(w);
  auto weightAt = [&](int64_t row, int64_t col) {
    return transB ? weights[row * k + col] : weights[col * n + row];
  };
  std::optional<SmallVector<int64_t>> biasValues;
  if (bias && !(biasValues = getConstantValues(bias))) {
    reject(product, "its bias is not a constant");
    return;
  }
  int64_t hw = in.h * in.w, cb = in.blocks(block);
  int64_t entries = in.entries(block), ob = ceilDiv(n, block);
  // WBUF entries [ob][pixel][cb], each [output lane][input lane]; a
  // flattened NCHW image's element k is channel k / (H W), pixel k % (H W).
  SmallVector<int8_t> tiles(ob * entries * block * block, 0);
  SmallVector<int64_t> sums(n, 0);
  for (int64_t o = 0; o < n; ++o)
    for (int64_t kk = 0; kk < k; ++kk) {
      int64_t c = kk / hw, pixel = kk % hw;
      int64_t entry = (o / block) * entries + pixel * cb + c / block;
      int64_t value = weightAt(o, kk);
      tiles[(entry * block + o % block) * block + c % block] = value;
      sums[o] += value;
    }
  int64_t weightOffset = program.addConstant(tiles);
  Quant outQuant = *activationQuant(requantize.getType());
  SmallVector<int64_t> multipliers, shifts;
  requantParams(product->getResult(0), outQuant, n, multipliers, shifts);
  int64_t paramOffset =
      program.addParams(foldBias(biasValues, sums, inQuant.zeroPoint),
                        multipliers, shifts, outQuant.zeroPoint);
  auto [lowest, highest] = clampOf(requantize);
  Layout out = place(requantize.getResult(), Layout{0, 0, 1, 1, n});
  layouts[requantize.getResult()] = out;

  // Each part of the reduction loads its input entries and its part of the
  // tile's weights and accumulates (GEMM without reset) onto the last.
  GemmTiling tiling = planGemm(entries, ob);
  int64_t parts = tiling.parts, partEntries = tiling.partEntries;
  int64_t tileBlocks = tiling.tileBlocks, gemmTiles = tiling.tiles;
  using Instr = ProgramBuilder::Instr;
  program.beginLayer(product, llvm::formatv("Gemm {0} -> {1}: {2}", k, n,
                                            tiling.describe(ob)));
  // One tile: its constants may be prefetched; several: each tile loads
  // its own after the previous one.
  SmallVector<Instr> constantLoads;
  int64_t wbufBase = 0, pbufBase = 0;
  if (gemmTiles == 1 && parts == 1)
    std::tie(wbufBase, pbufBase) = program.placeConstants(
        weightOffset, ob * entries, paramOffset, ob, constantLoads);
  else
    program.useConstantBuffers(tileBlocks * partEntries, tileBlocks);
  for (int64_t first = 0; first < ob; first += tileBlocks) {
    int64_t count = std::min(tileBlocks, ob - first);
    for (int64_t e0 = 0; e0 < entries; e0 += partEntries) {
      int64_t length = std::min(partEntries, entries - e0);
      bool last = e0 + length == entries;
      SmallVector<Instr> loads, computes, stores;
      loads.push_back(loadEntries("IBUF", 0, in, e0, length, block));
      if (gemmTiles == 1 && parts == 1) {
        llvm::append_range(loads, constantLoads);
      } else {
        // The tile's blocks' weights for this part: WBUF [block][entry].
        int64_t weightsAt =
            weightOffset + (first * entries + e0) * block * block;
        loads.push_back(
            parts == 1
                ? program.loadConstants("WBUF", 0, weightsAt, count * entries)
                : Instr{"npu.load",
                        {{"dst_stride", length},
                         {"dram_offset", weightsAt},
                         {"rows", count},
                         {"cols", length},
                         {"row_stride", entries * block * block},
                         {"elem_bytes", block * block},
                         {"elem_stride", block * block}},
                        {{"buffer", "WBUF"}}});
      }
      if (last && !(gemmTiles == 1 && parts == 1))
        loads.push_back(program.loadConstants(
            "PBUF", 0, paramOffset + first * 16 * block, count));
      for (int64_t o = 0; o < count; ++o)
        computes.push_back({"npu.gemm",
                            {{"reset", e0 == 0},
                             {"acc", o},
                             {"wgt", wbufBase + o * length},
                             {"n0", 1},
                             {"n1", 1},
                             {"k0", 1},
                             {"k1", length},
                             {"inp_r1", 1},
                             {"wgt_r1", 1}}});
      if (last) {
        computes.push_back({"npu.requant",
                            {{"param", pbufBase},
                             {"n0", count},
                             {"n1", 1},
                             {"acc_s0", 1},
                             {"out_s0", 1},
                             {"param_s0", 1},
                             {"clamp_min", lowest},
                             {"clamp_max", highest}}});
        stores.push_back(storeEntries(0, out, first, count, block));
      }
      program.emitTile(loads, computes, stores,
                       (first / tileBlocks) * parts + e0 / partEntries,
                       gemmTiles * parts, /*doubleBuffered=*/false);
    }
  }
}
