#!/usr/bin/python3
"""check_quant_report.py REPORT.json INT8.npy FLOAT.npy [--min-activations N]
                         [--min-sqnr DB]

Checks a --quant-report against the model's own outputs on the report's
samples (INT8.npy: muon-run's int8 outputs, FLOAT.npy: its float outputs,
both batched): the report's output SQNR and top-1 agreement are those of the
two arrays; every activation has a finite SQNR, listed worst first; there are
at least N of them; the output SQNR is at least DB (a loose bound: for
untrained weights it says only that quantization did not break the model).
"""
import argparse
import json
import sys

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("report")
parser.add_argument("int8")
parser.add_argument("float")
parser.add_argument("--min-activations", type=int, default=1)
parser.add_argument("--min-sqnr", type=float, default=0.0)
args = parser.parse_args()

report = json.load(open(args.report))
q = np.load(args.int8).astype(np.float64)
f = np.load(args.float).astype(np.float64)
classes = f.shape[-1]
sqnr = 10 * np.log10(np.sum(f ** 2) / np.sum((f - q) ** 2))
agreement = np.mean(f.reshape(-1, classes).argmax(1) == q.reshape(-1, classes).argmax(1))
(output,) = report["outputs"]
layers = [e["sqnr_db"] for e in report["activations"]]
print(f"{len(layers)} activations, worst {layers[0]:.1f} dB; output SQNR "
      f"report {output['sqnr_db']:.3f} dB, outputs {sqnr:.3f} dB; top-1 agreement "
      f"report {output['top1_agreement']}, outputs {agreement}")
checks = {
    "samples": report["samples"] == len(f),
    "activations": len(layers) >= args.min_activations and None not in layers,
    "worst first": layers == sorted(layers),
    "output SQNR": abs(output["sqnr_db"] - sqnr) <= 0.01,
    "top-1 agreement": output["top1_agreement"] == agreement,
    "SQNR bound": sqnr >= args.min_sqnr,
}
failed = [name for name, ok in checks.items() if not ok]
print("FAIL: " + ", ".join(failed) if failed else "PASS")
sys.exit(1 if failed else 0)
