//===- DataMovementOps.cpp - Indexing and data movement: types and folders ===//
//
// Result-type inference of the ops of DataMovementOps.td, following the ONNX
// operator specification (https://onnx.ai/onnx/operators/) in the normalised
// form the importer produces (see DataMovementOps.td).
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/Constants.h"
#include "dialects/muon/MuonOps.h"
#include "dialects/muon/OpVerification.h"
#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace muon;

static LogicalResult checkIndices(std::optional<Location> loc, Value indices) {
  if (!rankedType(indices).getElementType().isSignlessInteger())
    return emitOptionalError(loc, "indices must be signless integers, got ",
                             rankedType(indices));
  return success();
}

//===----------------------------------------------------------------------===//
// Gather, GatherElements
//===----------------------------------------------------------------------===//

/// Gather-13: data[:axis] + indices + data[axis+1:].
LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto data = rankedType(adaptor.getData());
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(loc, axis, data.getRank())) ||
      failed(checkIndices(loc, adaptor.getIndices())))
    return failure();
  ArrayRef<int64_t> dims = data.getShape();
  SmallVector<int64_t> shape(dims.take_front(axis));
  llvm::append_range(shape, rankedType(adaptor.getIndices()).getShape());
  llvm::append_range(shape, dims.drop_front(axis + 1));
  inferred.push_back(RankedTensorType::get(shape, data.getElementType()));
  return success();
}

/// GatherElements-13: the shape of indices, which has data's rank.
LogicalResult
GatherElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                   Adaptor adaptor,
                                   SmallVectorImpl<Type> &inferred) {
  auto data = rankedType(adaptor.getData());
  auto indices = rankedType(adaptor.getIndices());
  if (failed(checkAxis(loc, adaptor.getAxis(), data.getRank())) ||
      failed(checkIndices(loc, adaptor.getIndices())))
    return failure();
  if (indices.getRank() != data.getRank())
    return emitOptionalError(loc, "indices ", indices,
                             " must have the rank of data ", data);
  inferred.push_back(
      RankedTensorType::get(indices.getShape(), data.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  ArrayRef<int64_t> offsets = adaptor.getOffsets(), sizes = adaptor.getSizes(),
                    strides = adaptor.getStrides();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(offsets.size()) != rank ||
      static_cast<int64_t>(sizes.size()) != rank ||
      static_cast<int64_t>(strides.size()) != rank)
    return emitOptionalError(loc, "expected ", rank,
                             " offsets, sizes and strides");
  for (int64_t d = 0; d < rank; ++d) {
    int64_t dim = input.getDimSize(d);
    if (strides[d] == 0 || sizes[d] < 0)
      return emitOptionalError(loc, "strides must be non-zero and sizes "
                                    "non-negative");
    if (sizes[d] == 0)
      continue;
    int64_t last = offsets[d] + (sizes[d] - 1) * strides[d];
    if (offsets[d] < 0 || offsets[d] >= dim || last < 0 || last >= dim)
      return emitOptionalError(loc, "dimension ", d, " reads elements ",
                               offsets[d], " to ", last, " of ", dim);
  }
  inferred.push_back(RankedTensorType::get(sizes, input.getElementType()));
  return success();
}

/// Slices of f32 constants (a ConvTranspose weight flipped at import, a
/// Split of a weight) become constants, so no copy is left for run time.
OpFoldResult SliceOp::fold(FoldAdaptor) {
  RankedTensorType type = getType(), inputType = getInput().getType();
  if (type == inputType &&
      llvm::all_of(getStrides(), [](int64_t s) { return s == 1; }))
    return getInput();
  std::optional<SmallVector<float>> values = getF32Constant(getInput());
  if (!values)
    return {};
  ArrayRef<int64_t> dims = inputType.getShape();
  SmallVector<int64_t> inStrides(dims.size(), 1);
  for (int64_t d = static_cast<int64_t>(dims.size()) - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * dims[d + 1];
  SmallVector<float> result;
  result.reserve(type.getNumElements());
  SmallVector<int64_t> index(dims.size(), 0);
  for (int64_t linear = 0, e = type.getNumElements(); linear < e; ++linear) {
    int64_t source = 0;
    for (size_t d = 0; d < dims.size(); ++d)
      source += (getOffsets()[d] + index[d] * getStrides()[d]) * inStrides[d];
    result.push_back((*values)[source]);
    for (int64_t d = static_cast<int64_t>(dims.size()) - 1; d >= 0; --d) {
      if (++index[d] < type.getDimSize(d))
        break;
      index[d] = 0;
    }
  }
  return makeElements<float>(type, result, "sliced");
}

//===----------------------------------------------------------------------===//
// Pad, Expand
//===----------------------------------------------------------------------===//

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  ArrayRef<int64_t> pads = adaptor.getPads();
  int64_t rank = input.getRank();
  StringRef mode = adaptor.getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return emitOptionalError(loc, "unknown mode '", mode, "'");
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return emitOptionalError(loc, "expected ", 2 * rank, " pads");
  SmallVector<int64_t> shape(input.getShape());
  for (int64_t d = 0; d < rank; ++d) {
    int64_t begin = pads[d], end = pads[d + rank];
    if (begin < 0 || end < 0)
      return emitOptionalError(loc, "pads must be non-negative");
    if ((begin || end) && mode != "constant" && shape[d] == 0)
      return emitOptionalError(loc, "mode ", mode,
                               " cannot pad empty dimension ", d);
    if (mode == "reflect" && (begin >= shape[d] || end >= shape[d]))
      return emitOptionalError(loc, "reflect pads of dimension ", d,
                               " must be smaller than its size ", shape[d]);
    shape[d] += begin + end;
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  ArrayRef<int64_t> shape = adaptor.getShape();
  SmallVector<int64_t> broadcast;
  if (!OpTrait::util::getBroadcastedShape(input.getShape(), shape, broadcast) ||
      ArrayRef<int64_t>(broadcast) != shape)
    return emitOptionalError(loc, "input ", input, " does not broadcast to [",
                             shape, "]");
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  ArrayRef<double> scales = adaptor.getScales();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(sizes.size()) != rank ||
      static_cast<int64_t>(scales.size()) != rank)
    return emitOptionalError(loc, "expected ", rank, " sizes and scales");
  for (int64_t d = 0; d < rank; ++d)
    if (sizes[d] < 1 || !(scales[d] > 0) || input.getDimSize(d) < 1)
      return emitOptionalError(loc, "sizes, scales and input dimensions must "
                                    "be positive");
  StringRef mode = adaptor.getMode();
  StringRef transform = adaptor.getCoordinateTransformationMode();
  StringRef nearest = adaptor.getNearestMode();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return emitOptionalError(loc, "unknown mode '", mode, "'");
  if (!llvm::is_contained({"half_pixel", "pytorch_half_pixel", "align_corners",
                           "asymmetric", "tf_half_pixel_for_nn",
                           "tf_crop_and_resize"},
                          transform))
    return emitOptionalError(loc, "unknown coordinate_transformation_mode '",
                             transform, "'");
  bool crops = transform == "tf_crop_and_resize";
  if (crops != !adaptor.getRoi().empty() ||
      (crops &&
       static_cast<int64_t>(adaptor.getRoi().size()) != 2 * input.getRank()))
    return emitOptionalError(loc, "roi (", input.getRank(),
                             " starts, then as many ends) is given exactly "
                             "with tf_crop_and_resize");
  if (!llvm::is_contained(
          {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"},
          nearest))
    return emitOptionalError(loc, "unknown nearest_mode '", nearest, "'");
  inferred.push_back(RankedTensorType::get(sizes, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Trilu
//===----------------------------------------------------------------------===//

/// Trilu-14: the input's type; k is a scalar or one-element integer tensor.
LogicalResult TriluOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  if (input.getRank() < 2)
    return emitOptionalError(loc, "input ", input, " must have rank >= 2");
  if (Value k = adaptor.getK()) {
    auto kType = rankedType(k);
    if (!kType.getElementType().isSignlessInteger() ||
        kType.getNumElements() != 1)
      return emitOptionalError(
          loc, "k must be a one-element integer tensor, got ", kType);
  }
  inferred.push_back(input);
  return success();
}

//===----------------------------------------------------------------------===//
// GatherND
//===----------------------------------------------------------------------===//

/// GatherND-13: indices[:-1] + data[batch_dims + m:], with m the last
/// dimension of indices.
LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  auto data = rankedType(adaptor.getData());
  auto indices = rankedType(adaptor.getIndices());
  if (failed(checkIndices(loc, adaptor.getIndices())))
    return failure();
  int64_t batch = adaptor.getBatchDims(), q = indices.getRank();
  if (q < 1 || batch < 0 || batch >= std::min(q, data.getRank()))
    return emitOptionalError(loc, "batch_dims ", batch,
                             " must be smaller than the ranks of data ", data,
                             " and indices ", indices);
  int64_t m = indices.getDimSize(q - 1);
  if (m < 1 || batch + m > data.getRank())
    return emitOptionalError(loc, "index tuples of ", m,
                             " coordinates do not fit data ", data, " after ",
                             batch, " batch dimensions");
  if (data.getShape().take_front(batch) != indices.getShape().take_front(batch))
    return emitOptionalError(loc, "the batch dimensions of data ", data,
                             " and indices ", indices, " differ");
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  llvm::append_range(shape, data.getShape().drop_front(batch + m));
  inferred.push_back(RankedTensorType::get(shape, data.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// ScatterElements, ScatterND
//===----------------------------------------------------------------------===//

/// What ScatterElements and ScatterND share: integer indices, updates of
/// data's element type, a known reduction; the result is data's type.
static LogicalResult checkScatter(std::optional<Location> loc, Value data,
                                  Value indices, Value updates,
                                  StringRef reduction) {
  if (failed(checkIndices(loc, indices)))
    return failure();
  if (rankedType(updates).getElementType() != rankedType(data).getElementType())
    return emitOptionalError(loc, "updates ", rankedType(updates),
                             " must have the element type of data ",
                             rankedType(data));
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction))
    return emitOptionalError(loc, "unknown reduction '", reduction, "'");
  return success();
}

/// ScatterElements-18: indices and updates have one shape, of data's rank.
LogicalResult
ScatterElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &inferred) {
  auto data = rankedType(adaptor.getData());
  auto indices = rankedType(adaptor.getIndices());
  auto updates = rankedType(adaptor.getUpdates());
  if (failed(checkScatter(loc, adaptor.getData(), adaptor.getIndices(),
                          adaptor.getUpdates(), adaptor.getReduction())) ||
      failed(checkAxis(loc, adaptor.getAxis(), data.getRank())))
    return failure();
  if (indices.getShape() != updates.getShape() ||
      indices.getRank() != data.getRank())
    return emitOptionalError(loc, "indices ", indices, " and updates ", updates,
                             " must have one shape of the rank of data ", data);
  inferred.push_back(data);
  return success();
}

/// ScatterND-18: updates has shape indices[:-1] + data[m:], with m the last
/// dimension of indices.
LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto data = rankedType(adaptor.getData());
  auto indices = rankedType(adaptor.getIndices());
  auto updates = rankedType(adaptor.getUpdates());
  if (failed(checkScatter(loc, adaptor.getData(), adaptor.getIndices(),
                          adaptor.getUpdates(), adaptor.getReduction())))
    return failure();
  int64_t q = indices.getRank();
  int64_t m = q ? indices.getDimSize(q - 1) : 0;
  if (q < 1 || m < 1 || m > data.getRank())
    return emitOptionalError(loc, "indices ", indices,
                             " must end in index tuples of 1 to ",
                             data.getRank(), " coordinates");
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, data.getShape().drop_front(m));
  if (updates.getShape() != ArrayRef<int64_t>(expected))
    return emitOptionalError(loc, "updates ", updates, " must have shape [",
                             expected, "]");
  inferred.push_back(data);
  return success();
}

//===----------------------------------------------------------------------===//
// ReverseSequence
//===----------------------------------------------------------------------===//

/// ReverseSequence-10: the input's type; one integer length per batch entry.
LogicalResult
ReverseSequenceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  auto lengths = rankedType(adaptor.getSequenceLens());
  int64_t batch = adaptor.getBatchAxis(), time = adaptor.getTimeAxis();
  if (input.getRank() < 2)
    return emitOptionalError(loc, "input ", input, " must have rank >= 2");
  if (failed(checkAxis(loc, batch, input.getRank())) ||
      failed(checkAxis(loc, time, input.getRank())))
    return failure();
  if (batch == time)
    return emitOptionalError(loc, "batch_axis and time_axis must differ");
  if (!lengths.getElementType().isSignlessInteger() || lengths.getRank() != 1 ||
      lengths.getDimSize(0) != input.getDimSize(batch))
    return emitOptionalError(loc, "sequence_lens ", lengths,
                             " must hold one integer per batch entry of ",
                             input);
  inferred.push_back(input);
  return success();
}

//===----------------------------------------------------------------------===//
// Reshape, Transpose, Concat
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto input = getInput().getType(), result = getType();
  if (!input.hasStaticShape() || !result.hasStaticShape())
    return emitOpError("needs static shapes");
  if (input.getNumElements() != result.getNumElements())
    return emitOpError("cannot reshape ")
           << input << " (" << input.getNumElements() << " elements) to "
           << result << " (" << result.getNumElements() << " elements)";
  if (input.getElementType() != result.getElementType())
    return emitOpError("changes the element type");
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  // reshape(reshape(x)) is one reshape.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto input = rankedType(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (static_cast<int64_t>(perm.size()) != input.getRank())
    return emitOptionalError(loc, "perm has ", perm.size(),
                             " entries for an input of rank ", input.getRank());
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= input.getRank() || seen[p])
      return emitOptionalError(loc, "perm is not a permutation");
    seen[p] = true;
    shape.push_back(input.getDimSize(p));
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "needs at least one input");
  auto first = rankedType(adaptor.getInputs().front());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, "axis ", axis, " is out of range for rank ",
                             first.getRank());
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value input : adaptor.getInputs()) {
    auto type = rankedType(input);
    if (type.getRank() != first.getRank() ||
        type.getElementType() != first.getElementType())
      return emitOptionalError(loc, "inputs differ in rank or element type");
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (d != axis && type.getDimSize(d) != first.getDimSize(d))
        return emitOptionalError(loc, "inputs differ in dimension ", d);
    shape[axis] += type.getDimSize(axis);
  }
  inferred.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}
