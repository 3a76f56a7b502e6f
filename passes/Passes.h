//===- Passes.h - Graph passes over the muon dialect ------------*- C++ -*-===//
#ifndef MUON_PASSES_PASSES_H
#define MUON_PASSES_PASSES_H

#include "dialects/muon/MuonOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace muon {
#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Adds the graph passes every compilation runs on the muon dialect:
/// canonicalization, BatchNorm folding, constant folding, dead code.
void buildGraphPipeline(mlir::OpPassManager &pm);

/// Adds the passes that turn the QDQ form (dequantize -> float op ->
/// quantize) into integer ops: muon-fold-qdq, then dead code. They run after
/// post-training quantization, which writes that form.
void buildIntegerPipeline(mlir::OpPassManager &pm);

/// Registers both as muon-graph-pipeline and muon-integer-pipeline.
void registerMuonPipelines();
} // namespace muon

#endif
