#!/usr/bin/python3
"""Trains shapes_resnet: a small ResNet on the synthetic 32x32 RGB shapes task
(synthetic_shapes.py, ten classes), and exports it to shapes_resnet.onnx.

Architecture (11 convolutions, every one followed by BatchNormalization):
  stem     conv3x3 3->16, BN, ReLU                                   32x32
  stage 1  basic block 16->16 stride 2 (1x1 conv + BN shortcut),
           basic block 16->16                                        16x16
  stage 2  basic block 16->32 stride 2 (1x1 conv + BN shortcut),
           basic block 32->32                                         8x8
  head     global average pool, Gemm 32->10 (logits)
A basic block is conv3x3-BN-ReLU-conv3x3-BN, plus the shortcut, then ReLU
(He et al., 2016): 8 residual convolutions, 2 projection shortcuts, 4 Adds.

Training: TRAIN_SAMPLES fresh samples of the training split per epoch (the
generator is cheap, so every epoch sees new images), SGD with momentum and
Nesterov, one-cycle learning rate, batch 64, seeded, one CPU thread.

Result (Debian python3-torch 1.13, one thread): float test accuracy
95.90% (959/1000) on test samples 0..999, recorded in shapes_resnet.json;
training took 172 s to 258 s on one core shared with other work (300 000
images seen, 30 epochs of 10 000); a retrain writes the same shapes_resnet.onnx,
bit for bit.

Retrain (overwrites shapes_resnet.onnx and shapes_resnet.json):
    /usr/bin/python3 test/models/trained/train_shapes_resnet.py
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import synthetic_shapes  # noqa: E402

SEED = 3
TEST_SAMPLES = 1000
TRAIN_SAMPLES = 10000  # per epoch, fresh each epoch
EPOCHS = 30
BATCH = 64


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.shortcut = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class ShapesResNet(nn.Module):
    def __init__(self, classes=len(synthetic_shapes.CLASSES)):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(16), nn.ReLU())
        self.stage1 = nn.Sequential(BasicBlock(16, 16, 2), BasicBlock(16, 16, 1))
        self.stage2 = nn.Sequential(BasicBlock(16, 32, 2), BasicBlock(32, 32, 1))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        x = self.stage2(self.stage1(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--train-samples", type=int, default=TRAIN_SAMPLES)
    args = parser.parse_args()
    common.seed_everything(SEED)
    start = time.perf_counter()
    test_x, test_y = synthetic_shapes.split("test", TEST_SAMPLES)
    model = ShapesResNet()
    steps = args.epochs * (args.train_samples // BATCH)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True,
                                weight_decay=5e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        # Training split samples epoch*N .. (epoch+1)*N-1: new images every epoch.
        x, y = synthetic_shapes.split("train", args.train_samples,
                                      start=epoch * args.train_samples)
        order = torch.randperm(len(x))
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        model.train()
        total = 0.0
        for i in range(0, len(order) - BATCH + 1, BATCH):
            idx = order[i:i + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item()
        correct = int((common.logits_of(model, test_x).argmax(1) == test_y).sum())
        print(f"epoch {epoch + 1}: loss {total / (len(order) // BATCH):.4f}, "
              f"test {correct}/{len(test_y)}, {time.perf_counter() - start:.0f} s", flush=True)
    seconds = time.perf_counter() - start
    model.eval()
    common.export_onnx(model, (1, 3, 32, 32), "shapes_resnet")
    correct = int((common.logits_of(model, test_x).argmax(1) == test_y).sum())
    common.record("shapes_resnet", correct, len(test_y), train_seconds=round(seconds),
                  test_split="synthetic_shapes test samples 0..999",
                  command="/usr/bin/python3 test/models/trained/train_shapes_resnet.py")


if __name__ == "__main__":
    main()
