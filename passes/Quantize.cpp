//===- Quantize.cpp - Int8 fake quantization from calibrated ranges -------===//
//
// Post-training quantization writes exactly the IR that importing the
// equivalent QDQ ONNX model gives after the graph pipeline (ONNX
// QuantizeLinear / DequantizeLinear, as ONNX Runtime's quantizer places
// them), so one set of later passes (folding QDQ into integer ops) and
// lowerings serves both:
//
//   activation:  %q = muon.quantize %x : f32 -> !quant.uniform<i8:f32, s:z>
//                %d = muon.dequantize %q
//   weight:      %w = muon.constant ... : tensor<...xi8>
//                %c = quant.scast %w : to !quant.uniform<i8:f32:axis, {s...}>
//                %d = muon.dequantize %c
//   bias:        the same with i32 storage, scale s_x * s_w[c], zero point 0.
//
//===----------------------------------------------------------------------===//

#include "passes/Quantize.h"
#include "dialects/muon/Constants.h"
#include "dialects/muon/OnnxLocations.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace muon {
#define GEN_PASS_DEF_MUONQUANTIZE
#include "passes/Passes.h.inc"
} // namespace muon

using namespace mlir;
using namespace muon;

//===----------------------------------------------------------------------===//
// What is quantized
//===----------------------------------------------------------------------===//

static bool isExcluded(Operation *op, const llvm::StringSet<> &excluded) {
  if (excluded.empty())
    return false;
  return llvm::any_of(getOnnxNodeNames(op->getLoc()),
                      [&](const std::string &n) { return excluded.count(n); });
}

static bool isF32Tensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getElementType().isF32();
}

/// Products whose constant weights (and bias) are quantized too.
static bool isProduct(Operation *op) {
  return isa<ConvOp, GemmOp, MatMulOp>(op);
}

/// Ops whose float inputs and outputs are quantized: the ones an int8
/// backend computes in integers.
static bool isQuantizedOp(Operation *op, const llvm::StringSet<> &excluded) {
  if (!isa<ConvOp, GemmOp, MatMulOp, AddOp, MaxPoolOp, AveragePoolOp,
           GlobalAveragePoolOp, GlobalMaxPoolOp, ConcatOp>(op))
    return false;
  return op->getNumResults() == 1 && isF32Tensor(op->getResult(0).getType()) &&
         !isExcluded(op, excluded);
}

static bool isConstant(Value value) {
  return value.getDefiningOp<ConstantOp>() != nullptr;
}

/// Whether `value` already comes out of, or goes into, int8 (a model that was
/// quantized elsewhere, or twice through this pass).
static bool isQuantizedAlready(Value value) {
  return value.getDefiningOp<DequantizeOp>() ||
         llvm::any_of(value.getUsers(),
                      [](Operation *user) { return isa<QuantizeOp>(user); });
}

/// The operand index of a product's bias, if it has one.
static std::optional<unsigned> biasOperand(Operation *op) {
  if (isa<ConvOp, GemmOp>(op) && op->getNumOperands() == 3)
    return 2;
  return std::nullopt;
}

/// The value that carries an op's output: its result, or the result of a
/// relu or clip that is the result's only user, so that the activation is
/// applied before quantizing and can be fused into the op.
static Value quantizedOutput(Operation *op, const llvm::StringSet<> &excluded) {
  Value result = op->getResult(0);
  if (!result.hasOneUse())
    return result;
  Operation *user = *result.getUsers().begin();
  if (isa<ReluOp, ClipOp>(user) && !isExcluded(user, excluded))
    return user->getResult(0);
  return result;
}

SetVector<Value>
muon::getActivationsToQuantize(func::FuncOp func,
                               const llvm::StringSet<> &excluded) {
  SetVector<Value> activations;
  func.walk([&](Operation *op) {
    if (!isQuantizedOp(op, excluded))
      return;
    for (OpOperand &operand : op->getOpOperands()) {
      Value value = operand.get();
      // Constants are weights (quantized per channel below) or stay float;
      // a bias computed at run time stays float.
      if (!isF32Tensor(value.getType()) || isConstant(value) ||
          biasOperand(op) == operand.getOperandNumber() ||
          isQuantizedAlready(value))
        continue;
      // A range is recorded per defining op or per argument of the function.
      if (auto result = dyn_cast<OpResult>(value);
          result && result.getOwner()->getNumResults() != 1)
        continue;
      if (auto argument = dyn_cast<BlockArgument>(value);
          argument && argument.getOwner()->getParentOp() != func)
        continue;
      activations.insert(value);
    }
    Value output = quantizedOutput(op, excluded);
    if (!isQuantizedAlready(output))
      activations.insert(output);
  });
  return activations;
}

//===----------------------------------------------------------------------===//
// Quantization parameters
//===----------------------------------------------------------------------===//

namespace {

/// Int8 asymmetric per tensor, as ONNX Runtime's quantizer computes it: the
/// range is widened to include 0, scale = (max - min) / 255 rounded to f32,
/// zero point = round_half_even(-128 - min / scale) clamped to [-128, 127].
FailureOr<quant::UniformQuantizedType>
activationType(float min, float max, function_ref<InFlightDiagnostic()> error,
               MLIRContext *context) {
  if (!std::isfinite(min) || !std::isfinite(max) || min > max) {
    error() << "calibration range [" << min << ", " << max
            << "] is not a finite interval";
    return failure();
  }
  double low = std::min(0.0, static_cast<double>(min));
  double high = std::max(0.0, static_cast<double>(max));
  float scale = static_cast<float>((high - low) / 255.0);
  // An all-zero tensor: any scale represents it exactly.
  if (!(scale > 0.0f) || !std::isnormal(scale))
    scale = 1.0f;
  double zeroPoint = std::nearbyint(-128.0 - low / scale);
  zeroPoint = std::clamp(zeroPoint, -128.0, 127.0);
  auto type = quant::UniformQuantizedType::getChecked(
      error, quant::QuantizationFlags::Signed, IntegerType::get(context, 8),
      Float32Type::get(context), scale, static_cast<int64_t>(zeroPoint), -128,
      127);
  if (!type)
    return failure();
  return type;
}

std::string blobNameFor(Value constant, StringRef suffix) {
  auto op = constant.getDefiningOp<ConstantOp>();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(op.getValue()))
    return (resource.getRawHandle().getKey() + suffix).str();
  return ("constant" + suffix).str();
}

/// Replaces operand `index` of `op` by dequantize(scast(`data`)) with the
/// quantized element type `element`.
void replaceByDequantized(Operation *op, unsigned index, Value data,
                          Type element) {
  OpBuilder builder(op);
  Location loc = op->getOperand(index).getLoc();
  auto storage = cast<RankedTensorType>(data.getType());
  Value quantized =
      quant::StorageCastOp::create(builder, loc, storage.clone(element), data);
  Value dequantized = DequantizeOp::create(
      builder, loc, storage.clone(builder.getF32Type()), quantized);
  Value old = op->getOperand(index);
  op->setOperand(index, dequantized);
  if (Operation *definition = old.getDefiningOp();
      definition && definition->use_empty())
    definition->erase();
}

/// The scale of a per-tensor int8 activation that `value` dequantizes.
std::optional<float> activationScale(Value value) {
  auto dequantize = value.getDefiningOp<DequantizeOp>();
  if (!dequantize)
    return std::nullopt;
  auto type = dyn_cast<quant::UniformQuantizedType>(
      cast<RankedTensorType>(dequantize.getInput().getType()).getElementType());
  if (!type)
    return std::nullopt;
  return static_cast<float>(type.getScale());
}

struct QuantizePass : muon::impl::MuonQuantizeBase<QuantizePass> {
  using MuonQuantizeBase::MuonQuantizeBase;

  void runOnOperation() override;

private:
  std::optional<std::pair<float, float>> readRange(Value value);
  LogicalResult quantizeActivation(Value value);
  LogicalResult quantizeWeights(Operation *product);
  LogicalResult quantizeConstantOperands(Operation *op);

  Operation *lastArgumentDequantize = nullptr;
};

} // namespace

std::optional<std::pair<float, float>> QuantizePass::readRange(Value value) {
  DenseF32ArrayAttr range;
  if (auto argument = dyn_cast<BlockArgument>(value))
    range = getOperation().getArgAttrOfType<DenseF32ArrayAttr>(
        argument.getArgNumber(), kCalibrationRangeAttr);
  else
    range = value.getDefiningOp()->getAttrOfType<DenseF32ArrayAttr>(
        kCalibrationRangeAttr);
  if (!range || range.size() != 2)
    return std::nullopt;
  return std::make_pair(range[0], range[1]);
}

LogicalResult QuantizePass::quantizeActivation(Value value) {
  auto error = [&] { return emitError(value.getLoc()); };
  std::optional<std::pair<float, float>> range = readRange(value);
  if (!range)
    return error() << "a quantized value has no " << kCalibrationRangeAttr
                   << " = array<f32: min, max> (calibration writes it)";
  FailureOr<quant::UniformQuantizedType> element =
      activationType(range->first, range->second, error, &getContext());
  if (failed(element))
    return failure();

  OpBuilder builder(&getContext());
  // Arguments are quantized at the top, in argument order.
  if (auto argument = dyn_cast<BlockArgument>(value)) {
    if (lastArgumentDequantize)
      builder.setInsertionPointAfter(lastArgumentDequantize);
    else
      builder.setInsertionPointToStart(argument.getOwner());
  } else
    builder.setInsertionPointAfter(value.getDefiningOp());
  auto type = cast<RankedTensorType>(value.getType());
  Value quantized =
      QuantizeOp::create(builder, value.getLoc(), type.clone(*element), value);
  Value dequantized =
      DequantizeOp::create(builder, value.getLoc(), type, quantized);
  value.replaceAllUsesExcept(dequantized, quantized.getDefiningOp());
  if (isa<BlockArgument>(value))
    lastArgumentDequantize = dequantized.getDefiningOp();
  return success();
}

/// Int8 weights symmetric per output channel (scale max|w| / 127, values in
/// [-127, 127]) and an int32 bias with scale s_x * s_w[c], both as ONNX
/// Runtime's QDQ quantizer writes them.
LogicalResult QuantizePass::quantizeWeights(Operation *product) {
  // The weight operand and its output-channel axis.
  unsigned weightIndex = 1;
  int64_t axis;
  if (isa<ConvOp>(product))
    axis = 0;
  else if (auto gemm = dyn_cast<GemmOp>(product))
    axis = gemm.getTransB() ? 0 : 1;
  else
    axis = 1; // matmul's [K, N] right operand
  Value weight = product->getOperand(weightIndex);
  auto weightType = cast<RankedTensorType>(weight.getType());
  std::optional<SmallVector<float>> values = getF32Constant(weight);
  if (!values || (isa<MatMulOp>(product) && weightType.getRank() != 2))
    return success(); // Run-time or batched weights stay float.

  int64_t channels = weightType.getDimSize(axis);
  int64_t inner = 1;
  for (int64_t d : weightType.getShape().drop_front(axis + 1))
    inner *= d;
  SmallVector<float> maxAbs(channels, 0.0f);
  for (auto [i, w] : llvm::enumerate(*values)) {
    int64_t c = (static_cast<int64_t>(i) / inner) % channels;
    maxAbs[c] = std::max(maxAbs[c], std::fabs(w));
  }
  SmallVector<float> scales;
  for (float m : maxAbs) {
    float scale = m / 127.0f;
    scales.push_back(std::isnormal(scale) ? scale : 1.0f);
  }
  SmallVector<int8_t> quantized;
  quantized.reserve(values->size());
  for (auto [i, w] : llvm::enumerate(*values)) {
    int64_t c = (static_cast<int64_t>(i) / inner) % channels;
    float q = std::nearbyint(w / scales[c]);
    quantized.push_back(static_cast<int8_t>(std::clamp(q, -127.0f, 127.0f)));
  }

  MLIRContext *context = &getContext();
  auto error = [&] { return product->emitError(); };
  SmallVector<double> doubleScales(scales.begin(), scales.end());
  auto weightElement = quant::UniformQuantizedPerAxisType::getChecked(
      error, quant::QuantizationFlags::Signed, IntegerType::get(context, 8),
      Float32Type::get(context), doubleScales,
      SmallVector<int64_t>(channels, 0), axis, -128, 127);
  if (!weightElement)
    return failure();
  OpBuilder builder(weight.getDefiningOp());
  builder.setInsertionPointAfter(weight.getDefiningOp());
  Value weightData = ConstantOp::create(
      builder, weight.getLoc(),
      makeElements<int8_t>(weightType.clone(builder.getI8Type()), quantized,
                           blobNameFor(weight, "_int8")));
  replaceByDequantized(product, weightIndex, weightData, weightElement);

  // The bias: int32 with the accumulator's scale, when the input is an int8
  // activation and the bias a constant laid out along the output channels.
  std::optional<unsigned> biasIndex = biasOperand(product);
  std::optional<float> inputScale = activationScale(product->getOperand(0));
  if (!biasIndex || !inputScale)
    return success();
  Value bias = product->getOperand(*biasIndex);
  auto biasType = cast<RankedTensorType>(bias.getType());
  std::optional<SmallVector<float>> biasValues = getF32Constant(bias);
  int64_t biasAxis = biasType.getRank() - 1;
  if (!biasValues || biasType.getRank() < 1 || biasType.getRank() > 2 ||
      biasType.getDimSize(biasAxis) != channels ||
      biasType.getNumElements() != channels)
    return success();
  SmallVector<double> biasScales;
  SmallVector<int32_t> biasQuantized;
  for (auto [c, b] : llvm::enumerate(*biasValues)) {
    // f32 products and division, as the quantizer computes them in numpy.
    float scale = *inputScale * scales[c];
    if (!std::isnormal(scale))
      return success();
    double q = std::nearbyint(b / scale);
    q = std::clamp(q, double(std::numeric_limits<int32_t>::min()),
                   double(std::numeric_limits<int32_t>::max()));
    biasScales.push_back(scale);
    biasQuantized.push_back(static_cast<int32_t>(q));
  }
  auto biasElement = quant::UniformQuantizedPerAxisType::getChecked(
      error, quant::QuantizationFlags::Signed, IntegerType::get(context, 32),
      Float32Type::get(context), biasScales, SmallVector<int64_t>(channels, 0),
      biasAxis, std::numeric_limits<int32_t>::min(),
      std::numeric_limits<int32_t>::max());
  if (!biasElement)
    return failure();
  builder.setInsertionPointAfter(bias.getDefiningOp());
  Value biasData = ConstantOp::create(
      builder, bias.getLoc(),
      makeElements<int32_t>(biasType.clone(builder.getI32Type()), biasQuantized,
                            blobNameFor(bias, "_int32")));
  replaceByDequantized(product, *biasIndex, biasData, biasElement);
  return success();
}

/// Float constants that add or concat read (a bias added after a matmul, a
/// constant concatenated): int8 asymmetric per tensor over their own range,
/// as ONNX Runtime's quantizer writes an initializer input of those ops.
LogicalResult QuantizePass::quantizeConstantOperands(Operation *op) {
  for (OpOperand &operand : op->getOpOperands()) {
    Value value = operand.get();
    std::optional<SmallVector<float>> values = getF32Constant(value);
    if (!values || values->empty())
      continue;
    auto [min, max] = std::minmax_element(values->begin(), values->end());
    auto error = [&] { return op->emitError(); };
    FailureOr<quant::UniformQuantizedType> element =
        activationType(*min, *max, error, &getContext());
    if (failed(element))
      return failure();
    float scale = static_cast<float>(element->getScale());
    int64_t zeroPoint = element->getZeroPoint();
    SmallVector<int8_t> quantized;
    for (float v : *values) {
      float q = std::nearbyint(v / scale) + static_cast<float>(zeroPoint);
      quantized.push_back(static_cast<int8_t>(std::clamp(q, -128.0f, 127.0f)));
    }
    auto type = cast<RankedTensorType>(value.getType());
    OpBuilder builder(value.getDefiningOp());
    builder.setInsertionPointAfter(value.getDefiningOp());
    Value data = ConstantOp::create(
        builder, value.getLoc(),
        makeElements<int8_t>(type.clone(builder.getI8Type()), quantized,
                             blobNameFor(value, "_int8")));
    replaceByDequantized(op, operand.getOperandNumber(), data, *element);
  }
  return success();
}

void QuantizePass::runOnOperation() {
  func::FuncOp func = getOperation();
  lastArgumentDequantize = nullptr;
  llvm::StringSet<> excluded;
  for (const std::string &name : excludeNodes)
    excluded.insert(name);

  SmallVector<Operation *> products, others;
  func.walk([&](Operation *op) {
    if (isQuantizedOp(op, excluded))
      (isProduct(op) ? products : others).push_back(op);
  });
  for (Value value : getActivationsToQuantize(func, excluded))
    if (failed(quantizeActivation(value)))
      return signalPassFailure();
  // After the activations, so that a bias can take its input's scale.
  for (Operation *product : products)
    if (failed(quantizeWeights(product)))
      return signalPassFailure();
  for (Operation *op : others)
    if (failed(quantizeConstantOperands(op)))
      return signalPassFailure();

  // The ranges have served; the IR is now what a QDQ model imports to.
  func.walk([](Operation *op) { op->removeAttr(kCalibrationRangeAttr); });
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    func.removeArgAttr(i, kCalibrationRangeAttr);
}
