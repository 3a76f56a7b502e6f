//===- ReductionOps.td - muon ops: reductions and arg-reductions ----------===//
//
// Included by MuonOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_REDUCTION_OPS_TD
#define MUON_REDUCTION_OPS_TD

//===----------------------------------------------------------------------===//
// Reductions (ONNX Reduce*)
//===----------------------------------------------------------------------===//

class Muon_ReduceOp<string mnemonic, string onnxName, string formula>
    : Muon_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX " # onnxName # ": " # formula # " over `axes`";
  let description = [{
    `axes` are non-negative and strictly increasing. ONNX's "no axes means
    every axis" is resolved by the importer, so an empty `axes` here means
    what `noop_with_empty_axes` = 1 means in ONNX: nothing is reduced and only
    the element-wise part of the formula applies (e.g. x * x for
    reduce_sum_square), as in the ONNX reference implementation. With
    `keepdims` the reduced dimensions stay as size 1, else they are dropped.
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$axes,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Muon_ReduceSumOp : Muon_ReduceOp<"reduce_sum", "ReduceSum", "sum(x)">;
def Muon_ReduceMeanOp : Muon_ReduceOp<"reduce_mean", "ReduceMean", "sum(x) / n">;
def Muon_ReduceMaxOp : Muon_ReduceOp<"reduce_max", "ReduceMax", "max(x)">;
def Muon_ReduceMinOp : Muon_ReduceOp<"reduce_min", "ReduceMin", "min(x)">;
def Muon_ReduceProdOp : Muon_ReduceOp<"reduce_prod", "ReduceProd", "prod(x)">;
def Muon_ReduceL1Op : Muon_ReduceOp<"reduce_l1", "ReduceL1", "sum(|x|)">;
def Muon_ReduceL2Op : Muon_ReduceOp<"reduce_l2", "ReduceL2", "sqrt(sum(x * x))">;
def Muon_ReduceLogSumOp : Muon_ReduceOp<"reduce_log_sum", "ReduceLogSum", "log(sum(x))">;
def Muon_ReduceLogSumExpOp : Muon_ReduceOp<"reduce_log_sum_exp", "ReduceLogSumExp",
                                           "log(sum(exp(x)))">;
def Muon_ReduceSumSquareOp : Muon_ReduceOp<"reduce_sum_square", "ReduceSumSquare",
                                           "sum(x * x)">;

//===----------------------------------------------------------------------===//
// Arg-reductions
//===----------------------------------------------------------------------===//

class Muon_ArgReduceOp<string mnemonic, string onnxName, string extremum>
    : Muon_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX " # onnxName # ": the int64 index of the " # extremum #
                " along `axis`";
  let description = [{
    Ties go to the first index, or to the last with `select_last_index`
    (ArgMax-12). With `keepdims` the reduced dimension stays as size 1.
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                   DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs TensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Muon_ArgMaxOp : Muon_ArgReduceOp<"arg_max", "ArgMax", "maximum">;
def Muon_ArgMinOp : Muon_ArgReduceOp<"arg_min", "ArgMin", "minimum">;

def Muon_HardmaxOp : Muon_Op<"hardmax", [Pure, SameOperandsAndResultType]> {
  let summary = "ONNX Hardmax (opset 13): 1 at the first maximum along `axis`, "
                "0 elsewhere";
  let description = [{
    The opset < 13 form, which treats the dimensions from `axis` on as one,
    is imported as reshape + hardmax over the last axis + reshape.
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Muon_CumSumOp : Muon_Op<"cum_sum", [Pure, SameOperandsAndResultType]> {
  let summary = "ONNX CumSum: running sums along `axis`";
  let description = [{
    y[.., i, ..] sums x[.., j, ..] for j <= i; `exclusive` leaves out j = i
    and `reverse` sums from the end (j >= i). ONNX's axis input is resolved
    at import.
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                   DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

#endif // MUON_REDUCTION_OPS_TD
