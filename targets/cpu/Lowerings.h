//===- Lowerings.h - Pattern families of muon-to-linalg ---------*- C++ -*-===//
#ifndef MUON_TARGETS_CPU_LOWERINGS_H
#define MUON_TARGETS_CPU_LOWERINGS_H

#include "mlir/IR/PatternMatch.h"

namespace muon {

/// Element-wise math, comparison and logic ops (ElementwiseToLinalg.cpp).
void populateElementwiseLowerings(mlir::RewritePatternSet &patterns);
/// Reductions, arg-reductions and normalisations (ReductionToLinalg.cpp).
void populateReductionLowerings(mlir::RewritePatternSet &patterns);
/// Indexing and data movement with run-time inputs (DataMovementToLinalg.cpp).
void populateDataMovementLowerings(mlir::RewritePatternSet &patterns);
/// Quantize, dequantize and the shared requantization (QuantToLinalg.cpp).
void populateQuantLowerings(mlir::RewritePatternSet &patterns);
/// Determinants (LinearAlgebraToLinalg.cpp).
void populateLinearAlgebraLowerings(mlir::RewritePatternSet &patterns);

} // namespace muon

#endif
