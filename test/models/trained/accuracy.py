#!/usr/bin/python3
"""Top-1 accuracy of a classifier's outputs.

    accuracy.py OUTPUTS LABELS [--record MODEL.json] [--within PP]

OUTPUTS is either one stacked .npy file, logits[N][1][classes] (or [N][classes])
as muon-run and ort_run.mjs write for a batch input, or a directory of one .npy
per sample, logits[1][classes], read in file-name order. LABELS is labels.npy,
int64[N], or a test directory that holds one (see make_data.py).

Prints "top-1 accuracy: C/N = P%". With --record, also compares with the float
accuracy recorded when the model was trained (MODEL.json, written by its
training script): without --within, the number of correct samples must be
equal; with --within PP, the accuracy may be at most PP percentage points below
it (for a quantized model). Exits non-zero when the check fails.
"""
import argparse
import json
import os
import sys

import numpy as np


def load_outputs(path):
    if os.path.isdir(path):
        files = sorted(f for f in os.listdir(path) if f.endswith(".npy") and f != "labels.npy")
        if not files:
            sys.exit(f"error: {path}: no .npy files")
        return np.stack([np.load(os.path.join(path, f)).reshape(-1) for f in files])
    outputs = np.load(path)
    return outputs.reshape(outputs.shape[0], -1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outputs")
    parser.add_argument("labels")
    parser.add_argument("--record", help="the model's training record, MODEL.json")
    parser.add_argument("--within", type=float, default=None,
                        help="allowed drop below the recorded accuracy, in percentage points")
    args = parser.parse_args()
    labels_path = args.labels
    if os.path.isdir(labels_path):
        labels_path = os.path.join(labels_path, "labels.npy")
    labels = np.load(labels_path).reshape(-1)
    outputs = load_outputs(args.outputs)
    if len(outputs) != len(labels):
        sys.exit(f"error: {len(outputs)} outputs but {len(labels)} labels")
    if not np.all(np.isfinite(outputs)):
        sys.exit("error: the outputs are not all finite")
    correct, total = int((outputs.argmax(axis=1) == labels).sum()), len(labels)
    print(f"top-1 accuracy: {correct}/{total} = {100 * correct / total:.2f}%")
    if not args.record:
        return 0
    with open(args.record) as f:
        record = json.load(f)
    expected, samples = record["test_correct"], record["test_samples"]
    if samples != total:
        sys.exit(f"error: the record is for {samples} test samples, got {total}")
    if args.within is None:
        ok = correct == expected
        what = "equal to"
    else:
        ok = 100 * (expected - correct) / total <= args.within
        unit = "percentage point" if args.within == 1 else "percentage points"
        what = f"within {args.within:g} {unit} of"
    print(f"{'ok' if ok else 'FAIL'}: {what} the float accuracy recorded at training, "
          f"{expected}/{samples} = {100 * expected / samples:.2f}%")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
