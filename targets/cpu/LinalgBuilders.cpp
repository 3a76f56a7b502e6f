//===- LinalgBuilders.cpp - Building blocks of the muon lowerings ---------===//

#include "targets/cpu/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace muon {
RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

Type storageType(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return storageType(tensor);
  if (auto quantized = dyn_cast<quant::QuantizedType>(type))
    return IntegerType::get(type.getContext(),
                            quantized.getStorageTypeIntegralWidth());
  if (type.isUnsignedInteger())
    return IntegerType::get(type.getContext(), type.getIntOrFloatBitWidth());
  return type;
}

RankedTensorType storageType(RankedTensorType type) {
  return type.clone(storageType(type.getElementType()));
}

bool isUnsignedElement(Type type) {
  return getElementTypeOrSelf(type).isUnsignedInteger();
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType());
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  type = storageType(type);
  if (isa<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
  // Two's complement bits: -1 is all ones, as is 255 in 8 bits.
  APInt bits(type.getIntOrFloatBitWidth(), static_cast<int64_t>(value),
             /*isSigned=*/true, /*implicitTrunc=*/true);
  return arith::ConstantOp::create(b, loc, IntegerAttr::get(type, bits));
}

double lowestValue(Type type) {
  if (isa<FloatType>(type))
    return -std::numeric_limits<double>::infinity();
  if (type.isUnsignedInteger())
    return 0.0;
  // -2^(width-1), exact in a double for every width up to 64.
  return -std::ldexp(1.0, type.getIntOrFloatBitWidth() - 1);
}

Value maximum(OpBuilder &b, Location loc, Value lhs, Value rhs,
              bool isUnsigned) {
  if (isa<FloatType>(lhs.getType()))
    return arith::MaximumFOp::create(b, loc, lhs, rhs);
  if (isUnsigned)
    return arith::MaxUIOp::create(b, loc, lhs, rhs);
  return arith::MaxSIOp::create(b, loc, lhs, rhs);
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   double value) {
  return filledTensor(b, loc, type,
                      scalarConstant(b, loc, type.getElementType(), value));
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value scalar) {
  return linalg::FillOp::create(b, loc, scalar, emptyTensor(b, loc, type))
      .getResult(0);
}

RankedTensorType droppedType(RankedTensorType type, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (!llvm::is_contained(axes, d))
      shape.push_back(type.getDimSize(d));
  return RankedTensorType::get(shape, type.getElementType());
}

RankedTensorType keptType(RankedTensorType type, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t axis : axes)
    shape[axis] = 1;
  return RankedTensorType::get(shape, type.getElementType());
}

Value buildReduction(OpBuilder &b, Location loc, ValueRange inputs,
                     ArrayRef<int64_t> axes, Value init, ScalarBody combine) {
  MLIRContext *context = b.getContext();
  auto inputType = cast<RankedTensorType>(inputs[0].getType());
  int64_t rank = inputType.getRank();
  auto resultType = RankedTensorType::get(
      droppedType(inputType, axes).getShape(), init.getType());
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
  AffineMap reduced = identity.dropResults(axes);
  SmallVector<AffineMap> maps = {identity};
  maps.append(inputs.size(), reduced);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  for (int64_t axis : axes)
    iterators[axis] = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, resultType, inputs, filledTensor(b, loc, resultType, init),
             maps, iterators,
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(nested, nestedLoc,
                                       combine(nested, nestedLoc, args));
             })
      .getResult(0);
}

AffineMap broadcastMap(RankedTensorType operandType,
                       ArrayRef<int64_t> resultShape, MLIRContext *context) {
  int64_t offset = resultShape.size() - operandType.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < operandType.getRank(); ++d) {
    bool broadcast =
        operandType.getDimSize(d) == 1 && resultShape[offset + d] != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, context)
                              : getAffineDimExpr(offset + d, context));
  }
  return AffineMap::get(resultShape.size(), 0, exprs, context);
}

Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, ScalarBody body) {
  MLIRContext *context = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(
        broadcastMap(tensorType(input), resultType.getShape(), context));
  maps.push_back(
      AffineMap::getMultiDimIdentityMap(resultType.getRank(), context));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, emptyTensor(b, loc, resultType), maps,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value broadcastTo(OpBuilder &b, Location loc, Value source,
                  RankedTensorType resultType) {
  return buildElementwise(
      b, loc, resultType, source,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

Value reshapeTensor(OpBuilder &b, Location loc, Value source,
                    RankedTensorType resultType) {
  auto sourceType = tensorType(source);
  if (sourceType == resultType)
    return source;
  if (sourceType.getRank() > resultType.getRank()) {
    if (auto reassociation =
            getReassociationIndicesForReshape(sourceType, resultType))
      return tensor::CollapseShapeOp::create(b, loc, resultType, source,
                                             *reassociation);
  } else if (sourceType.getRank() < resultType.getRank()) {
    if (auto reassociation =
            getReassociationIndicesForReshape(sourceType, resultType))
      return tensor::ExpandShapeOp::create(b, loc, resultType, source,
                                           *reassociation);
  }
  // All dimensions of a rank-`rank` tensor in one group (none for rank 0).
  auto oneGroup = [](int64_t rank) {
    SmallVector<ReassociationIndices> reassociation;
    if (rank > 0)
      reassociation.push_back(llvm::to_vector(llvm::seq<int64_t>(0, rank)));
    return reassociation;
  };
  auto flatType = RankedTensorType::get({sourceType.getNumElements()},
                                        sourceType.getElementType());
  Value flat = source;
  if (sourceType.getRank() != 1)
    flat = tensor::CollapseShapeOp::create(b, loc, flatType, source,
                                           oneGroup(sourceType.getRank()));
  if (resultType.getRank() == 1)
    return flat;
  return tensor::ExpandShapeOp::create(b, loc, resultType, flat,
                                       oneGroup(resultType.getRank()));
}

Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, double padValue) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  auto type = tensorType(input);
  SmallVector<int64_t> lowAll = {0, 0}, highAll = {0, 0};
  SmallVector<int64_t> shape(type.getShape());
  for (size_t i = 0; i < low.size(); ++i) {
    lowAll.push_back(low[i]);
    highAll.push_back(high[i]);
    shape[i + 2] += low[i] + high[i];
  }
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  Value value = scalarConstant(b, loc, type.getElementType(), padValue);
  return tensor::PadOp::create(
      b, loc, paddedType, input, getAsIndexOpFoldResult(b.getContext(), lowAll),
      getAsIndexOpFoldResult(b.getContext(), highAll), value);
}

SmallVector<int64_t>
windowEndPads(RankedTensorType input, RankedTensorType output,
              ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
              ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations) {
  SmallVector<int64_t> high;
  size_t n = kernel.size();
  for (size_t i = 0; i < n; ++i) {
    int64_t needed = (output.getDimSize(i + 2) - 1) * strides[i] +
                     dilations[i] * (kernel[i] - 1) + 1;
    high.push_back(
        std::max<int64_t>(0, needed - input.getDimSize(i + 2) - pads[i]));
  }
  return high;
}

bool isFloat(Type type) { return isa<FloatType>(getElementTypeOrSelf(type)); }

RankedTensorType withUnitHeight(RankedTensorType type) {
  return RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), 1, type.getDimSize(2)},
      type.getElementType());
}

SmallVector<Value> windowTaps(OpBuilder &b, Location loc, Value padded,
                              RankedTensorType resultType,
                              ArrayRef<int64_t> kernel,
                              ArrayRef<int64_t> strides,
                              ArrayRef<int64_t> dilations) {
  MLIRContext *context = b.getContext();
  auto tapType = RankedTensorType::get(resultType.getShape(),
                                       tensorType(padded).getElementType());
  SmallVector<int64_t> sliceStrides = {1, 1, strides[0], strides[1]};
  SmallVector<Value> taps;
  for (int64_t i = 0; i < kernel[0]; ++i)
    for (int64_t j = 0; j < kernel[1]; ++j) {
      SmallVector<int64_t> offsets = {0, 0, i * dilations[0], j * dilations[1]};
      taps.push_back(tensor::ExtractSliceOp::create(
          b, loc, tapType, padded, getAsIndexOpFoldResult(context, offsets),
          getAsIndexOpFoldResult(context, tapType.getShape()),
          getAsIndexOpFoldResult(context, sliceStrides)));
    }
  return taps;
}

SmallVector<Value> windowReduce(OpBuilder &b, Location loc, Value padded,
                                ValueRange inits, ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> dilations, WindowBody body) {
  MLIRContext *context = b.getContext();
  int64_t n = kernel.size(), numLoops = 2 + 2 * n;
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, context); };
  SmallVector<AffineExpr> inputExprs = {dim(0), dim(1)}, windowExprs,
                          outputExprs = {dim(0), dim(1)};
  for (int64_t i = 0; i < n; ++i) {
    inputExprs.push_back(dim(2 + i) * strides[i] +
                         dim(2 + n + i) * dilations[i]);
    windowExprs.push_back(dim(2 + n + i));
    outputExprs.push_back(dim(2 + i));
  }
  SmallVector<AffineMap> maps = {
      AffineMap::get(numLoops, 0, inputExprs, context),
      AffineMap::get(numLoops, 0, windowExprs, context)};
  maps.append(inits.size(), AffineMap::get(numLoops, 0, outputExprs, context));
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  std::fill(iterators.begin() + 2 + n, iterators.end(),
            utils::IteratorType::reduction);
  Value window = tensor::EmptyOp::create(b, loc, kernel,
                                         tensorType(padded).getElementType());
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange(inits), ValueRange{padded, window}, inits, maps,
      iterators, [&](OpBuilder &nested, Location l, ValueRange args) {
        linalg::YieldOp::create(nested, l,
                                body(nested, l, args[0], args.drop_front(2)));
      });
  return llvm::to_vector_of<Value>(generic.getResults());
}

Value padForWindow(OpBuilder &b, Location loc, Value input,
                   RankedTensorType resultType, ArrayRef<int64_t> kernel,
                   ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                   ArrayRef<int64_t> dilations, double padValue) {
  SmallVector<int64_t> endPads = windowEndPads(
      tensorType(input), resultType, kernel, strides, pads, dilations);
  return padSpatial(b, loc, input, pads.take_front(kernel.size()), endPads,
                    padValue);
}

} // namespace muon
