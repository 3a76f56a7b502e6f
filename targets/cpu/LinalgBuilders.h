//===- LinalgBuilders.h - Building blocks of the muon lowerings -*- C++ -*-===//
//
// Small builders shared by the patterns that lower muon ops to linalg,
// tensor, arith and math on tensors (MuonToLinalg.cpp and the per-family
// lowering files beside it).
//
//===----------------------------------------------------------------------===//

#ifndef MUON_TARGETS_CPU_LINALGBUILDERS_H
#define MUON_TARGETS_CPU_LINALGBUILDERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace muon {

mlir::RankedTensorType tensorType(mlir::Value value);
bool isFloat(mlir::Type type);

mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type);
/// A scalar constant of `type` (float or integer).
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);
/// The lowest value of a float (-inf) or integer type (0 when unsigned), the
/// identity of max: what max pooling pads with.
double lowestValue(mlir::Type type);
/// max(lhs, rhs) of floats (NaN propagates, as numpy.maximum), signless
/// (signed) or unsigned integers.
mlir::Value maximum(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                    mlir::Value rhs);
/// A tensor of `type` filled with `value` (linalg.fill).
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, double value);
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value scalar);

/// The type of `type` with the dimensions in `axes` dropped.
mlir::RankedTensorType droppedType(mlir::RankedTensorType type,
                                   llvm::ArrayRef<int64_t> axes);

/// The indexing map that reads `operandType` when iterating over
/// `resultShape` with ONNX multidirectional broadcasting: dimensions align at
/// the right, and a size-1 operand dimension is read at index 0.
mlir::AffineMap broadcastMap(mlir::RankedTensorType operandType,
                             llvm::ArrayRef<int64_t> resultShape,
                             mlir::MLIRContext *context);

/// Computes one result element from the elements of the inputs.
using ScalarBody = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange /*inputs*/)>;

/// One linalg.generic reducing `inputs[0]` over `axes` into a tensor of its
/// other dimensions, filled with `init` first. Further inputs already have
/// that reduced shape and are read at the current output position (e.g. the
/// maximum a softmax shifts by). `combine` gets the input elements and then
/// the accumulator, and returns the new accumulator.
mlir::Value buildReduction(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::ValueRange inputs,
                           llvm::ArrayRef<int64_t> axes, mlir::Value init,
                           ScalarBody combine);

/// A parallel linalg.generic computing `body` element-wise over `inputs`,
/// broadcast (ONNX rules) to `resultType`.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange inputs, ScalarBody body);

/// Broadcasts `source` (ONNX rules) into a new tensor of `resultType`.
mlir::Value broadcastTo(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value source, mlir::RankedTensorType resultType);

/// Reshapes between static shapes with the same number of elements, through
/// one collapse or expand when possible and through 1-D otherwise.
mlir::Value reshapeTensor(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value source,
                          mlir::RankedTensorType resultType);

/// Pads the spatial dimensions (2..) of an NC... tensor with `padValue`;
/// `low`/`high` hold one entry per spatial dimension.
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value input, llvm::ArrayRef<int64_t> low,
                       llvm::ArrayRef<int64_t> high, double padValue);

/// The end padding a window op needs so that its last window fits: the
/// declared pads, plus what ceil_mode adds, less what floor mode drops.
llvm::SmallVector<int64_t>
windowEndPads(mlir::RankedTensorType input, mlir::RankedTensorType output,
              llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
              llvm::ArrayRef<int64_t> pads, llvm::ArrayRef<int64_t> dilations);

} // namespace muon

#endif
