//===- OpVerification.cpp - Checks the muon ops' verifiers share ----------===//

#include "dialects/muon/OpVerification.h"
#include "dialects/muon/MuonOps.h"
#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace muon;

int64_t muon::windowOutputSize(int64_t input, int64_t kernel, int64_t stride,
                               int64_t padBegin, int64_t padEnd,
                               int64_t dilation, bool ceilMode) {
  int64_t span = input + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (span < 0)
    return 0;
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= input + padBegin)
    --out;
  return out;
}

LogicalResult muon::verifySameElementType(std::optional<Location> loc,
                                          ArrayRef<Value> operands) {
  Type expected;
  for (Value operand : operands) {
    if (!operand)
      continue;
    Type type = rankedType(operand).getElementType();
    if (!expected)
      expected = type;
    else if (type != expected)
      return emitOptionalError(loc, "operands have different element types: ",
                               expected, " and ", type);
  }
  return success();
}

LogicalResult muon::checkAxis(std::optional<Location> loc, int64_t axis,
                              int64_t rank) {
  if (axis < 0 || axis >= rank)
    return emitOptionalError(loc, "axis ", axis, " is out of range for rank ",
                             rank);
  return success();
}

LogicalResult muon::inferBroadcast(std::optional<Location> loc,
                                   ValueRange operands, Type elementType,
                                   SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t> shape;
  for (Value operand : operands) {
    SmallVector<int64_t> next;
    if (!OpTrait::util::getBroadcastedShape(
            shape, rankedType(operand).getShape(), next)) {
      std::string types;
      llvm::raw_string_ostream os(types);
      for (auto [i, type] : llvm::enumerate(operands.getTypes()))
        os << (i == 0                     ? ""
               : i + 1 == operands.size() ? " and "
                                          : ", ")
           << "'" << type << "'";
      return emitOptionalError(loc, "operand shapes ", types,
                               " are not broadcast-compatible");
    }
    shape = std::move(next);
  }
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

LogicalResult
muon::inferWindowSizes(std::optional<Location> loc, RankedTensorType input,
                       ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                       bool ceilMode, SmallVectorImpl<int64_t> &spatial) {
  size_t n = kernel.size();
  if (input.getRank() != static_cast<int64_t>(n) + 2)
    return emitOptionalError(loc, "input ", input, " must have rank ", n + 2,
                             " (N, C and ", n, " spatial dimensions)");
  if (strides.size() != n || dilations.size() != n || pads.size() != 2 * n)
    return emitOptionalError(loc, "expected ", n, " strides, ", n,
                             " dilations and ", 2 * n, " pads");
  for (size_t i = 0; i < n; ++i) {
    if (kernel[i] < 1 || strides[i] < 1 || dilations[i] < 1 || pads[i] < 0 ||
        pads[i + n] < 0)
      return emitOptionalError(loc, "kernel sizes, strides and dilations must "
                                    "be positive and pads non-negative");
    int64_t out =
        windowOutputSize(input.getDimSize(i + 2), kernel[i], strides[i],
                         pads[i], pads[i + n], dilations[i], ceilMode);
    if (out < 1)
      return emitOptionalError(loc, "window of size ", kernel[i],
                               " does not fit spatial dimension ", i,
                               " of input ", input);
    spatial.push_back(out);
  }
  return success();
}
