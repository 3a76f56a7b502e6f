//===- DataMovementToLinalg.cpp - Lowering constants and data movement ----===//
//
// Patterns of the muon-to-linalg pass (MuonToLinalg.cpp) for the ops of
// dialects/muon/DataMovementOps.td and muon.constant. Reshapes are collapses
// or expands, Transpose and Concat linalg.transpose and inserted slices.
// Index arithmetic that depends only on shapes (slice windows, pad
// reflections, resize coordinates) is fixed at compile time; what depends on
// run-time indices (gathers) reads the data with tensor.extract inside a
// linalg.generic over the result. Scatters, whose writes go where run-time
// indices say, are scf.for nests over the updates that carry the tensor being
// written (one-shot bufferization copies the data first when it must).
//
//===----------------------------------------------------------------------===//

#include "dialects/muon/MuonOps.h"
#include "targets/cpu/LinalgBuilders.h"
#include "targets/cpu/Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <array>
#include <cmath>

using namespace mlir;
using namespace muon;

namespace {

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// A parallel linalg.generic over `resultType` reading `inputs` through
/// `inputMaps`, whose body `compute` returns the result element at the
/// current index (from the input elements and, typically, tensor.extract).
Value buildIndexedGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange)> compute) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(
      AffineMap::getMultiDimIdentityMap(resultType.getRank(), b.getContext()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, resultType, inputs, emptyTensor(b, loc, resultType), maps,
             iterators,
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(
                   nested, nestedLoc,
                   compute(nested, nestedLoc, args.drop_back()));
             })
      .getResult(0);
}

/// Whether `op` reads or writes quantized values. The ops here move them on
/// their storage; those that also compute values (a padding or fill
/// constant, an interpolation, a scatter reduction) would need the
/// quantization parameters, and are left to the error of muon-to-linalg.
bool hasQuantizedElements(Operation *op) {
  auto quantized = [](Type type) {
    return isa<quant::QuantizedType>(getElementTypeOrSelf(type));
  };
  return llvm::any_of(op->getOperandTypes(), quantized) ||
         llvm::any_of(op->getResultTypes(), quantized);
}

/// The loop index of every result dimension.
SmallVector<Value> loopIndices(OpBuilder &b, Location loc, int64_t rank) {
  SmallVector<Value> indices;
  for (int64_t d = 0; d < rank; ++d)
    indices.push_back(linalg::IndexOp::create(b, loc, d));
  return indices;
}

//===----------------------------------------------------------------------===//
// Gather, GatherElements
//===----------------------------------------------------------------------===//

/// A run-time ONNX index into a dimension of size `extent`: negative values
/// count from the end (Gather-13). ONNX makes any other out-of-range index
/// an error; it is clamped so that generated code never reads out of bounds.
Value wrapIndex(OpBuilder &b, Location loc, Value index, int64_t extent) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value zero = indexConstant(b, loc, 0);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  Value wrapped =
      arith::AddIOp::create(b, loc, i, indexConstant(b, loc, extent));
  i = arith::SelectOp::create(b, loc, negative, wrapped, i);
  i = arith::MaxSIOp::create(b, loc, i, zero);
  return arith::MinSIOp::create(b, loc, i, indexConstant(b, loc, extent - 1));
}

/// Gather and GatherElements: the result element at index I reads data at
/// I with the axis coordinate replaced by the wrapped index; Gather's index
/// tensor spans result dimensions [axis, axis + rank(indices)) and the data
/// dimensions after the axis follow them.
template <typename OpTy> struct GatherLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr bool elements = std::is_same_v<OpTy, GatherElementsOp>;
    auto dataType = tensorType(adaptor.getData());
    auto indicesType = tensorType(adaptor.getIndices());
    int64_t axis = op.getAxis(), rank = op.getType().getRank();
    int64_t extent = dataType.getDimSize(axis);
    if (extent == 0)
      return rewriter.notifyMatchFailure(op, "gathers from an empty axis");
    MLIRContext *context = rewriter.getContext();
    AffineMap indicesMap =
        elements ? AffineMap::getMultiDimIdentityMap(rank, context)
                 : AffineMap::getMultiDimIdentityMap(rank, context)
                       .getSliceMap(axis, indicesType.getRank());
    Value result = buildIndexedGeneric(
        rewriter, op.getLoc(), storageType(op.getType()), adaptor.getIndices(),
        indicesMap, [&](OpBuilder &b, Location loc, ValueRange args) {
          SmallVector<Value> loop = loopIndices(b, loc, rank);
          SmallVector<Value> coords;
          if (elements) {
            coords = loop;
            coords[axis] = wrapIndex(b, loc, args[0], extent);
          } else {
            coords.append(loop.begin(), loop.begin() + axis);
            coords.push_back(wrapIndex(b, loc, args[0], extent));
            coords.append(loop.begin() + axis + indicesType.getRank(),
                          loop.end());
          }
          return tensor::ExtractOp::create(b, loc, adaptor.getData(), coords)
              .getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

/// A tensor.extract_slice over the elements the slice reads, with positive
/// strides; dimensions with a negative stride are then reversed by a
/// linalg.generic reading (size - 1 - i).
struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    RankedTensorType type = storageType(op.getType());
    int64_t rank = type.getRank();
    SmallVector<int64_t> offsets, strides;
    SmallVector<AffineExpr> reversal;
    bool reverses = false;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t offset = op.getOffsets()[d], size = op.getSizes()[d],
              stride = op.getStrides()[d];
      AffineExpr dim = getAffineDimExpr(d, context);
      if (stride < 0 && size > 1) {
        offset += (size - 1) * stride;
        reversal.push_back(getAffineConstantExpr(size - 1, context) - dim);
        reverses = true;
      } else {
        reversal.push_back(dim);
      }
      offsets.push_back(offset);
      strides.push_back(std::abs(stride));
    }
    Value slice = tensor::ExtractSliceOp::create(
        rewriter, loc, type, adaptor.getInput(),
        getAsIndexOpFoldResult(context, offsets),
        getAsIndexOpFoldResult(context, type.getShape()),
        getAsIndexOpFoldResult(context, strides));
    if (reverses)
      slice = buildIndexedGeneric(
          rewriter, loc, type, slice,
          AffineMap::get(rank, 0, reversal, context),
          [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    rewriter.replaceOp(op, slice);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pad
//===----------------------------------------------------------------------===//

/// Mode constant is a tensor.pad. Modes reflect and edge read, for result
/// index i of a padded dimension of size n, input index j = i - begin mapped
/// into [0, n): edge clamps it; reflect mirrors it about the edge elements
/// (-j below 0, 2 (n - 1) - j above n - 1), as numpy.pad's 'reflect' does.
struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = storageType(op.getType());
    auto inputType = tensorType(adaptor.getInput());
    Type elementType = type.getElementType();
    int64_t rank = type.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    if (op.getMode() == "constant") {
      if (hasQuantizedElements(op))
        return rewriter.notifyMatchFailure(
            op, "constant padding needs a float or integer type");
      Value value = scalarConstant(rewriter, loc, elementType,
                                   op.getValue().convertToDouble());
      rewriter.replaceOpWithNewOp<tensor::PadOp>(
          op, type, adaptor.getInput(),
          getAsIndexOpFoldResult(rewriter.getContext(), pads.take_front(rank)),
          getAsIndexOpFoldResult(rewriter.getContext(), pads.drop_front(rank)),
          value);
      return success();
    }
    bool reflect = op.getMode() == "reflect";
    Value result = buildIndexedGeneric(
        rewriter, loc, type, {}, {}, [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> coords = loopIndices(b, l, rank);
          for (int64_t d = 0; d < rank; ++d) {
            if (!pads[d] && !pads[d + rank])
              continue;
            int64_t n = inputType.getDimSize(d);
            Value zero = indexConstant(b, l, 0);
            Value last = indexConstant(b, l, n - 1);
            Value j = arith::SubIOp::create(b, l, coords[d],
                                            indexConstant(b, l, pads[d]));
            if (!reflect) {
              j = arith::MaxSIOp::create(b, l, j, zero);
              coords[d] = arith::MinSIOp::create(b, l, j, last);
              continue;
            }
            Value below =
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, j, zero);
            j = arith::SelectOp::create(
                b, l, below, arith::SubIOp::create(b, l, zero, j), j);
            Value above =
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, j, last);
            Value mirrored = arith::SubIOp::create(
                b, l, indexConstant(b, l, 2 * (n - 1)), j);
            coords[d] = arith::SelectOp::create(b, l, above, mirrored, j);
          }
          return tensor::ExtractOp::create(b, l, adaptor.getInput(), coords)
              .getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Expand
//===----------------------------------------------------------------------===//

struct ExpandLowering : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op,
                       broadcastTo(rewriter, op.getLoc(), adaptor.getInput(),
                                   storageType(op.getType())));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

/// The input coordinate that output coordinate `x` of a dimension maps to
/// (Resize-13's coordinate_transformation_mode). Like the ONNX reference
/// implementation, align_corners and pytorch_half_pixel use the unrounded
/// resized length in * scale.
double sourceCoordinate(StringRef transform, int64_t x, int64_t in, int64_t out,
                        double scale, double roiStart, double roiEnd) {
  double length = in * scale;
  if (transform == "tf_crop_and_resize")
    return out > 1 ? roiStart * (in - 1) +
                         x * (roiEnd - roiStart) * (in - 1) / (out - 1)
                   : 0.5 * (roiStart + roiEnd) * (in - 1);
  if (transform == "align_corners")
    return length == 1 ? 0.0 : x * (in - 1) / (length - 1);
  if (transform == "asymmetric")
    return x / scale;
  if (transform == "tf_half_pixel_for_nn")
    return (x + 0.5) / scale;
  if (transform == "pytorch_half_pixel" && length <= 1)
    return 0.0;
  return (x + 0.5) / scale - 0.5; // half_pixel, pytorch_half_pixel
}

/// The weights of Keys' cubic convolution (coefficient `a`) for the four
/// taps at distances 1 + r, r, 1 - r and 2 - r from the source coordinate.
std::array<double, 4> cubicWeights(double r, double a) {
  auto near = [&](double d) { return ((a + 2) * d - (a + 3)) * d * d + 1; };
  auto far = [&](double d) {
    return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  };
  return {far(1 + r), near(r), near(1 - r), far(2 - r)};
}

/// Per resized dimension, compile-time tables of the input indices each
/// output coordinate reads and their weights: one tap (nearest), two
/// (linear) or four (cubic), stored tap-major ([taps][out]). Taps outside
/// the input are clamped to its edge or, with exclude_outside, weigh
/// nothing. With tf_crop_and_resize, `outside` marks the coordinates that
/// fall outside the input (extrapolated).
struct ResizeTables {
  int64_t dim;
  SmallVector<int64_t> indices;
  SmallVector<double> weights;
  SmallVector<bool> outside;
};

int64_t resizeTaps(ResizeOp op) {
  return op.getMode() == "cubic" ? 4 : op.getMode() == "linear" ? 2 : 1;
}

SmallVector<ResizeTables> resizeTables(ResizeOp op) {
  auto inputType = tensorType(op.getInput());
  int64_t taps = resizeTaps(op);
  StringRef nearest = op.getNearestMode();
  SmallVector<ResizeTables> tables;
  for (int64_t d = 0; d < inputType.getRank(); ++d) {
    int64_t in = inputType.getDimSize(d), out = op.getSizes()[d];
    SmallVector<int64_t> indices(taps * out);
    SmallVector<double> weights(taps * out, 1.0);
    SmallVector<bool> outside;
    ArrayRef<double> roi = op.getRoi();
    bool identity = in == out;
    for (int64_t x = 0; x < out; ++x) {
      double source =
          sourceCoordinate(op.getCoordinateTransformationMode(), x, in, out,
                           op.getScales()[d], roi.empty() ? 0.0 : roi[d],
                           roi.empty() ? 1.0 : roi[d + roi.size() / 2]);
      if (!roi.empty()) {
        outside.push_back(source < 0 || source > in - 1);
        identity &= !outside.back();
      }
      double floor = std::floor(source), ratio = source - floor;
      auto clamp = [&](double i) {
        return std::clamp<int64_t>(static_cast<int64_t>(i), 0, in - 1);
      };
      identity &= source == x;
      if (taps == 1) {
        bool up =
            ratio != 0.0 && (nearest == "ceil" ||
                             (nearest == "round_prefer_floor" && ratio > 0.5) ||
                             (nearest == "round_prefer_ceil" && ratio >= 0.5));
        indices[x] = clamp(up ? floor + 1 : floor);
        identity &= indices[x] == x;
        continue;
      }
      // As in the ONNX reference, the taps are the input positions nearest
      // the source coordinate, the left one preferred: an integral source
      // is the last left tap, at weight 1 (ratio 1 rather than 0).
      if (ratio == 0.0) {
        floor -= 1;
        ratio = 1.0;
      }
      std::array<double, 4> tapWeights =
          taps == 2
              ? std::array<double, 4>{1 - ratio, ratio, 0, 0}
              : cubicWeights(ratio, op.getCubicCoeffA().convertToDouble());
      double first = floor - (taps / 2 - 1), sum = 0;
      for (int64_t t = 0; t < taps; ++t) {
        double position = first + t;
        if (op.getExcludeOutside() && (position < 0 || position >= in))
          tapWeights[t] = 0;
        indices[t * out + x] = clamp(position);
        weights[t * out + x] = tapWeights[t];
        sum += tapWeights[t];
      }
      if (op.getExcludeOutside())
        for (int64_t t = 0; t < taps; ++t)
          weights[t * out + x] /= sum;
    }
    if (!identity)
      tables.push_back(
          {d, std::move(indices), std::move(weights), std::move(outside)});
  }
  return tables;
}

struct ResizeLowering : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t taps = resizeTaps(op);
    RankedTensorType type = storageType(op.getType());
    Type elementType = type.getElementType();
    if (taps > 1 && !isFloat(elementType))
      return rewriter.notifyMatchFailure(op,
                                         "interpolation needs a float type");
    if (hasQuantizedElements(op))
      return rewriter.notifyMatchFailure(op, "not on quantized values");
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    int64_t rank = type.getRank();
    SmallVector<ResizeTables> tables = resizeTables(op);
    if (tables.empty()) { // Every coordinate maps to itself.
      rewriter.replaceOp(op, adaptor.getInput());
      return success();
    }

    // Tables become constant inputs read at their result dimension: for
    // each resized dimension, the index of every tap, then (interpolating)
    // the weight of every tap.
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    auto addTable = [&](int64_t dim, Attribute values) {
      inputs.push_back(
          arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(values)));
      maps.push_back(AffineMap::get(rank, 0, getAffineDimExpr(dim, context)));
    };
    for (const ResizeTables &table : tables) {
      int64_t size = type.getDimSize(table.dim);
      auto indexType = RankedTensorType::get({size}, rewriter.getI64Type());
      for (int64_t t = 0; t < taps; ++t)
        addTable(table.dim,
                 DenseElementsAttr::get(
                     indexType, ArrayRef(table.indices).slice(t * size, size)));
      if (taps == 1)
        continue;
      auto weightType = RankedTensorType::get({size}, elementType);
      for (int64_t t = 0; t < taps; ++t) {
        SmallVector<Attribute> weights;
        for (double w : ArrayRef(table.weights).slice(t * size, size))
          weights.push_back(rewriter.getFloatAttr(elementType, w));
        addTable(table.dim, DenseElementsAttr::get(weightType, weights));
      }
    }
    // Then, where some coordinates extrapolate, one table of flags per
    // resized dimension.
    bool extrapolates = llvm::any_of(tables, [](const ResizeTables &table) {
      return llvm::is_contained(table.outside, true);
    });
    if (extrapolates)
      for (const ResizeTables &table : tables)
        addTable(table.dim,
                 DenseElementsAttr::get(
                     RankedTensorType::get({type.getDimSize(table.dim)},
                                           rewriter.getI1Type()),
                     ArrayRef(table.outside)));
    int64_t perTable = taps == 1 ? 1 : 2 * taps;
    Value result = buildIndexedGeneric(
        rewriter, loc, type, inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          SmallVector<Value> coords = loopIndices(b, l, rank);
          auto index = [&](Value v) {
            return arith::IndexCastOp::create(b, l, b.getIndexType(), v)
                .getResult();
          };
          Value value;
          if (taps == 1) {
            for (auto [k, table] : llvm::enumerate(tables))
              coords[table.dim] = index(args[k]);
            value = tensor::ExtractOp::create(b, l, adaptor.getInput(), coords);
          }
          // Else the sum over every combination of one tap per resized
          // dimension, weighted by the product of the taps' weights.
          int64_t combinations = taps == 1 ? 0 : 1;
          for (size_t k = 0; k < tables.size(); ++k)
            combinations *= taps;
          for (int64_t combination = 0; combination < combinations;
               ++combination) {
            Value weight;
            int64_t rest = combination;
            for (auto [k, table] : llvm::enumerate(tables)) {
              int64_t t = rest % taps;
              rest /= taps;
              coords[table.dim] = index(args[k * perTable + t]);
              Value w = args[k * perTable + taps + t];
              weight = weight ? arith::MulFOp::create(b, l, weight, w) : w;
            }
            Value term = arith::MulFOp::create(
                b, l, weight,
                tensor::ExtractOp::create(b, l, adaptor.getInput(), coords));
            value = value ? arith::AddFOp::create(b, l, value, term).getResult()
                          : term;
          }
          if (!extrapolates)
            return value;
          Value anyOutside;
          for (size_t k = 0; k < tables.size(); ++k) {
            Value flag = args[tables.size() * perTable + k];
            anyOutside = anyOutside
                             ? arith::OrIOp::create(b, l, anyOutside, flag)
                             : flag;
          }
          return arith::SelectOp::create(
              b, l, anyOutside,
              scalarConstant(b, l, elementType,
                             op.getExtrapolationValue().convertToDouble()),
              value);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Trilu
//===----------------------------------------------------------------------===//

/// Element (..., i, j) is kept when j - i >= k (upper) or j - i <= k (lower)
/// and zero otherwise; the run-time k is read once, before the loop nest.
struct TriluLowering : OpConversionPattern<TriluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TriluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (hasQuantizedElements(op))
      return rewriter.notifyMatchFailure(op, "not on quantized values");
    Location loc = op.getLoc();
    RankedTensorType type = storageType(op.getType());
    int64_t rank = type.getRank();
    Value k = indexConstant(rewriter, loc, 0);
    if (Value kTensor = adaptor.getK()) {
      SmallVector<Value> origin(tensorType(kTensor).getRank(), k);
      Value scalar = tensor::ExtractOp::create(rewriter, loc, kTensor, origin);
      k = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                     scalar);
    }
    Value zero = scalarConstant(rewriter, loc, type.getElementType(), 0.0);
    auto predicate =
        op.getUpper() ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle;
    Value result = buildIndexedGeneric(
        rewriter, loc, type, adaptor.getInput(),
        AffineMap::getMultiDimIdentityMap(rank, rewriter.getContext()),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value i = linalg::IndexOp::create(b, l, rank - 2);
          Value j = linalg::IndexOp::create(b, l, rank - 1);
          Value diagonal = arith::SubIOp::create(b, l, j, i);
          Value keep = arith::CmpIOp::create(b, l, predicate, diagonal, k);
          return arith::SelectOp::create(b, l, keep, args[0], zero);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// GatherND
//===----------------------------------------------------------------------===//

/// Result element (b..., i..., s...) — batch, the other index dimensions,
/// the data dimensions not indexed — reads data at (b..., t_0, .., t_m-1,
/// s...), t_j = indices[b..., i..., j] wrapped into dimension batch_dims + j.
struct GatherNDLowering : OpConversionPattern<GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto dataType = tensorType(adaptor.getData());
    auto indicesType = tensorType(adaptor.getIndices());
    int64_t batch = op.getBatchDims(), q = indicesType.getRank();
    int64_t m = indicesType.getDimSize(q - 1), rank = op.getType().getRank();
    ArrayRef<int64_t> indexed = dataType.getShape().slice(batch, m);
    if (llvm::is_contained(indexed, 0))
      return rewriter.notifyMatchFailure(op, "gathers from an empty dimension");
    Value result = buildIndexedGeneric(
        rewriter, op.getLoc(), storageType(op.getType()), {}, {},
        [&](OpBuilder &b, Location loc, ValueRange) -> Value {
          SmallVector<Value> loop = loopIndices(b, loc, rank);
          SmallVector<Value> tuple(loop.begin(), loop.begin() + q - 1);
          tuple.push_back(Value());
          SmallVector<Value> coords(loop.begin(), loop.begin() + batch);
          for (int64_t j = 0; j < m; ++j) {
            tuple.back() = indexConstant(b, loc, j);
            Value index =
                tensor::ExtractOp::create(b, loc, adaptor.getIndices(), tuple);
            coords.push_back(wrapIndex(b, loc, index, indexed[j]));
          }
          coords.append(loop.begin() + q - 1, loop.end());
          return tensor::ExtractOp::create(b, loc, adaptor.getData(), coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// ScatterElements, ScatterND
//===----------------------------------------------------------------------===//

/// An update combined with the element it lands on (the reductions of
/// ScatterElements-18 and ScatterND-18); "none" overwrites. Integers compare
/// as unsigned ones when `isUnsigned`.
Value combine(OpBuilder &b, Location loc, StringRef reduction, Value current,
              Value update, bool isUnsigned) {
  bool floating = isa<FloatType>(update.getType());
  if (reduction == "add")
    return floating ? arith::AddFOp::create(b, loc, current, update).getResult()
                    : arith::AddIOp::create(b, loc, current, update);
  if (reduction == "mul")
    return floating ? arith::MulFOp::create(b, loc, current, update).getResult()
                    : arith::MulIOp::create(b, loc, current, update);
  if (reduction == "max")
    return maximum(b, loc, current, update, isUnsigned);
  if (reduction == "min") {
    if (floating)
      return arith::MinimumFOp::create(b, loc, current, update);
    if (isUnsigned)
      return arith::MinUIOp::create(b, loc, current, update);
    return arith::MinSIOp::create(b, loc, current, update);
  }
  return update;
}

/// `data` with every element of `updates` written in (or combined, per
/// the reduction of the scatter `op`) at the coordinates `target` computes
/// from its index: an scf.for nest over the updates in row-major order, so
/// that with duplicate indices the last write wins, as in the ONNX reference.
template <typename OpTy>
FailureOr<Value>
buildScatter(ConversionPatternRewriter &b, OpTy op, Value data, Value updates,
             function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
                 target) {
  StringRef reduction = op.getReduction();
  if (reduction != "none" && hasQuantizedElements(op))
    return b.notifyMatchFailure(op, "reduces quantized values");
  bool isUnsigned = isUnsignedElement(op.getType());
  Location loc = op.getLoc();
  ArrayRef<int64_t> shape = tensorType(updates).getShape();
  if (llvm::is_contained(shape, 0))
    return data;
  SmallVector<Value> lower(shape.size(), indexConstant(b, loc, 0)),
      steps(shape.size(), indexConstant(b, loc, 1)), upper;
  for (int64_t size : shape)
    upper.push_back(indexConstant(b, loc, size));
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lower, upper, steps, data,
      [&](OpBuilder &nested, Location l, ValueRange ivs,
          ValueRange carried) -> scf::ValueVector {
        Value update = tensor::ExtractOp::create(nested, l, updates, ivs);
        SmallVector<Value> coords = target(nested, l, ivs);
        if (reduction != "none")
          update =
              combine(nested, l, reduction,
                      tensor::ExtractOp::create(nested, l, carried[0], coords),
                      update, isUnsigned);
        return {tensor::InsertOp::create(nested, l, update, carried[0], coords)
                    .getResult()};
      });
  return nest.results.front();
}

/// Update (i_0, .., i_n) goes to data at the same coordinates, except
/// coordinate `axis`, which is indices[i_0, .., i_n] wrapped.
struct ScatterElementsLowering : OpConversionPattern<ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t axis = op.getAxis();
    int64_t extent = tensorType(adaptor.getData()).getDimSize(axis);
    if (extent == 0 && tensorType(adaptor.getUpdates()).getNumElements() != 0)
      return rewriter.notifyMatchFailure(op, "scatters into an empty axis");
    FailureOr<Value> result =
        buildScatter(rewriter, op, adaptor.getData(), adaptor.getUpdates(),
                     [&](OpBuilder &b, Location loc, ValueRange ivs) {
                       SmallVector<Value> coords(ivs);
                       Value index = tensor::ExtractOp::create(
                           b, loc, adaptor.getIndices(), ivs);
                       coords[axis] = wrapIndex(b, loc, index, extent);
                       return coords;
                     });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// Update (i..., s...) — index dimensions, then the data dimensions after
/// the m indexed ones — goes to data at (t_0, .., t_m-1, s...), t_j =
/// indices[i..., j] wrapped.
struct ScatterNDLowering : OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto dataType = tensorType(adaptor.getData());
    auto indicesType = tensorType(adaptor.getIndices());
    int64_t q = indicesType.getRank(), m = indicesType.getDimSize(q - 1);
    ArrayRef<int64_t> indexed = dataType.getShape().take_front(m);
    if (llvm::is_contained(indexed, 0) &&
        tensorType(adaptor.getUpdates()).getNumElements() != 0)
      return rewriter.notifyMatchFailure(op,
                                         "scatters into an empty dimension");
    FailureOr<Value> result =
        buildScatter(rewriter, op, adaptor.getData(), adaptor.getUpdates(),
                     [&](OpBuilder &b, Location loc, ValueRange ivs) {
                       SmallVector<Value> tuple(ivs.take_front(q - 1)), coords;
                       tuple.push_back(Value());
                       for (int64_t j = 0; j < m; ++j) {
                         tuple.back() = indexConstant(b, loc, j);
                         Value index = tensor::ExtractOp::create(
                             b, loc, adaptor.getIndices(), tuple);
                         coords.push_back(wrapIndex(b, loc, index, indexed[j]));
                       }
                       llvm::append_range(coords, ivs.drop_front(q - 1));
                       return coords;
                     });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// ReverseSequence
//===----------------------------------------------------------------------===//

/// Result element at time t of batch entry b reads time len - 1 - t when
/// t < len (len = sequence_lens[b] clamped to [0, steps]) and t otherwise.
struct ReverseSequenceLowering : OpConversionPattern<ReverseSequenceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReverseSequenceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = storageType(op.getType());
    int64_t rank = type.getRank(), batch = op.getBatchAxis(),
            time = op.getTimeAxis(), steps = type.getDimSize(time);
    MLIRContext *context = rewriter.getContext();
    Value result = buildIndexedGeneric(
        rewriter, op.getLoc(), type, adaptor.getSequenceLens(),
        AffineMap::get(rank, 0, getAffineDimExpr(batch, context)),
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          SmallVector<Value> coords = loopIndices(b, loc, rank);
          Value length =
              arith::IndexCastOp::create(b, loc, b.getIndexType(), args[0]);
          length =
              arith::MaxSIOp::create(b, loc, length, indexConstant(b, loc, 0));
          length = arith::MinSIOp::create(b, loc, length,
                                          indexConstant(b, loc, steps));
          Value t = coords[time];
          Value inside = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::slt, t, length);
          Value reversed = arith::SubIOp::create(
              b, loc, arith::SubIOp::create(b, loc, length, t),
              indexConstant(b, loc, 1));
          coords[time] = arith::SelectOp::create(b, loc, inside, reversed, t);
          return tensor::ExtractOp::create(b, loc, adaptor.getInput(), coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Constant, Reshape, Transpose, Concat
//===----------------------------------------------------------------------===//

/// `value` with its storage type (the same bits): an unsigned integer
/// constant becomes a signless one.
TypedAttr storageValue(ElementsAttr value) {
  auto type = cast<RankedTensorType>(value.getType());
  RankedTensorType storage = storageType(type);
  if (storage == type)
    return value;
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    return dense.bitcast(storage.getElementType());
  auto resource = cast<DenseResourceElementsAttr>(value);
  return DenseResourceElementsAttr::get(storage, resource.getRawHandle());
}

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, storageValue(cast<ElementsAttr>(op.getValue())));
    return success();
  }
};

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op,
                       reshapeTensor(rewriter, op.getLoc(), adaptor.getInput(),
                                     storageType(op.getType())));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value init = emptyTensor(rewriter, op.getLoc(), storageType(op.getType()));
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       adaptor.getInput(), init,
                                                       op.getPerm())
                               .getResult());
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    RankedTensorType type = storageType(op.getType());
    int64_t axis = op.getAxis();
    Value result = emptyTensor(rewriter, loc, type);
    SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
    for (Value input : adaptor.getInputs()) {
      auto inputType = tensorType(input);
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result,
          getAsIndexOpFoldResult(context, offsets),
          getAsIndexOpFoldResult(context, inputType.getShape()),
          getAsIndexOpFoldResult(context, strides));
      offsets[axis] += inputType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void muon::populateDataMovementLowerings(const TypeConverter &converter,
                                         RewritePatternSet &patterns) {
  patterns.add<GatherLowering<GatherOp>, GatherLowering<GatherElementsOp>,
               SliceLowering, PadLowering, ExpandLowering, ResizeLowering,
               TriluLowering, GatherNDLowering, ScatterElementsLowering,
               ScatterNDLowering, ReverseSequenceLowering, ConstantLowering,
               ReshapeLowering, TransposeLowering, ConcatLowering>(
      converter, patterns.getContext());
}
