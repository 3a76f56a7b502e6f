//===- HlsProject.cpp - An int8 model as a Vitis-style HLS project --------===//
//
// The int8 function is read layer by layer, in program order: a quantized
// Conv, Gemm or MatMul with the muon.requantize that consumes its int32
// accumulator is one kernel call (conv2d or dense), a max pool and a
// quantized Add are one each, a Concat one per input, float ops between a
// dequantization and a quantization one table lookup per element
// (findTabulated), and a reshape only renames its input's array. Each kernel
// reads and writes flat int8 arrays: the top function's ports for the model's
// inputs (after their QuantizeLinear) and outputs (before their
// DequantizeLinear), static arrays between layers. A stream design
// (--hls-io=stream) wraps each kernel call in a dataflow process that reads its
// inputs from FIFOs and writes its output to its readers' (writeDataflow).
//
// Layers get the parameters the CPU's int8 lowering computes from the same
// types (QuantToLinalg.cpp): the fixed-point multiplier and shift of each
// output channel from getFixedPointMultiplier(accumulator scale / output
// scale), and for Add getQuantizedAddParams, so that the C simulation and
// the CPU int8 path agree bit for bit.
//
//===----------------------------------------------------------------------===//

#include "targets/hls/HlsProject.h"
#include "targets/hls/HlsLint.h"

#include "dialects/muon/Constants.h"
#include "dialects/muon/HostFloatEnds.h"
#include "dialects/muon/MuonOps.h"
#include "dialects/muon/OnnxLocations.h"
#include "dialects/muon/Quantization.h"
#include "targets/GeneratedCode.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"

#include <climits>
#include <cmath>
#include <numeric>
#include <set>

using namespace mlir;
using namespace muon;
using namespace muon::hls;

// The kernel library and Muon's requantization arithmetic, copied into every
// project (CMakeLists.txt embeds them).
static const char kKernelLibrary[] =
#include "targets/hls/muon_hls.h.inc"
    ;
static const char kStreamLibrary[] =
#include "targets/hls/muon_hls_stream.h.inc"
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

/// The parallelism of a product layer: PE output channels at once, each
/// over SIMD products of its sum.
struct Lanes {
  int64_t pe = 1, simd = 1;
  int64_t count() const { return pe * simd; }
};

/// conv2d's lanes: PE output channels of one group share each input
/// element, so PE divides a group's `groupChannels`.
std::vector<Lanes> convLanes(int64_t groupChannels) {
  std::vector<Lanes> choices;
  for (int64_t pe = 1; pe <= std::min(groupChannels, kMaxUnrollFactor); ++pe)
    if (groupChannels % pe == 0)
      choices.push_back({pe, 1});
  return choices;
}

/// dense's lanes: any count dividing the layer's channels x depth products
/// splits into PE dividing the channels and SIMD dividing the depth.
std::vector<Lanes> denseLanes(int64_t channels, int64_t depth) {
  std::vector<Lanes> choices;
  for (int64_t count = 1; count <= std::min(channels * depth, kMaxUnrollFactor);
       ++count)
    if ((channels * depth) % count == 0) {
      int64_t pe = std::gcd(count, channels);
      choices.push_back({pe, count / pe});
    }
  return choices;
}

/// "1, 2, 4 and 8": the reuse factors of `choices`, ascending.
std::string validReuseFactors(const std::vector<Lanes> &choices,
                              int64_t products) {
  std::string text;
  for (auto [i, choice] : llvm::enumerate(llvm::reverse(choices)))
    text += (i == 0                    ? ""
             : i + 1 == choices.size() ? " and "
                                       : ", ") +
            std::to_string(products / choice.count());
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
  /// The nodes of --hls-reuse=NODE:N that name a product layer.
  std::set<std::string> reuseNodesFound;

private:
  void reject(Operation *op, const Twine &why) {
    if (!rejectedOps.insert(op).second)
      return; // one line per op
    for (Value result : op->getResults())
      rejected.insert(result);
    failures.push_back(describeRejection(op, why.str()));
  }

  /// Whether a layer or a port computes `value` (a reshape's result is its
  /// input's); if not, `user` is rejected unless `value` already was.
  std::optional<Value> available(Operation *user, Value value) {
    while (Value source = aliases.lookup(value))
      value = source;
    if (buffers.count(value))
      return value;
    if (rejected.contains(value))
      rejected.insert(user->result_begin(), user->result_end());
    else
      reject(user, "reads a value no HLS kernel computes");
    return std::nullopt;
  }

  /// The array holding `value` in the kernel call of the layer `user`
  /// begins: the value's own array, or in a stream design the process's
  /// array x<i> its i-th input stream is read into.
  std::optional<std::string> input(Operation *user, Value value) {
    std::optional<Value> source = available(user, value);
    if (!source)
      return std::nullopt;
    pendingInputs.push_back(*source);
    pendingShapes.push_back(
        shapeText(cast<ShapedType>(value.getType()).getShape()));
    if (options.io == HlsIo::Parallel)
      return buffers.lookup(*source);
    return "x" + std::to_string(pendingInputs.size() - 1);
  }

  /// The array `value` is written to: its output port, or a new static
  /// array of the top function; in a stream design the process's array y,
  /// which it writes to its consumers' streams.
  std::string output(Value value) {
    if (options.io == HlsIo::Stream) {
      processes.back().output = value;
      buffers[value] = "y";
      return "y";
    }
    auto port = outputPorts.find(value);
    std::string name = port != outputPorts.end()
                           ? port->second
                           : "buffer" + std::to_string(buffers.size());
    int64_t elements = cast<ShapedType>(value.getType()).getNumElements();
    if (port == outputPorts.end()) {
      project.estimate.bufferBram18 += bram18ForArray(elements, 8);
      project.estimate.bufferLut += lutRamForArray(elements, 8);
      staticArrays +=
          llvm::formatv("  static int8_t {0}[{1}];\n", name, elements).str();
    }
    buffers[value] = name;
    return name;
  }

  /// A new layer's name, with its node in the parameter header.
  std::string beginLayer(Operation *op, StringRef kernel) {
    std::string name = "layer" + std::to_string(++layers);
    std::string node = commentSafe(describeNode(op));
    layerNode = describeNode(op);
    std::string shapes;
    for (const std::string &shape : pendingShapes)
      shapes += (shapes.empty() ? "int8" : ", int8") + shape;
    shapes +=
        " -> int8" +
        shapeText(cast<ShapedType>(op->getResult(0).getType()).getShape());
    params +=
        llvm::formatv("\n// {0}: {1} of {2}: {3}\n", name, kernel, node, shapes)
            .str();
    if (options.io == HlsIo::Parallel)
      body += llvm::formatv("  // {0}: {1}\n", name, node).str();
    else
      processes.push_back({name, node, "", pendingInputs, Value()});
    return name;
  }

  /// The layer's kernel call: a statement of the top function, or of the
  /// layer's process.
  void emitCall(const std::string &call) {
    if (options.io == HlsIo::Parallel)
      body += call;
    else
      processes.back().call = call;
  }

  /// The reuse factor asked for the layer of `op`'s node, else the
  /// model's; 0 when none is.
  int64_t requestedReuse(Operation *op) {
    for (const std::string &node : getOnnxNodeNames(op->getLoc())) {
      auto it = options.nodeReuse.find(node);
      if (it != options.nodeReuse.end()) {
        reuseNodesFound.insert(node);
        return it->second;
      }
    }
    return options.reuse;
  }

  void lowerInputs();
  void findOutputs();
  /// The stream design's processes, FIFOs and top function body.
  void writeDataflow();
  void remarkHostOps();
  void lowerProduct(Operation *product, RequantizeOp requantize);
  void lowerMaxPool(MaxPoolOp pool);
  void lowerAdd(QuantizedAddOp add);
  /// A Concat of dequantized int8 tensors whose result is quantized again
  /// (how the quantizer leaves a Concat of differently scaled inputs): its
  /// quantization, else null.
  static QuantizeOp requantizedConcat(ConcatOp concat);
  /// Each input of the Concat into its blocks of the output: through a
  /// requantization table when `quantize` is given, else (int8 inputs of
  /// the output's quantization) copied.
  void lowerConcat(ConcatOp concat, QuantizeOp quantize);
  /// A quantization of unary float ops (Relu, Clip, LeakyRelu) of a
  /// dequantized int8 tensor: one table lookup per element.
  void lowerTableMap(QuantizeOp quantize, ArrayRef<Operation *> chain);
  /// Finds the float ops the design computes by table lookups and the
  /// chains lowerTableMap lowers.
  void findTabulated();
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
  /// The float ops the host runs before and after the design.
  llvm::DenseSet<Operation *> prefixOps, suffixOps;
  /// Float ops (and dequantizations) that table lookups compute: skipped
  /// by run's walk, lowered with the quantization that ends them.
  llvm::DenseSet<Operation *> tabulated;
  /// The quantizations ending a unary chain, with the chain's ops from the
  /// dequantization on, and those ending a requantized Concat, with it.
  llvm::DenseMap<Operation *, SmallVector<Operation *>> tableMaps;
  llvm::DenseMap<Operation *, ConcatOp> tableConcats;
  /// A reshape's result and the value it renames.
  llvm::DenseMap<Value, Value> aliases;
  /// A layer of the stream design: a dataflow process that reads its input
  /// streams into arrays x0, x1..., calls its kernel on them into y, and
  /// writes y to each consumer's stream.
  struct Process {
    std::string name, node, call;
    SmallVector<Value> inputs;
    Value output;
  };
  std::vector<Process> processes;
  /// The stream design's process functions, before the top function.
  std::string dataflowFunctions;
  /// The inputs of the layer being read, before beginLayer: its
  /// process's in a stream design, and the parameter header's shapes.
  SmallVector<Value> pendingInputs;
  /// Their shapes as the layer reads them (a reshape's, not its source's).
  SmallVector<std::string> pendingShapes;
  int layers = 0;
  /// The node of the layer being written, for its estimate.
  std::string layerNode;
  std::string body, staticArrays, params, weights;
};

} // namespace

/// A model input is read by its quantization to int8 alone; the port holds
/// the quantized values. With the host prefix, a float the host computes
/// from the inputs is a port too, named after the op computing it.
void ProjectBuilder::lowerInputs() {
  Block &body = func.getBody().front();
  if (options.hostPrefix)
    prefixOps = findHostPrefix(body);
  if (options.hostSuffix)
    suffixOps = findHostSuffix(body);
  // The port of `quantize`, which quantizes `source`.
  auto addPort = [&](QuantizeOp quantize, Value source, std::string onnxName,
                     std::string hostNote) {
    std::optional<Int8ActivationQuant> quant =
        getInt8ActivationQuant(quantize.getType());
    if (!quant) {
      reject(quantize, "quantizes to a type other than signed 8-bit per "
                       "tensor (quantize with int8 activations)");
      return;
    }
    HlsPort port;
    port.onnxName = std::move(onnxName);
    port.cName = cIdentifier("in_" + port.onnxName, usedNames);
    port.source = source;
    port.hostNote = std::move(hostNote);
    port.shape.assign(quantize.getType().getShape().begin(),
                      quantize.getType().getShape().end());
    port.scale = quant->scale;
    port.zeroPoint = quant->zeroPoint;
    buffers[quantize.getResult()] = port.cName;
    project.inputs.push_back(std::move(port));
  };
  for (BlockArgument argument : func.getArguments()) {
    auto nameAttr =
        func.getArgAttrOfType<StringAttr>(argument.getArgNumber(), "muon.name");
    std::string name = nameAttr
                           ? nameAttr.str()
                           : "input" + std::to_string(argument.getArgNumber());
    QuantizeOp quantize;
    for (Operation *user : argument.getUsers()) {
      if (prefixOps.contains(user))
        continue; // the host's
      auto q = dyn_cast<QuantizeOp>(user);
      if (!q || quantize) {
        reject(user, "reads input '" + name +
                         "' other than by its one quantization to int8 (the "
                         "HLS design takes int8 inputs; --hls-host-prefix "
                         "leaves float preprocessing to the host)");
        continue;
      }
      quantize = q;
    }
    if (quantize)
      addPort(quantize, argument, name, "");
  }
  for (Operation &op : body.without_terminator())
    if (auto quantize = dyn_cast<QuantizeOp>(op))
      if (Operation *def = quantize.getInput().getDefiningOp();
          def && prefixOps.contains(def)) {
        SmallVector<std::string> nodes = getOnnxNodeNames(def->getLoc());
        addPort(quantize, quantize.getInput(),
                nodes.empty() ? def->getName().getStringRef().str()
                              : nodes.front(),
                "the host computes it from the model's inputs "
                "(--hls-host-prefix)");
      }
}

/// A model output is the dequantization of an int8 tensor; the layer that
/// computes that tensor writes the output port. With the host suffix, the
/// dequantizations the host's float ops read are the outputs, named after
/// the layer computing each.
void ProjectBuilder::findOutputs() {
  Block &body = func.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  auto addPort = [&](DequantizeOp dequantize, std::string onnxName,
                     std::string hostNote) {
    HlsPort port;
    port.onnxName = std::move(onnxName);
    port.cName = cIdentifier("out_" + port.onnxName, usedNames);
    port.source = dequantize.getResult();
    port.hostNote = std::move(hostNote);
    auto type = cast<RankedTensorType>(dequantize.getInput().getType());
    port.shape.assign(type.getShape().begin(), type.getShape().end());
    Int8ActivationQuant quant = *getInt8ActivationQuant(type);
    port.scale = quant.scale;
    port.zeroPoint = quant.zeroPoint;
    outputPorts[dequantize.getInput()] = port.cName;
    project.outputs.push_back(std::move(port));
  };
  for (auto [i, operand] : llvm::enumerate(ret.getOperands())) {
    Operation *def = operand.getDefiningOp();
    if (def && suffixOps.contains(def))
      continue; // the host computes it
    auto nameAttr = func.getResultAttrOfType<StringAttr>(i, "muon.name");
    std::string name = nameAttr ? nameAttr.str() : "output" + std::to_string(i);
    auto dequantize = dyn_cast_or_null<DequantizeOp>(def);
    if (!dequantize ||
        !getInt8ActivationQuant(dequantize.getInput().getType())) {
      reject(def ? def : ret.getOperation(),
             "output '" + name +
                 "' is not the dequantization of a signed 8-bit tensor "
                 "(--hls-host-suffix leaves float ops after the last "
                 "dequantization to the host)");
      continue;
    }
    if (outputPorts.count(dequantize.getInput()) ||
        buffers.count(dequantize.getInput())) {
      reject(dequantize, "returns an input, or one tensor as two outputs");
      continue;
    }
    addPort(dequantize, name, "");
  }
  for (Operation &op : body.without_terminator()) {
    auto dequantize = dyn_cast<DequantizeOp>(op);
    if (!dequantize || outputPorts.count(dequantize.getInput()) ||
        llvm::none_of(dequantize->getUsers(), [&](Operation *user) {
          return suffixOps.contains(user);
        }))
      continue;
    if (!getInt8ActivationQuant(dequantize.getInput().getType()) ||
        buffers.count(dequantize.getInput())) {
      reject(dequantize, "dequantizes an input or a tensor other than signed "
                         "8-bit for the host's float ops");
      continue;
    }
    Operation *producer = dequantize.getInput().getDefiningOp();
    SmallVector<std::string> nodes = producer
                                         ? getOnnxNodeNames(producer->getLoc())
                                         : SmallVector<std::string>();
    addPort(dequantize,
            nodes.empty() ? "output" + std::to_string(project.outputs.size())
                          : nodes.front(),
            "the host runs the model's float ops after it "
            "(--hls-host-suffix)");
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
  // The layer as `pixels` output pixels of `channels` sums of `depth`
  // products each, weightAt(c, k) being the k-th weight of channel c.
  StringRef kernel;
  int64_t pixels = 0, channels = 0, depth = 0, groupChannels = 0;
  std::function<int64_t(int64_t c, int64_t k)> weightAt;
  if (auto conv = dyn_cast<ConvOp>(product)) {
    if (inType.getRank() != 4) {
      reject(product, "only 2-D convolutions have an HLS kernel");
      return;
    }
    kernel = "conv2d";
    pixels = outType.getDimSize(2) * outType.getDimSize(3);
    channels = outType.getDimSize(1);
    groupChannels = channels / conv.getGroup();
    depth = weightShape[1] * weightShape[2] * weightShape[3];
    weightAt = [&](int64_t c, int64_t k) { return (*weight)[c * depth + k]; };
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
    kernel = "dense";
    pixels = inType.getDimSize(0);
    channels = outType.getDimSize(1);
    depth = inType.getDimSize(1);
    weightAt = [&, transposed](int64_t c, int64_t k) {
      return (*weight)[transposed ? c * depth + k : k * channels + c];
    };
  }

  // The lanes of the reuse factor asked for, among those the kernel has.
  std::vector<Lanes> choices = kernel == "conv2d" ? convLanes(groupChannels)
                                                  : denseLanes(channels, depth);
  int64_t products = channels * depth;
  int64_t reuse = requestedReuse(product);
  auto lanes = llvm::find_if(choices, [&](const Lanes &choice) {
    return reuse ? choice.count() * reuse == products : choice.count() == 1;
  });
  if (lanes == choices.end()) {
    // Reported, and the layer built with one multiplier so that the later
    // layers' mistakes are reported too.
    failures.push_back(describeRejection(
        product,
        ("reuse factor " + Twine(reuse) + " is not one this layer has (" +
         Twine(products) + " products per output pixel); valid: " +
         validReuseFactors(choices, products))
            .str()));
    lanes = choices.begin();
  }
  reuse = products / lanes->count();

  std::string layer = beginLayer(product, kernel);
  std::string kernelCall;
  if (auto conv = dyn_cast<ConvOp>(product)) {
    ArrayRef<int64_t> strides = conv.getStrides(),
                      dilations = conv.getDilations(), pads = conv.getPads();
    kernelCall = llvm::formatv(
        "muon_hls::conv2d<{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, "
        "{10}, {11}, {12}, {13}, {14}, {15}>",
        inType.getDimSize(1), inType.getDimSize(2), inType.getDimSize(3),
        channels, outType.getDimSize(2), outType.getDimSize(3), weightShape[2],
        weightShape[3], strides[0], strides[1], dilations[0], dilations[1],
        pads[0], pads[1], conv.getGroup(), lanes->pe);
  } else {
    kernelCall = llvm::formatv("muon_hls::dense<{0}, {1}, {2}, {3}, {4}>",
                               pixels, depth, channels, lanes->pe, lanes->simd);
  }
  LayerEstimate estimate = estimateLayer(
      layer, kernel.str(), layerNode, pixels * (channels / lanes->pe),
      depth / lanes->simd, kMacDepth, kRequantDepth,
      KernelUnits{lanes->count(), lanes->pe, 0});
  estimate.reuse = reuse;
  estimate.multipliers = lanes->count();
  project.estimate.layers.push_back(std::move(estimate));
  params += llvm::formatv("// Reuse factor {0}: {1} x {2} multipliers (output "
                          "channels x products of a sum), {0} pipelined "
                          "iterations per output pixel. Valid: {3}.\n",
                          reuse, lanes->pe, lanes->simd,
                          validReuseFactors(choices, products))
                .str();

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

  // The weights in the order the kernel's lanes read them (muon_hls.h):
  // [channels / PE][depth / SIMD][PE][SIMD].
  SmallVector<int64_t> laneOrder(channels * depth);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t k = 0; k < depth; ++k)
      laneOrder[((c / lanes->pe) * (depth / lanes->simd) + k / lanes->simd) *
                    lanes->count() +
                (c % lanes->pe) * lanes->simd + k % lanes->simd] =
          weightAt(c, k);
  weights += llvm::formatv("static const int8_t {0}_weight[{1}] = {2};\n",
                           layer, laneOrder.size(), arrayInitializer(laneOrder))
                 .str();
  SmallVector<int64_t> biasValues =
      bias ? *bias : SmallVector<int64_t>(channels, 0);
  weights += llvm::formatv("static const int32_t {0}_bias[{1}] = {2};\n", layer,
                           channels, arrayInitializer(biasValues))
                 .str();
  // The weights, and the bias, multiplier and shift of each channel.
  LayerEstimate &estimated = project.estimate.layers.back();
  estimated.bram18 =
      bram18ForArray(weight->size(), 8) + 3 * bram18ForArray(channels, 32);
  estimated.lut +=
      lutRamForArray(weight->size(), 8) + 3 * lutRamForArray(channels, 32);
  std::string out = output(requantize.getResult());
  emitCall(llvm::formatv("  {0}({1}, {2}_weight, {2}_bias, {3}, {2}_requant, "
                         "{4});\n",
                         kernelCall, *in, layer, inQuant->zeroPoint, out)
               .str());
}

/// The estimate and the max_pool2d call of `pool` from array `in` into
/// `out`: a tap outside the input never wins, in int8 as in float.
static std::pair<LayerEstimate, std::string>
maxPoolCall(MaxPoolOp pool, const std::string &layer, const std::string &node,
            StringRef in, StringRef out) {
  auto inType = cast<RankedTensorType>(pool.getInput().getType());
  RankedTensorType outType = pool.getType();
  ArrayRef<int64_t> kernel = pool.getKernelShape(), strides = pool.getStrides(),
                    dilations = pool.getDilations(), pads = pool.getPads();
  LayerEstimate estimate = estimateLayer(
      layer, "max_pool2d", node,
      outType.getDimSize(1) * outType.getDimSize(2) * outType.getDimSize(3),
      kernel[0] * kernel[1], kCompareDepth, 0, KernelUnits{0, 0, 1});
  std::string call =
      llvm::formatv("  muon_hls::max_pool2d<{0}, {1}, {2}, {3}, "
                    "{4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}>({13}, "
                    "{14});\n",
                    inType.getDimSize(1), inType.getDimSize(2),
                    inType.getDimSize(3), outType.getDimSize(2),
                    outType.getDimSize(3), kernel[0], kernel[1], strides[0],
                    strides[1], dilations[0], dilations[1], pads[0], pads[1],
                    in, out)
          .str();
  return {std::move(estimate), std::move(call)};
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
  std::string out = output(pool.getResult());
  auto [estimate, call] = maxPoolCall(pool, layer, layerNode, *in, out);
  project.estimate.layers.push_back(std::move(estimate));
  emitCall(call);
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
      kAddDepth, 0, KernelUnits{0, 3, 0}));
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
  emitCall(llvm::formatv("  muon_hls::quantized_add<{0}>({1}, {2}, "
                         "{3}_params, {4});\n",
                         add.getType().getNumElements(), *a, *b, layer, result)
               .str());
}

QuantizeOp ProjectBuilder::requantizedConcat(ConcatOp concat) {
  auto quantize = concat->hasOneUse()
                      ? dyn_cast<QuantizeOp>(*concat->getUsers().begin())
                      : QuantizeOp();
  if (!quantize || !getInt8ActivationQuant(quantize.getType()) ||
      llvm::any_of(concat.getInputs(), [](Value input) {
        auto dequantize = input.getDefiningOp<DequantizeOp>();
        return !dequantize ||
               !getInt8ActivationQuant(dequantize.getInput().getType());
      }))
    return QuantizeOp();
  return quantize;
}

/// The value of a unary float op the CPU int8 path runs between a
/// dequantization and a quantization, in f32 as ElementwiseToLinalg.cpp
/// computes it.
static float applyUnary(Operation *op, float x) {
  if (isa<ReluOp>(op))
    return std::fmax(x, 0.0f);
  if (auto leaky = dyn_cast<LeakyReluOp>(op))
    return x < 0.0f ? x * static_cast<float>(leaky.getAlpha().convertToDouble())
                    : x;
  auto clip = cast<ClipOp>(op);
  if (auto min = clip.getMin())
    x = std::fmax(x, static_cast<float>(min->convertToDouble()));
  if (auto max = clip.getMax())
    x = std::fmin(x, static_cast<float>(max->convertToDouble()));
  return x;
}

/// The int8 value the CPU int8 path gives each int8 `q` of scale `from`
/// when it dequantizes it, applies the unary float ops `ops`, and quantizes
/// the result to scale `to`, in f32 as QuantToLinalg.cpp does:
/// round_half_even(op(f32(q - z) * s) / s') + z', saturated. 256 entries,
/// for q = -128 to 127.
static SmallVector<int64_t>
requantizationTable(Int8ActivationQuant from, Int8ActivationQuant to,
                    ArrayRef<Operation *> ops = {}) {
  SmallVector<int64_t> table;
  for (int64_t q = -128; q <= 127; ++q) {
    float x =
        static_cast<float>(q - from.zeroPoint) * static_cast<float>(from.scale);
    for (Operation *op : ops)
      x = applyUnary(op, x);
    float shifted = std::nearbyint(x / static_cast<float>(to.scale)) +
                    static_cast<float>(to.zeroPoint);
    table.push_back(
        static_cast<int64_t>(std::fmin(std::fmax(shifted, -128.0f), 127.0f)));
  }
  return table;
}

/// A Concat along `axis` is, for each input, OUTER blocks (the product of
/// the dimensions before the axis) of CHUNK elements (its axis size times
/// the dimensions after) copied into the output's blocks at an offset. A
/// requantized Concat's dequantizations, float Concat and quantization
/// become one table lookup per element.
void ProjectBuilder::lowerConcat(ConcatOp concat, QuantizeOp quantize) {
  SmallVector<Value> int8Inputs;
  for (Value input : concat.getInputs())
    int8Inputs.push_back(
        quantize ? input.getDefiningOp<DequantizeOp>().getInput() : input);
  SmallVector<std::string> inputs;
  for (Value input : int8Inputs) {
    std::optional<std::string> in = this->input(concat, input);
    if (!in)
      return;
    inputs.push_back(*in);
  }
  std::string layer = beginLayer(concat, "concat");
  Value resultValue = quantize ? quantize.getResult() : concat.getResult();
  auto outType = cast<RankedTensorType>(resultValue.getType());
  int64_t axis = concat.getAxis() < 0 ? concat.getAxis() + outType.getRank()
                                      : concat.getAxis();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= outType.getDimSize(d);
  for (int64_t d = axis + 1; d < outType.getRank(); ++d)
    inner *= outType.getDimSize(d);
  Int8ActivationQuant out = *getInt8ActivationQuant(outType);
  LayerEstimate estimate = layerBase(layer, "concat", layerNode);
  std::string calls;
  std::string result = output(resultValue);
  int64_t offset = 0, outChunk = outType.getDimSize(axis) * inner;
  for (auto [i, input] : llvm::enumerate(int8Inputs)) {
    int64_t chunk = cast<ShapedType>(input.getType()).getDimSize(axis) * inner;
    if (quantize) {
      weights +=
          llvm::formatv(
              "// {0}: input {1}'s int8 value q at [q + 128], as the CPU "
              "requantizes it.\nstatic const int8_t {0}_table{1}[256] = "
              "{2};\n",
              layer, i,
              arrayInitializer(requantizationTable(
                  *getInt8ActivationQuant(input.getType()), out)))
              .str();
      calls += llvm::formatv("  muon_hls::concat_input<{0}, {1}, {2}, {3}>("
                             "{4}, {5}_table{6}, {7});\n",
                             outer, chunk, offset, outChunk, inputs[i], layer,
                             i, result)
                   .str();
      estimate.bram18 += bram18ForArray(256, 8);
      estimate.lut += lutRamForArray(256, 8);
    } else {
      calls += llvm::formatv("  muon_hls::concat_copy<{0}, {1}, {2}, {3}>({4}, "
                             "{5});\n",
                             outer, chunk, offset, outChunk, inputs[i], result)
                   .str();
    }
    estimate.iterations += outer * chunk;
    estimate.latency += outer * (chunk + kCopyDepth - 1);
    offset += chunk;
  }
  project.estimate.layers.push_back(std::move(estimate));
  emitCall(calls);
}

void ProjectBuilder::findTabulated() {
  for (Operation &op : func.getBody().front().without_terminator()) {
    auto quantize = dyn_cast<QuantizeOp>(op);
    if (!quantize || !getInt8ActivationQuant(quantize.getType()))
      continue;
    if (auto concat = quantize.getInput().getDefiningOp<ConcatOp>();
        concat && requantizedConcat(concat)) {
      tabulated.insert(concat);
      for (Value input : concat.getInputs())
        tabulated.insert(input.getDefiningOp());
      tableConcats[quantize] = concat;
      continue;
    }
    // Back from the quantization through single-use unary ops to a
    // dequantization of an int8 tensor.
    SmallVector<Operation *> chain;
    Value value = quantize.getInput();
    Operation *def = value.getDefiningOp();
    while (def && isa<ReluOp, ClipOp, LeakyReluOp>(def) && def->hasOneUse()) {
      chain.push_back(def);
      def = def->getOperand(0).getDefiningOp();
    }
    // A 2-D max pool of the dequantized tensor commutes with the
    // (increasing) dequantization: int8 max pooling, then the table.
    if (auto pool = dyn_cast_or_null<MaxPoolOp>(def);
        pool && pool->hasOneUse() && pool.getType().getRank() == 4) {
      chain.push_back(pool);
      def = pool.getInput().getDefiningOp();
    }
    auto dequantize = dyn_cast_or_null<DequantizeOp>(def);
    if (!dequantize ||
        !getInt8ActivationQuant(dequantize.getInput().getType()) ||
        (chain.empty() && !dequantize->hasOneUse()))
      continue;
    chain.push_back(dequantize);
    std::reverse(chain.begin(), chain.end());
    tabulated.insert(chain.begin(), chain.end());
    tableMaps[quantize] = std::move(chain);
  }
  // A dequantization that is also returned, or read by other float ops,
  // is not the tables' alone.
  for (Operation *op : llvm::to_vector(tabulated))
    if (isa<DequantizeOp>(op) &&
        llvm::any_of(op->getUsers(), [&](Operation *user) {
          return !tabulated.contains(user) && !isa<QuantizeOp>(user);
        }))
      tabulated.erase(op);
}

void ProjectBuilder::lowerTableMap(QuantizeOp quantize,
                                   ArrayRef<Operation *> chain) {
  auto dequantize = cast<DequantizeOp>(chain.front());
  std::optional<std::string> in = input(quantize, dequantize.getInput());
  if (!in)
    return;
  chain = chain.drop_front();
  auto pool = chain.empty() ? MaxPoolOp() : dyn_cast<MaxPoolOp>(chain.front());
  if (pool)
    chain = chain.drop_front();
  std::string layer =
      beginLayer(quantize, pool ? "max_pool2d, map_table" : "map_table");
  SmallVector<int64_t> table = requantizationTable(
      *getInt8ActivationQuant(dequantize.getInput().getType()),
      *getInt8ActivationQuant(quantize.getType()), chain);
  std::string ops;
  for (Operation *op : chain)
    ops += (ops.empty() ? "" : ", ") + op->getName().stripDialect().str();
  weights += llvm::formatv("// {0}: the int8 value q at [q + 128] after "
                           "{1}, as the CPU computes it in float.\n"
                           "static const int8_t {0}_table[256] = {2};\n",
                           layer, ops.empty() ? "requantization" : ops,
                           arrayInitializer(table))
                 .str();
  int64_t elements = quantize.getType().getNumElements();
  LayerEstimate estimate = estimateLayer(
      layer, "map_table", layerNode, 1, elements, kCopyDepth, 0, KernelUnits{});
  std::string out = output(quantize.getResult());
  std::string calls, mapped = *in;
  if (pool) {
    // Pooled into an array of the layer's own, then mapped.
    mapped = layer + "_pooled";
    auto [poolEstimate, poolCall] =
        maxPoolCall(pool, layer, layerNode, *in, mapped);
    calls =
        llvm::formatv("  static int8_t {0}[{1}];\n", mapped, elements).str() +
        poolCall;
    estimate.kernel = "max_pool2d+map_table";
    estimate.iterations += poolEstimate.iterations;
    estimate.latency += poolEstimate.latency;
    estimate.lut += poolEstimate.lut - kLutPerLayer;
    estimate.ff += poolEstimate.ff - kFfPerLayer;
    estimate.bram18 += bram18ForArray(elements, 8);
    estimate.lut += lutRamForArray(elements, 8);
  }
  estimate.bram18 += bram18ForArray(256, 8);
  estimate.lut += lutRamForArray(256, 8);
  project.estimate.layers.push_back(std::move(estimate));
  calls += llvm::formatv("  muon_hls::map_table<{0}>({1}, {2}_table, {3});\n",
                         elements, mapped, layer, out)
               .str();
  emitCall(calls);
}

LogicalResult ProjectBuilder::run() {
  lowerInputs();
  findOutputs();
  findTabulated();
  for (Operation &op : func.getBody().front().without_terminator()) {
    pendingInputs.clear();
    pendingShapes.clear();
    if (rejectedOps.contains(&op))
      continue;
    if (isa<ConstantOp, quant::StorageCastOp>(op))
      continue; // weights, read by their users
    if (prefixOps.contains(&op) || suffixOps.contains(&op))
      continue; // the host's
    if (tabulated.contains(&op))
      continue; // a table's, lowered with the quantization ending it
    if (auto quantize = dyn_cast<QuantizeOp>(op)) {
      if (ConcatOp concat = tableConcats.lookup(quantize)) {
        lowerConcat(concat, quantize);
        continue;
      }
      if (auto chain = tableMaps.find(quantize); chain != tableMaps.end()) {
        lowerTableMap(quantize, chain->second);
        continue;
      }
      if (!buffers.count(quantize.getResult()) && !rejectedOps.contains(&op))
        reject(&op, "quantizes a float the model computes; the HLS design "
                    "is int8 from its inputs on (--hls-host-prefix leaves "
                    "float preprocessing of the inputs to the host)");
      continue; // inputs' quantizations are the ports
    }
    if (auto dequantize = dyn_cast<DequantizeOp>(op)) {
      if (!outputPorts.count(dequantize.getInput()))
        reject(&op, "dequantizes a value the model does not return (a "
                    "float op follows; the HLS design is int8 throughout; "
                    "--hls-host-suffix leaves float ops after the last "
                    "dequantizations to the host)");
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
    if (auto concat = dyn_cast<ConcatOp>(op)) {
      // A Concat of int8 tensors of its own quantization copies them.
      std::optional<Int8ActivationQuant> out =
          getInt8ActivationQuant(concat.getType());
      if (out && llvm::all_of(concat.getInputs(), [&](Value input) {
            std::optional<Int8ActivationQuant> in =
                getInt8ActivationQuant(input.getType());
            return in && in->scale == out->scale &&
                   in->zeroPoint == out->zeroPoint;
          })) {
        lowerConcat(concat, QuantizeOp());
        continue;
      }
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
      if (available(&op, reshape.getInput()))
        aliases[reshape.getResult()] = reshape.getInput();
      continue;
    }
    reject(&op, "has no HLS kernel");
  }
  if (!failures.empty())
    return failure();
  if (options.io == HlsIo::Stream)
    writeDataflow();
  remarkHostOps();
  return writeFiles();
}

/// The number of int8 elements of `value`.
static int64_t elementCount(Value value) {
  return cast<ShapedType>(value.getType()).getNumElements();
}

/// Every (value, reader) pair is a FIFO. A process reads its whole input
/// before it computes, so a FIFO from u into a process v that has another
/// input computed from u's tensor must hold all of that tensor: v reads the
/// other input only after u has written every element (each process on the
/// way reads its whole input first), and u writes both in one pass. Every
/// other FIFO needs 2 entries: its reader waits on nothing that waits on
/// its writer, so a full FIFO only stalls the writer until the reader
/// catches up. A model input read by several layers is copied to each by a
/// split process.
void ProjectBuilder::writeDataflow() {
  llvm::DenseMap<Value, const Process *> producer;
  for (const Process &process : processes)
    producer[process.output] = &process;
  // Whether `a` is computed from `b`.
  std::function<bool(Value, Value, llvm::DenseSet<Value> &)> dependsOn =
      [&](Value a, Value b, llvm::DenseSet<Value> &seen) {
        if (a == b)
          return true;
        const Process *process = producer.lookup(a);
        if (!process || !seen.insert(a).second)
          return false;
        return llvm::any_of(process->inputs,
                            [&](Value in) { return dependsOn(in, b, seen); });
      };
  llvm::DenseMap<Value, int> readerCount;
  for (const Process &process : processes)
    for (Value value : process.inputs)
      ++readerCount[value];
  llvm::DenseMap<Value, std::string> inputPorts;
  for (auto &[value, name] : buffers)
    if (!producer.count(value))
      inputPorts[value] = name;

  auto addArray = [&](int64_t elements) {
    project.estimate.bufferBram18 += bram18ForArray(elements, 8);
    project.estimate.bufferLut += lutRamForArray(elements, 8);
  };
  // The streams each value's writer writes, and each process reads.
  llvm::DenseMap<Value, SmallVector<std::string>> writes;
  std::vector<SmallVector<std::string>> reads(processes.size());
  std::string fifos, calls, functions;
  int fifoCount = 0;
  for (auto [index, process] : llvm::enumerate(processes)) {
    for (auto [position, value] : llvm::enumerate(process.inputs)) {
      auto port = inputPorts.find(value);
      if (port != inputPorts.end() && readerCount[value] == 1) {
        reads[index].push_back(port->second); // the port is the FIFO
        continue;
      }
      bool waits = false;
      for (auto [other, otherValue] : llvm::enumerate(process.inputs)) {
        llvm::DenseSet<Value> seen;
        waits |= other != position && dependsOn(otherValue, value, seen);
      }
      int64_t depth = waits ? elementCount(value) : 2;
      std::string fifo = "fifo" + std::to_string(++fifoCount);
      fifos += llvm::formatv("  muon_hls::stream<int8_t> {0}; // {1}\n"
                             "  MUON_HLS_PRAGMA(HLS STREAM variable={0} "
                             "depth={2})\n",
                             fifo,
                             waits ? "holds a whole tensor: its reader "
                                     "waits on a tensor computed from it"
                                   : "its reader waits on nothing else",
                             depth)
                   .str();
      addArray(depth);
      writes[value].push_back(fifo);
      reads[index].push_back(fifo);
    }
  }

  auto streamParameters = [](ArrayRef<std::string> names, StringRef prefix) {
    std::string text;
    for (size_t i = 0; i < names.size(); ++i)
      text += llvm::formatv("{0}muon_hls::stream<int8_t> &{1}{2}",
                            text.empty() ? "" : ", ", prefix, i)
                  .str();
    return text;
  };
  auto writeAll = [](int64_t elements, ArrayRef<std::string> outputs) {
    std::string text;
    for (size_t i = 0; i < outputs.size(); ++i)
      text += llvm::formatv("  muon_hls::write_stream<{0}>(y, out{1});\n",
                            elements, i)
                  .str();
    return text;
  };
  // Model inputs with several readers: a split process each.
  for (const HlsPort &port : project.inputs) {
    auto value = llvm::find_if(inputPorts, [&](const auto &entry) {
      return entry.second == port.cName;
    });
    if (value == inputPorts.end() || !writes.count(value->first))
      continue;
    ArrayRef<std::string> outputs = writes[value->first];
    int64_t elements = port.numElements();
    std::string name = "split_" + port.cName;
    functions +=
        llvm::formatv("\n// {0}: the input to each of its {1} readers.\n"
                      "static void {0}(muon_hls::stream<int8_t> &in0, {2}) {{\n"
                      "  static int8_t y[{3}];\n"
                      "  muon_hls::read_stream<{3}>(in0, y);\n{4}}\n",
                      name, outputs.size(), streamParameters(outputs, "out"),
                      elements, writeAll(elements, outputs));
    calls += llvm::formatv("  {0}({1}, {2});\n", name, port.cName,
                           llvm::join(outputs, ", "))
                 .str();
    addArray(elements);
    project.estimate.layers.insert(
        project.estimate.layers.begin(),
        layerBase(name, "split", "input '" + port.onnxName + "'"));
    addStreamLoops(project.estimate.layers.front(), {elements},
                   elements * outputs.size(), outputs.size());
  }
  for (auto [index, process] : llvm::enumerate(processes)) {
    SmallVector<std::string> outputs = writes.lookup(process.output);
    auto port = outputPorts.find(process.output);
    if (port != outputPorts.end())
      outputs.push_back(port->second);
    int64_t elements = elementCount(process.output);
    std::string arrays, readAll;
    SmallVector<int64_t> inputElements;
    for (auto [position, value] : llvm::enumerate(process.inputs)) {
      inputElements.push_back(elementCount(value));
      arrays += llvm::formatv("  static int8_t x{0}[{1}];\n", position,
                              elementCount(value))
                    .str();
      readAll += llvm::formatv("  muon_hls::read_stream<{0}>(in{1}, x{1});\n",
                               elementCount(value), position)
                     .str();
      addArray(elementCount(value));
    }
    addArray(elements);
    functions += llvm::formatv(
        "\n// {0}: {1}\nstatic void {0}({2}, {3}) {{\n{4}"
        "  static int8_t y[{5}];\n{6}{7}{8}}\n",
        process.name, process.node, streamParameters(reads[index], "in"),
        streamParameters(outputs, "out"), arrays, elements, readAll,
        process.call, writeAll(elements, outputs));
    SmallVector<std::string> arguments(reads[index]);
    arguments.append(outputs.begin(), outputs.end());
    calls += llvm::formatv("  {0}({1});\n", process.name,
                           llvm::join(arguments, ", "))
                 .str();
    // The layer's estimate: its process also reads and writes its tensors.
    LayerEstimate &layer =
        project.estimate
            .layers[project.estimate.layers.size() - processes.size() + index];
    addStreamLoops(layer, inputElements, elements * outputs.size(),
                   outputs.size());
  }
  project.estimate.dataflow = true;
  dataflowFunctions = functions;
  body = "  MUON_HLS_PRAGMA(HLS DATAFLOW)\n" + fifos + calls;
}

/// What the host must run around the design, as the NPU target says it.
void ProjectBuilder::remarkHostOps() {
  auto describe = [&](const llvm::DenseSet<Operation *> &ops) {
    SmallVector<std::string> nodes;
    for (Operation &op : func.getBody().front().without_terminator())
      if (ops.contains(&op))
        nodes.push_back(describeNode(&op));
    return llvm::join(nodes, ", ");
  };
  auto remark = [&](ArrayRef<HlsPort> ports,
                    const llvm::DenseSet<Operation *> &ops, StringRef kind,
                    StringRef what) {
    if (ops.empty())
      return;
    SmallVector<std::string> names;
    for (const HlsPort &port : ports)
      if (!port.hostNote.empty())
        names.push_back("'" + port.onnxName + "'");
    emitRemark(func.getLoc())
        << "the HLS design's " << kind << (names.size() == 1 ? " " : "s ")
        << llvm::join(names, ", ") << " " << what << ", by " << describe(ops);
  };
  remark(project.inputs, prefixOps, "input",
         "must be computed on the host (--hls-host-prefix)");
  remark(project.outputs, suffixOps, "output",
         "must be dequantized and finished on the host (--hls-host-suffix)");
}

/// A header of the project: its banner, the comment saying what it holds,
/// an include guard around its include and its body.
static std::string projectHeader(StringRef file, StringRef source,
                                 StringRef about, StringRef guard,
                                 StringRef include, StringRef body) {
  return llvm::formatv("// {0} - generated by muonc from {1}. Do not edit.\n"
                       "{2}#ifndef {3}\n#define {3}\n\n{4}\n{5}\n#endif\n",
                       file, source, about, guard, include, body)
      .str();
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
  bool stream = options.io == HlsIo::Stream;
  auto addPort = [&](const HlsPort &port, bool isInput) {
    if (!signature.empty())
      signature += ", ";
    signature +=
        stream ? "muon_hls::stream<int8_t> &" + port.cName
               : llvm::formatv("{0}int8_t {1}[{2}]", isInput ? "const " : "",
                               port.cName, port.numElements())
                     .str();
    portComments +=
        llvm::formatv("// {0} \"{1}\": int8{2}{3}, real value = {4}{5}\n",
                      isInput ? "input " : "output", commentSafe(port.onnxName),
                      shapeText(port.shape),
                      stream ? ", streamed in row-major order" : "",
                      realValue(port.scale, port.zeroPoint),
                      port.hostNote.empty() ? "" : "; " + port.hostNote)
            .str();
  };
  for (const HlsPort &port : project.inputs)
    addPort(port, true);
  for (const HlsPort &port : project.outputs)
    addPort(port, false);

  std::string header = llvm::formatv(
      R"(// {0}.h - generated by muonc from {1}. Do not edit.
#ifndef {2}
#define {2}

{5}

{3}void {0}({4});

#endif
)",
      name, source, guard, portComments, signature,
      stream ? "#include \"muon_hls_stream.h\"" : "#include <stdint.h>");

  std::string interfaces;
  for (const auto &ports : {project.inputs, project.outputs})
    for (const HlsPort &port : ports)
      interfaces += llvm::formatv("  MUON_HLS_PRAGMA(HLS INTERFACE mode={0} "
                                  "port={1})\n",
                                  stream ? "axis" : "ap_memory", port.cName)
                        .str();
  std::string top =
      llvm::formatv(R"(// {0}.cpp - generated by muonc from {1}. Do not edit.
// {6}
#include "{0}.h"
#include "{0}_params.h"
#include "{0}_weights.h"
#include "muon_hls.h"
{7}
void {0}({2}) {{
{3}  MUON_HLS_PRAGMA(HLS INTERFACE mode=s_axilite port=return)
{4}{5}}
)",
                    name, source, signature, interfaces, staticArrays, body,
                    stream ? "One dataflow process per layer, FIFOs between "
                             "them (docs/hls.md, \"Stream designs\")."
                           : "One kernel call per layer (muon_hls.h); arrays "
                             "between layers are static.",
                    dataflowFunctions);

  std::string paramsHeader = projectHeader(
      name + "_params.h", source,
      "// Requantization (multiplier, shift per output channel; zero point; "
      "fused\n// clamp) and Add parameters of each layer, as the CPU int8 "
      "path computes\n// them.\n",
      "MUON_HLS_" + StringRef(name).upper() + "_PARAMS_H",
      "#include \"muon_hls.h\"", params);
  std::string weightsHeader = projectHeader(
      name + "_weights.h", source,
      "// Weights (int8, in the order each kernel's lanes read them: "
      "[channels /\n// PE][sum / SIMD][PE][SIMD], the sum over [in][kh][kw] "
      "or the depth),\n// biases (int32) and lookup tables (int8, indexed by "
      "q + 128).\n",
      "MUON_HLS_" + StringRef(name).upper() + "_WEIGHTS_H",
      "#include <stdint.h>", "\n" + weights);

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
    if (stream) {
      // The sample goes in as a stream, which the design must read whole.
      declarations +=
          llvm::formatv("  muon_hls::stream<int8_t> {0}_stream;\n", port.cName);
      reads += llvm::formatv("    for (int i = 0; i < {1}; ++i)\n"
                             "      {0}_stream.write({0}[i]);\n",
                             port.cName, port.numElements());
      arguments += "_stream";
      compares += llvm::formatv("    if (!{0}_stream.empty())\n"
                                "      return fail(\"the design left elements "
                                "of {0} unread\");\n",
                                port.cName)
                      .str();
    }
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
    if (stream) {
      // The design must write exactly the output's elements.
      declarations +=
          llvm::formatv("  muon_hls::stream<int8_t> {0}_stream;\n", port.cName);
      arguments += "_stream";
      compares += llvm::formatv("    if ({0}_stream.size() != {1})\n"
                                "      return fail(\"the design did not write "
                                "{1} elements of {0}\");\n"
                                "    for (int i = 0; i < {1}; ++i)\n"
                                "      {0}[i] = {0}_stream.read();\n",
                                port.cName, port.numElements())
                      .str();
    }
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
# defined, so the HLS pragmas are in; g++ ignores those).{2}
CXX ?= g++
CXXFLAGS ?= -std=c++14 -O2 -Wall -Wextra -Werror -pedantic
SOURCES = {0}.cpp {0}_tb.cpp
HEADERS = {0}.h {0}_params.h {0}_weights.h muon_hls.h muon_requant.h{4}

csim: {0}_csim
	./{0}_csim tb_data

{0}_csim: $(SOURCES) $(HEADERS)
	$(CXX) $(CXXFLAGS) $(SOURCES) -o $@

count: $(SOURCES) $(HEADERS)
	$(CXX) $(CXXFLAGS) -DMUON_HLS_COUNT_ITERATIONS $(SOURCES) -o {0}_count
	./{0}_count tb_data

synthesis-view:
	$(CXX) -std=c++14 -Wall -Wextra -Werror -pedantic -Wno-unknown-pragmas -fsyntax-only -D__SYNTHESIS__{3} {0}.cpp

clean:
	rm -f {0}_csim {0}_count

.PHONY: csim count synthesis-view clean
)",
      name, source,
      stream ? "\n# Without Vitis, synthesis_view/hls_stream.h declares the "
               "hls::stream\n# members the design uses."
             : "",
      stream ? " -Isynthesis_view" : "", stream ? " muon_hls_stream.h" : "");

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
  if (stream)
    project.files.push_back({"muon_hls_stream.h", kStreamLibrary});
  if (stream)
    project.files.push_back(
        {"synthesis_view/hls_stream.h",
         R"(// hls_stream.h - generated by muonc. Do not edit.
// The members of Vitis HLS's hls::stream that a Muon stream design uses,
// declared for `make synthesis-view` on machines without Vitis; Vitis HLS
// uses its own header.
#ifndef MUON_SYNTHESIS_VIEW_HLS_STREAM_H
#define MUON_SYNTHESIS_VIEW_HLS_STREAM_H

namespace hls {
template <typename T> class stream {
public:
  T read();
  void write(const T &value);
  bool empty() const;
};
} // namespace hls

#endif
)"});
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
  // A reuse factor for a node that is no product layer is a mistake (a
  // typo, or a node a pass fused away), not something to ignore.
  std::string unknown;
  for (const auto &[node, reuse] : options.nodeReuse)
    if (!builder.reuseNodesFound.count(node))
      unknown += (unknown.empty() ? "'" : ", '") + node + "'";
  if (!unknown.empty()) {
    std::string products;
    func.walk([&](Operation *op) {
      if (isa<ConvOp, GemmOp, MatMulOp>(op))
        for (const std::string &node : getOnnxNodeNames(op->getLoc()))
          products += (products.empty() ? "'" : ", '") + node + "'";
    });
    return func.emitError("--hls-reuse names nodes that are not Conv, Gemm "
                          "or MatMul layers: ")
           << unknown << "; the model's are "
           << (products.empty() ? "none" : products);
  }
  // Every design is checked against the synthesizability rules before it
  // is written: a finding is a bug in this target, never the user's.
  std::string findings;
  for (const HlsFile &file : builder.project.files)
    if (isSynthesizedSource(file.path))
      for (const std::string &finding : lintHlsSource(file.path, file.contents))
        findings += "\n  " + finding;
  if (!findings.empty())
    return func.emitError("the generated HLS design breaks synthesizability "
                          "rules (a bug in Muon's HLS target):")
           << findings;
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
