//===- MuonOps.h - Operations of the muon dialect ---------------*- C++ -*-===//
#ifndef MUON_DIALECTS_MUON_MUONOPS_H
#define MUON_DIALECTS_MUON_MUONOPS_H

#include "dialects/muon/MuonDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/muon/MuonOps.h.inc"

namespace muon {
/// Output extent of one spatial dimension of a convolution or pooling window,
/// as ONNX defines it (floor, or ceil when `ceilMode`; a ceil-mode window that
/// would start inside the end padding is dropped).
int64_t windowOutputSize(int64_t input, int64_t kernel, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode);
} // namespace muon

#endif
