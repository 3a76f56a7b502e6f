//===- ElementwiseOps.td - muon ops: element-wise math, comparison and logic ops -===//
//
// Included by MuonOps.td. Semantics follow the ONNX operator specification
// (https://onnx.ai/onnx/operators/); verifiers and result-type inference are
// in ElementwiseOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_ELEMENTWISE_OPS_TD
#define MUON_ELEMENTWISE_OPS_TD

//===----------------------------------------------------------------------===//
// Arithmetic and activations (ONNX multidirectional broadcasting)
//===----------------------------------------------------------------------===//

class Muon_BinaryOp<string mnemonic, string onnxName>
    : Muon_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "Element-wise " # onnxName # " with ONNX (numpy) broadcasting";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Muon_AddOp : Muon_BinaryOp<"add", "Add">;
def Muon_SubOp : Muon_BinaryOp<"sub", "Sub">;
def Muon_MulOp : Muon_BinaryOp<"mul", "Mul">;
def Muon_DivOp : Muon_BinaryOp<"div", "Div">;

class Muon_UnaryOp<string mnemonic, string onnxName, list<Trait> traits = []>
    : Muon_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType], traits)> {
  let summary = "Element-wise " # onnxName;
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Muon_ReluOp : Muon_UnaryOp<"relu", "Relu">;
def Muon_SigmoidOp : Muon_UnaryOp<"sigmoid", "Sigmoid">;
def Muon_TanhOp : Muon_UnaryOp<"tanh", "Tanh">;
def Muon_ExpOp : Muon_UnaryOp<"exp", "Exp">;
def Muon_LogOp : Muon_UnaryOp<"log", "Log">;
def Muon_SqrtOp : Muon_UnaryOp<"sqrt", "Sqrt">;
def Muon_NegOp : Muon_UnaryOp<"neg", "Neg">;
def Muon_AbsOp : Muon_UnaryOp<"abs", "Abs">;

def Muon_LeakyReluOp : Muon_Op<"leaky_relu", [Pure, SameOperandsAndResultType]> {
  let summary = "Element-wise LeakyRelu: x < 0 ? alpha * x : x";
  let arguments = (ins AnyRankedTensor:$input, F32Attr:$alpha);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Muon_ClipOp : Muon_Op<"clip", [Pure, SameOperandsAndResultType]> {
  let summary = "Element-wise Clip to [min, max]; an absent bound is unbounded";
  let description = [{
    ONNX passes the bounds as attributes before opset 11 and as (constant)
    inputs after; the importer turns both forms into these attributes.
  }];
  let arguments = (ins AnyRankedTensor:$input, OptionalAttr<F32Attr>:$min,
                   OptionalAttr<F32Attr>:$max);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Unary math (float unless noted)
//===----------------------------------------------------------------------===//

def Muon_ReciprocalOp : Muon_UnaryOp<"reciprocal", "Reciprocal: 1 / x">;
def Muon_FloorOp : Muon_UnaryOp<"floor", "Floor">;
def Muon_CeilOp : Muon_UnaryOp<"ceil", "Ceil">;
def Muon_RoundOp : Muon_UnaryOp<"round", "Round, halves to even">;
def Muon_SignOp : Muon_UnaryOp<"sign", "Sign: -1, 0 or 1 (float or integer)">;
def Muon_ErfOp : Muon_UnaryOp<"erf", "Erf">;
def Muon_SinOp : Muon_UnaryOp<"sin", "Sin">;
def Muon_CosOp : Muon_UnaryOp<"cos", "Cos">;
def Muon_TanOp : Muon_UnaryOp<"tan", "Tan">;
def Muon_AsinOp : Muon_UnaryOp<"asin", "Asin">;
def Muon_AcosOp : Muon_UnaryOp<"acos", "Acos">;
def Muon_AtanOp : Muon_UnaryOp<"atan", "Atan">;
def Muon_SinhOp : Muon_UnaryOp<"sinh", "Sinh">;
def Muon_CoshOp : Muon_UnaryOp<"cosh", "Cosh">;
def Muon_AsinhOp : Muon_UnaryOp<"asinh", "Asinh">;
def Muon_AcoshOp : Muon_UnaryOp<"acosh", "Acosh">;
def Muon_AtanhOp : Muon_UnaryOp<"atanh", "Atanh">;
def Muon_SoftplusOp : Muon_UnaryOp<"softplus", "Softplus: log(1 + exp(x))">;
def Muon_SoftsignOp : Muon_UnaryOp<"softsign", "Softsign: x / (1 + |x|)">;
def Muon_HardSwishOp
    : Muon_UnaryOp<"hard_swish", "HardSwish: x * max(0, min(1, x / 6 + 1/2))">;
def Muon_MishOp : Muon_UnaryOp<"mish", "Mish: x * tanh(softplus(x))">;
def Muon_NotOp : Muon_UnaryOp<"not", "Not (bool, i1)">;

/// A unary op with attributes `attrs` (already given their ONNX defaults by
/// the importer).
class Muon_UnaryAttrOp<string mnemonic, string onnxName, dag attrs>
    : Muon_UnaryOp<mnemonic, onnxName> {
  let arguments = !con((ins AnyRankedTensor:$input), attrs);
}

def Muon_EluOp : Muon_UnaryAttrOp<"elu",
    "Elu: x < 0 ? alpha * (exp(x) - 1) : x", (ins F32Attr:$alpha)>;
def Muon_SeluOp : Muon_UnaryAttrOp<"selu",
    "Selu: gamma * (x > 0 ? x : alpha * (exp(x) - 1))",
    (ins F32Attr:$alpha, F32Attr:$gamma)>;
def Muon_CeluOp : Muon_UnaryAttrOp<"celu",
    "Celu: max(0, x) + min(0, alpha * (exp(x / alpha) - 1))",
    (ins F32Attr:$alpha)> {
  let hasVerifier = 1;
}
def Muon_HardSigmoidOp : Muon_UnaryAttrOp<"hard_sigmoid",
    "HardSigmoid: max(0, min(1, alpha * x + beta))",
    (ins F32Attr:$alpha, F32Attr:$beta)>;
def Muon_ThresholdedReluOp : Muon_UnaryAttrOp<"thresholded_relu",
    "ThresholdedRelu: x > alpha ? x : 0", (ins F32Attr:$alpha)>;
def Muon_ShrinkOp : Muon_UnaryAttrOp<"shrink",
    "Shrink: x < -lambd ? x + bias : (x > lambd ? x - bias : 0)",
    (ins F32Attr:$lambd, F32Attr:$bias)>;

//===----------------------------------------------------------------------===//
// Element-type tests and conversion
//===----------------------------------------------------------------------===//

def Muon_IsNaNOp : Muon_Op<"is_nan", [Pure, InferTypeOpAdaptor]> {
  let summary = "Element-wise IsNaN: a float tensor to an i1 tensor";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Muon_IsInfOp : Muon_Op<"is_inf", [Pure, InferTypeOpAdaptor]> {
  let summary = "Element-wise IsInf: a float tensor to an i1 tensor";
  let description = [{
    `detect_negative` and `detect_positive` select which infinities count
    (both by default, as in ONNX).
  }];
  let arguments = (ins AnyRankedTensor:$input,
                   DefaultValuedAttr<BoolAttr, "true">:$detect_negative,
                   DefaultValuedAttr<BoolAttr, "true">:$detect_positive);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Muon_CastOp : Muon_Op<"cast", [Pure, InferTypeOpAdaptor]> {
  let summary = "Element-wise Cast of a run-time value to element type `to`";
  let description = [{
    ONNX Cast between float (f16, bf16, f32, f64), signless and unsigned
    integer and i1 (bool) element types: float to integer truncates toward
    zero, anything to bool is `x != 0`, bool to a number gives 0 or 1,
    integers extend by the source's signedness. Casts of constants are
    evaluated by the importer instead.
  }];
  let arguments = (ins AnyRankedTensor:$input, TypeAttr:$to);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `to` $to attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Binary ops (ONNX multidirectional broadcasting)
//===----------------------------------------------------------------------===//

// Same element type for both operands and the result.
def Muon_MaxOp : Muon_BinaryOp<"max", "Max (NaN propagates)">;
def Muon_MinOp : Muon_BinaryOp<"min", "Min (NaN propagates)">;
def Muon_AndOp : Muon_BinaryOp<"and", "And (bool, i1)">;
def Muon_OrOp : Muon_BinaryOp<"or", "Or (bool, i1)">;
def Muon_XorOp : Muon_BinaryOp<"xor", "Xor (bool, i1)">;

def Muon_ModOp : Muon_BinaryOp<"mod", "Mod"> {
  let description = [{
    With `fmod` the remainder takes the sign of the dividend (C fmod);
    without, the sign of the divisor (Python's %), as ONNX Mod-13 defines.
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$fmod);
}

// BitShift-11 on unsigned integers (ONNX allows only those). A shift by the
// bit width or more gives 0, as numpy's left_shift / right_shift do.
def Muon_ShiftLeftOp : Muon_BinaryOp<"shift_left", "BitShift (LEFT)">;
def Muon_ShiftRightOp : Muon_BinaryOp<"shift_right", "BitShift (RIGHT)">;

def Muon_PowOp : Muon_BinaryOp<"pow", "Pow"> {
  let description = [{
    The exponent may have another element type than the base (Pow-12); the
    result has the base's element type.
  }];
}

// Comparisons: both operands of one element type, an i1 result.
def Muon_EqualOp : Muon_BinaryOp<"equal", "Equal (i1 result)">;
def Muon_GreaterOp : Muon_BinaryOp<"greater", "Greater (i1 result)">;
def Muon_LessOp : Muon_BinaryOp<"less", "Less (i1 result)">;
def Muon_GreaterOrEqualOp
    : Muon_BinaryOp<"greater_or_equal", "GreaterOrEqual (i1 result)">;
def Muon_LessOrEqualOp
    : Muon_BinaryOp<"less_or_equal", "LessOrEqual (i1 result)">;

def Muon_PReluOp : Muon_Op<"prelu", [Pure, InferTypeOpAdaptor]> {
  let summary = "Element-wise PRelu: x < 0 ? slope * x : x";
  let description = [{
    `slope` broadcasts unidirectionally to `input` (PRelu-9): the result has
    the input's type.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$slope);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $slope attr-dict `:` functional-type(operands, results)";
}

def Muon_WhereOp : Muon_Op<"where", [Pure, InferTypeOpAdaptor]> {
  let summary = "Element-wise Where: condition ? x : y, all three broadcast";
  let arguments = (ins AnyRankedTensor:$condition, AnyRankedTensor:$x,
                   AnyRankedTensor:$y);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$condition `,` $x `,` $y attr-dict `:` functional-type(operands, results)";
}

#endif // MUON_ELEMENTWISE_OPS_TD
