//===- MuonToNpu.cpp - An int8 muon model to an npu.program ---------------===//
//
// The NPU target's lowering (Passes.td, docs/npu.md): every layer of the
// integer model becomes a few tiles, each a LOAD / compute / STORE sequence
// on the buffers described in docs/npu-isa.md, with the weights pre-tiled
// into the constants. The layer programs follow test/npu/Inputs/programs.py,
// whose hand-written gemm, conv, pool and add programs are checked against
// numpy references.
//
// Activations live in DRAM as NHWC with the channels padded to a multiple of
// BLOCK; an entry is one pixel's BLOCK channels. Padded channels carry
// arbitrary bytes: their weights are 0, and no output reads them.
//
// Tokens (docs/npu-isa.md, "Stages and dependency tokens"): within a tile,
// the last load signals compute (load -> compute) and the REQUANT, the last
// compute instruction, signals the store (compute -> store). A layer that
// needs several tiles alternates them between two halves of its buffers
// (double buffering, as conv3x3-tiled in test/npu/Inputs/programs.py): tile
// t + 1 loads while tile t computes and tile t - 1 stores; tile t + 2's
// first load waits for tile t's REQUANT (compute -> load) and its REQUANT
// for tile t's STORE (store -> compute). Where tiles do not overlap -- at
// a layer's start, and between the tiles of a Gemm -- the previous store
// signals a compute SYNC, which signals the next load: the layer reads what
// the one before stored, and its buffers were read by their last reader.
// A layer's weights and parameters do not depend on the previous layer:
// they go to the half of WBUF and PBUF that layer does not read and load
// before the wait, overlapping its compute (placeConstants). Every hazard
// between stages is then covered (muon-npu-run checks it).
//
//===----------------------------------------------------------------------===//

#include "targets/npu/FunctionLowering.h"
#include "targets/npu/Passes.h"

#include "dialects/muon/Constants.h"
#include "dialects/muon/HostFloatEnds.h"
#include "dialects/muon/Quantization.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <climits>

namespace muon {
#define GEN_PASS_DEF_MUONTONPU
#include "targets/npu/Passes.h.inc"
} // namespace muon

using namespace mlir;
using namespace muon;
using namespace muon::npu;

namespace {

struct MuonToNpuPass : muon::impl::MuonToNpuBase<MuonToNpuPass> {
  using MuonToNpuBase::MuonToNpuBase;
  void runOnOperation() override;
};

} // namespace

std::optional<SmallVector<int64_t>> npu::getConstantValues(Value value) {
  while (Operation *op = value.getDefiningOp()) {
    if (auto cast = dyn_cast<quant::StorageCastOp>(op))
      value = cast.getInput();
    else if (auto reshape = dyn_cast<ReshapeOp>(op))
      value = reshape.getInput();
    else
      break;
  }
  return getIntConstant(value);
}

/// The layout of a tensor of `type` when it is an activation the NPU can
/// hold: batch 1, [1, K] or [1, C, H, W].
static std::optional<Layout> shapeLayout(RankedTensorType type) {
  if (!type.hasStaticShape() || type.getDimSize(0) != 1)
    return std::nullopt;
  if (type.getRank() == 2)
    return Layout{0, 0, 1, 1, type.getDimSize(1)};
  if (type.getRank() == 4)
    return Layout{0, 0, type.getDimSize(2), type.getDimSize(3),
                  type.getDimSize(1)};
  return std::nullopt;
}

std::optional<Quant> npu::activationQuant(Type type) {
  std::optional<Int8ActivationQuant> quant = getInt8ActivationQuant(type);
  if (!quant)
    return std::nullopt;
  return Quant{quant->scale, quant->zeroPoint};
}

Layout FunctionLowering::place(Value result, const Layout &shape) {
  auto output = outputs.find(result);
  if (output == outputs.end())
    return program.allocateWorkspace(shape.h, shape.w, shape.c);
  Layout layout = shape;
  layout.region = program.addRegion("output", shape.entries(block) * block);
  auto [shapeOf, strides] = describeLayout(tensorType(result), layout, block);
  program.addTensor(output->second.first, layout.region, shapeOf, strides,
                    output->second.second);
  return layout;
}

/// A program input: the tensor descriptor of a model input, or with the
/// host prefix of a float value the host computes, from the quantization
/// its readers apply.
void FunctionLowering::lowerInput(Value input, const std::string &name) {
  std::optional<Layout> shape = shapeLayout(tensorType(input));
  std::optional<Quant> quant;
  for (Operation *user : input.getUsers()) {
    auto quantize = dyn_cast<QuantizeOp>(user);
    if (!quantize)
      continue; // a float op, reported where it is

    std::optional<Quant> q = activationQuant(quantize.getType());
    if (!q) {
      reject(user, "quantizes to a type other than signed 8-bit per tensor "
                   "(the NPU stores int8 only; quantize with int8 "
                   "activations)");
      continue;
    }
    if (quant &&
        (quant->scale != q->scale || quant->zeroPoint != q->zeroPoint)) {
      reject(user, "quantizes input '" + name + "' a second way");
      continue;
    }
    quant = q;
    if (!shape) {
      reject(user, "input '" + name + "' is not [1, K] or [1, C, H, W]");
      continue;
    }
  }
  if (!quant || !shape)
    return;
  Layout layout = *shape;
  // An image read by convolutions alone, which gain from it, is packed.
  int64_t pixelBytes = 0;
  bool packable = shape->h * shape->w > 1;
  for (Operation *user : input.getUsers())
    for (Operation *reader : user->getUsers()) {
      auto conv = dyn_cast<ConvOp>(reader);
      pixelBytes = conv ? packedPixelBytes(conv, block) : 0;
      packable &= pixelBytes != 0;
    }
  if (packable && pixelBytes) {
    layout.pixelBytes = pixelBytes;
    // A packed LOAD's last entry reads up to BLOCK bytes from the last
    // pixel it starts at.
    layout.region =
        program.addRegion("input", layout.h * layout.w * pixelBytes + block);
  } else {
    layout.region = program.addRegion("input", layout.entries(block) * block);
  }
  auto [shapeOf, strides] = describeLayout(tensorType(input), layout, block);
  program.addTensor(name, layout.region, shapeOf, strides, *quant);
  for (Operation *user : input.getUsers())
    if (isa<QuantizeOp>(user))
      layouts[user->getResult(0)] = layout;
}

void FunctionLowering::requantParams(Value accumulator, Quant out,
                                     int64_t channels,
                                     SmallVectorImpl<int64_t> &multipliers,
                                     SmallVectorImpl<int64_t> &shifts) {
  SmallVector<double> scales =
      getScales(getQuantizedElementType(accumulator.getType()));
  for (int64_t c = 0; c < channels; ++c) {
    double scale = scales[scales.size() == 1 ? 0 : c];
    FixedPointMultiplier fixed = getFixedPointMultiplier(scale / out.scale);
    multipliers.push_back(fixed.multiplier);
    shifts.push_back(fixed.shift);
  }
}

std::pair<int64_t, int64_t> FunctionLowering::clampOf(RequantizeOp requantize) {
  return getClampRange(requantize.getClampMinAttr(),
                       requantize.getClampMaxAttr(), -128, 127);
}

SmallVector<int64_t> npu::foldBias(std::optional<SmallVector<int64_t>> bias,
                                   ArrayRef<int64_t> weightSums,
                                   int64_t zeroPoint) {
  SmallVector<int64_t> folded;
  for (auto [c, sum] : llvm::enumerate(weightSums)) {
    int64_t value = (bias ? (*bias)[c] : 0) - zeroPoint * sum;
    folded.push_back(std::clamp<int64_t>(value, INT32_MIN, INT32_MAX));
  }
  return folded;
}

void FunctionLowering::lowerProduct(Operation *product,
                                    RequantizeOp requantize) {
  std::optional<Layout> in = input(product, product->getOperand(0));
  if (!in)
    return;
  std::optional<Quant> inQuant =
      activationQuant(product->getOperand(0).getType());
  std::optional<Quant> outQuant = activationQuant(requantize.getType());
  quant::QuantizedType weightType =
      getQuantizedElementType(product->getOperand(1).getType());
  if (!inQuant || !outQuant || !weightType ||
      weightType.getStorageTypeIntegralWidth() != 8 || !weightType.isSigned() ||
      llvm::any_of(getZeroPoints(weightType),
                   [](int64_t z) { return z != 0; })) {
    reject(product, "needs signed 8-bit activations and symmetric signed "
                    "8-bit weights");
    return;
  }
  if (!getConstantValues(product->getOperand(1))) {
    reject(product, "its weight is not a constant");
    return;
  }
  if (auto conv = dyn_cast<ConvOp>(product)) {
    if (flattened.contains(conv.getInput())) {
      reject(product, "reads a flattened tensor");
      return;
    }
    if (llvm::any_of(conv.getDilations(), [](int64_t d) { return d != 1; })) {
      reject(product, "dilated convolutions are not supported on the NPU");
      return;
    }
    int64_t channels = tensorType(conv.getInput()).getDimSize(1);
    if (conv.getGroup() == 1)
      return lowerConv(conv, requantize, *in, *inQuant);
    bool depthwise = static_cast<int64_t>(conv.getGroup()) == channels &&
                     tensorType(conv.getWeight()).getDimSize(0) == channels;
    if (depthwise && !conv.getBias() &&
        llvm::all_of(*getConstantValues(conv.getWeight()),
                     [](int64_t v) { return v == 1; }))
      return lowerWindowSum(conv, requantize, *in, *inQuant);
    if (depthwise)
      return lowerConv(conv, requantize, *in, *inQuant);
    reject(product, "grouped convolutions other than depthwise ones (one "
                    "output channel per input channel) are not supported on "
                    "the NPU");
    return;
  }
  lowerGemm(product, requantize, *in, *inQuant);
}

/// A reshape is free when it flattens [1, C, H, W] to [1, C H W] (a Gemm
/// reads the flattened order through its weights) or drops unit dims.
void FunctionLowering::lowerReshape(ReshapeOp reshape) {
  std::optional<Layout> in = input(reshape, reshape.getInput());
  if (!in)
    return;
  RankedTensorType inType = tensorType(reshape.getInput());
  RankedTensorType outType = reshape.getType();
  if (!activationQuant(outType) || outType.getRank() != 2 ||
      outType.getDimSize(0) != 1 ||
      outType.getDimSize(1) != inType.getNumElements()) {
    reject(reshape, "only the flattening of an image to [1, K] is supported "
                    "on the NPU");
    return;
  }
  if (outputs.count(reshape.getResult())) {
    reject(reshape, "a flattened image as a model output is not supported");
    return;
  }
  layouts[reshape.getResult()] = *in;
  if (in->h * in->w > 1)
    flattened.insert(reshape.getResult());
  for (Operation *user : reshape->getUsers())
    if (in->h * in->w > 1 && !isa<GemmOp, MatMulOp>(user))
      reject(user, "reads a flattened image; only Gemm and MatMul can");
}

LogicalResult FunctionLowering::run() {
  Block &body = func.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (auto [i, operand] : llvm::enumerate(ret.getOperands())) {
    auto dequantize = operand.getDefiningOp<DequantizeOp>();
    auto nameAttr = func.getResultAttrOfType<StringAttr>(i, "muon.name");
    std::string name =
        nameAttr ? nameAttr.str() : llvm::formatv("output{0}", i).str();
    std::optional<Quant> quant =
        dequantize ? activationQuant(dequantize.getInput().getType())
                   : std::nullopt;
    if (!quant) {
      reject(operand.getDefiningOp() ? operand.getDefiningOp() : ret,
             "output '" + name +
                 "' is not the dequantization of a signed 8-bit tensor");
      continue;
    }
    if (outputs.count(dequantize.getInput())) {
      reject(dequantize, "returns one tensor as two outputs");
      continue;
    }
    outputs[dequantize.getInput()] = {name, *quant};
  }
  for (BlockArgument argument : body.getArguments()) {
    auto nameAttr =
        func.getArgAttrOfType<StringAttr>(argument.getArgNumber(), "muon.name");
    lowerInput(argument,
               nameAttr
                   ? nameAttr.str()
                   : llvm::formatv("input{0}", argument.getArgNumber()).str());
  }
  hostOps = findHostPrefix(body);
  if (hostPrefix && !hostOps.empty()) {
    SmallVector<std::string> inputs, ops;
    for (Operation &op : body.without_terminator())
      if (auto quantize = dyn_cast<QuantizeOp>(op);
          quantize && hostOps.contains(quantize.getInput().getDefiningOp()) &&
          !layouts.count(quantize.getResult())) {
        std::string name = layerName(quantize.getInput().getDefiningOp());
        lowerInput(quantize.getInput(), name);
        inputs.push_back("'" + name + "'");
      }
    for (Operation &op : body.without_terminator())
      if (hostOps.contains(&op))
        ops.push_back(describeNode(&op));
    emitRemark(func.getLoc())
        << "the NPU program's input" << (inputs.size() == 1 ? " " : "s ")
        << llvm::join(inputs, ", ")
        << " must be computed on the host (--npu-host-prefix), by "
        << llvm::join(ops, ", ");
  }

  // The last op that reads each tensor (through the reshapes that alias
  // it): its workspace is free once that op is lowered.
  llvm::DenseMap<Operation *, unsigned> position;
  for (auto [i, op] : llvm::enumerate(body.getOperations()))
    position[&op] = i;
  llvm::DenseMap<Value, Value> aliasOf;
  llvm::DenseMap<Value, unsigned> lastUse;
  for (Operation &op : body.without_terminator()) {
    // A product is lowered where its requantize is.
    unsigned at = position[&op];
    if (isa<ConvOp, GemmOp, MatMulOp>(op) && op.hasOneUse() &&
        isa<RequantizeOp>(*op.getUsers().begin()))
      at = position[*op.getUsers().begin()];
    for (Value operand : op.getOperands()) {
      Value root = aliasOf.lookup(operand) ? aliasOf.lookup(operand) : operand;
      lastUse[root] = std::max(lastUse.lookup(root), at);
    }
    if (auto reshape = dyn_cast<ReshapeOp>(op)) {
      Value input = reshape.getInput();
      aliasOf[reshape.getResult()] =
          aliasOf.lookup(input) ? aliasOf.lookup(input) : input;
    }
  }
  llvm::DenseMap<unsigned, SmallVector<Value>> deadAfter;
  for (auto [value, last] : lastUse)
    deadAfter[last].push_back(value);

  for (Operation &op : body.without_terminator()) {
    llvm::scope_exit freeDead([&] {
      for (Value value : deadAfter.lookup(position[&op]))
        if (auto it = layouts.find(value); it != layouts.end())
          program.freeWorkspace(it->second);
    });
    if (isa<ConstantOp, quant::StorageCastOp>(op))
      continue; // weights, read by their users
    if (hostOps.contains(&op)) {
      if (!hostPrefix)
        reject(&op, "is not supported on the NPU; it computes an input's "
                    "quantization from the model's inputs alone, which "
                    "muonc --npu-host-prefix leaves to the host");
      continue;
    }
    if (auto quantize = dyn_cast<QuantizeOp>(op)) {
      // A program input's quantize is its tensor descriptor; another one
      // quantizes a float computed by ops already rejected.
      if (!layouts.count(quantize.getResult()))
        rejected.insert(quantize.getResult());
      continue;
    }
    if (auto dequantize = dyn_cast<DequantizeOp>(op)) {
      if (rejected.contains(dequantize.getResult()))
        continue; // an output already reported
      if (!outputs.count(dequantize.getInput()) ||
          !llvm::all_of(dequantize->getUsers(),
                        [](Operation *u) { return isa<func::ReturnOp>(u); }))
        reject(&op, "dequantizes inside the model (float ops do not run on "
                    "the NPU)");
      continue;
    }
    if (auto requantize = dyn_cast<RequantizeOp>(op)) {
      Operation *product = requantize.getInput().getDefiningOp();
      if (!isa_and_present<ConvOp, GemmOp, MatMulOp>(product) ||
          !product->hasOneUse()) {
        reject(&op, "does not requantize a product it alone reads");
        continue;
      }
      lowerProduct(product, requantize);
      markIfNotLowered(requantize);
      continue;
    }
    if (isa<ConvOp, GemmOp, MatMulOp>(op)) {
      if (!getQuantizedElementType(op.getResult(0).getType()) ||
          !op.hasOneUse() || !isa<RequantizeOp>(*op.getUsers().begin()))
        reject(&op, "is not a quantized product followed by its "
                    "requantization");
      continue; // lowered with its requantize
    }
    if (auto pool = dyn_cast<MaxPoolOp>(op)) {
      lowerMaxPool(pool);
      markIfNotLowered(pool);
      continue;
    }
    if (auto add = dyn_cast<QuantizedAddOp>(op)) {
      lowerAdd(add);
      markIfNotLowered(add);
      continue;
    }
    if (auto reshape = dyn_cast<ReshapeOp>(op)) {
      // Reshapes of int32 biases are read by their products.
      if (getQuantizedElementType(reshape.getType()) ||
          !getConstantValues(reshape.getInput()))
        lowerReshape(reshape);
      markIfNotLowered(reshape);
      continue;
    }
    reject(&op, "is not supported on the NPU");
  }
  return success(failures.empty());
}

void MuonToNpuPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto funcs = llvm::to_vector(module.getOps<func::FuncOp>());
  if (funcs.size() != 1) {
    module.emitError() << "the NPU target compiles one function, found "
                       << funcs.size();
    return signalPassFailure();
  }
  func::FuncOp func = funcs.front();
  if (block < 1 || block > 256) {
    module.emitError() << "block must be 1 to 256, not " << block;
    return signalPassFailure();
  }
  // A float model gets one error, not one per float op.
  bool quantized = false;
  func.walk([&](Operation *op) {
    quantized |= llvm::any_of(op->getResultTypes(), [](Type type) {
      return getQuantizedElementType(type) != nullptr;
    });
  });
  if (!quantized) {
    func.emitError() << "the model is not quantized: the NPU runs int8 "
                        "models (quantize it with --quantize=int8 "
                        "--calibration=DIR, or give a QDQ model)";
    return signalPassFailure();
  }
  OpBuilder builder(module.getContext());
  builder.setInsertionPoint(func);
  auto program = npu::ProgramOp::create(
      builder, func.getLoc(), func.getSymName(), DictionaryAttr(), ArrayAttr());
  program.getBody().emplaceBlock();
  ProgramBuilder programBuilder(program, block, report);
  FunctionLowering lowering(func, programBuilder, hostPrefix);
  if (failed(lowering.run())) {
    program.erase();
    func.emitError() << listRejections(
        lowering.failures, "run on the NPU",
        "docs/npu.md for what the NPU target supports");
    return signalPassFailure();
  }
  programBuilder.finish(npu::kDefaultBlock);
  func.erase();
}
