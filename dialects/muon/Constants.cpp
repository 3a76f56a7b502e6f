//===- Constants.cpp - Reading and making constant tensors ----------------===//

#include "dialects/muon/Constants.h"
#include "dialects/muon/MuonOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

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

std::optional<SmallVector<int64_t>> getIntConstant(Value value) {
  // Any constant-like op: muon.constant, and arith.constant once the CPU
  // lowering has converted it.
  ElementsAttr elements;
  if (!value || !matchPattern(value, m_Constant(&elements)))
    return std::nullopt;
  auto shaped = cast<ShapedType>(elements.getType());
  auto type = dyn_cast<IntegerType>(shaped.getElementType());
  if (!type)
    return std::nullopt;
  auto extend = [&](const APInt &v) {
    return type.isUnsigned() ? static_cast<int64_t>(v.getZExtValue())
                             : v.getSExtValue();
  };
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(elements)) {
    // A blob holds the elements packed at their width, little-endian.
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    unsigned width = type.getWidth();
    if (!blob || width % 8 != 0)
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    int64_t count = shaped.getNumElements();
    if (static_cast<int64_t>(data.size()) != count * (width / 8))
      return std::nullopt;
    SmallVector<int64_t> values;
    for (int64_t i = 0; i < count; ++i) {
      APInt v(width, 0);
      for (unsigned byte = 0; byte < width / 8; ++byte)
        v.insertBits(static_cast<uint64_t>(
                         static_cast<uint8_t>(data[i * (width / 8) + byte])),
                     byte * 8, 8);
      values.push_back(extend(v));
    }
    return values;
  }
  auto dense = dyn_cast<DenseElementsAttr>(elements);
  if (!dense)
    return std::nullopt;
  return llvm::map_to_vector(dense.getValues<APInt>(), extend);
}

template <typename T>
ElementsAttr makeElements(RankedTensorType type, ArrayRef<T> values,
                          StringRef blobName) {
  if (type.getNumElements() <= kMaxInlineElements)
    return DenseElementsAttr::get(type, values);
  return DenseResourceElementsAttr::get(
      type, blobName, HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
}
template ElementsAttr makeElements<float>(RankedTensorType, ArrayRef<float>,
                                          StringRef);
template ElementsAttr makeElements<int8_t>(RankedTensorType, ArrayRef<int8_t>,
                                           StringRef);
template ElementsAttr makeElements<int32_t>(RankedTensorType, ArrayRef<int32_t>,
                                            StringRef);

} // namespace muon
