//===- ReductionToLinalg.cpp - Lowering reductions, arg-reductions and normalisations ---===//
//
// Patterns of the muon-to-linalg pass (MuonToLinalg.cpp) for this family.
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "targets/cpu/LinalgBuilders.h"
#include "targets/cpu/Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace muon;

void muon::populateReductionLowerings(RewritePatternSet &patterns) {
  (void)patterns;
}
