#!/usr/bin/env python3
"""Writes ONNX test cases for forms the ONNX backend data does not cover.

    make_reference_cases.py OUT_DIR

Each case is a folder like the backend test data (model.onnx and
test_data_set_0/{input,output}_N.pb) whose expected outputs come from the
numpy implementations below, written from the ONNX operator specification
(RNN-14, GRU-14, LSTM-14, Einsum-12, Det-11, GatherND-13, ScatterND-18,
ScatterElements-18, ReverseSequence-10), independently of Muon.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(7)


def write_case(root, name, node, inputs, outputs, opset):
    """inputs, outputs: lists of (name, array)."""
    def info(n, a):
        return helper.make_tensor_value_info(
            n, helper.np_dtype_to_tensor_dtype(a.dtype) if hasattr(
                helper, "np_dtype_to_tensor_dtype") else
            onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], list(a.shape))
    graph = helper.make_graph([node], name, [info(n, a) for n, a in inputs],
                              [info(n, a) for n, a in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="make_reference_cases")
    folder = os.path.join(root, name)
    data = os.path.join(folder, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    for prefix, tensors in (("input", inputs), ("output", outputs)):
        for i, (n, a) in enumerate(tensors):
            with open(os.path.join(data, f"{prefix}_{i}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(a, n).SerializeToString())


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


ACTIVATIONS = {"Sigmoid": sigmoid, "Tanh": np.tanh,
               "Relu": lambda x: np.maximum(x, 0)}


def recurrence(kind, X, W, R, B, lens, h0, c0, P, direction, layout, lbr,
               acts):
    """The ONNX equations, one batch entry and step at a time."""
    if layout:
        X = X.transpose(1, 0, 2)
        h0 = None if h0 is None else h0.transpose(1, 0, 2)
        c0 = None if c0 is None else c0.transpose(1, 0, 2)
    T, N, _ = X.shape
    D, H = W.shape[0], R.shape[2]
    per = {"RNN": 1, "GRU": 2, "LSTM": 3}[kind]
    Y = np.zeros((T, D, N, H), np.float32)
    Yh = np.zeros((D, N, H), np.float32)
    Yc = np.zeros((D, N, H), np.float32)
    for d in range(D):
        f, g, hf = [ACTIVATIONS[a] for a in acts[d * per:(d + 1) * per]] + \
            [None] * (3 - per)
        reverse = direction == "reverse" or d == 1
        w, r = W[d], R[d]
        wb, rb = np.split(B[d], 2) if B is not None else (0 * W[d][:, 0],) * 2
        for n in range(N):
            length = T if lens is None else int(lens[n])
            h = np.zeros(H, np.float32) if h0 is None else h0[d, n]
            c = np.zeros(H, np.float32) if c0 is None else c0[d, n]
            for t in (range(length - 1, -1, -1) if reverse else range(length)):
                x = X[t, n]
                if kind == "RNN":
                    h = f(w @ x + r @ h + wb + rb)
                elif kind == "GRU":
                    wz, wr, wh = np.split(w, 3)
                    rz, rr, rh = np.split(r, 3)
                    bz, br, bh = np.split(wb, 3)
                    cz, cr, ch = np.split(rb, 3)
                    z = f(wz @ x + rz @ h + bz + cz)
                    rt = f(wr @ x + rr @ h + br + cr)
                    if lbr:
                        hh = g(wh @ x + rt * (rh @ h + ch) + bh)
                    else:
                        hh = g(wh @ x + rh @ (rt * h) + ch + bh)
                    h = (1 - z) * hh + z * h
                else:
                    gates = w @ x + r @ h + wb + rb
                    gi, go, gf, gc = np.split(gates, 4)
                    pi, po, pf = np.split(P[d], 3) if P is not None else (0,) * 3
                    i = f(gi + pi * c)
                    ft = f(gf + pf * c)
                    c = ft * c + i * g(gc)
                    o = f(go + po * c)
                    h = o * hf(c)
                Y[t, d, n] = h
            Yh[d, n], Yc[d, n] = h, c
    if layout:
        return Y.transpose(2, 0, 1, 3), Yh.transpose(1, 0, 2), Yc.transpose(1, 0, 2)
    return Y, Yh, Yc


def recurrent_case(root, name, kind, T, N, I, H, direction="forward",
                   layout=0, lbr=0, acts=None, lens=None, states=False,
                   peepholes=False):
    gates = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind]
    D = 2 if direction == "bidirectional" else 1
    rand = lambda *s: RNG.uniform(-1, 1, s).astype(np.float32)
    X = rand(*((N, T, I) if layout else (T, N, I)))
    W, R, B = rand(D, gates * H, I), rand(D, gates * H, H), rand(D, 2 * gates * H)
    state_shape = (N, D, H) if layout else (D, N, H)
    h0 = rand(*state_shape) if states else None
    c0 = rand(*state_shape) if states and kind == "LSTM" else None
    P = rand(D, 3 * H) if peepholes else None
    defaults = {"RNN": ["Tanh"], "GRU": ["Sigmoid", "Tanh"],
                "LSTM": ["Sigmoid", "Tanh", "Tanh"]}[kind]
    Y, Yh, Yc = recurrence(kind, X, W, R, B, lens, h0, c0, P, direction,
                           layout, lbr, acts or defaults * D)
    names = ["X", "W", "R", "B", "sequence_lens", "initial_h"]
    values = [X, W, R, B, lens, h0]
    if kind == "LSTM":
        names += ["initial_c", "P"]
        values += [c0, P]
    inputs = [(n, v) for n, v in zip(names, values) if v is not None]
    node_inputs = [n if v is not None else "" for n, v in zip(names, values)]
    while node_inputs and not node_inputs[-1]:
        node_inputs.pop()
    outputs = [("Y", Y), ("Y_h", Yh)] + ([("Y_c", Yc)] if kind == "LSTM" else [])
    attrs = {"hidden_size": H, "direction": direction, "layout": layout}
    if acts:
        attrs["activations"] = acts
    if kind == "GRU":
        attrs["linear_before_reset"] = lbr
    node = helper.make_node(kind, node_inputs, [n for n, _ in outputs], **attrs)
    write_case(root, name, node, inputs, outputs, 14)


def main():
    root = sys.argv[1]
    lens = np.array([3, 1, 2], np.int32)
    recurrent_case(root, "gru_bidirectional_lbr_lens", "GRU", 3, 3, 2, 4,
                   direction="bidirectional", lbr=1, lens=lens, states=True)
    recurrent_case(root, "gru_reverse", "GRU", 4, 2, 3, 3, direction="reverse")
    recurrent_case(root, "lstm_bidirectional_lens_peepholes", "LSTM", 3, 3, 2,
                   3, direction="bidirectional", lens=lens, states=True,
                   peepholes=True)
    recurrent_case(root, "lstm_reverse_layout", "LSTM", 3, 2, 2, 3,
                   direction="reverse", layout=1, states=True)
    recurrent_case(root, "rnn_reverse_relu_layout", "RNN", 4, 2, 3, 5,
                   direction="reverse", layout=1, acts=["Relu"])
    recurrent_case(root, "rnn_bidirectional_lens", "RNN", 3, 3, 2, 4,
                   direction="bidirectional", lens=lens,
                   acts=["Tanh", "Sigmoid"])

    # Einsum: three operands, an outer product, a transposed batch contraction.
    a, b, c = (RNG.uniform(-1, 1, s).astype(np.float32)
               for s in ((2, 3), (3, 4), (4, 5)))
    write_case(root, "einsum_chain",
               helper.make_node("Einsum", ["a", "b", "c"], ["y"],
                                equation="ij,jk,kl->li"),
               [("a", a), ("b", b), ("c", c)],
               [("y", np.einsum("ij,jk,kl->li", a, b, c))], 12)
    u, v = (RNG.uniform(-1, 1, s).astype(np.float32) for s in ((3,), (4,)))
    write_case(root, "einsum_outer",
               helper.make_node("Einsum", ["u", "v"], ["y"], equation="i,j"),
               [("u", u), ("v", v)], [("y", np.einsum("i,j", u, v))], 12)
    p, q = (RNG.uniform(-1, 1, s).astype(np.float32)
            for s in ((2, 3, 4, 5), (5, 3, 2)))
    write_case(root, "einsum_batch_sum",
               helper.make_node("Einsum", ["p", "q"], ["y"],
                                equation="bkij,jkb->bi"),
               [("p", p), ("q", q)],
               [("y", np.einsum("bkij,jkb->bi", p, q))], 12)

    # Det of 3x3 and 4x4 batches, one singular (two equal rows).
    m = RNG.uniform(-2, 2, (2, 3, 4, 4)).astype(np.float32)
    m[1, 2, 3] = m[1, 2, 0]
    write_case(root, "det_batch_4x4", helper.make_node("Det", ["x"], ["y"]),
               [("x", m)], [("y", np.linalg.det(m).astype(np.float32))], 11)

    # GatherND with 2 batch dimensions; ScatterND max on integers;
    # ScatterElements mul along a negative axis.
    data = RNG.integers(-9, 9, (2, 3, 4, 5)).astype(np.int64)
    idx = RNG.integers(-4, 4, (2, 3, 6, 1)).astype(np.int64)
    gathered = np.stack([np.stack([data[i, j][idx[i, j, :, 0]] for j in range(3)])
                         for i in range(2)])
    write_case(root, "gathernd_batch_dims_2",
               helper.make_node("GatherND", ["data", "indices"], ["y"], batch_dims=2),
               [("data", data), ("indices", idx)], [("y", gathered)], 13)
    base = RNG.integers(-9, 9, (4, 3)).astype(np.int32)
    nd_idx = np.array([[1], [3], [1]], np.int64)
    upd = RNG.integers(-9, 9, (3, 3)).astype(np.int32)
    out = base.copy()
    for k in range(3):
        out[nd_idx[k, 0]] = np.maximum(out[nd_idx[k, 0]], upd[k])
    write_case(root, "scatternd_max_int32",
               helper.make_node("ScatterND", ["data", "indices", "updates"], ["y"],
                                reduction="max"),
               [("data", base), ("indices", nd_idx), ("updates", upd)],
               [("y", out)], 18)
    fdata = RNG.uniform(-1, 1, (3, 4)).astype(np.float32)
    eidx = np.array([[0, -1], [2, 2], [1, 0]], np.int64)
    eupd = RNG.uniform(-1, 1, (3, 2)).astype(np.float32)
    eout = fdata.copy()
    for i in range(3):
        for j in range(2):
            eout[i, eidx[i, j]] *= eupd[i, j]
    write_case(root, "scatter_elements_mul_negative_axis",
               helper.make_node("ScatterElements", ["data", "indices", "updates"],
                                ["y"], axis=-1, reduction="mul"),
               [("data", fdata), ("indices", eidx), ("updates", eupd)],
               [("y", eout)], 18)


if __name__ == "__main__":
    main()
