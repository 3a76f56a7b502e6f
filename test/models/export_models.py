#!/usr/bin/python3
"""Exports real-architecture PyTorch models to ONNX, with a seeded random input.

    export_models.py OUTDIR MODEL [MODEL...] [--opset 13 17]
    export_models.py --list

For each MODEL and opset writes OUTDIR/MODEL-opsetN.onnx and
OUTDIR/MODEL-opsetN.input.npy (the model's single input). Static shapes, batch 1.

Reproducible and offline: every model is built under torch.manual_seed (one
seed per model, independent of which others are exported), torchvision models
with weights=None (no download). Untrained weights would hide bugs that a real
checkpoint shows, so they are perturbed on purpose:
  - BatchNorm: running statistics are measured on a seeded random batch (so
    activations stay well scaled through deep networks) and the affine
    weight/bias are re-drawn, so mean, var, scale and bias all differ from the
    0/1 defaults that a fold-batchnorm bug could get away with;
  - the transformer: every weight and bias of every layer is re-drawn (PyTorch
    initialises biases to zero and LayerNorm to 1/0, and nn.TransformerEncoder
    deep-copies one layer, which the exporter would deduplicate).

Needs Debian's python3-torch and python3-torchvision (run with /usr/bin/python3).
"""
import argparse
import os
import sys
import time
import warnings

import numpy as np
import torch
from torch import nn

OPSETS = (13, 17)  # torch 1.13's exporter supports opset 7..17


def randomize_batchnorm(model, example, generator):
    """Running statistics from a random batch, then random affine parameters."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average over the calibration batch
    model.train()
    with torch.no_grad():
        model(example)
        for bn in bns:
            c = bn.num_features
            bn.weight.copy_(torch.empty(c).uniform_(0.5, 1.5, generator=generator))
            bn.bias.copy_(torch.empty(c).normal_(0.0, 0.2, generator=generator))
            bn.running_var.mul_(torch.empty(c).uniform_(0.8, 1.25, generator=generator))
            bn.momentum = 0.1
    model.eval()


def torchvision_model(name):
    import torchvision

    def build(generator):
        model = getattr(torchvision.models, name)(weights=None)
        calib = torch.empty(4, 3, 224, 224).normal_(generator=generator)
        randomize_batchnorm(model, calib, generator)
        return model

    return build


class MnistCnn(nn.Module):
    """LeNet-style: two conv/bn/relu/maxpool blocks, two fully connected layers."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 5, padding=2), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 5 * 5, 128), nn.ReLU(), nn.Dropout(0.25),
            nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def mnist_cnn(generator):
    model = MnistCnn()
    randomize_batchnorm(model, torch.empty(16, 1, 28, 28).normal_(generator=generator), generator)
    return model


class TabularMlp(nn.Module):
    """Tabular classifier: 24 features -> 128 -> BatchNorm1d -> 64 -> 3 classes, softmax."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(24, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 3), nn.Softmax(dim=1))

    def forward(self, x):
        return self.net(x)


def tabular_mlp(generator):
    model = TabularMlp()
    randomize_batchnorm(model, torch.empty(64, 24).normal_(generator=generator), generator)
    return model


VOCAB, SEQ, D_MODEL, HEADS, FFN, LAYERS, CLASSES = 1000, 16, 64, 4, 128, 2, 2


class BertEncoder(nn.Module):
    """BERT-style: token + learned position embeddings, LayerNorm, 2 post-norm
    encoder layers (GELU), mean pooling, a linear classifier."""

    def __init__(self):
        super().__init__()
        self.tokens = nn.Embedding(VOCAB, D_MODEL)
        self.positions = nn.Parameter(torch.zeros(1, SEQ, D_MODEL))
        self.norm = nn.LayerNorm(D_MODEL)
        layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, FFN, dropout=0.1,
                                           activation="gelu", batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, LAYERS, enable_nested_tensor=False)
        self.classifier = nn.Linear(D_MODEL, CLASSES)

    def forward(self, ids):
        x = self.norm(self.tokens(ids) + self.positions)
        return self.classifier(self.encoder(x).mean(dim=1))


def bert_encoder(generator):
    model = BertEncoder()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.normal_(0.0, 0.1, generator=generator)
            elif "norm" in name:  # LayerNorm weights
                p.uniform_(0.5, 1.5, generator=generator)
            elif p.dim() >= 2 and name != "positions" and not name.startswith("tokens"):
                bound = 1.0 / np.sqrt(p.shape[-1])  # keeps activations O(1)
                p.uniform_(-bound, bound, generator=generator)
            else:  # embeddings
                p.normal_(0.0, 1.0, generator=generator)
    return model


def random_image(shape):
    return lambda g: torch.empty(shape).normal_(generator=g)


# name: (builder, input name, input maker, seed)
MODELS = {
    "resnet18": (torchvision_model("resnet18"), "input", random_image((1, 3, 224, 224)), 1),
    "mobilenet_v2": (torchvision_model("mobilenet_v2"), "input", random_image((1, 3, 224, 224)), 2),
    "squeezenet1_1": (torchvision_model("squeezenet1_1"), "input", random_image((1, 3, 224, 224)), 3),
    "mnist_cnn": (mnist_cnn, "input", random_image((1, 1, 28, 28)), 4),
    "tabular_mlp": (tabular_mlp, "input", random_image((1, 24)), 5),
    "bert_encoder": (bert_encoder, "input_ids",
                     lambda g: torch.randint(0, VOCAB, (1, SEQ), generator=g), 6),
}


def export(name, opset, outdir):
    build, input_name, make_input, seed = MODELS[name]
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = build(generator).eval()
    example = make_input(generator)
    stem = os.path.join(outdir, f"{name}-opset{opset}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python control flow
        torch.onnx.export(model, (example,), stem + ".onnx", opset_version=opset,
                          input_names=[input_name], output_names=["logits"],
                          do_constant_folding=True,
                          # PRESERVE (of a model in eval mode) exports inference
                          # BatchNormalization nodes as a real model file has them;
                          # EVAL would fold them into the convolutions here.
                          training=torch.onnx.TrainingMode.PRESERVE)
    np.save(stem + ".input.npy", example.numpy())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", nargs="?")
    parser.add_argument("models", nargs="*")
    parser.add_argument("--opset", type=int, nargs="+", default=list(OPSETS))
    parser.add_argument("--list", action="store_true", help="print the model names")
    parser.add_argument("--time", action="store_true", help="print the time per export")
    args = parser.parse_args()
    if args.list:
        print("\n".join(MODELS))
        return
    if not args.outdir or not args.models:
        parser.error("OUTDIR and at least one MODEL are required")
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(MODELS)}")
    torch.set_num_threads(1)
    os.makedirs(args.outdir, exist_ok=True)
    for name in args.models:
        for opset in args.opset:
            start = time.perf_counter()
            export(name, opset, args.outdir)
            if args.time:
                print(f"{name} opset {opset}: exported in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
