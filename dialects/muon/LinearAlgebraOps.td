//===- LinearAlgebraOps.td - muon ops: contractions and linear algebra ---===//
//
// Included by MuonOps.td. Einsum is imported as transposes, reductions and
// batched matmuls, so it has no op here.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_LINEARALGEBRA_OPS_TD
#define MUON_LINEARALGEBRA_OPS_TD

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

def Muon_GemmOp : Muon_Op<"gemm", [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX Gemm: alpha * op(A) * op(B) + beta * C";
  let description = [{
    A and B are 2-D; `transA`/`transB` transpose them first. C, when present,
    broadcasts unidirectionally to the [M, N] result.
  }];
  let arguments = (ins AnyRankedTensor:$a, AnyRankedTensor:$b,
                   Optional<AnyRankedTensor>:$c,
                   DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0">:$beta,
                   DefaultValuedAttr<BoolAttr, "false">:$transA,
                   DefaultValuedAttr<BoolAttr, "false">:$transB);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)";
}

def Muon_MatMulOp : Muon_Op<"matmul", [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX MatMul (numpy.matmul semantics, batch dimensions broadcast)";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Muon_ConvOp : Muon_Op<"conv", [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX Conv in NCHW layout with explicit pads";
  let description = [{
    `pads` holds [begin_0, ..., begin_k, end_0, ..., end_k] as in ONNX; the
    importer resolves `auto_pad`. `group` = C selects a depthwise convolution.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                   Optional<AnyRankedTensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations,
                   DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Beyond contractions
//===----------------------------------------------------------------------===//

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
