#!/usr/bin/python3
"""Trains two classifiers of scikit-learn's 8x8 handwritten digits
(sklearn.datasets.load_digits, bundled with scikit-learn: no download) and
exports them to digits_mlp.onnx and digits_cnn.onnx.

Inputs are the raw pixel intensities, 0..16 (float32): the scaling to 0..1
used in training is folded into the first layer's weights before the export.
  digits_mlp  input float32[1][64]:      Gemm 64->128, ReLU, Gemm 128->64, ReLU, Gemm 64->10
  digits_cnn  input float32[1][1][8][8]: conv3x3 1->16, BN, ReLU;
              conv3x3 16->32, BN, ReLU, maxpool 2 (4x4);
              conv3x3 32->32, BN, ReLU, maxpool 2 (2x2); flatten, Gemm 128->10
Both output logits float32[1][10].

Split: 1797 images, stratified, seeded: 360 held out for the test
(data/digits_test_{inputs,labels}.npy), the first 100 of the 1437 training
images are the calibration set (data/digits_calibration_inputs.npy).

Result (Debian python3-torch 1.13 and python3-sklearn 1.2, one thread):
  digits_mlp  float test accuracy 97.78% (352/360)
  digits_cnn  float test accuracy 99.44% (358/360)
recorded in digits_mlp.json and digits_cnn.json; training took 10 s and 18 s
(the same .onnx and data files, bit for bit, on every run).

Retrain (overwrites the .onnx, .json and data/digits_* files):
    /usr/bin/python3 test/models/trained/train_digits.py
"""
import os
import sys
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

SEED = 1
SCALE = 1.0 / 16.0  # pixel intensities 0..16 -> 0..1


class DigitsCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def mlp():
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 10))


def train(model, x, y, epochs, lr, batch=32):
    """Adam with a cosine learning rate, on scaled inputs."""
    x, y = torch.from_numpy(x * SCALE), torch.from_numpy(y)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4)
    steps = epochs * ((len(x) + batch - 1) // batch)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x))
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            optimizer.step()
            schedule.step()
    model.eval()


def fold_input_scale(layer):
    """The model now takes raw intensities: first layer(x) = W (SCALE x) + b."""
    with torch.no_grad():
        layer.weight.mul_(SCALE)


def main():
    digits = load_digits()
    x = digits.data.astype(np.float32)  # [1797][64], 0..16
    y = digits.target.astype(np.int64)
    train_x, test_x, train_y, test_y = train_test_split(
        x, y, test_size=360, stratify=y, random_state=SEED)
    common.save_split("digits", "test", test_x, test_y)
    common.save_split("digits", "calibration", train_x[:common.CALIBRATION_SAMPLES])

    for name, build, shape, epochs, lr in (
            ("digits_mlp", mlp, (64,), 60, 2e-3),
            ("digits_cnn", DigitsCnn, (1, 8, 8), 40, 2e-3)):
        common.seed_everything(SEED)
        start = time.perf_counter()
        model = build()
        train(model, train_x.reshape(-1, *shape), train_y, epochs, lr)
        seconds = time.perf_counter() - start
        first = model[0] if isinstance(model, nn.Sequential) else model.features[0]
        fold_input_scale(first)
        common.export_onnx(model, (1, *shape), name)
        logits = common.logits_of(model, test_x.reshape(-1, *shape))
        correct = int((logits.argmax(1) == test_y).sum())
        common.record(name, correct, len(test_y), train_seconds=round(seconds, 1),
                      test_split="data/digits_test_{inputs,labels}.npy",
                      command="/usr/bin/python3 test/models/trained/train_digits.py")


if __name__ == "__main__":
    main()
