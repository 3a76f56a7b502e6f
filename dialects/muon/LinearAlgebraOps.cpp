//===- LinearAlgebraOps.cpp - Linear algebra: result types ----------------===//
//
// Result-type inference of the ops of LinearAlgebraOps.td, following the ONNX
// operator specification (https://onnx.ai/onnx/operators/).
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"

using namespace mlir;
using namespace muon;

/// Det-11: [..., n, n] -> [...], float.
LogicalResult DetOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t rank = input.getRank();
  if (rank < 2 || input.getDimSize(rank - 1) != input.getDimSize(rank - 2) ||
      !isa<FloatType>(input.getElementType()))
    return emitOptionalError(loc, "input ", input,
                             " must be float square matrices [..., n, n]");
  inferred.push_back(RankedTensorType::get(input.getShape().drop_back(2),
                                           input.getElementType()));
  return success();
}
