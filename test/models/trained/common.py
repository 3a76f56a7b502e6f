"""What the training scripts of test/models/trained share: seeding, the ONNX
export, the record of the float accuracy, and the committed data files."""
import json
import os
import random
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
CALIBRATION_SAMPLES = 100  # per model, drawn from the training split


def seed_everything(seed):
    """Seeds Python, numpy and torch, and makes torch single-threaded and
    deterministic, so a retrain reproduces the committed model."""
    import torch
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


def export_onnx(model, input_shape, name):
    """Writes HERE/<name>.onnx: opset 13, static batch-1 shape, input 'input',
    output 'logits'. BatchNormalization nodes are kept as they are in a model
    file exported in eval mode without folding (TrainingMode.PRESERVE of a
    model in eval mode), not folded into the convolutions."""
    import torch
    model.eval()
    path = os.path.join(HERE, name + ".onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.zeros(input_shape),), path, opset_version=13,
                          input_names=["input"], output_names=["logits"],
                          do_constant_folding=True,
                          training=torch.onnx.TrainingMode.PRESERVE)
    return path


def logits_of(model, inputs, batch=256):
    """The model's float32 logits for a numpy batch of inputs."""
    import torch
    model.eval()
    with torch.no_grad():
        return np.concatenate([model(torch.from_numpy(inputs[i:i + batch])).numpy()
                               for i in range(0, len(inputs), batch)])


def record(name, correct, total, **extra):
    """Writes HERE/<name>.json, the float accuracy the model reached on its
    test split when it was trained: the expected value of the accuracy tests."""
    entry = {"model": name + ".onnx", "test_samples": int(total),
             "test_correct": int(correct),
             "test_accuracy": round(correct / total, 6), **extra}
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(entry, f, indent=2)
        f.write("\n")
    print(f"{name}: float test accuracy {correct}/{total} = {100 * correct / total:.2f}%")


def save_split(dataset, split, inputs, labels=None):
    """Commits a small held-out split as data/<dataset>_<split>_{inputs,labels}.npy."""
    os.makedirs(DATA, exist_ok=True)
    np.save(os.path.join(DATA, f"{dataset}_{split}_inputs.npy"), inputs.astype(np.float32))
    if labels is not None:
        np.save(os.path.join(DATA, f"{dataset}_{split}_labels.npy"), labels.astype(np.int64))
