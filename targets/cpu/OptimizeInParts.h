//===- OptimizeInParts.h - LLVM's optimisation on every core ----*- C++ -*-===//
#ifndef MUON_TARGETS_CPU_OPTIMIZEINPARTS_H
#define MUON_TARGETS_CPU_OPTIMIZEINPARTS_H

#include "llvm/Support/Error.h"

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace muon {

/// Runs LLVM's optimisation pipeline at `optLevel` on `module`, its
/// functions in parts that are optimised concurrently on all cores. The
/// result does not depend on the number of cores. A module of few functions
/// is optimised as one.
llvm::Error optimizeInParts(llvm::Module &module, llvm::TargetMachine &machine,
                            unsigned optLevel);

} // namespace muon

#endif
