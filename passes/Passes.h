//===- Passes.h - Graph passes over the muon dialect ------------*- C++ -*-===//
#ifndef MUON_PASSES_PASSES_H
#define MUON_PASSES_PASSES_H

#include "dialects/muon/MuonOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Pass/Pass.h"

namespace muon {
#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"
} // namespace muon

#endif
