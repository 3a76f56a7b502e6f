//===- Lowerings.h - Pattern families of muon-to-linalg ---------*- C++ -*-===//
#ifndef MUON_TARGETS_CPU_LOWERINGS_H
#define MUON_TARGETS_CPU_LOWERINGS_H

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace muon {

// The patterns are OpConversionPatterns of muon-to-linalg's dialect
// conversion: they build on the adaptor's operands, which carry storage
// types (storageType in LinalgBuilders.h), and read signedness and quantization
// parameters from the muon op's own operand and result types.

/// numpy.matmul of `lhs` and `rhs` into `resultType` (whose element type may
/// be wider than the operands': 8-bit operands accumulate in i32 inside
/// linalg's named ops), accumulating onto `addend` broadcast to the result
/// (ONNX rules), or onto 0 when it is null (LinearAlgebraToLinalg.cpp).
mlir::Value buildMatMul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                        mlir::Value rhs, mlir::RankedTensorType resultType,
                        mlir::Value addend);

/// An ONNX Conv (NCHW, explicit pads) of `input` and `weight` plus the
/// optional 1-D `bias` (of the result's element type), padded with
/// `padValue`: linalg's named convolutions, or tap by tap for small
/// depthwise windows (LinearAlgebraToLinalg.cpp). 8-bit operands accumulate in
/// the result's wider integer type without being widened first.
mlir::Value buildConvolution(
    mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
    mlir::Value weight, mlir::Value bias, mlir::RankedTensorType resultType,
    llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> pads,
    llvm::ArrayRef<int64_t> dilations, int64_t group, double padValue);

/// Element-wise math, comparison and logic ops (ElementwiseToLinalg.cpp).
void populateElementwiseLowerings(const mlir::TypeConverter &converter,
                                  mlir::RewritePatternSet &patterns);
/// Reductions, arg-reductions, Hardmax and CumSum (ReductionToLinalg.cpp).
void populateReductionLowerings(const mlir::TypeConverter &converter,
                                mlir::RewritePatternSet &patterns);
/// BatchNorm, Softmax, LogSoftmax and LayerNorm (NormalizationToLinalg.cpp).
void populateNormalizationLowerings(const mlir::TypeConverter &converter,
                                    mlir::RewritePatternSet &patterns);
/// Constants, indexing and data movement (DataMovementToLinalg.cpp).
void populateDataMovementLowerings(const mlir::TypeConverter &converter,
                                   mlir::RewritePatternSet &patterns);
/// Quantize, dequantize and the shared requantization (QuantToLinalg.cpp).
void populateQuantLowerings(const mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
/// Gemm, MatMul, Conv and Det (LinearAlgebraToLinalg.cpp).
void populateLinearAlgebraLowerings(const mlir::TypeConverter &converter,
                                    mlir::RewritePatternSet &patterns);
/// Max, average and global pools (PoolingToLinalg.cpp).
void populatePoolingLowerings(const mlir::TypeConverter &converter,
                              mlir::RewritePatternSet &patterns);

} // namespace muon

#endif
