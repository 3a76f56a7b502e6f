//===- Constants.h - Reading and making constant tensors --------*- C++ -*-===//
#ifndef MUON_DIALECTS_MUON_CONSTANTS_H
#define MUON_DIALECTS_MUON_CONSTANTS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace muon {

/// The elements of `value` when a muon.constant of f32 defines it, whether
/// stored inline (dense) or as a resource blob (dense_resource).
std::optional<llvm::SmallVector<float>> getF32Constant(mlir::Value value);

/// The elements of `value` as int64 when a constant of an integer type
/// (muon.constant, or arith.constant in the CPU lowering) defines it, inline
/// or as a resource blob; unsigned types zero-extend, signless ones
/// sign-extend.
std::optional<llvm::SmallVector<int64_t>> getIntConstant(mlir::Value value);

/// Constant elements of `type`: inline when small enough to read in a test,
/// otherwise a resource blob named after `blobName` (kept cheap to print).
/// For float, int8_t and int32_t values.
template <typename T>
mlir::ElementsAttr makeElements(mlir::RankedTensorType type,
                                llvm::ArrayRef<T> values,
                                llvm::StringRef blobName);

/// Constants with at most this many elements are stored inline.
constexpr int64_t kMaxInlineElements = 16;

} // namespace muon

#endif
