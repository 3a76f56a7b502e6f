//===- ProgramBuilder.h - Building an npu.program ---------------*- C++ -*-===//
//
// What every layer lowering of muon-to-npu shares (MuonToNpu.cpp): where
// activations live in DRAM (Layout), the program under construction with its
// constants, regions, workspace and the token protocol between tiles
// (ProgramBuilder), and the LOAD and STORE instructions of windows and runs
// of entries.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_TARGETS_NPU_PROGRAMBUILDER_H
#define MUON_TARGETS_NPU_PROGRAMBUILDER_H

#include "targets/npu/NpuDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace muon::npu {

inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// The buffers of the default hardware configuration (isa.json), in entries.
inline constexpr int64_t kIbufEntries = kDefaultIbufEntries;
inline constexpr int64_t kWbufEntries = kDefaultWbufEntries;
inline constexpr int64_t kAccEntries = kDefaultAccEntries;
inline constexpr int64_t kObufEntries = kDefaultObufEntries;
inline constexpr int64_t kPbufEntries = kDefaultPbufEntries;

/// The layer name for the statistics: the ONNX node's name when the
/// importer recorded one, else the op's name; at most 63 bytes.
std::string layerName(mlir::Operation *op);

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

/// The program under construction: instructions in order, the constants,
/// the tensor descriptors and the DRAM regions.
class ProgramBuilder {
public:
  ProgramBuilder(ProgramOp program, int64_t block, bool report)
      : program(program), builder(program.getContext()), block(block),
        report(report) {
    builder.setInsertionPointToEnd(&program.getBody().front());
  }

  int64_t getBlock() const { return block; }

  /// Appends `bytes` to the constants (16-byte aligned); returns the offset.
  int64_t addConstant(llvm::ArrayRef<int8_t> bytes);

  /// PBUF entries of per-channel parameters: one entry per BLOCK channels,
  /// {bias, multiplier, shift, zero point} per lane, little-endian int32.
  int64_t addParams(llvm::ArrayRef<int64_t> bias,
                    llvm::ArrayRef<int64_t> multiplier,
                    llvm::ArrayRef<int64_t> shift, int64_t zeroPoint);

  /// Workspace bytes for a tensor: the first free range that holds it (64-
  /// byte aligned), else new bytes at the end. The workspace region gets
  /// its number in finish().
  Layout allocateWorkspace(int64_t h, int64_t w, int64_t c);

  /// Returns a dead tensor's workspace bytes. A later layer may store there:
  /// its stores come after its first load, which waits for the previous
  /// layer's last store, which comes after every load of the layers before.
  void freeWorkspace(const Layout &layout);

  /// A new input or output region holding exactly `layout`'s tensor.
  int64_t addRegion(llvm::StringRef kind, int64_t bytes) {
    regions.push_back({kind.str(), bytes});
    return regions.size();
  }

  void addTensor(llvm::StringRef name, int64_t region,
                 llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> strides,
                 Quant quant) {
    tensors.push_back({name.str(), region, llvm::SmallVector<int64_t>(shape),
                       llvm::SmallVector<int64_t>(strides), quant});
  }

  /// Starts a layer; `tiling` says how it was cut, for the report.
  void beginLayer(mlir::Operation *op, const llvm::Twine &tiling);

  /// One tile: its loads, compute instructions and stores, each a name and
  /// its nonzero fields; the last compute instruction is the REQUANT that
  /// fills OBUF. The tokens are set here (see the file comment): tile
  /// `tile` of `tiles` of a layer; `doubleBuffered` when the layer's tiles
  /// alternate between two halves of the buffers, so that tile t + 1 loads
  /// while tile t computes and tile t - 1 stores.
  struct Instr {
    llvm::StringRef name;
    llvm::SmallVector<std::pair<llvm::StringRef, int64_t>> fields;
    llvm::SmallVector<std::pair<llvm::StringRef, llvm::StringRef>> enums = {};
  };
  /// Emits a tile's loads, computes and stores with their tokens (the
  /// protocol in the file comment). A single-buffered tile without stores
  /// only accumulates (a part of a split reduction): its last compute hands
  /// the buffers to the next tile's first load, whose compute goes on from
  /// its accumulators.
  void emitTile(llvm::ArrayRef<Instr> loads, llvm::ArrayRef<Instr> computes,
                llvm::ArrayRef<Instr> stores, int64_t tile, int64_t tiles,
                bool doubleBuffered);

  /// The LOAD of `entries` consecutive WBUF or PBUF entries from byte
  /// `offset` of the constants into entries from `dst` on.
  Instr loadConstants(llvm::StringRef buffer, int64_t dst, int64_t offset,
                      int64_t entries) const;

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
                 llvm::SmallVectorImpl<Instr> &firstTileLoads);

  /// A layer that loads WBUF and PBUF entries [0, wbuf) and [0, pbuf)
  /// itself, after waiting for the previous layer.
  void useConstantBuffers(int64_t wbuf, int64_t pbuf) {
    usedWbuf = {0, wbuf};
    usedPbuf = {0, pbuf};
  }

  /// Adds FINISH, the declarations and the constants.
  void finish(int64_t defaultBlock);

  /// A region number no program has: workspace layouts carry it until the
  /// workspace region is numbered.
  static constexpr int64_t kWorkspacePending = 255;

private:
  mlir::Operation *
  emit(llvm::StringRef name,
       llvm::ArrayRef<std::pair<llvm::StringRef, int64_t>> fields,
       llvm::ArrayRef<std::pair<llvm::StringRef, llvm::StringRef>> enums = {});
  mlir::Operation *emit(const Instr &instr) {
    return emit(instr.name, instr.fields, instr.enums);
  }

  /// What a layer's instructions cost in the cycle model of docs/npu-isa.md
  /// (default parameters: 16 DMA bytes per cycle, 64 cycles of DMA latency,
  /// 4 of compute setup), per stage: with double buffering the layer takes
  /// about the largest of the three, one tile at a time about their sum.
  struct LayerStats {
    mlir::Operation *op = nullptr;
    std::string tiling;
    int64_t macSteps = 0, compute = 0, load = 0, store = 0, bytes = 0;
    void count(const Instr &instr);
  };

  /// With `report`, a remark on the layer's op: its tiling and costs.
  void reportLayer();

  struct TensorDesc {
    std::string name;
    int64_t region;
    llvm::SmallVector<int64_t> shape, strides;
    Quant quant;
  };

  ProgramOp program;
  mlir::OpBuilder builder;
  int64_t block;
  llvm::SmallVector<int8_t> constants;
  llvm::SmallVector<std::pair<std::string, int64_t>> regions;
  llvm::SmallVector<TensorDesc> tensors;
  llvm::SmallVector<std::string> layers;
  int64_t workspaceBytes = 0;
  /// Free workspace ranges (offset, bytes), sorted.
  llvm::SmallVector<std::pair<int64_t, int64_t>> freeRanges;
  mlir::Operation *lastStore = nullptr;
  /// Whether the last tile only accumulated (emitTile).
  bool afterPartial = false;
  bool report;
  LayerStats layerStats;
  /// The WBUF and PBUF entries [first, second) the current layer reads.
  std::pair<int64_t, int64_t> usedWbuf = {0, 0}, usedPbuf = {0, 0};
};

/// The ONNX shape of an activation and the byte strides of its layout:
/// [1, K] or [1, C, H, W] (NHWC in memory, channels padded).
std::pair<llvm::SmallVector<int64_t>, llvm::SmallVector<int64_t>>
describeLayout(mlir::RankedTensorType type, const Layout &layout,
               int64_t block);

/// The input positions `outputs` consecutive outputs of a window of
/// `kernel` taps at stride `stride` read, padding included.
inline int64_t windowExtent(int64_t outputs, int64_t kernel, int64_t stride) {
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
                      int64_t stride, int64_t padBefore, int64_t size);

/// The LOAD of an input window (`rows` x `cols` pixels with their padding)
/// into `buffer` from entry `dst` on, as [row][column][channel block] with
/// `cols.padded()` pixels per row, or only channel block `onlyBlock` as
/// [row][column]. Padding is `padValue`.
ProgramBuilder::Instr loadWindow(const Layout &in, int64_t block,
                                 const WindowSpan &rows, const WindowSpan &cols,
                                 llvm::StringRef buffer, int64_t dst,
                                 int64_t padValue,
                                 std::optional<int64_t> onlyBlock = {});

/// The LOAD of `count` consecutive entries of the tensor at `layout`, from
/// its entry `first` on, into `buffer` from entry `dst` on.
ProgramBuilder::Instr loadEntries(llvm::StringRef buffer, int64_t dst,
                                  const Layout &layout, int64_t first,
                                  int64_t count, int64_t block);

/// The STORE of `count` OBUF entries from `src` on to the tensor at
/// `layout`, from its entry `first` on.
ProgramBuilder::Instr storeEntries(int64_t src, const Layout &layout,
                                   int64_t first, int64_t count, int64_t block);

} // namespace muon::npu

#endif
