//===- HlsProject.cpp - An int8 model as a Vitis-style HLS project --------===//
//
// The int8 function is read layer by layer, in program order: a quantized
// Conv, Gemm or MatMul with the muon.requantize that consumes its int32
// accumulator is one kernel call (conv2d or dense), a max pool and a
// quantized Add are one each, and a reshape only renames its input's
// array. Each kernel reads and writes flat int8 arrays: the top function's
// ports for the model's inputs (after their QuantizeLinear) and outputs
// (before their DequantizeLinear), static arrays between layers.
//
// Layers get the parameters the CPU's int8 lowering computes from the same
// types (QuantToLinalg.cpp): the fixed-point multiplier and shift of each
// output channel from getFixedPointMultiplier(accumulator scale / output
// scale), and for Add getQuantizedAddParams, so that the C simulation and
// the CPU int8 path agree bit for bit.
//
//===----------------------------------------------------------------------===//

#include "targets/hls/HlsProject.h"

#include "dialects/muon/Constants.h"
#include "dialects/muon/MuonOps.h"
#include "dialects/muon/OnnxLocations.h"
#include "dialects/muon/Quantization.h"
#include "targets/GeneratedCode.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"

#include <climits>
#include <cmath>

using namespace mlir;
using namespace muon;
using namespace muon::hls;

// The kernel library and Muon's requantization arithmetic, copied into every
// project (CMakeLists.txt embeds them).
static const char kKernelLibrary[] =
#include "targets/hls/muon_hls.h.inc"
    ;
static const char kRequantHeader[] =
#include "targets/hls/muon_requant.h.inc"
    ;

int64_t HlsPort::numElements() const {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

namespace {

/// The values of a constant weight or bias, through the quant.scast that
/// gives it its quantized type.
std::optional<SmallVector<int64_t>> constantValues(Value value) {
  if (auto cast = value.getDefiningOp<quant::StorageCastOp>())
    value = cast.getInput();
  return getIntConstant(value);
}

/// `values` as the initializer of a C array, 16 to a line.
std::string arrayInitializer(ArrayRef<int64_t> values) {
  std::string text = "{";
  for (auto [i, value] : llvm::enumerate(values)) {
    text += i == 0 ? "\n    " : i % 16 == 0 ? ",\n    " : ", ";
    text += std::to_string(value);
  }
  return text + "}";
}

/// "(q + 128) * 6.27e-02": the real value of an int8 q.
std::string realValue(double scale, int64_t zeroPoint) {
  return llvm::formatv("(q {0} {1}) * {2:e}", zeroPoint < 0 ? '+' : '-',
                       std::abs(zeroPoint), scale)
      .str();
}

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string text;
  for (int64_t size : shape)
    text += "[" + std::to_string(size) + "]";
  return text;
}

class ProjectBuilder {
public:
  ProjectBuilder(func::FuncOp func, const HlsOptions &options)
      : func(func), options(options) {}

  LogicalResult run();

  HlsProject project;
  /// "muon.sub  node 'Sub_0': why" lines, in program order.
  SmallVector<std::string> failures;

private:
  void reject(Operation *op, const Twine &why) {
    if (!rejectedOps.insert(op).second)
      return; // one line per op
    for (Value result : op->getResults())
      rejected.insert(result);
    failures.push_back(describeRejection(op, why.str()));
  }

  /// The array holding `value`, which `user` reads; none (and `user`
  /// rejected unless `value` already was) when no layer computes it.
  std::optional<std::string> input(Operation *user, Value value) {
    auto it = buffers.find(value);
    if (it != buffers.end())
      return it->second;
    if (rejected.contains(value))
      rejected.insert(user->result_begin(), user->result_end());
    else
      reject(user, "reads a value no HLS kernel computes");
    return std::nullopt;
  }

  /// The array `value` is written to: its output port, or a new static
  /// array of the top function.
  std::string output(Value value) {
    auto port = outputPorts.find(value);
    std::string name = port != outputPorts.end()
                           ? port->second
                           : "buffer" + std::to_string(buffers.size());
    int64_t elements = cast<ShapedType>(value.getType()).getNumElements();
    if (port == outputPorts.end())
      project.estimate.bufferBram18 += bram18ForArray(elements, 8);
    if (port == outputPorts.end())
      staticArrays +=
          llvm::formatv("  static int8_t {0}[{1}];\n", name,
                        cast<ShapedType>(value.getType()).getNumElements())
              .str();
    buffers[value] = name;
    return name;
  }

  /// A new layer's name, with its node in the parameter header.
  std::string beginLayer(Operation *op, StringRef kernel) {
    std::string name = "layer" + std::to_string(++layers);
    std::string node = commentSafe(describeNode(op));
    layerNode = describeNode(op);
    params += llvm::formatv("\n// {0}: {1} of {2}\n", name, kernel, node).str();
    body += llvm::formatv("  // {0}: {1}\n", name, node).str();
    return name;
  }

  void lowerInputs();
  void findOutputs();
  void lowerProduct(Operation *product, RequantizeOp requantize);
  void lowerMaxPool(MaxPoolOp pool);
  void lowerAdd(QuantizedAddOp add);
  LogicalResult writeFiles();

  /// The parameter header's Requant<channels> of a requantization of
  /// `accumulator` (its scales per channel) to `requantize`'s type.
  void requantParams(const std::string &layer, Value accumulator,
                     RequantizeOp requantize, int64_t channels);

  func::FuncOp func;
  const HlsOptions &options;
  llvm::DenseMap<Value, std::string> buffers, outputPorts;
  llvm::DenseSet<Value> rejected;
  llvm::DenseSet<Operation *> rejectedOps;
  llvm::StringSet<> usedNames;
  int layers = 0;
  /// The node of the layer being written, for its estimate.
  std::string layerNode;
  std::string body, staticArrays, params, weights;
};

} // namespace

/// A model input is read by its quantization to int8 alone; the port holds
/// the quantized values.
void ProjectBuilder::lowerInputs() {
  for (BlockArgument argument : func.getArguments()) {
    auto nameAttr =
        func.getArgAttrOfType<StringAttr>(argument.getArgNumber(), "muon.name");
    HlsPort port;
    port.onnxName = nameAttr
                        ? nameAttr.str()
                        : "input" + std::to_string(argument.getArgNumber());
    QuantizeOp quantize;
    for (Operation *user : argument.getUsers()) {
      auto q = dyn_cast<QuantizeOp>(user);
      if (!q || quantize) {
        reject(user, "reads input '" + port.onnxName +
                         "' other than by its one quantization to int8 (the "
                         "HLS design takes int8 inputs)");
        continue;
      }
      quantize = q;
    }
    if (!quantize)
      continue;
    std::optional<Int8ActivationQuant> quant =
        getInt8ActivationQuant(quantize.getType());
    if (!quant) {
      reject(quantize, "quantizes to a type other than signed 8-bit per "
                       "tensor (quantize with int8 activations)");
      continue;
    }
    port.cName = cIdentifier("in_" + port.onnxName, usedNames);
    port.shape.assign(quantize.getType().getShape().begin(),
                      quantize.getType().getShape().end());
    port.scale = quant->scale;
    port.zeroPoint = quant->zeroPoint;
    buffers[quantize.getResult()] = port.cName;
    project.inputs.push_back(std::move(port));
  }
}

/// A model output is the dequantization of an int8 tensor; the layer that
/// computes that tensor writes the output port.
void ProjectBuilder::findOutputs() {
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (auto [i, operand] : llvm::enumerate(ret.getOperands())) {
    auto nameAttr = func.getResultAttrOfType<StringAttr>(i, "muon.name");
    HlsPort port;
    port.onnxName = nameAttr ? nameAttr.str() : "output" + std::to_string(i);
    auto dequantize = operand.getDefiningOp<DequantizeOp>();
    std::optional<Int8ActivationQuant> quant =
        dequantize ? getInt8ActivationQuant(dequantize.getInput().getType())
                   : std::nullopt;
    if (!quant) {
      reject(operand.getDefiningOp() ? operand.getDefiningOp() : ret,
             "output '" + port.onnxName +
                 "' is not the dequantization of a signed 8-bit tensor");
      continue;
    }
    if (outputPorts.count(dequantize.getInput()) ||
        buffers.count(dequantize.getInput())) {
      reject(dequantize, "returns an input, or one tensor as two outputs");
      continue;
    }
    port.cName = cIdentifier("out_" + port.onnxName, usedNames);
    auto type = cast<RankedTensorType>(dequantize.getInput().getType());
    port.shape.assign(type.getShape().begin(), type.getShape().end());
    port.scale = quant->scale;
    port.zeroPoint = quant->zeroPoint;
    outputPorts[dequantize.getInput()] = port.cName;
    project.outputs.push_back(std::move(port));
  }
}

void ProjectBuilder::requantParams(const std::string &layer, Value accumulator,
                                   RequantizeOp requantize, int64_t channels) {
  SmallVector<double> scales =
      getScales(getQuantizedElementType(accumulator.getType()));
  Int8ActivationQuant out = *getInt8ActivationQuant(requantize.getType());
  SmallVector<int64_t> multipliers, shifts;
  for (int64_t c = 0; c < channels; ++c) {
    FixedPointMultiplier fixed =
        getFixedPointMultiplier(scales[scales.size() == 1 ? 0 : c] / out.scale);
    multipliers.push_back(fixed.multiplier);
    shifts.push_back(fixed.shift);
  }
  auto [lowest, highest] = getClampRange(
      requantize.getClampMinAttr(), requantize.getClampMaxAttr(), -128, 127);
  params +=
      llvm::formatv("static const muon_hls::Requant<{0}> {1}_requant = "
                    "{{\n  {2},\n  {3},\n  {4}, {5}, {6}};\n",
                    channels, layer, arrayInitializer(multipliers),
                    arrayInitializer(shifts), out.zeroPoint, lowest, highest)
          .str();
}

/// A quantized Conv, Gemm or MatMul and its requantization: conv2d or
/// dense. The weight must be a symmetric int8 constant (zero point 0) and
/// the bias, if any, an int32 constant; the accumulator is checked to stay
/// within int32 for every input.
void ProjectBuilder::lowerProduct(Operation *product, RequantizeOp requantize) {
  Value inputValue = product->getOperand(0),
        weightValue = product->getOperand(1);
  std::optional<Int8ActivationQuant> inQuant =
      getInt8ActivationQuant(inputValue.getType());
  quant::QuantizedType weightType =
      getQuantizedElementType(weightValue.getType());
  if (!inQuant || !getInt8ActivationQuant(requantize.getType()) ||
      !weightType || weightType.getStorageTypeIntegralWidth() != 8 ||
      !weightType.isSigned() ||
      llvm::any_of(getZeroPoints(weightType),
                   [](int64_t z) { return z != 0; })) {
    reject(product, "needs signed 8-bit activations and symmetric signed "
                    "8-bit weights");
    return;
  }
  std::optional<SmallVector<int64_t>> weight = constantValues(weightValue);
  if (!weight) {
    reject(product, "its weight is not a constant");
    return;
  }
  Value biasValue =
      product->getNumOperands() > 2 ? product->getOperand(2) : Value();
  std::optional<SmallVector<int64_t>> bias;
  if (biasValue && !(bias = constantValues(biasValue))) {
    reject(product, "its bias is not a constant");
    return;
  }
  std::optional<std::string> in = input(product, inputValue);
  if (!in)
    return;

  auto inType = cast<RankedTensorType>(inputValue.getType());
  auto outType = cast<RankedTensorType>(requantize.getType());
  auto weightShape = cast<RankedTensorType>(weightValue.getType()).getShape();
  std::string kernelCall;
  int64_t channels = 0, depth = 0;
  std::function<int64_t(int64_t c, int64_t k)> weightAt;
  std::string layer;
  if (auto conv = dyn_cast<ConvOp>(product)) {
    if (inType.getRank() != 4) {
      reject(product, "only 2-D convolutions have an HLS kernel");
      return;
    }
    layer = beginLayer(product, "conv2d");
    ArrayRef<int64_t> strides = conv.getStrides(),
                      dilations = conv.getDilations(), pads = conv.getPads();
    channels = outType.getDimSize(1);
    depth = weightShape[1] * weightShape[2] * weightShape[3];
    weightAt = [&](int64_t c, int64_t k) { return (*weight)[c * depth + k]; };
    kernelCall = llvm::formatv(
        "muon_hls::conv2d<{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, "
        "{10}, {11}, {12}, {13}, {14}>",
        inType.getDimSize(1), inType.getDimSize(2), inType.getDimSize(3),
        channels, outType.getDimSize(2), outType.getDimSize(3), weightShape[2],
        weightShape[3], strides[0], strides[1], dilations[0], dilations[1],
        pads[0], pads[1], conv.getGroup());
    project.estimate.layers.push_back(estimateLayer(
        layer, "conv2d", layerNode,
        channels * outType.getDimSize(2) * outType.getDimSize(3), depth,
        kMacDepth, kRequantDepth, kDspPerMac + kDspPer32BitProduct));
  } else {
    bool transposed = false;
    if (auto gemm = dyn_cast<GemmOp>(product)) {
      if (gemm.getTransA() || gemm.getAlpha().convertToDouble() != 1.0 ||
          (biasValue && gemm.getBeta().convertToDouble() != 1.0)) {
        reject(product, "only Gemm without transA, alpha and beta 1 has an "
                        "HLS kernel");
        return;
      }
      transposed = gemm.getTransB();
    }
    if (inType.getRank() != 2 || weightShape.size() != 2) {
      reject(product, "only matrix products of 2-D operands have an HLS "
                      "kernel");
      return;
    }
    layer = beginLayer(product, "dense");
    channels = outType.getDimSize(1);
    depth = inType.getDimSize(1);
    weightAt = [&, transposed](int64_t c, int64_t k) {
      return (*weight)[transposed ? c * depth + k : k * channels + c];
    };
    project.estimate.layers.push_back(estimateLayer(
        layer, "dense", layerNode, inType.getDimSize(0) * channels, depth,
        kMacDepth, kRequantDepth, kDspPerMac + kDspPer32BitProduct));
    kernelCall = llvm::formatv("muon_hls::dense<{0}, {1}, {2}, {3}>",
                               inType.getDimSize(0), depth, channels,
                               transposed ? "true" : "false");
  }

  // |acc| <= |bias| + sum |w| * max |x - z_x|: the bound of every channel
  // must stay below 2^31 for the int32 accumulator to be exact (the CPU
  // path accumulates in int32 as well).
  int64_t maxInput =
      std::max<int64_t>(127 - inQuant->zeroPoint, inQuant->zeroPoint + 128);
  int64_t bound = 0;
  for (int64_t c = 0; c < channels; ++c) {
    int64_t sum = bias ? std::abs((*bias)[c]) : 0;
    for (int64_t k = 0; k < depth; ++k)
      sum += std::abs(weightAt(c, k)) * maxInput;
    bound = std::max(bound, sum);
  }
  if (bound > INT32_MAX) {
    reject(product, "its int32 accumulator could overflow: |bias| + sum |w| "
                    "* 255 reaches " +
                        Twine(bound));
    return;
  }
  params += llvm::formatv("// Accumulator: |acc| <= |bias| + sum_k |w| * {0} "
                          "<= {1} < 2^31 for every input.\n",
                          maxInput, bound)
                .str();
  requantParams(layer, product->getResult(0), requantize, channels);

  weights += llvm::formatv("static const int8_t {0}_weight[{1}] = {2};\n",
                           layer, weight->size(), arrayInitializer(*weight))
                 .str();
  SmallVector<int64_t> biasValues =
      bias ? *bias : SmallVector<int64_t>(channels, 0);
  weights += llvm::formatv("static const int32_t {0}_bias[{1}] = {2};\n", layer,
                           channels, arrayInitializer(biasValues))
                 .str();
  // The weights, and the bias, multiplier and shift of each channel.
  project.estimate.layers.back().bram18 =
      bram18ForArray(weight->size(), 8) + 3 * bram18ForArray(channels, 32);
  std::string out = output(requantize.getResult());
  body += llvm::formatv("  {0}({1}, {2}_weight, {2}_bias, {3}, {2}_requant, "
                        "{4});\n",
                        kernelCall, *in, layer, inQuant->zeroPoint, out)
              .str();
}

void ProjectBuilder::lowerMaxPool(MaxPoolOp pool) {
  RankedTensorType inType = cast<RankedTensorType>(pool.getInput().getType());
  if (!getInt8ActivationQuant(inType) || inType.getRank() != 4) {
    reject(pool, "only 2-D max pooling of signed 8-bit tensors has an HLS "
                 "kernel");
    return;
  }
  std::optional<std::string> in = input(pool, pool.getInput());
  if (!in)
    return;
  std::string layer = beginLayer(pool, "max_pool2d");
  RankedTensorType outType = pool.getType();
  ArrayRef<int64_t> kernel = pool.getKernelShape(), strides = pool.getStrides(),
                    dilations = pool.getDilations(), pads = pool.getPads();
  project.estimate.layers.push_back(estimateLayer(
      layer, "max_pool2d", layerNode,
      outType.getDimSize(1) * outType.getDimSize(2) * outType.getDimSize(3),
      kernel[0] * kernel[1], kCompareDepth, 0, 0));
  std::string out = output(pool.getResult());
  body +=
      llvm::formatv("  muon_hls::max_pool2d<{1}, {2}, {3}, {4}, "
                    "{5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}, {13}>({14}, "
                    "{15});\n",
                    layer, inType.getDimSize(1), inType.getDimSize(2),
                    inType.getDimSize(3), outType.getDimSize(2),
                    outType.getDimSize(3), kernel[0], kernel[1], strides[0],
                    strides[1], dilations[0], dilations[1], pads[0], pads[1],
                    *in, out)
          .str();
}

void ProjectBuilder::lowerAdd(QuantizedAddOp add) {
  std::optional<Int8ActivationQuant> lhs =
      getInt8ActivationQuant(add.getLhs().getType());
  std::optional<Int8ActivationQuant> rhs =
      getInt8ActivationQuant(add.getRhs().getType());
  std::optional<Int8ActivationQuant> out =
      getInt8ActivationQuant(add.getType());
  if (!lhs || !rhs || !out ||
      add.getLhs().getType().getShape() != add.getType().getShape() ||
      add.getRhs().getType().getShape() != add.getType().getShape()) {
    reject(add, "only the Add of two signed 8-bit tensors of one shape has "
                "an HLS kernel");
    return;
  }
  std::optional<std::string> a = input(add, add.getLhs());
  std::optional<std::string> b = input(add, add.getRhs());
  if (!a || !b)
    return;
  std::string layer = beginLayer(add, "quantized_add");
  // Three 32-bit scalings per element: both inputs' and the sum's.
  project.estimate.layers.push_back(estimateLayer(
      layer, "quantized_add", layerNode, 1, add.getType().getNumElements(),
      kAddDepth, 0, 3 * kDspPer32BitProduct));
  QuantizedAddParams p =
      getQuantizedAddParams(lhs->scale, rhs->scale, out->scale);
  auto [lowest, highest] =
      getClampRange(add.getClampMinAttr(), add.getClampMaxAttr(), -128, 127);
  params +=
      llvm::formatv("static const muon_hls::AddParams {0}_params = {{{1}, {2}, "
                    "{3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}};\n",
                    layer, lhs->zeroPoint, p.lhs.multiplier, p.lhs.shift,
                    rhs->zeroPoint, p.rhs.multiplier, p.rhs.shift, p.leftShift,
                    p.output.multiplier, p.output.shift, out->zeroPoint, lowest,
                    highest)
          .str();
  std::string result = output(add.getResult());
  body += llvm::formatv("  muon_hls::quantized_add<{0}>({1}, {2}, "
                        "{3}_params, {4});\n",
                        add.getType().getNumElements(), *a, *b, layer, result)
              .str();
}

LogicalResult ProjectBuilder::run() {
  lowerInputs();
  findOutputs();
  for (Operation &op : func.getBody().front().without_terminator()) {
    if (rejectedOps.contains(&op))
      continue;
    if (isa<ConstantOp, quant::StorageCastOp>(op))
      continue; // weights, read by their users
    if (auto quantize = dyn_cast<QuantizeOp>(op)) {
      if (!isa<BlockArgument>(quantize.getInput()))
        reject(&op, "quantizes a float the model computes; the HLS design "
                    "is int8 from its inputs on (compute float input "
                    "standardisation on the host)");
      continue; // inputs' quantizations are the ports
    }
    if (auto dequantize = dyn_cast<DequantizeOp>(op)) {
      if (!outputPorts.count(dequantize.getInput()))
        reject(&op, "dequantizes a value the model does not return (a "
                    "float op follows; the HLS design is int8 throughout)");
      continue;
    }
    if (isa<ConvOp, GemmOp, MatMulOp>(op)) {
      auto requantize = op.hasOneUse()
                            ? dyn_cast<RequantizeOp>(*op.getUsers().begin())
                            : RequantizeOp();
      if (!requantize) {
        reject(&op, "its int32 accumulator is not requantized by its one "
                    "user");
        continue;
      }
      lowerProduct(&op, requantize);
      continue;
    }
    if (auto requantize = dyn_cast<RequantizeOp>(op)) {
      Operation *def = requantize.getInput().getDefiningOp();
      if (!def || !isa<ConvOp, GemmOp, MatMulOp>(def))
        reject(&op, "requantizes a value that is not a product's "
                    "accumulator");
      else if (buffers.count(def->getResult(0)) == 0 &&
               !buffers.count(requantize.getResult()))
        rejected.insert(requantize.getResult());
      continue;
    }
    if (auto pool = dyn_cast<MaxPoolOp>(op)) {
      lowerMaxPool(pool);
      continue;
    }
    if (auto add = dyn_cast<QuantizedAddOp>(op)) {
      lowerAdd(add);
      continue;
    }
    if (auto reshape = dyn_cast<ReshapeOp>(op)) {
      // Row-major order is the same before and after: the array is renamed.
      if (!getInt8ActivationQuant(reshape.getType())) {
        reject(&op, "is not on signed 8-bit tensors");
        continue;
      }
      if (outputPorts.count(reshape.getResult())) {
        reject(&op, "a reshaped tensor as a model output is not supported "
                    "yet");
        continue;
      }
      if (std::optional<std::string> in = input(&op, reshape.getInput()))
        buffers[reshape.getResult()] = *in;
      continue;
    }
    reject(&op, "has no HLS kernel");
  }
  if (!failures.empty())
    return failure();
  return writeFiles();
}

LogicalResult ProjectBuilder::writeFiles() {
  const std::string &name = options.name;
  std::string guard = "MUON_HLS_" + StringRef(name).upper() + "_H";
  std::string source = "the model";
  if (auto attr = func->getParentOfType<ModuleOp>()->getAttrOfType<StringAttr>(
          "muon.source"))
    source = commentSafe(attr.getValue());

  // The top function's parameters, and their description in the header.
  std::string signature, portComments;
  auto addPort = [&](const HlsPort &port, bool isInput) {
    if (!signature.empty())
      signature += ", ";
    signature += llvm::formatv("{0}int8_t {1}[{2}]", isInput ? "const " : "",
                               port.cName, port.numElements())
                     .str();
    portComments +=
        llvm::formatv("// {0} \"{1}\": int8{2}, real value = {3}\n",
                      isInput ? "input " : "output", commentSafe(port.onnxName),
                      shapeText(port.shape),
                      realValue(port.scale, port.zeroPoint))
            .str();
  };
  for (const HlsPort &port : project.inputs)
    addPort(port, true);
  for (const HlsPort &port : project.outputs)
    addPort(port, false);

  std::string header =
      llvm::formatv(R"(// {0}.h - generated by muonc from {1}. Do not edit.
#ifndef {2}
#define {2}

#include <stdint.h>

{3}void {0}({4});

#endif
)",
                    name, source, guard, portComments, signature);

  std::string interfaces;
  for (const HlsPort &port : project.inputs)
    interfaces +=
        "  MUON_HLS_PRAGMA(HLS INTERFACE mode=ap_memory port=" + port.cName +
        ")\n";
  for (const HlsPort &port : project.outputs)
    interfaces +=
        "  MUON_HLS_PRAGMA(HLS INTERFACE mode=ap_memory port=" + port.cName +
        ")\n";
  std::string top =
      llvm::formatv(R"(// {0}.cpp - generated by muonc from {1}. Do not edit.
// One kernel call per layer (muon_hls.h); arrays between layers are static.
#include "{0}.h"
#include "{0}_params.h"
#include "{0}_weights.h"
#include "muon_hls.h"

void {0}({2}) {{
{3}  MUON_HLS_PRAGMA(HLS INTERFACE mode=s_axilite port=return)
{4}{5}}
)",
                    name, source, signature, interfaces, staticArrays, body);

  std::string paramsHeader = llvm::formatv(
      R"(// {0}_params.h - generated by muonc from {1}. Do not edit.
// Requantization (multiplier, shift per output channel; zero point; fused
// clamp) and Add parameters of each layer, as the CPU int8 path computes
// them.
#ifndef MUON_HLS_{2}_PARAMS_H
#define MUON_HLS_{2}_PARAMS_H

#include "muon_hls.h"
{3}
#endif
)",
      name, source, StringRef(name).upper(), params);
  std::string weightsHeader = llvm::formatv(
      R"(// {0}_weights.h - generated by muonc from {1}. Do not edit.
// Weights (int8, [out][in][kh][kw] or [depth][cols]) and biases (int32).
#ifndef MUON_HLS_{2}_WEIGHTS_H
#define MUON_HLS_{2}_WEIGHTS_H

#include <stdint.h>

{3}
#endif
)",
      name, source, StringRef(name).upper(), weights);

  // The testbench: every sample's inputs from tb_data/<port>.dat, outputs
  // compared with tb_data/<port>.expected.dat.
  std::string declarations, reads, calls, compares;
  std::string arguments;
  for (const HlsPort &port : project.inputs) {
    declarations += llvm::formatv("  static int8_t {0}[{1}];\n", port.cName,
                                  port.numElements());
    reads += llvm::formatv("    if (!read_sample(inputs[{0}], {1}, {2}))\n"
                           "      return finish(sample, exact, total);\n",
                           &port - project.inputs.data(), port.cName,
                           port.numElements());
    arguments += (arguments.empty() ? "" : ", ") + port.cName;
  }
  std::string inputFiles, outputFiles;
  for (const HlsPort &port : project.inputs)
    inputFiles += "\"" + port.cName + ".dat\", ";
  for (const HlsPort &port : project.outputs) {
    declarations += llvm::formatv("  static int8_t {0}[{1}];\n"
                                  "  static int8_t {0}_expected[{1}];\n",
                                  port.cName, port.numElements());
    outputFiles += "\"" + port.cName + ".expected.dat\", ";
    arguments += (arguments.empty() ? "" : ", ") + port.cName;
    compares += llvm::formatv(
        "    if (!read_sample(expected[{0}], {1}_expected, {2}))\n"
        "      return fail(\"{1}.expected.dat has fewer samples than the "
        "inputs\");\n"
        "    exact += compare(\"{1}\", sample, {1}, {1}_expected, {2});\n"
        "    ++total;\n",
        &port - project.outputs.data(), port.cName, port.numElements());
  }
  std::string testbench = llvm::formatv(
      R"(// {0}_tb.cpp - generated by muonc from {1}. Do not edit.
// C simulation: runs {0} on every sample of tb_data (the int8 inputs and the
// outputs Muon's CPU int8 path computes for them) and counts the outputs
// that are bit-exact. Exit status 0 when all are.
#include "{0}.h"
#ifdef MUON_HLS_COUNT_ITERATIONS
#include "muon_hls.h"
#endif

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace {{

// One line of a .dat file: a sample's int8 values, separated by spaces.
bool read_sample(std::ifstream &file, int8_t *values, int count) {{
  std::string line;
  if (!std::getline(file, line))
    return false;
  std::istringstream fields(line);
  for (int i = 0; i < count; ++i) {{
    int value;
    if (!(fields >> value) || value < -128 || value > 127)
      return false;
    values[i] = static_cast<int8_t>(value);
  }
  return true;
}

// 1 when got equals expected; the first 10 mismatching outputs are printed.
int compare(const char *port, int sample, const int8_t *got,
            const int8_t *expected, int count) {{
  static int printed = 0;
  for (int i = 0; i < count; ++i)
    if (got[i] != expected[i]) {{
      if (++printed <= 10)
        std::printf("sample %d, %s[%d]: %d, expected %d\n", sample, port, i,
                    got[i], expected[i]);
      return 0;
    }
  return 1;
}

int fail(const char *message) {{
  std::printf("error: %s\n", message);
  return 1;
}

int finish(int samples, int exact, int total) {{
  if (samples == 0)
    return fail("no samples in tb_data");
  std::printf("%d of %d outputs bit-exact\n", exact, total);
  return exact == total ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {{
  const std::string dir = argc > 1 ? argv[1] : "tb_data";
  const char *input_files[] = {{{2}nullptr};
  const char *expected_files[] = {{{3}nullptr};
  std::ifstream inputs[sizeof input_files / sizeof *input_files];
  std::ifstream expected[sizeof expected_files / sizeof *expected_files];
  for (int i = 0; input_files[i]; ++i) {{
    inputs[i].open(dir + "/" + input_files[i]);
    if (!inputs[i])
      return fail(("cannot read " + dir + "/" + input_files[i]).c_str());
  }
  for (int i = 0; expected_files[i]; ++i) {{
    expected[i].open(dir + "/" + expected_files[i]);
    if (!expected[i])
      return fail(("cannot read " + dir + "/" + expected_files[i]).c_str());
  }
{4}  int exact = 0, total = 0;
  for (int sample = 0;; ++sample) {{
{5}    {0}({6});
#ifdef MUON_HLS_COUNT_ITERATIONS
    if (sample == 0)
      std::printf("%llu pipelined loop iterations per inference\n",
                  muon_hls::iterations());
#endif
{7}  }
}
)",
      name, source, inputFiles, outputFiles, declarations, reads, arguments,
      compares);

  std::string makefile = llvm::formatv(
      R"(# Makefile - generated by muonc from {1}. Do not edit.
# make csim: the C simulation with g++ on tb_data, bit-exact or exit 1.
# make count: the same, also counting the pipelined loop iterations of one
# inference (NAME_estimate.json's "iterations").
# make synthesis-view: the sources as Vitis HLS compiles them (__SYNTHESIS__
# defined, so the HLS pragmas are in; g++ ignores those).
CXX ?= g++
CXXFLAGS ?= -std=c++14 -O2 -Wall -Wextra -Werror -pedantic
SOURCES = {0}.cpp {0}_tb.cpp
HEADERS = {0}.h {0}_params.h {0}_weights.h muon_hls.h muon_requant.h

csim: {0}_csim
	./{0}_csim tb_data

{0}_csim: $(SOURCES) $(HEADERS)
	$(CXX) $(CXXFLAGS) $(SOURCES) -o $@

count: $(SOURCES) $(HEADERS)
	$(CXX) $(CXXFLAGS) -DMUON_HLS_COUNT_ITERATIONS $(SOURCES) -o {0}_count
	./{0}_count tb_data

synthesis-view:
	$(CXX) -std=c++14 -Wall -Wextra -Werror -pedantic -Wno-unknown-pragmas -fsyntax-only -D__SYNTHESIS__ {0}.cpp

clean:
	rm -f {0}_csim {0}_count

.PHONY: csim count synthesis-view clean
)",
      name, source);

  std::string tcl = llvm::formatv(
      R"(# build_prj.tcl - generated by muonc from {1}. Do not edit.
# vitis_hls -f build_prj.tcl: C simulation, synthesis, co-simulation and
# export of {0} for {2} at {3} ns.
open_project {0}_prj
set_top {0}
add_files {0}.cpp -cflags "-std=c++14"
add_files -tb {0}_tb.cpp -cflags "-std=c++14"
add_files -tb tb_data
open_solution solution1
set_part {{{2}}
create_clock -period {3} -name default
csim_design -argv tb_data
csynth_design
cosim_design -argv tb_data
export_design -format ip_catalog
exit
)",
      name, source, options.part, options.clockNs);

  project.files = {
      {name + ".h", header},
      {name + ".cpp", top},
      {name + "_params.h", paramsHeader},
      {name + "_weights.h", weightsHeader},
      {name + "_tb.cpp", testbench},
      {"muon_hls.h", kKernelLibrary},
      {"muon_requant.h", kRequantHeader},
      {"Makefile", makefile},
      {"build_prj.tcl", tcl},
      {name + "_estimate.json",
       estimateJson(project.estimate, options.part, options.clockNs)}};
  return success();
}

FailureOr<HlsProject> hls::buildHlsProject(func::FuncOp func,
                                           const HlsOptions &options) {
  bool quantized = false;
  func.walk([&](QuantizeOp) { quantized = true; });
  if (!quantized)
    return func.emitError("the HLS target compiles int8 models: a QDQ model, "
                          "or a float one with --quantize=int8 "
                          "--calibration=DIR");
  ProjectBuilder builder(func, options);
  if (failed(builder.run())) {
    if (builder.failures.empty())
      return failure();
    return func.emitError()
           << listRejections(builder.failures, "be compiled for the FPGA",
                             "docs/hls.md for what the HLS target supports");
  }
  return std::move(builder.project);
}

std::string
hls::formatTestbenchData(const std::vector<std::vector<int8_t>> &samples) {
  std::string text;
  for (const std::vector<int8_t> &sample : samples) {
    for (auto [i, value] : llvm::enumerate(sample)) {
      if (i)
        text += ' ';
      text += std::to_string(value);
    }
    text += '\n';
  }
  return text;
}

// A packed project: for each file, its path, a newline, its size in
// decimal, a newline, and its bytes.
std::string hls::packProject(const std::vector<HlsFile> &files) {
  std::string packed;
  for (const HlsFile &file : files)
    packed += file.path + "\n" + std::to_string(file.contents.size()) + "\n" +
              file.contents;
  return packed;
}

FailureOr<std::vector<HlsFile>> hls::unpackProject(StringRef packed) {
  std::vector<HlsFile> files;
  while (!packed.empty()) {
    auto [path, rest] = packed.split('\n');
    auto [sizeText, data] = rest.split('\n');
    size_t size;
    if (path.empty() || sizeText.getAsInteger(10, size) || size > data.size())
      return failure();
    files.push_back({path.str(), data.take_front(size).str()});
    packed = data.drop_front(size);
  }
  return files;
}
