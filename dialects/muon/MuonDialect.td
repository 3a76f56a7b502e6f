#ifndef MUON_DIALECT_TD
#define MUON_DIALECT_TD

include "mlir/IR/OpBase.td"

def Muon_Dialect : Dialect {
  let name = "muon";
  let cppNamespace = "::muon";
  let summary = "Graph-level tensor operations of ONNX models, with static shapes";
  let description = [{
    One op per ONNX operator concept, on ranked tensors with static shapes. Attributes
    are normalised at import (negative axes resolved, auto_pad turned into explicit pads,
    opset differences removed), so passes and lowerings see one form per concept.
    Element types are left open: quantized tensors have `!quant.uniform` element types.
  }];
  // Quantized tensors are tensors of `!quant.uniform` element types.
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 0;
  let useDefaultTypePrinterParser = 0;
}

class Muon_Op<string mnemonic, list<Trait> traits = []>
    : Op<Muon_Dialect, mnemonic, traits>;

#endif // MUON_DIALECT_TD
