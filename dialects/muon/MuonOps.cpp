//===- MuonOps.cpp - The muon ops' classes and the constant op ------------===//
//
// Result types follow the ONNX operator specification
// (https://onnx.ai/onnx/operators/); every op infers its result type so that
// the importer never computes shapes itself and a hand-written IR with a wrong
// result type fails verification. Each family's verifiers, type inference
// and folders are in its own file: ElementwiseOps.cpp, LinearAlgebraOps.cpp,
// PoolingOps.cpp, NormalizationOps.cpp, ReductionOps.cpp,
// DataMovementOps.cpp, QuantOps.cpp.
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace muon;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

#define GET_OP_CLASSES
#include "dialects/muon/MuonOps.cpp.inc"
