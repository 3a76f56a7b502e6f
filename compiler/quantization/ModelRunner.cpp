//===- ModelRunner.cpp - Running a muon module in the compiler ------------===//

#include "compiler/quantization/ModelRunner.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace muon {

//===----------------------------------------------------------------------===//
// Sample files
//===----------------------------------------------------------------------===//

namespace {

/// The numpy type code of a tensor element type; empty if it has none.
std::string dtypeFor(Type type) {
  if (type.isF32())
    return "f4";
  if (type.isF64())
    return "f8";
  if (type.isF16())
    return "f2";
  if (type.isInteger(1))
    return "b1";
  if (auto integer = dyn_cast<IntegerType>(type))
    return (integer.isUnsigned() ? "u" : "i") +
           std::to_string(integer.getWidth() / 8);
  return "";
}

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? "," : "") + std::to_string(d);
  return s + "]";
}

/// numpy's name of a type code: "f4" -> "float32".
std::string dtypeName(StringRef dtype) {
  if (dtype == "b1")
    return "bool";
  StringRef kind = dtype.take_front();
  std::string name = kind == "f"   ? "float"
                     : kind == "i" ? "int"
                     : kind == "u" ? "uint"
                                   : dtype.str();
  return name + std::to_string(dtypeSize(dtype) * 8);
}

std::string describe(const ExpectedInput &input) {
  return "input '" + input.name + "' (" + dtypeName(input.dtype) + " " +
         shapeString(input.shape) + ")";
}

/// Reads one sample file and checks it against the input it is for.
FailureOr<HostTensor> readSampleFile(StringRef path, const ExpectedInput &input,
                                     const SampleSource &source) {
  llvm::Expected<HostTensor> tensor = readTensorFile(path);
  if (!tensor)
    return source.error() << source.what << " " << path << ": "
                          << llvm::toString(tensor.takeError());
  if (tensor->dtype != input.dtype || tensor->shape != input.shape)
    return source.error()
           << source.what << " " << path << " holds "
           << dtypeName(tensor->dtype) << " " << shapeString(tensor->shape)
           << ", but " << describe(input)
           << " is expected (one sample per file, with the model's "
              "batch size)";
  return std::move(*tensor);
}

/// The sorted entries of `dir` that are regular files ending in .npy, or
/// directories.
std::vector<std::string> listEntries(StringRef dir, bool directories) {
  std::vector<std::string> entries;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::sys::fs::file_status status;
    if (llvm::sys::fs::status(it->path(), status))
      continue;
    bool isDirectory = llvm::sys::fs::is_directory(status);
    if (directories ? isDirectory
                    : (llvm::sys::fs::is_regular_file(status) &&
                       StringRef(it->path()).ends_with(".npy")))
      entries.push_back(it->path());
  }
  llvm::sort(entries);
  return entries;
}

} // namespace

std::vector<ExpectedInput> getExpectedInputs(func::FuncOp func) {
  std::vector<ExpectedInput> inputs;
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto tensor = cast<RankedTensorType>(type);
    auto name = func.getArgAttrOfType<StringAttr>(i, "muon.name");
    inputs.push_back({name ? name.str() : "arg" + std::to_string(i),
                      dtypeFor(tensor.getElementType()),
                      std::vector<int64_t>(tensor.getShape())});
  }
  return inputs;
}

FailureOr<std::vector<Sample>> readSamples(StringRef dir,
                                           ArrayRef<ExpectedInput> inputs,
                                           const SampleSource &source) {
  auto error = source.error;
  if (!llvm::sys::fs::is_directory(dir))
    return error() << source.option << ": " << dir << " is not a directory";
  std::vector<Sample> samples;
  if (inputs.size() == 1) {
    for (const std::string &path : listEntries(dir, /*directories=*/false)) {
      FailureOr<HostTensor> tensor = readSampleFile(path, inputs[0], source);
      if (failed(tensor))
        return failure();
      samples.push_back({std::move(*tensor)});
    }
    if (samples.empty())
      return error() << source.option << ": " << dir << " holds no "
                     << source.what
                     << "s; expected one .npy "
                        "file per sample, each holding "
                     << describe(inputs[0]);
    return samples;
  }
  for (const std::string &sampleDir : listEntries(dir, /*directories=*/true)) {
    Sample sample;
    for (const ExpectedInput &input : inputs) {
      SmallString<256> path(sampleDir);
      llvm::sys::path::append(path, input.name + ".npy");
      if (!llvm::sys::fs::exists(path))
        return error() << source.what << " " << sampleDir << " has no "
                       << input.name << ".npy for " << describe(input);
      FailureOr<HostTensor> tensor = readSampleFile(path, input, source);
      if (failed(tensor))
        return failure();
      sample.push_back(std::move(*tensor));
    }
    samples.push_back(std::move(sample));
  }
  if (samples.empty())
    return error() << source.option << ": " << dir << " holds no "
                   << source.what << "s; the model has " << inputs.size()
                   << " inputs, so expected one subdirectory per sample "
                      "holding <input name>.npy for each input";
  return samples;
}

//===----------------------------------------------------------------------===//
// Running a model in-process
//===----------------------------------------------------------------------===//

FailureOr<std::unique_ptr<ModelRunner>>
ModelRunner::create(ModuleOp module, ArrayRef<Value> observed,
                    const CompileForHost &compileForHost) {
  auto runner = std::make_unique<ModelRunner>();
  MLIRContext *context = module.getContext();
  auto error = [&] { return emitError(module.getLoc()); };

  // A copy of the module that also returns every observed op result.
  IRMapping mapping;
  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone(mapping)));
  auto func = *copy->getOps<func::FuncOp>().begin();
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  SmallVector<Value> results(ret.getOperands());
  SmallVector<Attribute> resultAttrs;
  for (unsigned i = 0; i < results.size(); ++i)
    resultAttrs.push_back(func.getResultAttrDict(i)
                              ? Attribute(func.getResultAttrDict(i))
                              : DictionaryAttr::get(context));
  for (Value value : observed) {
    if (auto argument = dyn_cast<BlockArgument>(value)) {
      runner->sources.push_back({true, argument.getArgNumber()});
      continue;
    }
    Value mapped = mapping.lookup(value);
    auto it = llvm::find(results, mapped);
    runner->sources.push_back({false, size_t(it - results.begin())});
    if (it != results.end())
      continue;
    results.push_back(mapped);
    resultAttrs.push_back(DictionaryAttr::get(
        context,
        NamedAttribute(
            StringAttr::get(context, "muon.name"),
            StringAttr::get(context,
                            "calibration_" + std::to_string(results.size())))));
  }
  ret->setOperands(results);
  func.setType(FunctionType::get(context, func.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
  func.setAllResultAttrs(resultAttrs);

  FailureOr<HostObject> compiled = compileForHost(*copy);
  if (failed(compiled))
    return failure();
  runner->model = std::move(compiled->interface);

  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit)
    return error() << "calibration cannot start LLVM's JIT: "
                   << llvm::toString(jit.takeError());
  runner->jit = std::move(*jit);
  if (llvm::Error err =
          runner->jit->addObjectFile(llvm::MemoryBuffer::getMemBufferCopy(
              compiled->object, "muon_calibration.o")))
    return error() << "calibration cannot load the compiled model: "
                   << llvm::toString(std::move(err));

  // int muon_calibration_call(void **pointers): the model's run function
  // with its inputs, outputs and workspace taken from `pointers`.
  auto llvmContext = std::make_unique<llvm::LLVMContext>();
  auto wrapper =
      std::make_unique<llvm::Module>("muon_calibration_call", *llvmContext);
  wrapper->setDataLayout(runner->jit->getDataLayout());
  llvm::Type *pointer = llvm::PointerType::getUnqual(*llvmContext);
  llvm::Type *i32 = llvm::Type::getInt32Ty(*llvmContext);
  size_t arity = runner->model.inputs.size() + runner->model.outputs.size() + 1;
  auto *runType = llvm::FunctionType::get(
      i32, SmallVector<llvm::Type *>(arity, pointer), false);
  auto *run = llvm::Function::Create(runType, llvm::Function::ExternalLinkage,
                                     runner->model.name + "_run", *wrapper);
  auto *callType = llvm::FunctionType::get(i32, {pointer}, false);
  auto *callFn =
      llvm::Function::Create(callType, llvm::Function::ExternalLinkage,
                             "muon_calibration_call", *wrapper);
  llvm::IRBuilder<> builder(
      llvm::BasicBlock::Create(*llvmContext, "entry", callFn));
  SmallVector<llvm::Value *> arguments;
  for (size_t i = 0; i < arity; ++i)
    arguments.push_back(builder.CreateLoad(
        pointer,
        builder.CreateConstInBoundsGEP1_64(pointer, callFn->getArg(0), i)));
  builder.CreateRet(builder.CreateCall(runType, run, arguments));
  if (llvm::Error err = runner->jit->addIRModule(llvm::orc::ThreadSafeModule(
          std::move(wrapper), std::move(llvmContext))))
    return error() << "calibration cannot load its call wrapper: "
                   << llvm::toString(std::move(err));
  auto address = runner->jit->lookup("muon_calibration_call");
  if (!address)
    return error() << "calibration cannot link the compiled model: "
                   << llvm::toString(address.takeError());
  runner->call = address->toPtr<int (*)(void **)>();

  for (const TensorInterface &output : runner->model.outputs)
    runner->outputs.emplace_back(output.numElements() *
                                 dtypeSize(dtypeForCType(output.cType)));
  runner->workspace.resize(runner->model.workspaceSize + 64);
  return runner;
}

LogicalResult ModelRunner::run(const Sample &sample, Location loc) {
  SmallVector<void *> pointers;
  for (const HostTensor &input : sample)
    pointers.push_back(const_cast<char *>(input.data.data()));
  for (std::vector<char> &output : outputs)
    pointers.push_back(output.data());
  // The workspace is 64-byte aligned, as the header requires.
  auto base = reinterpret_cast<uintptr_t>(workspace.data());
  pointers.push_back(reinterpret_cast<void *>((base + 63) & ~uintptr_t(63)));
  if (int status = call(pointers.data()))
    return emitError(loc) << "the model failed on a sample (status " << status
                          << ")";
  return success();
}

ArrayRef<float> ModelRunner::observation(size_t i, const Sample &sample) const {
  auto [isInput, index] = sources[i];
  const std::vector<char> &bytes =
      isInput ? sample[index].data : outputs[index];
  return ArrayRef(reinterpret_cast<const float *>(bytes.data()),
                  bytes.size() / sizeof(float));
}

ModelRunner::~ModelRunner() = default;

} // namespace muon
