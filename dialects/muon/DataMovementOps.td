//===- DataMovementOps.td - muon ops: indexing and data movement with run-time inputs -===//
//
// Included by MuonOps.td. The importer evaluates these ONNX operators itself
// when all their inputs are constants (compiler/onnx/ConstantEvaluation.cpp);
// the ops below carry the run-time forms. Parameters that fix shapes (slice
// bounds, pads, repeats, sizes) are compile-time attributes, normalised by the
// importer: non-negative axes, one entry per dimension, clamped bounds.
// Split, Tile, DepthToSpace, SpaceToDepth and ConvTranspose are imported as
// compositions of these and of reshape/transpose/conv.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_DATAMOVEMENT_OPS_TD
#define MUON_DATAMOVEMENT_OPS_TD

//===----------------------------------------------------------------------===//
// Reshape, transpose, concatenation
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

class Muon_GatherLikeOp<string mnemonic, string onnxName, string shapeRule>
    : Muon_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX " # onnxName # " along `axis` with run-time indices";
  let description = [{
    Indices are signed integers; a negative index counts from the end of the
    axis. An index outside [-size, size) is an error in ONNX; the CPU lowering
    clamps it so that the generated code never reads out of bounds.
    Result shape: }] # shapeRule;
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices,
                   I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Muon_GatherOp : Muon_GatherLikeOp<"gather", "Gather",
    "data[:axis] + indices + data[axis+1:].">;
def Muon_GatherElementsOp : Muon_GatherLikeOp<"gather_elements",
    "GatherElements", "that of indices, which has the rank of data.">;

def Muon_SliceOp : Muon_Op<"slice", [Pure, InferTypeOpAdaptor]> {
  let summary = "Strided slice with one offset, size and stride per dimension";
  let description = [{
    Result element i of dimension d is input element offsets[d] + i *
    strides[d]. Strides may be negative (ONNX Slice-10 steps); the importer
    resolves ONNX's negative and out-of-range starts and ends into these
    in-bounds values. ONNX Split becomes one slice per output.
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$offsets,
                   DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$strides);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Muon_PadOp : Muon_Op<"pad", [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX Pad with non-negative pads and mode constant, reflect or edge";
  let description = [{
    `pads` holds [begin_0, ..., begin_n, end_0, ..., end_n] for every
    dimension; ONNX's negative pads (cropping) are imported as a muon.slice.
    `value` is the constant of mode "constant" (f64, so that 32-bit integers
    stay exact). Reflect mirrors without repeating the edge element and needs
    pads smaller than the dimension; edge repeats the edge element.
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$pads,
                   DefaultValuedStrAttr<StrAttr, "constant">:$mode,
                   DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Muon_ExpandOp : Muon_Op<"expand", [Pure, InferTypeOpAdaptor]> {
  let summary = "Broadcast (ONNX rules) to the static shape `shape`";
  let description = [{
    ONNX Expand broadcasts the input and the requested shape both ways; the
    importer stores the broadcast result as `shape`, to which the input must
    broadcast. ONNX Tile is imported as reshape + expand + reshape.
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Muon_ResizeOp : Muon_Op<"resize", [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX Resize (and Upsample) in modes nearest, linear and cubic";
  let description = [{
    `sizes` is the result shape; `scales` the per-dimension factor that
    coordinate transformations divide by (ONNX's scales, or sizes / input
    when the model gives sizes). An output coordinate x maps to the input
    coordinate given by `coordinate_transformation_mode` (half_pixel,
    pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn,
    tf_crop_and_resize: the output spans the region of interest `roi`, given
    as normalised starts then ends, and a coordinate outside the input
    yields `extrapolation_value`);
    mode "nearest" rounds it by `nearest_mode` (round_prefer_floor,
    round_prefer_ceil, floor, ceil), mode "linear" interpolates between its
    two neighbours in every resized dimension, mode "cubic" between its four
    with Keys' cubic convolution (coefficient `cubic_coeff_a`). Neighbours
    outside the input are clamped to its edge, as the ONNX reference does,
    or, for cubic with `exclude_outside`, weigh nothing (the other weights
    renormalised).
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$sizes,
                   DenseF64ArrayAttr:$scales,
                   DefaultValuedStrAttr<StrAttr, "nearest">:$mode,
                   DefaultValuedStrAttr<StrAttr, "half_pixel">:$coordinate_transformation_mode,
                   DefaultValuedStrAttr<StrAttr, "round_prefer_floor">:$nearest_mode,
                   DefaultValuedAttr<F64Attr, "-0.75">:$cubic_coeff_a,
                   DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
                   DefaultValuedAttr<DenseF64ArrayAttr, "{}">:$roi,
                   DefaultValuedAttr<F64Attr, "10.0">:$extrapolation_value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Muon_TriluOp : Muon_Op<"trilu", [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX Trilu: the upper or lower triangle of the last two dimensions";
  let description = [{
    Element (..., i, j) is kept when j - i >= k (`upper`) or j - i <= k
    (lower) and is zero otherwise. `k`, a one-element integer tensor,
    defaults to 0 when absent; it is read at run time since the result
    shape does not depend on it.
  }];
  let arguments = (ins AnyRankedTensor:$input, Optional<AnyRankedTensor>:$k,
                   DefaultValuedAttr<BoolAttr, "true">:$upper);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input (`,` $k^)? attr-dict `:` functional-type(operands, results)";
}

def Muon_GatherNDOp : Muon_Op<"gather_nd", [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX GatherND with `batch_dims`";
  let description = [{
    The last dimension of indices (size m) holds coordinates into data's
    dimensions [batch_dims, batch_dims + m); the leading `batch_dims`
    dimensions of data and indices are shared. Result shape:
    indices[:-1] + data[batch_dims + m:]. Negative coordinates count from
    the end; the CPU lowering clamps out-of-range ones.
  }];
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

class Muon_ScatterLikeOp<string mnemonic, string onnxName, string rule,
                         dag extraArgs>
    : Muon_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX " # onnxName # ": data with updates written at run-time indices";
  let description = [{
    The result is a copy of data in which each element of updates is
    written to (`reduction` none) or combined with (add, mul, max, min) the
    element its index names, updates taken in row-major order (so with
    duplicate indices and reduction none, the last write wins, as in the
    ONNX reference). Negative indices count from the end; the CPU lowering
    clamps out-of-range ones. }] # rule;
  let arguments = !con((ins AnyRankedTensor:$data, AnyRankedTensor:$indices,
                        AnyRankedTensor:$updates),
                       extraArgs,
                       (ins DefaultValuedStrAttr<StrAttr, "none">:$reduction));
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
}

def Muon_ScatterElementsOp : Muon_ScatterLikeOp<"scatter_elements",
    "ScatterElements", [{
    Indices and updates have one shape, of data's rank; update
    u[i0, .., in] goes to data[i0, .., indices[i0, .., in], .., in], the
    index replacing coordinate `axis`. ONNX Scatter (opsets 9, 10) is this
    op with reduction none.
  }], (ins I64Attr:$axis)>;

def Muon_ScatterNDOp : Muon_ScatterLikeOp<"scatter_nd", "ScatterND", [{
    The last dimension of indices (size m) holds coordinates into data's
    first m dimensions; updates has shape indices[:-1] + data[m:], each
    slice going to the coordinates its index row names.
  }], (ins)>;

def Muon_ReverseSequenceOp : Muon_Op<"reverse_sequence",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "ONNX ReverseSequence: reverse the first sequence_lens[b] steps";
  let description = [{
    For batch entry b (along `batch_axis`), the first sequence_lens[b]
    elements along `time_axis` are reversed and the rest copied. Lengths
    are clamped to [0, time steps] by the CPU lowering.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$sequence_lens,
                   I64Attr:$batch_axis, I64Attr:$time_axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $sequence_lens attr-dict `:` functional-type(operands, results)";
}

#endif // MUON_DATAMOVEMENT_OPS_TD
