//===- LinalgBuilders.h - Building blocks of the muon lowerings -*- C++ -*-===//
//
// Small builders shared by the patterns that lower muon ops to linalg,
// tensor, arith and math on tensors (the per-family files <Family>ToLinalg.cpp
// of the muon-to-linalg pass).
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

/// The type that a value of type `type` (a tensor or a scalar of ONNX's
/// element types) has once lowered, which muon-to-linalg's TypeConverter
/// applies: arith has no unsigned integer types, so ui8..ui64 become the
/// signless integer of their width (the same bits), and a quantized type
/// becomes its signless storage type. The lowerings read signedness, which
/// the lowered values no longer carry, from the muon op's own types.
mlir::Type storageType(mlir::Type type);
mlir::RankedTensorType storageType(mlir::RankedTensorType type);
/// Whether the elements of `type` (a tensor or a scalar) are unsigned
/// integers.
bool isUnsignedElement(mlir::Type type);

mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type);
/// A scalar constant of `type` (float or integer, of its storage type when
/// unsigned).
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);
/// The lowest value of a float (-inf) or integer type (0 when unsigned), the
/// identity of max: what max pooling pads with.
double lowestValue(mlir::Type type);
/// max(lhs, rhs) of floats (NaN propagates, as numpy.maximum) or integers,
/// compared as unsigned ones when `isUnsigned`.
mlir::Value maximum(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                    mlir::Value rhs, bool isUnsigned);
/// A tensor of `type` filled with `value` (linalg.fill).
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, double value);
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value scalar);

/// The type of `type` with the dimensions in `axes` dropped.
mlir::RankedTensorType droppedType(mlir::RankedTensorType type,
                                   llvm::ArrayRef<int64_t> axes);

/// The type of `type` with the dimensions in `axes` set to 1.
mlir::RankedTensorType keptType(mlir::RankedTensorType type,
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

//===----------------------------------------------------------------------===//
// Windows: convolutions and pooling
//===----------------------------------------------------------------------===//

/// [N, C, W] -> [N, C, 1, W]: 1-D windows run as 2-D ones over a height of 1.
mlir::RankedTensorType withUnitHeight(mlir::RankedTensorType type);

/// Windows with at most this many taps are computed tap by tap
/// (windowTaps); larger ones use linalg's pooling and depthwise ops.
constexpr int64_t kMaxWindowTaps = 49;

/// The taps of a 2-D window over `padded` ([N, C, H, W]): tap (i, j) is the
/// strided slice whose element (n, c, y, x) is
/// padded[n, c, y * sh + i * dh, x * sw + j * dw], the (i, j) element of the
/// window of output (y, x). Pooling and depthwise convolution are then
/// element-wise combinations of their taps, which vectorize along the output
/// width instead of reducing over a tiny window at each output element.
llvm::SmallVector<mlir::Value>
windowTaps(mlir::OpBuilder &b, mlir::Location loc, mlir::Value padded,
           mlir::RankedTensorType resultType, llvm::ArrayRef<int64_t> kernel,
           llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> dilations);

/// Combines the element read by a window op with its accumulators and
/// returns the new accumulators.
using WindowBody = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::OpBuilder &, mlir::Location, mlir::Value /*element*/,
    mlir::ValueRange /*accumulators*/)>;

/// A window op over any number D of spatial dimensions as one
/// linalg.generic, for the forms the 2-D lowerings do not cover (3-D and up,
/// integer or index-producing windows). Loops are (n, c, o_1..o_D,
/// k_1..k_D): the element read is padded[n, c, o_i * s_i + k_i * d_i], the
/// window loops reduce into `inits` (each [N, C, O...]), and `body` combines
/// the element with the accumulators. A `kernel`-shaped empty tensor gives
/// the window loops their bounds, as linalg's pooling ops do.
llvm::SmallVector<mlir::Value>
windowReduce(mlir::OpBuilder &b, mlir::Location loc, mlir::Value padded,
             mlir::ValueRange inits, llvm::ArrayRef<int64_t> kernel,
             llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> dilations,
             WindowBody body);

/// Pads the spatial dimensions of `input` for a window op: the declared
/// begin pads, and at the end what the last window needs (windowEndPads).
mlir::Value padForWindow(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value input, mlir::RankedTensorType resultType,
                         llvm::ArrayRef<int64_t> kernel,
                         llvm::ArrayRef<int64_t> strides,
                         llvm::ArrayRef<int64_t> pads,
                         llvm::ArrayRef<int64_t> dilations, double padValue);

} // namespace muon

#endif
