//===- OnnxDataMovementOps.cpp - ONNX indexing and data movement with run-time
// inputs ---===//
//
// Conversions of ONNX operators to muon ops; registered in lookupConverter
// (OnnxOps.cpp) through addDataMovementConverters. Gather and Slice of
// constants never get here: the importer evaluates them
// (ConstantEvaluation.cpp). Parameters that fix the result shape (slice
// bounds, split sizes, pads, repeats, resize scales or sizes) must be
// constants known at import; from the opsets that made them inputs, a
// run-time value is an error naming the input.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/NodeContext.h"
#include "dialects/muon/MuonOps.h"
#include "mlir/Dialect/Traits.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace muon;
using namespace muon::onnx_importer;

/// The floats of constant input `i`; an error naming `what` otherwise.
static FailureOr<SmallVector<double>>
constantFloats(NodeContext &node, unsigned i, StringRef what) {
  DenseElementsAttr value = node.constantInput(i);
  if (!value || !isa<FloatType>(value.getElementType()))
    return node.emitError() << what << " (input " << i
                            << ") must be a float constant known at import "
                               "time";
  return llvm::to_vector(
      llvm::map_range(value.getValues<APFloat>(),
                      [](const APFloat &v) { return v.convertToDouble(); }));
}

//===----------------------------------------------------------------------===//
// Gather, GatherElements
//===----------------------------------------------------------------------===//

/// Gather (all opsets) and GatherElements (opset 11 on): axis defaults to 0
/// and may be negative. Gathers of constants are evaluated at import.
template <typename OpTy> static LogicalResult convertGather(NodeContext &node) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getInt("axis", 0), node.inputType(0).getRank());
  if (failed(axis))
    return failure();
  return node.setResult(0, node.create<OpTy>(node.input(0), node.input(1),
                                             static_cast<uint64_t>(*axis)));
}

//===----------------------------------------------------------------------===//
// Slice, Split
//===----------------------------------------------------------------------===//

FailureOr<SliceBounds> onnx_importer::readSliceBounds(NodeContext &node,
                                                      ArrayRef<int64_t> dims) {
  int64_t rank = dims.size();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (node.opset() < 10) {
    starts = node.getInts("starts").value_or(SmallVector<int64_t>());
    ends = node.getInts("ends").value_or(SmallVector<int64_t>());
    axes = node.getInts("axes").value_or(SmallVector<int64_t>());
  } else {
    if (!node.input(1) || !node.input(2))
      return node.emitError() << "starts and ends are required";
    StringRef names[] = {"starts", "ends", "axes", "steps"};
    SmallVector<int64_t> *lists[] = {&starts, &ends, &axes, &steps};
    for (unsigned i = 0; i < 4; ++i) {
      if (!node.input(i + 1))
        continue;
      FailureOr<SmallVector<int64_t>> ints = node.constantInts(i + 1, names[i]);
      if (failed(ints))
        return failure();
      *lists[i] = std::move(*ints);
    }
  }
  if (axes.empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, starts.size()));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return node.emitError() << "starts, ends, axes and steps differ in length";

  // Slice-13: negative starts and ends count from the end; they are then
  // clamped to [0, dim] for positive steps and to [0, dim-1] (start) and
  // [-1, dim-1] (end) for negative steps.
  SliceBounds bounds{SmallVector<int64_t>(rank, 0), SmallVector<int64_t>(dims),
                     SmallVector<int64_t>(rank, 1)};
  for (size_t i = 0; i < starts.size(); ++i) {
    FailureOr<int64_t> axis = node.normalizeAxis(axes[i], rank, "axes entry");
    if (failed(axis))
      return failure();
    int64_t dim = dims[*axis], step = steps[i];
    if (step == 0)
      return node.emitError() << "steps must not be 0";
    int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
    int64_t count = 0;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      count = end > start ? (end - start + step - 1) / step : 0;
    } else if (dim > 0) {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      count = start > end ? (start - end - step - 1) / -step : 0;
    }
    bounds.offsets[*axis] = count ? start : 0;
    bounds.strides[*axis] = step;
    bounds.sizes[*axis] = count;
  }
  return bounds;
}

static LogicalResult convertSlice(NodeContext &node) {
  if (failed(node.expectInputs(node.opset() < 10 ? 1 : 3,
                               node.opset() < 10 ? 1 : 5)))
    return failure();
  FailureOr<SliceBounds> bounds =
      readSliceBounds(node, node.inputType(0).getShape());
  if (failed(bounds))
    return failure();
  return node.setResult(0,
                        node.create<SliceOp>(node.input(0), bounds->offsets,
                                             bounds->sizes, bounds->strides));
}

/// Split: one muon.slice per output along `axis` (default 0). The sizes are
/// the `split` attribute before opset 13 and a constant input after; without
/// them the axis is split evenly, the last part smaller when it does not
/// divide (Split-18, whose num_outputs must then match the outputs).
static LogicalResult convertSplit(NodeContext &node) {
  if (failed(node.expectInputs(1, node.opset() < 13 ? 1 : 2)))
    return failure();
  ArrayRef<int64_t> dims = node.inputType(0).getShape();
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getInt("axis", 0), dims.size());
  if (failed(axis))
    return failure();
  FailureOr<std::optional<SmallVector<int64_t>>> requested =
      node.readInts("split", 1, 13);
  if (failed(requested))
    return failure();
  int64_t parts = node.numOutputs(), dim = dims[*axis];
  SmallVector<int64_t> sizes;
  if (*requested) {
    sizes = **requested;
  } else {
    if (node.hasAttr("num_outputs") && node.getInt("num_outputs", 0) != parts)
      return node.emitError() << "num_outputs " << node.getInt("num_outputs", 0)
                              << " differs from the " << parts << " outputs";
    int64_t chunk = llvm::divideCeil(dim, parts);
    for (int64_t i = 0; i < parts; ++i)
      sizes.push_back(std::clamp<int64_t>(dim - i * chunk, 0, chunk));
  }
  int64_t total = 0;
  for (int64_t size : sizes)
    total += size;
  if (static_cast<int64_t>(sizes.size()) != parts || total != dim ||
      llvm::any_of(sizes, [](int64_t size) { return size < 0; }))
    return node.emitError() << "split [" << sizes << "] does not divide "
                            << "dimension " << *axis << " of size " << dim
                            << " into " << parts << " outputs";
  SmallVector<int64_t> offsets(dims.size(), 0), shape(dims),
      strides(dims.size(), 1);
  for (int64_t i = 0; i < parts; ++i) {
    shape[*axis] = sizes[i];
    if (failed(node.setResult(
            i, node.create<SliceOp>(node.input(0), offsets, shape, strides))))
      return failure();
    offsets[*axis] += sizes[i];
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Pad
//===----------------------------------------------------------------------===//

/// Pads with non-negative `pads` ([begin..., end...] for every dimension),
/// first cropping where ONNX gives a negative pad (Pad-11 allows them).
static FailureOr<Value> padOrCrop(NodeContext &node, Value input,
                                  ArrayRef<int64_t> pads, StringRef mode,
                                  double value) {
  ArrayRef<int64_t> dims = cast<RankedTensorType>(input.getType()).getShape();
  int64_t rank = dims.size();
  SmallVector<int64_t> offsets(rank, 0), sizes(dims), strides(rank, 1),
      positive(pads);
  bool crops = false;
  for (int64_t d = 0; d < rank; ++d) {
    for (int64_t side : {d, d + rank}) {
      if (pads[side] >= 0)
        continue;
      crops = true;
      sizes[d] += pads[side];
      positive[side] = 0;
    }
    offsets[d] = std::max<int64_t>(0, -pads[d]);
    if (sizes[d] < 0)
      return node.emitError()
             << "pads crop more than dimension " << d << " of size " << dims[d];
  }
  if (crops) {
    FailureOr<Value> cropped =
        node.create<SliceOp>(input, offsets, sizes, strides);
    if (failed(cropped))
      return failure();
    input = *cropped;
  }
  if (llvm::all_of(positive, [](int64_t p) { return p == 0; }))
    return input;
  return node.create<PadOp>(input, positive, mode, APFloat(value));
}

/// Pad-1 has `paddings`, Pad-2 `pads`, both with a float `value`; from Pad-11
/// pads and constant_value are (constant) inputs, and Pad-18 adds `axes`,
/// which name the dimensions the pads apply to. Mode wrap (Pad-19) is not
/// supported.
static LogicalResult convertPad(NodeContext &node) {
  bool inputs = node.opset() >= 11;
  if (failed(node.expectInputs(inputs ? 2 : 1, inputs ? 4 : 1)))
    return failure();
  int64_t rank = node.inputType(0).getRank();
  StringRef mode = node.getString("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return node.emitError() << "mode '" << mode << "' is not supported";
  SmallVector<int64_t> pads;
  double value = 0.0;
  if (!inputs) {
    std::optional<SmallVector<int64_t>> attr =
        node.getInts(node.opset() < 2 ? "paddings" : "pads");
    if (!attr)
      return node.emitError() << "pads is required";
    pads = *attr;
    value = node.getFloat("value", 0.0f);
  } else {
    FailureOr<SmallVector<int64_t>> given = node.constantInts(1, "pads");
    if (failed(given))
      return failure();
    if (node.input(2)) {
      FailureOr<double> constant = node.constantScalar(2, "constant_value");
      if (failed(constant))
        return failure();
      value = *constant;
    }
    pads = *given;
    if (node.input(3)) {
      FailureOr<SmallVector<int64_t>> axes = node.constantInts(3, "axes");
      if (failed(axes))
        return failure();
      if (pads.size() != 2 * axes->size())
        return node.emitError() << "expects 2 pads per axis";
      pads.assign(2 * rank, 0);
      for (auto [i, axis] : llvm::enumerate(*axes)) {
        FailureOr<int64_t> d = node.normalizeAxis(axis, rank, "axes entry");
        if (failed(d))
          return failure();
        pads[*d] = (*given)[i];
        pads[*d + rank] = (*given)[i + axes->size()];
      }
    }
  }
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return node.emitError()
           << "expects " << 2 * rank << " pads for rank " << rank;
  return node.setResult(0, padOrCrop(node, node.input(0), pads, mode, value));
}

//===----------------------------------------------------------------------===//
// Expand, Tile
//===----------------------------------------------------------------------===//

/// Expand-8: the result is the broadcast of the input's shape and `shape`
/// (either may extend the other).
static LogicalResult convertExpand(NodeContext &node) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> requested = node.constantInts(1, "shape");
  if (failed(requested))
    return failure();
  RankedTensorType type = node.inputType(0);
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(type.getShape(), *requested, shape))
    return node.emitError()
           << "cannot expand " << type << " to [" << *requested << "]";
  return node.setResult(0, node.create<ExpandOp>(node.input(0), shape));
}

/// Tile-6 with constant repeats: [d0, d1, ...] is viewed as
/// [1, d0, 1, d1, ...], broadcast to [r0, d0, r1, d1, ...] and collapsed to
/// [r0 * d0, r1 * d1, ...].
static LogicalResult convertTile(NodeContext &node) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> repeats = node.constantInts(1, "repeats");
  if (failed(repeats))
    return failure();
  ArrayRef<int64_t> dims = node.inputType(0).getShape();
  if (repeats->size() != dims.size() ||
      llvm::any_of(*repeats, [](int64_t r) { return r < 0; }))
    return node.emitError() << "repeats [" << *repeats << "] must hold "
                            << dims.size() << " non-negative values";
  SmallVector<int64_t> interleaved, expanded, result;
  for (auto [dim, repeat] : llvm::zip(dims, *repeats)) {
    interleaved.append({1, dim});
    expanded.append({repeat, dim});
    result.push_back(repeat * dim);
  }
  FailureOr<Value> viewed = node.reshape(node.input(0), interleaved);
  if (failed(viewed))
    return failure();
  FailureOr<Value> broadcast = node.create<ExpandOp>(*viewed, expanded);
  if (failed(broadcast))
    return failure();
  return node.setResult(0, node.reshape(*broadcast, result));
}

//===----------------------------------------------------------------------===//
// DepthToSpace, SpaceToDepth
//===----------------------------------------------------------------------===//

/// reshape(x, `split`) -> transpose(`perm`) -> reshape(`result`): the form in
/// which the ONNX spec itself defines DepthToSpace and SpaceToDepth.
static LogicalResult reshapeTransposeReshape(NodeContext &node,
                                             ArrayRef<int64_t> split,
                                             ArrayRef<int64_t> perm,
                                             ArrayRef<int64_t> result) {
  FailureOr<Value> value = node.reshape(node.input(0), split);
  if (succeeded(value))
    value = node.create<TransposeOp>(*value, perm);
  if (failed(value))
    return failure();
  return node.setResult(0, node.reshape(*value, result));
}

/// Reads N, C, H, W and blocksize of a 4-D DepthToSpace or SpaceToDepth.
static FailureOr<std::array<int64_t, 5>> readBlocks(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  RankedTensorType type = node.inputType(0);
  int64_t b = node.getInt("blocksize", 0);
  if (type.getRank() != 4 || b < 1)
    return node.emitError() << "expects a 4-D input and a positive blocksize, "
                            << "got " << type << " and " << b;
  return std::array<int64_t, 5>{type.getDimSize(0), type.getDimSize(1),
                                type.getDimSize(2), type.getDimSize(3), b};
}

/// DepthToSpace-13: mode DCR (the default) takes depth as [b, b, C'], mode
/// CRD as [C', b, b].
static LogicalResult convertDepthToSpace(NodeContext &node) {
  FailureOr<std::array<int64_t, 5>> blocks = readBlocks(node);
  if (failed(blocks))
    return failure();
  auto [n, c, h, w, b] = *blocks;
  if (c % (b * b))
    return node.emitError() << "channels " << c << " are not a multiple of "
                            << "blocksize squared " << b * b;
  SmallVector<int64_t> result = {n, c / (b * b), h * b, w * b};
  StringRef mode = node.getString("mode", "DCR");
  if (mode == "DCR")
    return reshapeTransposeReshape(node, {n, b, b, c / (b * b), h, w},
                                   {0, 3, 4, 1, 5, 2}, result);
  if (mode == "CRD")
    return reshapeTransposeReshape(node, {n, c / (b * b), b, b, h, w},
                                   {0, 1, 4, 2, 5, 3}, result);
  return node.emitError() << "unknown mode '" << mode << "'";
}

/// SpaceToDepth-13, the inverse of DepthToSpace in DCR mode.
static LogicalResult convertSpaceToDepth(NodeContext &node) {
  FailureOr<std::array<int64_t, 5>> blocks = readBlocks(node);
  if (failed(blocks))
    return failure();
  auto [n, c, h, w, b] = *blocks;
  if (h % b || w % b)
    return node.emitError() << "spatial dimensions " << h << "x" << w
                            << " are not multiples of blocksize " << b;
  return reshapeTransposeReshape(node, {n, c, h / b, b, w / b, b},
                                 {0, 3, 5, 1, 2, 4},
                                 {n, c * b * b, h / b, w / b});
}

//===----------------------------------------------------------------------===//
// Resize, Upsample
//===----------------------------------------------------------------------===//

/// Resize-10/11/13/18/19 and Upsample-7/9. Upsample and Resize-10 use the
/// asymmetric transformation and round nearest neighbours down; Resize-11 on
/// take both as attributes. Scales or sizes, and tf_crop_and_resize's roi,
/// must be constants; antialias and Resize-18's axes are not supported.
static LogicalResult convertResize(NodeContext &node) {
  bool upsample = node.opType() == "Upsample";
  bool legacy = upsample || node.opset() < 11;
  unsigned scalesInput = legacy ? 1 : 2;
  bool scalesAttr = upsample && node.opset() < 9;
  if (failed(node.expectInputs(legacy && !scalesAttr ? 2 : 1, scalesAttr ? 1
                                                              : legacy   ? 2
                                                                         : 4)))
    return failure();
  RankedTensorType type = node.inputType(0);
  int64_t rank = type.getRank();
  StringRef mode = node.getString("mode", "nearest");
  if (mode == "bilinear") // Upsample-7's name for it.
    mode = "linear";
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return node.emitError() << "mode '" << mode << "' is not supported";
  StringRef transform =
      legacy ? "asymmetric"
             : node.getString("coordinate_transformation_mode", "half_pixel");
  StringRef nearest =
      legacy ? "floor" : node.getString("nearest_mode", "round_prefer_floor");
  if (node.getInt("antialias", 0) || node.hasAttr("axes"))
    return node.emitError() << "antialias and axes are not supported";
  SmallVector<double> roi;
  if (transform == "tf_crop_and_resize") {
    FailureOr<SmallVector<double>> given =
        node.input(1) ? constantFloats(node, 1, "roi")
                      : FailureOr<SmallVector<double>>(node.emitError()
                                                       << "roi is required");
    if (failed(given))
      return failure();
    if (static_cast<int64_t>(given->size()) != 2 * rank)
      return node.emitError() << "roi must hold " << 2 * rank << " values";
    roi = *given;
  }

  SmallVector<double> scales;
  SmallVector<int64_t> sizes;
  if (scalesAttr) {
    const onnx::AttributeProto *attr = node.attr("scales");
    if (!attr)
      return node.emitError() << "scales is required";
    scales.assign(attr->floats().begin(), attr->floats().end());
  } else if (node.input(3)) {
    FailureOr<SmallVector<int64_t>> given = node.constantInts(3, "sizes");
    if (failed(given))
      return failure();
    sizes = *given;
  } else if (node.input(scalesInput)) {
    FailureOr<SmallVector<double>> given =
        constantFloats(node, scalesInput, "scales");
    if (failed(given))
      return failure();
    scales = *given;
  }
  // Resize-11 requires a scales input even with sizes; it is then empty.
  if (scales.empty() && sizes.empty())
    return node.emitError() << "needs scales or sizes";
  if (static_cast<int64_t>(std::max(scales.size(), sizes.size())) != rank)
    return node.emitError() << "expects " << rank << " scales or sizes";
  // Resize-13: the result size is floor(input * scale); given sizes, the
  // scale the coordinates use is sizes / input.
  for (int64_t d = 0; d < rank; ++d) {
    double in = type.getDimSize(d);
    if (sizes.size() < scales.size())
      sizes.push_back(static_cast<int64_t>(std::floor(in * scales[d])));
    else
      scales.push_back(sizes[d] / in);
  }
  return node.setResult(
      0, node.create<ResizeOp>(
             node.input(0), sizes, scales, mode, transform, nearest,
             APFloat(double(node.getFloat("cubic_coeff_a", -0.75f))),
             node.getInt("exclude_outside", 0) != 0, roi,
             APFloat(double(node.getFloat("extrapolation_value", 10.0f)))));
}

//===----------------------------------------------------------------------===//
// ConvTranspose
//===----------------------------------------------------------------------===//

/// ConvTranspose-11 as a convolution: the input with stride - 1 zeros
/// inserted after every element is correlated, at stride 1 with the same
/// dilations, with the kernel flipped spatially and its channel dimensions
/// swapped (per group), padded by dilation * (kernel - 1) less the
/// transposed convolution's pads on each side, plus output_padding at the
/// end. A negative padding crops instead.
///
/// Pads come from `pads`, from auto_pad, or from output_shape, for which
/// total = stride * (in - 1) + output_padding + dilation * (kernel - 1) + 1 -
/// out is split as the spec says: SAME_UPPER puts floor(total / 2) at the
/// beginning, anything else puts it at the end.
static LogicalResult convertConvTranspose(NodeContext &node) {
  if (failed(node.expectInputs(2, 3)))
    return failure();
  RankedTensorType inputType = node.inputType(0),
                   weightType = node.inputType(1);
  int64_t rank = inputType.getRank(), n = rank - 2;
  int64_t group = node.getInt("group", 1);
  if (rank < 3 || weightType.getRank() != rank || group < 1 ||
      inputType.getDimSize(1) != weightType.getDimSize(0) ||
      weightType.getDimSize(0) % group)
    return node.emitError()
           << "weight " << weightType << " does not match input " << inputType
           << " with group " << group;
  ArrayRef<int64_t> kernel = weightType.getShape().drop_front(2);
  auto ints = [&](StringRef name, int64_t count, int64_t fill) {
    return node.getInts(name).value_or(SmallVector<int64_t>(count, fill));
  };
  SmallVector<int64_t> strides = ints("strides", n, 1),
                       dilations = ints("dilations", n, 1),
                       outputPadding = ints("output_padding", n, 0),
                       pads = ints("pads", 2 * n, 0);
  std::optional<SmallVector<int64_t>> outputShape =
      node.getInts("output_shape");
  if (outputShape && static_cast<int64_t>(outputShape->size()) == rank)
    outputShape->erase(outputShape->begin(), outputShape->begin() + 2);
  if (static_cast<int64_t>(strides.size()) != n ||
      static_cast<int64_t>(dilations.size()) != n ||
      static_cast<int64_t>(outputPadding.size()) != n ||
      static_cast<int64_t>(pads.size()) != 2 * n ||
      (outputShape && static_cast<int64_t>(outputShape->size()) != n) ||
      llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }))
    return node.emitError()
           << "expects " << n << " positive strides and "
           << "dilations, " << n << " output_padding and " << 2 * n << " pads";
  StringRef autoPad = node.getString("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return node.emitError() << "unknown auto_pad '" << autoPad << "'";
  for (int64_t i = 0; i < n; ++i) {
    int64_t in = inputType.getDimSize(i + 2);
    int64_t full = strides[i] * (in - 1) + outputPadding[i] +
                   dilations[i] * (kernel[i] - 1) + 1;
    if (autoPad == "VALID")
      pads[i] = pads[i + n] = 0;
    if (!outputShape && !autoPad.starts_with("SAME"))
      continue;
    int64_t out = outputShape ? (*outputShape)[i] : in * strides[i];
    int64_t total = full - out, half = llvm::divideFloorSigned(total, 2);
    bool upper = autoPad == "SAME_UPPER";
    pads[i] = upper ? half : total - half;
    pads[i + n] = upper ? total - half : half;
  }

  // The zero-inserted input: [.., D, ..] viewed as [.., D, 1, ..], padded to
  // [.., D, s, ..] and collapsed to [.., D * s, ..]; its stride - 1 trailing
  // zeros count against the end padding.
  Value input = node.input(0);
  SmallVector<int64_t> convPads(2 * n), cropPads(2 * rank, 0);
  bool strided = llvm::any_of(strides, [](int64_t s) { return s > 1; });
  SmallVector<int64_t> interleaved(inputType.getShape().take_front(2)),
      insertPads(2 * (n + rank), 0), upsampled(interleaved);
  for (int64_t i = 0; i < n; ++i) {
    int64_t in = inputType.getDimSize(i + 2),
            edge = dilations[i] * (kernel[i] - 1);
    interleaved.append({in, 1});
    insertPads[n + rank + 2 + 2 * i + 1] = strides[i] - 1;
    upsampled.push_back(in * strides[i]);
    int64_t begin = edge - pads[i];
    int64_t end = edge - pads[i + n] + outputPadding[i] - (strides[i] - 1);
    convPads[i] = std::max<int64_t>(begin, 0);
    convPads[i + n] = std::max<int64_t>(end, 0);
    cropPads[i + 2] = std::min<int64_t>(begin, 0);
    cropPads[i + 2 + rank] = std::min<int64_t>(end, 0);
  }
  if (strided) {
    FailureOr<Value> value = node.reshape(input, interleaved);
    if (succeeded(value))
      value = padOrCrop(node, *value, insertPads, "constant", 0.0);
    if (succeeded(value))
      value = node.reshape(*value, upsampled);
    if (failed(value))
      return failure();
    input = *value;
  }
  FailureOr<Value> cropped = padOrCrop(node, input, cropPads, "constant", 0.0);
  if (failed(cropped))
    return failure();

  // Weight [C, M/g, k...] -> flipped -> [M, C/g, k...] through
  // [g, C/g, M/g, k...] and [g, M/g, C/g, k...].
  ArrayRef<int64_t> w = weightType.getShape();
  int64_t channels = w[0], filters = w[1] * group;
  SmallVector<int64_t> offsets(rank, 0), flipStrides(rank, 1);
  for (int64_t i = 0; i < n; ++i) {
    offsets[i + 2] = kernel[i] - 1;
    flipStrides[i + 2] = -1;
  }
  FailureOr<Value> weight =
      node.create<SliceOp>(node.input(1), offsets, w, flipStrides);
  SmallVector<int64_t> grouped = {group, channels / group, w[1]};
  grouped.append(kernel.begin(), kernel.end());
  SmallVector<int64_t> perm = {0, 2, 1};
  llvm::append_range(perm, llvm::seq<int64_t>(3, rank + 1));
  SmallVector<int64_t> convWeight = {filters, channels / group};
  convWeight.append(kernel.begin(), kernel.end());
  if (succeeded(weight))
    weight = node.reshape(*weight, grouped);
  if (succeeded(weight))
    weight = node.create<TransposeOp>(*weight, perm);
  if (succeeded(weight))
    weight = node.reshape(*weight, convWeight);
  if (failed(weight))
    return failure();
  return node.setResult(0, node.create<ConvOp>(*cropped, *weight, node.input(2),
                                               SmallVector<int64_t>(n, 1),
                                               convPads, dilations, group));
}

//===----------------------------------------------------------------------===//
// OneHot, Compress
//===----------------------------------------------------------------------===//

/// A constant i64 tensor.
static Value i64Constant(NodeContext &node, ArrayRef<int64_t> shape,
                         ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, node.builder().getI64Type());
  return node.constant(DenseElementsAttr::get(type, values));
}

/// OneHot-11: out[..., d, ...] = values[1] where d (at `axis`) equals the
/// index (negative ones count from depth), values[0] elsewhere. Built from
/// element-wise ops: the indices, truncated to i64 and normalised, compared
/// with a [0, depth) iota along the new axis, select between the two values.
/// depth sets the result shape, so it must be a constant.
static LogicalResult convertOneHot(NodeContext &node) {
  if (failed(node.expectInputs(3, 3)))
    return failure();
  FailureOr<double> depthValue = node.constantScalar(1, "depth");
  if (failed(depthValue))
    return failure();
  auto depth = static_cast<int64_t>(*depthValue);
  if (depth <= 0)
    return node.emitError() << "depth must be positive, not " << depth;
  RankedTensorType indicesType = node.inputType(0);
  RankedTensorType valuesType = node.inputType(2);
  if (!valuesType.hasStaticShape() || valuesType.getNumElements() != 2)
    return node.emitError() << "values must hold two elements [off, on]";
  int64_t rank = indicesType.getRank() + 1;
  FailureOr<int64_t> axis = node.normalizeAxis(node.getInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  Type i64 = node.builder().getI64Type();
  FailureOr<Value> indices = node.input(0);
  if (indicesType.getElementType() != i64)
    indices = node.create<CastOp>(*indices, TypeAttr::get(i64));
  Value zero = i64Constant(node, {}, {0});
  FailureOr<Value> negative, wrapped, normalized;
  if (succeeded(indices))
    negative = node.create<LessOp>(*indices, zero);
  if (succeeded(negative))
    wrapped = node.create<AddOp>(*indices, i64Constant(node, {}, {depth}));
  if (succeeded(wrapped))
    normalized = node.create<WhereOp>(*negative, *wrapped, *indices);
  if (failed(normalized))
    return failure();
  SmallVector<int64_t> unsqueezed(indicesType.getShape());
  unsqueezed.insert(unsqueezed.begin() + *axis, 1);
  SmallVector<int64_t> iotaShape(rank, 1);
  iotaShape[*axis] = depth;
  FailureOr<Value> column = node.reshape(*normalized, unsqueezed);
  if (failed(column))
    return failure();
  FailureOr<Value> hot = node.create<EqualOp>(
      *column, i64Constant(node, iotaShape,
                           llvm::to_vector(llvm::seq<int64_t>(0, depth))));
  FailureOr<Value> off = node.create<GatherOp>(
      node.input(2), i64Constant(node, {}, {0}), uint64_t(0));
  FailureOr<Value> on = node.create<GatherOp>(
      node.input(2), i64Constant(node, {}, {1}), uint64_t(0));
  if (failed(hot) || failed(off) || failed(on))
    return failure();
  return node.setResult(0, node.create<WhereOp>(*hot, *on, *off));
}

/// Compress-11: the slices along `axis` (of the flattened input when there
/// is no axis) where the condition is true; a condition shorter than the
/// axis counts as false past its end. The condition sets the result shape,
/// so it must be a constant: the result is a Gather of its true positions.
static LogicalResult convertCompress(NodeContext &node) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  DenseElementsAttr condition = node.constantInput(1);
  if (!condition || !condition.getElementType().isInteger(1) ||
      node.inputType(1).getRank() != 1)
    return node.emitError() << "condition (input 1) must be a 1-D bool "
                               "constant known at import time";
  FailureOr<Value> data = node.input(0);
  RankedTensorType type = node.inputType(0);
  int64_t axis = 0;
  if (const onnx::AttributeProto *axisAttr = node.attr("axis")) {
    FailureOr<int64_t> normalized =
        node.normalizeAxis(axisAttr->i(), type.getRank());
    if (failed(normalized))
      return failure();
    axis = *normalized;
  } else {
    data = node.reshape(*data, {type.getNumElements()});
    if (failed(data))
      return failure();
  }
  int64_t size = cast<RankedTensorType>(data->getType()).getDimSize(axis);
  SmallVector<int64_t> kept;
  for (auto [i, keep] : llvm::enumerate(condition.getValues<bool>())) {
    if (keep && static_cast<int64_t>(i) >= size)
      return node.emitError() << "condition selects index " << i
                              << ", beyond the axis size " << size;
    if (keep)
      kept.push_back(i);
  }
  return node.setResult(
      0, node.create<GatherOp>(*data,
                               i64Constant(node, {int64_t(kept.size())}, kept),
                               static_cast<uint64_t>(axis)));
}

//===----------------------------------------------------------------------===//
// EyeLike, Trilu
//===----------------------------------------------------------------------===//

/// A constant of `type` with ones at (i, i + k) and zeros elsewhere.
static DenseElementsAttr eyeConstant(RankedTensorType type, int64_t k) {
  Type elementType = type.getElementType();
  auto scalar = [&](double value) -> Attribute {
    if (auto floatType = dyn_cast<FloatType>(elementType))
      return FloatAttr::get(floatType, value);
    return IntegerAttr::get(elementType, static_cast<int64_t>(value));
  };
  Attribute zero = scalar(0.0), one = scalar(1.0);
  int64_t rows = type.getDimSize(0), columns = type.getDimSize(1);
  SmallVector<Attribute> values(type.getNumElements(), zero);
  for (int64_t i = std::max<int64_t>(0, -k); i < rows && i + k < columns; ++i)
    values[i * columns + i + k] = one;
  return DenseElementsAttr::get(type, values);
}

/// EyeLike-9: only the input's (2-D) shape matters, so the result is a
/// constant: ones on the k-th diagonal, of type `dtype` (default: the
/// input's element type).
static LogicalResult convertEyeLike(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  RankedTensorType type = node.inputType(0);
  if (type.getRank() != 2)
    return node.emitError() << "expects a 2-D input, got " << type;
  Type elementType = type.getElementType();
  if (node.hasAttr("dtype")) {
    int64_t dtype = node.getInt("dtype", 0);
    elementType = convertElementType(dtype, node.context());
    if (!elementType)
      return node.emitError()
             << "dtype " << dataTypeName(dtype) << " is not supported";
  }
  if (!isa<FloatType, IntegerType>(elementType))
    return node.emitError()
           << "element type " << elementType << " is not supported";
  return node.setResult(0, node.constant(eyeConstant(type.clone(elementType),
                                                     node.getInt("k", 0))));
}

/// Trilu-14: `upper` defaults to 1; the optional k input stays a run-time
/// value (a constant k is simply a constant operand).
static LogicalResult convertTrilu(NodeContext &node) {
  if (failed(node.expectInputs(1, 2)))
    return failure();
  return node.setResult(0, node.create<TriluOp>(node.input(0), node.input(1),
                                                node.getInt("upper", 1) != 0));
}

//===----------------------------------------------------------------------===//
// GatherND, ScatterElements, Scatter, ScatterND
//===----------------------------------------------------------------------===//

/// GatherND-11/12/13: batch_dims (opset 12) defaults to 0.
static LogicalResult convertGatherND(NodeContext &node) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  return node.setResult(
      0, node.create<GatherNDOp>(
             node.input(0), node.input(1),
             static_cast<uint64_t>(node.getInt("batch_dims", 0))));
}

/// The reduction attribute of ScatterElements and ScatterND (opset 16 on;
/// "max" and "min" from 18), "none" before.
static FailureOr<StringRef> readReduction(NodeContext &node) {
  StringRef reduction = node.getString("reduction", "none");
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction))
    return node.emitError() << "unknown reduction '" << reduction << "'";
  return reduction;
}

/// ScatterElements-11/13/16/18 and Scatter-9/11 (its deprecated name, with
/// no reduction): axis defaults to 0 and may be negative.
static LogicalResult convertScatterElements(NodeContext &node) {
  if (failed(node.expectInputs(3, 3)))
    return failure();
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getInt("axis", 0), node.inputType(0).getRank());
  FailureOr<StringRef> reduction = readReduction(node);
  if (failed(axis) || failed(reduction))
    return failure();
  return node.setResult(0, node.create<ScatterElementsOp>(
                               node.input(0), node.input(1), node.input(2),
                               static_cast<uint64_t>(*axis), *reduction));
}

/// ScatterND-11/13/16/18.
static LogicalResult convertScatterND(NodeContext &node) {
  if (failed(node.expectInputs(3, 3)))
    return failure();
  FailureOr<StringRef> reduction = readReduction(node);
  if (failed(reduction))
    return failure();
  return node.setResult(0,
                        node.create<ScatterNDOp>(node.input(0), node.input(1),
                                                 node.input(2), *reduction));
}

//===----------------------------------------------------------------------===//
// ReverseSequence
//===----------------------------------------------------------------------===//

/// ReverseSequence-10: batch_axis defaults to 1 and time_axis to 0; the spec
/// allows only 0 and 1 for each.
static LogicalResult convertReverseSequence(NodeContext &node) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  int64_t batch = node.getInt("batch_axis", 1),
          time = node.getInt("time_axis", 0);
  if (!llvm::is_contained({0, 1}, batch) || !llvm::is_contained({0, 1}, time) ||
      batch == time)
    return node.emitError() << "batch_axis " << batch << " and time_axis "
                            << time << " must be 0 and 1 in some order";
  return node.setResult(
      0, node.create<ReverseSequenceOp>(node.input(0), node.input(1),
                                        static_cast<uint64_t>(batch),
                                        static_cast<uint64_t>(time)));
}

//===----------------------------------------------------------------------===//
// MaxUnpool
//===----------------------------------------------------------------------===//

/// MaxUnpool-9/11: the input values are written into zeros at their indices,
/// which (as MaxPool produces them) count in the flattened output tensor; so
/// this is a 1-D scatter_elements into a zero constant, reshaped to the
/// inferred shape, (in - 1) * stride + kernel - pads per spatial dimension.
/// An output_shape (which must then be a constant) differing from it pads
/// or crops at the end, as in ONNX's test_maxunpool_export_with_output_shape
/// (whose indices count in the inferred 4x4 shape of a 5x5 output).
static LogicalResult convertMaxUnpool(NodeContext &node) {
  if (failed(node.expectInputs(2, 3)))
    return failure();
  RankedTensorType type = node.inputType(0);
  int64_t rank = type.getRank(), n = rank - 2;
  std::optional<SmallVector<int64_t>> kernel = node.getInts("kernel_shape");
  SmallVector<int64_t> strides =
      node.getInts("strides").value_or(SmallVector<int64_t>(n, 1));
  SmallVector<int64_t> pads =
      node.getInts("pads").value_or(SmallVector<int64_t>(2 * n, 0));
  if (n < 1 || !kernel || static_cast<int64_t>(kernel->size()) != n ||
      static_cast<int64_t>(strides.size()) != n ||
      static_cast<int64_t>(pads.size()) != 2 * n)
    return node.emitError()
           << "expects an input of rank >= 3, " << n
           << " kernel_shape and strides and " << 2 * n << " pads";
  if (node.inputType(1).getShape() != type.getShape())
    return node.emitError() << "indices " << node.inputType(1)
                            << " must have the shape of the input " << type;
  SmallVector<int64_t> shape(type.getShape().take_front(2));
  for (int64_t i = 0; i < n; ++i)
    shape.push_back((type.getDimSize(i + 2) - 1) * strides[i] + (*kernel)[i] -
                    pads[i] - pads[i + n]);
  SmallVector<int64_t> outputShape = shape;
  if (node.input(2)) {
    FailureOr<SmallVector<int64_t>> given =
        node.constantInts(2, "output_shape");
    if (failed(given))
      return failure();
    if (static_cast<int64_t>(given->size()) != rank ||
        ArrayRef<int64_t>(*given).take_front(2) !=
            type.getShape().take_front(2))
      return node.emitError() << "output_shape [" << *given << "] must hold "
                              << rank << " dimensions, starting with N and C";
    outputShape = *given;
  }
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }) ||
      llvm::any_of(outputShape, [](int64_t d) { return d < 0; }))
    return node.emitError()
           << "output shape [" << outputShape << "] is negative";
  auto outputType = RankedTensorType::get(shape, type.getElementType());
  auto flatType = RankedTensorType::get({outputType.getNumElements()},
                                        type.getElementType());
  Attribute zero = isa<FloatType>(type.getElementType())
                       ? Attribute(FloatAttr::get(type.getElementType(), 0.0))
                       : Attribute(IntegerAttr::get(type.getElementType(), 0));
  Value zeros = node.constant(DenseElementsAttr::get(flatType, zero));
  FailureOr<Value> values =
      node.reshape(node.input(0), {type.getNumElements()});
  FailureOr<Value> indices =
      node.reshape(node.input(1), {type.getNumElements()});
  if (failed(values) || failed(indices))
    return failure();
  FailureOr<Value> scattered = node.create<ScatterElementsOp>(
      zeros, *indices, *values, static_cast<uint64_t>(0), "none");
  if (failed(scattered))
    return failure();
  FailureOr<Value> result = node.reshape(*scattered, shape);
  if (failed(result) || outputShape == shape)
    return node.setResult(0, result);
  SmallVector<int64_t> endPads(rank, 0);
  for (int64_t d = 0; d < rank; ++d)
    endPads.push_back(outputShape[d] - shape[d]);
  return node.setResult(0, padOrCrop(node, *result, endPads, "constant", 0.0));
}

//===----------------------------------------------------------------------===//
// Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Concat, Identity, Dropout
//===----------------------------------------------------------------------===//

/// Flatten: [prod(dims[:axis]), prod(dims[axis:])], axis in [-rank, rank]
/// (negative from opset 11), default 1.
static LogicalResult convertFlatten(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  ArrayRef<int64_t> dims = node.inputType(0).getShape();
  int64_t rank = dims.size(), axis = node.getInt("axis", 1);
  if (axis < -rank || axis > rank)
    return node.emitError()
           << "axis " << axis << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  return node.setResult(
      0, node.reshape(node.input(0),
                      {ShapedType::getNumElements(dims.take_front(axis)),
                       ShapedType::getNumElements(dims.drop_front(axis))}));
}

/// Reshape: the target is the `shape` attribute before opset 5 and a
/// constant input after. 0 copies the input dimension unless allowzero=1
/// (opset 14); one -1 is inferred from the element count.
static LogicalResult convertReshape(NodeContext &node) {
  unsigned inputs = node.opset() < 5 ? 1 : 2;
  if (failed(node.expectInputs(inputs, inputs)))
    return failure();
  FailureOr<std::optional<SmallVector<int64_t>>> requested =
      node.readInts("shape", 1, 5);
  if (failed(requested))
    return failure();
  if (!*requested)
    return node.emitError() << "shape is required";
  RankedTensorType type = node.inputType(0);
  SmallVector<int64_t> shape = **requested;
  bool allowZero = node.getInt("allowzero", 0) != 0;
  int64_t inferred = -1, known = 1;
  for (int64_t i = 0, e = shape.size(); i < e; ++i) {
    if (shape[i] == 0 && !allowZero) {
      if (i >= type.getRank())
        return node.emitError() << "shape[" << i << "] = 0 copies a "
                                << "dimension that " << type << " lacks";
      shape[i] = type.getDimSize(i);
    }
    if (shape[i] == -1 && inferred < 0) {
      inferred = i;
      continue;
    }
    if (shape[i] < 0)
      return node.emitError() << "shape [" << **requested
                              << "] may hold one -1 and no other negative "
                                 "value";
    known *= shape[i];
  }
  if (inferred >= 0) {
    if (known == 0 || type.getNumElements() % known != 0)
      return node.emitError()
             << "cannot reshape " << type << " to [" << **requested << "]";
    shape[inferred] = type.getNumElements() / known;
  }
  return node.setResult(0, node.reshape(node.input(0), shape));
}

/// Squeeze: axes is an attribute before opset 13 and an optional constant
/// input after; without axes every dimension of size 1 goes.
static LogicalResult convertSqueeze(NodeContext &node) {
  if (failed(node.expectInputs(1, node.opset() < 13 ? 1 : 2)))
    return failure();
  FailureOr<std::optional<SmallVector<int64_t>>> axes =
      node.readInts("axes", 1, 13);
  if (failed(axes))
    return failure();
  ArrayRef<int64_t> dims = node.inputType(0).getShape();
  int64_t rank = dims.size();
  SmallVector<bool> dropped(rank, false);
  for (int64_t d = 0; d < rank && !*axes; ++d)
    dropped[d] = dims[d] == 1;
  for (int64_t axis : axes->value_or(SmallVector<int64_t>())) {
    FailureOr<int64_t> d = node.normalizeAxis(axis, rank, "axes entry");
    if (failed(d))
      return failure();
    if (dims[*d] != 1)
      return node.emitError()
             << "cannot squeeze dimension " << *d << " of size " << dims[*d];
    dropped[*d] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!dropped[d])
      shape.push_back(dims[d]);
  return node.setResult(0, node.reshape(node.input(0), shape));
}

/// Unsqueeze: axes index the result; an attribute before opset 13 and a
/// constant input after.
static LogicalResult convertUnsqueeze(NodeContext &node) {
  unsigned inputs = node.opset() < 13 ? 1 : 2;
  if (failed(node.expectInputs(inputs, inputs)))
    return failure();
  FailureOr<std::optional<SmallVector<int64_t>>> axes =
      node.readInts("axes", 1, 13);
  if (failed(axes))
    return failure();
  if (!*axes)
    return node.emitError() << "axes is required";
  ArrayRef<int64_t> dims = node.inputType(0).getShape();
  int64_t rank = dims.size() + (*axes)->size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : **axes) {
    FailureOr<int64_t> d = node.normalizeAxis(axis, rank, "axes entry");
    if (failed(d))
      return failure();
    if (inserted[*d])
      return node.emitError() << "axes names dimension " << *d << " twice";
    inserted[*d] = true;
  }
  SmallVector<int64_t> shape;
  const int64_t *next = dims.begin();
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(inserted[d] ? 1 : *next++);
  return node.setResult(0, node.reshape(node.input(0), shape));
}

/// Transpose: perm defaults to reversing the dimensions.
static LogicalResult convertTranspose(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  int64_t rank = node.inputType(0).getRank();
  SmallVector<int64_t> perm = node.getInts("perm").value_or(
      llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank))));
  return node.setResult(0, node.create<TransposeOp>(node.input(0), perm));
}

/// Concat: axis defaults to 1 before opset 4 and is required after;
/// negative values are allowed from opset 11.
static LogicalResult convertConcat(NodeContext &node) {
  if (failed(node.expectInputs(1, UINT_MAX)))
    return failure();
  if (llvm::is_contained(node.inputs(), Value()))
    return node.emitError() << "has an empty input name";
  if (node.opset() >= 4 && !node.hasAttr("axis"))
    return node.emitError() << "axis is required";
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getInt("axis", 1), node.inputType(0).getRank());
  if (failed(axis))
    return failure();
  return node.setResult(0, node.create<ConcatOp>(ValueRange(node.inputs()),
                                                 static_cast<uint64_t>(*axis)));
}

static LogicalResult convertIdentity(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  return node.setResult(0, node.input(0));
}

/// Dropout at inference is the identity (Dropout-13). A training_mode input
/// (opset 12) must be a constant false; the mask output is not produced.
/// The is_test attribute of opsets before 7 is ignored: Muon only infers.
static LogicalResult convertDropout(NodeContext &node) {
  if (failed(node.expectInputs(1, 3)))
    return failure();
  if (node.input(2)) {
    DenseElementsAttr mode = node.constantInput(2);
    if (!mode || !mode.getElementType().isInteger(1) || !mode.isSplat() ||
        mode.getSplatValue<bool>())
      return node.emitError() << "training_mode must be a constant false; "
                                 "Muon only runs inference";
  }
  return node.setResult(0, node.input(0));
}

void onnx_importer::addDataMovementConverters(
    llvm::StringMap<ConvertFn> &converters) {
  converters.insert({
      {"Concat", convertConcat},
      {"Dropout", convertDropout},
      {"Flatten", convertFlatten},
      {"Identity", convertIdentity},
      {"Reshape", convertReshape},
      {"Squeeze", convertSqueeze},
      {"Transpose", convertTranspose},
      {"Unsqueeze", convertUnsqueeze},
      {"Compress", convertCompress},
      {"ConvTranspose", convertConvTranspose},
      {"DepthToSpace", convertDepthToSpace},
      {"Expand", convertExpand},
      {"EyeLike", convertEyeLike},
      {"Gather", convertGather<GatherOp>},
      {"GatherElements", convertGather<GatherElementsOp>},
      {"GatherND", convertGatherND},
      {"MaxUnpool", convertMaxUnpool},
      {"OneHot", convertOneHot},
      {"Pad", convertPad},
      {"Resize", convertResize},
      {"ReverseSequence", convertReverseSequence},
      {"Scatter", convertScatterElements},
      {"ScatterElements", convertScatterElements},
      {"ScatterND", convertScatterND},
      {"Slice", convertSlice},
      {"SpaceToDepth", convertSpaceToDepth},
      {"Split", convertSplit},
      {"Tile", convertTile},
      {"Trilu", convertTrilu},
      {"Upsample", convertResize},
  });
}
