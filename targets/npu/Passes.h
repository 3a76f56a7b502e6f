//===- Passes.h - Passes of the NPU target ----------------------*- C++ -*-===//
#ifndef MUON_TARGETS_NPU_PASSES_H
#define MUON_TARGETS_NPU_PASSES_H

#include "targets/npu/NpuDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace muon {
#define GEN_PASS_DECL
#include "targets/npu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "targets/npu/Passes.h.inc"
} // namespace muon

#endif
