"""End-to-end test of post-training quantization (muonc/muon-run --quantize).

  ptq_end_to_end.py make DIR     writes DIR/model.onnx (a seeded float CNN),
                                 DIR/calib/*.npy (calibration samples) and
                                 DIR/input.npy (a batch of test inputs)
  ptq_end_to_end.py check DIR OUT  compares OUT/y.npy, Muon's int8 outputs,
                                 with a numpy simulation of the same
                                 fake-quant arithmetic and with float
  ptq_end_to_end.py check-report DIR REPORT OUT
                                 compares REPORT (--quant-report's JSON, on
                                 the calibration samples) with the SQNR of
                                 each tensor in the simulation, and its
                                 output entry with OUT/y.npy, Muon's int8
                                 outputs on the same samples (batched)
  ptq_end_to_end.py steps MODEL.onnx A.npy B.npy
                                 the largest difference between two outputs
                                 of a QDQ model in quantization steps of its
                                 output (the scale of its last
                                 DequantizeLinear); PASS when at most one
  ptq_end_to_end.py make-qdq DIR  writes DIR/qdq.onnx: the CNN as a QDQ model
                                 (QuantizeLinear/DequantizeLinear where
                                 docs/quantization.md places them, with
                                 numpy's parameters)
  ptq_end_to_end.py compare-ir A.mlir B.mlir
                                 checks that two muon modules hold the same
                                 ops with the same types, scales and zero
                                 points masked (numpy's and Muon's float
                                 activations differ in the last bits)
  ptq_end_to_end.py make-bn DIR   DIR/bn.onnx: conv + BatchNormalization + relu,
                                 twice (for --quantize-exclude by the name of a
                                 conv that BatchNormalization folds into)
  ptq_end_to_end.py make-mlp DIR / check-mlp DIR OUT
                                 the same for an MLP (two MatMuls of the same
                                 shape, each followed by a float tanh, so
                                 both their results are calibrated; a Gemm
                                 and a float softmax; outputs y and z)
  ptq_end_to_end.py make-two-inputs DIR / check-two-inputs DIR OUT
                                 the same for y = (a + b) @ W, whose
                                 calibration samples are directories
                                 holding a.npy and b.npy

The simulation shares no code with Muon: it computes the float activations
with numpy, takes each quantized tensor's min/max over the calibration
samples, derives scales and zero points as docs/quantization.md states, and
runs the network with every quantized tensor rounded through int8.
"""
import glob
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

f32 = np.float32


def weights():
    rng = np.random.default_rng(2024)
    w = {}
    w["W1"] = (rng.standard_normal((8, 3, 3, 3)) * 0.4).astype(f32)
    w["B1"] = (rng.standard_normal(8) * 0.1).astype(f32)
    w["W2"] = (rng.standard_normal((8, 8, 3, 3)) * 0.15).astype(f32)
    w["B2"] = (rng.standard_normal(8) * 0.1).astype(f32)
    w["W3"] = (rng.standard_normal((10, 8)) * 0.5).astype(f32)  # Gemm, transB
    w["B3"] = (rng.standard_normal(10) * 0.1).astype(f32)
    return w


def make(directory):
    w = weights()
    nodes = [
        helper.make_node("Conv", ["x", "W1", "B1"], ["c1"], name="conv1",
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "W2", "B2"], ["c2"], name="conv2",
                         pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c2", "p1"], ["s2"], name="add2"),
        helper.make_node("Relu", ["s2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "W3", "B3"], ["y"], name="fc",
                         transB=1),
    ]
    graph = helper.make_graph(
        nodes, "ptq_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])],
        [numpy_helper.from_array(v, k) for k, v in w.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    os.makedirs(os.path.join(directory, "calib"), exist_ok=True)
    onnx.save(model, os.path.join(directory, "model.onnx"))
    rng = np.random.default_rng(7)
    for i in range(16):
        sample = rng.standard_normal((1, 3, 8, 8)).astype(f32)
        np.save(os.path.join(directory, "calib", f"sample_{i:02d}.npy"), sample)
    np.save(os.path.join(directory, "input.npy"),
            rng.standard_normal((8, 1, 3, 8, 8)).astype(f32))


# ---------------------------------------------------------------- numpy model

def conv(x, w, b):
    """NCHW convolution, stride 1, pads 1, in float64."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    y = np.zeros((n, o, h, wd))
    for i in range(kh):
        for j in range(kw):
            y += np.einsum("nchw,oc->nohw", xp[:, :, i:i + h, j:j + wd],
                           w[:, :, i, j].astype(np.float64))
    return (y + b[None, :, None, None]).astype(f32)


def maxpool(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def forward(x, w, fq=None):
    """The network; fq(name, value) rounds a quantized tensor through int8
    (identity for the float model) and may record it."""
    fq = fq or (lambda name, v: v)
    x = fq("x", x)
    r1 = fq("r1", np.maximum(conv(x, w["W1"], w["B1"]), 0))
    p1 = fq("p1", maxpool(r1))
    c2 = fq("c2", conv(p1, w["W2"], w["B2"]))
    r2 = fq("r2", np.maximum(c2 + p1, 0))
    g = fq("g", r2.mean(axis=(2, 3), dtype=np.float64).astype(f32))
    f = fq("f", g.reshape(g.shape[0], -1))
    y = (f.astype(np.float64) @ w["W3"].T.astype(np.float64) + w["B3"]).astype(f32)
    return fq("y", y)


def activation_params(lo, hi):
    """docs/quantization.md: the range widened to include 0, s = (hi - lo) /
    255 in float32, z = round_half_even(-128 - lo / s) clamped."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    s = f32((hi - lo) / 255.0)
    if s == 0:
        s = f32(1)
    z = int(np.clip(np.round(-128.0 - lo / float(s)), -128, 127))
    return s, z


def fake_quant(v, s, z):
    q = np.clip(np.round(v.astype(f32) / s) + z, -128, 127)
    return ((q - z).astype(f32) * s).astype(f32)


def quantized_weights(w):
    """Per output channel symmetric int8 weights and int32 biases."""
    q = dict(w)
    for name, axis_shape in (("W1", (-1, 1, 1, 1)), ("W2", (-1, 1, 1, 1)),
                             ("W3", (-1, 1))):
        m = np.abs(w[name]).reshape(w[name].shape[0], -1).max(axis=1)
        s = (m / f32(127)).astype(f32)
        qw = np.clip(np.round(w[name] / s.reshape(axis_shape)), -127, 127)
        q[name] = (qw * s.reshape(axis_shape)).astype(f32)
        q[name + "_scale"] = s
    return q


def check(directory, out):
    w = weights()
    params = numpy_calibration(directory, w)
    qw = quantized_weights(w)
    # Biases: int32 with scale s_x * s_w (float32), as the quantizer writes.
    for bias, weight, inp in (("B1", "W1", "x"), ("B2", "W2", "p1"), ("B3", "W3", "f")):
        s = (params[inp][0] * qw[weight + "_scale"]).astype(f32)
        qw[bias] = (np.round(w[bias] / s) * s).astype(f32)

    x = np.load(os.path.join(directory, "input.npy"))
    got = np.load(os.path.join(out, "y.npy")).reshape(-1, 10)
    sim = np.concatenate([
        forward(x[i], qw, lambda n, v: fake_quant(v, *params[n])) for i in range(len(x))])
    ref = np.concatenate([forward(x[i], w) for i in range(len(x))])

    step = params["y"][0]
    diff = np.abs(got - sim)
    steps = diff.max() / step
    sqnr = 10 * np.log10(np.sum(ref.astype(np.float64) ** 2) /
                         np.sum((ref.astype(np.float64) - got) ** 2))
    print(f"max |muon - simulation| = {diff.max():.3g} = {steps:.2f} quantization steps "
          f"({np.count_nonzero(diff > step / 2)} of {diff.size} outputs differ)")
    print(f"SQNR vs float: {sqnr:.1f} dB")
    ok = steps <= 1.0 + 1e-3 and sqnr > 20
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


# Report names of the simulation's tensors: the ONNX node that computes
# each (a relu after an add is quantized once, after the relu).
REPORT_NAMES = {"x": "input 'x'", "r1": "relu1", "p1": "pool1", "c2": "conv2",
                "r2": "relu2", "g": "gap", "f": "flatten", "y": "fc"}


def check_report(directory, report_path, out):
    """Every quantized tensor's SQNR in the report within 1 dB of the
    simulation's on the same samples (the int8 code and the simulation may
    differ by a quantization step here and there, which moves the SQNR of a
    small tensor by tenths of a dB), worst first; the output's SQNR and
    top-1 agreement as computed from Muon's int8 outputs and numpy's float
    ones."""
    import json
    w = weights()
    params = numpy_calibration(directory, w)
    qw = quantized_weights(w)
    for bias, weight, inp in (("B1", "W1", "x"), ("B2", "W2", "p1"), ("B3", "W3", "f")):
        s = (params[inp][0] * qw[weight + "_scale"]).astype(f32)
        qw[bias] = (np.round(w[bias] / s) * s).astype(f32)
    signal, noise = {}, {}
    int8_outputs = np.load(os.path.join(out, "y.npy")).reshape(-1, 10).astype(np.float64)
    y_signal = y_noise = 0.0
    agree = rows = 0
    for path in sorted(glob.glob(os.path.join(directory, "calib", "*.npy"))):
        sample = np.load(path)
        floats, quantized = {}, {}
        forward(sample, w, lambda n, v: floats.setdefault(n, v.astype(np.float64)))
        forward(sample, qw, lambda n, v: quantized.setdefault(
            n, fake_quant(v, *params[n]).astype(np.float64)))
        for n in floats:
            signal[n] = signal.get(n, 0) + np.sum(floats[n] ** 2)
            noise[n] = noise.get(n, 0) + np.sum((floats[n] - quantized[n]) ** 2)
        y = floats["y"].reshape(-1)
        y_signal += np.sum(y ** 2)
        y_noise += np.sum((y - int8_outputs[rows]) ** 2)
        agree += int(np.argmax(y) == np.argmax(int8_outputs[rows]))
        rows += 1
    expected = {REPORT_NAMES[n]: 10 * np.log10(signal[n] / noise[n]) for n in signal}
    y_db = 10 * np.log10(y_signal / y_noise)

    report = json.load(open(report_path))
    ok = report["samples"] == rows
    got = {e["name"]: e["sqnr_db"] for e in report["activations"]}
    if sorted(got) != sorted(expected):
        print(f"activations {sorted(got)}, expected {sorted(expected)}")
        ok = False
    for name, db in sorted(expected.items(), key=lambda kv: kv[1]):
        print(f"{name}: report {got.get(name)}, simulation {db:.2f} dB")
        ok &= got.get(name) is not None and abs(got[name] - db) <= 1.0
    order = [e["sqnr_db"] for e in report["activations"]]
    ok &= order == sorted(order)
    (output,) = report["outputs"]
    print(f"output: report {output['sqnr_db']:.3f} dB, from the outputs {y_db:.3f} dB; "
          f"top-1 agreement report {output['top1_agreement']}, from the outputs {agree / rows}")
    ok &= abs(output["sqnr_db"] - y_db) <= 0.01 and output["top1_agreement"] == agree / rows
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def steps(model_path, a_path, b_path):
    model = onnx.load(model_path)
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    last = [n for n in model.graph.node if n.op_type == "DequantizeLinear"][-1]
    scale = float(inits[last.input[1]])
    a, b = np.load(a_path), np.load(b_path)
    diff = np.abs(a.astype(np.float64) - b) / scale
    print(f"max difference {diff.max():.4f} quantization steps "
          f"({np.count_nonzero(diff > 0.5)} of {diff.size} outputs differ)")
    ok = diff.max() <= 1 + 1e-3
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


# ------------------------------------------------------------ the QDQ model

def numpy_calibration(directory, w):
    calib = [np.load(p) for p in sorted(glob.glob(os.path.join(directory, "calib", "*.npy")))]
    ranges = {}

    def record(name, v):
        lo, hi = ranges.get(name, (np.inf, -np.inf))
        ranges[name] = (min(lo, v.min()), max(hi, v.max()))
        return v

    for sample in calib:
        forward(sample, w, record)
    return {k: activation_params(*r) for k, r in ranges.items()}


def make_qdq(directory):
    """The CNN as ONNX Runtime's QDQ format writes it. The Gemm weight is
    stored transposed (transB = 0), the layout Muon's constant folding gives
    a constant transB operand before quantization."""
    w = weights()
    params = numpy_calibration(directory, w)
    initializers, nodes = [], []

    def qdq(name, value):
        s, z = params[name]
        initializers.extend([numpy_helper.from_array(np.array(s, f32), name + "_scale"),
                             numpy_helper.from_array(np.array(z, np.int8), name + "_zero")])
        nodes.append(helper.make_node("QuantizeLinear", [value, name + "_scale", name + "_zero"],
                                      [value + "_q"]))
        nodes.append(helper.make_node("DequantizeLinear", [value + "_q", name + "_scale", name + "_zero"],
                                      [value + "_dq"]))
        return value + "_dq"

    def dequantized(name, q, s, axis):
        initializers.extend([numpy_helper.from_array(q, name + "_q"),
                             numpy_helper.from_array(s, name + "_scale"),
                             numpy_helper.from_array(np.zeros(len(s), q.dtype), name + "_zero")])
        nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_scale", name + "_zero"],
                                      [name + "_dq"], axis=axis))
        return name + "_dq"

    def weight_and_bias(weight, bias, inp, axis):
        wt = w[weight] if axis == 0 else w[weight].T
        m = np.abs(wt).max(axis=tuple(d for d in range(wt.ndim) if d != axis))
        s = (m / f32(127)).astype(f32)
        shape = [1] * wt.ndim
        shape[axis] = -1
        q = np.clip(np.round(wt / s.reshape(shape)), -127, 127).astype(np.int8)
        bs = (params[inp][0] * s).astype(f32)
        bq = np.round(w[bias] / bs).astype(np.int32)
        return dequantized(weight, q, s, axis), dequantized(bias, bq, bs, 0)

    x = qdq("x", "x")
    W, B = weight_and_bias("W1", "B1", "x", 0)
    nodes += [helper.make_node("Conv", [x, W, B], ["c1"], pads=[1, 1, 1, 1]),
              helper.make_node("Relu", ["c1"], ["r1"])]
    r1 = qdq("r1", "r1")
    nodes.append(helper.make_node("MaxPool", [r1], ["p1"], kernel_shape=[2, 2], strides=[2, 2]))
    p1 = qdq("p1", "p1")
    W, B = weight_and_bias("W2", "B2", "p1", 0)
    nodes.append(helper.make_node("Conv", [p1, W, B], ["c2"], pads=[1, 1, 1, 1]))
    c2 = qdq("c2", "c2")
    nodes += [helper.make_node("Add", [c2, p1], ["s2"]), helper.make_node("Relu", ["s2"], ["r2"])]
    r2 = qdq("r2", "r2")
    nodes.append(helper.make_node("GlobalAveragePool", [r2], ["g"]))
    g = qdq("g", "g")
    nodes.append(helper.make_node("Flatten", [g], ["f"]))
    f = qdq("f", "f")
    W, B = weight_and_bias("W3", "B3", "f", 1)
    nodes.append(helper.make_node("Gemm", [f, W, B], ["y_float"]))
    s, z = params["y"]
    initializers.extend([numpy_helper.from_array(np.array(s, f32), "y_scale"),
                         numpy_helper.from_array(np.array(z, np.int8), "y_zero")])
    nodes += [helper.make_node("QuantizeLinear", ["y_float", "y_scale", "y_zero"], ["y_q"]),
              helper.make_node("DequantizeLinear", ["y_q", "y_scale", "y_zero"], ["y"])]
    graph = helper.make_graph(
        nodes, "ptq_cnn_qdq",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(directory, "qdq.onnx"))


def normalized_ops(path):
    """The function's ops with value names, constant data and quantization
    parameters masked, sorted (the two modules order constants differently)."""
    import re
    text = open(path).read()
    body = text[text.index("func.func"):text.index("\n  }\n")]
    lines = []
    for line in body.splitlines()[1:]:
        line = re.sub(r"%[0-9]+", "%v", line.strip())
        line = re.sub(r"dense_resource<\w+>", "dense_resource<data>", line)
        line = re.sub(r"dense<[^>]*>", "dense<data>", line)
        line = re.sub(r"(!quant\.uniform<\w+:f32), [-0-9.eE]+:-?[0-9]+>", r"\1, s:z>", line)
        line = re.sub(r"(!quant\.uniform<\w+:f32:\d+), \{[^}]*\}>", r"\1, {s}>", line)
        lines.append(line)
    return sorted(lines)


def compare_ir(a, b):
    ops_a, ops_b = normalized_ops(a), normalized_ops(b)
    import difflib
    diff = list(difflib.unified_diff(ops_a, ops_b, a, b, lineterm=""))
    print("\n".join(diff) if diff else f"same {len(ops_a)} ops")
    return 1 if diff else 0


# -------------------------------------------------------- BatchNormalization

def make_bn(directory):
    rng = np.random.default_rng(3)
    init = {"W1": rng.standard_normal((4, 3, 3, 3)), "W2": rng.standard_normal((4, 4, 3, 3))}
    for i in (1, 2):
        init[f"scale{i}"] = rng.uniform(0.5, 1.5, 4)
        init[f"bias{i}"] = rng.standard_normal(4)
        init[f"mean{i}"] = rng.standard_normal(4)
        init[f"var{i}"] = rng.uniform(0.5, 2, 4)
    nodes = []
    for i, (x, y) in enumerate((("x", "r1"), ("r1", "y")), start=1):
        nodes += [helper.make_node("Conv", [x, f"W{i}"], [f"c{i}"], name=f"conv{i}", pads=[1, 1, 1, 1]),
                  helper.make_node("BatchNormalization",
                                   [f"c{i}", f"scale{i}", f"bias{i}", f"mean{i}", f"var{i}"],
                                   [f"b{i}"], name=f"bn{i}"),
                  helper.make_node("Relu", [f"b{i}"], [y], name=f"relu{i}")]
    graph = helper.make_graph(
        nodes, "ptq_bn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])],
        [numpy_helper.from_array(v.astype(f32), k) for k, v in init.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(directory, "bn.onnx"))


# -------------------------------------------------------------------- the MLP

def mlp_weights():
    rng = np.random.default_rng(31)
    return {"W1": (rng.standard_normal((16, 16)) * 0.35).astype(f32),  # MatMul [K, N]
            "W2": (rng.standard_normal((16, 16)) * 0.35).astype(f32),  # MatMul [K, N]
            "W3": (rng.standard_normal((8, 16)) * 0.5).astype(f32),
            "B3": (rng.standard_normal(8) * 0.1).astype(f32)}


def make_mlp(directory):
    w = mlp_weights()
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["m1"], name="mm1"),
             helper.make_node("Tanh", ["m1"], ["t1"], name="tanh1"),
             helper.make_node("MatMul", ["t1", "W2"], ["m2"], name="mm2"),
             helper.make_node("Tanh", ["m2"], ["t"], name="tanh2"),
             helper.make_node("Gemm", ["t", "W3", "B3"], ["z"], name="fc3", transB=1),
             helper.make_node("Softmax", ["z"], ["y"], name="softmax", axis=1)]
    graph = helper.make_graph(
        nodes, "ptq_mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 8]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [4, 8])],
        [numpy_helper.from_array(v, k) for k, v in w.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    os.makedirs(os.path.join(directory, "calib"), exist_ok=True)
    onnx.save(model, os.path.join(directory, "model.onnx"))
    rng = np.random.default_rng(8)
    for i in range(16):
        np.save(os.path.join(directory, "calib", f"{i:02d}.npy"),
                rng.standard_normal((4, 16)).astype(f32))
    np.save(os.path.join(directory, "input.npy"), rng.standard_normal((6, 4, 16)).astype(f32))


def mlp_forward(x, w, fq=None):
    fq = fq or (lambda name, v: v)

    def gemm(a, wt, b):
        return (a.astype(np.float64) @ wt.T.astype(np.float64) + b).astype(f32)

    def matmul(a, wt):
        return (a.astype(np.float64) @ wt.astype(np.float64)).astype(f32)

    # A tanh (float only) reads the dequantized MatMul output; the next
    # product quantizes the tanh's result again.
    x = fq("x", x)
    m1 = fq("m1", matmul(x, w["W1"]))
    t1 = fq("t1", np.tanh(m1.astype(np.float64)).astype(f32))
    m2 = fq("m2", matmul(t1, w["W2"]))
    t = fq("t", np.tanh(m2.astype(np.float64)).astype(f32))
    z = fq("z", gemm(t, w["W3"], w["B3"]))
    e = np.exp(z.astype(np.float64) - z.max(axis=1, keepdims=True))
    return z, (e / e.sum(axis=1, keepdims=True)).astype(f32)


def check_mlp(directory, out):
    w = mlp_weights()
    ranges = {}

    def record(name, v):
        lo, hi = ranges.get(name, (np.inf, -np.inf))
        ranges[name] = (min(lo, v.min()), max(hi, v.max()))
        return v

    for path in sorted(glob.glob(os.path.join(directory, "calib", "*.npy"))):
        mlp_forward(np.load(path), w, record)
    params = {k: activation_params(*r) for k, r in ranges.items()}
    qw = dict(w)
    for weight in ("W1", "W2"):  # [K, N]: per column
        s = (np.abs(w[weight]).max(axis=0) / f32(127)).astype(f32)
        qw[weight] = (np.clip(np.round(w[weight] / s), -127, 127) * s).astype(f32)
    s = (np.abs(w["W3"]).max(axis=1) / f32(127)).astype(f32)  # [N, K]: per row
    qw["W3"] = (np.clip(np.round(w["W3"] / s[:, None]), -127, 127) * s[:, None]).astype(f32)
    bs = (params["t"][0] * s).astype(f32)
    qw["B3"] = (np.round(w["B3"] / bs) * bs).astype(f32)
    x = np.load(os.path.join(directory, "input.npy"))
    sim = [mlp_forward(x[i], qw, lambda n, v: fake_quant(v, *params[n])) for i in range(len(x))]
    ref = [mlp_forward(x[i], w) for i in range(len(x))]
    step = params["z"][0]
    ok = True
    for k, name in enumerate(("z", "y")):
        got = np.load(os.path.join(out, name + ".npy")).reshape(-1, 8)
        s = np.concatenate([v[k] for v in sim])
        r = np.concatenate([v[k] for v in ref]).astype(np.float64)
        steps = np.abs(got - s).max() / step
        sqnr = 10 * np.log10(np.sum(r ** 2) / np.sum((r - got) ** 2))
        print(f"{name}: max |muon - simulation| = {steps:.2f} steps of z, SQNR vs float {sqnr:.1f} dB")
        ok = ok and steps <= 1.0 + 1e-3 and sqnr > 20
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


# ------------------------------------------------------- two inputs, MatMul

def two_input_weight():
    return (np.random.default_rng(5).standard_normal((6, 3)) * 0.7).astype(f32)


def make_two_inputs(directory):
    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["s"], name="add"),
         helper.make_node("MatMul", ["s", "W"], ["y"], name="matmul")],
        "ptq_two_inputs",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [2, 6]) for n in "ab"],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
        [numpy_helper.from_array(two_input_weight(), "W")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    os.makedirs(directory, exist_ok=True)
    onnx.save(model, os.path.join(directory, "model.onnx"))
    rng = np.random.default_rng(9)
    for i in range(8):
        sample = os.path.join(directory, "calib", f"sample_{i}")
        os.makedirs(sample, exist_ok=True)
        np.save(os.path.join(sample, "a.npy"), rng.uniform(-1, 2, (2, 6)).astype(f32))
        np.save(os.path.join(sample, "b.npy"), rng.uniform(-3, 1, (2, 6)).astype(f32))
    np.save(os.path.join(directory, "a.npy"), rng.uniform(-1, 2, (2, 6)).astype(f32))
    np.save(os.path.join(directory, "b.npy"), rng.uniform(-3, 1, (2, 6)).astype(f32))


def check_two_inputs(directory, out):
    w = two_input_weight()
    samples = sorted(glob.glob(os.path.join(directory, "calib", "sample_*")))
    values = {"a": [], "b": [], "s": [], "y": []}
    for sample in samples:
        a, b = (np.load(os.path.join(sample, n + ".npy")) for n in "ab")
        s = a + b
        for name, v in (("a", a), ("b", b), ("s", s), ("y", (s.astype(np.float64) @ w).astype(f32))):
            values[name].append(v)
    params = {k: activation_params(min(x.min() for x in v), max(x.max() for x in v))
              for k, v in values.items()}
    m = np.abs(w).max(axis=0)
    ws = (m / f32(127)).astype(f32)
    wq = (np.clip(np.round(w / ws), -127, 127) * ws).astype(f32)
    a, b = (np.load(os.path.join(directory, n + ".npy")) for n in "ab")
    s = fake_quant(fake_quant(a, *params["a"]) + fake_quant(b, *params["b"]), *params["s"])
    sim = fake_quant((s.astype(np.float64) @ wq).astype(f32), *params["y"])
    ref = ((a + b).astype(np.float64) @ w).astype(f32)
    got = np.load(os.path.join(out, "y.npy"))
    steps = np.abs(got - sim).max() / params["y"][0]
    sqnr = 10 * np.log10(np.sum(ref.astype(np.float64) ** 2) /
                         np.sum((ref.astype(np.float64) - got) ** 2))
    print(f"max |muon - simulation| = {steps:.2f} quantization steps")
    print(f"SQNR vs float: {sqnr:.1f} dB")
    ok = steps <= 1.0 + 1e-3 and sqnr > 20
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    elif sys.argv[1] == "check-report":
        sys.exit(check_report(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif sys.argv[1] == "steps":
        sys.exit(steps(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif sys.argv[1] == "make-qdq":
        make_qdq(sys.argv[2])
    elif sys.argv[1] == "compare-ir":
        sys.exit(compare_ir(sys.argv[2], sys.argv[3]))
    elif sys.argv[1] == "make-bn":
        make_bn(sys.argv[2])
    elif sys.argv[1] == "make-mlp":
        make_mlp(sys.argv[2])
    elif sys.argv[1] == "check-mlp":
        sys.exit(check_mlp(sys.argv[2], sys.argv[3]))
    elif sys.argv[1] == "make-two-inputs":
        make_two_inputs(sys.argv[2])
    else:
        sys.exit(check_two_inputs(sys.argv[2], sys.argv[3]))
