# Lit configuration for Muon's tests: FileCheck tests of the tools and passes,
# and end-to-end tests that compile a model, link it into a C program and
# compare its outputs with an independent reference.
import os
import shutil

import lit.formats

config.name = "Muon"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test", ".onnxtxt"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.muon_obj_root, "test")

config.environment["PATH"] = os.pathsep.join(
    [config.muon_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")]
)
# Debian's numpy and onnx import only under /usr/bin/python3.
config.substitutions.append(("%{python}", "/usr/bin/python3"))
config.substitutions.append(("%{cc}", os.environ.get("CC", "cc")))
config.substitutions.append(("%{testdata}", "/usr/share/libonnx-testdata/data"))
config.substitutions.append(("%{muon_src}", config.muon_src_root))
config.substitutions.append(("%{tools}", config.muon_tools_dir))
config.substitutions.append(("%{muon_obj}", config.muon_obj_root))

if os.path.isdir("/usr/share/libonnx-testdata/data/node"):
    config.available_features.add("onnx-testdata")

# Real-architecture model tests (test/models) export PyTorch models and use
# ONNX Runtime (onnxruntime-node, installed by `npm ci` in the repository root;
# `./muon deps` does it) as the reference.
import subprocess

if subprocess.call(
    ["/usr/bin/python3", "-c",
     "import importlib.util as u, sys; "
     "sys.exit(not (u.find_spec('torch') and u.find_spec('torchvision')))"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0:
    config.available_features.add("torch")
node = shutil.which("node")
if node and os.path.isfile(os.path.join(
        config.muon_src_root, "node_modules", "onnxruntime-node", "package.json")):
    config.available_features.add("onnxruntime")
    config.substitutions.append(
        ("%{ort_run}", f"{node} {config.muon_src_root}/test/models/ort_run.mjs"))

# The int8 accuracy tests of the trained models (test/models/trained/*-int8.test)
# run once muon-run can quantize a float model after calibration.
try:
    muon_run_help = subprocess.run(
        [os.path.join(config.muon_tools_dir, "muon-run"), "--help"],
        capture_output=True, text=True, timeout=30).stdout
except (OSError, subprocess.SubprocessError):
    muon_run_help = ""
if "--quantize=" in muon_run_help and "--calibration=" in muon_run_help:
    config.available_features.add("muon-int8")
