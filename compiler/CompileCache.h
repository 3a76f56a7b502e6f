//===- CompileCache.h - Earlier compilations' outputs, reused ---*- C++ -*-===//
#ifndef MUON_COMPILER_COMPILECACHE_H
#define MUON_COMPILER_COMPILECACHE_H

#include "targets/cpu/Header.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace muon {

/// A folder of compilations' outputs, each under a key that hashes
/// everything that decides them, so that compiling an unchanged model again
/// (in a build or CI) takes milliseconds. Entries are written to a fresh
/// folder and renamed into place (safe under concurrent builds), checked
/// against the hashes they were stored with before they are used, and the
/// least recently used are removed when the folder outgrows its bound.
class CompileCache {
public:
  /// What one compilation produced: the artefact and, for object code,
  /// its C interface.
  struct Entry {
    std::string output;
    std::optional<ModelInterface> interface;
  };

  /// The folder used when none is given: $MUON_CACHE_DIR, else
  /// $XDG_CACHE_HOME/muon, else ~/.cache/muon; empty when none of them is
  /// set.
  static std::string defaultDirectory();

  CompileCache(std::string directory, uint64_t maxBytes)
      : directory(std::move(directory)), maxBytes(maxBytes) {}

  /// The arguments of `argv` that decide what is compiled: all but the
  /// input path (its bytes and file name are part of the key instead) and
  /// the options of `ignoredOptions` with their values (output paths, a
  /// run's inputs). None when the compilation is not for the cache: its
  /// options print about it (--mlir-*), or a response file (@FILE) holds
  /// arguments.
  static std::optional<std::vector<std::string>>
  keyArguments(int argc, char **argv, llvm::StringRef inputPath,
               llvm::ArrayRef<llvm::StringRef> ignoredOptions);

  /// The key of a compilation: this executable and the LLVM it runs on, the
  /// model file's bytes, every file of the calibration folder (when given),
  /// the arguments that decide the output, and the host CPU (which code is
  /// generated for unless --mcpu and --mtriple say otherwise).
  static llvm::Expected<std::string> key(const char *argv0,
                                         llvm::StringRef modelPath,
                                         llvm::ArrayRef<std::string> arguments,
                                         llvm::StringRef calibrationDir);

  /// The entry stored under `key`, if there is one and its files have the
  /// hashes they were stored with; an entry that fails the check is
  /// removed.
  std::optional<Entry> lookup(llvm::StringRef key) const;

  /// Stores `entry` under `key`, then removes the least recently used
  /// entries while the folder holds more than its bound.
  llvm::Error store(llvm::StringRef key, const Entry &entry) const;

private:
  std::string directory;
  uint64_t maxBytes;
};

} // namespace muon

#endif
