//===- ConstantEvaluation.cpp - Import-time shape arithmetic --------------===//
//
// Evaluates small ONNX nodes on constants with MLIR attributes as the value
// representation; semantics follow https://onnx.ai/onnx/operators/.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ConstantEvaluation.h"
#include "compiler/onnx/NodeContext.h"

#include "mlir/Dialect/Traits.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"
#include "llvm/ADT/StringMap.h"

#include <climits>
#include <cmath>

using namespace mlir;
using namespace muon::onnx_importer;

/// Larger operands and results are left to run time: shape arithmetic is
/// small, and evaluating element by element is slow.
static constexpr int64_t kMaxEvaluatedElements = 1 << 16;

namespace {
/// The constant inputs of a node; null for an absent optional input.
using Operands = ArrayRef<DenseElementsAttr>;
/// The result, or null when it is too large to evaluate.
using EvalResult = FailureOr<DenseElementsAttr>;
using ElementFn = function_ref<FailureOr<Attribute>(ArrayRef<Attribute>)>;
} // namespace

static SmallVector<int64_t> toInts(DenseElementsAttr value) {
  return llvm::to_vector(
      llvm::map_range(value.getValues<APInt>(),
                      [](const APInt &v) { return v.getSExtValue(); }));
}

static SmallVector<Attribute> elementsOf(DenseElementsAttr value) {
  return llvm::to_vector(value.getValues<Attribute>());
}

static DenseElementsAttr makeTensor(ArrayRef<int64_t> shape, Type elementType,
                                    ArrayRef<Attribute> elements) {
  return DenseElementsAttr::get(RankedTensorType::get(shape, elementType),
                                elements);
}

static DenseElementsAttr makeI64Tensor(MLIRContext *context,
                                       ArrayRef<int64_t> shape,
                                       ArrayRef<int64_t> values) {
  return DenseElementsAttr::get(
      RankedTensorType::get(shape, IntegerType::get(context, 64)), values);
}

static bool tooLarge(ArrayRef<int64_t> shape) {
  return ShapedType::getNumElements(shape) > kMaxEvaluatedElements;
}

/// Row-major position in an operand of shape `inShape` that broadcasts to
/// position `flat` of a result of shape `outShape` (numpy rules).
static int64_t broadcastSource(int64_t flat, ArrayRef<int64_t> outShape,
                               ArrayRef<int64_t> inShape) {
  int64_t source = 0, stride = 1;
  for (int64_t d = outShape.size() - 1, e = inShape.size() - 1; e >= 0;
       --d, --e) {
    int64_t coordinate = flat % outShape[d];
    flat /= outShape[d];
    if (inShape[e] != 1)
      source += coordinate * stride;
    stride *= inShape[e];
  }
  return source;
}

/// Applies `fn` to the elements of `operands` broadcast together (ONNX
/// multidirectional broadcasting, as in numpy).
static EvalResult mapElements(NodeContext &node, Operands operands,
                              Type elementType, ElementFn fn) {
  SmallVector<int64_t> shape;
  for (DenseElementsAttr operand : operands) {
    SmallVector<int64_t> broadcast;
    if (!OpTrait::util::getBroadcastedShape(shape, operand.getType().getShape(),
                                            broadcast))
      return node.emitError() << "operand shapes are not broadcast-compatible";
    shape = std::move(broadcast);
  }
  if (tooLarge(shape))
    return DenseElementsAttr();
  auto elements = llvm::to_vector(llvm::map_range(operands, elementsOf));
  SmallVector<Attribute> arguments(operands.size()), results;
  for (int64_t i = 0, e = ShapedType::getNumElements(shape); i < e; ++i) {
    for (auto [k, operand] : llvm::enumerate(operands))
      arguments[k] =
          elements[k][broadcastSource(i, shape, operand.getType().getShape())];
    FailureOr<Attribute> result = fn(arguments);
    if (failed(result))
      return failure();
    results.push_back(*result);
  }
  return makeTensor(shape, elementType, results);
}

//===----------------------------------------------------------------------===//
// Shape queries
//===----------------------------------------------------------------------===//

/// Shape-15: the dimensions from `start` to `end`, negative values counting
/// from the back, both clamped to [0, rank].
static EvalResult evalShape(NodeContext &node, Operands) {
  ArrayRef<int64_t> dims = node.inputType(0).getShape();
  int64_t rank = dims.size();
  auto clampToRank = [&](int64_t i) {
    return std::clamp<int64_t>(i < 0 ? i + rank : i, 0, rank);
  };
  int64_t start = clampToRank(node.getInt("start", 0));
  int64_t end = std::max(start, clampToRank(node.getInt("end", rank)));
  return makeI64Tensor(node.context(), {end - start},
                       dims.slice(start, end - start));
}

static EvalResult evalSize(NodeContext &node, Operands) {
  return makeI64Tensor(node.context(), {},
                       {node.inputType(0).getNumElements()});
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

/// Gather-13 along `axis`: the result has dimensions
/// data[:axis] + indices + data[axis+1:]; negative indices count from the
/// end of the axis.
static EvalResult evalGather(NodeContext &node, Operands operands) {
  DenseElementsAttr data = operands[0], indices = operands[1];
  ArrayRef<int64_t> dims = data.getType().getShape();
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getInt("axis", 0), dims.size());
  if (failed(axis))
    return failure();
  if (!isa<IntegerType>(indices.getElementType()))
    return node.emitError() << "indices must be integers";
  SmallVector<int64_t> shape(dims.take_front(*axis));
  llvm::append_range(shape, indices.getType().getShape());
  llvm::append_range(shape, dims.drop_front(*axis + 1));
  if (tooLarge(shape))
    return DenseElementsAttr();

  int64_t extent = dims[*axis];
  SmallVector<int64_t> positions = toInts(indices);
  for (int64_t &index : positions) {
    if (index < -extent || index >= extent)
      return node.emitError() << "index " << index << " is out of range for "
                              << "dimension " << *axis << " of size " << extent;
    if (index < 0)
      index += extent;
  }
  int64_t outer = ShapedType::getNumElements(dims.take_front(*axis));
  int64_t inner = ShapedType::getNumElements(dims.drop_front(*axis + 1));
  SmallVector<Attribute> in = elementsOf(data), out;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t index : positions) {
      auto begin = in.begin() + (o * extent + index) * inner;
      out.append(begin, begin + inner);
    }
  }
  return makeTensor(shape, data.getElementType(), out);
}

/// Concat-13 along `axis` (default 1 before opset 4).
static EvalResult evalConcat(NodeContext &node, Operands operands) {
  if (llvm::is_contained(operands, DenseElementsAttr()))
    return node.emitError() << "has an empty input name";
  auto first = cast<RankedTensorType>(operands[0].getType());
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getInt("axis", 1), first.getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  shape[*axis] = 0;
  for (DenseElementsAttr operand : operands) {
    auto type = cast<RankedTensorType>(operand.getType());
    bool compatible = type.getRank() == first.getRank() &&
                      type.getElementType() == first.getElementType();
    for (int64_t d = 0; compatible && d < type.getRank(); ++d)
      compatible = d == *axis || type.getDimSize(d) == first.getDimSize(d);
    if (!compatible)
      return node.emitError() << "inputs " << first << " and " << type
                              << " cannot be concatenated along axis " << *axis;
    shape[*axis] += type.getDimSize(*axis);
  }
  if (tooLarge(shape))
    return DenseElementsAttr();

  int64_t outer =
      ShapedType::getNumElements(first.getShape().take_front(*axis));
  auto elements = llvm::to_vector(llvm::map_range(operands, elementsOf));
  SmallVector<Attribute> out;
  for (int64_t o = 0; o < outer; ++o) {
    for (auto [k, operand] : llvm::enumerate(operands)) {
      int64_t chunk = ShapedType::getNumElements(
          operand.getType().getShape().drop_front(*axis));
      auto begin = elements[k].begin() + o * chunk;
      out.append(begin, begin + chunk);
    }
  }
  return makeTensor(shape, first.getElementType(), out);
}

/// Slice-13, with the bounds resolved as for a run-time Slice
/// (readSliceBounds).
static EvalResult evalSlice(NodeContext &node, Operands operands) {
  DenseElementsAttr data = operands[0];
  ArrayRef<int64_t> dims = data.getType().getShape();
  int64_t rank = dims.size();
  FailureOr<SliceBounds> bounds = readSliceBounds(node, dims);
  if (failed(bounds))
    return failure();
  ArrayRef<int64_t> begin = bounds->offsets, stride = bounds->strides,
                    shape = bounds->sizes;
  if (tooLarge(shape))
    return DenseElementsAttr();

  SmallVector<Attribute> in = elementsOf(data), out;
  for (int64_t flat = 0, e = ShapedType::getNumElements(shape); flat < e;
       ++flat) {
    int64_t source = 0, sourceStride = 1, rest = flat;
    for (int64_t d = rank - 1; d >= 0; --d) {
      int64_t coordinate = rest % shape[d];
      rest /= shape[d];
      source += (begin[d] + coordinate * stride[d]) * sourceStride;
      sourceStride *= dims[d];
    }
    out.push_back(in[source]);
  }
  return makeTensor(shape, data.getElementType(), out);
}

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

/// Cast-13 of one element. Float to integer truncates toward zero, as C and
/// numpy do; anything to bool is `!= 0`.
static Attribute castElement(Attribute value, Type to) {
  auto intType = dyn_cast<IntegerType>(to);
  if (auto intValue = dyn_cast<IntegerAttr>(value)) {
    APInt v = intValue.getValue();
    bool isSigned =
        !intValue.getType().isUnsignedInteger() && v.getBitWidth() != 1;
    if (intType && intType.getWidth() == 1)
      return IntegerAttr::get(to, APInt(1, !v.isZero()));
    if (intType)
      return IntegerAttr::get(to, isSigned ? v.sextOrTrunc(intType.getWidth())
                                           : v.zextOrTrunc(intType.getWidth()));
    APFloat f(cast<FloatType>(to).getFloatSemantics());
    f.convertFromAPInt(v, isSigned, APFloat::rmNearestTiesToEven);
    return FloatAttr::get(to, f);
  }
  APFloat f = cast<FloatAttr>(value).getValue();
  if (intType && intType.getWidth() == 1)
    return IntegerAttr::get(to, APInt(1, !f.isZero()));
  if (intType) {
    llvm::APSInt result(intType.getWidth(), intType.isUnsigned());
    bool isExact;
    f.convertToInteger(result, APFloat::rmTowardZero, &isExact);
    return IntegerAttr::get(to, result);
  }
  bool losesInfo;
  f.convert(cast<FloatType>(to).getFloatSemantics(),
            APFloat::rmNearestTiesToEven, &losesInfo);
  return FloatAttr::get(to, f);
}

static EvalResult evalCast(NodeContext &node, Operands operands) {
  int64_t to = node.getInt("to", 0);
  Type type = convertElementType(to, node.context());
  if (!type)
    return node.emitError() << "casts to " << dataTypeName(to)
                            << ", which Muon does not support";
  return mapElements(node, operands.take_front(1), type,
                     [&](ArrayRef<Attribute> v) -> FailureOr<Attribute> {
                       return castElement(v[0], type);
                     });
}

enum class Arithmetic { Add, Sub, Mul, Div, Equal };

/// Add, Sub, Mul, Div (integer division truncates, as in the ONNX reference
/// implementation) and Equal, on two elements of the same type.
static FailureOr<Attribute> applyArithmetic(NodeContext &node, Arithmetic kind,
                                            Attribute lhs, Attribute rhs,
                                            Type resultType) {
  if (auto lhsInt = dyn_cast<IntegerAttr>(lhs)) {
    APInt a = lhsInt.getValue(), b = cast<IntegerAttr>(rhs).getValue();
    switch (kind) {
    case Arithmetic::Add:
      return Attribute(IntegerAttr::get(resultType, a + b));
    case Arithmetic::Sub:
      return Attribute(IntegerAttr::get(resultType, a - b));
    case Arithmetic::Mul:
      return Attribute(IntegerAttr::get(resultType, a * b));
    case Arithmetic::Div:
      if (b.isZero())
        return node.emitError() << "divides by zero";
      return Attribute(IntegerAttr::get(
          resultType,
          lhsInt.getType().isUnsignedInteger() ? a.udiv(b) : a.sdiv(b)));
    case Arithmetic::Equal:
      return Attribute(IntegerAttr::get(resultType, APInt(1, a == b)));
    }
  }
  APFloat a = cast<FloatAttr>(lhs).getValue();
  APFloat b = cast<FloatAttr>(rhs).getValue();
  APFloat::roundingMode mode = APFloat::rmNearestTiesToEven;
  switch (kind) {
  case Arithmetic::Add:
    a.add(b, mode);
    break;
  case Arithmetic::Sub:
    a.subtract(b, mode);
    break;
  case Arithmetic::Mul:
    a.multiply(b, mode);
    break;
  case Arithmetic::Div:
    a.divide(b, mode);
    break;
  case Arithmetic::Equal:
    return Attribute(IntegerAttr::get(
        resultType, APInt(1, a.compare(b) == APFloat::cmpEqual)));
  }
  return Attribute(FloatAttr::get(resultType, a));
}

template <Arithmetic kind>
static EvalResult evalArithmetic(NodeContext &node, Operands operands) {
  // The opset < 7 `axis` form broadcasts differently; the conversion to
  // muon ops handles it.
  if (node.opset() < 7 && node.hasAttr("axis"))
    return DenseElementsAttr();
  Type elementType = operands[0].getElementType();
  if (operands[1].getElementType() != elementType)
    return node.emitError()
           << "operands have different element types: " << elementType
           << " and " << operands[1].getElementType();
  Type resultType = kind == Arithmetic::Equal
                        ? IntegerType::get(node.context(), 1)
                        : elementType;
  return mapElements(node, operands, resultType, [&](ArrayRef<Attribute> v) {
    return applyArithmetic(node, kind, v[0], v[1], resultType);
  });
}

/// Where-16: condition ? X : Y, all three broadcast together.
static EvalResult evalWhere(NodeContext &node, Operands operands) {
  if (!operands[0].getElementType().isInteger(1))
    return node.emitError() << "condition must be bool";
  Type elementType = operands[1].getElementType();
  if (operands[2].getElementType() != elementType)
    return node.emitError() << "X and Y have different element types";
  return mapElements(node, operands, elementType,
                     [](ArrayRef<Attribute> v) -> FailureOr<Attribute> {
                       return cast<IntegerAttr>(v[0]).getValue().isOne() ? v[1]
                                                                         : v[2];
                     });
}

/// ConstantOfShape-9: `value` is a one-element tensor, float 0 by default.
/// The result is a splat, so its size does not matter.
static EvalResult evalConstantOfShape(NodeContext &node, Operands operands) {
  if (!isa<IntegerType>(operands[0].getElementType()))
    return node.emitError() << "shape must be integers";
  SmallVector<int64_t> shape = toInts(operands[0]);
  if (llvm::any_of(shape, [](int64_t dim) { return dim < 0; }))
    return node.emitError() << "shape [" << shape << "] has a negative "
                            << "dimension";
  Attribute element = FloatAttr::get(Float32Type::get(node.context()), 0.0);
  if (const onnx::TensorProto *tensor = node.getTensor("value")) {
    FailureOr<ElementsAttr> value = convertTensor(*tensor, "value", node.loc());
    if (failed(value))
      return failure();
    auto dense = dyn_cast<DenseElementsAttr>(*value);
    if (!dense || dense.getNumElements() != 1)
      return node.emitError() << "value must hold exactly one element";
    element = dense.getSplatValue<Attribute>();
  }
  return makeTensor(shape, cast<TypedAttr>(element).getType(), {element});
}

//===----------------------------------------------------------------------===//
// Generators: sequences whose only inputs are scalars
//===----------------------------------------------------------------------===//

/// Range-11: start + i * delta for i in [0, max(ceil((limit - start) /
/// delta), 0)), in the inputs' type (integer arithmetic for integers).
static EvalResult evalRange(NodeContext &node, Operands operands) {
  Type type = operands[0].getElementType();
  if (llvm::any_of(operands, [&](DenseElementsAttr v) {
        return v.getElementType() != type || v.getNumElements() != 1;
      }))
    return node.emitError() << "start, limit and delta must be scalars of "
                               "one type";
  double start = *scalarValue(operands[0]), limit = *scalarValue(operands[1]),
         delta = *scalarValue(operands[2]);
  if (delta == 0)
    return node.emitError() << "delta must not be 0";
  int64_t count =
      std::max<int64_t>(int64_t(std::ceil((limit - start) / delta)), 0);
  if (tooLarge({count}))
    return DenseElementsAttr();
  SmallVector<Attribute> elements;
  for (int64_t i = 0; i < count; ++i) {
    if (auto intType = dyn_cast<IntegerType>(type))
      elements.push_back(
          IntegerAttr::get(intType, int64_t(start) + i * int64_t(delta)));
    else
      elements.push_back(FloatAttr::get(type, start + double(i) * delta));
  }
  return makeTensor({count}, type, elements);
}

/// HannWindow, HammingWindow and BlackmanWindow (opset 17): a cosine sum
/// a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N) for n in [0, size), with
/// N = size when `periodic` (the default) and size - 1 otherwise, in the
/// float type `output_datatype` (default float).
template <int Window>
static EvalResult evalWindow(NodeContext &node, Operands operands) {
  static constexpr double kCoefficients[3][3] = {
      {0.5, 0.5, 0.0},                 // Hann
      {25.0 / 46.0, 21.0 / 46.0, 0.0}, // Hamming
      {0.42, 0.5, 0.08},               // Blackman
  };
  const double *a = kCoefficients[Window];
  std::optional<double> size = scalarValue(operands[0]);
  if (!size || !isa<IntegerType>(operands[0].getElementType()) || *size < 0)
    return node.emitError() << "size must be a non-negative integer scalar";
  Type type =
      convertElementType(node.getInt("output_datatype", 1), node.context());
  if (!isa_and_nonnull<FloatType>(type))
    return node.emitError() << "output_datatype must be a float type";
  int64_t count = int64_t(*size);
  if (tooLarge({count}))
    return DenseElementsAttr();
  double period = node.getInt("periodic", 1) ? count : count - 1;
  SmallVector<Attribute> elements;
  for (int64_t n = 0; n < count; ++n) {
    double phase = 2 * M_PI * double(n) / period;
    elements.push_back(FloatAttr::get(type, a[0] - a[1] * std::cos(phase) +
                                                a[2] * std::cos(2 * phase)));
  }
  return makeTensor({count}, type, elements);
}

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

namespace {
struct Evaluator {
  EvalResult (*evaluate)(NodeContext &, Operands);
  unsigned minInputs, maxInputs;
  /// Shape and Size need the input's type only, never its contents.
  bool needsValues;
};
} // namespace

static const Evaluator *lookupEvaluator(StringRef opType) {
  static const llvm::StringMap<Evaluator> evaluators = {
      {"Add", {evalArithmetic<Arithmetic::Add>, 2, 2, true}},
      {"BlackmanWindow", {evalWindow<2>, 1, 1, true}},
      {"Cast", {evalCast, 1, 1, true}},
      {"Concat", {evalConcat, 1, UINT_MAX, true}},
      {"ConstantOfShape", {evalConstantOfShape, 1, 1, true}},
      {"Div", {evalArithmetic<Arithmetic::Div>, 2, 2, true}},
      {"Equal", {evalArithmetic<Arithmetic::Equal>, 2, 2, true}},
      {"Gather", {evalGather, 2, 2, true}},
      {"HammingWindow", {evalWindow<1>, 1, 1, true}},
      {"HannWindow", {evalWindow<0>, 1, 1, true}},
      {"Mul", {evalArithmetic<Arithmetic::Mul>, 2, 2, true}},
      {"Range", {evalRange, 3, 3, true}},
      {"Shape", {evalShape, 1, 1, false}},
      {"Size", {evalSize, 1, 1, false}},
      {"Slice", {evalSlice, 1, 5, true}},
      {"Sub", {evalArithmetic<Arithmetic::Sub>, 2, 2, true}},
      {"Where", {evalWhere, 3, 3, true}},
  };
  auto it = evaluators.find(opType);
  return it == evaluators.end() ? nullptr : &it->second;
}

bool muon::onnx_importer::isShapeArithmetic(StringRef opType) {
  return lookupEvaluator(opType) != nullptr;
}

FailureOr<bool>
muon::onnx_importer::evaluateShapeArithmetic(NodeContext &node) {
  const Evaluator *evaluator = lookupEvaluator(node.opType());
  if (!evaluator)
    return false;
  if (failed(node.expectInputs(evaluator->minInputs, evaluator->maxInputs)))
    return failure();
  SmallVector<DenseElementsAttr> operands;
  for (unsigned i = 0; evaluator->needsValues && i < node.numInputs(); ++i) {
    DenseElementsAttr value = node.constantInput(i);
    if (node.input(i) &&
        (!value || value.getNumElements() > kMaxEvaluatedElements))
      return false;
    operands.push_back(value);
  }
  EvalResult result = evaluator->evaluate(node, operands);
  if (failed(result))
    return failure();
  if (!*result)
    return false;
  if (failed(node.setResult(0, node.constant(*result))))
    return failure();
  return true;
}
