//===- Header.cpp - The C interface of a compiled model -------------------===//

#include "targets/cpu/Header.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace muon {

int64_t TensorInterface::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// The C type that holds one element, or "" when C has none.
static std::string cTypeFor(Type type) {
  if (type.isF32())
    return "float";
  if (type.isF64())
    return "double";
  // C23's (and GCC's and Clang's, on x86-64 and AArch64) half-precision
  // type: IEEE binary16, the layout of ONNX FLOAT16.
  if (type.isF16())
    return "_Float16";
  // C has no portable bfloat16 type (GCC 12 has no __bf16): its bits, the
  // upper half of a float's, as ONNX's numpy_helper also reads them.
  if (type.isBF16())
    return "uint16_t";
  if (type.isInteger(1))
    return "bool";
  if (auto integer = dyn_cast<IntegerType>(type))
    if (llvm::is_contained({8u, 16u, 32u, 64u}, integer.getWidth()))
      return (integer.isUnsigned() ? "uint" : "int") +
             std::to_string(integer.getWidth()) + "_t";
  return "";
}

/// ONNX names may hold any character ("input.1", "487"); C needs an
/// identifier, unique among the parameters.
static std::string cIdentifier(StringRef name, llvm::StringSet<> &used) {
  std::string id;
  for (char c : name)
    id += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (id.empty() || llvm::isDigit(id[0]))
    id = "t_" + id;
  std::string unique = id;
  for (int i = 2; !used.insert(unique).second; ++i)
    unique = id + "_" + std::to_string(i);
  return unique;
}

FailureOr<ModelInterface> describeModel(ModuleOp module, StringRef name) {
  auto entry = module.lookupSymbol<func::FuncOp>((name + "_run").str());
  if (!entry)
    return module.emitError("no entry function '") << name << "_run'";
  auto workspace = entry->getAttrOfType<IntegerAttr>("muon.workspace_size");
  auto numOutputs = entry->getAttrOfType<IntegerAttr>("muon.num_outputs");
  if (!workspace || !numOutputs)
    return entry.emitError("the entry function has not been through "
                           "destination passing and workspace planning");

  ModelInterface model;
  model.name = name.str();
  if (auto source = module->getAttrOfType<StringAttr>("muon.source"))
    model.source = source.str();
  if (auto opset = module->getAttrOfType<IntegerAttr>("muon.opset"))
    model.opset = opset.getInt();
  model.workspaceSize = workspace.getInt();

  llvm::StringSet<> used = {"workspace"};
  unsigned numTensors = entry.getNumArguments() - 1;
  unsigned numInputs = numTensors - numOutputs.getInt();
  for (unsigned i = 0; i < numTensors; ++i) {
    auto type = cast<MemRefType>(entry.getArgumentTypes()[i]);
    TensorInterface tensor;
    auto onnxName = entry.getArgAttrOfType<StringAttr>(i, "muon.name");
    tensor.onnxName = onnxName ? onnxName.str() : "arg" + std::to_string(i);
    tensor.cName = cIdentifier(tensor.onnxName, used);
    // muon-to-linalg made unsigned integers signless and kept the ONNX type.
    Type elementType = type.getElementType();
    if (auto onnxType =
            entry.getArgAttrOfType<TypeAttr>(i, "muon.element_type"))
      elementType = onnxType.getValue();
    tensor.cType = cTypeFor(elementType);
    if (elementType.isBF16())
      tensor.note = "bfloat16 bits";
    if (tensor.cType.empty())
      return entry.emitError("no C type for element type ")
             << elementType << " of '" << tensor.onnxName << "'";
    tensor.shape.assign(type.getShape().begin(), type.getShape().end());
    (i < numInputs ? model.inputs : model.outputs).push_back(std::move(tensor));
  }
  return model;
}

/// `text` (a tensor or file name from the model) as it may appear inside a
/// one-line C comment: `*/` and `/*` lose their meaning (`*\/`, `/\*`) and
/// control characters are written as escapes, so that no name can end the
/// comment or the line and put code into every file that includes the
/// header.
static std::string commentSafe(llvm::StringRef text) {
  std::string safe;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if ((c == '*' && next == '/') || (c == '/' && next == '*')) {
      safe += c;
      safe += '\\';
    } else if (c == '\n') {
      safe += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      safe += llvm::formatv("\\x{0:x-2}", static_cast<unsigned char>(c));
    } else {
      safe += c;
    }
  }
  return safe;
}

static std::string describeTensor(const TensorInterface &t) {
  std::string s = "\"" + commentSafe(t.onnxName) + "\": " + t.cType;
  for (int64_t d : t.shape)
    s += "[" + std::to_string(d) + "]";
  if (!t.note.empty())
    s += " (" + t.note + ")";
  return s;
}

void emitHeader(const ModelInterface &model, llvm::raw_ostream &os) {
  std::string upper = llvm::StringRef(model.name).upper();
  os << "/* " << model.name << ".h — generated by muonc";
  if (!model.source.empty())
    os << " from " << commentSafe(model.source);
  if (model.opset)
    os << " (opset " << model.opset << ")";
  os << ". Do not edit. */\n";
  os << "#ifndef MUON_" << upper << "_H\n#define MUON_" << upper << "_H\n";
  os << "#include <stddef.h>\n#include <stdint.h>\n";
  os << "#ifndef __cplusplus\n#include <stdbool.h>\n#endif\n";
  os << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  for (const TensorInterface &t : model.inputs)
    os << "/* input  " << describeTensor(t) << " */\n";
  for (const TensorInterface &t : model.outputs)
    os << "/* output " << describeTensor(t) << " */\n";
  for (const auto *list : {&model.inputs, &model.outputs})
    for (const TensorInterface &t : *list)
      os << "#define " << upper << "_" << llvm::StringRef(t.cName).upper()
         << "_ELEMENTS " << t.numElements() << "\n";
  os << "#define " << upper << "_WORKSPACE_SIZE " << model.workspaceSize
     << "  /* bytes, caller-provided */\n";
  os << "#define " << upper << "_WORKSPACE_ALIGN 64\n\n";
  os << "/* Runs the model: reads the inputs, writes the outputs, uses the\n"
        "   workspace ("
     << upper << "_WORKSPACE_SIZE bytes, " << upper
     << "_WORKSPACE_ALIGN-byte aligned; NULL\n"
        "   when the size is 0) for intermediates. Allocates nothing. Returns "
        "0.\n"
        "   Thread-safe when each concurrent call has its own workspace. */\n";
  os << "int " << model.name << "_run(";
  bool first = true;
  for (const TensorInterface &t : model.inputs) {
    os << (first ? "" : ", ") << "const " << t.cType << " *" << t.cName;
    first = false;
  }
  for (const TensorInterface &t : model.outputs) {
    os << (first ? "" : ", ") << t.cType << " *" << t.cName;
    first = false;
  }
  os << (first ? "" : ", ") << "void *workspace);\n\n";
  os << "#ifdef __cplusplus\n}\n#endif\n#endif\n";
}

} // namespace muon
