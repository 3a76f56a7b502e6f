//===- CpuTarget.h - Lowering a muon module to native code ------*- C++ -*-===//
#ifndef MUON_TARGETS_CPU_CPUTARGET_H
#define MUON_TARGETS_CPU_CPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <functional>
#include <string>

namespace muon {

struct CpuTargetOptions {
  /// Prefix of every exported symbol (`<name>_run`) and of the header macros.
  std::string name = "model";
  /// LLVM target triple and CPU; empty selects the host.
  std::string triple;
  std::string cpu;
  /// LLVM optimisation level, 0..3.
  unsigned optLevel = 3;
};

/// The output block a contraction keeps in vector registers.
struct RegisterBlock {
  int64_t rows, columns;
  /// Vector width in bits of the target's exact i16 pair dot product
  /// (vpmaddwd: 512 with AVX-512BW, 256 with AVX2), 0 when it has none.
  int64_t pairDotBits = 0;
  /// Vector width in bits of its uint8 x int8 quad dot product (vpdpbusd:
  /// 512 with AVX-512 VNNI, 256 with AVX-VNNI), 0 when it has none.
  int64_t quadDotBits = 0;
};

/// The LLVM target machine for `options` (the host when no triple or CPU is
/// given); null with `error` set when the triple or CPU is unknown.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CpuTargetOptions &options, std::string &error);

/// The register block that fits the target's vector registers.
RegisterBlock chooseRegisterBlock(const llvm::TargetMachine &machine);

/// Adds the passes that lower muon ops to linalg on tensors, tiled into
/// `block`-sized register blocks and vectorized.
void buildMuonToLinalgPipeline(mlir::OpPassManager &pm, RegisterBlock block);

/// Adds the passes from linalg on tensors to buffers: the destination
/// passing ABI, one-shot bufferization and the static workspace plan.
void buildBufferizePipeline(mlir::OpPassManager &pm,
                            const CpuTargetOptions &options);

/// Whether the target converts between f16 and f32 in hardware (x86 with
/// F16C, AArch64); elsewhere LLVM would call compiler-runtime helpers.
bool hasNativeF16Conversion(const llvm::TargetMachine &machine);

/// Adds the passes from linalg on buffers to the LLVM dialect.
/// `nativeF16Conversion` as hasNativeF16Conversion says for the target.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              bool nativeF16Conversion);

/// What to write from an LLVM-dialect module.
enum class NativeOutput { LLVMIR, Assembly, Object };

/// Translates an LLVM-dialect module to LLVM IR, optimises it for `machine`
/// at `optLevel` and writes it, timing each step in `timing`. Errors are
/// reported on the module.
mlir::LogicalResult emitNative(mlir::ModuleOp module,
                               llvm::TargetMachine &machine, unsigned optLevel,
                               NativeOutput kind, llvm::raw_ostream &os,
                               mlir::TimingScope &timing);

/// Registers the pipelines above as muon-cpu-to-linalg, muon-cpu-bufferize,
/// muon-cpu-to-llvm and, all three in a row, muon-cpu-pipeline, with the
/// register block, name and f16 support as options.
void registerMuonCpuPipelines();

/// Registers the dialects and interfaces the CPU target's passes need.
void registerCpuTargetDialects(mlir::DialectRegistry &registry);

} // namespace muon

#endif
