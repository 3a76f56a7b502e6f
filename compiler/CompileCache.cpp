//===- CompileCache.cpp - Earlier compilations' outputs, reused -----------===//
//
// An entry is a folder named by its key, holding `output`, `interface` (for
// object code: the C interface as JSON, from which the header is written)
// and `manifest`, which names the BLAKE3 hash of each. It is
// written under a temporary name in the cache folder and renamed into place,
// so a reader sees a whole entry or none; a reader that finds a file whose
// hash disagrees with the manifest (a disk error, a hand edit, an eviction
// under way) compiles instead.
//
//===----------------------------------------------------------------------===//

#include "compiler/CompileCache.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/BLAKE3.h"
#include "llvm/Support/Chrono.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/TargetParser/Host.h"

#include <chrono>

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

using llvm::SmallString;
using llvm::StringRef;

namespace muon {
namespace {

constexpr StringRef manifestHeader = "muon compile cache 1";

std::string hashOf(StringRef bytes) {
  return llvm::toHex(llvm::BLAKE3::hash(llvm::arrayRefFromStringRef(bytes)),
                     /*LowerCase=*/true);
}

/// Feeds named fields into a hash so that no two different field lists give
/// the same bytes (each value is preceded by its length).
class KeyBuilder {
public:
  void add(StringRef name, StringRef value) {
    hasher.update(name);
    uint64_t size = value.size();
    hasher.update(llvm::ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(&size), sizeof(size)));
    hasher.update(value);
  }
  llvm::Error addFile(StringRef name, const llvm::Twine &filePath) {
    auto buffer = llvm::MemoryBuffer::getFile(filePath, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer)
      return llvm::createStringError(buffer.getError(), "%s: %s",
                                     filePath.str().c_str(),
                                     buffer.getError().message().c_str());
    add(name, (*buffer)->getBuffer());
    return llvm::Error::success();
  }
  std::string finish() {
    return llvm::toHex(hasher.final(), /*LowerCase=*/true);
  }

private:
  llvm::BLAKE3 hasher;
};

std::string inFolder(StringRef folder, StringRef name) {
  SmallString<256> result(folder);
  path::append(result, name);
  return result.str().str();
}

std::optional<std::string> readFile(const llvm::Twine &filePath) {
  auto buffer = llvm::MemoryBuffer::getFile(filePath, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return std::nullopt;
  return (*buffer)->getBuffer().str();
}

/// Writes `contents` to a temporary file renamed to `filePath` when whole.
llvm::Error writeFile(StringRef filePath, StringRef contents) {
  llvm::Error written =
      llvm::writeToOutput(filePath, [&](llvm::raw_ostream &os) {
        os << contents;
        return llvm::Error::success();
      });
  if (written)
    return llvm::createFileError(filePath, std::move(written));
  return llvm::Error::success();
}

llvm::json::Value toJson(const TensorInterface &tensor) {
  return llvm::json::Object{{"onnx_name", tensor.onnxName},
                            {"c_name", tensor.cName},
                            {"c_type", tensor.cType},
                            {"note", tensor.note},
                            {"shape", tensor.shape}};
}

std::string toJson(const ModelInterface &model) {
  llvm::json::Array inputs, outputs;
  for (const TensorInterface &tensor : model.inputs)
    inputs.push_back(toJson(tensor));
  for (const TensorInterface &tensor : model.outputs)
    outputs.push_back(toJson(tensor));
  llvm::json::Value value =
      llvm::json::Object{{"name", model.name},
                         {"source", model.source},
                         {"opset", model.opset},
                         {"inputs", std::move(inputs)},
                         {"outputs", std::move(outputs)},
                         {"workspace_size", model.workspaceSize}};
  return llvm::formatv("{0}", value).str();
}

bool fromJson(const llvm::json::Value &value, TensorInterface &tensor,
              llvm::json::Path path) {
  llvm::json::ObjectMapper mapper(value, path);
  return mapper && mapper.map("onnx_name", tensor.onnxName) &&
         mapper.map("c_name", tensor.cName) &&
         mapper.map("c_type", tensor.cType) &&
         mapper.map("note", tensor.note) && mapper.map("shape", tensor.shape);
}

std::optional<ModelInterface> interfaceFromJson(StringRef text) {
  llvm::Expected<llvm::json::Value> value = llvm::json::parse(text);
  if (!value) {
    llvm::consumeError(value.takeError());
    return std::nullopt;
  }
  ModelInterface model;
  llvm::json::Path::Root root;
  llvm::json::ObjectMapper mapper(*value, root);
  auto tensors = [&](StringRef key, std::vector<TensorInterface> &out) {
    const llvm::json::Array *array =
        value->getAsObject() ? value->getAsObject()->getArray(key) : nullptr;
    if (!array)
      return false;
    for (const llvm::json::Value &element : *array)
      if (!fromJson(element, out.emplace_back(), root))
        return false;
    return true;
  };
  if (!mapper || !mapper.map("name", model.name) ||
      !mapper.map("source", model.source) ||
      !mapper.map("opset", model.opset) ||
      !mapper.map("workspace_size", model.workspaceSize) ||
      !tensors("inputs", model.inputs) || !tensors("outputs", model.outputs))
    return std::nullopt;
  return model;
}

/// A stored entry's size in bytes and when it was last used.
struct StoredEntry {
  std::string folder;
  uint64_t bytes = 0;
  llvm::sys::TimePoint<> lastUse;
};

} // namespace

std::string CompileCache::defaultDirectory() {
  if (std::optional<std::string> dir =
          llvm::sys::Process::GetEnv("MUON_CACHE_DIR"))
    return *dir;
  if (std::optional<std::string> xdg =
          llvm::sys::Process::GetEnv("XDG_CACHE_HOME");
      xdg && path::is_absolute(*xdg))
    return inFolder(*xdg, "muon");
  SmallString<256> home;
  if (!path::home_directory(home))
    return "";
  path::append(home, ".cache", "muon");
  return home.str().str();
}

std::optional<std::vector<std::string>>
CompileCache::keyArguments(int argc, char **argv, StringRef inputPath,
                           llvm::ArrayRef<StringRef> ignoredOptions) {
  std::vector<std::string> arguments;
  for (int i = 1; i < argc; ++i) {
    StringRef argument = argv[i];
    StringRef option = argument.ltrim('-');
    if (argument.starts_with("@") ||
        (argument.starts_with("-") && option.starts_with("mlir")))
      return std::nullopt;
    if (argument == inputPath)
      continue;
    StringRef name = option.split('=').first;
    if (argument.starts_with("-") && llvm::is_contained(ignoredOptions, name)) {
      i += !option.contains('='); // `-o FILE`: the value follows
      continue;
    }
    arguments.push_back(argument.str());
  }
  return arguments;
}

llvm::Expected<std::string>
CompileCache::key(const char *argv0, StringRef modelPath,
                  llvm::ArrayRef<std::string> arguments,
                  StringRef calibrationDir) {
  KeyBuilder key;
  key.add("format", manifestHeader);
  // A rebuilt muonc, or one running on another LLVM, may compile otherwise.
  std::string executable = fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&CompileCache::defaultDirectory));
  if (llvm::Error err = key.addFile("executable", executable))
    return std::move(err);
  key.add("llvm", LLVM_VERSION_STRING);
  if (llvm::Error err = key.addFile("model", modelPath))
    return std::move(err);
  // The header names the model's file.
  key.add("model-file-name", path::filename(modelPath));
  for (const std::string &argument : arguments)
    key.add("argument", argument);
  if (!calibrationDir.empty()) {
    std::vector<std::string> samples;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(calibrationDir, ec), end;
         it != end && !ec; it.increment(ec))
      if (it->type() == fs::file_type::regular_file)
        samples.push_back(it->path());
    if (ec)
      return llvm::createStringError(ec, "%s: %s", calibrationDir.str().c_str(),
                                     ec.message().c_str());
    llvm::sort(samples);
    for (const std::string &sample : samples) {
      key.add("sample", StringRef(sample).drop_front(calibrationDir.size()));
      if (llvm::Error err = key.addFile("sample-bytes", sample))
        return std::move(err);
    }
  }
  // Code is generated for the host unless --mcpu/--mtriple say otherwise.
  key.add("host-triple", llvm::sys::getProcessTriple());
  key.add("host-cpu", llvm::sys::getHostCPUName());
  std::vector<std::string> features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    features.push_back((feature.second ? "+" : "-") + feature.first().str());
  llvm::sort(features);
  key.add("host-features", llvm::join(features, ","));
  key.add("MUON_HOST_CPU",
          llvm::sys::Process::GetEnv("MUON_HOST_CPU").value_or(""));
  return key.finish();
}

std::optional<CompileCache::Entry> CompileCache::lookup(StringRef key) const {
  std::string entryDir = inFolder(directory, key);
  std::string manifestPath = inFolder(entryDir, "manifest");
  std::optional<std::string> manifest = readFile(manifestPath);
  if (!manifest)
    return std::nullopt;
  Entry entry;
  auto check = [&]() -> bool {
    llvm::SmallVector<StringRef> lines;
    StringRef(*manifest).split(lines, '\n', -1, /*KeepEmpty=*/false);
    if (lines.empty() || lines.front() != manifestHeader)
      return false;
    bool haveOutput = false;
    for (StringRef line : llvm::drop_begin(lines)) {
      auto [file, hash] = line.split(' ');
      if (file != "output" && file != "interface")
        return false;
      std::optional<std::string> contents = readFile(inFolder(entryDir, file));
      if (!contents || hashOf(*contents) != hash)
        return false;
      if (file == "output") {
        entry.output = std::move(*contents);
        haveOutput = true;
      } else if (!(entry.interface = interfaceFromJson(*contents))) {
        return false;
      }
    }
    return haveOutput;
  };
  if (!check()) {
    fs::remove_directories(entryDir, /*IgnoreErrors=*/true);
    return std::nullopt;
  }
  // Mark the entry used, for eviction.
  int fd;
  if (!fs::openFileForReadWrite(manifestPath, fd, fs::CD_OpenExisting,
                                fs::OF_None)) {
    fs::setLastAccessAndModificationTime(fd, std::chrono::system_clock::now());
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  }
  return entry;
}

llvm::Error CompileCache::store(StringRef key, const Entry &entry) const {
  if (std::error_code ec = fs::create_directories(directory))
    return llvm::createStringError(ec, "%s: %s", directory.c_str(),
                                   ec.message().c_str());
  // In the cache folder itself, so that the rename is atomic.
  SmallString<256> temporary;
  if (std::error_code ec = fs::createUniqueDirectory(
          inFolder(directory, ".tmp-" + key.take_front(16).str()), temporary))
    return llvm::createStringError(ec, "%s: %s", directory.c_str(),
                                   ec.message().c_str());
  std::string manifest = manifestHeader.str() + "\n";
  auto add = [&](StringRef file, StringRef contents) {
    manifest += (file + " " + hashOf(contents) + "\n").str();
    return writeFile(inFolder(temporary, file), contents);
  };
  llvm::Error written = add("output", entry.output);
  if (!written && entry.interface)
    written = add("interface", toJson(*entry.interface));
  if (!written)
    written = writeFile(inFolder(temporary, "manifest"), manifest);
  // Another compilation of the same model may have stored it first.
  if (written || fs::rename(temporary, inFolder(directory, key))) {
    fs::remove_directories(temporary, /*IgnoreErrors=*/true);
    return written;
  }

  // Evict the least recently used entries beyond the bound, and the
  // temporary folders of compilations that died a day ago or more.
  std::vector<StoredEntry> stored;
  uint64_t total = 0;
  auto now = std::chrono::system_clock::now();
  std::error_code ec;
  for (fs::directory_iterator it(directory, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef name = path::filename(it->path());
    if (it->type() != fs::file_type::directory_file)
      continue;
    fs::file_status status;
    if (name.starts_with(".tmp-")) {
      if (!fs::status(it->path(), status) &&
          now - status.getLastModificationTime() > std::chrono::hours(24))
        fs::remove_directories(it->path(), /*IgnoreErrors=*/true);
      continue;
    }
    StoredEntry storedEntry{it->path(), 0, {}};
    if (fs::status(inFolder(it->path(), "manifest"), status))
      continue;
    storedEntry.lastUse = status.getLastModificationTime();
    for (StringRef file : {"output", "interface", "manifest"}) {
      uint64_t size;
      if (!fs::file_size(inFolder(it->path(), file), size))
        storedEntry.bytes += size;
    }
    total += storedEntry.bytes;
    stored.push_back(std::move(storedEntry));
  }
  if (total <= maxBytes)
    return llvm::Error::success();
  llvm::sort(stored, [](const StoredEntry &a, const StoredEntry &b) {
    return a.lastUse < b.lastUse;
  });
  for (const StoredEntry &old : stored) {
    if (total <= maxBytes)
      break;
    fs::remove_directories(old.folder, /*IgnoreErrors=*/true);
    total -= old.bytes;
  }
  return llvm::Error::success();
}

} // namespace muon
