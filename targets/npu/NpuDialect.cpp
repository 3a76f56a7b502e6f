//===- NpuDialect.cpp - The npu dialect -----------------------------------===//
//
// Instruction ops are generated from isa.json; their one verifier encodes
// the op with the generated encoder, so a value that the binary could not
// hold is rejected here, with the field's name, rather than in the loader.
//
//===----------------------------------------------------------------------===//

#include "targets/npu/NpuDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/StringExtras.h"

#include <type_traits>

using namespace mlir;
using namespace muon::npu;

#include "targets/npu/NpuOpsDialect.cpp.inc"

#define GET_OP_CLASSES
#include "targets/npu/NpuOps.cpp.inc"

void NpuDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "targets/npu/NpuOps.cpp.inc"
      >();
}

namespace {
/// The opcode of op class `Op`: its kOpcode, 0 for ops that are not
/// instructions.
template <typename Op, typename = void> struct OpcodeOfClass {
  static constexpr unsigned value = 0;
};
template <typename Op>
struct OpcodeOfClass<Op, std::void_t<decltype(Op::kOpcode)>> {
  static constexpr unsigned value = Op::kOpcode;
};

template <typename... Ops> unsigned opcodeAmong(Operation *op) {
  unsigned opcode = 0;
  (void)((isa<Ops>(op) && (opcode = OpcodeOfClass<Ops>::value, true)) || ...);
  return opcode;
}
} // namespace

unsigned muon::npu::opcodeOf(Operation *op) {
  return opcodeAmong<
#define GET_OP_LIST
#include "targets/npu/NpuOps.cpp.inc"
      >(op);
}

LogicalResult muon::npu::encodeInstruction(Operation *op,
                                           InstructionBits &bits) {
  unsigned opcode = opcodeOf(op);
  unsigned count = 0;
  const FieldInfo *fields = fieldsOf(opcode, count);
  if (!fields)
    return op->emitOpError("is not an NPU instruction");
  SmallVector<int64_t> values = {opcode};
  for (const FieldInfo &field : ArrayRef(fields, count).drop_front()) {
    Attribute attr = op->getAttr(field.name);
    int64_t value = 0;
    if (auto text = dyn_cast_or_null<StringAttr>(attr)) {
      ArrayRef<const char *> names(field.enumNames, field.enumCount);
      const auto *it = llvm::find_if(names, [&](const char *name) {
        return name && text.getValue() == name;
      });
      if (it == names.end()) {
        InFlightDiagnostic diag = op->emitOpError()
                                  << "field '" << field.name << "' is \""
                                  << text.getValue() << "\", not one of ";
        llvm::interleaveComma(
            llvm::make_filter_range(names, [](const char *n) { return n; }),
            diag);
        return diag;
      }
      value = it - names.begin();
    } else if (auto flag = dyn_cast_or_null<BoolAttr>(attr)) {
      value = flag.getValue();
    } else if (auto integer = dyn_cast_or_null<IntegerAttr>(attr)) {
      value = integer.getInt();
    }
    values.push_back(value);
  }
  if (const char *field =
          encodeFields(opcode, values.data(), values.size(), bits)) {
    int64_t value = 0;
    for (unsigned i = 0; i < count; ++i)
      if (StringRef(fields[i].name) == field)
        value = values[i];
    return op->emitOpError() << "field '" << field << "' = " << value
                             << " does not fit its bits in the encoding";
  }
  return success();
}

LogicalResult muon::npu::verifyInstruction(Operation *op) {
  InstructionBits bits;
  return encodeInstruction(op, bits);
}

//===----------------------------------------------------------------------===//
// Container ops
//===----------------------------------------------------------------------===//

/// The hardware configuration fields a program may override, as named in
/// isa.json's default_config and the .npub header.
static constexpr const char *kConfigFields[] = {"block",        "ibuf_entries",
                                                "wbuf_entries", "acc_entries",
                                                "obuf_entries", "pbuf_entries"};

LogicalResult ProgramOp::verify() {
  if (DictionaryAttr config = getConfigAttr())
    for (NamedAttribute entry : config) {
      if (!llvm::is_contained(kConfigFields, entry.getName().getValue()))
        return emitOpError()
               << "config has no field '" << entry.getName().getValue() << "'";
      auto value = dyn_cast<IntegerAttr>(entry.getValue());
      if (!value || value.getInt() < 1 || value.getInt() > UINT32_MAX)
        return emitOpError() << "config '" << entry.getName().getValue()
                             << "' must be a positive 32-bit integer";
    }
  auto regions = llvm::to_vector(getBody().getOps<RegionOp>());
  for (TensorOp tensor : getBody().getOps<TensorOp>())
    if (tensor.getRegion() < 1 || tensor.getRegion() > regions.size())
      return tensor.emitOpError()
             << "region " << tensor.getRegion() << " is not one of the "
             << regions.size() << " regions declared (numbered from 1)";
  if (llvm::range_size(getBody().getOps<ConstantsOp>()) > 1)
    return emitOpError("has more than one npu.constants");
  return success();
}

LogicalResult RegionOp::verify() {
  if (getKind() != "workspace" && getKind() != "input" && getKind() != "output")
    return emitOpError() << "kind must be workspace, input or output, not '"
                         << getKind() << "'";
  if (getSize() < 1)
    return emitOpError("size must be positive");
  return success();
}

LogicalResult TensorOp::verify() {
  if (getShape().size() != getStrides().size())
    return emitOpError("needs one stride per dimension");
  if (getShape().empty() || getShape().size() > 6)
    return emitOpError("rank must be 1 to 6");
  if (llvm::any_of(getShape(), [](int64_t d) { return d < 1; }))
    return emitOpError("dimensions must be positive");
  if (getName().size() >= 64)
    return emitOpError("name must be shorter than 64 bytes");
  return success();
}

LogicalResult ConstantsOp::verify() {
  auto type = dyn_cast<RankedTensorType>(getData().getType());
  if (!type || type.getRank() != 1 || !type.getElementType().isInteger(8))
    return emitOpError("data must be a 1-D tensor of i8 bytes");
  return success();
}
