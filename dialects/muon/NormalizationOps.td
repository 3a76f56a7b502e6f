//===- NormalizationOps.td - muon ops: normalisations ---------------------===//
//
// Included by MuonOps.td. BatchNormalization (inference form), Softmax,
// LogSoftmax and LayerNormalization; verifiers and result-type inference are
// in NormalizationOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_NORMALIZATION_OPS_TD
#define MUON_NORMALIZATION_OPS_TD

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

def Muon_LayerNormOp : Muon_Op<"layer_norm",
    [Pure, InferTypeOpAdaptor, AttrSizedOperandSegments]> {
  let summary = "ONNX LayerNormalization over the dimensions from `axis` on";
  let description = [{
    mean and variance are taken over x.shape[axis:];
    y = (x - mean) / sqrt(variance + epsilon) * scale + bias, where scale and
    bias, both optional, broadcast (ONNX rules) to x.shape[axis:].
    LayerNormalization-17's Mean and InvStdDev outputs, used only in
    training graphs, are not results: the importer computes them with
    reduce_mean when a model uses them. InstanceNormalization is imported as
    layer_norm from axis 2 followed by the per-channel scale and bias.
  }];
  let arguments = (ins AnyRankedTensor:$input,
                   Optional<AnyRankedTensor>:$scale,
                   Optional<AnyRankedTensor>:$bias, I64Attr:$axis,
                   DefaultValuedAttr<F32Attr, "1e-5">:$epsilon);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input (`scale` $scale^)? (`bias` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

#endif // MUON_NORMALIZATION_OPS_TD
