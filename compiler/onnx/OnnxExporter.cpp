//===- OnnxExporter.cpp - muon dialect back to ONNX -----------------------===//
//
// Most muon ops are ONNX operators with the same inputs and attribute names
// (the dialect was designed that way), so one table maps op names to ONNX
// types and the attributes are translated by their kind. The exceptions are
// written out: constants become initializers, the operands of Reshape, Clip
// and Slice that muon keeps in types or attributes become initializers,
// ReduceSum's axes become an input (opset 13 and later), and quantized tensors
// become QuantizeLinear / DequantizeLinear with scale and zero point
// initializers (quant.scast, which only reinterprets storage, writes nothing).
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/OnnxExporter.h"
#include "dialects/muon/Constants.h"
#include "dialects/muon/MuonOps.h"
#include "dialects/muon/OnnxLocations.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace muon {
namespace {

/// The opset the exported model declares: LayerNormalization needs 17, and
/// every other exported operator has the same form from 13 to 17.
constexpr int64_t kOpset = 17;

/// ONNX operator types of the muon ops that translate one to one: same
/// operands in the same order, attributes with the ONNX names.
const llvm::StringMap<StringRef> &oneToOneOps() {
  static const llvm::StringMap<StringRef> ops = {
      // Element-wise.
      {"abs", "Abs"},
      {"acos", "Acos"},
      {"acosh", "Acosh"},
      {"add", "Add"},
      {"and", "And"},
      {"asin", "Asin"},
      {"asinh", "Asinh"},
      {"atan", "Atan"},
      {"atanh", "Atanh"},
      {"ceil", "Ceil"},
      {"celu", "Celu"},
      {"cos", "Cos"},
      {"cosh", "Cosh"},
      {"div", "Div"},
      {"elu", "Elu"},
      {"equal", "Equal"},
      {"erf", "Erf"},
      {"exp", "Exp"},
      {"floor", "Floor"},
      {"greater", "Greater"},
      {"greater_or_equal", "GreaterOrEqual"},
      {"hard_sigmoid", "HardSigmoid"},
      {"hard_swish", "HardSwish"},
      {"leaky_relu", "LeakyRelu"},
      {"less", "Less"},
      {"less_or_equal", "LessOrEqual"},
      {"log", "Log"},
      {"max", "Max"},
      {"min", "Min"},
      {"mish", "Mish"},
      {"mul", "Mul"},
      {"neg", "Neg"},
      {"not", "Not"},
      {"or", "Or"},
      {"pow", "Pow"},
      {"prelu", "PRelu"},
      {"reciprocal", "Reciprocal"},
      {"relu", "Relu"},
      {"round", "Round"},
      {"selu", "Selu"},
      {"sigmoid", "Sigmoid"},
      {"sign", "Sign"},
      {"sin", "Sin"},
      {"sinh", "Sinh"},
      {"softplus", "Softplus"},
      {"softsign", "Softsign"},
      {"sqrt", "Sqrt"},
      {"sub", "Sub"},
      {"tan", "Tan"},
      {"tanh", "Tanh"},
      {"thresholded_relu", "ThresholdedRelu"},
      {"where", "Where"},
      {"xor", "Xor"},
      // Linear algebra, pooling, normalisation, data movement.
      {"average_pool", "AveragePool"},
      {"batch_norm", "BatchNormalization"},
      {"concat", "Concat"},
      {"conv", "Conv"},
      {"gemm", "Gemm"},
      {"gather", "Gather"},
      {"gather_elements", "GatherElements"},
      {"global_average_pool", "GlobalAveragePool"},
      {"global_max_pool", "GlobalMaxPool"},
      {"layer_norm", "LayerNormalization"},
      {"log_softmax", "LogSoftmax"},
      {"matmul", "MatMul"},
      {"max_pool", "MaxPool"},
      {"reduce_max", "ReduceMax"},
      {"reduce_mean", "ReduceMean"},
      {"reduce_min", "ReduceMin"},
      {"softmax", "Softmax"},
      {"transpose", "Transpose"},
  };
  return ops;
}

/// The ONNX element type of an MLIR element type, 0 (UNDEFINED) when ONNX
/// has none. Signless integers are signed, as the importer reads them; a
/// quantized type is its storage.
int32_t onnxElementType(Type type) {
  if (auto quantized = dyn_cast<quant::QuantizedType>(type)) {
    if (quantized.getStorageTypeIntegralWidth() != 8)
      return quantized.getStorageTypeIntegralWidth() == 32
                 ? onnx::TensorProto::INT32
                 : 0;
    return quantized.isSigned() ? onnx::TensorProto::INT8
                                : onnx::TensorProto::UINT8;
  }
  if (type.isF32())
    return onnx::TensorProto::FLOAT;
  if (type.isF64())
    return onnx::TensorProto::DOUBLE;
  if (type.isF16())
    return onnx::TensorProto::FLOAT16;
  if (type.isBF16())
    return onnx::TensorProto::BFLOAT16;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return 0;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1:
    return onnx::TensorProto::BOOL;
  case 8:
    return isUnsigned ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8;
  case 16:
    return isUnsigned ? onnx::TensorProto::UINT16 : onnx::TensorProto::INT16;
  case 32:
    return isUnsigned ? onnx::TensorProto::UINT32 : onnx::TensorProto::INT32;
  case 64:
    return isUnsigned ? onnx::TensorProto::UINT64 : onnx::TensorProto::INT64;
  default:
    return 0;
  }
}

/// The importer's description of the ONNX node an op came from ("node
/// 'conv1' (Conv)", "node #3 (Relu)"), or "" for ops the compiler made.
StringRef nodeDescription(Location loc) {
  auto named = dyn_cast<NameLoc>(loc);
  if (!named || !named.getName().getValue().starts_with("node "))
    return "";
  return named.getName().getValue();
}

/// Whether `op` only reinterprets a quantized tensor's storage: a
/// quant.scast, or the same-width muon.cast between ONNX's uint8 and the
/// signless i8 that quant.scast takes, which the importer puts beside one.
bool isStorageReinterpretation(Operation *op) {
  if (isa<quant::StorageCastOp>(op))
    return true;
  auto cast = dyn_cast<CastOp>(op);
  if (!cast)
    return false;
  Type from = cast.getInput().getType().getElementType();
  Type to = cast.getType().getElementType();
  bool nextToStorageCast =
      cast.getInput().getDefiningOp<quant::StorageCastOp>() ||
      llvm::all_of(cast->getUsers(), [](Operation *user) {
        return isa<quant::StorageCastOp>(user);
      });
  return isa<IntegerType>(from) && isa<IntegerType>(to) &&
         from.getIntOrFloatBitWidth() == to.getIntOrFloatBitWidth() &&
         nextToStorageCast;
}

class GraphExporter {
public:
  explicit GraphExporter(func::FuncOp func) : func(func) {}

  LogicalResult run(onnx::ModelProto &model);

private:
  /// The ONNX name of `value`, made up for values without one.
  std::string nameOf(Value value);
  /// Declares a graph input or output of `value`'s type.
  void describe(onnx::ValueInfoProto &info, StringRef name, Value value);
  /// A new initializer of `type` (an ONNX element type) and `shape`
  /// holding the little-endian `bytes`; returns its name.
  std::string addInitializer(int32_t type, ArrayRef<int64_t> shape,
                             StringRef bytes, StringRef hint);
  template <typename T>
  std::string addInitializer(int32_t type, ArrayRef<int64_t> shape,
                             ArrayRef<T> values, StringRef hint) {
    return addInitializer(
        type, shape,
        StringRef(reinterpret_cast<const char *>(values.data()),
                  values.size() * sizeof(T)),
        hint);
  }
  onnx::NodeProto &addNode(Operation *op, StringRef type);
  /// Copies op's attributes but `skip` by their kind; false for a kind
  /// ONNX lacks.
  bool copyAttributes(Operation *op, onnx::NodeProto &node, StringRef skip);

  LogicalResult exportConstant(ConstantOp op);
  LogicalResult exportQuantize(Operation *op, Type quantized, StringRef type);
  /// Writes `op`'s node(s); an op without an ONNX form is added to
  /// `unsupported` instead, so that all of them are reported together.
  LogicalResult exportOp(Operation *op);

  func::FuncOp func;
  onnx::GraphProto *graph = nullptr;
  llvm::DenseMap<Value, std::string> names;
  llvm::StringSet<> usedNames;
  unsigned nextName = 0;
  SmallVector<Operation *> unsupported;
};

std::string uniqueName(llvm::StringSet<> &used, StringRef hint,
                       unsigned &counter) {
  std::string name = hint.str();
  while (name.empty() || !used.insert(name).second)
    name = (hint.empty() ? "t" : hint.str() + "_") + std::to_string(counter++);
  return name;
}

std::string GraphExporter::nameOf(Value value) {
  auto [it, inserted] = names.try_emplace(value);
  if (inserted)
    it->second = uniqueName(usedNames, "", nextName);
  return it->second;
}

void GraphExporter::describe(onnx::ValueInfoProto &info, StringRef name,
                             Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  info.set_name(name.str());
  onnx::TypeProto::Tensor *tensor = info.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnxElementType(type.getElementType()));
  onnx::TensorShapeProto *shape = tensor->mutable_shape();
  for (int64_t dim : type.getShape())
    shape->add_dim()->set_dim_value(dim);
}

std::string GraphExporter::addInitializer(int32_t type, ArrayRef<int64_t> shape,
                                          StringRef bytes, StringRef hint) {
  onnx::TensorProto *tensor = graph->add_initializer();
  tensor->set_name(uniqueName(usedNames, hint, nextName));
  tensor->set_data_type(type);
  for (int64_t dim : shape)
    tensor->add_dims(dim);
  tensor->set_raw_data(bytes.str());
  return tensor->name();
}

onnx::NodeProto &GraphExporter::addNode(Operation *op, StringRef type) {
  onnx::NodeProto *node = graph->add_node();
  node->set_op_type(type.str());
  SmallVector<std::string> names = getOnnxNodeNames(op->getLoc());
  node->set_name(
      uniqueName(usedNames, names.empty() ? type : names.front(), nextName));
  for (Value operand : op->getOperands())
    node->add_input(nameOf(operand));
  for (Value result : op->getResults())
    node->add_output(nameOf(result));
  return *node;
}

bool GraphExporter::copyAttributes(Operation *op, onnx::NodeProto &node,
                                   StringRef skip) {
  for (NamedAttribute named : op->getAttrDictionary()) {
    // Operand segment sizes describe the op's optional operands, which are
    // ONNX's optional inputs already; a dialect-prefixed discardable
    // attribute (muon.*, set by passes) has no ONNX meaning.
    if (named.getName() == "operandSegmentSizes" || named.getName() == skip ||
        named.getName().getValue().contains('.'))
      continue;
    onnx::AttributeProto attribute;
    attribute.set_name(named.getName().str());
    Attribute value = named.getValue();
    if (auto boolean = dyn_cast<BoolAttr>(value)) {
      attribute.set_type(onnx::AttributeProto::INT);
      attribute.set_i(boolean.getValue());
    } else if (auto integer = dyn_cast<IntegerAttr>(value)) {
      attribute.set_type(onnx::AttributeProto::INT);
      attribute.set_i(integer.getInt());
    } else if (auto real = dyn_cast<FloatAttr>(value)) {
      attribute.set_type(onnx::AttributeProto::FLOAT);
      attribute.set_f(real.getValueAsDouble());
    } else if (auto ints = dyn_cast<DenseI64ArrayAttr>(value)) {
      attribute.set_type(onnx::AttributeProto::INTS);
      for (int64_t i : ints.asArrayRef())
        attribute.add_ints(i);
    } else {
      return false;
    }
    *node.add_attribute() = std::move(attribute);
  }
  return true;
}

LogicalResult GraphExporter::exportConstant(ConstantOp op) {
  RankedTensorType type = op.getType();
  int32_t onnxType = onnxElementType(type.getElementType());
  std::string bytes;
  if (std::optional<SmallVector<float>> floats = getF32Constant(op)) {
    bytes.assign(reinterpret_cast<const char *>(floats->data()),
                 floats->size() * sizeof(float));
  } else if (std::optional<SmallVector<int64_t>> ints = getIntConstant(op)) {
    // Elements at their own width, little-endian; booleans one byte each.
    unsigned width = type.getElementType().getIntOrFloatBitWidth();
    unsigned size = std::max(width, 8u) / 8;
    for (int64_t v : *ints)
      for (unsigned byte = 0; byte < size; ++byte)
        bytes.push_back(static_cast<char>((v >> (8 * byte)) & 0xff));
  } else {
    return op.emitError() << "cannot export a constant of " << type;
  }
  names[op.getResult()] =
      addInitializer(onnxType, type.getShape(), StringRef(bytes), "const");
  return success();
}

/// QuantizeLinear or DequantizeLinear for the quantized type `quantized`:
/// its scales (f32, which the type holds exactly for imported models) and
/// zero points (of the storage type) become initializers.
LogicalResult GraphExporter::exportQuantize(Operation *op, Type quantized,
                                            StringRef type) {
  SmallVector<float> scales;
  SmallVector<int64_t> zeroPoints;
  std::optional<int64_t> axis;
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(quantized)) {
    scales.push_back(perTensor.getScale());
    zeroPoints.push_back(perTensor.getZeroPoint());
  } else if (auto perAxis =
                 dyn_cast<quant::UniformQuantizedPerAxisType>(quantized)) {
    for (double scale : perAxis.getScales())
      scales.push_back(scale);
    zeroPoints.assign(perAxis.getZeroPoints().begin(),
                      perAxis.getZeroPoints().end());
    axis = perAxis.getQuantizedDimension();
  } else {
    return op->emitError() << "cannot export the quantized type " << quantized;
  }
  SmallVector<int64_t> shape;
  if (axis)
    shape.push_back(scales.size());
  int32_t storage = onnxElementType(quantized);
  std::string zeroPointBytes;
  unsigned size = storage == onnx::TensorProto::INT32 ? 4 : 1;
  for (int64_t zeroPoint : zeroPoints)
    for (unsigned byte = 0; byte < size; ++byte)
      zeroPointBytes.push_back(static_cast<char>((zeroPoint >> (8 * byte))));
  onnx::NodeProto &node = addNode(op, type);
  node.add_input(addInitializer(onnx::TensorProto::FLOAT, shape,
                                ArrayRef<float>(scales), "scale"));
  node.add_input(
      addInitializer(storage, shape, StringRef(zeroPointBytes), "zero_point"));
  if (axis) {
    onnx::AttributeProto *attribute = node.add_attribute();
    attribute->set_name("axis");
    attribute->set_type(onnx::AttributeProto::INT);
    attribute->set_i(*axis);
  }
  return success();
}

LogicalResult GraphExporter::exportOp(Operation *op) {
  auto elementOf = [](Value value) {
    return cast<RankedTensorType>(value.getType()).getElementType();
  };
  if (auto constant = dyn_cast<ConstantOp>(op))
    return exportConstant(constant);
  if (isStorageReinterpretation(op)) {
    // A reinterpreted value the function returns has its output name
    // already.
    if (names.count(op->getResult(0)))
      addNode(op, "Identity");
    else
      names[op->getResult(0)] = nameOf(op->getOperand(0));
    return success();
  }
  if (isa<QuantizeOp>(op))
    return exportQuantize(op, elementOf(op->getResult(0)), "QuantizeLinear");
  if (isa<DequantizeOp>(op))
    return exportQuantize(op, elementOf(op->getOperand(0)), "DequantizeLinear");
  if (auto cast = dyn_cast<CastOp>(op)) {
    int32_t to = onnxElementType(cast.getTo());
    if (!to)
      return op->emitError() << "cannot export a cast to " << cast.getTo();
    onnx::AttributeProto *attribute = addNode(op, "Cast").add_attribute();
    attribute->set_name("to");
    attribute->set_type(onnx::AttributeProto::INT);
    attribute->set_i(to);
    return success();
  }
  if (auto reshape = dyn_cast<ReshapeOp>(op)) {
    ArrayRef<int64_t> shape = reshape.getType().getShape();
    onnx::NodeProto &node = addNode(op, "Reshape");
    node.add_input(addInitializer(onnx::TensorProto::INT64,
                                  {static_cast<int64_t>(shape.size())}, shape,
                                  "shape"));
    return success();
  }
  if (auto clip = dyn_cast<ClipOp>(op)) {
    // Clip-11 and later take the bounds as optional inputs.
    onnx::NodeProto &node = addNode(op, "Clip");
    for (std::optional<APFloat> bound : {clip.getMin(), clip.getMax()}) {
      if (!bound) {
        node.add_input("");
        continue;
      }
      float value = bound->convertToFloat();
      node.add_input(addInitializer(onnx::TensorProto::FLOAT, {},
                                    ArrayRef<float>(value), "bound"));
    }
    return success();
  }
  if (auto slice = dyn_cast<SliceOp>(op)) {
    // Slice-13 takes starts, ends and steps as inputs. An end before the
    // first element (a negative step down to index 0) is written as -dim-1,
    // which ONNX clamps to "before index 0".
    SmallVector<int64_t> ends;
    for (auto [offset, size, stride, dim] :
         llvm::zip(slice.getOffsets(), slice.getSizes(), slice.getStrides(),
                   slice.getInput().getType().getShape())) {
      int64_t end = offset + size * stride;
      ends.push_back(end < 0 ? -dim - 1 : end);
    }
    onnx::NodeProto &node = addNode(op, "Slice");
    int64_t rank = ends.size();
    node.add_input(addInitializer(onnx::TensorProto::INT64, {rank},
                                  slice.getOffsets(), "starts"));
    node.add_input(addInitializer(onnx::TensorProto::INT64, {rank},
                                  ArrayRef<int64_t>(ends), "ends"));
    auto axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    node.add_input(addInitializer(onnx::TensorProto::INT64, {rank},
                                  ArrayRef<int64_t>(axes), "axes"));
    node.add_input(addInitializer(onnx::TensorProto::INT64, {rank},
                                  slice.getStrides(), "steps"));
    return success();
  }
  if (auto reduce = dyn_cast<ReduceSumOp>(op)) {
    // ReduceSum-13 takes its axes as an input.
    onnx::NodeProto &node = addNode(op, "ReduceSum");
    ArrayRef<int64_t> axes = reduce.getAxes();
    node.add_input(addInitializer(onnx::TensorProto::INT64,
                                  {static_cast<int64_t>(axes.size())}, axes,
                                  "axes"));
    onnx::AttributeProto *keepdims = node.add_attribute();
    keepdims->set_name("keepdims");
    keepdims->set_type(onnx::AttributeProto::INT);
    keepdims->set_i(reduce.getKeepdims());
    return success();
  }
  auto it = oneToOneOps().find(op->getName().stripDialect());
  if (it == oneToOneOps().end() || op->getDialect()->getNamespace() != "muon") {
    unsupported.push_back(op);
    return success();
  }
  // ONNX's LayerNormalization requires a scale, which muon's may omit.
  if (auto layerNorm = dyn_cast<LayerNormOp>(op);
      layerNorm && !layerNorm.getScale())
    return op->emitError() << "cannot export LayerNormalization without a "
                              "scale";
  // AveragePool takes dilations from opset 19 only.
  if (auto pool = dyn_cast<AveragePoolOp>(op);
      pool &&
      llvm::any_of(pool.getDilations(), [](int64_t d) { return d != 1; }))
    return op->emitError() << "cannot export a dilated AveragePool at opset "
                           << kOpset;
  onnx::NodeProto &node = addNode(op, it->second);
  if (!copyAttributes(op, node, isa<AveragePoolOp>(op) ? "dilations" : ""))
    return op->emitError() << "cannot export an attribute of " << op->getName();
  return success();
}

LogicalResult GraphExporter::run(onnx::ModelProto &model) {
  model.set_ir_version(8);
  model.set_producer_name("muon");
  onnx::OperatorSetIdProto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  graph = model.mutable_graph();
  graph->set_name(func.getSymName().str());

  for (BlockArgument arg : func.getArguments()) {
    auto name =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "muon.name");
    names[arg] =
        uniqueName(usedNames, name ? name.getValue() : "input", nextName);
    describe(*graph->add_input(), names[arg], arg);
  }

  // Values an op computes and the function returns take their ONNX output
  // names before the ops are written.
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  SmallVector<std::string> outputNames;
  for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
    auto name = func.getResultAttrOfType<StringAttr>(i, "muon.name");
    outputNames.push_back(name ? name.str() : "output" + std::to_string(i));
    Operation *producer = value.getDefiningOp();
    if (producer && !isa<ConstantOp>(producer) && !names.count(value) &&
        usedNames.insert(outputNames.back()).second)
      names[value] = outputNames.back();
  }

  bool failedOther = false;
  for (Operation &op : func.getBody().front().without_terminator())
    failedOther |= failed(exportOp(&op));
  if (!unsupported.empty()) {
    InFlightDiagnostic diag = func.emitError() << unsupported.size()
                                               << " op(s) have no ONNX form: ";
    llvm::interleaveComma(unsupported, diag, [&](Operation *op) {
      diag << op->getName();
      StringRef description = nodeDescription(op->getLoc());
      if (!description.empty())
        diag << " at " << description;
    });
    return failure();
  }
  if (failedOther)
    return failure();

  // An output that no node computes under its name (an input, an
  // initializer, a value returned twice) comes out of an Identity.
  for (auto [value, outputName] : llvm::zip(ret.getOperands(), outputNames)) {
    std::string name = outputName;
    if (nameOf(value) != outputName) {
      if (!usedNames.insert(name).second)
        name = uniqueName(usedNames, outputName, nextName);
      onnx::NodeProto *identity = graph->add_node();
      identity->set_op_type("Identity");
      identity->add_input(nameOf(value));
      identity->add_output(name);
    }
    describe(*graph->add_output(), name, value);
  }
  return success();
}

} // namespace

LogicalResult exportOnnx(ModuleOp module, llvm::raw_ostream &os) {
  auto funcs = llvm::to_vector(module.getOps<func::FuncOp>());
  if (funcs.size() != 1)
    return module.emitError()
           << "expected one model function to export, found " << funcs.size();
  onnx::ModelProto model;
  if (failed(GraphExporter(funcs.front()).run(model)))
    return failure();
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    return module.emitError() << "the exported ONNX model could not be "
                                 "serialized (larger than 2 GiB?)";
  os << bytes;
  return success();
}

} // namespace muon
