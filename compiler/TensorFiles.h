//===- TensorFiles.h - Tensors in .npy and ONNX .pb files -------*- C++ -*-===//
#ifndef MUON_COMPILER_TENSORFILES_H
#define MUON_COMPILER_TENSORFILES_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace muon {

/// A dense, C-ordered, little-endian host tensor.
struct HostTensor {
  /// numpy's type code without byte order: "f2", "f4", "f8", "i1".."i8",
  /// "u1".."u8", "b1".
  std::string dtype;
  std::vector<int64_t> shape;
  std::vector<char> data;

  int64_t numElements() const;
};

/// Bytes per element of a numpy type code.
unsigned dtypeSize(llvm::StringRef dtype);

/// The numpy type code of a C type from a generated header ("float" -> "f4",
/// "_Float16" -> "f2").
std::string dtypeForCType(llvm::StringRef cType);

/// Reads a .npy file (format 1.0-3.0, C order, little-endian) or, for any
/// other extension, a serialized onnx.TensorProto (.pb).
llvm::Expected<HostTensor> readTensorFile(llvm::StringRef path);

/// Writes a .npy file (format 1.0).
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &tensor);

} // namespace muon

#endif
