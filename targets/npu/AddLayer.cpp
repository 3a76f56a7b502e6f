//===- AddLayer.cpp - Quantized Add layers on the NPU ---------------------===//
//
// The quantized Add of two int8 tensors on the vector ALU (muon-to-npu,
// FunctionLowering.h).
//
//===----------------------------------------------------------------------===//

#include "targets/npu/FunctionLowering.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace muon;
using namespace muon::npu;

/// TFLite's quantized Add on the ALU (docs/quantization-arithmetic.md):
/// per input ADD -z, SHL 20, MULQ m, SHR shift; ADD; REQUANT with the
/// output multiplier. Element-wise, so tiled by runs of entries.
void FunctionLowering::lowerAdd(QuantizedAddOp add) {
  std::optional<Layout> lhs = input(add, add.getLhs());
  std::optional<Layout> rhs = input(add, add.getRhs());
  if (!lhs || !rhs)
    return;
  std::optional<Quant> a = activationQuant(add.getLhs().getType());
  std::optional<Quant> b = activationQuant(add.getRhs().getType());
  std::optional<Quant> y = activationQuant(add.getType());
  if (!a || !b || !y || flattened.contains(add.getLhs()) ||
      flattened.contains(add.getRhs())) {
    reject(add, "needs signed 8-bit operands of one layout");
    return;
  }
  QuantizedAddParams params =
      getQuantizedAddParams(a->scale, b->scale, y->scale);
  auto [lowest, highest] =
      getClampRange(add.getClampMinAttr(), add.getClampMaxAttr(), -128, 127);
  SmallVector<int64_t> zeros(block, 0);
  SmallVector<int64_t> multiplier(block, params.output.multiplier);
  SmallVector<int64_t> shift(block, params.output.shift);
  int64_t paramOffset =
      program.addParams(zeros, multiplier, shift, y->zeroPoint);
  Layout out = place(add.getResult(), Layout{0, 0, lhs->h, lhs->w, lhs->c});
  layouts[add.getResult()] = out;
  int64_t total = lhs->entries(block);
  AddTiling tiling = planAdd(total);
  int64_t chunk = tiling.runEntries, tileCount = tiling.runs;
  bool doubleBuffered = tiling.doubleBuffered;
  using Instr = ProgramBuilder::Instr;
  program.beginLayer(add, llvm::formatv("quantized Add of {0} entries: {1}",
                                        total, tiling.describe(total)));
  SmallVector<Instr> constantLoads;
  int64_t pbufBase =
      program.placeConstants(0, 0, paramOffset, 1, constantLoads).second;
  for (int64_t first = 0; first < total; first += chunk) {
    int64_t n = std::min(chunk, total - first);
    int64_t half = doubleBuffered ? (first / chunk) % 2 : 0;
    int64_t accBase = half * 2 * chunk, outBase = half * chunk;
    SmallVector<Instr> loads, computes;
    for (auto [i, operand] :
         llvm::enumerate(ArrayRef<const Layout *>{&*lhs, &*rhs}))
      loads.push_back(loadEntries("ACC", accBase + int64_t(i) * n, *operand,
                                  first, n, block));
    if (first == 0)
      llvm::append_range(loads, constantLoads);
    for (auto [base, zeroPoint, fixed] :
         {std::tuple{accBase, a->zeroPoint, params.lhs},
          std::tuple{accBase + n, b->zeroPoint, params.rhs}}) {
      for (auto [op, imm] : {std::pair<StringRef, int64_t>{"ADD", -zeroPoint},
                             {"SHL", params.leftShift},
                             {"MULQ", fixed.multiplier},
                             {"SHR", fixed.shift}})
        computes.push_back({"npu.alu",
                            {{"use_imm", 1},
                             {"dst", base},
                             {"n0", 1},
                             {"n1", n},
                             {"dst_s1", 1},
                             {"imm", imm}},
                            {{"op", op}}});
    }
    computes.push_back({"npu.alu",
                        {{"dst", accBase},
                         {"src", accBase + n},
                         {"n0", 1},
                         {"n1", n},
                         {"dst_s1", 1},
                         {"src_s1", 1}},
                        {{"op", "ADD"}}});
    computes.push_back({"npu.requant",
                        {{"acc", accBase},
                         {"out", outBase},
                         {"param", pbufBase},
                         {"n0", 1},
                         {"n1", n},
                         {"acc_s1", 1},
                         {"out_s1", 1},
                         {"clamp_min", lowest},
                         {"clamp_max", highest}}});
    program.emitTile(loads, computes,
                     {storeEntries(outBase, out, first, n, block)},
                     first / chunk, tileCount, doubleBuffered);
  }
}
