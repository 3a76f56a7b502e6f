//===- OnnxDataMovementOps.cpp - ONNX indexing and data movement with run-time inputs ---===//
//
// Conversions of ONNX operators to muon ops; registered in lookupConverter
// (OnnxOps.cpp) through addDataMovementConverters.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeContext.h"
#include "dialects/muon/MuonOps.h"

using namespace mlir;
using namespace muon;
using namespace muon::onnx_importer;

void onnx_importer::addDataMovementConverters(llvm::StringMap<ConvertFn> &converters) {
  (void)converters;
}
