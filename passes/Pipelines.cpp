//===- Pipelines.cpp - The pass pipelines every compilation runs ----------===//

#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace muon {

void buildGraphPipeline(OpPassManager &pm) {
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createMuonFoldBatchNorm());
  funcPm.addPass(createMuonConstantFold());
  funcPm.addPass(createMuonDeadCodeElimination());
}

void buildIntegerPipeline(OpPassManager &pm) {
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createMuonFoldQuantDequant());
  funcPm.addPass(createMuonDeadCodeElimination());
}

void registerMuonPipelines() {
  PassPipelineRegistration<>(
      "muon-graph-pipeline",
      "The graph passes every compilation runs on the muon dialect "
      "(muonc --emit=muon before quantization)",
      buildGraphPipeline);
  PassPipelineRegistration<>(
      "muon-integer-pipeline",
      "The QDQ form to integer ops: muon-fold-qdq, then dead code",
      buildIntegerPipeline);
}

} // namespace muon
