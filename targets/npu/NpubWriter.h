//===- NpubWriter.h - npu.program to the .npub container --------*- C++ -*-===//
#ifndef MUON_TARGETS_NPU_NPUBWRITER_H
#define MUON_TARGETS_NPU_NPUBWRITER_H

#include "targets/npu/NpuDialect.h"

#include <string>

namespace muon::npu {

/// The bytes of the .npub file of `program` (layout: docs/npu-isa.md, "The
/// .npub container"): header with the hardware configuration and its hash,
/// then the instruction, constant, region, tensor and layer sections, each
/// 64-byte aligned with its FNV-1a checksum. Errors are emitted on the op.
mlir::FailureOr<std::string> writeNpub(ProgramOp program);

} // namespace muon::npu

#endif
