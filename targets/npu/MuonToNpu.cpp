//===- MuonToNpu.cpp - An int8 muon model to an npu.program ---------------===//
//
// The NPU target's lowering (Passes.td, docs/npu.md): every layer of the
// integer model becomes a few tiles, each a LOAD / compute / STORE sequence
// on the buffers described in docs/npu-isa.md, with the weights pre-tiled
// into the constants. The layer programs follow test/npu/Inputs/programs.py,
// whose hand-written gemm, conv, pool and add programs are checked against
// numpy references.
//
// Activations live in DRAM as NHWC with the channels padded to a multiple of
// BLOCK; an entry is one pixel's BLOCK channels. Padded channels carry
// arbitrary bytes: their weights are 0, and no output reads them.
//
// Tokens (docs/npu-isa.md, "Stages and dependency tokens"): within a tile,
// the last load signals compute (load -> compute) and the REQUANT, the last
// compute instruction, signals the store (compute -> store). A layer that
// needs several tiles alternates them between two halves of its buffers
// (double buffering, as conv3x3-tiled in test/npu/Inputs/programs.py): tile
// t + 1 loads while tile t computes and tile t - 1 stores; tile t + 2's
// first load waits for tile t's REQUANT (compute -> load) and its REQUANT
// for tile t's STORE (store -> compute). Where tiles do not overlap -- at
// a layer's start, and between the tiles of a Gemm -- the previous store
// signals a compute SYNC, which signals the next load: the layer reads what
// the one before stored, and its buffers were read by their last reader.
// A layer's weights and parameters do not depend on the previous layer:
// they go to the half of WBUF and PBUF that layer does not read and load
// before the wait, overlapping its compute (placeConstants). Every hazard
// between stages is then covered (muon-npu-run checks it).
//
//===----------------------------------------------------------------------===//

#include "targets/npu/Passes.h"

#include "dialects/muon/Constants.h"
#include "dialects/muon/MuonOps.h"
#include "dialects/muon/Quantization.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <climits>

namespace muon {
#define GEN_PASS_DEF_MUONTONPU
#include "targets/npu/Passes.h.inc"
} // namespace muon

using namespace mlir;
using namespace muon;

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// A layer of at least this many output rows (entries, for an Add) is cut
/// into at least kPipelinedTiles double-buffered tiles even when it would
/// fit the buffers at once: the loads of one tile and the stores of another
/// then hide behind the compute of a third, where one tile would load,
/// compute and store in turn.
constexpr int64_t kMinPipelinedRows = 8;
constexpr int64_t kMinPipelinedEntries = 256;
constexpr int64_t kPipelinedTiles = 4;
int64_t pipelinedTileRows(int64_t rows) {
  return ceilDiv(rows, kPipelinedTiles);
}

/// The buffers of the default hardware configuration (isa.json), in entries.
constexpr int64_t kIbufEntries = npu::kDefaultIbufEntries;
constexpr int64_t kWbufEntries = npu::kDefaultWbufEntries;
constexpr int64_t kAccEntries = npu::kDefaultAccEntries;
constexpr int64_t kObufEntries = npu::kDefaultObufEntries;
constexpr int64_t kPbufEntries = npu::kDefaultPbufEntries;

/// "node 'fc1' (Gemm)" from the importer's location, or the op's name.
std::string describeNode(Operation *op) {
  std::string text;
  op->getLoc()->walk([&](Location inner) {
    if (auto named = dyn_cast<NameLoc>(inner)) {
      text = named.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return text.empty() ? op->getName().getStringRef().str() : text;
}

/// The layer name for the statistics: the ONNX node's name when the
/// importer recorded one, else the op's name; at most 63 bytes.
std::string layerName(Operation *op) {
  std::string text = describeNode(op);
  StringRef view(text);
  if (view.consume_front("node '")) {
    size_t end = view.rfind("' (");
    if (end != StringRef::npos)
      view = view.take_front(end);
  }
  return view.take_front(63).str();
}

/// Where an activation lives: at byte `offset` of DRAM region `region`, an
/// h x w image NHWC with its `c` channels padded to whole entries of BLOCK
/// bytes (h = w = 1 for a [1, K] tensor), or for a packed model input
/// (`pixelBytes` not 0, packedPixelBytes) to `pixelBytes` bytes.
struct Layout {
  int64_t region = 0, offset = 0;
  int64_t h = 1, w = 1, c = 1;
  int64_t pixelBytes = 0;
  int64_t blocks(int64_t block) const { return ceilDiv(c, block); }
  int64_t entries(int64_t block) const { return h * w * blocks(block); }
  /// Bytes from one pixel to the next.
  int64_t pixelStride(int64_t block) const {
    return pixelBytes ? pixelBytes : blocks(block) * block;
  }
};

/// The per-tensor quantization of an 8-bit activation.
struct Quant {
  double scale = 1;
  int64_t zeroPoint = 0;
};

/// A pooling window: kernel, strides, pads [top, left, bottom, right] and
/// the output size.
struct PoolShape {
  int64_t kh, kw, sh, sw, pt, pl, pb, pr, ho, wo;
};

RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// The integer values of a constant seen through storage casts and
/// reshapes (the form weights and biases take after muon-fold-qdq).
std::optional<SmallVector<int64_t>> getConstantValues(Value value) {
  while (Operation *op = value.getDefiningOp()) {
    if (auto cast = dyn_cast<quant::StorageCastOp>(op))
      value = cast.getInput();
    else if (auto reshape = dyn_cast<ReshapeOp>(op))
      value = reshape.getInput();
    else
      break;
  }
  return getIntConstant(value);
}

/// The program under construction: instructions in order, the constants,
/// the tensor descriptors and the DRAM regions.
class ProgramBuilder {
public:
  ProgramBuilder(npu::ProgramOp program, int64_t block, bool report)
      : program(program), builder(program.getContext()), block(block),
        report(report) {
    builder.setInsertionPointToEnd(&program.getBody().front());
  }

  int64_t getBlock() const { return block; }

  /// Appends `bytes` to the constants (16-byte aligned); returns the offset.
  int64_t addConstant(ArrayRef<int8_t> bytes) {
    constants.resize(llvm::alignTo(constants.size(), 16));
    int64_t offset = constants.size();
    constants.append(bytes.begin(), bytes.end());
    return offset;
  }

  /// PBUF entries of per-channel parameters: one entry per BLOCK channels,
  /// {bias, multiplier, shift, zero point} per lane, little-endian int32.
  int64_t addParams(ArrayRef<int64_t> bias, ArrayRef<int64_t> multiplier,
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

  /// Workspace bytes for a tensor: the first free range that holds it (64-
  /// byte aligned), else new bytes at the end. The workspace region gets
  /// its number in finish().
  Layout allocateWorkspace(int64_t h, int64_t w, int64_t c) {
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

  /// Returns a dead tensor's workspace bytes. A later layer may store there:
  /// its stores come after its first load, which waits for the previous
  /// layer's last store, which comes after every load of the layers before.
  void freeWorkspace(const Layout &layout) {
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

  /// A new input or output region holding exactly `layout`'s tensor.
  int64_t addRegion(StringRef kind, int64_t bytes) {
    regions.push_back({kind.str(), bytes});
    return regions.size();
  }

  void addTensor(StringRef name, int64_t region, ArrayRef<int64_t> shape,
                 ArrayRef<int64_t> strides, Quant quant) {
    tensors.push_back({name.str(), region, SmallVector<int64_t>(shape),
                       SmallVector<int64_t>(strides), quant});
  }

  /// Starts a layer; `tiling` says how it was cut, for the report.
  void beginLayer(Operation *op, const Twine &tiling) {
    reportLayer();
    layers.push_back(layerName(op));
    emit("npu.layer", {{"layer_id", int64_t(layers.size() - 1)}});
    layerStats = LayerStats{op, tiling.str()};
  }

  /// One tile: its loads, compute instructions and stores, each a name and
  /// its nonzero fields; the last compute instruction is the REQUANT that
  /// fills OBUF. The tokens are set here (see the file comment): tile
  /// `tile` of `tiles` of a layer; `doubleBuffered` when the layer's tiles
  /// alternate between two halves of the buffers, so that tile t + 1 loads
  /// while tile t computes and tile t - 1 stores.
  struct Instr {
    StringRef name;
    SmallVector<std::pair<StringRef, int64_t>> fields;
    SmallVector<std::pair<StringRef, StringRef>> enums = {};
  };
  /// Emits a tile's loads, computes and stores with their tokens (the
  /// protocol in the file comment). A single-buffered tile without stores
  /// only accumulates (a part of a split reduction): its last compute hands
  /// the buffers to the next tile's first load, whose compute goes on from
  /// its accumulators.
  void emitTile(ArrayRef<Instr> loads, ArrayRef<Instr> computes,
                ArrayRef<Instr> stores, int64_t tile, int64_t tiles,
                bool doubleBuffered) {
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

  /// The LOAD of `entries` consecutive WBUF or PBUF entries from byte
  /// `offset` of the constants into entries from `dst` on.
  Instr loadConstants(StringRef buffer, int64_t dst, int64_t offset,
                      int64_t entries) const {
    int64_t bytes = buffer == "WBUF" ? block * block : 16 * block;
    return {"npu.load",
            {{"dst", dst},
             {"dst_stride", entries},
             {"dram_offset", offset},
             {"rows", 1},
             {"cols", entries},
             {"row_stride", entries * bytes},
             {"elem_bytes", bytes},
             {"elem_stride", bytes}},
            {{"buffer", buffer}}};
  }

  /// Places a layer's weights (`weightEntries` WBUF entries at constant
  /// offset `weightOffset`, none for 0) and parameters (`paramEntries`
  /// PBUF entries at `paramOffset`); returns their WBUF and PBUF entries.
  /// When they fit the half of WBUF and PBUF that the previous layer does
  /// not use, they go there and load right away, before the layer waits
  /// for the previous one's results (nothing orders them after it: the
  /// layer before that finished its compute before this layer's turn on
  /// the load stage) -- a prefetch that overlaps the previous layer.
  /// Otherwise they go to entry 0 and their loads are appended to
  /// `firstTileLoads`, after the wait.
  std::pair<int64_t, int64_t>
  placeConstants(int64_t weightOffset, int64_t weightEntries,
                 int64_t paramOffset, int64_t paramEntries,
                 SmallVectorImpl<Instr> &firstTileLoads) {
    int64_t wbufHalf = kWbufEntries / 2, pbufHalf = kPbufEntries / 2;
    auto overlaps = [](std::pair<int64_t, int64_t> used, int64_t lo,
                       int64_t hi) {
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

  /// A layer that loads WBUF and PBUF entries [0, wbuf) and [0, pbuf)
  /// itself, after waiting for the previous layer.
  void useConstantBuffers(int64_t wbuf, int64_t pbuf) {
    usedWbuf = {0, wbuf};
    usedPbuf = {0, pbuf};
  }

  /// Adds FINISH, the declarations and the constants.
  void finish(int64_t defaultBlock) {
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
      auto type = RankedTensorType::get(
          {static_cast<int64_t>(constants.size())}, builder.getI8Type());
      npu::ConstantsOp::create(
          builder, loc, DenseElementsAttr::get(type, ArrayRef(constants)));
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

  /// A region number no program has: workspace layouts carry it until the
  /// workspace region is numbered.
  static constexpr int64_t kWorkspacePending = 255;

private:
  Operation *emit(StringRef name,
                  ArrayRef<std::pair<StringRef, int64_t>> fields,
                  ArrayRef<std::pair<StringRef, StringRef>> enums = {}) {
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
  Operation *emit(const Instr &instr) {
    return emit(instr.name, instr.fields, instr.enums);
  }

  /// What a layer's instructions cost in the cycle model of docs/npu-isa.md
  /// (default parameters: 16 DMA bytes per cycle, 64 cycles of DMA latency,
  /// 4 of compute setup), per stage: with double buffering the layer takes
  /// about the largest of the three, one tile at a time about their sum.
  struct LayerStats {
    Operation *op = nullptr;
    std::string tiling;
    int64_t macSteps = 0, compute = 0, load = 0, store = 0, bytes = 0;
    void count(const Instr &instr) {
      llvm::StringMap<int64_t> f;
      for (auto [name, value] : instr.fields)
        f[name] = value;
      auto dma = [&]() {
        int64_t burst =
            f["elem_stride"] == f["elem_bytes"]
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
  };

  /// With `report`, a remark on the layer's op: its tiling and costs.
  void reportLayer() {
    if (!report || !layerStats.op)
      return;
    emitRemark(layerStats.op->getLoc())
        << "NPU layer " << layers.size() - 1 << ": " << layerStats.tiling
        << "; compute " << layerStats.compute << " cycles ("
        << layerStats.macSteps << " GEMM steps), load " << layerStats.load
        << ", store " << layerStats.store << " cycles (DMA, "
        << layerStats.bytes << " bytes)";
    layerStats = LayerStats();
  }

  struct TensorDesc {
    std::string name;
    int64_t region;
    SmallVector<int64_t> shape, strides;
    Quant quant;
  };

  npu::ProgramOp program;
  OpBuilder builder;
  int64_t block;
  SmallVector<int8_t> constants;
  SmallVector<std::pair<std::string, int64_t>> regions;
  SmallVector<TensorDesc> tensors;
  SmallVector<std::string> layers;
  int64_t workspaceBytes = 0;
  /// Free workspace ranges (offset, bytes), sorted.
  SmallVector<std::pair<int64_t, int64_t>> freeRanges;
  Operation *lastStore = nullptr;
  /// Whether the last tile only accumulated (emitTile).
  bool afterPartial = false;
  bool report;
  LayerStats layerStats;
  /// The WBUF and PBUF entries [first, second) the current layer reads.
  std::pair<int64_t, int64_t> usedWbuf = {0, 0}, usedPbuf = {0, 0};
};

/// The ONNX shape of an activation and the byte strides of its layout:
/// [1, K] or [1, C, H, W] (NHWC in memory, channels padded).
std::pair<SmallVector<int64_t>, SmallVector<int64_t>>
describeLayout(RankedTensorType type, const Layout &layout, int64_t block) {
  int64_t padded = layout.pixelStride(block);
  SmallVector<int64_t> shape(type.getShape());
  if (type.getRank() == 4)
    return {shape,
            {layout.h * layout.w * padded, 1, layout.w * padded, padded}};
  return {shape, {padded, 1}};
}

/// Whether pads [top, left, bottom, right] are each smaller than the
/// kernel, so that every window holds a pixel of the image (a window of
/// padding only would make a LOAD of no rows).
bool padsBelowKernel(ArrayRef<int64_t> pads, int64_t kh, int64_t kw) {
  return pads[0] < kh && pads[2] < kh && pads[1] < kw && pads[3] < kw;
}
constexpr StringLiteral kPadsAsWideAsKernel =
    "a padding as wide as the window (windows of padding only) is not "
    "supported on the NPU";
constexpr StringLiteral kPadsBeyondLoad =
    "its padding exceeds the pad fields of LOAD (255 entries)";

/// The input positions `outputs` consecutive outputs of a window of
/// `kernel` taps at stride `stride` read, padding included.
int64_t windowExtent(int64_t outputs, int64_t kernel, int64_t stride) {
  return (outputs - 1) * stride + kernel;
}

/// The input positions that output positions [first, first + count) of a
/// window of `kernel` taps, stride `stride` and `padBefore` padding read
/// along an image dimension of `size`: `count` positions from `first` in
/// the image, with `padBefore` and `padAfter` padding positions around them.
struct WindowSpan {
  int64_t first, count, padBefore, padAfter;
  int64_t padded() const { return padBefore + count + padAfter; }
};

WindowSpan windowSpan(int64_t first, int64_t count, int64_t kernel,
                      int64_t stride, int64_t padBefore, int64_t size) {
  int64_t low = first * stride - padBefore;
  int64_t high = low + windowExtent(count, kernel, stride) - 1;
  int64_t begin = std::max<int64_t>(low, 0);
  int64_t end = std::min(high, size - 1);
  return {begin, end - begin + 1, begin - low, high - end};
}

/// The LOAD of an input window (`rows` x `cols` pixels with their padding)
/// into `buffer` from entry `dst` on, as [row][column][channel block] with
/// `cols.padded()` pixels per row, or only channel block `onlyBlock` as
/// [row][column]. Padding is `padValue`.
ProgramBuilder::Instr loadWindow(const Layout &in, int64_t block,
                                 const WindowSpan &rows, const WindowSpan &cols,
                                 StringRef buffer, int64_t dst,
                                 int64_t padValue,
                                 std::optional<int64_t> onlyBlock = {}) {
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

/// The LOAD of `count` consecutive entries of the tensor at `layout`, from
/// its entry `first` on, into `buffer` from entry `dst` on.
ProgramBuilder::Instr loadEntries(StringRef buffer, int64_t dst,
                                  const Layout &layout, int64_t first,
                                  int64_t count, int64_t block) {
  return {"npu.load",
          {{"dst", dst},
           {"dst_stride", count},
           {"region", layout.region},
           {"dram_offset", layout.offset + first * block},
           {"rows", 1},
           {"cols", count},
           {"row_stride", count * block},
           {"elem_bytes", block},
           {"elem_stride", block}},
          {{"buffer", buffer}}};
}

/// The STORE of `count` OBUF entries from `src` on to the tensor at
/// `layout`, from its entry `first` on.
ProgramBuilder::Instr storeEntries(int64_t src, const Layout &layout,
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

/// The layout of a tensor of `type` when it is an activation the NPU can
/// hold: batch 1, [1, K] or [1, C, H, W].
std::optional<Layout> shapeLayout(RankedTensorType type) {
  if (!type.hasStaticShape() || type.getDimSize(0) != 1)
    return std::nullopt;
  if (type.getRank() == 2)
    return Layout{0, 0, 1, 1, type.getDimSize(1)};
  if (type.getRank() == 4)
    return Layout{0, 0, type.getDimSize(2), type.getDimSize(3),
                  type.getDimSize(1)};
  return std::nullopt;
}

/// The per-tensor quantization of a signed 8-bit activation, or nothing.
std::optional<Quant> activationQuant(Type type) {
  auto quantized = dyn_cast_or_null<quant::UniformQuantizedType>(
      getQuantizedElementType(type));
  if (!quantized || quantized.getStorageTypeIntegralWidth() != 8 ||
      !quantized.isSigned())
    return std::nullopt;
  return Quant{quantized.getScale(), quantized.getZeroPoint()};
}

/// With a packed input, the columns whose window reaches the padding run
/// unpacked, in column tiles of their own; on a small image those tiles
/// cost more (a DMA latency of 64 cycles each in the cycle model) than
/// packing saves, so packing needs to save kMinPackedSavings GEMM steps.
constexpr int64_t kMinPackedSavings = 1024;

/// The output columns [begin, end) of a convolution whose window lies in
/// the image (no horizontal padding): those a packed input serves.
std::pair<int64_t, int64_t> columnsInsideImage(int64_t wo, int64_t width,
                                               int64_t kw, int64_t sw,
                                               int64_t padLeft) {
  int64_t begin = std::min(wo, ceilDiv(padLeft, sw));
  int64_t lastStart = width - kw + padLeft; // of a window inside the image
  int64_t end =
      lastStart < 0 ? begin : std::clamp(lastStart / sw + 1, begin, wo);
  return {begin, end};
}

/// The bytes per pixel of a packed model input read by `conv`, or 0 when
/// packing does not pay. Unpacked, a pixel of C < BLOCK channels fills C
/// lanes of its entry (a stem's 3 of 16); packed in P = PowerOf2Ceil(C)
/// bytes, an entry holds BLOCK / P pixels, and one GEMM step multiplies as
/// many taps of a window row. Entry k of an input row starts at the pixel
/// output column k's window starts at (k stride_w - pad_left), so a window
/// row takes `parts` = ceil(kw / (BLOCK / P)) entries, BLOCK / P / stride_w
/// entries apart.
int64_t packedPixelBytes(ConvOp conv, int64_t block) {
  RankedTensorType wType = tensorType(conv.getWeight());
  RankedTensorType inType = tensorType(conv.getInput());
  RankedTensorType outType = tensorType(conv.getResult());
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

struct MuonToNpuPass : muon::impl::MuonToNpuBase<MuonToNpuPass> {
  using MuonToNpuBase::MuonToNpuBase;
  void runOnOperation() override;
};

/// Lowers one function; collects what it cannot lower.
class FunctionLowering {
public:
  FunctionLowering(func::FuncOp func, ProgramBuilder &program, bool hostPrefix)
      : func(func), program(program), block(program.getBlock()),
        hostPrefix(hostPrefix) {}

  /// Lowers every op; false when some could not be (listed in `failures`).
  LogicalResult run();

  /// "muon.sub  node 'Sub_0' (Sub): why" lines, in program order.
  SmallVector<std::string> failures;

private:
  void reject(Operation *op, const Twine &why) {
    for (Value result : op->getResults())
      rejected.insert(result);
    failures.push_back(llvm::formatv("{0,-20} {1}: {2}",
                                     op->getName().getStringRef(),
                                     describeNode(op), why.str())
                           .str());
  }

  /// Marks the result of an op that could not be lowered, so that its users
  /// are not listed as well.
  void markIfNotLowered(Operation *op) {
    for (Value result : op->getResults())
      if (!layouts.count(result))
        rejected.insert(result);
  }

  /// The layout of an 8-bit value already in DRAM, or nothing after
  /// reject. A copy: lowering the user adds layouts, which may move them.
  std::optional<Layout> input(Operation *user, Value value) {
    auto it = layouts.find(value);
    if (it == layouts.end()) {
      // Only the first op that cannot run is reported, not its users.
      if (rejected.contains(value)) {
        for (Value result : user->getResults())
          rejected.insert(result);
      } else {
        reject(user, "its input is not computed on the NPU");
      }
      return std::nullopt;
    }
    return it->second;
  }

  /// Where a layer's result goes: an output region when the model returns
  /// it (dequantized), the workspace otherwise.
  Layout place(Value result, const Layout &shape);

  void lowerInput(Value input, const std::string &name);
  void findHostPrefixes();
  void lowerProduct(Operation *product, RequantizeOp requantize);
  void lowerGemm(Operation *product, RequantizeOp requantize, const Layout &in,
                 Quant inQuant);
  void lowerConv(ConvOp conv, RequantizeOp requantize, const Layout &in,
                 Quant inQuant);
  void lowerWindowSum(ConvOp conv, RequantizeOp requantize, const Layout &in,
                      Quant inQuant);
  void lowerMaxPool(MaxPoolOp pool);
  void lowerPool(Operation *op, const Layout &in, const PoolShape &pool,
                 StringRef poolOp, int64_t padValue, int64_t paramOffset,
                 int64_t paramEntries, int64_t lowest, int64_t highest,
                 const Layout &out);
  void lowerAdd(QuantizedAddOp add);
  void lowerReshape(ReshapeOp reshape);

  /// Requantization parameters per output channel: the accumulator's
  /// scale over the output's, as getFixedPointMultiplier writes it.
  void requantParams(Value accumulator, Quant out, int64_t channels,
                     SmallVectorImpl<int64_t> &multipliers,
                     SmallVectorImpl<int64_t> &shifts);
  std::pair<int64_t, int64_t> clampOf(RequantizeOp requantize);

  func::FuncOp func;
  ProgramBuilder &program;
  int64_t block;
  /// Whether float ops before an input's quantization are left to the host.
  bool hostPrefix;
  /// The float ops that compute a quantized value from the model's inputs
  /// and constants alone (findHostPrefixes).
  llvm::DenseSet<Operation *> hostOps;
  llvm::DenseMap<Value, Layout> layouts;
  /// Values the model returns (through a dequantize): their ONNX names.
  llvm::MapVector<Value, std::pair<std::string, Quant>> outputs;
  llvm::DenseSet<Value> flattened;
  /// Results of ops that cannot run, so that their users are not listed.
  llvm::DenseSet<Value> rejected;
  int64_t identityParams = -1;
};

Layout FunctionLowering::place(Value result, const Layout &shape) {
  auto output = outputs.find(result);
  if (output == outputs.end())
    return program.allocateWorkspace(shape.h, shape.w, shape.c);
  Layout layout = shape;
  layout.region = program.addRegion("output", shape.entries(block) * block);
  auto [shapeOf, strides] = describeLayout(tensorType(result), layout, block);
  program.addTensor(output->second.first, layout.region, shapeOf, strides,
                    output->second.second);
  return layout;
}

/// A program input: the tensor descriptor of a model input, or with the
/// host prefix of a float value the host computes, from the quantization
/// its readers apply.
void FunctionLowering::lowerInput(Value input, const std::string &name) {
  std::optional<Layout> shape = shapeLayout(tensorType(input));
  std::optional<Quant> quant;
  for (Operation *user : input.getUsers()) {
    auto quantize = dyn_cast<QuantizeOp>(user);
    if (!quantize)
      continue; // a float op, reported where it is

    std::optional<Quant> q = activationQuant(quantize.getType());
    if (!q) {
      reject(user, "quantizes to a type other than signed 8-bit per tensor "
                   "(the NPU stores int8 only; quantize with int8 "
                   "activations)");
      continue;
    }
    if (quant &&
        (quant->scale != q->scale || quant->zeroPoint != q->zeroPoint)) {
      reject(user, "quantizes input '" + name + "' a second way");
      continue;
    }
    quant = q;
    if (!shape) {
      reject(user, "input '" + name + "' is not [1, K] or [1, C, H, W]");
      continue;
    }
  }
  if (!quant || !shape)
    return;
  Layout layout = *shape;
  // An image read by convolutions alone, which gain from it, is packed.
  int64_t pixelBytes = 0;
  bool packable = shape->h * shape->w > 1;
  for (Operation *user : input.getUsers())
    for (Operation *reader : user->getUsers()) {
      auto conv = dyn_cast<ConvOp>(reader);
      pixelBytes = conv ? packedPixelBytes(conv, block) : 0;
      packable &= pixelBytes != 0;
    }
  if (packable && pixelBytes) {
    layout.pixelBytes = pixelBytes;
    // A packed LOAD's last entry reads up to BLOCK bytes from the last
    // pixel it starts at.
    layout.region =
        program.addRegion("input", layout.h * layout.w * pixelBytes + block);
  } else {
    layout.region = program.addRegion("input", layout.entries(block) * block);
  }
  auto [shapeOf, strides] = describeLayout(tensorType(input), layout, block);
  program.addTensor(name, layout.region, shapeOf, strides, *quant);
  for (Operation *user : input.getUsers())
    if (isa<QuantizeOp>(user))
      layouts[user->getResult(0)] = layout;
}

void FunctionLowering::requantParams(Value accumulator, Quant out,
                                     int64_t channels,
                                     SmallVectorImpl<int64_t> &multipliers,
                                     SmallVectorImpl<int64_t> &shifts) {
  SmallVector<double> scales =
      getScales(getQuantizedElementType(accumulator.getType()));
  for (int64_t c = 0; c < channels; ++c) {
    double scale = scales[scales.size() == 1 ? 0 : c];
    FixedPointMultiplier fixed = getFixedPointMultiplier(scale / out.scale);
    multipliers.push_back(fixed.multiplier);
    shifts.push_back(fixed.shift);
  }
}

std::pair<int64_t, int64_t> FunctionLowering::clampOf(RequantizeOp requantize) {
  int64_t lowest = -128, highest = 127;
  if (IntegerAttr clampMin = requantize.getClampMinAttr())
    lowest = std::max(lowest, clampMin.getInt());
  if (IntegerAttr clampMax = requantize.getClampMaxAttr())
    highest = std::min(highest, clampMax.getInt());
  return {lowest, highest};
}

/// bias - z_x * sum(w) per output channel, saturated to int32 (the NPU's
/// GEMM multiplies the raw int8 input; docs/quantization-arithmetic.md).
/// The CPU starts its int32 accumulation from the same value; the results
/// agree as long as neither it nor the accumulator overflows int32, which
/// needs |bias| or the sum near 2^31 (a calibrated model is far from it).
SmallVector<int64_t> foldBias(std::optional<SmallVector<int64_t>> bias,
                              ArrayRef<int64_t> weightSums, int64_t zeroPoint) {
  SmallVector<int64_t> folded;
  for (auto [c, sum] : llvm::enumerate(weightSums)) {
    int64_t value = (bias ? (*bias)[c] : 0) - zeroPoint * sum;
    folded.push_back(std::clamp<int64_t>(value, INT32_MIN, INT32_MAX));
  }
  return folded;
}

void FunctionLowering::lowerProduct(Operation *product,
                                    RequantizeOp requantize) {
  std::optional<Layout> in = input(product, product->getOperand(0));
  if (!in)
    return;
  std::optional<Quant> inQuant =
      activationQuant(product->getOperand(0).getType());
  std::optional<Quant> outQuant = activationQuant(requantize.getType());
  quant::QuantizedType weightType =
      getQuantizedElementType(product->getOperand(1).getType());
  if (!inQuant || !outQuant || !weightType ||
      weightType.getStorageTypeIntegralWidth() != 8 || !weightType.isSigned() ||
      llvm::any_of(getZeroPoints(weightType),
                   [](int64_t z) { return z != 0; })) {
    reject(product, "needs signed 8-bit activations and symmetric signed "
                    "8-bit weights");
    return;
  }
  if (!getConstantValues(product->getOperand(1))) {
    reject(product, "its weight is not a constant");
    return;
  }
  if (auto conv = dyn_cast<ConvOp>(product)) {
    if (flattened.contains(conv.getInput())) {
      reject(product, "reads a flattened tensor");
      return;
    }
    if (llvm::any_of(conv.getDilations(), [](int64_t d) { return d != 1; })) {
      reject(product, "dilated convolutions are not supported on the NPU");
      return;
    }
    int64_t channels = tensorType(conv.getInput()).getDimSize(1);
    if (conv.getGroup() == 1)
      return lowerConv(conv, requantize, *in, *inQuant);
    bool depthwise = static_cast<int64_t>(conv.getGroup()) == channels &&
                     tensorType(conv.getWeight()).getDimSize(0) == channels;
    if (depthwise && !conv.getBias() &&
        llvm::all_of(*getConstantValues(conv.getWeight()),
                     [](int64_t v) { return v == 1; }))
      return lowerWindowSum(conv, requantize, *in, *inQuant);
    if (depthwise)
      return lowerConv(conv, requantize, *in, *inQuant);
    reject(product, "grouped convolutions other than depthwise ones (one "
                    "output channel per input channel) are not supported on "
                    "the NPU");
    return;
  }
  lowerGemm(product, requantize, *in, *inQuant);
}

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

  // Tiles of output channel blocks whose weights fit WBUF. When the input
  // entries exceed IBUF, or one block's weights WBUF, the reduction is cut
  // into even parts: each part loads its input entries and its part of the
  // tile's weights and accumulates (GEMM without reset) onto the last.
  int64_t parts = ceilDiv(entries, std::min(kIbufEntries, kWbufEntries));
  int64_t partEntries = ceilDiv(entries, parts);
  int64_t tileBlocks = std::min({ob, kWbufEntries / partEntries, kPbufEntries});
  using Instr = ProgramBuilder::Instr;
  int64_t gemmTiles = ceilDiv(ob, tileBlocks);
  program.beginLayer(
      product,
      llvm::formatv("Gemm {0} -> {1}: {2} tile{3} of {4} output channel "
                    "block{5}{6}, one at a time",
                    k, n, gemmTiles, gemmTiles == 1 ? "" : "s",
                    std::min(tileBlocks, ob), tileBlocks == 1 ? "" : "s",
                    parts == 1
                        ? std::string()
                        : llvm::formatv(", the reduction in {0} parts of {1} "
                                        "entries",
                                        parts, partEntries)
                              .str()));
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
  // Output channel groups: when the weights or parameters exceed WBUF or
  // PBUF, the output blocks are cut into groups whose constants fit half of
  // them (so that a group's constants load while the group before computes,
  // placeConstants), or all of them if not even one block fits half. Each
  // group is a pass over the rows of the image: the input is read once per
  // group, the much larger weights once.
  int64_t groupBlocks = ob;
  if (weightEntries > kWbufEntries || ob > kPbufEntries) {
    groupBlocks = std::min(kWbufEntries / 2 / blockEntries, kPbufEntries / 2);
    if (groupBlocks == 0)
      groupBlocks = std::min(kWbufEntries / blockEntries, kPbufEntries);
  }
  int64_t groups = ceilDiv(ob, groupBlocks);
  // Tiles of output rows x columns: the input window they read fits IBUF,
  // their outputs ACC and OBUF; twice over (double buffering) when the
  // layer needs more than one tile. Tiles are whole rows when one row fits
  // half the buffers, else parts of one row (column tiles, as even as
  // possible), single-buffered only if not even one output fits half.
  auto fits = [&](int64_t rows, int64_t cols, int64_t copies) {
    int64_t inputs =
        windowExtent(rows, kh, sh) * windowExtent(cols, kw, sw) * cb;
    int64_t outputs = rows * cols * groupBlocks;
    return copies * inputs <= kIbufEntries && copies * outputs <= kAccEntries &&
           copies * outputs <= kObufEntries;
  };
  int64_t tileRows = ho, tileCols = wo;
  bool doubleBuffered = true;
  if (fits(ho, wo, 1) && ho < kMinPipelinedRows) {
    doubleBuffered = false;
  } else if (fits(1, wo, 2)) {
    tileRows = pipelinedTileRows(ho);
    while (!fits(tileRows, wo, 2))
      --tileRows;
  } else {
    tileRows = 1;
    doubleBuffered = fits(1, 1, 2);
    int64_t copies = doubleBuffered ? 2 : 1;
    while (tileCols > 0 && !fits(1, tileCols, copies))
      --tileCols;
    if (tileCols == 0) {
      reject(conv, "the input window of one output does not fit IBUF");
      return;
    }
    tileCols = ceilDiv(wo, ceilDiv(wo, tileCols));
  }
  // Column tiles of at most tileCols outputs; with a packed input, the
  // columns whose window lies in the image [packedBegin, packedEnd) apart.
  struct ColumnTile {
    int64_t first, count;
    bool packed;
  };
  SmallVector<ColumnTile> columnTiles;
  auto addColumns = [&](int64_t begin, int64_t end, bool packed) {
    for (int64_t c0 = begin; c0 < end; c0 += tileCols)
      columnTiles.push_back({c0, std::min(tileCols, end - c0), packed});
  };
  auto [packedBegin, packedEnd] = pixel
                                      ? columnsInsideImage(wo, in.w, kw, sw, pl)
                                      : std::pair<int64_t, int64_t>(wo, wo);
  addColumns(0, packedBegin, false);
  addColumns(packedBegin, packedEnd, true);
  addColumns(packedEnd, wo, false);
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
  int64_t colTiles = columnTiles.size();
  int64_t tileCount = ceilDiv(ho, tileRows) * colTiles;
  std::string tiling = llvm::formatv(
      "{0} tile{1} of {2} output row{3}{4}{5}{6}", tileCount,
      tileCount == 1 ? "" : "s", tileRows, tileRows == 1 ? "" : "s",
      colTiles == 1 ? std::string()
                    : llvm::formatv(" x up to {0} columns", tileCols).str(),
      doubleBuffered ? ", double-buffered" : "",
      pixel ? llvm::formatv(", input pixels packed {0} to an entry ({1} "
                            "columns)",
                            perEntry, packedEnd - packedBegin)
                  .str()
            : std::string());
  if (groups > 1)
    tiling =
        llvm::formatv("{0} groups of {1} output channel block{2}, each "
                      "{3}",
                      groups, groupBlocks, groupBlocks == 1 ? "" : "s", tiling);
  program.beginLayer(
      conv, llvm::formatv("{0} {1}x{2} stride {3}: {4}x{5}x{6} -> "
                          "{7}x{8}x{9}, {10}",
                          depthwise ? "Depthwise conv" : "Conv", kh, kw, sh,
                          in.h, in.w, in.c, ho, wo, cout, tiling));
  int64_t inputEntries =
      windowExtent(tileRows, kh, sh) * windowExtent(tileCols, kw, sw) * cb;
  int64_t outputEntries = tileRows * tileCols * groupBlocks;
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
      auto [c0, cols, packed] = columnTiles[tile % colTiles];
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

/// Max pool or window sum: per tile of output rows, the padded input rows
/// in ACC (padded with `padValue`), one POOL per channel block, a REQUANT
/// with the parameters at `paramOffset` (`paramEntries` entries: one per
/// channel block, or one shared by all), a STORE. When not even one output
/// row of all channel blocks fits half of ACC (a global pool of many
/// channels), the tiles are one output row of a group of channel blocks,
/// each block loaded on its own as [row][column]; when not even one block's
/// row fits, they are columns of one row of one block.
void FunctionLowering::lowerPool(Operation *op, const Layout &in,
                                 const PoolShape &pool, StringRef poolOp,
                                 int64_t padValue, int64_t paramOffset,
                                 int64_t paramEntries, int64_t lowest,
                                 int64_t highest, const Layout &out) {
  int64_t cb = in.blocks(block);
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
  bool planar = groupBlocks < cb;
  int64_t colTiles = ceilDiv(pool.wo, tileCols);
  int64_t rowTiles = ceilDiv(pool.ho, tileRows);
  int64_t tileCount = ceilDiv(cb, groupBlocks) * rowTiles * colTiles;
  using Instr = ProgramBuilder::Instr;
  program.beginLayer(
      op,
      llvm::formatv(
          "{0} {1}x{2} stride {3}: {4}x{5}x{6} -> {7}x{8}, {9} "
          "tile{10} of {11} output row{13}{14}{15}{12}",
          poolOp == "MAX" ? "MaxPool" : "window sum", pool.kh, pool.kw, pool.sh,
          in.h, in.w, in.c, pool.ho, pool.wo, tileCount,
          tileCount == 1 ? "" : "s", tileRows,
          doubleBuffered ? ", double-buffered" : "", tileRows == 1 ? "" : "s",
          colTiles == 1 ? std::string()
                        : llvm::formatv(" x up to {0} columns", tileCols).str(),
          planar ? llvm::formatv(" x {0} channel block{1}", groupBlocks,
                                 groupBlocks == 1 ? "" : "s")
                       .str()
                 : std::string()));
  SmallVector<Instr> constantLoads;
  int64_t pbufBase =
      program.placeConstants(0, 0, paramOffset, paramEntries, constantLoads)
          .second;
  int64_t tileInputs = inputEntries(tileRows, tileCols, groupBlocks);
  int64_t tileOutputs = tileRows * tileCols * groupBlocks;
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

/// Why a pooling window cannot run on the NPU, or nothing: its pads must be
/// below the window and within LOAD's fields, and the window of one output
/// of one channel block must fit ACC (lowerPool splits rows, channels and
/// columns down to that).
std::optional<StringRef> poolProblem(const Layout &in, const PoolShape &pool,
                                     int64_t block) {
  if (!padsBelowKernel({pool.pt, pool.pl, pool.pb, pool.pr}, pool.kh, pool.kw))
    return kPadsAsWideAsKernel;
  int64_t cb = in.blocks(block);
  if (pool.pl * cb > 255 || pool.pr * cb > 255 || pool.pt > 255 ||
      pool.pb > 255)
    return kPadsBeyondLoad;
  if (pool.kh * pool.kw + 1 > kAccEntries)
    return StringRef("the window of one output does not fit ACC");
  return std::nullopt;
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
  if (std::optional<StringRef> problem = poolProblem(in, pool, block)) {
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
  if (std::optional<StringRef> problem = poolProblem(*in, pool, block)) {
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
  int64_t lowest = -128, highest = 127;
  if (IntegerAttr clampMin = add.getClampMinAttr())
    lowest = std::max(lowest, clampMin.getInt());
  if (IntegerAttr clampMax = add.getClampMaxAttr())
    highest = std::min(highest, clampMax.getInt());
  SmallVector<int64_t> zeros(block, 0);
  SmallVector<int64_t> multiplier(block, params.output.multiplier);
  SmallVector<int64_t> shift(block, params.output.shift);
  int64_t paramOffset =
      program.addParams(zeros, multiplier, shift, y->zeroPoint);
  Layout out = place(add.getResult(), Layout{0, 0, lhs->h, lhs->w, lhs->c});
  layouts[add.getResult()] = out;
  int64_t total = lhs->entries(block);
  // A run of entries takes 2 n ACC entries (both operands) and n OBUF
  // entries; twice over (double buffering) when the Add needs several runs.
  int64_t chunk = std::min<int64_t>(kAccEntries / 2, kObufEntries);
  bool doubleBuffered = total > chunk || total >= kMinPipelinedEntries;
  if (doubleBuffered)
    chunk = std::min(chunk / 2, ceilDiv(total, kPipelinedTiles));
  int64_t tileCount = ceilDiv(total, chunk);
  using Instr = ProgramBuilder::Instr;
  program.beginLayer(
      add, llvm::formatv("quantized Add of {0} entries: {1} run{2} of {3}{4}",
                         total, tileCount, tileCount == 1 ? "" : "s",
                         std::min(chunk, total),
                         doubleBuffered ? ", double-buffered" : ""));
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

/// A reshape is free when it flattens [1, C, H, W] to [1, C H W] (a Gemm
/// reads the flattened order through its weights) or drops unit dims.
void FunctionLowering::lowerReshape(ReshapeOp reshape) {
  std::optional<Layout> in = input(reshape, reshape.getInput());
  if (!in)
    return;
  RankedTensorType inType = tensorType(reshape.getInput());
  RankedTensorType outType = reshape.getType();
  if (!activationQuant(outType) || outType.getRank() != 2 ||
      outType.getDimSize(0) != 1 ||
      outType.getDimSize(1) != inType.getNumElements()) {
    reject(reshape, "only the flattening of an image to [1, K] is supported "
                    "on the NPU");
    return;
  }
  if (outputs.count(reshape.getResult())) {
    reject(reshape, "a flattened image as a model output is not supported");
    return;
  }
  layouts[reshape.getResult()] = *in;
  if (in->h * in->w > 1)
    flattened.insert(reshape.getResult());
  for (Operation *user : reshape->getUsers())
    if (in->h * in->w > 1 && !isa<GemmOp, MatMulOp>(user))
      reject(user, "reads a flattened image; only Gemm and MatMul can");
}

/// The float ops that compute, from the model's inputs and constants
/// alone, a value that is only quantized (input standardisation, say):
/// with the host prefix the host runs them and the quantized value is a
/// program input, named after the op computing it.
void FunctionLowering::findHostPrefixes() {
  auto quantized = [](Type type) {
    return getQuantizedElementType(type) != nullptr;
  };
  for (Operation &op : func.getBody().front().without_terminator()) {
    auto quantize = dyn_cast<QuantizeOp>(op);
    if (!quantize || isa<BlockArgument>(quantize.getInput()))
      continue;
    llvm::DenseSet<Operation *> slice;
    SmallVector<Value> work{quantize.getInput()};
    bool host = true;
    while (host && !work.empty()) {
      Operation *def = work.pop_back_val().getDefiningOp();
      if (!def || isa<ConstantOp>(def) || slice.contains(def) ||
          hostOps.contains(def))
        continue;
      host = def->getNumRegions() == 0 &&
             !llvm::any_of(def->getOperandTypes(), quantized) &&
             !llvm::any_of(def->getResultTypes(), quantized);
      slice.insert(def);
      llvm::append_range(work, def->getOperands());
    }
    // Nothing but the quantizations may read what the host computes.
    for (Operation *inner : slice)
      for (Operation *user : inner->getUsers())
        host &= slice.contains(user) || hostOps.contains(user) ||
                isa<QuantizeOp>(user);
    if (host)
      hostOps.insert(slice.begin(), slice.end());
  }
}

LogicalResult FunctionLowering::run() {
  Block &body = func.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (auto [i, operand] : llvm::enumerate(ret.getOperands())) {
    auto dequantize = operand.getDefiningOp<DequantizeOp>();
    auto nameAttr = func.getResultAttrOfType<StringAttr>(i, "muon.name");
    std::string name =
        nameAttr ? nameAttr.str() : llvm::formatv("output{0}", i).str();
    std::optional<Quant> quant =
        dequantize ? activationQuant(dequantize.getInput().getType())
                   : std::nullopt;
    if (!quant) {
      reject(operand.getDefiningOp() ? operand.getDefiningOp() : ret,
             "output '" + name +
                 "' is not the dequantization of a signed 8-bit tensor");
      continue;
    }
    if (outputs.count(dequantize.getInput())) {
      reject(dequantize, "returns one tensor as two outputs");
      continue;
    }
    outputs[dequantize.getInput()] = {name, *quant};
  }
  for (BlockArgument argument : body.getArguments()) {
    auto nameAttr =
        func.getArgAttrOfType<StringAttr>(argument.getArgNumber(), "muon.name");
    lowerInput(argument,
               nameAttr
                   ? nameAttr.str()
                   : llvm::formatv("input{0}", argument.getArgNumber()).str());
  }
  findHostPrefixes();
  if (hostPrefix && !hostOps.empty()) {
    SmallVector<std::string> inputs, ops;
    for (Operation &op : body.without_terminator())
      if (auto quantize = dyn_cast<QuantizeOp>(op);
          quantize && hostOps.contains(quantize.getInput().getDefiningOp()) &&
          !layouts.count(quantize.getResult())) {
        std::string name = layerName(quantize.getInput().getDefiningOp());
        lowerInput(quantize.getInput(), name);
        inputs.push_back("'" + name + "'");
      }
    for (Operation &op : body.without_terminator())
      if (hostOps.contains(&op))
        ops.push_back(describeNode(&op));
    emitRemark(func.getLoc())
        << "the NPU program's input" << (inputs.size() == 1 ? " " : "s ")
        << llvm::join(inputs, ", ")
        << " must be computed on the host (--npu-host-prefix), by "
        << llvm::join(ops, ", ");
  }

  // The last op that reads each tensor (through the reshapes that alias
  // it): its workspace is free once that op is lowered.
  llvm::DenseMap<Operation *, unsigned> position;
  for (auto [i, op] : llvm::enumerate(body.getOperations()))
    position[&op] = i;
  llvm::DenseMap<Value, Value> aliasOf;
  llvm::DenseMap<Value, unsigned> lastUse;
  for (Operation &op : body.without_terminator()) {
    // A product is lowered where its requantize is.
    unsigned at = position[&op];
    if (isa<ConvOp, GemmOp, MatMulOp>(op) && op.hasOneUse() &&
        isa<RequantizeOp>(*op.getUsers().begin()))
      at = position[*op.getUsers().begin()];
    for (Value operand : op.getOperands()) {
      Value root = aliasOf.lookup(operand) ? aliasOf.lookup(operand) : operand;
      lastUse[root] = std::max(lastUse.lookup(root), at);
    }
    if (auto reshape = dyn_cast<ReshapeOp>(op)) {
      Value input = reshape.getInput();
      aliasOf[reshape.getResult()] =
          aliasOf.lookup(input) ? aliasOf.lookup(input) : input;
    }
  }
  llvm::DenseMap<unsigned, SmallVector<Value>> deadAfter;
  for (auto [value, last] : lastUse)
    deadAfter[last].push_back(value);

  for (Operation &op : body.without_terminator()) {
    llvm::scope_exit freeDead([&] {
      for (Value value : deadAfter.lookup(position[&op]))
        if (auto it = layouts.find(value); it != layouts.end())
          program.freeWorkspace(it->second);
    });
    if (isa<ConstantOp, quant::StorageCastOp>(op))
      continue; // weights, read by their users
    if (hostOps.contains(&op)) {
      if (!hostPrefix)
        reject(&op, "is not supported on the NPU; it computes an input's "
                    "quantization from the model's inputs alone, which "
                    "muonc --npu-host-prefix leaves to the host");
      continue;
    }
    if (auto quantize = dyn_cast<QuantizeOp>(op)) {
      // A program input's quantize is its tensor descriptor; another one
      // quantizes a float computed by ops already rejected.
      if (!layouts.count(quantize.getResult()))
        rejected.insert(quantize.getResult());
      continue;
    }
    if (auto dequantize = dyn_cast<DequantizeOp>(op)) {
      if (rejected.contains(dequantize.getResult()))
        continue; // an output already reported
      if (!outputs.count(dequantize.getInput()) ||
          !llvm::all_of(dequantize->getUsers(),
                        [](Operation *u) { return isa<func::ReturnOp>(u); }))
        reject(&op, "dequantizes inside the model (float ops do not run on "
                    "the NPU)");
      continue;
    }
    if (auto requantize = dyn_cast<RequantizeOp>(op)) {
      Operation *product = requantize.getInput().getDefiningOp();
      if (!isa_and_present<ConvOp, GemmOp, MatMulOp>(product) ||
          !product->hasOneUse()) {
        reject(&op, "does not requantize a product it alone reads");
        continue;
      }
      lowerProduct(product, requantize);
      markIfNotLowered(requantize);
      continue;
    }
    if (isa<ConvOp, GemmOp, MatMulOp>(op)) {
      if (!getQuantizedElementType(op.getResult(0).getType()) ||
          !op.hasOneUse() || !isa<RequantizeOp>(*op.getUsers().begin()))
        reject(&op, "is not a quantized product followed by its "
                    "requantization");
      continue; // lowered with its requantize
    }
    if (auto pool = dyn_cast<MaxPoolOp>(op)) {
      lowerMaxPool(pool);
      markIfNotLowered(pool);
      continue;
    }
    if (auto add = dyn_cast<QuantizedAddOp>(op)) {
      lowerAdd(add);
      markIfNotLowered(add);
      continue;
    }
    if (auto reshape = dyn_cast<ReshapeOp>(op)) {
      // Reshapes of int32 biases are read by their products.
      if (getQuantizedElementType(reshape.getType()) ||
          !getConstantValues(reshape.getInput()))
        lowerReshape(reshape);
      markIfNotLowered(reshape);
      continue;
    }
    reject(&op, "is not supported on the NPU");
  }
  return success(failures.empty());
}

void MuonToNpuPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto funcs = llvm::to_vector(module.getOps<func::FuncOp>());
  if (funcs.size() != 1) {
    module.emitError() << "the NPU target compiles one function, found "
                       << funcs.size();
    return signalPassFailure();
  }
  func::FuncOp func = funcs.front();
  if (block < 1 || block > 256) {
    module.emitError() << "block must be 1 to 256, not " << block;
    return signalPassFailure();
  }
  // A float model gets one error, not one per float op.
  bool quantized = false;
  func.walk([&](Operation *op) {
    quantized |= llvm::any_of(op->getResultTypes(), [](Type type) {
      return getQuantizedElementType(type) != nullptr;
    });
  });
  if (!quantized) {
    func.emitError() << "the model is not quantized: the NPU runs int8 "
                        "models (quantize it with --quantize=int8 "
                        "--calibration=DIR, or give a QDQ model)";
    return signalPassFailure();
  }
  OpBuilder builder(module.getContext());
  builder.setInsertionPoint(func);
  auto program = npu::ProgramOp::create(
      builder, func.getLoc(), func.getSymName(), DictionaryAttr(), ArrayAttr());
  program.getBody().emplaceBlock();
  ProgramBuilder programBuilder(program, block, report);
  FunctionLowering lowering(func, programBuilder, hostPrefix);
  if (failed(lowering.run())) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << lowering.failures.size()
       << (lowering.failures.size() == 1 ? " operation" : " operations")
       << " of the int8 model cannot run on the NPU:";
    for (const std::string &line : lowering.failures)
      os << "\n  " << line;
    os << "\nsee docs/npu.md for what the NPU target supports";
    program.erase();
    func.emitError() << text;
    return signalPassFailure();
  }
  programBuilder.finish(npu::kDefaultBlock);
  func.erase();
}

} // namespace
