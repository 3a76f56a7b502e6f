#!/usr/bin/python3
"""make_samples.py INPUT.npy DIR COUNT SEED [--batch FILE]: writes COUNT
samples shaped like INPUT.npy (a model's input), standard normal and seeded,
one .npy per sample into DIR (the format of --calibration and
--quant-report-inputs), and with --batch the same samples stacked."""
import argparse
import os

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("input")
parser.add_argument("dir")
parser.add_argument("count", type=int)
parser.add_argument("seed", type=int)
parser.add_argument("--batch")
args = parser.parse_args()
shape = np.load(args.input).shape
rng = np.random.default_rng(args.seed)
samples = [rng.standard_normal(shape).astype(np.float32) for _ in range(args.count)]
os.makedirs(args.dir, exist_ok=True)
for i, sample in enumerate(samples):
    np.save(os.path.join(args.dir, f"{i:03d}.npy"), sample)
if args.batch:
    np.save(args.batch, np.stack(samples))
