//===- DestinationPassing.cpp - The entry function's C ABI ----------------===//
//
// Generated code never allocates and never returns memory: the caller passes
// every input, every output and one workspace. This pass rewrites the
// imported tensor function into that form before bufferization, so that
// one-shot bufferization computes each result directly in its output buffer.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"

namespace muon {
#define GEN_PASS_DEF_MUONDESTINATIONPASSING
#include "targets/cpu/Passes.h.inc"
} // namespace muon

using namespace mlir;

namespace {

MemRefType memrefFor(Type tensor) {
  auto type = cast<RankedTensorType>(tensor);
  ArrayRef<int64_t> shape = type.getShape();
  if (type.getNumElements() != 0 || shape.empty() ||
      !llvm::is_contained(shape.drop_front(), 0))
    return MemRefType::get(shape, type.getElementType());
  // An empty tensor with a 0 after its first dimension (e.g. 3x0x5): the
  // bare-pointer calling convention rejects the identity layout of such a
  // memref (its canonical strides degenerate to 0), so it gets explicit
  // strides computed as if every dimension were at least 1. No element is
  // ever accessed.
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * std::max<int64_t>(1, shape[d + 1]);
  return MemRefType::get(
      shape, type.getElementType(),
      StridedLayoutAttr::get(type.getContext(), /*offset=*/0, strides));
}

/// The operand holding the tensor whose buffer bufferization computes
/// `value` in, when it does so in place: the tied init of a
/// destination-style op, the init of an scf.for result.
OpOperand *destinationOf(Value value) {
  auto result = dyn_cast<OpResult>(value);
  if (!result)
    return nullptr;
  Operation *op = result.getOwner();
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
    return dps.getTiedOpOperand(result);
  if (auto loop = dyn_cast<scf::ForOp>(op))
    return &loop.getInitArgsMutable()[result.getResultNumber()];
  return nullptr;
}

/// Gives the chain of destinations that `output` is computed in its own
/// tensor.empty (and linalg.fill of it). Empty-tensor elimination replaces
/// that empty tensor by the output buffer (`to_tensor restrict`); when CSE
/// has merged it with the destination of another op (two same-shape
/// matmuls start from one zero fill), both ops would write the output
/// buffer, and one-shot bufferization, trusting `restrict`, then copies
/// the outputs out in an order that overwrites one with the other.
void unshareOutputDestination(Value output) {
  for (OpOperand *destination = destinationOf(output); destination;
       destination = destinationOf(destination->get())) {
    Operation *producer = destination->get().getDefiningOp();
    if (!producer)
      return;
    auto fill = dyn_cast<linalg::FillOp>(producer);
    bool isEmpty = isa<tensor::EmptyOp>(producer);
    if (!isEmpty && !(fill && fill.hasPureTensorSemantics()))
      continue;
    if (!destination->get().hasOneUse()) {
      OpBuilder b(producer);
      b.setInsertionPointAfter(producer);
      destination->set(b.clone(*producer)->getResult(0));
    }
    if (isEmpty)
      return;
  }
}

struct DestinationPassingPass
    : muon::impl::MuonDestinationPassingBase<DestinationPassingPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto funcs = llvm::to_vector(module.getOps<func::FuncOp>());
    if (funcs.size() != 1) {
      module.emitError("expected exactly one function to compile, found ")
          << funcs.size();
      return signalPassFailure();
    }
    func::FuncOp func = funcs.front();
    if (func.isExternal()) {
      func.emitError("the function to compile has no body");
      return signalPassFailure();
    }
    FunctionType type = func.getFunctionType();
    Block &body = func.getBody().front();
    OpBuilder b(func);
    MLIRContext *context = &getContext();

    // Inputs, then outputs, then the workspace (sized later).
    SmallVector<Type> argTypes;
    for (Type t : type.getInputs())
      argTypes.push_back(memrefFor(t));
    for (Type t : type.getResults())
      argTypes.push_back(memrefFor(t));
    argTypes.push_back(MemRefType::get({0}, b.getI8Type()));
    auto entryType = FunctionType::get(context, argTypes, b.getI32Type());
    auto entry = func::FuncOp::create(b, func.getLoc(), symbolPrefix + "_run",
                                      entryType);
    // Keep the ONNX names for the header.
    SmallVector<Attribute> argAttrs;
    for (unsigned i = 0; i < type.getNumInputs(); ++i)
      argAttrs.push_back(func.getArgAttrDict(i) ? func.getArgAttrDict(i)
                                                : b.getDictionaryAttr({}));
    for (unsigned i = 0; i < type.getNumResults(); ++i)
      argAttrs.push_back(func.getResultAttrDict(i) ? func.getResultAttrDict(i)
                                                   : b.getDictionaryAttr({}));
    argAttrs.push_back(b.getDictionaryAttr(
        b.getNamedAttr("muon.name", b.getStringAttr("workspace"))));
    entry.setAllArgAttrs(argAttrs);
    entry->setAttr("muon.num_outputs",
                   b.getI64IntegerAttr(type.getNumResults()));

    Block *entryBlock = entry.addEntryBlock();
    b.setInsertionPointToStart(entryBlock);
    IRMapping mapping;
    for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
      Value tensor = bufferization::ToTensorOp::create(
          b, arg.getLoc(), arg.getType(), entryBlock->getArgument(i),
          /*restrict=*/true, /*writable=*/false);
      mapping.map(arg, tensor);
    }
    for (Operation &op : body.without_terminator())
      b.clone(op, mapping);
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    for (auto [i, result] : llvm::enumerate(ret.getOperands())) {
      Value dest = entryBlock->getArgument(type.getNumInputs() + i);
      Value output = mapping.lookupOrDefault(result);
      unshareOutputDestination(output);
      auto store = bufferization::MaterializeInDestinationOp::create(
          b, ret.getLoc(), TypeRange{}, output, dest);
      store.setRestrict(true);
      store.setWritable(true);
    }
    Value zero =
        arith::ConstantOp::create(b, ret.getLoc(), b.getI32IntegerAttr(0));
    func::ReturnOp::create(b, ret.getLoc(), zero);
    func.erase();
  }
};

} // namespace
