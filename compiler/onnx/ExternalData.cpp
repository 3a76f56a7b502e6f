//===- ExternalData.cpp - Tensors kept in files beside the model ----------===//

#include "compiler/onnx/ExternalData.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA1.h"

#include "onnx/onnx_pb.h"

using namespace mlir;

namespace {

/// The files of one model's external data, opened once each.
class ExternalFiles {
public:
  ExternalFiles(StringRef modelPath, MLIRContext &context)
      : modelPath(modelPath), context(context) {}

  /// Reads `tensor`'s external data, if any; `kind` names it in errors
  /// ("initializer", "tensor").
  LogicalResult load(onnx::TensorProto &tensor, StringRef kind);
  LogicalResult loadGraph(onnx::GraphProto &graph);

private:
  /// The file at `location` below the model's folder, or null after an
  /// error.
  const llvm::MemoryBuffer *
  open(StringRef location, llvm::function_ref<InFlightDiagnostic()> error);

  std::string modelPath;
  MLIRContext &context;
  std::string folder; // the model's folder, symlinks resolved
  llvm::StringMap<std::unique_ptr<llvm::MemoryBuffer>> files;
  llvm::StringMap<std::string> checksums; // SHA-1 of each file, hex
};

} // namespace

const llvm::MemoryBuffer *
ExternalFiles::open(StringRef location,
                    llvm::function_ref<InFlightDiagnostic()> error) {
  if (location.empty() || location.contains('\0')) {
    error() << "has an empty or invalid location";
    return nullptr;
  }
  if (llvm::sys::path::is_absolute(location) ||
      llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                          llvm::sys::path::end(location)),
                         "..")) {
    error() << "must be a path below the model's folder, without '..'";
    return nullptr;
  }
  if (auto it = files.find(location); it != files.end())
    return it->second.get();
  if (modelPath == "-") {
    error() << "cannot be found for a model read from standard input";
    return nullptr;
  }
  if (folder.empty()) {
    llvm::SmallString<256> dir(llvm::sys::path::parent_path(modelPath));
    if (dir.empty())
      dir = ".";
    llvm::SmallString<256> real;
    if (std::error_code ec = llvm::sys::fs::real_path(dir, real)) {
      error() << "cannot be found: " << ec.message();
      return nullptr;
    }
    folder = real.str().str();
  }
  llvm::SmallString<256> path(folder), real;
  llvm::sys::path::append(path, location);
  if (std::error_code ec = llvm::sys::fs::real_path(path, real)) {
    error() << "cannot be read: " << ec.message();
    return nullptr;
  }
  std::string inside = StringRef(folder).ends_with("/") ? folder : folder + "/";
  if (!StringRef(real).starts_with(inside)) {
    error() << "resolves outside the model's folder (a symlink)";
    return nullptr;
  }
  // Not a FIFO or device, which could block or never end.
  if (!llvm::sys::fs::is_regular_file(real)) {
    error() << "is not a regular file";
    return nullptr;
  }
  auto file = llvm::MemoryBuffer::getFile(real, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file) {
    error() << "cannot be read: " << file.getError().message();
    return nullptr;
  }
  return (files[location] = std::move(*file)).get();
}

LogicalResult ExternalFiles::load(onnx::TensorProto &tensor, StringRef kind) {
  if (tensor.data_location() != onnx::TensorProto::EXTERNAL &&
      tensor.external_data_size() == 0)
    return success();
  std::string location;
  std::optional<uint64_t> offset, length;
  std::optional<std::string> checksum;
  auto error = [&]() {
    InFlightDiagnostic diag = emitError(UnknownLoc::get(&context))
                              << modelPath << ": " << kind << " '"
                              << tensor.name() << "': external data";
    if (!location.empty())
      diag << " '" << location << "'";
    diag << " ";
    return diag;
  };
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    const std::string &key = entry.key(), &value = entry.value();
    if (key == "location") {
      location = value;
    } else if (key == "offset" || key == "length") {
      uint64_t number;
      if (StringRef(value).getAsInteger(10, number))
        return error() << "has " << key << " '" << value
                       << "', which is not a byte count";
      (key == "offset" ? offset : length) = number;
    } else if (key == "checksum") {
      checksum = StringRef(value).lower();
    }
  }
  const llvm::MemoryBuffer *file = open(location, error);
  if (!file)
    return failure();
  uint64_t size = file->getBufferSize();
  uint64_t begin = offset.value_or(0);
  if (begin > size || length.value_or(0) > size - begin)
    return error() << "asks for bytes [" << begin << ", "
                   << begin + length.value_or(0) << ") of a file of " << size
                   << " bytes";
  uint64_t count = length.value_or(size - begin);
  if (checksum) {
    std::string &digest = checksums[location];
    if (digest.empty())
      digest = llvm::toHex(
          llvm::SHA1::hash(llvm::arrayRefFromStringRef(file->getBuffer())),
          /*LowerCase=*/true);
    if (digest != *checksum)
      return error() << "has SHA-1 " << digest << ", not the checksum "
                     << *checksum << " the model records";
  }
  if (tensor.has_raw_data())
    return error() << "comes with raw data of its own as well";
  tensor.set_raw_data(file->getBufferStart() + begin, count);
  tensor.clear_external_data();
  tensor.set_data_location(onnx::TensorProto::DEFAULT);
  return success();
}

LogicalResult ExternalFiles::loadGraph(onnx::GraphProto &graph) {
  for (onnx::TensorProto &tensor : *graph.mutable_initializer())
    if (failed(load(tensor, "initializer")))
      return failure();
  for (onnx::NodeProto &node : *graph.mutable_node())
    for (onnx::AttributeProto &attribute : *node.mutable_attribute()) {
      if (attribute.has_t() && failed(load(*attribute.mutable_t(), "tensor")))
        return failure();
      for (onnx::TensorProto &tensor : *attribute.mutable_tensors())
        if (failed(load(tensor, "tensor")))
          return failure();
      if (attribute.has_g() && failed(loadGraph(*attribute.mutable_g())))
        return failure();
      for (onnx::GraphProto &subgraph : *attribute.mutable_graphs())
        if (failed(loadGraph(subgraph)))
          return failure();
    }
  return success();
}

LogicalResult muon::onnx_importer::loadExternalData(onnx::ModelProto &model,
                                                    StringRef modelPath,
                                                    MLIRContext &context) {
  return ExternalFiles(modelPath, context).loadGraph(*model.mutable_graph());
}
