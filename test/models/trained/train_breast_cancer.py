#!/usr/bin/python3
"""Trains breast_cancer_mlp, a classifier of scikit-learn's Wisconsin breast
cancer data (sklearn.datasets.load_breast_cancer, 30 features, 2 classes;
bundled with scikit-learn: no download), and exports it to
breast_cancer_mlp.onnx.

The model takes the raw features, float32[1][30], whose scales differ by five
orders of magnitude (areas near 1000, fractal dimensions near 0.06). The
standardisation fitted on the training split is an explicit part of the graph,
Sub(mean) then Div(std), as a scikit-learn StandardScaler in front of the
network would be, rather than folded into the first Gemm: a quantizer then
sees well-scaled activations after the Div, whatever it does with the raw
input. Then Gemm 30->32, ReLU, Gemm 32->16, ReLU, Gemm 16->2 (logits).

Split: 569 samples, stratified, seeded: 114 held out for the test
(data/breast_cancer_test_{inputs,labels}.npy), the first 100 of the 455
training samples are the calibration set
(data/breast_cancer_calibration_inputs.npy).

Result (Debian python3-torch 1.13 and python3-sklearn 1.2, one thread):
float test accuracy 98.25% (112/114), recorded in breast_cancer_mlp.json;
training took 3 s (the same .onnx and data files, bit for bit, on every run).

Retrain (overwrites the .onnx, .json and data/breast_cancer_* files):
    /usr/bin/python3 test/models/trained/train_breast_cancer.py
"""
import os
import sys
import time

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

SEED = 2


class Standardize(nn.Module):
    """(x - mean) / std, exported as ONNX Sub and Div with constant operands."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.from_numpy(mean).reshape(1, -1))
        self.register_buffer("std", torch.from_numpy(std).reshape(1, -1))

    def forward(self, x):
        return (x - self.mean) / self.std


def main():
    data = load_breast_cancer()
    x = data.data.astype(np.float32)  # [569][30]
    y = data.target.astype(np.int64)
    train_x, test_x, train_y, test_y = train_test_split(
        x, y, test_size=114, stratify=y, random_state=SEED)
    common.save_split("breast_cancer", "test", test_x, test_y)
    common.save_split("breast_cancer", "calibration", train_x[:common.CALIBRATION_SAMPLES])

    common.seed_everything(SEED)
    start = time.perf_counter()
    mean = train_x.mean(axis=0)
    std = train_x.std(axis=0)
    model = nn.Sequential(Standardize(mean, std),
                          nn.Linear(30, 32), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 2))
    tx, ty = torch.from_numpy(train_x), torch.from_numpy(train_y)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    batch = 32
    for _ in range(100):
        model.train()
        order = torch.randperm(len(tx))
        for i in range(0, len(tx), batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss_fn(model(tx[idx]), ty[idx]).backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    model.eval()
    common.export_onnx(model, (1, 30), "breast_cancer_mlp")
    correct = int((common.logits_of(model, test_x).argmax(1) == test_y).sum())
    common.record("breast_cancer_mlp", correct, len(test_y), train_seconds=round(seconds, 1),
                  test_split="data/breast_cancer_test_{inputs,labels}.npy",
                  command="/usr/bin/python3 test/models/trained/train_breast_cancer.py")


if __name__ == "__main__":
    main()
