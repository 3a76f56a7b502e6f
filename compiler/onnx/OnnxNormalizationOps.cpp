//===- OnnxNormalizationOps.cpp - ONNX normalisations and Softmax ---------===//
//
// Conversions of ONNX operators to muon ops; registered in lookupConverter
// (OnnxOps.cpp) through addNormalizationConverters. Semantics and defaults
// follow the operator specification (https://onnx.ai/onnx/operators/) for
// every opset a conversion accepts.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeContext.h"
#include "dialects/muon/MuonOps.h"

using namespace mlir;
using namespace muon;
using namespace muon::onnx_importer;

/// A rank-0 tensor holding `value` in `elementType` (a float type).
static Value floatScalar(NodeContext &node, Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  return node.constant(
      DenseElementsAttr::get(type, FloatAttr::get(elementType, value)));
}

/// The statistics of x over `axes` that the normalisations share, with the
/// reduced dimensions kept as size 1: the mean, x - mean, and the variance
/// as the mean of the squared centred values (more accurate than
/// mean(x^2) - mean(x)^2, which ONNX's function bodies write).
struct Moments {
  Value mean, centred, variance;
};

static FailureOr<Moments> buildMoments(NodeContext &node, Value x,
                                       ArrayRef<int64_t> axes) {
  FailureOr<Value> mean = node.create<ReduceMeanOp>(x, axes, true);
  if (failed(mean))
    return failure();
  FailureOr<Value> centred = node.create<SubOp>(x, *mean);
  if (failed(centred))
    return failure();
  FailureOr<Value> squared = node.create<MulOp>(*centred, *centred);
  if (failed(squared))
    return failure();
  FailureOr<Value> variance = node.create<ReduceMeanOp>(*squared, axes, true);
  if (failed(variance))
    return failure();
  return Moments{*mean, *centred, *variance};
}

/// LayerNormalization-17: axis defaults to -1, epsilon to 1e-5. The Mean and
/// InvStdDev outputs only matter to training; when a model uses them they
/// are computed beside muon.layer_norm, in X's element type, so the
/// stash_type (the type ONNX computes them in, default float) must be it.
static LogicalResult convertLayerNorm(NodeContext &node) {
  if (failed(node.expectInputs(2, 3)))
    return failure();
  RankedTensorType type = node.inputType(0);
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getInt("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  float epsilon = node.getFloat("epsilon", 1e-5f);
  if (failed(node.setResult(0, node.create<LayerNormOp>(
                                   node.input(0), node.input(1), node.input(2),
                                   static_cast<uint64_t>(*axis),
                                   APFloat(epsilon)))))
    return failure();
  if (!node.isOutputUsed(1) && !node.isOutputUsed(2))
    return success();

  int64_t stashType = node.getInt("stash_type", onnx::TensorProto::FLOAT);
  if (convertElementType(stashType, node.context()) != type.getElementType())
    return node.emitError() << "Mean and InvStdDev are only supported in the "
                               "input's element type; stash_type is "
                            << dataTypeName(stashType);
  FailureOr<Moments> moments =
      buildMoments(node, node.input(0),
                   llvm::to_vector(llvm::seq<int64_t>(*axis, type.getRank())));
  if (failed(moments))
    return failure();
  // InvStdDev = 1 / sqrt(variance + epsilon).
  FailureOr<Value> shifted = node.create<AddOp>(
      moments->variance, floatScalar(node, type.getElementType(), epsilon));
  if (failed(shifted))
    return failure();
  FailureOr<Value> stdDev = node.create<SqrtOp>(*shifted);
  if (failed(stdDev))
    return failure();
  if (failed(node.setResult(1, moments->mean)))
    return failure();
  return node.setResult(
      2, node.create<DivOp>(floatScalar(node, type.getElementType(), 1.0),
                            *stdDev));
}

/// InstanceNormalization: normalises each (n, c) over the spatial
/// dimensions, then applies the per-channel scale and bias, i.e. layer_norm
/// from axis 2 followed by a broadcast multiply-add with [C, 1, ..., 1]
/// parameters.
static LogicalResult convertInstanceNorm(NodeContext &node) {
  if (failed(node.expectInputs(3, 3)))
    return failure();
  RankedTensorType type = node.inputType(0);
  if (type.getRank() < 3)
    return node.emitError() << "input " << type << " must have rank >= 3";
  FailureOr<Value> normalized =
      node.create<LayerNormOp>(node.input(0), Value(), Value(), uint64_t(2),
                               APFloat(node.getFloat("epsilon", 1e-5f)));
  if (failed(normalized))
    return failure();
  SmallVector<int64_t> paramShape(type.getRank() - 1, 1);
  paramShape[0] = type.getDimSize(1);
  FailureOr<Value> scale = node.reshape(node.input(1), paramShape);
  FailureOr<Value> bias = node.reshape(node.input(2), paramShape);
  if (failed(scale) || failed(bias))
    return failure();
  FailureOr<Value> scaled = node.create<MulOp>(*normalized, *scale);
  if (failed(scaled))
    return failure();
  return node.setResult(0, node.create<AddOp>(*scaled, *bias));
}

/// MeanVarianceNormalization (opset 9/13):
/// (x - mean(x)) / (sqrt(mean((x - mean(x))^2)) + 1e-9) over `axes`
/// (default [0, 2, 3]).
static LogicalResult convertMeanVarianceNorm(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  RankedTensorType type = node.inputType(0);
  if (!isa<FloatType>(type.getElementType()))
    return node.emitError() << "input " << type << " must be a float tensor";
  FailureOr<SmallVector<int64_t>> axes = node.normalizeAxes(
      node.getInts("axes").value_or(SmallVector<int64_t>{0, 2, 3}),
      type.getRank());
  if (failed(axes))
    return failure();
  FailureOr<Moments> moments = buildMoments(node, node.input(0), *axes);
  if (failed(moments))
    return failure();
  FailureOr<Value> deviation = node.create<SqrtOp>(moments->variance);
  if (failed(deviation))
    return failure();
  FailureOr<Value> divisor = node.create<AddOp>(
      *deviation, floatScalar(node, type.getElementType(), 1e-9));
  if (failed(divisor))
    return failure();
  return node.setResult(0, node.create<DivOp>(moments->centred, *divisor));
}

/// LpNormalization: x / ||x||_p along `axis` (default -1), p = 1 or 2
/// (default 2).
static LogicalResult convertLpNorm(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getInt("axis", -1), node.inputType(0).getRank());
  if (failed(axis))
    return failure();
  int64_t p = node.getInt("p", 2);
  FailureOr<Value> norm;
  if (p == 1)
    norm =
        node.create<ReduceL1Op>(node.input(0), ArrayRef<int64_t>(*axis), true);
  else if (p == 2)
    norm =
        node.create<ReduceL2Op>(node.input(0), ArrayRef<int64_t>(*axis), true);
  else
    return node.emitError() << "p must be 1 or 2, got " << p;
  if (failed(norm))
    return failure();
  return node.setResult(0, node.create<DivOp>(node.input(0), *norm));
}

/// BatchNormalization, over axis 1. In inference mode the running
/// statistics (inputs 3 and 4) normalise. In training mode (training_mode=1,
/// opset 14) the batch's own mean and population variance over every other
/// axis do, and outputs 1 and 2 are the running statistics updated with them:
/// running * momentum + batch * (1 - momentum), as ONNX's reference computes
/// them. Before opset 14 the statistics outputs exist only in training,
/// which those opsets do not describe precisely: they are rejected. Before
/// opset 9, spatial=0 meant per-activation statistics, which muon.batch_norm
/// does not model; is_test (before opset 7) is ignored.
static LogicalResult convertBatchNorm(NodeContext &node) {
  if (failed(node.expectInputs(5, 5)))
    return failure();
  if (node.opset() < 9 && node.getInt("spatial", 1) == 0)
    return node.emitError() << "spatial=0 (per-activation statistics) is "
                               "not supported";
  APFloat epsilon(node.getFloat("epsilon", 1e-5f));
  Value x = node.input(0), mean = node.input(3), variance = node.input(4);
  bool training = node.opset() >= 14 && node.getInt("training_mode", 0);
  if (!training) {
    for (unsigned i = 1; i < node.numOutputs(); ++i)
      if (node.isOutputUsed(i))
        return node.emitError()
               << "the running-statistics outputs exist only in training "
                  "mode, which Muon supports from opset 14 (training_mode)";
    return node.setResult(0, node.create<BatchNormOp>(x, node.input(1),
                                                      node.input(2), mean,
                                                      variance, epsilon));
  }
  int64_t rank = node.inputType(0).getRank();
  if (rank < 2)
    return node.emitError()
           << "input must have a channel dimension (rank " << rank << ")";
  SmallVector<int64_t> axes = {0};
  llvm::append_range(axes, llvm::seq<int64_t>(2, rank));
  FailureOr<Moments> batch = buildMoments(node, x, axes);
  if (failed(batch))
    return failure();
  int64_t channels = node.inputType(0).getDimSize(1);
  FailureOr<Value> batchMean = node.reshape(batch->mean, {channels});
  FailureOr<Value> batchVariance = node.reshape(batch->variance, {channels});
  if (failed(batchMean) || failed(batchVariance) ||
      failed(node.setResult(
          0, node.create<BatchNormOp>(x, node.input(1), node.input(2),
                                      *batchMean, *batchVariance, epsilon))))
    return failure();
  Type elementType = node.inputType(3).getElementType();
  double momentum = node.getFloat("momentum", 0.9f);
  auto update = [&](Value running, Value observed) -> FailureOr<Value> {
    FailureOr<Value> kept =
        node.create<MulOp>(running, floatScalar(node, elementType, momentum));
    FailureOr<Value> added = node.create<MulOp>(
        observed, floatScalar(node, elementType, 1.0 - momentum));
    if (failed(kept) || failed(added))
      return failure();
    return node.create<AddOp>(*kept, *added);
  };
  if (node.numOutputs() > 1 &&
      failed(node.setResult(1, update(mean, *batchMean))))
    return failure();
  if (node.numOutputs() > 2 &&
      failed(node.setResult(2, update(variance, *batchVariance))))
    return failure();
  return success();
}

/// LRN-13: y = x / (bias + alpha / size * square_sum)^beta, square_sum the
/// sum of x^2 over channels [c - floor((size - 1) / 2), c + ceil((size - 1) /
/// 2)]. With x^2 viewed as [N, 1, C, S] (S the spatial elements), that sum
/// divided by size is an average_pool with a [size, 1] kernel that counts
/// the zero padding; so the divisor is (bias + alpha * pool)^beta.
static LogicalResult convertLrn(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  RankedTensorType type = node.inputType(0);
  Type elementType = type.getElementType();
  int64_t size = node.getInt("size", 0);
  if (type.getRank() < 3 || !isa<FloatType>(elementType))
    return node.emitError()
           << "input " << type << " must be a float tensor of rank >= 3";
  if (size < 1)
    return node.emitError() << "size must be a positive integer, got " << size;
  int64_t batch = type.getDimSize(0), channels = type.getDimSize(1);
  int64_t spatial =
      type.getNumElements() / std::max<int64_t>(1, batch * channels);
  FailureOr<Value> square = node.create<MulOp>(node.input(0), node.input(0));
  if (succeeded(square))
    square = node.reshape(*square, {batch, 1, channels, spatial});
  if (failed(square))
    return failure();
  FailureOr<Value> pooled = node.create<AveragePoolOp>(
      *square, ArrayRef<int64_t>{size, 1}, ArrayRef<int64_t>{1, 1},
      ArrayRef<int64_t>{(size - 1) / 2, 0, size / 2, 0},
      ArrayRef<int64_t>{1, 1}, false, true);
  if (succeeded(pooled))
    pooled = node.reshape(*pooled, type.getShape());
  if (succeeded(pooled))
    pooled = node.create<MulOp>(
        *pooled, floatScalar(node, elementType, node.getFloat("alpha", 1e-4f)));
  if (succeeded(pooled))
    pooled = node.create<AddOp>(
        *pooled, floatScalar(node, elementType, node.getFloat("bias", 1.0f)));
  if (succeeded(pooled))
    pooled = node.create<PowOp>(
        *pooled, floatScalar(node, elementType, node.getFloat("beta", 0.75f)));
  if (failed(pooled))
    return failure();
  return node.setResult(0, node.create<DivOp>(node.input(0), *pooled));
}

/// Softmax, LogSoftmax and Hardmax. From opset 13 they normalise along `axis`
/// (default -1). Before, the input is coerced to 2-D
/// [prod(dims[:axis]), prod(dims[axis:])] (axis defaults to 1), normalised
/// along the second dimension and reshaped back.
template <typename OpTy>
static LogicalResult convertSoftmax(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  RankedTensorType type = node.inputType(0);
  bool coerced = node.opset() < 13;
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getInt("axis", coerced ? 1 : -1), type.getRank());
  if (failed(axis))
    return failure();
  if (!coerced || *axis == type.getRank() - 1)
    return node.setResult(
        0, node.create<OpTy>(node.input(0), static_cast<uint64_t>(*axis)));
  ArrayRef<int64_t> dims = type.getShape();
  FailureOr<Value> flat = node.reshape(
      node.input(0), {ShapedType::getNumElements(dims.take_front(*axis)),
                      ShapedType::getNumElements(dims.drop_front(*axis))});
  if (failed(flat))
    return failure();
  FailureOr<Value> normalized = node.create<OpTy>(*flat, uint64_t(1));
  if (failed(normalized))
    return failure();
  return node.setResult(0, node.reshape(*normalized, dims));
}

void onnx_importer::addNormalizationConverters(
    llvm::StringMap<ConvertFn> &converters) {
  converters.insert({
      {"BatchNormalization", convertBatchNorm},
      {"Hardmax", convertSoftmax<HardmaxOp>},
      {"InstanceNormalization", convertInstanceNorm},
      {"LayerNormalization", convertLayerNorm},
      {"LogSoftmax", convertSoftmax<LogSoftmaxOp>},
      {"LpNormalization", convertLpNorm},
      {"LRN", convertLrn},
      {"MeanVarianceNormalization", convertMeanVarianceNorm},
      {"Softmax", convertSoftmax<SoftmaxOp>},
  });
}
