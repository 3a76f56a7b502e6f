//===- OnnxImporter.h - ONNX model to muon dialect --------------*- C++ -*-===//
//
// Entry points of the ONNX front end: an ONNX model becomes a module holding
// one func.func of muon ops with static shapes.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_COMPILER_ONNX_ONNXIMPORTER_H
#define MUON_COMPILER_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace muon {

/// Reads an ONNX model (binary protobuf, or ONNX textual syntax when the file
/// is not a valid binary model and starts with '<' or the path ends in
/// ".onnxtxt"/".txt") and returns a module holding one func.func named
/// `entryName`. Errors are reported through the context's diagnostic handler
/// (mlir::emitError) and return nullptr.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxFile(llvm::StringRef path, mlir::MLIRContext &context,
               llvm::StringRef entryName = "main");

/// Same, from bytes already in memory; `sourceName` is used in messages.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxBuffer(llvm::StringRef bytes, llvm::StringRef sourceName,
                 mlir::MLIRContext &context,
                 llvm::StringRef entryName = "main");

} // namespace muon

#endif // MUON_COMPILER_ONNX_ONNXIMPORTER_H
