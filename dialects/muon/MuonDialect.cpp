//===- MuonDialect.cpp - The muon graph dialect ---------------------------===//
#include "dialects/muon/MuonDialect.h"
#include "dialects/muon/MuonOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"

using namespace mlir;

#include "dialects/muon/MuonDialect.cpp.inc"

void muon::MuonDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/muon/MuonOps.cpp.inc"
      >();
}

Operation *muon::MuonDialect::materializeConstant(OpBuilder &builder,
                                                  Attribute value, Type type,
                                                  Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
