//===- Calibration.cpp - Post-training quantization of float models -------===//
//
// The float model runs in the compiler (ModelRunner) on the calibration
// samples with every activation to calibrate as an extra result; the
// statistics of those give the ranges muon-quantize quantizes with.
//
//===----------------------------------------------------------------------===//

#include "compiler/quantization/Calibration.h"
#include "compiler/quantization/ModelRunner.h"
#include "compiler/quantization/QuantReport.h"
#include "dialects/muon/OnnxLocations.h"
#include "passes/Passes.h"
#include "passes/Quantize.h"

#include "dialects/muon/MuonOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace muon {

//===----------------------------------------------------------------------===//
// Excluded nodes
//===----------------------------------------------------------------------===//

LogicalResult checkExcludedNodes(ModuleOp module,
                                 const QuantizationOptions &options) {
  if (options.excludedNodes.empty())
    return success();
  llvm::StringSet<> known;
  module.walk([&](Operation *op) {
    for (const std::string &name : getOnnxNodeNames(op->getLoc()))
      known.insert(name);
  });
  SmallVector<StringRef> unknown;
  for (const std::string &name : options.excludedNodes)
    if (!known.contains(name))
      unknown.push_back(name);
  if (unknown.empty())
    return success();
  InFlightDiagnostic diag = emitError(UnknownLoc::get(module.getContext()))
                            << "--quantize-exclude: the model has no node "
                            << (unknown.size() == 1 ? "named " : "named: ");
  llvm::interleaveComma(unknown, diag,
                        [&](StringRef n) { diag << "'" << n << "'"; });
  return diag;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

/// The name of an activation in the report: the ONNX nodes that compute it,
/// or the graph input it is.
static std::string activationName(Value value) {
  if (auto argument = dyn_cast<BlockArgument>(value)) {
    auto func = cast<func::FuncOp>(argument.getOwner()->getParentOp());
    auto name =
        func.getArgAttrOfType<StringAttr>(argument.getArgNumber(), "muon.name");
    return "input '" + (name ? name.str() : "?") + "'";
  }
  std::string names = llvm::join(getOnnxNodeNames(value.getLoc()), " + ");
  return names.empty() ? "(unnamed)" : names;
}

/// Runs the quantized model (the integer code muonc emits, with every
/// quantized activation also returned, dequantized) beside the float one on
/// the report's samples and writes the comparison. `activations` are the
/// float values muon-quantize quantized; `floatModel` returns them, then the
/// model outputs.
static LogicalResult
reportQuantization(ModuleOp module, const QuantizationOptions &options,
                   const CompileForHost &compileForHost,
                   ModelRunner &floatModel, ArrayRef<Value> activations,
                   const std::vector<Sample> &calibration) {
  MLIRContext *context = module.getContext();
  auto error = [&] { return emitError(UnknownLoc::get(context)); };
  func::FuncOp func = *module.getOps<func::FuncOp>().begin();
  std::vector<Sample> other;
  const std::vector<Sample> *samples = &calibration;
  StringRef inputs = options.calibrationDir;
  if (!options.reportInputsDir.empty()) {
    FailureOr<std::vector<Sample>> read =
        readSamples(options.reportInputsDir, getExpectedInputs(func),
                    {"--quant-report-inputs", "sample", error});
    if (failed(read))
      return failure();
    other = std::move(*read);
    samples = &other;
    inputs = options.reportInputsDir;
  }

  // Each quantized activation is dequantize(quantize(x)) of its float value
  // x; an activation without one (a float-only consumer kept it float) is
  // left out. Float model observation i is activations[i], then the outputs.
  std::vector<ReportEntry> layers, outputs;
  SmallVector<Value> observed;
  SmallVector<size_t> floatIndex;
  for (auto [i, value] : llvm::enumerate(activations)) {
    for (Operation *user : value.getUsers()) {
      auto quantize = dyn_cast<QuantizeOp>(user);
      if (!quantize || !quantize->hasOneUse())
        continue;
      auto dequantize = dyn_cast<DequantizeOp>(*quantize->user_begin());
      if (!dequantize)
        continue;
      ReportEntry entry;
      entry.name = activationName(value);
      entry.op = value.getDefiningOp()
                     ? value.getDefiningOp()->getName().getStringRef().str()
                     : "";
      auto type = cast<quant::UniformQuantizedType>(
          quantize.getType().getElementType());
      entry.scale = type.getScale();
      entry.zeroPoint = type.getZeroPoint();
      layers.push_back(std::move(entry));
      observed.push_back(dequantize.getResult());
      floatIndex.push_back(i);
      break;
    }
  }
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
    auto type = cast<RankedTensorType>(value.getType());
    if (!type.getElementType().isF32())
      continue;
    ReportEntry entry;
    auto name = func.getResultAttrOfType<StringAttr>(i, "muon.name");
    entry.name = "output '" + (name ? name.str() : std::to_string(i)) + "'";
    entry.classes = type.getRank() ? type.getShape().back() : 1;
    outputs.push_back(std::move(entry));
    observed.push_back(value);
    floatIndex.push_back(activations.size() + i);
  }

  FailureOr<std::unique_ptr<ModelRunner>> quantizedModel =
      ModelRunner::create(module, observed, compileForHost);
  if (failed(quantizedModel))
    return failure();
  for (const Sample &sample : *samples) {
    if (failed(floatModel.run(sample, func.getLoc())) ||
        failed((*quantizedModel)->run(sample, func.getLoc())))
      return failure();
    for (size_t i = 0; i < observed.size(); ++i) {
      ReportEntry &entry =
          i < layers.size() ? layers[i] : outputs[i - layers.size()];
      entry.error.add(floatModel.observation(floatIndex[i], sample),
                      (*quantizedModel)->observation(i, sample), entry.classes);
    }
  }
  std::string message;
  if (failed(writeQuantReport(options.reportPath, inputs, samples->size(),
                              std::move(layers), outputs, llvm::errs(),
                              message)))
    return error() << message;
  return success();
}

LogicalResult
quantizeModule(ModuleOp module, const QuantizationOptions &options,
               const CompileForHost &compileForHost,
               const std::function<LogicalResult(PassManager &)> &configure) {
  MLIRContext *context = module.getContext();
  auto error = [&] { return emitError(UnknownLoc::get(context)); };
  auto funcs = module.getOps<func::FuncOp>();
  if (funcs.empty())
    return error() << "the module has no function to quantize";
  func::FuncOp func = *funcs.begin();

  std::vector<ExpectedInput> inputs = getExpectedInputs(func);
  FailureOr<std::vector<Sample>> samples =
      readSamples(options.calibrationDir, inputs,
                  {"--calibration", "calibration sample", error});
  if (failed(samples))
    return failure();

  llvm::StringSet<> excluded;
  for (const std::string &name : options.excludedNodes)
    excluded.insert(name);
  SetVector<Value> activations = getActivationsToQuantize(func, excluded);
  // The report compares the model outputs too.
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  SmallVector<Value> observed(activations.begin(), activations.end());
  if (!options.reportPath.empty())
    llvm::append_range(observed, ret.getOperands());
  std::unique_ptr<ModelRunner> floatModel;
  if (!observed.empty()) {
    FailureOr<std::unique_ptr<ModelRunner>> runner =
        ModelRunner::create(module, observed, compileForHost);
    if (failed(runner))
      return failure();
    floatModel = std::move(*runner);
    std::vector<TensorStatistics> statistics(activations.size());
    for (const Sample &sample : *samples) {
      if (failed(floatModel->run(sample, func.getLoc())))
        return failure();
      for (size_t i = 0; i < activations.size(); ++i)
        statistics[i].observeRange(floatModel->observation(i, sample));
    }
    // The histograms span the ranges just found: a second pass.
    if (options.method != CalibrationMethod::MinMax) {
      for (const Sample &sample : *samples) {
        if (failed(floatModel->run(sample, func.getLoc())))
          return failure();
        for (size_t i = 0; i < activations.size(); ++i)
          statistics[i].observeHistogram(floatModel->observation(i, sample));
      }
    }
    for (auto [value, stats] : llvm::zip(activations, statistics)) {
      CalibrationRange range = stats.range(options.method, options.percentile);
      auto attr = DenseF32ArrayAttr::get(context, {range.min, range.max});
      if (auto argument = dyn_cast<BlockArgument>(value))
        func.setArgAttr(argument.getArgNumber(), kCalibrationRangeAttr, attr);
      else
        value.getDefiningOp()->setAttr(kCalibrationRangeAttr, attr);
    }
  }

  PassManager pm(context);
  MuonQuantizeOptions quantizeOptions;
  quantizeOptions.excludeNodes.assign(options.excludedNodes.begin(),
                                      options.excludedNodes.end());
  pm.nest<func::FuncOp>().addPass(createMuonQuantize(quantizeOptions));
  if (configure && failed(configure(pm)))
    return failure();
  if (failed(pm.run(module)))
    return failure();
  if (options.reportPath.empty())
    return success();
  return reportQuantization(module, options, compileForHost, *floatModel,
                            activations.getArrayRef(), *samples);
}

} // namespace muon
