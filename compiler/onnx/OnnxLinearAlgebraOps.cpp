//===- OnnxLinearAlgebraOps.cpp - ONNX Einsum and Det ---------------------===//
//
// Conversions of ONNX operators to muon ops; registered in lookupConverter
// (OnnxOps.cpp) through addLinearAlgebraConverters. Einsum becomes the ops
// the CPU target already does well (reduce_sum, transpose, reshape and a
// batched matmul per pair of operands, a masked sum for a diagonal); Det has
// its own op.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeContext.h"
#include "dialects/muon/MuonOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <array>
#include <cctype>

using namespace mlir;
using namespace muon;
using namespace muon::onnx_importer;

//===----------------------------------------------------------------------===//
// Gemm, MatMul, Conv
//===----------------------------------------------------------------------===//

/// Gemm: Y = alpha * A' * B' + beta * C. The `broadcast` attribute of
/// opsets before 7 only allowed C to broadcast, which muon.gemm always does.
static LogicalResult convertGemm(NodeContext &node) {
  if (failed(node.expectInputs(2, 3)))
    return failure();
  return node.setResult(
      0, node.create<GemmOp>(node.input(0), node.input(1), node.input(2),
                             APFloat(node.getFloat("alpha", 1.0f)),
                             APFloat(node.getFloat("beta", 1.0f)),
                             node.getInt("transA", 0) != 0,
                             node.getInt("transB", 0) != 0));
}

/// MatMul: numpy.matmul, in every opset.
static LogicalResult convertMatMul(NodeContext &node) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  return node.setResult(0, node.create<MatMulOp>(node.input(0), node.input(1)));
}

/// Conv: kernel_shape is optional and must then match the weight
/// (readConvolutionWindow).
static LogicalResult convertConv(NodeContext &node) {
  if (failed(node.expectInputs(2, 3)))
    return failure();
  FailureOr<Window> window = readConvolutionWindow(node, 0, 1);
  if (failed(window))
    return failure();
  return node.setResult(
      0, node.create<ConvOp>(node.input(0), node.input(1), node.input(2),
                             window->strides, window->pads, window->dilations,
                             static_cast<uint64_t>(node.getInt("group", 1))));
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

namespace {
/// A value with one label per dimension. Letters are the equation's labels;
/// the dimensions an ellipsis stands for get the labels '0', '1', ...,
/// aligned at the right across operands as numpy aligns them.
struct Term {
  Value value;
  std::string labels;
};

struct Equation {
  SmallVector<std::string> inputs;
  std::string output;
};
} // namespace

/// Parses Einsum-12's equation: comma-separated input terms, "->" and the
/// output term, or no arrow for the implicit output (the ellipsis
/// dimensions, then the labels used once, in alphabetical order).
static FailureOr<Equation> parseEquation(NodeContext &node) {
  std::string text;
  for (char c : node.getString("equation", ""))
    if (!std::isspace(static_cast<unsigned char>(c)))
      text.push_back(c);
  StringRef equation = text;
  auto [lhs, rhs] = equation.split("->");
  bool explicitOutput = equation.contains("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != node.numInputs())
    return node.emitError()
           << "equation '" << text << "' has " << terms.size()
           << " input terms for " << node.numInputs() << " inputs";

  // The number of dimensions each term's ellipsis covers.
  auto splitEllipsis = [](StringRef term) {
    size_t dots = term.find("...");
    return dots == StringRef::npos
               ? std::make_pair(term.str(), std::string())
               : std::make_pair(term.take_front(dots).str(),
                                term.drop_front(dots + 3).str());
  };
  auto isLabels = [](StringRef s) {
    return llvm::all_of(s, [](char c) { return std::isalpha(c); });
  };
  Equation result;
  SmallVector<int64_t> ellipsisRanks;
  int64_t ellipsisRank = 0;
  for (auto [i, term] : llvm::enumerate(terms)) {
    auto [before, after] = splitEllipsis(term);
    bool hasEllipsis = term.contains("...");
    int64_t rank = node.inputType(i).getRank();
    int64_t covered = rank - static_cast<int64_t>(before.size() + after.size());
    if (!isLabels(before) || !isLabels(after) || covered < 0 ||
        (!hasEllipsis && covered != 0))
      return node.emitError()
             << "term '" << term << "' of equation '" << text
             << "' does not match input " << i << " of rank " << rank;
    ellipsisRanks.push_back(covered);
    ellipsisRank = std::max(ellipsisRank, covered);
  }
  auto ellipsisLabels = [&](int64_t covered) {
    std::string labels;
    for (int64_t d = ellipsisRank - covered; d < ellipsisRank; ++d)
      labels.push_back(static_cast<char>('0' + d));
    return labels;
  };
  if (ellipsisRank > 10)
    return node.emitError() << "an ellipsis covers more than 10 dimensions";
  for (auto [term, covered] : llvm::zip(terms, ellipsisRanks)) {
    auto [before, after] = splitEllipsis(term);
    result.inputs.push_back(before + ellipsisLabels(covered) + after);
  }

  if (explicitOutput) {
    auto [before, after] = splitEllipsis(rhs);
    if (!isLabels(before) || !isLabels(after))
      return node.emitError() << "output term '" << rhs << "' of equation '"
                              << text << "' is not labels and an ellipsis";
    result.output = before + ellipsisLabels(ellipsisRank) + after;
  } else {
    std::array<int, 256> uses = {};
    for (const std::string &labels : result.inputs)
      for (char c : labels)
        ++uses[static_cast<unsigned char>(c)];
    result.output = ellipsisLabels(ellipsisRank);
    for (int c = 'A'; c <= 'z'; ++c)
      if (std::isalpha(c) && uses[c] == 1)
        result.output.push_back(static_cast<char>(c));
  }
  for (size_t i = 0; i < result.output.size(); ++i) {
    char label = result.output[i];
    if (result.output.find(label) != i ||
        llvm::none_of(result.inputs, [&](const std::string &in) {
          return StringRef(in).contains(label);
        }))
      return node.emitError() << "output label '" << label << "' of equation '"
                              << text << "' repeats or is in no input";
  }
  return result;
}

/// Sums `term` over its labels not in `keep`.
static FailureOr<Term> sumOut(NodeContext &node, Term term, StringRef keep) {
  SmallVector<int64_t> axes;
  std::string rest;
  for (auto [i, c] : llvm::enumerate(term.labels)) {
    if (keep.contains(c))
      rest.push_back(c);
    else
      axes.push_back(i);
  }
  if (axes.empty())
    return term;
  FailureOr<Value> sum = node.create<ReduceSumOp>(term.value, axes, false);
  if (failed(sum))
    return failure();
  return Term{*sum, rest};
}

/// `term` with its dimensions in the order of `labels`.
static FailureOr<Value> permute(NodeContext &node, const Term &term,
                                StringRef labels) {
  if (term.labels == labels)
    return term.value;
  SmallVector<int64_t> perm;
  for (char c : labels)
    perm.push_back(term.labels.find(c));
  return node.create<TransposeOp>(term.value, perm);
}

/// The diagonal of `term` over its dimensions `first` and `second`, which
/// share a label: the term times an identity mask (broadcast over the other
/// dimensions), summed over `second`.
static FailureOr<Term> takeDiagonal(NodeContext &node, Term term, size_t first,
                                    size_t second) {
  auto type = cast<RankedTensorType>(term.value.getType());
  int64_t n = type.getDimSize(first);
  if (type.getDimSize(second) != n)
    return node.emitError() << "label '" << term.labels[first] << "' has sizes "
                            << n << " and " << type.getDimSize(second);
  Type elementType = type.getElementType();
  auto scalar = [&](double value) -> Attribute {
    if (isa<FloatType>(elementType))
      return FloatAttr::get(elementType, value);
    return IntegerAttr::get(elementType, static_cast<int64_t>(value));
  };
  SmallVector<Attribute> identity(n * n, scalar(0.0));
  for (int64_t i = 0; i < n; ++i)
    identity[i * n + i] = scalar(1.0);
  SmallVector<int64_t> maskShape(type.getRank(), 1);
  maskShape[first] = maskShape[second] = n;
  Value mask = node.constant(DenseElementsAttr::get(
      RankedTensorType::get(maskShape, elementType), identity));
  FailureOr<Value> masked = node.create<MulOp>(term.value, mask);
  if (failed(masked))
    return failure();
  FailureOr<Value> diagonal = node.create<ReduceSumOp>(
      *masked, ArrayRef<int64_t>{static_cast<int64_t>(second)}, false);
  if (failed(diagonal))
    return failure();
  term.labels.erase(second, 1);
  return Term{*diagonal, term.labels};
}

/// Contracts two terms into one with the labels of either that `keep`
/// holds: labels shared and kept are batch dimensions, shared and not kept
/// are summed by the matmul, the others are summed first if not kept. The
/// operands are arranged as [batch, M, K] and [batch, K, N] for one batched
/// matmul, whose [batch, M, N] result is viewed as batch + free(a) + free(b).
static FailureOr<Term> contract(NodeContext &node, Term a, Term b,
                                StringRef keep,
                                const std::array<int64_t, 256> &sizes) {
  FailureOr<Term> left = sumOut(node, a, (keep + b.labels).str());
  FailureOr<Term> right = sumOut(node, b, (keep + a.labels).str());
  if (failed(left) || failed(right))
    return failure();
  std::string batch, freeA, freeB, summed;
  for (char c : left->labels) {
    if (!StringRef(right->labels).contains(c))
      freeA.push_back(c);
    else if (keep.contains(c))
      batch.push_back(c);
    else
      summed.push_back(c);
  }
  for (char c : right->labels)
    if (!StringRef(left->labels).contains(c))
      freeB.push_back(c);
  auto extent = [&](StringRef labels) {
    int64_t product = 1;
    for (char c : labels)
      product *= sizes[static_cast<unsigned char>(c)];
    return product;
  };
  FailureOr<Value> lhs = permute(node, *left, batch + freeA + summed);
  if (succeeded(lhs))
    lhs = node.reshape(*lhs, {extent(batch), extent(freeA), extent(summed)});
  FailureOr<Value> rhs = permute(node, *right, batch + summed + freeB);
  if (succeeded(rhs))
    rhs = node.reshape(*rhs, {extent(batch), extent(summed), extent(freeB)});
  if (failed(lhs) || failed(rhs))
    return failure();
  FailureOr<Value> product = node.create<MatMulOp>(*lhs, *rhs);
  std::string labels = batch + freeA + freeB;
  SmallVector<int64_t> shape;
  for (char c : labels)
    shape.push_back(sizes[static_cast<unsigned char>(c)]);
  if (succeeded(product))
    product = node.reshape(*product, shape);
  if (failed(product))
    return failure();
  return Term{*product, labels};
}

/// Einsum-12. A label repeated within a term takes a diagonal first; a
/// label must have one size in every term (no broadcasting of size-1
/// dimensions). Operands are contracted left to right.
static LogicalResult convertEinsum(NodeContext &node) {
  if (failed(node.expectInputs(1, UINT_MAX)))
    return failure();
  if (llvm::is_contained(node.inputs(), Value()))
    return node.emitError() << "has an empty input name";
  FailureOr<Equation> equation = parseEquation(node);
  if (failed(equation))
    return failure();
  std::array<int64_t, 256> sizes;
  sizes.fill(-1);
  SmallVector<Term> terms;
  for (auto [i, labels] : llvm::enumerate(equation->inputs)) {
    Term term{node.input(i), labels};
    for (size_t d = 0; d < term.labels.size(); ++d) {
      size_t first = term.labels.find(term.labels[d]);
      if (first == d)
        continue;
      FailureOr<Term> diagonal = takeDiagonal(node, term, first, d);
      if (failed(diagonal))
        return failure();
      term = *diagonal;
      d = first;
    }
    auto type = cast<RankedTensorType>(term.value.getType());
    for (auto [d, c] : llvm::enumerate(term.labels)) {
      int64_t &size = sizes[static_cast<unsigned char>(c)];
      if (size >= 0 && size != type.getDimSize(d))
        return node.emitError() << "label '" << c << "' has sizes " << size
                                << " and " << type.getDimSize(d)
                                << "; Muon does not broadcast Einsum operands";
      size = type.getDimSize(d);
    }
    terms.push_back(term);
  }
  Term result = terms.front();
  for (size_t i = 1; i < terms.size(); ++i) {
    std::string keep = equation->output;
    for (size_t j = i + 1; j < terms.size(); ++j)
      keep += terms[j].labels;
    FailureOr<Term> contracted = contract(node, result, terms[i], keep, sizes);
    if (failed(contracted))
      return failure();
    result = *contracted;
  }
  FailureOr<Term> reduced = sumOut(node, result, equation->output);
  if (failed(reduced))
    return failure();
  return node.setResult(0, permute(node, *reduced, equation->output));
}

//===----------------------------------------------------------------------===//
// Det
//===----------------------------------------------------------------------===//

static LogicalResult convertDet(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  return node.setResult(0, node.create<DetOp>(node.input(0)));
}

void onnx_importer::addLinearAlgebraConverters(
    llvm::StringMap<ConvertFn> &converters) {
  converters.insert({
      {"Conv", convertConv},
      {"Gemm", convertGemm},
      {"MatMul", convertMatMul},
      {"Det", convertDet},
      {"Einsum", convertEinsum},
  });
}
