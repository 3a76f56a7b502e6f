//===- PoolingOps.cpp - Pooling: result types -----------------------------===//
//
// Result-type inference of the ops of PoolingOps.td, following the ONNX
// operator specification (https://onnx.ai/onnx/operators/).
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "dialects/muon/OpVerification.h"

using namespace mlir;
using namespace muon;

template <typename Adaptor>
static LogicalResult inferPool(std::optional<Location> loc, Adaptor adaptor,
                               SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  SmallVector<int64_t> shape;
  if (input.getRank() >= 2)
    shape = {input.getDimSize(0), input.getDimSize(1)};
  if (failed(inferWindowSizes(loc, input, adaptor.getKernelShape(),
                              adaptor.getStrides(), adaptor.getPads(),
                              adaptor.getDilations(), adaptor.getCeilMode(),
                              shape)))
    return failure();
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferPool(loc, adaptor, inferred);
}

LogicalResult AveragePoolOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  return inferPool(loc, adaptor, inferred);
}

/// The shape of the pooled result, with i64 elements.
LogicalResult
MaxPoolIndicesOp::inferReturnTypes(MLIRContext *context,
                                   std::optional<Location> loc, Adaptor adaptor,
                                   SmallVectorImpl<Type> &inferred) {
  if (failed(inferPool(loc, adaptor, inferred)))
    return failure();
  inferred.back() = cast<RankedTensorType>(inferred.back())
                        .clone(IntegerType::get(context, 64));
  return success();
}

static LogicalResult inferGlobalPool(std::optional<Location> loc, Value input,
                                     SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(input);
  if (type.getRank() < 3)
    return emitOptionalError(loc, "input ", type, " must have rank >= 3");
  SmallVector<int64_t> shape(type.getShape());
  std::fill(shape.begin() + 2, shape.end(), 1);
  inferred.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

LogicalResult GlobalAveragePoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  return inferGlobalPool(loc, adaptor.getInput(), inferred);
}

LogicalResult
GlobalMaxPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  return inferGlobalPool(loc, adaptor.getInput(), inferred);
}
