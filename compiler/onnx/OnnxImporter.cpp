//===- OnnxImporter.cpp - ONNX model to muon dialect ----------------------===//
//
// Reads the model (binary protobuf or ONNX textual syntax), converts the
// initializers and graph inputs, then walks the nodes in their order (ONNX
// requires graphs to be topologically sorted) and hands each one to its
// conversion (looked up in OnnxOps.cpp) or to the import-time evaluation of
// shape arithmetic (ConstantEvaluation.cpp).
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/OnnxImporter.h"
#include "compiler/onnx/ConstantEvaluation.h"
#include "compiler/onnx/ExternalData.h"
#include "compiler/onnx/NodeContext.h"
#include "dialects/muon/Constants.h"
#include "dialects/muon/MuonOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/defs/parser.h"
#include "onnx/defs/schema.h"

#include <climits>
#include <exception>

using namespace mlir;
using namespace muon;
using namespace muon::onnx_importer;

// ONNX stores raw_data little-endian; it is copied as is.
static_assert(llvm::endianness::native == llvm::endianness::little,
              "the ONNX importer assumes a little-endian host");

/// How many unsupported nodes the error lists before summarising the rest.
static constexpr size_t kMaxListedUnsupported = 20;

static bool isDefaultDomain(StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

/// "node 'conv1'", or "node #3" for a node without a name (names are
/// optional in ONNX).
static std::string nodeLabel(const onnx::NodeProto &node, int64_t index) {
  if (node.name().empty())
    return llvm::formatv("node #{0}", index).str();
  return llvm::formatv("node '{0}'", node.name()).str();
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

Type onnx_importer::convertElementType(int32_t dataType, MLIRContext *context) {
  Builder b(context);
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::INT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
    return b.getI32Type();
  case onnx::TensorProto::INT64:
    return b.getI64Type();
  case onnx::TensorProto::UINT8:
    return IntegerType::get(context, 8, IntegerType::Unsigned);
  case onnx::TensorProto::UINT16:
    return IntegerType::get(context, 16, IntegerType::Unsigned);
  case onnx::TensorProto::UINT32:
    return IntegerType::get(context, 32, IntegerType::Unsigned);
  case onnx::TensorProto::UINT64:
    return IntegerType::get(context, 64, IntegerType::Unsigned);
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

std::string onnx_importer::dataTypeName(int32_t dataType) {
  if (onnx::TensorProto::DataType_IsValid(dataType))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(dataType));
  return "unknown data type " + std::to_string(dataType);
}

/// Resource keys print unquoted only when they are identifiers.
static std::string resourceKey(StringRef name) {
  std::string key;
  for (char c : name)
    key.push_back(llvm::isAlnum(c) ? c : '_');
  if (key.empty() || llvm::isDigit(key.front()))
    key.insert(0, "_");
  return key;
}

/// Appends the low `width` bytes of every value of a typed field. The field
/// ONNX uses may be wider than the element (int32_data holds int8, uint8,
/// int16, bool and float16 bits); the host is little-endian.
template <typename T>
static void appendLowBytes(const google::protobuf::RepeatedField<T> &field,
                           size_t width, std::vector<char> &bytes) {
  for (const T &value : field) {
    const char *data = reinterpret_cast<const char *>(&value);
    bytes.insert(bytes.end(), data, data + width);
  }
}

FailureOr<ElementsAttr>
onnx_importer::convertTensor(const onnx::TensorProto &tensor, StringRef name,
                             Location loc) {
  auto error = [&]() {
    return mlir::emitError(loc) << "tensor '" << name << "' ";
  };
  // loadExternalData has read every external tensor of the model.
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL ||
      tensor.external_data_size() > 0)
    return error() << "keeps its data in an external file that was not read";
  if (tensor.has_segment())
    return error() << "is segmented, which Muon does not support";
  Type elementType = convertElementType(tensor.data_type(), loc.getContext());
  if (!elementType)
    return error() << "has data type " << dataTypeName(tensor.data_type())
                   << ", which Muon does not support";

  // ONNX raw_data uses one byte per bool, as the i1 case below expects.
  int64_t width = std::max(1u, elementType.getIntOrFloatBitWidth() / 8);
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0 || (dim > 0 && count > INT64_MAX / width / dim))
      return error() << "has an invalid or too large shape";
    shape.push_back(dim);
    count *= dim;
  }

  std::vector<char> storage;
  ArrayRef<char> bytes;
  if (tensor.has_raw_data()) {
    bytes = ArrayRef<char>(tensor.raw_data().data(), tensor.raw_data().size());
    if (static_cast<int64_t>(bytes.size()) != count * width)
      return error() << "has " << bytes.size() << " bytes of raw data for "
                     << "shape [" << shape << "] (" << count << " elements of "
                     << width << " bytes)";
  } else {
    switch (tensor.data_type()) {
    case onnx::TensorProto::FLOAT:
      appendLowBytes(tensor.float_data(), width, storage);
      break;
    case onnx::TensorProto::DOUBLE:
      appendLowBytes(tensor.double_data(), width, storage);
      break;
    case onnx::TensorProto::INT64:
      appendLowBytes(tensor.int64_data(), width, storage);
      break;
    // uint32 and uint64 values live in uint64_data; uint16 in int32_data.
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
      appendLowBytes(tensor.uint64_data(), width, storage);
      break;
    default:
      appendLowBytes(tensor.int32_data(), width, storage);
      break;
    }
    if (static_cast<int64_t>(storage.size()) != count * width)
      return error() << "has " << storage.size() / width
                     << " values for shape [" << shape << "] (" << count
                     << " elements)";
    bytes = storage;
  }

  auto type = RankedTensorType::get(shape, elementType);
  if (elementType.isInteger(1)) {
    SmallVector<bool> values(
        llvm::map_range(bytes, [](char c) { return c != 0; }));
    return cast<ElementsAttr>(DenseElementsAttr::get(type, ArrayRef(values)));
  }
  if (count > muon::kMaxInlineElements)
    return cast<ElementsAttr>(DenseResourceElementsAttr::get(
        type, resourceKey(name),
        HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, width)));
  return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(type, bytes));
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(const onnx::NodeProto &node, int64_t opset,
                         Location loc, OpBuilder &builder,
                         SmallVector<Value> inputs,
                         const llvm::StringSet<> &usedValues)
    : node(node), opsetVersion(opset), location(loc), b(builder),
      inputValues(std::move(inputs)), results(node.output_size()),
      usedValues(usedValues) {}

InFlightDiagnostic NodeContext::emitError() const {
  // The location names the node; tools print it before the message.
  return mlir::emitError(location);
}

RankedTensorType NodeContext::inputType(unsigned i) const {
  return cast<RankedTensorType>(input(i).getType());
}

LogicalResult NodeContext::expectInputs(unsigned min, unsigned max) const {
  unsigned count = numInputs();
  if (count < min || count > max) {
    InFlightDiagnostic diag = emitError() << "expects ";
    if (min == max)
      diag << min;
    else if (max == UINT_MAX)
      diag << "at least " << min;
    else
      diag << min << " to " << max;
    return diag << " inputs, got " << count;
  }
  for (unsigned i = 0; i < min; ++i)
    if (!inputValues[i])
      return emitError() << "input " << i << " is required";
  return success();
}

DenseElementsAttr NodeContext::constantInput(unsigned i) const {
  Value value = input(i);
  if (!value)
    return {};
  if (auto constant = value.getDefiningOp<ConstantOp>())
    return dyn_cast<DenseElementsAttr>(constant.getValue());
  return {};
}

FailureOr<SmallVector<int64_t>>
NodeContext::constantInts(unsigned i, StringRef what) const {
  DenseElementsAttr value = constantInput(i);
  if (!value || !isa<IntegerType>(value.getElementType()))
    return emitError() << what << " (input " << i
                       << ") must be an integer constant known at import time";
  return llvm::to_vector(
      llvm::map_range(value.getValues<APInt>(),
                      [](const APInt &v) { return v.getSExtValue(); }));
}

std::optional<double> onnx_importer::scalarValue(DenseElementsAttr value) {
  if (!value || value.getNumElements() != 1)
    return std::nullopt;
  Attribute element = *value.getValues<Attribute>().begin();
  if (auto floatAttr = dyn_cast<FloatAttr>(element))
    return floatAttr.getValueAsDouble();
  auto intAttr = dyn_cast<IntegerAttr>(element);
  if (!intAttr)
    return std::nullopt;
  if (intAttr.getType().isUnsignedInteger())
    return static_cast<double>(intAttr.getValue().getZExtValue());
  return static_cast<double>(intAttr.getValue().getSExtValue());
}

FailureOr<double> NodeContext::constantScalar(unsigned i,
                                              StringRef what) const {
  std::optional<double> value = scalarValue(constantInput(i));
  if (!value)
    return emitError() << what << " (input " << i
                       << ") must be a one-element constant known at import "
                          "time";
  return *value;
}

FailureOr<std::optional<SmallVector<int64_t>>>
NodeContext::readInts(StringRef name, unsigned index,
                      int64_t inputSince) const {
  if (opsetVersion < inputSince)
    return getInts(name);
  if (!input(index))
    return std::optional<SmallVector<int64_t>>();
  FailureOr<SmallVector<int64_t>> ints = constantInts(index, name);
  if (failed(ints))
    return failure();
  return std::optional<SmallVector<int64_t>>(std::move(*ints));
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const onnx::AttributeProto &attribute : node.attribute())
    if (attribute.name() == name)
      return &attribute;
  return nullptr;
}

int64_t NodeContext::getInt(StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->i() : defaultValue;
}

float NodeContext::getFloat(StringRef name, float defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->f() : defaultValue;
}

StringRef NodeContext::getString(StringRef name, StringRef defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? StringRef(a->s()) : defaultValue;
}

std::optional<SmallVector<int64_t>> NodeContext::getInts(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

const onnx::TensorProto *NodeContext::getTensor(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  return a && a->has_t() ? &a->t() : nullptr;
}

FailureOr<int64_t> NodeContext::normalizeAxis(int64_t axis, int64_t rank,
                                              StringRef what) const {
  if (axis < -rank || axis >= rank)
    return emitError() << what << " " << axis << " is out of range for rank "
                       << rank;
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>>
NodeContext::normalizeAxes(ArrayRef<int64_t> axes, int64_t rank) const {
  SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    FailureOr<int64_t> d = normalizeAxis(axis, rank, "axes entry");
    if (failed(d))
      return failure();
    result.push_back(*d);
  }
  llvm::sort(result);
  if (std::adjacent_find(result.begin(), result.end()) != result.end())
    return emitError() << "axes [" << axes << "] name a dimension twice";
  return result;
}

bool NodeContext::isOutputUsed(unsigned i) const {
  return i < results.size() && !node.output(i).empty() &&
         usedValues.contains(node.output(i));
}

LogicalResult NodeContext::setResult(unsigned i, FailureOr<Value> value) {
  if (failed(value))
    return failure();
  if (i >= results.size())
    return emitError() << "has no output " << i;
  results[i] = *value;
  return success();
}

FailureOr<Value> NodeContext::reshape(Value value, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (llvm::any_of(shape, [](int64_t dim) { return dim < 0; }))
    return emitError() << "cannot reshape " << type << " to [" << shape
                       << "]: negative dimension";
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  if (resultType.getNumElements() != type.getNumElements())
    return emitError() << "cannot reshape " << type << " ("
                       << type.getNumElements() << " elements) to "
                       << resultType << " (" << resultType.getNumElements()
                       << " elements)";
  return b.createOrFold<ReshapeOp>(location, resultType, value);
}

Value NodeContext::constant(ElementsAttr value) {
  return ConstantOp::create(b, location, value);
}

LogicalResult NodeContext::inferResultType(Operation *op, InferFn infer) {
  SmallVector<Type, 1> types;
  std::string message;
  LogicalResult inferred = failure();
  {
    // Capture the op's message to restate it with the node's name.
    ScopedDiagnosticHandler capture(context(), [&](Diagnostic &diag) {
      if (message.empty())
        message = diag.str();
      return success();
    });
    inferred = infer(context(), location, op->getOperands(),
                     op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
                     op->getRegions(), types);
  }
  if (failed(inferred) || types.size() != 1) {
    op->erase();
    return emitError() << (message.empty() ? "cannot infer the result type"
                                           : message);
  }
  op->getResult(0).setType(types.front());
  return success();
}

//===----------------------------------------------------------------------===//
// Graph
//===----------------------------------------------------------------------===//

namespace {

/// Imports the main graph of one ONNX model into a func.func.
class GraphImporter {
public:
  GraphImporter(MLIRContext &context, StringRef sourceName,
                const onnx::ModelProto &model)
      : context(context), sourceName(sourceName.str()), model(model),
        graph(model.graph()),
        fileLoc(FileLineColLoc::get(&context, sourceName, 0, 0)) {}

  OwningOpRef<ModuleOp> import(StringRef entryName);

private:
  /// Errors about the model as a whole carry no location; the message
  /// starts with the file name instead.
  InFlightDiagnostic emitModelError() {
    return mlir::emitError(UnknownLoc::get(&context)) << sourceName << ": ";
  }
  /// The location of a node, initializer or input: its description for
  /// error messages ("node 'conv1' (Conv)"), within the model file.
  Location namedLoc(const Twine &description) {
    return NameLoc::get(StringAttr::get(&context, description), fileLoc);
  }

  LogicalResult readOpsets();
  LogicalResult checkOperatorsSupported();
  LogicalResult checkAttributeTypes();
  FailureOr<RankedTensorType> convertInputType(const onnx::ValueInfoProto &);
  LogicalResult checkDeclaredType(const onnx::ValueInfoProto &output,
                                  RankedTensorType computed);
  /// Records the value of an ONNX name; false when it is already defined.
  bool define(StringRef name, Value value);
  LogicalResult importInitializers(OpBuilder &builder);
  LogicalResult importNode(OpBuilder &builder, const onnx::NodeProto &node,
                           int64_t index);
  LogicalResult importOutputs(OpBuilder &builder, func::FuncOp func);

  MLIRContext &context;
  std::string sourceName;
  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  Location fileLoc;
  /// Default-domain opset, and the version imported for every domain.
  int64_t opset = 0;
  llvm::StringMap<int64_t> domainVersions;
  /// ONNX value name -> MLIR value, filled in graph order.
  llvm::StringMap<Value> values;
  /// Names consumed by some node or by the graph outputs.
  llvm::StringSet<> usedValues;
};

} // namespace

LogicalResult GraphImporter::readOpsets() {
  for (const onnx::OperatorSetIdProto &entry : model.opset_import())
    domainVersions[isDefaultDomain(entry.domain()) ? "" : entry.domain()] =
        entry.version();
  auto it = domainVersions.find("");
  if (it != domainVersions.end()) {
    opset = it->second;
    return success();
  }
  // A model may omit the default domain when it uses none of its operators;
  // then those nodes are all reported as unsupported.
  if (llvm::any_of(graph.node(), [](const onnx::NodeProto &node) {
        return isDefaultDomain(node.domain());
      }))
    return emitModelError()
           << "imports no version of the default ONNX operator set "
              "(opset_import)";
  return success();
}

/// Lists every node Muon cannot convert, so that a user sees all of them at
/// once rather than one per attempt.
LogicalResult GraphImporter::checkOperatorsSupported() {
  struct Unsupported {
    std::string op, node;
    int64_t version;
  };
  SmallVector<Unsupported> unsupported;
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    bool isDefault = isDefaultDomain(node.domain());
    if (isDefault &&
        (lookupConverter(node.op_type()) || isShapeArithmetic(node.op_type())))
      continue;
    auto version = domainVersions.find(isDefault ? "" : node.domain());
    unsupported.push_back(
        {isDefault ? node.op_type() : node.domain() + "." + node.op_type(),
         nodeLabel(node, index),
         version == domainVersions.end() ? -1 : version->second});
  }
  if (unsupported.empty())
    return success();

  size_t opWidth = 0, nodeWidth = 0;
  for (const Unsupported &entry : unsupported) {
    opWidth = std::max(opWidth, entry.op.size());
    nodeWidth = std::max(nodeWidth, entry.node.size());
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  os << unsupported.size()
     << (unsupported.size() == 1 ? " operator is" : " operators are")
     << " not supported by Muon yet:";
  for (const Unsupported &entry :
       ArrayRef(unsupported).take_front(kMaxListedUnsupported)) {
    os << "\n  " << llvm::left_justify(entry.op, opWidth + 2)
       << llvm::left_justify(entry.node, nodeWidth + 4) << "(opset ";
    if (entry.version < 0)
      os << "?)";
    else
      os << entry.version << ")";
  }
  if (unsupported.size() > kMaxListedUnsupported)
    os << "\n  ... and " << unsupported.size() - kMaxListedUnsupported
       << " more";
  os << "\nsee docs/ops.md for the supported set";
  return emitModelError() << text;
}

/// Every attribute that the operator's schema (at the model's opset) declares
/// has the declared type: the converters read attributes by name, and an
/// alpha given as a string would otherwise read as 0.
LogicalResult GraphImporter::checkAttributeTypes() {
  SmallVector<std::string> wrong;
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    if (!isDefaultDomain(node.domain()))
      continue;
    const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
        node.op_type(), static_cast<int>(opset), onnx::ONNX_DOMAIN);
    if (!schema)
      continue;
    for (const onnx::AttributeProto &attribute : node.attribute()) {
      auto declared = schema->attributes().find(attribute.name());
      if (declared == schema->attributes().end() ||
          attribute.type() == onnx::AttributeProto::UNDEFINED ||
          attribute.type() == declared->second.type)
        continue;
      wrong.push_back(llvm::formatv(
          "{0} ({1}): attribute '{2}' is {3}, not {4}", nodeLabel(node, index),
          node.op_type(), attribute.name(),
          onnx::AttributeProto::AttributeType_Name(attribute.type()),
          onnx::AttributeProto::AttributeType_Name(declared->second.type)));
    }
  }
  if (wrong.empty())
    return success();
  InFlightDiagnostic diag = emitModelError()
                            << wrong.size()
                            << (wrong.size() == 1 ? " attribute has"
                                                  : " attributes have")
                            << " the wrong type:";
  for (const std::string &line : wrong)
    diag << "\n  " << line;
  return diag;
}

FailureOr<RankedTensorType>
GraphImporter::convertInputType(const onnx::ValueInfoProto &input) {
  const std::string &name = input.name();
  if (!input.type().has_tensor_type())
    return emitModelError() << "input '" << name << "' is not a tensor";
  const onnx::TypeProto::Tensor &tensor = input.type().tensor_type();
  Type elementType = convertElementType(tensor.elem_type(), &context);
  if (!elementType)
    return emitModelError() << "input '" << name << "' has element type "
                            << dataTypeName(tensor.elem_type())
                            << ", which Muon does not support";
  if (!tensor.has_shape())
    return emitModelError()
           << "input '" << name << "' has no shape; Muon needs static shapes";
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (auto [i, dim] : llvm::enumerate(tensor.shape().dim())) {
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      // Element counts must fit in int64_t for every later size computation.
      if (dim.dim_value() > 0 && count > INT64_MAX / dim.dim_value())
        return emitModelError() << "input '" << name << "' is too large";
      count *= dim.dim_value();
      shape.push_back(dim.dim_value());
      continue;
    }
    InFlightDiagnostic diag = emitModelError()
                              << "input '" << name
                              << "' has a dynamic dimension " << i;
    if (dim.has_dim_param())
      diag << " ('" << dim.dim_param() << "')";
    return diag << "; Muon needs static shapes";
  }
  return RankedTensorType::get(shape, elementType);
}

/// The declared type of a graph output is optional; when given, it must
/// match what the model computes.
LogicalResult
GraphImporter::checkDeclaredType(const onnx::ValueInfoProto &output,
                                 RankedTensorType computed) {
  if (output.type().value_case() == onnx::TypeProto::VALUE_NOT_SET)
    return success();
  if (!output.type().has_tensor_type())
    return emitModelError()
           << "output '" << output.name() << "' is not a tensor";
  const onnx::TypeProto::Tensor &tensor = output.type().tensor_type();
  if (tensor.elem_type() != onnx::TensorProto::UNDEFINED &&
      convertElementType(tensor.elem_type(), &context) !=
          computed.getElementType())
    return emitModelError()
           << "output '" << output.name() << "' is declared as "
           << dataTypeName(tensor.elem_type()) << " but the model computes "
           << computed;
  if (!tensor.has_shape())
    return success();
  const auto &dims = tensor.shape().dim();
  bool matches = dims.size() == computed.getRank();
  for (int i = 0; matches && i < dims.size(); ++i)
    matches = !dims[i].has_dim_value() ||
              dims[i].dim_value() == computed.getDimSize(i);
  if (matches)
    return success();
  InFlightDiagnostic diag = emitModelError() << "output '" << output.name()
                                             << "' is declared with shape [";
  llvm::interleaveComma(
      dims, diag, [&](const onnx::TensorShapeProto::Dimension &dim) {
        if (dim.has_dim_value())
          diag << dim.dim_value();
        else
          diag << (dim.has_dim_param() ? dim.dim_param() : "?");
      });
  return diag << "] but the model computes " << computed;
}

bool GraphImporter::define(StringRef name, Value value) {
  return name.empty() || values.try_emplace(name, value).second;
}

LogicalResult GraphImporter::importInitializers(OpBuilder &builder) {
  if (graph.sparse_initializer_size() > 0)
    return emitModelError() << "sparse initializers are not supported";
  for (const onnx::TensorProto &tensor : graph.initializer()) {
    Location loc = namedLoc("initializer '" + tensor.name() + "'");
    FailureOr<ElementsAttr> value = convertTensor(tensor, tensor.name(), loc);
    if (failed(value))
      return failure();
    if (!define(tensor.name(), ConstantOp::create(builder, loc, *value)))
      return emitModelError()
             << "initializer '" << tensor.name() << "' is defined twice";
  }
  return success();
}

/// Shape arithmetic is evaluated when its inputs are constants; otherwise
/// the node needs a conversion to muon ops.
static LogicalResult convertNode(NodeContext &node) {
  if (isShapeArithmetic(node.opType())) {
    FailureOr<bool> evaluated = evaluateShapeArithmetic(node);
    if (failed(evaluated))
      return failure();
    if (*evaluated)
      return success();
  }
  if (ConvertFn convert = lookupConverter(node.opType()))
    return convert(node);
  InFlightDiagnostic diag = node.emitError()
                            << "Muon evaluates " << node.opType()
                            << " only at import time, from constants";
  for (auto [i, value] : llvm::enumerate(node.inputs()))
    if (value && !node.constantInput(i))
      return diag << "; input '" << node.proto().input(i)
                  << "' is computed at run time";
  return diag << "; its result is too large to evaluate";
}

LogicalResult GraphImporter::importNode(OpBuilder &builder,
                                        const onnx::NodeProto &node,
                                        int64_t index) {
  Location loc = namedLoc(nodeLabel(node, index) + " (" + node.op_type() + ")");
  SmallVector<Value> inputs;
  for (const std::string &name : node.input()) {
    if (name.empty()) {
      inputs.push_back({}); // An absent optional input.
      continue;
    }
    auto it = values.find(name);
    if (it == values.end())
      return mlir::emitError(loc)
             << "uses '" << name << "', which no earlier node, input or "
             << "initializer defines";
    inputs.push_back(it->second);
  }

  NodeContext context(node, opset, loc, builder, std::move(inputs), usedValues);
  if (failed(convertNode(context)))
    return failure();
  for (auto [i, name] : llvm::enumerate(node.output())) {
    if (Value result = context.result(i)) {
      if (!define(name, result))
        return context.emitError()
               << "defines '" << name << "', which is already defined";
    } else if (context.isOutputUsed(i)) {
      // E.g. BatchNormalization's running statistics, MaxPool's Indices.
      return context.emitError() << "output " << i << " ('" << name
                                 << "') is not supported by Muon";
    }
  }
  return success();
}

LogicalResult GraphImporter::importOutputs(OpBuilder &builder,
                                           func::FuncOp func) {
  if (graph.output().empty())
    return emitModelError() << "the graph has no outputs";
  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    auto it = values.find(output.name());
    if (it == values.end())
      return emitModelError() << "graph output '" << output.name()
                              << "' is not defined by any node, input or "
                                 "initializer";
    auto type = cast<RankedTensorType>(it->second.getType());
    if (failed(checkDeclaredType(output, type)))
      return failure();
    results.push_back(it->second);
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(FunctionType::get(&context, func.getArgumentTypes(),
                                         ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "muon.name",
                       StringAttr::get(&context, output.name()));
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::import(StringRef entryName) {
  if (failed(readOpsets()) || failed(checkOperatorsSupported()) ||
      failed(checkAttributeTypes()))
    return nullptr;

  OpBuilder builder(&context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  (*module)->setAttr("muon.source", builder.getStringAttr(
                                        llvm::sys::path::filename(sourceName)));
  (*module)->setAttr("muon.opset", builder.getI64IntegerAttr(opset));
  if (!model.producer_name().empty())
    (*module)->setAttr("muon.producer",
                       builder.getStringAttr(model.producer_name()));

  for (const onnx::NodeProto &node : graph.node())
    for (const std::string &name : node.input())
      usedValues.insert(name);
  for (const onnx::ValueInfoProto &output : graph.output())
    usedValues.insert(output.name());

  // Before IR version 4 initializers are listed among the inputs too; they
  // are constants, not arguments.
  llvm::StringSet<> initializers;
  for (const onnx::TensorProto &tensor : graph.initializer())
    initializers.insert(tensor.name());
  SmallVector<const onnx::ValueInfoProto *> arguments;
  SmallVector<Type> argumentTypes;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.contains(input.name()))
      continue;
    FailureOr<RankedTensorType> type = convertInputType(input);
    if (failed(type))
      return nullptr;
    arguments.push_back(&input);
    argumentTypes.push_back(*type);
  }

  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, entryName,
                                   builder.getFunctionType(argumentTypes, {}));
  Block &body = func.getBody().emplaceBlock();
  for (auto [i, input] : llvm::enumerate(arguments)) {
    Location loc = namedLoc("input '" + input->name() + "'");
    func.setArgAttr(i, "muon.name", builder.getStringAttr(input->name()));
    if (!define(input->name(), body.addArgument(argumentTypes[i], loc))) {
      emitModelError() << "input '" << input->name() << "' is listed twice";
      return nullptr;
    }
  }

  builder.setInsertionPointToStart(&body);
  if (failed(importInitializers(builder)))
    return nullptr;
  for (auto [index, node] : llvm::enumerate(graph.node()))
    if (failed(importNode(builder, node, index)))
      return nullptr;
  if (failed(importOutputs(builder, func)) || failed(verify(*module)))
    return nullptr;
  return module;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

/// Parses binary protobuf, or the ONNX textual syntax (onnx/defs/parser.h)
/// for a text file.
static LogicalResult parseModel(StringRef bytes, StringRef sourceName,
                                MLIRContext &context, onnx::ModelProto &model) {
  auto error = [&]() {
    return mlir::emitError(UnknownLoc::get(&context)) << sourceName << ": ";
  };
  if (bytes.empty())
    return error() << "not a valid ONNX model (the file is empty)";
  bool isText =
      sourceName.ends_with(".onnxtxt") || sourceName.ends_with(".txt");
  if (!isText) {
    if (bytes.size() > static_cast<size_t>(INT_MAX))
      return error() << "models over 2 GiB must keep their weights in "
                        "external data (protobuf holds at most 2 GiB)";
    if (model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
      return success();
    if (!bytes.ltrim().starts_with("<"))
      return error() << "not a valid ONNX model (protobuf parse failed; the "
                        "file is truncated or not an ONNX model)";
    model.Clear();
  }
  // The parser needs a NUL-terminated string and may throw on malformed
  // numbers (std::stoll).
  std::string text = bytes.str();
  onnx::Common::Status status;
  try {
    status = onnx::OnnxParser::Parse(model, text.c_str());
  } catch (const std::exception &e) {
    return error() << "not a valid ONNX text model (" << e.what() << ")";
  }
  if (!status.IsOK())
    return error() << "not a valid ONNX text model: " << status.ErrorMessage();
  return success();
}

OwningOpRef<ModuleOp> muon::importOnnxBuffer(StringRef bytes,
                                             StringRef sourceName,
                                             MLIRContext &context,
                                             StringRef entryName) {
  context.loadDialect<func::FuncDialect, MuonDialect>();
  onnx::ModelProto model;
  if (failed(parseModel(bytes, sourceName, context, model)))
    return nullptr;
  auto error = [&]() {
    return mlir::emitError(UnknownLoc::get(&context)) << sourceName << ": ";
  };
  if (!model.has_ir_version()) {
    error() << "not a valid ONNX model (no ir_version)";
    return nullptr;
  }
  if (!model.has_graph()) {
    error() << "not a valid ONNX model (no graph)";
    return nullptr;
  }
  if (failed(onnx_importer::loadExternalData(model, sourceName, context)))
    return nullptr;
  return GraphImporter(context, sourceName, model).import(entryName);
}

OwningOpRef<ModuleOp> muon::importOnnxFile(StringRef path, MLIRContext &context,
                                           StringRef entryName) {
  auto file = llvm::MemoryBuffer::getFileOrSTDIN(
      path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!file) {
    mlir::emitError(UnknownLoc::get(&context))
        << "cannot read '" << path << "': " << file.getError().message();
    return nullptr;
  }
  return importOnnxBuffer((*file)->getBuffer(), path, context, entryName);
}
