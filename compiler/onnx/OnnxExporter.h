//===- OnnxExporter.h - muon dialect back to ONNX ---------------*- C++ -*-===//
//
// The inverse of the importer for the ops a model has after Muon's graph
// passes: `muonc --emit=onnx-qdq` writes the optimised (and, with
// --quantize, quantized) model as an ONNX model that ONNX Runtime and
// Muon itself can run. Quantized tensors become QuantizeLinear /
// DequantizeLinear pairs, so a quantized model is written in QDQ form.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_COMPILER_ONNX_ONNXEXPORTER_H
#define MUON_COMPILER_ONNX_ONNXEXPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace muon {

/// Writes the module's function as a binary ONNX model (opset 17). Graph
/// inputs and outputs keep their ONNX names, nodes the names of the ONNX
/// nodes they came from. Ops without an ONNX equivalent are all reported in
/// one error, with their node names, and nothing is written.
mlir::LogicalResult exportOnnx(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace muon

#endif // MUON_COMPILER_ONNX_ONNXEXPORTER_H
