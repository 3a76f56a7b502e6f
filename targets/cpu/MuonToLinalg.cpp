//===- MuonToLinalg.cpp - Lower the muon dialect to linalg on tensors -----===//
//
// Each muon op becomes linalg/tensor/arith/math ops on tensors. Semantics are
// those of the ONNX operators (https://onnx.ai/onnx/operators/); the muon ops
// already carry them in one normalised form (explicit pads, resolved axes).
// The patterns live in one file per op family, as the dialect's ops do
// (<Family>ToLinalg.cpp, Lowerings.h); this file holds the pass: a full
// dialect conversion whose TypeConverter gives unsigned and quantized types
// their storage types (storageType), so that the IR is valid after every
// pattern and a form no pattern lowers is reported on its op.
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "targets/cpu/LinalgBuilders.h"
#include "targets/cpu/Lowerings.h"
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace muon {
#define GEN_PASS_DEF_MUONTOLINALG
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;
using namespace muon;

namespace {

/// Unsigned integer and quantized types become their storage types
/// (storageType); every other type stays as it is.
struct StorageTypeConverter : TypeConverter {
  StorageTypeConverter() {
    addConversion([](Type type) { return storageType(type); });
  }
};

/// The header declares `uint8_t` and friends from the ONNX element types,
/// which the function type loses when it becomes signless: they are kept in
/// a `muon.element_type` attribute of each unsigned argument and result.
void recordUnsignedElementTypes(func::FuncOp func) {
  FunctionType type = func.getFunctionType();
  for (auto [i, input] : llvm::enumerate(type.getInputs()))
    if (isUnsignedElement(input))
      func.setArgAttr(i, "muon.element_type",
                      TypeAttr::get(getElementTypeOrSelf(input)));
  for (auto [i, result] : llvm::enumerate(type.getResults()))
    if (isUnsignedElement(result))
      func.setResultAttr(i, "muon.element_type",
                         TypeAttr::get(getElementTypeOrSelf(result)));
}

/// applyFullConversion, whose report of an op that no pattern converted
/// ("failed to legalize operation 'muon.conv'") is rephrased for the user:
/// such a muon op has a form the CPU target cannot lower yet (a 3-D
/// convolution, a float op on quantized values). The conversion stops at
/// the first such op, and nothing is converted.
LogicalResult convertReportingUnloweredForms(func::FuncOp func,
                                             const ConversionTarget &target,
                                             RewritePatternSet &&patterns) {
  MLIRContext *context = func.getContext();
  std::optional<Location> unloweredLocation;
  std::string unloweredName;
  LogicalResult converted = [&] {
    ScopedDiagnosticHandler capture(context, [&](Diagnostic &diagnostic) {
      static constexpr StringLiteral prefix = "failed to legalize operation '";
      std::string message = diagnostic.str();
      StringRef name = StringRef(message).drop_front(prefix.size());
      name = name.take_until([](char c) { return c == '\''; });
      if (diagnostic.getSeverity() != DiagnosticSeverity::Error ||
          !StringRef(message).starts_with(prefix) ||
          !(name.starts_with("muon.") || name.starts_with("quant.")))
        return failure();
      unloweredLocation = diagnostic.getLocation();
      unloweredName = name.str();
      return success();
    });
    return applyFullConversion(func, target, std::move(patterns));
  }();
  if (unloweredLocation)
    emitError(*unloweredLocation)
        << "the CPU target cannot lower this form of '" << unloweredName
        << "' yet";
  return converted;
}

struct MuonToLinalgPass : muon::impl::MuonToLinalgBase<MuonToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    func::FuncOp func = getOperation();
    recordUnsignedElementTypes(func);

    StorageTypeConverter converter;
    RewritePatternSet patterns(context);
    populateElementwiseLowerings(converter, patterns);
    populateReductionLowerings(converter, patterns);
    populateDataMovementLowerings(converter, patterns);
    populateQuantLowerings(converter, patterns);
    populateLinearAlgebraLowerings(converter, patterns);
    populatePoolingLowerings(converter, patterns);
    populateNormalizationLowerings(converter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);

    // Every muon op (and quant.scast, which only the QDQ fold leaves between
    // quantized values) must go; what the lowerings create must carry
    // storage types only.
    ConversionTarget target(*context);
    target.addIllegalDialect<MuonDialect, quant::QuantDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType());
    });
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return converter.isLegal(op); });

    if (failed(
            convertReportingUnloweredForms(func, target, std::move(patterns))))
      return signalPassFailure();
    // The patterns build scalar constants where they need them, inside the
    // bodies; folding hoists them to the function's entry and merges equal
    // ones, as muon-fuse-elementwise and the tests expect.
    (void)applyPatternsGreedily(func, FrozenRewritePatternSet());
  }
};

} // namespace
