//===- NodeContext.h - What an ONNX operator conversion sees ----*- C++ -*-===//
//
// Internal to the ONNX importer: the interface between the graph walk
// (OnnxImporter.cpp), the per-operator conversions (Onnx<Family>Ops.cpp,
// looked up in OnnxOps.cpp) and the import-time evaluation of shape
// arithmetic (ConstantEvaluation.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef MUON_COMPILER_ONNX_NODECONTEXT_H
#define MUON_COMPILER_ONNX_NODECONTEXT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include "onnx/onnx_pb.h"

#include <optional>
#include <string>

namespace muon::onnx_importer {

/// MLIR element type of an ONNX TensorProto::DataType, or null when Muon does
/// not support the type. Signed integers are signless; unsigned ones (uint8
/// to uint64) keep their signedness (ui8..ui64) so that division, comparison
/// and conversion know it; the CPU target makes them signless when it
/// lowers to arith.
mlir::Type convertElementType(int32_t dataType, mlir::MLIRContext *context);

/// The one element of `value` as a double (integers by their signedness),
/// or nullopt when `value` is null or holds more or fewer elements.
std::optional<double> scalarValue(mlir::DenseElementsAttr value);

/// The ONNX spelling of a data type ("FLOAT", "STRING"), for messages.
std::string dataTypeName(int32_t dataType);

/// Converts an initializer or a tensor-valued attribute named `name`. Tensors
/// of more than 16 elements become dense_resource blobs (cheap to print and
/// parse); smaller ones, and all bool tensors, a DenseElementsAttr so that
/// they stay foldable and readable in tests.
mlir::FailureOr<mlir::ElementsAttr>
convertTensor(const onnx::TensorProto &tensor, llvm::StringRef name,
              mlir::Location loc);

/// One ONNX node being converted: its resolved inputs, its attributes with
/// the defaults of the operator spec, and the values it defines.
class NodeContext {
public:
  NodeContext(const onnx::NodeProto &node, int64_t opset, mlir::Location loc,
              mlir::OpBuilder &builder, llvm::SmallVector<mlir::Value> inputs,
              const llvm::StringSet<> &usedValues);

  const onnx::NodeProto &proto() const { return node; }
  llvm::StringRef opType() const { return node.op_type(); }
  /// Version of the default ONNX domain the model imports.
  int64_t opset() const { return opsetVersion; }
  mlir::Location loc() const { return location; }
  mlir::OpBuilder &builder() { return b; }
  mlir::MLIRContext *context() const { return location.getContext(); }

  /// Starts an error at the node's location that names the node.
  mlir::InFlightDiagnostic emitError() const;

  //===--------------------------------------------------------------------===//
  // Inputs
  //===--------------------------------------------------------------------===//

  /// Number of input positions, absent (empty-named) optional ones included.
  unsigned numInputs() const { return inputValues.size(); }
  /// The value of input `i`, or null when the input is absent.
  mlir::Value input(unsigned i) const {
    return i < inputValues.size() ? inputValues[i] : mlir::Value();
  }
  llvm::ArrayRef<mlir::Value> inputs() const { return inputValues; }
  mlir::RankedTensorType inputType(unsigned i) const;
  /// Checks that the node has between `min` and `max` input positions and
  /// that the first `min` are present.
  mlir::LogicalResult expectInputs(unsigned min, unsigned max) const;
  /// The contents of input `i` when it is a constant known at import time
  /// (small enough to be a DenseElementsAttr), else null.
  mlir::DenseElementsAttr constantInput(unsigned i) const;
  /// The integers of constant input `i`; an error naming `what` when the
  /// input is not a constant.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  constantInts(unsigned i, llvm::StringRef what) const;
  /// The one element of constant input `i` as a double; an error naming
  /// `what` when the input is not a one-element constant.
  mlir::FailureOr<double> constantScalar(unsigned i,
                                         llvm::StringRef what) const;
  /// Reads an integer list that opsets before `inputSince` give as attribute
  /// `name` and later ones as constant input `index`; nullopt when absent.
  mlir::FailureOr<std::optional<llvm::SmallVector<int64_t>>>
  readInts(llvm::StringRef name, unsigned index, int64_t inputSince) const;

  //===--------------------------------------------------------------------===//
  // Attributes
  //===--------------------------------------------------------------------===//

  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  bool hasAttr(llvm::StringRef name) const { return attr(name) != nullptr; }
  int64_t getInt(llvm::StringRef name, int64_t defaultValue) const;
  float getFloat(llvm::StringRef name, float defaultValue) const;
  llvm::StringRef getString(llvm::StringRef name,
                            llvm::StringRef defaultValue) const;
  std::optional<llvm::SmallVector<int64_t>> getInts(llvm::StringRef name) const;
  const onnx::TensorProto *getTensor(llvm::StringRef name) const;

  /// Normalises an ONNX axis in [-rank, rank) to [0, rank); an error naming
  /// `what` when it is out of range.
  /// ONNX axes (each in [-rank, rank)) in the dialect's form: non-negative
  /// and strictly increasing; an error on a repeated axis.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  normalizeAxes(llvm::ArrayRef<int64_t> axes, int64_t rank) const;
  mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                         llvm::StringRef what = "axis") const;

  //===--------------------------------------------------------------------===//
  // Results
  //===--------------------------------------------------------------------===//

  unsigned numOutputs() const { return results.size(); }
  /// Whether output `i` is consumed by a later node or is a graph output.
  bool isOutputUsed(unsigned i) const;
  mlir::Value result(unsigned i) const { return results[i]; }
  mlir::LogicalResult setResult(unsigned i, mlir::FailureOr<mlir::Value> value);

  /// Creates a muon op at the node's location and infers its result type.
  /// The op is built with a placeholder type and inferred afterwards because
  /// the ODS builders that infer the type abort when inference fails; a bad
  /// model must produce an error naming the node instead.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> create(Args &&...args) {
    auto op =
        OpTy::create(b, location, b.getNoneType(), std::forward<Args>(args)...);
    if (mlir::failed(inferResultType(op, &OpTy::inferReturnTypes)))
      return mlir::failure();
    return op->getResult(0);
  }
  /// A muon.reshape of `value` to `shape` (folded when `value` is a small
  /// constant); an error when the element counts differ.
  mlir::FailureOr<mlir::Value> reshape(mlir::Value value,
                                       llvm::ArrayRef<int64_t> shape);
  /// A muon.constant at the node's location.
  mlir::Value constant(mlir::ElementsAttr value);

private:
  using InferFn = llvm::LogicalResult (*)(
      mlir::MLIRContext *, std::optional<mlir::Location>, mlir::ValueRange,
      mlir::DictionaryAttr, mlir::OpaqueProperties, mlir::RegionRange,
      llvm::SmallVectorImpl<mlir::Type> &);
  mlir::LogicalResult inferResultType(mlir::Operation *op, InferFn infer);

  const onnx::NodeProto &node;
  int64_t opsetVersion;
  mlir::Location location;
  mlir::OpBuilder &b;
  llvm::SmallVector<mlir::Value> inputValues;
  llvm::SmallVector<mlir::Value> results;
  const llvm::StringSet<> &usedValues;
};

/// Converts one default-domain node; returns failure after an error.
using ConvertFn = mlir::LogicalResult (*)(NodeContext &node);

/// The conversion of a default-domain op type to muon ops, or null when Muon
/// has none (the op may still be shape arithmetic, see ConstantEvaluation.h).
ConvertFn lookupConverter(llvm::StringRef opType);

/// The conversions of each family of operators, one file each
/// (Onnx<Family>Ops.cpp), added to the table lookupConverter searches.
void addElementwiseConverters(llvm::StringMap<ConvertFn> &converters);
void addReductionConverters(llvm::StringMap<ConvertFn> &converters);
void addDataMovementConverters(llvm::StringMap<ConvertFn> &converters);
void addQuantConverters(llvm::StringMap<ConvertFn> &converters);
void addPoolingConverters(llvm::StringMap<ConvertFn> &converters);
void addNormalizationConverters(llvm::StringMap<ConvertFn> &converters);

/// Strides, explicit pads and dilations of a convolution or pooling window.
struct Window {
  llvm::SmallVector<int64_t> strides, pads, dilations;
};
/// Reads the window attributes shared by Conv, ConvInteger, QLinearConv,
/// MaxPool and AveragePool for a window of `kernel` over `input`, with
/// auto_pad resolved into explicit pads (OnnxOps.cpp).
mlir::FailureOr<Window> readWindow(NodeContext &node,
                                   mlir::RankedTensorType input,
                                   llvm::ArrayRef<int64_t> kernel);
/// The window of a convolution of input `x` by weight `w` (the node's
/// inputs): the kernel is the weight's spatial shape, which kernel_shape,
/// optional, must then match (OnnxOps.cpp).
mlir::FailureOr<Window> readConvolutionWindow(NodeContext &node, unsigned x,
                                              unsigned w);
void addLinearAlgebraConverters(llvm::StringMap<ConvertFn> &converters);
void addRecurrentConverters(llvm::StringMap<ConvertFn> &converters);

/// The strided window an ONNX Slice node selects from a tensor of shape
/// `dims`: one in-bounds offset, size and (possibly negative) stride per
/// dimension. Shared by the run-time conversion (OnnxDataMovementOps.cpp) and
/// the import-time evaluation (ConstantEvaluation.cpp).
struct SliceBounds {
  llvm::SmallVector<int64_t> offsets, sizes, strides;
};
mlir::FailureOr<SliceBounds> readSliceBounds(NodeContext &node,
                                             llvm::ArrayRef<int64_t> dims);

} // namespace muon::onnx_importer

#endif // MUON_COMPILER_ONNX_NODECONTEXT_H
