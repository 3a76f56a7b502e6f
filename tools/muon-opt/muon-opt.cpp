//===- muon-opt.cpp - Runs Muon's passes on MLIR text, for lit tests ------===//

#include "passes/Passes.h"
#include "targets/cpu/CpuTarget.h"
#include "targets/cpu/Passes.h"
#include "targets/npu/NpuDialect.h"
#include "targets/npu/Passes.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  muon::registerCpuTargetDialects(registry);
  registry.insert<muon::npu::NpuDialect>();
  // Upstream passes, so a test can run the exact lowering steps it checks.
  mlir::registerAllPasses();
  muon::registerMuonPasses();
  muon::registerMuonCpuPasses();
  muon::registerMuonPipelines();
  muon::registerMuonCpuPipelines();
  muon::registerMuonNpuPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Muon pass driver\n", registry));
}
