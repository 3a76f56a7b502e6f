//===- OpVerification.h - Checks the muon ops' verifiers share -*- C++ -*-===//
//
// Helpers of the ops' verifiers and result-type inference (the *Ops.cpp files
// of this folder), so that every op states a rule in the same words.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_DIALECTS_MUON_OPVERIFICATION_H
#define MUON_DIALECTS_MUON_OPVERIFICATION_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Value.h"
#include "mlir/IR/ValueRange.h"

#include <optional>

namespace muon {

/// The type of an operand the ODS constraints already made a ranked tensor.
inline mlir::RankedTensorType rankedType(mlir::Value value) {
  return mlir::cast<mlir::RankedTensorType>(value.getType());
}

/// ONNX operators take all their tensors in one type T; absent optional
/// operands (null values) are skipped.
mlir::LogicalResult verifySameElementType(std::optional<mlir::Location> loc,
                                          llvm::ArrayRef<mlir::Value> operands);

/// An error unless 0 <= axis < rank (the importer makes axes non-negative).
mlir::LogicalResult checkAxis(std::optional<mlir::Location> loc, int64_t axis,
                              int64_t rank);

/// Pushes a tensor of `elementType` with the shape `operands` broadcast to
/// (ONNX multidirectional broadcasting, numpy's rules).
mlir::LogicalResult inferBroadcast(std::optional<mlir::Location> loc,
                                   mlir::ValueRange operands,
                                   mlir::Type elementType,
                                   llvm::SmallVectorImpl<mlir::Type> &inferred);

/// Checks the window attributes that Conv and the pooling ops share and
/// appends the spatial output sizes to `spatial`.
mlir::LogicalResult
inferWindowSizes(std::optional<mlir::Location> loc,
                 mlir::RankedTensorType input, llvm::ArrayRef<int64_t> kernel,
                 llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> pads,
                 llvm::ArrayRef<int64_t> dilations, bool ceilMode,
                 llvm::SmallVectorImpl<int64_t> &spatial);

} // namespace muon

#endif
