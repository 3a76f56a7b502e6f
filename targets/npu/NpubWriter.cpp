//===- NpubWriter.cpp - npu.program to the .npub container ----------------===//
//
// The compiler's writer of the container the runtime's loader
// (runtime/npu/npu_load.c) reads; test/npu checks that it writes the same
// bytes as the reference writer the runtime's tests use (targets/npu/npub.py).
//
//===----------------------------------------------------------------------===//

#include "targets/npu/NpubWriter.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/Endian.h"

using namespace mlir;

namespace muon::npu {
namespace {

constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHeaderBytes = 80;
constexpr size_t kSectionEntryBytes = 32;
constexpr size_t kSectionAlign = 64;
constexpr size_t kTensorNameBytes = 64;
constexpr unsigned kMaxRank = 6;
constexpr uint32_t kDtypeInt8 = 1;
enum SectionKind : uint32_t {
  Instructions = 1,
  Constants = 2,
  Regions = 3,
  Tensors = 4,
  Layers = 5
};

uint64_t fnv1a64(StringRef data) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (char c : data)
    hash = (hash ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
  return hash;
}

/// Little-endian appends.
struct Bytes {
  std::string data;
  template <typename T> void put(T value) {
    char raw[sizeof(T)];
    llvm::support::endian::write<T, llvm::endianness::little>(raw, value);
    data.append(raw, sizeof(T));
  }
  void putName(StringRef name, size_t width) {
    data += name.str();
    data.append(width - name.size(), '\0');
  }
};

/// The configuration the program was compiled for: isa.json's defaults,
/// overridden by the program's `config`, in header order.
std::array<uint32_t, 6> configOf(ProgramOp program) {
  std::array<uint32_t, 6> config = {kDefaultBlock,       kDefaultIbufEntries,
                                    kDefaultWbufEntries, kDefaultAccEntries,
                                    kDefaultObufEntries, kDefaultPbufEntries};
  static constexpr const char *names[] = {"block",        "ibuf_entries",
                                          "wbuf_entries", "acc_entries",
                                          "obuf_entries", "pbuf_entries"};
  if (DictionaryAttr overrides = program.getConfigAttr())
    for (auto [i, name] : llvm::enumerate(names))
      if (auto value = overrides.getAs<IntegerAttr>(name))
        config[i] = value.getInt();
  return config;
}

FailureOr<std::string> constantBytes(ConstantsOp constants) {
  ElementsAttr data = constants.getData();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(data)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return constants.emitOpError("refers to a missing resource blob");
    ArrayRef<char> bytes = blob->getData();
    return std::string(bytes.begin(), bytes.end());
  }
  auto dense = dyn_cast<DenseIntElementsAttr>(data);
  if (!dense)
    return constants.emitOpError("data must be dense or a resource blob");
  std::string bytes;
  for (const APInt &value : dense.getValues<APInt>())
    bytes.push_back(static_cast<char>(value.getZExtValue()));
  return bytes;
}

} // namespace

FailureOr<std::string> writeNpub(ProgramOp program) {
  Block &body = program.getBody().front();
  SmallVector<std::pair<SectionKind, std::string>> sections;

  Bytes instructions;
  for (Operation &op : body) {
    if (!opcodeOf(&op))
      continue;
    InstructionBits bits;
    if (failed(encodeInstruction(&op, bits)))
      return failure();
    instructions.data.append(bits.begin(), bits.end());
  }
  sections.push_back({Instructions, instructions.data});

  for (ConstantsOp constants : body.getOps<ConstantsOp>()) {
    FailureOr<std::string> bytes = constantBytes(constants);
    if (failed(bytes))
      return failure();
    if (!bytes->empty())
      sections.push_back({Constants, *bytes});
  }

  auto regions = llvm::to_vector(body.getOps<RegionOp>());
  Bytes regionTable;
  regionTable.put<uint32_t>(regions.size());
  regionTable.put<uint32_t>(0);
  for (RegionOp region : regions) {
    uint32_t kind = region.getKind() == "workspace" ? 1
                    : region.getKind() == "input"   ? 2
                                                    : 3;
    regionTable.put<uint32_t>(kind);
    regionTable.put<uint32_t>(0);
    regionTable.put<uint64_t>(region.getSize());
  }
  sections.push_back({Regions, regionTable.data});

  auto tensors = llvm::to_vector(body.getOps<TensorOp>());
  Bytes tensorTable;
  tensorTable.put<uint32_t>(tensors.size());
  tensorTable.put<uint32_t>(0);
  for (TensorOp tensor : tensors) {
    tensorTable.putName(tensor.getName(), kTensorNameBytes);
    tensorTable.put<uint32_t>(kDtypeInt8);
    tensorTable.put<uint32_t>(tensor.getRegion());
    tensorTable.put<uint32_t>(tensor.getShape().size());
    tensorTable.put<int32_t>(tensor.getZeroPoint());
    tensorTable.put<float>(tensor.getScale().convertToFloat());
    tensorTable.put<uint32_t>(0);
    tensorTable.put<uint64_t>(tensor.getOffset());
    for (ArrayRef<int64_t> values : {tensor.getShape(), tensor.getStrides()})
      for (unsigned i = 0; i < kMaxRank; ++i)
        tensorTable.put<uint32_t>(i < values.size() ? values[i] : 0);
  }
  sections.push_back({Tensors, tensorTable.data});

  if (ArrayAttr layers = program.getLayersAttr(); layers && !layers.empty()) {
    Bytes layerTable;
    layerTable.put<uint32_t>(layers.size());
    layerTable.put<uint32_t>(0);
    for (StringRef name : layers.getAsValueRange<StringAttr>()) {
      if (name.size() >= kTensorNameBytes)
        return program.emitOpError()
               << "layer name '" << name << "' must be shorter than 64 bytes";
      layerTable.putName(name, kTensorNameBytes);
    }
    sections.push_back({Layers, layerTable.data});
  }

  // Sections start 64-byte aligned after the header and its table.
  size_t headerBytes = kHeaderBytes + kSectionEntryBytes * sections.size();
  size_t bodyStart = llvm::alignTo(headerBytes, kSectionAlign);
  std::string sectionBytes;
  Bytes table;
  for (auto &[kind, data] : sections) {
    sectionBytes.resize(llvm::alignTo(sectionBytes.size(), kSectionAlign));
    table.put<uint32_t>(kind);
    table.put<uint32_t>(0);
    table.put<uint64_t>(bodyStart + sectionBytes.size());
    table.put<uint64_t>(data.size());
    table.put<uint64_t>(fnv1a64(data));
    sectionBytes += data;
  }

  std::array<uint32_t, 6> config = configOf(program);
  Bytes hashed;
  hashed.put<uint32_t>(kIsaVersion);
  for (uint32_t value : config)
    hashed.put<uint32_t>(value);

  Bytes header;
  header.data = "MUONNPUB";
  header.put<uint32_t>(kFormatVersion);
  header.put<uint32_t>(kIsaVersion);
  header.put<uint64_t>(bodyStart + sectionBytes.size());
  header.put<uint32_t>(headerBytes);
  header.put<uint32_t>(sections.size());
  for (uint32_t value : config)
    header.put<uint32_t>(value);
  header.put<uint64_t>(fnv1a64(hashed.data));
  header.put<uint64_t>(0); // the header checksum, computed with this 0
  header.put<uint32_t>(kInstructionBytes);
  header.put<uint32_t>(0);
  header.data += table.data;
  uint64_t checksum = fnv1a64(header.data);
  llvm::support::endian::write<uint64_t, llvm::endianness::little>(
      &header.data[64], checksum);

  header.data.resize(bodyStart);
  return header.data + sectionBytes;
}

} // namespace muon::npu
