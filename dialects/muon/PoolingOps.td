//===- PoolingOps.td - muon ops: pooling ----------------------------------===//
//
// Included by MuonOps.td. Windows follow ONNX's pooling attributes (kernel,
// strides, pads, dilations, ceil_mode); result types are inferred in
// PoolingOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_POOLING_OPS_TD
#define MUON_POOLING_OPS_TD

//===----------------------------------------------------------------------===//
// Windowed and global pooling
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

#endif // MUON_POOLING_OPS_TD
