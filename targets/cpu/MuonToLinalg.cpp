//===- MuonToLinalg.cpp - Lower the muon dialect to linalg on tensors -----===//
//
// Each muon op becomes linalg/tensor/arith/math ops on tensors. Semantics are
// those of the ONNX operators (https://onnx.ai/onnx/operators/); the muon ops
// already carry them in one normalised form (explicit pads, resolved axes).
// The patterns live in one file per op family, as the dialect's ops do
// (<Family>ToLinalg.cpp, Lowerings.h); this file holds the pass.
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "targets/cpu/Lowerings.h"
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace muon {
#define GEN_PASS_DEF_MUONTOLINALG
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;
using namespace muon;

namespace {

/// arith has no unsigned integer types. The lowerings above read signedness
/// from the muon types (choosing divui, cmpi ult, uitofp, ...) and build
/// their bodies on the unsigned types; once no muon op is left, every
/// unsigned integer type (in values, constants and the function type)
/// becomes the signless type of its width. The function's arguments and
/// results keep their ONNX element type in a `muon.element_type` attribute,
/// from which the generated header declares `uint8_t` and friends.
void makeSignless(func::FuncOp func) {
  auto unsignedElement = [](Type type) -> Type {
    Type element = getElementTypeOrSelf(type);
    return element.isUnsignedInteger() ? element : Type();
  };
  FunctionType type = func.getFunctionType();
  SmallVector<Type> argElements =
      llvm::map_to_vector(type.getInputs(), unsignedElement);
  SmallVector<Type> resultElements =
      llvm::map_to_vector(type.getResults(), unsignedElement);

  auto signless = [](IntegerType type) -> std::optional<Type> {
    if (!type.isUnsigned())
      return std::nullopt;
    return IntegerType::get(type.getContext(), type.getWidth());
  };
  // Elements attributes hold their type beside raw data, which the generic
  // replacement below does not rebuild: give them the signless type here
  // (the bits are the same).
  func.walk([&](arith::ConstantOp constant) {
    auto type = dyn_cast<RankedTensorType>(constant.getType());
    auto element =
        type ? dyn_cast<IntegerType>(type.getElementType()) : IntegerType();
    if (!element || !element.isUnsigned())
      return;
    auto signlessType = type.clone(*signless(element));
    Attribute value;
    if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue()))
      value = dense.bitcast(signlessType.getElementType());
    else if (auto resource =
                 dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
      value =
          DenseResourceElementsAttr::get(signlessType, resource.getRawHandle());
    if (value)
      constant.setValueAttr(cast<TypedAttr>(value));
  });
  AttrTypeReplacer replacer;
  replacer.addReplacement(signless);
  replacer.recursivelyReplaceElementsIn(func, /*replaceAttrs=*/true,
                                        /*replaceLocs=*/false,
                                        /*replaceTypes=*/true);

  for (auto [i, element] : llvm::enumerate(argElements))
    if (element)
      func.setArgAttr(i, "muon.element_type", TypeAttr::get(element));
  for (auto [i, element] : llvm::enumerate(resultElements))
    if (element)
      func.setResultAttr(i, "muon.element_type", TypeAttr::get(element));
}

struct MuonToLinalgPass : muon::impl::MuonToLinalgBase<MuonToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    populateElementwiseLowerings(patterns);
    populateReductionLowerings(patterns);
    populateDataMovementLowerings(patterns);
    populateQuantLowerings(patterns);
    populateLinearAlgebraLowerings(patterns);
    populatePoolingLowerings(patterns);
    populateNormalizationLowerings(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Every muon op has a lowering; one left over has a form the CPU target
    // cannot handle yet (e.g. a 3-D convolution), which the user should hear.
    // A quant.scast left over feeds a quantized value to an op that only
    // lowers on plain types.
    WalkResult leftover = getOperation().walk([](Operation *op) {
      if (!isa<MuonDialect, quant::QuantDialect>(op->getDialect()))
        return WalkResult::advance();
      op->emitError() << "the CPU target cannot lower this form of '"
                      << op->getName() << "' yet";
      return WalkResult::interrupt();
    });
    if (leftover.wasInterrupted())
      return signalPassFailure();
    makeSignless(getOperation());
  }
};

} // namespace
