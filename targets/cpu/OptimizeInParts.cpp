//===- OptimizeInParts.cpp - LLVM's optimisation on every core ------------===//
//
// A model's LLVM module is a function per layer (muon-outline-layers), each
// noinline and independent of the others, but LLVM optimises a module on one
// thread. Here the functions are dealt into a fixed number of parts (fixed,
// so that the object does not depend on the machine's core count), each part
// is cloned into a module of its own with the other functions and every
// global only declared (the weights stay where they are), the parts are
// optimised concurrently in their own LLVM contexts, and their functions are
// linked back in place of the originals.
//
// Linking across modules works on symbols with external linkage, so the
// module's internal and private symbols are made external (hidden) for the
// duration and given back their linkage afterwards.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/OptimizeInParts.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <mutex>

namespace muon {

namespace {

/// Parts a module is dealt into: enough to keep a few cores busy with
/// functions of uneven sizes.
constexpr unsigned numParts = 8;

/// Optimises the bitcode module `input` in a context of its own, on a copy
/// of `machine`, and returns it as bitcode.
llvm::Expected<std::string> optimizePart(llvm::StringRef input,
                                         const llvm::TargetMachine &machine,
                                         unsigned optLevel) {
  llvm::LLVMContext context;
  llvm::Expected<std::unique_ptr<llvm::Module>> module =
      llvm::parseBitcodeFile(llvm::MemoryBufferRef(input, "part"), context);
  if (!module)
    return module.takeError();
  std::unique_ptr<llvm::TargetMachine> copy(
      machine.getTarget().createTargetMachine(
          machine.getTargetTriple(), machine.getTargetCPU(),
          machine.getTargetFeatureString(), machine.Options,
          machine.getRelocationModel(), machine.getCodeModel(),
          machine.getOptLevel()));
  auto optimize = mlir::makeOptimizingTransformer(optLevel, 0, copy.get());
  if (llvm::Error err = optimize(module->get()))
    return std::move(err);
  std::string output;
  llvm::raw_string_ostream os(output);
  llvm::WriteBitcodeToFile(**module, os);
  return output;
}

} // namespace

llvm::Error optimizeInParts(llvm::Module &module, llvm::TargetMachine &machine,
                            unsigned optLevel) {
  std::vector<llvm::Function *> functions;
  for (llvm::Function &function : module)
    if (!function.isDeclaration())
      functions.push_back(&function);
  if (functions.size() < 2 * numParts)
    return mlir::makeOptimizingTransformer(optLevel, 0, &machine)(&module);

  // External for the duration, so that the parts link back.
  std::vector<std::pair<std::string, llvm::GlobalValue::LinkageTypes>> local;
  for (llvm::GlobalValue &value : module.global_values())
    if (value.hasLocalLinkage()) {
      if (!value.hasName()) // the parts refer to symbols by name
        value.setName("muon.local");
      local.emplace_back(value.getName().str(), value.getLinkage());
      value.setLinkage(llvm::GlobalValue::ExternalLinkage);
      value.setVisibility(llvm::GlobalValue::HiddenVisibility);
    }

  // The largest functions first (in module order among equals), each to the
  // part with least so far.
  std::vector<std::pair<unsigned, unsigned>> bySize; // (instructions, index)
  for (auto [index, function] : llvm::enumerate(functions))
    bySize.emplace_back(function->getInstructionCount(), index);
  llvm::sort(bySize, [](auto a, auto b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  llvm::DenseMap<const llvm::Function *, unsigned> partOf;
  std::vector<unsigned> load(numParts, 0);
  for (auto [size, index] : bySize) {
    unsigned part = llvm::min_element(load) - load.begin();
    partOf[functions[index]] = part;
    load[part] += size + 1;
  }
  std::vector<std::string> inputs(numParts);
  for (unsigned part = 0; part < numParts; ++part) {
    llvm::ValueToValueMapTy map;
    std::unique_ptr<llvm::Module> clone =
        llvm::CloneModule(module, map, [&](const llvm::GlobalValue *value) {
          auto *function = llvm::dyn_cast<llvm::Function>(value);
          auto it = partOf.find(function);
          return it != partOf.end() && it->second == part;
        });
    llvm::raw_string_ostream os(inputs[part]);
    llvm::WriteBitcodeToFile(*clone, os);
  }

  std::vector<std::string> outputs(numParts);
  std::vector<std::string> errors;
  std::mutex errorsMutex;
  {
    llvm::DefaultThreadPool pool(llvm::hardware_concurrency());
    for (unsigned part = 0; part < numParts; ++part)
      pool.async([&, part] {
        llvm::Expected<std::string> output =
            optimizePart(inputs[part], machine, optLevel);
        if (output) {
          outputs[part] = std::move(*output);
          return;
        }
        std::lock_guard<std::mutex> lock(errorsMutex);
        errors.push_back(llvm::toString(output.takeError()));
      });
    pool.wait();
  }
  if (!errors.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   errors.front());

  // The optimised functions replace the originals.
  for (llvm::Function *function : functions)
    function->deleteBody();
  for (const std::string &output : outputs) {
    llvm::Expected<std::unique_ptr<llvm::Module>> part = llvm::parseBitcodeFile(
        llvm::MemoryBufferRef(output, "part"), module.getContext());
    if (!part)
      return part.takeError();
    if (llvm::Linker::linkModules(module, std::move(*part)))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "linking the optimised parts failed");
  }
  for (auto &[name, linkage] : local)
    if (llvm::GlobalValue *value = module.getNamedValue(name)) {
      value->setVisibility(llvm::GlobalValue::DefaultVisibility);
      value->setLinkage(linkage);
    }
  return llvm::Error::success();
}

} // namespace muon
