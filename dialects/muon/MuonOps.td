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

//===----------------------------------------------------------------------===//
// Element-wise operations (ONNX multidirectional broadcasting)
//===----------------------------------------------------------------------===//

class Muon_BinaryOp<string mnemonic, string onnxName>
    : Muon_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "Element-wise " # onnxName # " with ONNX (numpy) broadcasting";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Muon_AddOp : Muon_BinaryOp<"add", "Add">;
def Muon_SubOp : Muon_BinaryOp<"sub", "Sub">;
def Muon_MulOp : Muon_BinaryOp<"mul", "Mul">;
def Muon_DivOp : Muon_BinaryOp<"div", "Div">;

class Muon_UnaryOp<string mnemonic, string onnxName, list<Trait> traits = []>
    : Muon_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType], traits)> {
  let summary = "Element-wise " # onnxName;
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Muon_ReluOp : Muon_UnaryOp<"relu", "Relu">;
def Muon_SigmoidOp : Muon_UnaryOp<"sigmoid", "Sigmoid">;
def Muon_TanhOp : Muon_UnaryOp<"tanh", "Tanh">;
def Muon_ExpOp : Muon_UnaryOp<"exp", "Exp">;
def Muon_LogOp : Muon_UnaryOp<"log", "Log">;
def Muon_SqrtOp : Muon_UnaryOp<"sqrt", "Sqrt">;
def Muon_NegOp : Muon_UnaryOp<"neg", "Neg">;
def Muon_AbsOp : Muon_UnaryOp<"abs", "Abs">;

def Muon_LeakyReluOp : Muon_Op<"leaky_relu", [Pure, SameOperandsAndResultType]> {
  let summary = "Element-wise LeakyRelu: x < 0 ? alpha * x : x";
  let arguments = (ins AnyRankedTensor:$input, F32Attr:$alpha);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Muon_ClipOp : Muon_Op<"clip", [Pure, SameOperandsAndResultType]> {
  let summary = "Element-wise Clip to [min, max]; an absent bound is unbounded";
  let description = [{
    ONNX passes the bounds as attributes before opset 11 and as (constant)
    inputs after; the importer turns both forms into these attributes.
  }];
  let arguments = (ins AnyRankedTensor:$input, OptionalAttr<F32Attr>:$min,
                   OptionalAttr<F32Attr>:$max);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

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
// Pooling and normalisation
//===----------------------------------------------------------------------===//

class Muon_PoolOp<string mnemonic, string onnxName, dag extraArgs>
    : Muon_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX " # onnxName # " in NCHW layout with explicit pads";
  let arguments = !con((ins AnyRankedTensor:$input,
                        DenseI64ArrayAttr:$kernel_shape,
                        DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                        DenseI64ArrayAttr:$dilations,
                        DefaultValuedAttr<BoolAttr, "false">:$ceil_mode),
                       extraArgs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Muon_MaxPoolOp : Muon_PoolOp<"max_pool", "MaxPool", (ins)>;
def Muon_AveragePoolOp : Muon_PoolOp<"average_pool", "AveragePool",
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)>;
def Muon_MaxPoolIndicesOp : Muon_PoolOp<"max_pool_indices", "MaxPool's Indices",
    (ins DefaultValuedAttr<BoolAttr, "false">:$column_major)> {
  let description = [{
    The second output of ONNX MaxPool (MaxPool-12), for the same window as
    `muon.max_pool`: for each window, the position of its maximum (the first
    in the window's scan order) in the flattened input, as i64. Spatial
    positions flatten row major, or column major (the spatial dimensions in
    reverse order) with `column_major` (ONNX storage_order 1); the batch and
    channel come first either way.
  }];
}

class Muon_GlobalPoolOp<string mnemonic, string onnxName>
    : Muon_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX " # onnxName # ": reduce every spatial dimension to 1";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Muon_GlobalAveragePoolOp : Muon_GlobalPoolOp<"global_average_pool", "GlobalAveragePool">;
def Muon_GlobalMaxPoolOp : Muon_GlobalPoolOp<"global_max_pool", "GlobalMaxPool">;

def Muon_BatchNormOp : Muon_Op<"batch_norm", [Pure, InferTypeOpAdaptor]> {
  let summary = "Inference BatchNormalization over axis 1";
  let description = [{
    y = (x - mean) / sqrt(var + epsilon) * scale + bias, with the four
    parameters of shape [C]. Training mode is rejected by the importer.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                   AnyRankedTensor:$bias, AnyRankedTensor:$mean,
                   AnyRankedTensor:$variance,
                   DefaultValuedAttr<F32Attr, "1e-5">:$epsilon);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:` functional-type(operands, results)";
}

def Muon_SoftmaxOp : Muon_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Softmax along one axis (ONNX opset 13 semantics)";
  let description = [{
    The opset < 13 form, which normalises over all dimensions from `axis` on,
    is imported as reshape + softmax over the last axis + reshape.
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Muon_LogSoftmaxOp : Muon_Op<"log_softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "LogSoftmax along one axis (ONNX opset 13 semantics)";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Muon_ReshapeOp : Muon_Op<"reshape", [Pure]> {
  let summary = "Reshape to a static shape with the same number of elements";
  let description = [{
    ONNX Reshape (shape input resolved at import, including 0 and -1) and
    Flatten both become this op.
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Muon_TransposeOp : Muon_Op<"transpose", [Pure, InferTypeOpAdaptor]> {
  let summary = "Permute dimensions: result dim i is input dim perm[i]";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Muon_ConcatOp : Muon_Op<"concat", [Pure, InferTypeOpAdaptor]> {
  let summary = "Concatenate tensors along one axis";
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

include "dialects/muon/ElementwiseOps.td"
include "dialects/muon/ReductionOps.td"
include "dialects/muon/DataMovementOps.td"
include "dialects/muon/QuantOps.td"
include "dialects/muon/LinearAlgebraOps.td"

#endif // MUON_OPS_TD
