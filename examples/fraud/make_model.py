#!/usr/bin/python3
"""Train the fraud-scoring example models and write them as ONNX.

    /usr/bin/python3 examples/fraud/make_model.py [OUTDIR]   # default examples/fraud/build

Writes into OUTDIR:
  fraud.onnx        MLP 30 -> 64 -> 32 -> 2 (Gemm, Relu, Softmax), opset 13
  fraud_small.onnx  MLP 30 -> 16 -> 2, trained the same way: a second, different
                    model for the "two models in one program" check
  samples.h         a few held-out rows and the scores both models should give,
                    computed here with numpy in float32 (the C programs compare)

The data is a stand-in. A real fraud model scores transaction features (amount,
merchant category, time since last purchase, ...); no such data set ships with
Debian, so this uses scikit-learn's bundled Wisconsin breast cancer data
(569 rows, 30 numeric features, no download). It has the same shape as the
problem: a row of 30 raw, differently scaled numbers in, a probability of the
rare, bad class out. "Fraud" here is the malignant class.

The models take raw features: the standardization (mean/std of the training
split) is folded into the first Gemm's weights and bias, as an exporter would
after fusing a normalization layer. The Gemm nodes use transB=1 with weights
stored [out, in], as PyTorch's nn.Linear exports.

Deterministic: fixed seeds, single-threaded BLAS, numpy only for training.
"""

import os
import sys

# Before numpy loads: one BLAS thread, so results do not depend on the machine.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_breast_cancer

SEED = 20240601
NUM_SAMPLES = 8  # rows written to samples.h


def load_data(rng):
    data = load_breast_cancer()
    x = data.data.astype(np.float64)
    # sklearn's target is 0 = malignant, 1 = benign. Relabel so that class 1 is
    # the bad one: scores[1] is then the "fraud" probability.
    y = (data.target == 0).astype(np.int64)
    # Stratified 75/25 split with a fixed permutation.
    test = []
    for label in (0, 1):
        rows = rng.permutation(np.flatnonzero(y == label))
        test.extend(rows[: len(rows) // 4])
    test = np.sort(np.array(test))
    train = np.setdiff1d(np.arange(len(y)), test)
    return x[train], y[train], x[test], y[test]


def init_layers(rng, sizes):
    """He-initialised weights stored [out, in] (nn.Linear's layout), zero bias."""
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))
        layers.append([w, np.zeros(fan_out)])
    return layers


def forward(layers, x):
    """Logits and the activations each layer saw (for backprop)."""
    acts = [x]
    for i, (w, b) in enumerate(layers):
        x = x @ w.T + b
        if i + 1 < len(layers):
            x = np.maximum(x, 0.0)
        acts.append(x)
    return x, acts


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def train(rng, sizes, x, y, epochs=150, batch=32, lr=1e-3, weight_decay=1e-2):
    """Mini-batch Adam on softmax cross-entropy with L2 weight decay, in float64.

    The defaults were picked by hand (a few runs, no search): enough to clear
    0.95 held-out accuracy with both architectures."""
    layers = init_layers(rng, sizes)
    m = [[np.zeros_like(p) for p in layer] for layer in layers]
    v = [[np.zeros_like(p) for p in layer] for layer in layers]
    beta1, beta2, eps, step = 0.9, 0.999, 1e-8, 0
    onehot = np.eye(sizes[-1])[y]
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            logits, acts = forward(layers, x[idx])
            grad = (softmax(logits) - onehot[idx]) / len(idx)  # dLoss/dlogits
            step += 1
            for i in reversed(range(len(layers))):
                w, b = layers[i]
                grads = [grad.T @ acts[i] + weight_decay * w, grad.sum(axis=0)]
                if i > 0:
                    grad = (grad @ w) * (acts[i] > 0)
                for j, g in enumerate(grads):
                    m[i][j] = beta1 * m[i][j] + (1 - beta1) * g
                    v[i][j] = beta2 * v[i][j] + (1 - beta2) * g * g
                    m_hat = m[i][j] / (1 - beta1 ** step)
                    v_hat = v[i][j] / (1 - beta2 ** step)
                    layers[i][j] = layers[i][j] - lr * m_hat / (np.sqrt(v_hat) + eps)
    return layers


def fold_standardization(layers, mean, std):
    """W (x - mean) / std + b  ==  (W / std) x + (b - (W / std) mean).

    Folded in float64, then rounded once to the float32 the model stores."""
    w, b = layers[0]
    w_folded = w / std[None, :]
    b_folded = b - w_folded @ mean
    folded = [[w_folded, b_folded]] + [list(layer) for layer in layers[1:]]
    return [[p.astype(np.float32) for p in layer] for layer in folded]


def reference_scores(layers32, x):
    """The exported model's forward pass, in float32 throughout."""
    x = x.astype(np.float32)
    for i, (w, b) in enumerate(layers32):
        x = x @ w.T + b
        if i + 1 < len(layers32):
            x = np.maximum(x, np.float32(0))
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def export(layers32, path, doc):
    nodes, inits = [], []
    current = "features"
    for i, (w, b) in enumerate(layers32, start=1):
        name = f"fc{i}"
        inits.append(numpy_helper.from_array(w, f"{name}.weight"))
        inits.append(numpy_helper.from_array(b, f"{name}.bias"))
        out = f"{name}_out"
        nodes.append(helper.make_node("Gemm", [current, f"{name}.weight", f"{name}.bias"],
                                      [out], name=name, alpha=1.0, beta=1.0, transB=1))
        current = out
        if i < len(layers32):
            nodes.append(helper.make_node("Relu", [current], [f"relu{i}_out"], name=f"relu{i}"))
            current = f"relu{i}_out"
    nodes.append(helper.make_node("Softmax", [current], ["scores"], name="softmax", axis=-1))
    num_features = layers32[0][0].shape[1]
    num_classes = layers32[-1][0].shape[0]
    graph = helper.make_graph(
        nodes, os.path.splitext(os.path.basename(path))[0],
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, [1, num_features])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, num_classes])],
        initializer=inits)
    model = helper.make_model(graph, producer_name="muon-examples-fraud",
                              opset_imports=[helper.make_opsetid("", 13)], doc_string=doc)
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def c_floats(values):
    # 9 significant digits round-trip any float32 exactly.
    return ", ".join(f"{float(v):.8e}f" for v in values)


def write_samples(path, x, labels, scores_by_model):
    lines = [
        "/* samples.h — generated by make_model.py. Do not edit; rerun it. */",
        "/* Held-out rows of the breast cancer data set, standing in for transactions",
        "   (label 1 = malignant = \"fraud\"), and the scores each model gives them,",
        "   computed with numpy in float32. */",
        "#ifndef FRAUD_SAMPLES_H",
        "#define FRAUD_SAMPLES_H",
        "",
        f"#define SAMPLE_COUNT {len(x)}",
        f"#define SAMPLE_FEATURES {x.shape[1]}",
        f"#define SAMPLE_CLASSES {next(iter(scores_by_model.values())).shape[1]}",
        "#define SAMPLE_FRAUD_CLASS 1",
        "",
        "static const float sample_features[SAMPLE_COUNT][SAMPLE_FEATURES] = {",
    ]
    lines += [f"  {{{c_floats(row)}}}," for row in x]
    lines += ["};", "",
              "static const int sample_labels[SAMPLE_COUNT] = {"
              + ", ".join(str(int(l)) for l in labels) + "};"]
    for name, scores in scores_by_model.items():
        lines += ["", f"static const float sample_{name}_scores[SAMPLE_COUNT][SAMPLE_CLASSES] = {{"]
        lines += [f"  {{{c_floats(row)}}}," for row in scores]
        lines += ["};"]
    lines += ["", "#endif", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "build")
    os.makedirs(outdir, exist_ok=True)
    started = time.perf_counter()

    rng = np.random.default_rng(SEED)
    x_train, y_train, x_test, y_test = load_data(rng)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    x_train_std = (x_train - mean) / std

    doc = ("Fraud-scoring-style MLP, a Muon example. Trained on the breast cancer data "
           "set as a stand-in for transaction features; input: 30 raw features, "
           "output: softmax scores, class 1 = malignant (the 'fraud' class).")
    samples = np.concatenate([np.flatnonzero(y_test == 1)[:NUM_SAMPLES // 2],
                              np.flatnonzero(y_test == 0)[:NUM_SAMPLES - NUM_SAMPLES // 2]])
    samples = np.sort(samples)
    x_samples = x_test[samples].astype(np.float32)

    scores_by_model = {}
    for name, sizes in (("fraud", [30, 64, 32, 2]), ("fraud_small", [30, 16, 2])):
        layers = train(rng, sizes, x_train_std, y_train)
        layers32 = fold_standardization(layers, mean, std)
        # Accuracy of the exported float32 model on raw held-out features, so a
        # mistake in the folding would show here.
        predicted = reference_scores(layers32, x_test).argmax(axis=1)
        accuracy = float((predicted == y_test).mean())
        path = os.path.join(outdir, f"{name}.onnx")
        export(layers32, path, doc)
        scores_by_model[name] = reference_scores(layers32, x_samples)
        shape = " -> ".join(map(str, sizes))
        print(f"{path}: {shape}, held-out accuracy {accuracy:.4f} "
              f"({len(y_test)} rows, trained on {len(y_train)})")
        if accuracy < 0.95:
            sys.exit(f"error: {name} reaches only {accuracy:.4f} held-out accuracy")

    samples_path = os.path.join(outdir, "samples.h")
    write_samples(samples_path, x_samples, y_test[samples], scores_by_model)
    print(f"{samples_path}: {len(samples)} held-out rows with expected scores "
          f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
