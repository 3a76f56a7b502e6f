//===- OnnxRecurrentOps.cpp - ONNX RNN, GRU and LSTM ----------------------===//
//
// Conversions of ONNX operators to muon ops; registered in lookupConverter
// (OnnxOps.cpp) through addRecurrentConverters. The sequence length is
// static, so the recurrence is unrolled at import into ops the CPU target
// already has: one gemm projects the input of every time step at once, and
// each step adds the recurrent gemm and applies the cell's gates with
// element-wise ops. The equations are those of the ONNX operator
// specification (RNN-14, GRU-14, LSTM-14), default gate order included.
//
// sequence_lens, when given at run time, masks each step: a batch entry past
// its length keeps its state and outputs zeros. The reverse direction then
// reverses each sequence within its own length (muon.reverse_sequence)
// before and after the forward recurrence.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeContext.h"
#include "dialects/muon/MuonOps.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace muon;
using namespace muon::onnx_importer;

namespace {

/// Builds muon ops for one node and remembers the first failure (whose
/// error the node has already reported), so that cell equations read as
/// equations rather than as chains of checks.
class CellBuilder {
public:
  explicit CellBuilder(NodeContext &node) : node(node) {}
  bool failed() const { return hasFailed; }

  template <typename OpTy, typename... Args> Value op(Args &&...args) {
    if (hasFailed)
      return Value();
    return check(node.create<OpTy>(std::forward<Args>(args)...));
  }
  Value reshape(Value value, ArrayRef<int64_t> shape) {
    return hasFailed ? Value() : check(node.reshape(value, shape));
  }
  Value transpose(Value value, ArrayRef<int64_t> perm) {
    return op<TransposeOp>(value, perm);
  }
  /// Elements [offset, offset + size) of dimension `axis`.
  Value slice(Value value, int64_t axis, int64_t offset, int64_t size) {
    if (hasFailed)
      return Value();
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> offsets(type.getRank(), 0), sizes(type.getShape()),
        strides(type.getRank(), 1);
    offsets[axis] = offset;
    sizes[axis] = size;
    return op<SliceOp>(value, offsets, sizes, strides);
  }
  /// value[index] along dimension 0, without that dimension.
  Value take(Value value, int64_t index) {
    if (hasFailed)
      return Value();
    auto shape = cast<RankedTensorType>(value.getType()).getShape();
    return reshape(slice(value, 0, index, 1), shape.drop_front());
  }
  /// x W^T (+ c): the ONNX equations' "X * W^T" with an optional addend.
  Value gemmTransposed(Value x, Value w, Value c) {
    return op<GemmOp>(x, w, c, APFloat(1.0f), APFloat(1.0f), false, true);
  }
  Value activate(StringRef name, Value x) {
    if (name == "Sigmoid")
      return op<SigmoidOp>(x);
    if (name == "Relu")
      return op<ReluOp>(x);
    return op<TanhOp>(x);
  }
  Value splat(RankedTensorType type, Attribute value) {
    return hasFailed ? Value()
                     : node.constant(DenseElementsAttr::get(type, value));
  }

private:
  Value check(FailureOr<Value> value) {
    if (mlir::failed(value)) {
      hasFailed = true;
      return Value();
    }
    return *value;
  }

  NodeContext &node;
  bool hasFailed = false;
};

enum class Cell { Rnn, Gru, Lstm };

/// A recurrent node's parameters, read and checked once.
struct Recurrence {
  Cell cell;
  int64_t gates, hidden, steps, batch;
  Type elementType;
  bool linearBeforeReset;
  /// The activations of each direction: f (RNN); f, g (GRU); f, g, h (LSTM).
  SmallVector<std::string> activations;
  int64_t perDirection;
  /// X as [steps, batch, input]; sequence_lens, or null when every sequence
  /// is known to be full; the initial states as [directions, batch, hidden],
  /// or null.
  Value x, lengths, initialH, initialC;
};

/// The outputs of one direction: Y as [steps, 1, batch, hidden], and the
/// final hidden (and, for LSTM, cell) state as [1, batch, hidden].
struct DirectionResult {
  Value y, h, c;
};

} // namespace

/// Runs direction `d` (forward, or reversed when `reverse`) of the
/// recurrence.
static DirectionResult runDirection(NodeContext &node, CellBuilder &b,
                                    const Recurrence &rec, int64_t d,
                                    bool reverse) {
  int64_t h = rec.hidden, gh = rec.gates * h, steps = rec.steps,
          batch = rec.batch;
  auto act = [&](unsigned k) -> StringRef {
    return rec.activations[d * rec.perDirection + k];
  };
  Value w = b.take(node.input(1), d), r = b.take(node.input(2), d);

  // The bias of the input projection: Wb + Rb, except that GRU's
  // linear_before_reset multiplies the Rb of the h gate by r, so it stays
  // apart (rbH) and only Wb is added for that gate.
  Value bias, rbH;
  if (node.input(3)) {
    Value both = b.take(node.input(3), d);
    Value wb = b.slice(both, 0, 0, gh), rb = b.slice(both, 0, gh, gh);
    if (rec.cell == Cell::Gru && rec.linearBeforeReset) {
      Value zr =
          b.op<AddOp>(b.slice(wb, 0, 0, 2 * h), b.slice(rb, 0, 0, 2 * h));
      bias = b.op<ConcatOp>(ValueRange{zr, b.slice(wb, 0, 2 * h, h)},
                            static_cast<uint64_t>(0));
      rbH = b.slice(rb, 0, 2 * h, h);
    } else {
      bias = b.op<AddOp>(wb, rb);
    }
  }

  // One gemm projects every step: [steps * batch, input] x W^T + bias.
  Value x = rec.x;
  bool masked = static_cast<bool>(rec.lengths);
  if (reverse && masked)
    x = b.op<ReverseSequenceOp>(x, rec.lengths, static_cast<uint64_t>(1),
                                static_cast<uint64_t>(0));
  int64_t inputSize =
      b.failed() ? 0 : cast<RankedTensorType>(x.getType()).getDimSize(2);
  Value projected = b.reshape(
      b.gemmTransposed(b.reshape(x, {steps * batch, inputSize}), w, bias),
      {steps, batch, gh});

  auto stateType = RankedTensorType::get({batch, h}, rec.elementType);
  Value zeros = b.splat(stateType, FloatAttr::get(rec.elementType, 0.0));
  Value state = zeros, cellState = zeros;
  if (rec.initialH)
    state = b.take(rec.initialH, d);
  if (rec.initialC)
    cellState = b.take(rec.initialC, d);
  Value pi, po, pf;
  if (rec.cell == Cell::Lstm && node.input(7)) {
    Value p = b.take(node.input(7), d);
    pi = b.slice(p, 0, 0, h);
    po = b.slice(p, 0, h, h);
    pf = b.slice(p, 0, 2 * h, h);
  }
  Value rZR, rH;
  if (rec.cell == Cell::Gru) {
    rZR = b.slice(r, 0, 0, 2 * h);
    rH = b.slice(r, 0, 2 * h, h);
  }

  SmallVector<Value> outputs(steps);
  for (int64_t s = 0; s < steps; ++s) {
    // Without sequence_lens, the reverse direction walks the steps
    // backwards; with them, its input is already reversed per sequence.
    int64_t t = reverse && !masked ? steps - 1 - s : s;
    Value xt = b.take(projected, t);
    Value next, nextCell;
    switch (rec.cell) {
    case Cell::Rnn:
      // Ht = f(Xt W^T + Ht-1 R^T + Wb + Rb)
      next = b.activate(act(0), b.gemmTransposed(state, r, xt));
      break;
    case Cell::Gru: {
      // zt, rt = f(Xt W^T + Ht-1 R^T + Wb + Rb) for the z and r gates;
      // ht = g(Xt Wh^T + (rt (.) Ht-1) Rh^T + Rbh + Wbh), or with
      // linear_before_reset g(Xt Wh^T + rt (.) (Ht-1 Rh^T + Rbh) + Wbh);
      // Ht = (1 - zt) (.) ht + zt (.) Ht-1 = ht + zt (.) (Ht-1 - ht).
      Value zr = b.gemmTransposed(state, rZR, b.slice(xt, 1, 0, 2 * h));
      Value z = b.activate(act(0), b.slice(zr, 1, 0, h));
      Value reset = b.activate(act(0), b.slice(zr, 1, h, h));
      Value xh = b.slice(xt, 1, 2 * h, h);
      Value candidate =
          rec.linearBeforeReset
              ? b.op<AddOp>(
                    xh, b.op<MulOp>(reset, b.gemmTransposed(state, rH, rbH)))
              : b.gemmTransposed(b.op<MulOp>(reset, state), rH, xh);
      candidate = b.activate(act(1), candidate);
      next =
          b.op<AddOp>(candidate, b.op<MulOp>(z, b.op<SubOp>(state, candidate)));
      break;
    }
    case Cell::Lstm: {
      // Gates i, o, f, c: it = f(.. + Pi (.) Ct-1), ft = f(.. + Pf (.)
      // Ct-1), ct = g(..), Ct = ft (.) Ct-1 + it (.) ct, ot = f(.. + Po (.)
      // Ct), Ht = ot (.) h(Ct).
      Value gates = b.gemmTransposed(state, r, xt);
      Value in = b.slice(gates, 1, 0, h), out = b.slice(gates, 1, h, h),
            forget = b.slice(gates, 1, 2 * h, h),
            cand = b.slice(gates, 1, 3 * h, h);
      if (pi) {
        in = b.op<AddOp>(in, b.op<MulOp>(pi, cellState));
        forget = b.op<AddOp>(forget, b.op<MulOp>(pf, cellState));
      }
      in = b.activate(act(0), in);
      forget = b.activate(act(0), forget);
      cand = b.activate(act(1), cand);
      nextCell =
          b.op<AddOp>(b.op<MulOp>(forget, cellState), b.op<MulOp>(in, cand));
      if (po)
        out = b.op<AddOp>(out, b.op<MulOp>(po, nextCell));
      out = b.activate(act(0), out);
      next = b.op<MulOp>(out, b.activate(act(2), nextCell));
      break;
    }
    }
    Value y = next;
    if (masked && !b.failed()) {
      // Entries whose sequence has ended keep their state and output 0.
      auto lengthType = cast<RankedTensorType>(rec.lengths.getType());
      Value time =
          b.splat(RankedTensorType::get({}, lengthType.getElementType()),
                  IntegerAttr::get(lengthType.getElementType(), t));
      Value live = b.reshape(b.op<LessOp>(time, rec.lengths), {batch, 1});
      y = b.op<WhereOp>(live, next, zeros);
      next = b.op<WhereOp>(live, next, state);
      if (nextCell)
        nextCell = b.op<WhereOp>(live, nextCell, cellState);
    }
    state = next;
    cellState = nextCell;
    outputs[t] = b.reshape(y, {1, 1, batch, h});
  }
  DirectionResult result;
  result.y = b.op<ConcatOp>(ValueRange(outputs), static_cast<uint64_t>(0));
  if (reverse && masked)
    result.y =
        b.op<ReverseSequenceOp>(result.y, rec.lengths, static_cast<uint64_t>(2),
                                static_cast<uint64_t>(0));
  result.h = b.reshape(state, {1, batch, h});
  if (rec.cell == Cell::Lstm)
    result.c = b.reshape(cellState, {1, batch, h});
  return result;
}

/// RNN-7/14, GRU-7/14 and LSTM-7/14 with activations Sigmoid, Tanh or Relu;
/// clip and LSTM's input_forget are rejected.
static LogicalResult convertRecurrent(NodeContext &node) {
  Recurrence rec;
  StringRef opType = node.opType();
  rec.cell = opType == "RNN"   ? Cell::Rnn
             : opType == "GRU" ? Cell::Gru
                               : Cell::Lstm;
  rec.gates = rec.cell == Cell::Rnn ? 1 : rec.cell == Cell::Gru ? 3 : 4;
  if (failed(node.expectInputs(3, rec.cell == Cell::Lstm ? 8 : 6)))
    return failure();
  rec.hidden = node.getInt("hidden_size", 0);
  StringRef direction = node.getString("direction", "forward");
  int64_t layout = node.getInt("layout", 0);
  int64_t directions = direction == "bidirectional" ? 2 : 1;
  rec.linearBeforeReset = node.getInt("linear_before_reset", 0) != 0;
  if (rec.hidden < 1)
    return node.emitError() << "hidden_size must be positive";
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return node.emitError() << "unknown direction '" << direction << "'";
  if (layout != 0 && layout != 1)
    return node.emitError() << "layout must be 0 or 1, got " << layout;
  if (node.hasAttr("clip"))
    return node.emitError() << "clip is not supported";
  if (rec.cell == Cell::Lstm && node.getInt("input_forget", 0))
    return node.emitError() << "input_forget is not supported";

  SmallVector<std::string> defaults =
      rec.cell == Cell::Rnn ? SmallVector<std::string>{"Tanh"}
      : rec.cell == Cell::Gru
          ? SmallVector<std::string>{"Sigmoid", "Tanh"}
          : SmallVector<std::string>{"Sigmoid", "Tanh", "Tanh"};
  rec.perDirection = defaults.size();
  if (const onnx::AttributeProto *attr = node.attr("activations")) {
    rec.activations.assign(attr->strings().begin(), attr->strings().end());
    if (static_cast<int64_t>(rec.activations.size()) !=
        rec.perDirection * directions)
      return node.emitError()
             << "expects " << rec.perDirection * directions << " activations";
  } else {
    for (int64_t d = 0; d < directions; ++d)
      rec.activations.append(defaults.begin(), defaults.end());
  }
  for (const std::string &name : rec.activations)
    if (name != "Sigmoid" && name != "Tanh" && name != "Relu")
      return node.emitError() << "activation '" << name
                              << "' is not supported (Sigmoid, Tanh and Relu "
                                 "are)";

  RankedTensorType xType = node.inputType(0);
  rec.elementType = xType.getElementType();
  if (xType.getRank() != 3 || !isa<FloatType>(rec.elementType))
    return node.emitError() << "X " << xType << " must be a 3-D float tensor";
  CellBuilder b(node);
  rec.x = layout ? b.transpose(node.input(0), {1, 0, 2}) : node.input(0);
  int64_t inputSize = xType.getDimSize(2);
  rec.steps = xType.getDimSize(layout ? 1 : 0);
  rec.batch = xType.getDimSize(layout ? 0 : 1);
  int64_t gh = rec.gates * rec.hidden;
  auto expectShape = [&](unsigned i, StringRef name,
                         ArrayRef<int64_t> shape) -> LogicalResult {
    if (!node.input(i) || node.inputType(i).getShape() == shape)
      return success();
    return node.emitError() << name << " " << node.inputType(i)
                            << " must have shape [" << shape << "]";
  };
  SmallVector<int64_t> stateShape =
      layout ? SmallVector<int64_t>{rec.batch, directions, rec.hidden}
             : SmallVector<int64_t>{directions, rec.batch, rec.hidden};
  if (failed(expectShape(1, "W", {directions, gh, inputSize})) ||
      failed(expectShape(2, "R", {directions, gh, rec.hidden})) ||
      failed(expectShape(3, "B", {directions, 2 * gh})) ||
      failed(expectShape(4, "sequence_lens", {rec.batch})) ||
      failed(expectShape(5, "initial_h", stateShape)))
    return failure();
  if (rec.cell == Cell::Lstm &&
      (failed(expectShape(6, "initial_c", stateShape)) ||
       failed(expectShape(7, "P", {directions, 3 * rec.hidden}))))
    return failure();

  // Layout 1 puts the batch first in the initial states too.
  auto stateInput = [&](unsigned i) -> Value {
    if (!node.input(i))
      return Value();
    return layout ? b.transpose(node.input(i), {1, 0, 2}) : node.input(i);
  };
  rec.initialH = stateInput(5);
  if (rec.cell == Cell::Lstm)
    rec.initialC = stateInput(6);

  if (node.input(4) &&
      !node.inputType(4).getElementType().isSignlessInteger(32))
    return node.emitError()
           << "sequence_lens " << node.inputType(4) << " must be int32";

  // A constant sequence_lens that covers every step changes nothing.
  rec.lengths = node.input(4);
  if (DenseElementsAttr lengths = rec.lengths ? node.constantInput(4) : nullptr)
    if (llvm::all_of(lengths.getValues<APInt>(), [&](const APInt &length) {
          return length.getSExtValue() == rec.steps;
        }))
      rec.lengths = Value();

  SmallVector<Value> ys, hs, cs;
  for (int64_t d = 0; d < directions; ++d) {
    DirectionResult result =
        runDirection(node, b, rec, d, direction == "reverse" || d == 1);
    ys.push_back(result.y);
    hs.push_back(result.h);
    cs.push_back(result.c);
  }
  auto join = [&](ArrayRef<Value> values, int64_t axis,
                  ArrayRef<int64_t> perm) -> Value {
    Value joined =
        values.size() == 1
            ? values.front()
            : b.op<ConcatOp>(ValueRange(values), static_cast<uint64_t>(axis));
    return layout ? b.transpose(joined, perm) : joined;
  };
  SmallVector<Value> results = {join(ys, 1, {2, 0, 1, 3}),
                                join(hs, 0, {1, 0, 2})};
  if (rec.cell == Cell::Lstm)
    results.push_back(join(cs, 0, {1, 0, 2}));
  if (b.failed())
    return failure();
  for (unsigned i = 0; i < node.numOutputs() && i < results.size(); ++i)
    if (failed(node.setResult(i, results[i])))
      return failure();
  return success();
}

void onnx_importer::addRecurrentConverters(
    llvm::StringMap<ConvertFn> &converters) {
  converters.insert({
      {"GRU", convertRecurrent},
      {"LSTM", convertRecurrent},
      {"RNN", convertRecurrent},
  });
}
