//===- ProgramBuilder.cpp - Building an npu.program -----------------------===//

#include "targets/npu/ProgramBuilder.h"
#include "dialects/muon/OnnxLocations.h"

#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace muon;
using namespace muon::npu;

std::string npu::layerName(Operation *op) {
  std::string text = describeNode(op);
  StringRef view(text);
  if (view.consume_front("node '")) {
    size_t end = view.rfind("' (");
    if (end != StringRef::npos)
      view = view.take_front(end);
  }
  return view.take_front(63).str();
}

int64_t ProgramBuilder::addConstant(ArrayRef<int8_t> bytes) {
  constants.resize(llvm::alignTo(constants.size(), 16));
  int64_t offset = constants.size();
  constants.append(bytes.begin(), bytes.end());
  return offset;
}

int64_t ProgramBuilder::addParams(ArrayRef<int64_t> bias,
                                  ArrayRef<int64_t> multiplier,
                                  ArrayRef<int64_t> shift, int64_t zeroPoint) {
  int64_t channels = bias.size();
  SmallVector<int8_t> bytes(ceilDiv(channels, block) * block * 16, 0);
  auto put = [&](int64_t at, int64_t value) {
    uint32_t v = static_cast<uint32_t>(static_cast<int32_t>(value));
    for (int i = 0; i < 4; ++i)
      bytes[at + i] = static_cast<int8_t>((v >> (8 * i)) & 0xFF);
  };
  for (int64_t c = 0; c < channels; ++c) {
    put(c * 16, bias[c]);
    put(c * 16 + 4, multiplier[c]);
    put(c * 16 + 8, shift[c]);
    put(c * 16 + 12, zeroPoint);
  }
  return addConstant(bytes);
}

Layout ProgramBuilder::allocateWorkspace(int64_t h, int64_t w, int64_t c) {
  Layout layout{kWorkspacePending, 0, h, w, c};
  int64_t bytes = llvm::alignTo(layout.entries(block) * block, 64);
  for (auto it = freeRanges.begin(); it != freeRanges.end(); ++it)
    if (it->second >= bytes) {
      layout.offset = it->first;
      if (it->second == bytes)
        freeRanges.erase(it);
      else
        *it = {it->first + bytes, it->second - bytes};
      return layout;
    }
  layout.offset = workspaceBytes;
  workspaceBytes += bytes;
  return layout;
}

void ProgramBuilder::freeWorkspace(const Layout &layout) {
  if (layout.region != kWorkspacePending)
    return;
  int64_t bytes = llvm::alignTo(layout.entries(block) * block, 64);
  freeRanges.push_back({layout.offset, bytes});
  llvm::sort(freeRanges);
  // Merge neighbours.
  SmallVector<std::pair<int64_t, int64_t>> merged;
  for (auto range : freeRanges)
    if (!merged.empty() &&
        merged.back().first + merged.back().second == range.first)
      merged.back().second += range.second;
    else
      merged.push_back(range);
  freeRanges = std::move(merged);
}

void ProgramBuilder::beginLayer(Operation *op, const Twine &tiling) {
  reportLayer();
  layers.push_back(layerName(op));
  emit("npu.layer", {{"layer_id", int64_t(layers.size() - 1)}});
  layerStats = LayerStats{op, tiling.str()};
}

void ProgramBuilder::emitTile(ArrayRef<Instr> loads, ArrayRef<Instr> computes,
                              ArrayRef<Instr> stores, int64_t tile,
                              int64_t tiles, bool doubleBuffered) {
  bool partial = stores.empty();
  assert(!loads.empty() && !computes.empty() && !(partial && doubleBuffered));
  for (ArrayRef<Instr> stage : {loads, computes, stores})
    for (const Instr &instr : stage)
      layerStats.count(instr);
  auto set = [&](Operation *op, StringRef flag) {
    op->setAttr(flag, builder.getBoolAttr(true));
  };
  // Where tiles do not overlap (a layer's first tile, or every tile of a
  // single-buffered layer), the previous store completes first: it
  // signals a compute SYNC, which signals this tile's first load.
  bool serial = !(doubleBuffered && tile > 0) && lastStore && !afterPartial;
  if (serial) {
    set(lastStore, "push_prev");
    emit("npu.sync", {{"pop_next", 1}, {"push_prev", 1}},
         {{"stage", "COMPUTE"}});
  }
  // Double buffering: tile t's buffers are tile t - 2's, so its first
  // load waits for tile t - 2's REQUANT (the last reader of what was
  // loaded) and its REQUANT for tile t - 2's STORE (the reader of OBUF).
  bool reuses = doubleBuffered && tile >= 2;
  bool reused = doubleBuffered && tile + 2 < tiles;
  for (auto [i, instr] : llvm::enumerate(loads)) {
    Operation *op = emit(instr);
    if (i == 0 && (serial || reuses || afterPartial))
      set(op, "pop_next");
    if (i + 1 == loads.size())
      set(op, "push_next");
  }
  for (auto [i, instr] : llvm::enumerate(computes)) {
    Operation *op = emit(instr);
    if (i == 0)
      set(op, "pop_prev");
    if (i + 1 == computes.size()) {
      set(op, partial ? "push_prev" : "push_next");
      if (reuses)
        set(op, "pop_next");
      if (reused)
        set(op, "push_prev");
    }
  }
  afterPartial = partial;
  for (auto [i, instr] : llvm::enumerate(stores)) {
    Operation *op = emit(instr);
    if (i == 0)
      set(op, "pop_prev");
    if (i + 1 == stores.size() && reused)
      set(op, "push_prev");
    lastStore = op;
  }
}

/// The LOAD of `count` consecutive entries of `entryBytes` bytes from byte
/// `offset` of DRAM region `region` into `buffer` from entry `dst` on.
static ProgramBuilder::Instr loadRun(StringRef buffer, int64_t dst,
                                     int64_t region, int64_t offset,
                                     int64_t count, int64_t entryBytes) {
  return {"npu.load",
          {{"dst", dst},
           {"dst_stride", count},
           {"region", region},
           {"dram_offset", offset},
           {"rows", 1},
           {"cols", count},
           {"row_stride", count * entryBytes},
           {"elem_bytes", entryBytes},
           {"elem_stride", entryBytes}},
          {{"buffer", buffer}}};
}

ProgramBuilder::Instr ProgramBuilder::loadConstants(StringRef buffer,
                                                    int64_t dst, int64_t offset,
                                                    int64_t entries) const {
  int64_t bytes = buffer == "WBUF" ? block * block : 16 * block;
  return loadRun(buffer, dst, /*region=*/0, offset, entries, bytes);
}

std::pair<int64_t, int64_t>
ProgramBuilder::placeConstants(int64_t weightOffset, int64_t weightEntries,
                               int64_t paramOffset, int64_t paramEntries,
                               SmallVectorImpl<Instr> &firstTileLoads) {
  int64_t wbufHalf = kWbufEntries / 2, pbufHalf = kPbufEntries / 2;
  auto overlaps = [](std::pair<int64_t, int64_t> used, int64_t lo, int64_t hi) {
    return lo < used.second && used.first < hi;
  };
  std::optional<int64_t> half;
  if (weightEntries <= wbufHalf && paramEntries <= pbufHalf)
    for (int64_t h : {0, 1})
      if (!half &&
          !(weightEntries &&
            overlaps(usedWbuf, h * wbufHalf, h * wbufHalf + weightEntries)) &&
          !overlaps(usedPbuf, h * pbufHalf, h * pbufHalf + paramEntries))
        half = h;
  int64_t wbufBase = half ? *half * wbufHalf : 0;
  int64_t pbufBase = half ? *half * pbufHalf : 0;
  SmallVector<Instr> loads;
  if (weightEntries)
    loads.push_back(
        loadConstants("WBUF", wbufBase, weightOffset, weightEntries));
  loads.push_back(loadConstants("PBUF", pbufBase, paramOffset, paramEntries));
  for (const Instr &load : loads) {
    if (half) {
      layerStats.count(load);
      emit(load);
    } else {
      firstTileLoads.push_back(load); // counted with its tile
    }
  }
  usedWbuf = {wbufBase, wbufBase + weightEntries};
  usedPbuf = {pbufBase, pbufBase + paramEntries};
  return {wbufBase, pbufBase};
}

void ProgramBuilder::finish(int64_t defaultBlock) {
  reportLayer();
  emit("npu.finish", {});
  builder.setInsertionPointToStart(&program.getBody().front());
  Location loc = program.getLoc();
  int64_t workspaceRegion = 0;
  if (workspaceBytes > 0)
    workspaceRegion = addRegion("workspace", workspaceBytes);
  for (auto &[kind, size] : regions)
    npu::RegionOp::create(builder, loc, kind, size);
  for (const TensorDesc &tensor : tensors)
    npu::TensorOp::create(
        builder, loc, builder.getStringAttr(tensor.name),
        builder.getI64IntegerAttr(tensor.region),
        builder.getDenseI64ArrayAttr(tensor.shape),
        builder.getDenseI64ArrayAttr(tensor.strides),
        builder.getI64IntegerAttr(0),
        builder.getF32FloatAttr(static_cast<float>(tensor.quant.scale)),
        builder.getI64IntegerAttr(tensor.quant.zeroPoint));
  if (!constants.empty()) {
    auto type = RankedTensorType::get({static_cast<int64_t>(constants.size())},
                                      builder.getI8Type());
    npu::ConstantsOp::create(builder, loc,
                             DenseElementsAttr::get(type, ArrayRef(constants)));
  }
  // Workspace offsets were recorded before the region had its number.
  program.walk([&](Operation *op) {
    auto region = op->getAttrOfType<IntegerAttr>("region");
    if (npu::opcodeOf(op) && region && region.getInt() == kWorkspacePending)
      op->setAttr("region", builder.getI64IntegerAttr(workspaceRegion));
  });
  SmallVector<StringRef> names(layers.begin(), layers.end());
  program.setLayersAttr(builder.getStrArrayAttr(names));
  if (block != defaultBlock)
    program.setConfigAttr(builder.getDictionaryAttr(
        builder.getNamedAttr("block", builder.getI64IntegerAttr(block))));
}

Operation *
ProgramBuilder::emit(StringRef name,
                     ArrayRef<std::pair<StringRef, int64_t>> fields,
                     ArrayRef<std::pair<StringRef, StringRef>> enums) {
  OperationState state(program.getLoc(), name);
  for (auto [field, value] : fields) {
    if (value == 0)
      continue;
    if (llvm::is_contained({"pop_prev", "pop_next", "push_prev", "push_next",
                            "reset", "use_imm"},
                           field))
      state.addAttribute(field, builder.getBoolAttr(true));
    else
      state.addAttribute(field, builder.getI64IntegerAttr(value));
  }
  for (auto [field, value] : enums)
    state.addAttribute(field, builder.getStringAttr(value));
  return builder.create(state);
}

void ProgramBuilder::LayerStats::count(const Instr &instr) {
  llvm::StringMap<int64_t> f;
  for (auto [name, value] : instr.fields)
    f[name] = value;
  auto dma = [&]() {
    int64_t burst = f["elem_stride"] == f["elem_bytes"]
                        ? f["rows"] * ceilDiv(f["cols"] * f["elem_bytes"], 16)
                        : f["rows"] * f["cols"] * ceilDiv(f["elem_bytes"], 16);
    bytes += f["rows"] * f["cols"] * f["elem_bytes"];
    return 64 + burst;
  };
  if (instr.name == "npu.load") {
    load += dma();
  } else if (instr.name == "npu.store") {
    store += dma();
  } else if (instr.name == "npu.gemm") {
    int64_t steps = f["n0"] * f["n1"] * f["k0"] * f["k1"];
    macSteps += steps;
    compute += 4 + steps;
  } else if (instr.name == "npu.pool") {
    compute += 4 + f["n0"] * f["n1"] * f["win_h"] * f["win_w"];
  } else {
    compute += 4 + f["n0"] * f["n1"];
  }
}

void ProgramBuilder::reportLayer() {
  if (!report || !layerStats.op)
    return;
  emitRemark(layerStats.op->getLoc())
      << "NPU layer " << layers.size() - 1 << ": " << layerStats.tiling
      << "; compute " << layerStats.compute << " cycles ("
      << layerStats.macSteps << " GEMM steps), load " << layerStats.load
      << ", store " << layerStats.store << " cycles (DMA, " << layerStats.bytes
      << " bytes)";
  layerStats = LayerStats();
}

std::pair<SmallVector<int64_t>, SmallVector<int64_t>>
npu::describeLayout(RankedTensorType type, const Layout &layout,
                    int64_t block) {
  int64_t padded = layout.pixelStride(block);
  SmallVector<int64_t> shape(type.getShape());
  if (type.getRank() == 4)
    return {shape,
            {layout.h * layout.w * padded, 1, layout.w * padded, padded}};
  return {shape, {padded, 1}};
}

WindowSpan npu::windowSpan(int64_t first, int64_t count, int64_t kernel,
                           int64_t stride, int64_t padBefore, int64_t size) {
  int64_t low = first * stride - padBefore;
  int64_t high = low + windowExtent(count, kernel, stride) - 1;
  int64_t begin = std::max<int64_t>(low, 0);
  int64_t end = std::min(high, size - 1);
  return {begin, end - begin + 1, begin - low, high - end};
}

ProgramBuilder::Instr npu::loadWindow(const Layout &in, int64_t block,
                                      const WindowSpan &rows,
                                      const WindowSpan &cols, StringRef buffer,
                                      int64_t dst, int64_t padValue,
                                      std::optional<int64_t> onlyBlock) {
  int64_t pixel = in.pixelStride(block);
  // Entries loaded per pixel, and bytes per entry: a packed input's pixel
  // goes to an entry of its own, the rest of it padding.
  int64_t perPixel = onlyBlock || in.pixelBytes ? 1 : in.blocks(block);
  int64_t bytes = in.pixelBytes ? in.pixelBytes : block;
  return {
      "npu.load",
      {{"dst", dst},
       {"dst_stride", cols.padded() * perPixel},
       {"region", in.region},
       {"dram_offset", in.offset + (rows.first * in.w + cols.first) * pixel +
                           onlyBlock.value_or(0) * block},
       {"rows", rows.count},
       {"cols", cols.count * perPixel},
       {"row_stride", in.w * pixel},
       {"elem_bytes", bytes},
       {"elem_stride", onlyBlock ? pixel : bytes},
       {"pad_top", rows.padBefore},
       {"pad_bottom", rows.padAfter},
       {"pad_left", cols.padBefore * perPixel},
       {"pad_right", cols.padAfter * perPixel},
       {"pad_value", padValue}},
      {{"buffer", buffer}}};
}

ProgramBuilder::Instr npu::loadEntries(StringRef buffer, int64_t dst,
                                       const Layout &layout, int64_t first,
                                       int64_t count, int64_t block) {
  return loadRun(buffer, dst, layout.region, layout.offset + first * block,
                 count, block);
}

ProgramBuilder::Instr npu::storeEntries(int64_t src, const Layout &layout,
                                        int64_t first, int64_t count,
                                        int64_t block) {
  return {"npu.store",
          {{"src", src},
           {"region", layout.region},
           {"dram_offset", layout.offset + first * block},
           {"rows", 1},
           {"cols", count},
           {"row_stride", count * block},
           {"elem_bytes", block},
           {"elem_stride", block}}};
}
