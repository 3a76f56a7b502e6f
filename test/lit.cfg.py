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

if os.path.isdir("/usr/share/libonnx-testdata/data/node"):
    config.available_features.add("onnx-testdata")
