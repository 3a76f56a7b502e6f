//===- CpuTarget.cpp - Lowering a muon module to native code --------------===//
//
// muon -> linalg on tensors -> destination-passing entry -> one-shot
// bufferization -> static workspace plan -> loops -> LLVM dialect -> LLVM IR
// -> object file through LLVM's TargetMachine.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/CpuTarget.h"
#include "dialects/muon/MuonDialect.h"
#include "targets/cpu/OptimizeInParts.h"
#include "targets/cpu/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Affine/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/TensorTilingInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/SubsetOpInterfaceImpl.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <cstdlib>

using namespace mlir;

namespace muon {

void registerCpuTargetDialects(DialectRegistry &registry) {
  registry
      .insert<MuonDialect, affine::AffineDialect, arith::ArithDialect,
              bufferization::BufferizationDialect, func::FuncDialect,
              linalg::LinalgDialect, LLVM::LLVMDialect, math::MathDialect,
              memref::MemRefDialect, quant::QuantDialect, scf::SCFDialect,
              tensor::TensorDialect, ub::UBDialect, vector::VectorDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  vector::registerBufferizableOpInterfaceExternalModels(registry);
  // Tiling, masked vectorization and empty-tensor elimination query these.
  linalg::registerTilingInterfaceExternalModels(registry);
  tensor::registerTilingInterfaceExternalModels(registry);
  linalg::registerSubsetOpInterfaceExternalModels(registry);
  tensor::registerSubsetOpInterfaceExternalModels(registry);
  vector::registerSubsetOpInterfaceExternalModels(registry);
  affine::registerValueBoundsOpInterfaceExternalModels(registry);
  arith::registerValueBoundsOpInterfaceExternalModels(registry);
  linalg::registerValueBoundsOpInterfaceExternalModels(registry);
  scf::registerValueBoundsOpInterfaceExternalModels(registry);
  tensor::registerValueBoundsOpInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

void buildMuonToLinalgPipeline(OpPassManager &pm, RegisterBlock block) {
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createMuonToLinalg());
  funcPm.addPass(createMuonFuseElementwise());
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createCSEPass());
  // Integer products whose operands were widened from 8 bits read the 8-bit
  // tensors instead, for the pair dot products of tile-and-vectorize.
  funcPm.addPass(createMuonFoldOperandExtension());
  funcPm.addPass(createMuonTileAndVectorize(
      {block.rows, block.columns, block.pairDotBits, block.quadDotBits}));
  funcPm.addPass(createCanonicalizerPass());
  // The accumulator tile becomes a loop-carried vector of the reduction
  // loop (on tensors: after bufferization its reads and writes go through
  // subviews, which buffer-level hoisting does not move).
  funcPm.addPass(createLoopInvariantSubsetHoistingPass());
  // Vector transfers read and write the tiled tensors at an offset instead
  // of through a slice each: bufferization's analysis then compares 900
  // slices instead of 6,000 in a 600-node graph.
  funcPm.addPass(tensor::createFoldTensorSubsetOpsPass());
  funcPm.addPass(createCanonicalizerPass());
}

void buildBufferizePipeline(OpPassManager &pm,
                            const CpuTargetOptions &options) {
  pm.addPass(createMuonDestinationPassing({options.name}));
  // Lets the last op of each output write straight into the caller's buffer.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(createMuonBufferize());
  // In-place insert_slice bufferizes to a copy of a subview onto an equal
  // subview; once CSE makes the two one value, canonicalization erases it.
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createMuonPlanWorkspace());
}

void buildLowerToLLVMPipeline(OpPassManager &pm, bool nativeF16Conversion) {
  pm.addNestedPass<func::FuncOp>(createMuonDropArgumentNames());
  pm.addPass(createMuonOutlineLayers());
  // Each function on its own from here, on as many threads as there are
  // cores, except for the conversions that work on the whole module (they
  // declare libm functions or malloc, convert the functions themselves, or
  // are anchored there: control flow).
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createConvertLinalgToLoopsPass());
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createMuonKeepCopyLoopsRolled());
  funcPm.addPass(vector::createLowerVectorMaskPass());
  funcPm.addPass(createMuonLowerVectors());
  // n-D transfers become 1-D ones directly, not loops over a stack buffer
  // per transfer (a depthwise layer had 52 such buffers and 2,000 lines of
  // LLVM IR that LLVM then had to fold away).
  funcPm.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  funcPm.addPass(createMuonHoistStaticAllocas());
  funcPm.addPass(createMuonApproximateMath());
  // Before LLVM can turn a 16-bit float conversion into a helper call.
  funcPm.addPass(createMuonExpandFloatConversions({nativeF16Conversion}));
  funcPm.addPass(createLowerAffinePass());
  funcPm.addPass(createSCFToControlFlowPass());
  funcPm.addPass(memref::createExpandStridedMetadataPass());
  funcPm.addPass(createLowerAffinePass());
  // Math first: LLVM intrinsics where they exist, libm calls otherwise (the
  // latter unroll vectors into vector.extract/insert, which the vector
  // conversion then lowers).
  funcPm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  OpPassManager &vectorPm = pm.nest<func::FuncOp>();
  vectorPm.addPass(createConvertVectorToLLVMPass());
  vectorPm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createConvertControlFlowToLLVMPass());
  OpPassManager &llvmFuncPm = pm.nest<LLVM::LLVMFuncOp>();
  llvmFuncPm.addPass(createUBToLLVMConversionPass());
  llvmFuncPm.addPass(createReconcileUnrealizedCastsPass());
  llvmFuncPm.addPass(createCanonicalizerPass());
  pm.addPass(createMuonFlattenGlobals());
}

namespace {

/// The options of the registered CPU pipelines: what muonc derives from the
/// target machine (the register block, native f16 conversion) and from its
/// command line (the name).
struct CpuPipelineOptions : PassPipelineOptions<CpuPipelineOptions> {
  Option<std::string> name{*this, "name",
                           llvm::cl::desc("Prefix of every exported symbol"),
                           llvm::cl::init("model")};
  Option<int64_t> mr{*this, "mr",
                     llvm::cl::desc("Rows of the register block (8 with "
                                    "AVX-512, 6 otherwise)"),
                     llvm::cl::init(6)};
  Option<int64_t> nr{*this, "nr",
                     llvm::cl::desc("Columns of the register block (32 with "
                                    "AVX-512, 16 otherwise)"),
                     llvm::cl::init(16)};
  Option<int64_t> pairDotBits{
      *this, "pair-dot-bits",
      llvm::cl::desc("Width of the i16 pair dot product (vpmaddwd): 512, 256 "
                     "or 0"),
      llvm::cl::init(0)};
  Option<int64_t> quadDotBits{
      *this, "quad-dot-bits",
      llvm::cl::desc("Width of the uint8 x int8 quad dot product "
                     "(vpdpbusd): 512, 256 or 0"),
      llvm::cl::init(0)};
  Option<bool> nativeF16{
      *this, "native-f16",
      llvm::cl::desc("The target converts f16 in hardware (F16C, AArch64)"),
      llvm::cl::init(false)};

  RegisterBlock block() const { return {mr, nr, pairDotBits, quadDotBits}; }
  CpuTargetOptions target() const {
    CpuTargetOptions options;
    options.name = name;
    return options;
  }
};

} // namespace

void registerMuonCpuPipelines() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "muon-cpu-to-linalg",
      "Muon ops to linalg on tensors, tiled into register blocks and "
      "vectorized (uses mr, nr, pair-dot-bits, quad-dot-bits)",
      [](OpPassManager &pm, const CpuPipelineOptions &options) {
        buildMuonToLinalgPipeline(pm, options.block());
      });
  PassPipelineRegistration<CpuPipelineOptions>(
      "muon-cpu-bufferize",
      "Linalg on tensors to buffers in the caller's workspace, with the C "
      "ABI of <name>_run (uses name)",
      [](OpPassManager &pm, const CpuPipelineOptions &options) {
        buildBufferizePipeline(pm, options.target());
      });
  PassPipelineRegistration<CpuPipelineOptions>(
      "muon-cpu-to-llvm",
      "Buffers and vectors to the LLVM dialect (uses native-f16)",
      [](OpPassManager &pm, const CpuPipelineOptions &options) {
        buildLowerToLLVMPipeline(pm, options.nativeF16);
      });
  PassPipelineRegistration<CpuPipelineOptions>(
      "muon-cpu-pipeline",
      "The lowering muonc runs for --target=cpu, from the muon dialect after "
      "the graph passes to the LLVM dialect: muon-cpu-to-linalg, "
      "muon-cpu-bufferize, muon-cpu-to-llvm",
      [](OpPassManager &pm, const CpuPipelineOptions &options) {
        buildMuonToLinalgPipeline(pm, options.block());
        buildBufferizePipeline(pm, options.target());
        buildLowerToLLVMPipeline(pm, options.nativeF16);
      });
}

std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CpuTargetOptions &options, std::string &error) {
  static bool initialized = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialized;

  bool host = options.triple.empty();
  llvm::Triple triple(host ? llvm::sys::getDefaultTargetTriple()
                           : options.triple);
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    error = "unknown target triple '" + triple.str() + "': " + error;
    return nullptr;
  }
  std::string cpu = options.cpu;
  std::string features;
  // MUON_HOST_CPU stands in for the host's CPU (docs/cli.md): an AVX-512
  // machine then compiles, and runs, what an AVX2-only one would.
  const char *hostCpu = std::getenv("MUON_HOST_CPU");
  if (cpu.empty() && host && hostCpu && *hostCpu) {
    cpu = hostCpu;
  } else if (cpu.empty() && host) {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures hostFeatures;
    for (const auto &[feature, enabled] : llvm::sys::getHostCPUFeatures())
      hostFeatures.AddFeature(feature, enabled);
    features = hostFeatures.getString();
  }
  llvm::CodeGenOptLevel codeGenLevel =
      options.optLevel == 0   ? llvm::CodeGenOptLevel::None
      : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
      : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                              : llvm::CodeGenOptLevel::Aggressive;
  // Multiply-adds that vectorization leaves as separate fmul and fadd
  // (contractions over im2col patches, element-wise chains) become FMAs: one
  // rounding instead of two, and twice the throughput.
  llvm::TargetOptions targetOptions;
  targetOptions.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      codeGenLevel));
  if (!machine)
    error = "cannot create a target machine for '" + triple.str() +
            "' and CPU '" + cpu + "'";
  else if (!cpu.empty() &&
           !machine->getMCSubtargetInfo()->isCPUStringValid(cpu))
    error = "unknown CPU '" + cpu + "'" +
            (options.cpu.empty() ? " (MUON_HOST_CPU)" : "") + " for '" +
            triple.str() + "'";
  if (!error.empty())
    return nullptr;
  return machine;
}

RegisterBlock chooseRegisterBlock(const llvm::TargetMachine &machine) {
  // 32 vector registers of 16 floats: 8 x 32 accumulators (16 registers)
  // leave room for the operands. With 16 registers of 8 floats (AVX2),
  // 6 x 16 accumulators take 12.
  // 8-bit contractions use the same blocks of i32 accumulators.
  const llvm::MCSubtargetInfo &subtarget = *machine.getMCSubtargetInfo();
  bool x86 = machine.getTargetTriple().isX86();
  int64_t pairDotBits = !x86                                   ? 0
                        : subtarget.checkFeatures("+avx512bw") ? 512
                        : subtarget.checkFeatures("+avx2")     ? 256
                                                               : 0;
  bool avx512 = x86 && subtarget.checkFeatures("+avx512f");
  int64_t quadDotBits =
      !x86 || !pairDotBits                                         ? 0
      : avx512 && subtarget.checkFeatures("+avx512vnni,+avx512bw") ? 512
      : !avx512 && subtarget.checkFeatures("+avxvnni")             ? 256
                                                                   : 0;
  if (avx512)
    return {8, 32, pairDotBits, quadDotBits};
  return {6, 16, pairDotBits, quadDotBits};
}

bool hasNativeF16Conversion(const llvm::TargetMachine &machine) {
  const llvm::Triple &triple = machine.getTargetTriple();
  if (triple.isX86())
    return machine.getMCSubtargetInfo()->checkFeatures("+f16c");
  return triple.isAArch64();
}

LogicalResult emitNative(ModuleOp module, llvm::TargetMachine &machine,
                         unsigned optLevel, NativeOutput kind,
                         llvm::raw_ostream &os, TimingScope &timing) {
  std::string cpu = machine.getTargetCPU().str();
  std::string features = machine.getTargetFeatureString().str();
  llvm::LLVMContext llvmContext;
  TimingScope translation = timing.nest("translation to LLVM IR");
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  translation.stop();
  if (!llvmModule)
    return module.emitError("translation to LLVM IR failed");
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());
  for (llvm::Function &function : *llvmModule) {
    if (function.isDeclaration())
      continue;
    function.addFnAttr("target-cpu", cpu);
    if (!features.empty())
      function.addFnAttr("target-features", features);
  }

  TimingScope optimisation = timing.nest("optimisation");
  if (llvm::Error err = optimizeInParts(*llvmModule, machine, optLevel))
    return module.emitError("LLVM optimisation failed: ")
           << llvm::toString(std::move(err));
  optimisation.stop();

  if (kind == NativeOutput::LLVMIR) {
    llvmModule->print(os, nullptr);
    return success();
  }
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream bufferStream(buffer);
  llvm::legacy::PassManager codegen;
  auto fileType = kind == NativeOutput::Object
                      ? llvm::CodeGenFileType::ObjectFile
                      : llvm::CodeGenFileType::AssemblyFile;
  if (machine.addPassesToEmitFile(codegen, bufferStream, nullptr, fileType))
    return module.emitError("the target cannot emit this file type");
  TimingScope codeGeneration = timing.nest("code generation");
  codegen.run(*llvmModule);
  codeGeneration.stop();
  os.write(buffer.data(), buffer.size());
  return success();
}

} // namespace muon
