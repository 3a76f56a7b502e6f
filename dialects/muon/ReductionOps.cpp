//===- ReductionOps.cpp - Reductions and arg-reductions -------------------===//
//
// Verifiers and result-type inference of the ops in ReductionOps.td; the op
// classes themselves are generated into MuonOps.cpp. Shapes follow the ONNX
// operator specification (https://onnx.ai/onnx/operators/).
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "dialects/muon/OpVerification.h"
#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace muon;

/// The shape left after reducing `axes` (non-negative, strictly increasing,
/// in range) of `shape`: size 1 with `keepdims`, dropped without.
static FailureOr<SmallVector<int64_t>> reducedShape(std::optional<Location> loc,
                                                    ArrayRef<int64_t> shape,
                                                    ArrayRef<int64_t> axes,
                                                    bool keepdims) {
  int64_t rank = shape.size(), previous = -1;
  for (int64_t axis : axes) {
    if (axis <= previous || axis >= rank)
      return emitOptionalError(loc, "axes [", axes,
                               "] must be strictly increasing in [0, ", rank,
                               ")");
    previous = axis;
  }
  SmallVector<int64_t> result;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(axes, d))
      result.push_back(shape[d]);
    else if (keepdims)
      result.push_back(1);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static LogicalResult inferReduce(std::optional<Location> loc, Adaptor adaptor,
                                 SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  FailureOr<SmallVector<int64_t>> shape = reducedShape(
      loc, input.getShape(), adaptor.getAxes(), adaptor.getKeepdims());
  if (failed(shape))
    return failure();
  inferred.push_back(RankedTensorType::get(*shape, input.getElementType()));
  return success();
}

#define MUON_REDUCE_INFER(OP)                                                  \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferReduce(loc, adaptor, inferred);                                \
  }
MUON_REDUCE_INFER(ReduceSumOp)
MUON_REDUCE_INFER(ReduceMeanOp)
MUON_REDUCE_INFER(ReduceMaxOp)
MUON_REDUCE_INFER(ReduceMinOp)
MUON_REDUCE_INFER(ReduceProdOp)
MUON_REDUCE_INFER(ReduceL1Op)
MUON_REDUCE_INFER(ReduceL2Op)
MUON_REDUCE_INFER(ReduceLogSumOp)
MUON_REDUCE_INFER(ReduceLogSumExpOp)
MUON_REDUCE_INFER(ReduceSumSquareOp)
#undef MUON_REDUCE_INFER

//===----------------------------------------------------------------------===//
// Arg-reductions, Hardmax, CumSum
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static LogicalResult
inferArgReduce(MLIRContext *context, std::optional<Location> loc,
               Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(loc, axis, input.getRank())))
    return failure();
  FailureOr<SmallVector<int64_t>> shape =
      reducedShape(loc, input.getShape(), axis, adaptor.getKeepdims());
  if (failed(shape))
    return failure();
  inferred.push_back(
      RankedTensorType::get(*shape, IntegerType::get(context, 64)));
  return success();
}

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferArgReduce(context, loc, adaptor, inferred);
}

LogicalResult ArgMinOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferArgReduce(context, loc, adaptor, inferred);
}

LogicalResult HardmaxOp::verify() {
  return checkAxis(getLoc(), getAxis(), getType().getRank());
}

LogicalResult CumSumOp::verify() {
  return checkAxis(getLoc(), getAxis(), getType().getRank());
}
