//===- OnnxElementwiseOps.cpp - ONNX element-wise math, comparison and logic ops ---===//
//
// Conversions of ONNX operators to muon ops; registered in lookupConverter
// (OnnxOps.cpp) through addElementwiseConverters.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeContext.h"
#include "dialects/muon/MuonOps.h"

using namespace mlir;
using namespace muon;
using namespace muon::onnx_importer;

void onnx_importer::addElementwiseConverters(llvm::StringMap<ConvertFn> &converters) {
  (void)converters;
}
