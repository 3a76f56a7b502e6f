"""Writes the rows of the data examples/fraud trains on (sklearn's breast
cancer features, raw) as calibration samples for fraud.onnx: one .npy file
per row, shape [1, 30], float32. argv: output folder, first row, count."""
import os
import sys

import numpy as np
from sklearn.datasets import load_breast_cancer

out, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
rows = load_breast_cancer().data.astype(np.float32)[first:first + count]
for i, row in enumerate(rows):
    np.save(os.path.join(out, f"{i:03d}.npy"), row.reshape(1, 30))
