#ifndef MUON_TARGETS_NPU_PASSES_TD
#define MUON_TARGETS_NPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def MuonToNpu : Pass<"muon-to-npu", "mlir::ModuleOp"> {
  let summary = "Lower an int8 muon model to an npu.program (one op per instruction)";
  let description = [{
    Takes the model's function after the integer pipeline (muon-fold-qdq):
    `muon.quantize` of each float input, quantized `muon.conv`,
    `muon.gemm` and `muon.matmul` each followed by their `muon.requantize`,
    `muon.max_pool`, `muon.quantized_add`, the depthwise sum of ones that
    an average pool folds to, reshapes that flatten an image for a Gemm,
    and `muon.dequantize` of each float output. It replaces the function
    with an `npu.program` of the same name (docs/npu.md):

    - every activation lives in DRAM, NHWC with its channels padded to a
      multiple of BLOCK (a [1, K] tensor is one pixel of K channels): the
      inputs and outputs in their own regions, described by tensor
      descriptors carrying the scale and zero point of their quantize /
      dequantize, the rest in one workspace region, where a tensor's bytes
      are reused once its last reader is lowered;
    - weights are pre-tiled in WBUF entry order and the per-channel
      parameters (bias folded with -z_x * sum(w), Q31 multiplier, shift,
      output zero point) written as PBUF entries, both in the constants;
    - a convolution (depthwise ones with a diagonal weight entry per tap)
      is tiled by output rows, or by columns of one row when a row does
      not fit, so that its input tile fits IBUF and its output tile ACC
      and OBUF, and by groups of output channel blocks when its weights
      exceed WBUF; a pool by output rows and, when a row does not fit, by
      groups of channel blocks; a Gemm by output channel blocks so that
      its weights fit WBUF;
    - the tiles of a convolution, a pool or an Add alternate between two
      halves of the buffers (double buffering), so that loads, compute and
      stores of neighbouring tiles overlap; the dependency tokens order
      what must be ordered, and a layer starts after the previous one
      stored its results; its weights and parameters go to the halves of
      WBUF and PBUF the previous layer does not read, and load while it
      computes.

    Ops the NPU cannot run are reported together in one error, each with
    its ONNX node. With host-prefix, float ops that compute an input's
    quantization from the model's inputs alone are left to the host. Only signed 8-bit activations are supported: a uint8
    tensor is rejected (quantize with int8 activations, Muon's default).
  }];
  let options = [
    Option<"block", "block", "int64_t", /*default=*/"16",
           "the MAC array's size (BLOCK); the other buffers keep isa.json's defaults">,
    Option<"hostPrefix", "host-prefix", "bool", /*default=*/"false",
           "leave the float ops that compute an input's quantization from "
           "the model's inputs alone (feature standardisation, say) to the "
           "host: the quantized value becomes a program input, named after "
           "the op computing it">,
    Option<"report", "report", "bool", /*default=*/"false",
           "a remark per layer: how it was tiled and what its instructions "
           "cost in the cycle model (muon-npu-run --stats measures the run)">
  ];
  let dependentDialects = ["::muon::npu::NpuDialect"];
}

#endif // MUON_TARGETS_NPU_PASSES_TD
