//===- NpuOps.td - The npu dialect: Muon's NPU programs -----*- tablegen -*-===//
//
// An NPU program as the compiler builds it: one op per instruction, in
// program order, inside an npu.program that also declares the DRAM regions,
// the tensor descriptors and the constants of the .npub container
// (docs/npu-isa.md). The instruction ops are generated from
// targets/npu/isa.json (NpuInstructions.td), so their attributes are the
// encoding's fields and cannot drift from the runtime's decoder.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_NPU_OPS_TD
#define MUON_NPU_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"

def Npu_Dialect : Dialect {
  let name = "npu";
  let cppNamespace = "::muon::npu";
  let summary = "Programs of Muon's int8 neural accelerator, one op per instruction";
}

class Npu_Op<string mnemonic, list<Trait> traits = []>
    : Op<Npu_Dialect, mnemonic, traits>;

/// An instruction: its fields are attributes (defaults 0, the first enum
/// value, false); the verifier encodes it and names a field that does not
/// fit its bits.
class Npu_InstructionOp<string mnemonic, int opcode>
    : Npu_Op<mnemonic, [HasParent<"ProgramOp">]> {
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    static constexpr unsigned kOpcode = }] # opcode # [{;
  }];
  let extraClassDefinition = [{
    ::mlir::LogicalResult $cppClass::verify() {
      return verifyInstruction(getOperation());
    }
  }];
}

include "targets/npu/NpuInstructions.td"

def Npu_ProgramOp : Npu_Op<"program", [Symbol, SymbolTable, IsolatedFromAbove,
                                       NoTerminator, SingleBlock]> {
  let summary = "One .npub: regions, tensors, constants and the instructions";
  let description = [{
    The body lists, in any order, the DRAM regions (npu.region, numbered 1,
    2, ... in order; region 0 is the constants), the tensor descriptors
    (npu.tensor), at most one npu.constants, and the instructions in program
    order. `config` overrides the default hardware configuration of
    isa.json (block, ibuf_entries, wbuf_entries, acc_entries, obuf_entries,
    pbuf_entries); `layers` names the layers that LAYER instructions count.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       OptionalAttr<DictionaryAttr>:$config,
                       OptionalAttr<StrArrayAttr>:$layers);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

def Npu_RegionOp : Npu_Op<"region", [HasParent<"ProgramOp">]> {
  let summary = "A DRAM region: workspace, input or output, of a fixed size";
  let arguments = (ins StrAttr:$kind, I64Attr:$size);
  let assemblyFormat = "$kind `,` $size attr-dict";
  let hasVerifier = 1;
}

def Npu_TensorOp : Npu_Op<"tensor", [HasParent<"ProgramOp">]> {
  let summary = "An int8 tensor in a region: name, shape, element strides, quantization";
  let arguments = (ins StrAttr:$name, I64Attr:$region,
                       DenseI64ArrayAttr:$shape, DenseI64ArrayAttr:$strides,
                       DefaultValuedAttr<I64Attr, "0">:$offset,
                       DefaultValuedAttr<F32Attr, "1.0">:$scale,
                       DefaultValuedAttr<I64Attr, "0">:$zero_point);
  let assemblyFormat = "$name attr-dict";
  let hasVerifier = 1;
}

def Npu_ConstantsOp : Npu_Op<"constants", [HasParent<"ProgramOp">]> {
  let summary = "The bytes of region 0: pre-tiled weights and parameters";
  let arguments = (ins ElementsAttr:$data);
  let assemblyFormat = "$data attr-dict";
  let hasVerifier = 1;
}

#endif // MUON_NPU_OPS_TD
