//===- OnnxReductionOps.cpp - ONNX reductions, arg-reductions and normalisations ---===//
//
// Conversions of ONNX operators to muon ops; registered in lookupConverter
// (OnnxOps.cpp) through addReductionConverters.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeContext.h"
#include "dialects/muon/MuonOps.h"

using namespace mlir;
using namespace muon;
using namespace muon::onnx_importer;

void onnx_importer::addReductionConverters(llvm::StringMap<ConvertFn> &converters) {
  (void)converters;
}
