//===- ExternalData.h - Tensors kept in files beside the model --*- C++ -*-===//
//
// ONNX lets a model keep tensor data in other files (models over protobuf's
// 2 GiB limit must): a tensor with data_location EXTERNAL names its file
// (`location`, relative to the model's folder) and optionally `offset`,
// `length` and a SHA-1 `checksum` of the file. Such files come from the same
// untrusted download as the model, so a location that is absolute, has a
// `..` component or resolves (through symlinks) outside the model's folder
// is refused, as is a range past the file's end.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_COMPILER_ONNX_EXTERNALDATA_H
#define MUON_COMPILER_ONNX_EXTERNALDATA_H

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"

namespace onnx {
class ModelProto;
} // namespace onnx

namespace muon::onnx_importer {

/// Reads every external tensor of `model` (initializers and tensor
/// attributes, in subgraphs too) into its raw_data, from files beside
/// `modelPath` (memory-mapped). Errors name the tensor and the file.
mlir::LogicalResult loadExternalData(onnx::ModelProto &model,
                                     llvm::StringRef modelPath,
                                     mlir::MLIRContext &context);

} // namespace muon::onnx_importer

#endif
