//===- LinearAlgebraOps.td - muon ops: linear algebra beyond contractions -===//
//
// Included by MuonOps.td. Einsum is imported as transposes, reductions and
// batched matmuls, so it has no op here.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_LINEARALGEBRA_OPS_TD
#define MUON_LINEARALGEBRA_OPS_TD

def Muon_DetOp : Muon_Op<"det", [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX Det: determinants of the square matrices in the last two dimensions";
  let description = [{
    Input [..., n, n] of a float type, result [...]. The CPU lowering uses
    Gaussian elimination with partial pivoting (the method of LAPACK's getrf,
    which numpy.linalg.det, the ONNX reference, calls).
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

#endif // MUON_LINEARALGEBRA_OPS_TD
