//===- FlattenGlobals.cpp - Constant globals as flat LLVM arrays ----------===//
//
// memref globals of rank N become nested LLVM arrays, which LLVM translates
// into one constant per innermost row (millions for a CNN's weights, and
// minutes of compile time); a flat array is one ConstantDataArray. Accesses
// are unaffected: with opaque pointers every getelementptr carries its own
// element type.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace muon {
#define GEN_PASS_DEF_MUONFLATTENGLOBALS
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

struct FlattenGlobalsPass
    : muon::impl::MuonFlattenGlobalsBase<FlattenGlobalsPass> {
  void runOnOperation() override {
    getOperation().walk([](LLVM::GlobalOp global) {
      auto arrayType = dyn_cast<LLVM::LLVMArrayType>(global.getGlobalType());
      auto value = dyn_cast_or_null<ElementsAttr>(global.getValueOrNull());
      if (!arrayType || !value ||
          !isa<LLVM::LLVMArrayType>(arrayType.getElementType()))
        return;
      auto flatTensor = RankedTensorType::get(
          {value.getNumElements()}, value.getShapedType().getElementType());
      Attribute flatValue;
      if (auto dense = dyn_cast<DenseElementsAttr>(value))
        flatValue = dense.reshape(flatTensor);
      else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
        flatValue =
            DenseResourceElementsAttr::get(flatTensor, resource.getRawHandle());
      else
        return;
      global.setGlobalTypeAttr(TypeAttr::get(LLVM::LLVMArrayType::get(
          flatTensor.getElementType(), value.getNumElements())));
      global.setValueAttr(flatValue);
    });
  }
};

} // namespace
