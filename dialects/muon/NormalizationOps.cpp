//===- NormalizationOps.cpp - Normalisations: verifiers and types ---------===//
//
// Verifiers and result-type inference of the ops of NormalizationOps.td,
// following the ONNX operator specification (https://onnx.ai/onnx/operators/).
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "dialects/muon/OpVerification.h"
#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace muon;

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  if (failed(verifySameElementType(loc, {adaptor.getInput(), adaptor.getScale(),
                                         adaptor.getBias(), adaptor.getMean(),
                                         adaptor.getVariance()})))
    return failure();
  if (input.getRank() < 2)
    return emitOptionalError(loc, "input ", input, " must have rank >= 2");
  for (Value param : {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                      adaptor.getVariance()}) {
    auto type = rankedType(param);
    if (type.getRank() != 1 || type.getDimSize(0) != input.getDimSize(1))
      return emitOptionalError(loc, "parameter ", type, " must have shape [",
                               input.getDimSize(1), "]");
  }
  inferred.push_back(input);
  return success();
}

template <typename OpTy> static LogicalResult verifyAxis(OpTy op) {
  int64_t rank = op.getType().getRank();
  int64_t axis = op.getAxis();
  if (axis < 0 || axis >= rank)
    return op.emitOpError("axis ")
           << axis << " is out of range for rank " << rank;
  return success();
}

LogicalResult SoftmaxOp::verify() { return verifyAxis(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifyAxis(*this); }

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  int64_t rank = input.getRank(), axis = adaptor.getAxis();
  if (failed(checkAxis(loc, axis, rank)))
    return failure();
  ArrayRef<int64_t> normalized = input.getShape().drop_front(axis);
  for (Value param : {adaptor.getScale(), adaptor.getBias()}) {
    if (!param)
      continue;
    auto type = rankedType(param);
    SmallVector<int64_t> shape;
    if (type.getElementType() != input.getElementType())
      return emitOptionalError(loc, "operands have different element types: ",
                               input.getElementType(), " and ",
                               type.getElementType());
    if (type.getRank() > static_cast<int64_t>(normalized.size()) ||
        !OpTrait::util::getBroadcastedShape(normalized, type.getShape(),
                                            shape) ||
        ArrayRef<int64_t>(shape) != normalized)
      return emitOptionalError(loc, "parameter ", type,
                               " does not broadcast to the normalised shape [",
                               normalized, "]");
  }
  inferred.push_back(input);
  return success();
}
