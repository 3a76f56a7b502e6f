#!/usr/bin/python3
"""run_samples.py MUON_NPU_RUN MODEL.npub SAMPLE_DIR OUT.npy [--int8-output]

Runs a compiled model on muon-npu-run once per sample of a sample directory
(test/models/trained/make_data.py: DIR/000.npy, DIR/001.npy, ...; labels.npy
is skipped) and writes the outputs stacked, [N, ...] in sample order: the
form muon-run writes for a batch, so the two can be compared element by
element."""
import os
import subprocess
import sys
import tempfile

import numpy as np


def main():
    args = [a for a in sys.argv[1:] if a != "--int8-output"]
    int8 = "--int8-output" in sys.argv[1:]
    if len(args) != 4:
        sys.exit(__doc__)
    tool, model, samples, out = args
    names = sorted(n for n in os.listdir(samples)
                   if n.endswith(".npy") and n != "labels.npy")
    outputs = []
    with tempfile.TemporaryDirectory() as tmp:
        y = os.path.join(tmp, "y.npy")
        for name in names:
            command = [tool, model, "--input", os.path.join(samples, name), "--output", y]
            if int8:
                command.append("--int8-output")
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            outputs.append(np.load(y))
    np.save(out, np.stack(outputs))
    print(f"{len(outputs)} samples")


if __name__ == "__main__":
    main()
