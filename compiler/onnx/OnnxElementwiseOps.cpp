//===- OnnxElementwiseOps.cpp - ONNX element-wise math, comparison and logic ops
//---===//
//
// Conversions of ONNX operators to muon ops; registered in lookupConverter
// (OnnxOps.cpp) through addElementwiseConverters. Semantics and attribute
// defaults follow the operator specification
// (https://onnx.ai/onnx/operators/) of every opset the backend tests use.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeContext.h"
#include "dialects/muon/MuonOps.h"

#include "llvm/ADT/STLExtras.h"

#include <climits>

using namespace mlir;
using namespace muon;
using namespace muon::onnx_importer;

/// One-input element-wise ops; `attrs` are the op's attributes, read by the
/// caller with their ONNX defaults.
template <typename OpTy, typename... Attrs>
static LogicalResult convertUnary(NodeContext &node, Attrs... attrs) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  return node.setResult(0, node.create<OpTy>(node.input(0), attrs...));
}

/// Float attribute `name` of the node, `defaultValue` when absent.
static APFloat floatAttr(NodeContext &node, StringRef name,
                         float defaultValue) {
  return APFloat(node.getFloat(name, defaultValue));
}

/// Before opset 7, the comparison and logic ops and Pow broadcast only with
/// `broadcast=1`, aligning B with A's dimensions from `axis`; the backend
/// tests use opset 7 and later. Without `axis` the alignment is numpy's.
static LogicalResult rejectLegacyAxis(NodeContext &node) {
  if (node.opset() < 7 && node.hasAttr("axis"))
    return node.emitError() << "broadcasting with an 'axis' attribute "
                               "(before opset 7) is not supported";
  return success();
}

/// Two-input element-wise ops with numpy broadcasting; `attrs` as above.
template <typename OpTy, typename... Attrs>
static LogicalResult convertBinary(NodeContext &node, Attrs... attrs) {
  if (failed(node.expectInputs(2, 2)) || failed(rejectLegacyAxis(node)))
    return failure();
  return node.setResult(
      0, node.create<OpTy>(node.input(0), node.input(1), attrs...));
}

/// Add, Sub, Mul and Div. Before opset 7 (Add-6) `broadcast=1` with `axis`
/// aligns B with A's dimensions starting at `axis`; appending 1-dims to B
/// turns that into numpy broadcasting. Without `axis`, B aligns with A's
/// trailing dimensions, as in numpy.
template <typename OpTy>
static LogicalResult convertArithmetic(NodeContext &node) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  Value lhs = node.input(0), rhs = node.input(1);
  if (node.opset() < 7 && node.getInt("broadcast", 0) && node.hasAttr("axis")) {
    int64_t lhsRank = node.inputType(0).getRank();
    RankedTensorType rhsType = node.inputType(1);
    FailureOr<int64_t> axis =
        node.normalizeAxis(node.getInt("axis", 0), lhsRank);
    if (failed(axis))
      return failure();
    int64_t trailing = lhsRank - *axis - rhsType.getRank();
    if (trailing < 0)
      return node.emitError() << "B of type " << rhsType
                              << " does not fit A from axis " << *axis;
    SmallVector<int64_t> shape(rhsType.getShape());
    shape.append(trailing, 1);
    FailureOr<Value> reshaped = node.reshape(rhs, shape);
    if (failed(reshaped))
      return failure();
    rhs = *reshaped;
  }
  return node.setResult(0, node.create<OpTy>(lhs, rhs));
}

/// LeakyRelu: alpha defaults to 0.01 in every opset.
static LogicalResult convertLeakyRelu(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  return node.setResult(
      0, node.create<LeakyReluOp>(node.input(0),
                                  APFloat(node.getFloat("alpha", 0.01f))));
}

/// Variadic ops (Max, Min, Sum, Mean) fold their inputs, with broadcasting,
/// into a left-to-right chain of binary ops; one input is the identity.
template <typename OpTy> static FailureOr<Value> foldInputs(NodeContext &node) {
  if (failed(node.expectInputs(1, UINT_MAX)))
    return failure();
  if (llvm::is_contained(node.inputs(), Value()))
    return node.emitError() << "has an empty input name";
  FailureOr<Value> result = node.input(0);
  for (Value input : node.inputs().drop_front()) {
    result = node.create<OpTy>(*result, input);
    if (failed(result))
      return failure();
  }
  return result;
}

template <typename OpTy>
static LogicalResult convertVariadic(NodeContext &node) {
  return node.setResult(0, foldInputs<OpTy>(node));
}

/// Mean (float only, Mean-13): the sum of the inputs divided by their count.
static LogicalResult convertMean(NodeContext &node) {
  FailureOr<Value> sum = foldInputs<AddOp>(node);
  if (failed(sum))
    return failure();
  if (node.numInputs() == 1)
    return node.setResult(0, *sum);
  Type elementType = cast<RankedTensorType>(sum->getType()).getElementType();
  if (!isa<FloatType>(elementType))
    return node.emitError() << "expects float inputs, not " << elementType;
  auto scalarType = RankedTensorType::get({}, elementType);
  Value count = node.constant(DenseElementsAttr::get(
      scalarType, FloatAttr::get(elementType, node.numInputs())));
  return node.setResult(0, node.create<DivOp>(*sum, count));
}

/// Mod: `fmod` (default 0) selects C fmod semantics (Mod-10).
static LogicalResult convertMod(NodeContext &node) {
  return convertBinary<ModOp>(node, node.getInt("fmod", 0) != 0);
}

/// PRelu: before opset 7 (PRelu-6) a slope of more than one element holds
/// one value per channel (input dimension 1); from PRelu-7 it broadcasts
/// unidirectionally (numpy rules). The legacy form becomes [C, 1, ..., 1].
static LogicalResult convertPRelu(NodeContext &node) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  Value slope = node.input(1);
  RankedTensorType input = node.inputType(0), slopeType = node.inputType(1);
  if (node.opset() < 7 && slopeType.getRank() == 1 &&
      slopeType.getNumElements() > 1 && input.getRank() > 2) {
    SmallVector<int64_t> perChannel(input.getRank() - 1, 1);
    perChannel[0] = slopeType.getNumElements();
    FailureOr<Value> reshaped = node.reshape(slope, perChannel);
    if (failed(reshaped))
      return failure();
    slope = *reshaped;
  }
  return node.setResult(0, node.create<PReluOp>(node.input(0), slope));
}

/// BitShift-11: `direction` is "LEFT" or "RIGHT" (required).
static LogicalResult convertBitShift(NodeContext &node) {
  StringRef direction = node.getString("direction", "");
  if (direction == "LEFT")
    return convertBinary<ShiftLeftOp>(node);
  if (direction == "RIGHT")
    return convertBinary<ShiftRightOp>(node);
  return node.emitError() << "direction must be \"LEFT\" or \"RIGHT\", not \""
                          << direction << "\"";
}

/// IsInf (IsInf-10): both infinities count unless detect_negative or
/// detect_positive is 0.
static LogicalResult convertIsInf(NodeContext &node) {
  return convertUnary<IsInfOp>(node, node.getInt("detect_negative", 1) != 0,
                               node.getInt("detect_positive", 1) != 0);
}

static LogicalResult convertWhere(NodeContext &node) {
  if (failed(node.expectInputs(3, 3)))
    return failure();
  return node.setResult(
      0, node.create<WhereOp>(node.input(0), node.input(1), node.input(2)));
}

/// A cast of input 0 to `to`; the input itself when it has that type
/// already. Casts of constants are evaluated at import (ConstantEvaluation).
static LogicalResult castTo(NodeContext &node, Type to) {
  if (to == node.inputType(0).getElementType())
    return node.setResult(0, node.input(0));
  return node.setResult(0, node.create<CastOp>(node.input(0), to));
}

/// Cast: the target is the ONNX data type in attribute `to`.
static LogicalResult convertCast(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  int64_t to = node.getInt("to", 0);
  Type type = convertElementType(to, node.context());
  if (!type)
    return node.emitError() << "casts to " << dataTypeName(to)
                            << ", which Muon does not support";
  return castTo(node, type);
}

/// CastLike (opset 15): the target is the element type of input 1.
static LogicalResult convertCastLike(NodeContext &node) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  return castTo(node, node.inputType(1).getElementType());
}

/// Clip-6 takes `min`/`max` attributes; from Clip-11 they are optional
/// inputs. Float clips with constant bounds become muon.clip, whose bounds
/// are attributes (what fusion matches, e.g. Relu6); bounds known only at
/// run time, and integer clips (Clip-12), become muon.max / muon.min with
/// the bound tensors. An absent bound leaves that side unbounded. When min >
/// max every element becomes max (Clip-13), which max-then-min gives.
static LogicalResult convertClip(NodeContext &node) {
  Builder b(node.context());
  StringRef names[2] = {"min", "max"};
  if (node.opset() < 11) {
    if (failed(node.expectInputs(1, 1)))
      return failure();
    FloatAttr bounds[2];
    for (int i = 0; i < 2; ++i)
      if (node.hasAttr(names[i]))
        bounds[i] = b.getF32FloatAttr(node.getFloat(names[i], 0.0f));
    return node.setResult(
        0, node.create<ClipOp>(node.input(0), bounds[0], bounds[1]));
  }
  if (failed(node.expectInputs(1, 3)))
    return failure();
  bool floating = isa<FloatType>(node.inputType(0).getElementType());
  bool constantBounds = true;
  for (int i = 0; i < 2; ++i)
    if (node.input(i + 1))
      constantBounds &= static_cast<bool>(node.constantInput(i + 1));
  if (floating && constantBounds) {
    FloatAttr bounds[2];
    for (int i = 0; i < 2; ++i) {
      if (!node.input(i + 1))
        continue;
      std::optional<double> value = scalarValue(node.constantInput(i + 1));
      if (!value)
        return node.emitError()
               << names[i] << " (input " << i + 1 << ") must hold one element";
      bounds[i] = b.getF32FloatAttr(*value);
    }
    return node.setResult(
        0, node.create<ClipOp>(node.input(0), bounds[0], bounds[1]));
  }
  FailureOr<Value> result = node.input(0);
  for (int i = 0; i < 2 && succeeded(result); ++i) {
    if (!node.input(i + 1))
      continue;
    // A bound is a scalar; a one-element tensor of higher rank would
    // broadcast the result to its rank.
    FailureOr<Value> bound = node.reshape(node.input(i + 1), {});
    if (failed(bound))
      return node.emitError()
             << names[i] << " (input " << i + 1 << ") must hold one element";
    result = i == 0 ? node.create<MaxOp>(*result, *bound)
                    : node.create<MinOp>(*result, *bound);
  }
  return node.setResult(0, result);
}

void onnx_importer::addElementwiseConverters(
    llvm::StringMap<ConvertFn> &converters) {
  static const std::pair<StringRef, ConvertFn> table[] = {
      {"Abs", convertUnary<AbsOp>},
      {"Acos", convertUnary<AcosOp>},
      {"Acosh", convertUnary<AcoshOp>},
      {"Add", convertArithmetic<AddOp>},
      {"And", convertBinary<AndOp>},
      {"Asin", convertUnary<AsinOp>},
      {"Asinh", convertUnary<AsinhOp>},
      {"Atan", convertUnary<AtanOp>},
      {"Atanh", convertUnary<AtanhOp>},
      {"BitShift", convertBitShift},
      {"Cast", convertCast},
      {"CastLike", convertCastLike},
      {"Ceil", convertUnary<CeilOp>},
      // Celu-12: alpha defaults to 1.
      {"Celu",
       [](NodeContext &node) {
         return convertUnary<CeluOp>(node, floatAttr(node, "alpha", 1.0f));
       }},
      {"Clip", convertClip},
      {"Cos", convertUnary<CosOp>},
      {"Cosh", convertUnary<CoshOp>},
      {"Div", convertArithmetic<DivOp>},
      // Elu-6: alpha defaults to 1.
      {"Elu",
       [](NodeContext &node) {
         return convertUnary<EluOp>(node, floatAttr(node, "alpha", 1.0f));
       }},
      {"Equal", convertBinary<EqualOp>},
      {"Erf", convertUnary<ErfOp>},
      {"Exp", convertUnary<ExpOp>},
      {"Floor", convertUnary<FloorOp>},
      {"Greater", convertBinary<GreaterOp>},
      {"GreaterOrEqual", convertBinary<GreaterOrEqualOp>},
      // HardSigmoid-6: alpha 0.2, beta 0.5.
      {"HardSigmoid",
       [](NodeContext &node) {
         return convertUnary<HardSigmoidOp>(node,
                                            floatAttr(node, "alpha", 0.2f),
                                            floatAttr(node, "beta", 0.5f));
       }},
      {"HardSwish", convertUnary<HardSwishOp>},
      {"IsInf", convertIsInf},
      {"IsNaN", convertUnary<IsNaNOp>},
      {"LeakyRelu", convertLeakyRelu},
      {"Less", convertBinary<LessOp>},
      {"LessOrEqual", convertBinary<LessOrEqualOp>},
      {"Log", convertUnary<LogOp>},
      {"Max", convertVariadic<MaxOp>},
      {"Mean", convertMean},
      {"Min", convertVariadic<MinOp>},
      {"Mish", convertUnary<MishOp>},
      {"Mod", convertMod},
      {"Mul", convertArithmetic<MulOp>},
      {"Neg", convertUnary<NegOp>},
      {"Not", convertUnary<NotOp>},
      {"Or", convertBinary<OrOp>},
      {"Pow", convertBinary<PowOp>},
      {"PRelu", convertPRelu},
      {"Reciprocal", convertUnary<ReciprocalOp>},
      {"Relu", convertUnary<ReluOp>},
      {"Round", convertUnary<RoundOp>},
      // Selu-6: alpha and gamma default to the values of the SELU paper,
      // as float32.
      {"Selu",
       [](NodeContext &node) {
         return convertUnary<SeluOp>(
             node, floatAttr(node, "alpha", 1.67326319217681884765625f),
             floatAttr(node, "gamma", 1.05070102214813232421875f));
       }},
      // Shrink-9: lambd 0.5, bias 0.
      {"Shrink",
       [](NodeContext &node) {
         return convertUnary<ShrinkOp>(node, floatAttr(node, "lambd", 0.5f),
                                       floatAttr(node, "bias", 0.0f));
       }},
      {"Sigmoid", convertUnary<SigmoidOp>},
      {"Sign", convertUnary<SignOp>},
      {"Sin", convertUnary<SinOp>},
      {"Sinh", convertUnary<SinhOp>},
      {"Softplus", convertUnary<SoftplusOp>},
      {"Softsign", convertUnary<SoftsignOp>},
      {"Sqrt", convertUnary<SqrtOp>},
      {"Sub", convertArithmetic<SubOp>},
      {"Sum", convertVariadic<AddOp>},
      {"Tan", convertUnary<TanOp>},
      {"Tanh", convertUnary<TanhOp>},
      // ThresholdedRelu-10: alpha defaults to 1.
      {"ThresholdedRelu",
       [](NodeContext &node) {
         return convertUnary<ThresholdedReluOp>(node,
                                                floatAttr(node, "alpha", 1.0f));
       }},
      {"Where", convertWhere},
      {"Xor", convertBinary<XorOp>},
  };
  for (auto [name, convert] : table) {
    bool inserted = converters.try_emplace(name, convert).second;
    assert(inserted && "an op type converted by two families");
    (void)inserted;
  }
}
