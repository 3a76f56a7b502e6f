//===- Constants.cpp - Reading and making constant tensors ----------------===//

#include "dialects/muon/Constants.h"
#include "dialects/muon/MuonOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace muon {

std::optional<SmallVector<float>> getF32Constant(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant || !constant.getType().getElementType().isF32())
    return std::nullopt;
  ElementsAttr elements = constant.getValue();
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(elements)) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (!data)
      return std::nullopt;
    return SmallVector<float>(*data);
  }
  auto values = elements.tryGetValues<float>();
  if (!values)
    return std::nullopt;
  return SmallVector<float>(*values);
}

ElementsAttr makeF32Elements(RankedTensorType type, ArrayRef<float> values,
                             StringRef blobName) {
  if (type.getNumElements() <= kMaxInlineElements)
    return DenseElementsAttr::get(type, values);
  return DenseResourceElementsAttr::get(
      type, blobName, HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
}

} // namespace muon
