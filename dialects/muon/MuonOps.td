#ifndef MUON_OPS_TD
#define MUON_OPS_TD

include "dialects/muon/MuonDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Muon_ConstantOp : Muon_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "A constant tensor (ONNX initializer or Constant node)";
  let description = [{
    Weights use `dense_resource` blobs so that large models print and parse
    cheaply (`--mlir-elide-resource-strings-if-larger` elides them in tests).
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

include "dialects/muon/ElementwiseOps.td"
include "dialects/muon/LinearAlgebraOps.td"
include "dialects/muon/PoolingOps.td"
include "dialects/muon/NormalizationOps.td"
include "dialects/muon/ReductionOps.td"
include "dialects/muon/DataMovementOps.td"
include "dialects/muon/QuantOps.td"

#endif // MUON_OPS_TD
