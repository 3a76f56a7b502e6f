# Lit configuration for Muon's tests: FileCheck tests of the tools and passes,
# and end-to-end tests that compile a model, link it into a C program and
# compare its outputs with an independent reference.
import os
import re
import shutil
import subprocess

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
# muonc's compile cache (docs/cli.md): the tests' own folder, never the
# user's. Its keys hash the muonc executable, so a rebuilt muonc compiles
# afresh.
config.environment["MUON_CACHE_DIR"] = os.path.join(config.test_exec_root, "compile-cache")
# Debian's numpy and onnx import only under /usr/bin/python3.
config.substitutions.append(("%{python}", "/usr/bin/python3"))
config.substitutions.append(("%{cc}", os.environ.get("CC", "cc")))
config.substitutions.append(("%{testdata}", "/usr/share/libonnx-testdata/data"))
config.substitutions.append(("%{muon_src}", config.muon_src_root))
config.substitutions.append(("%{tools}", config.muon_tools_dir))
config.substitutions.append(("%{muon_obj}", config.muon_obj_root))
# The NPU runtime's C sources, for tests that build it with other flags.
config.substitutions.append((
    "%{npu_runtime_sources}",
    " ".join(os.path.join(config.muon_src_root, "runtime", "npu", name)
             for name in ("npu_load.c", "npu_validate.c", "npu_run.c",
                          "npu_disassemble.c"))))

# MUON_TEST_AVX2_ONLY=1 runs every test as an x86 machine with AVX2 but no
# AVX-512 (a Zen 3 server, say) would, on any x86-64 machine: each compile
# for the host targets x86-64-v3 (MUON_HOST_CPU, docs/cli.md), and ONNX
# Runtime runs under qemu-x86_64 -cpu max, whose emulated CPU has AVX2 and
# no AVX-512, so that it picks the kernels it picks there. CI runs the suite
# both ways.
avx2_only = os.environ.get("MUON_TEST_AVX2_ONLY") == "1"
if avx2_only:
    config.environment["MUON_HOST_CPU"] = "x86-64-v3"
    if not shutil.which("qemu-x86_64"):
        lit_config.fatal("MUON_TEST_AVX2_ONLY needs qemu-x86_64 (Debian's qemu-user) "
                         "to run ONNX Runtime as on an AVX2-only CPU")
    lit_config.note("as on an AVX2-only CPU: compiling for x86-64-v3, "
                    "ONNX Runtime under qemu-x86_64 -cpu max")

# Every model that muon-run links in the tests is checked against the
# functions docs/abi.md allows (the first column of its table headed
# "functions"): CC is test/abi-checked-cc, which runs nm -u on the object
# before it links with the real C compiler.
with open(os.path.join(config.muon_src_root, "docs", "abi.md")) as abi_doc:
    abi_rows = re.search(r"^\| functions \|.*?\n((?:\|.*\n)+)", abi_doc.read(), re.M)
abi_symbols = re.findall(r"`(\w+)`", "".join(
    row.split("|")[1] for row in abi_rows.group(1).splitlines()[1:])) if abi_rows else []
if not abi_symbols:
    lit_config.fatal("docs/abi.md has no table of the functions an object may reference")
config.environment["MUON_ABI_SYMBOLS"] = " ".join(abi_symbols)
config.environment["MUON_REAL_CC"] = os.environ.get("CC", "cc")
config.environment["CC"] = os.path.join(config.muon_src_root, "test", "abi-checked-cc")

# Every test runs on every machine: a missing dependency stops the run with
# what to install, never turns tests UNSUPPORTED. `./muon deps` installs them
# all: ONNX's backend test data (Debian's libonnx-testdata), PyTorch for the
# model exports of test/models (python3-torch, python3-torchvision), and ONNX
# Runtime, the reference (onnxruntime-node, `npm ci` in the repository root).
missing = []
if not os.path.isdir("/usr/share/libonnx-testdata/data/node"):
    missing.append("ONNX's backend test data (/usr/share/libonnx-testdata: "
                   "Debian's libonnx-testdata)")
if subprocess.call(
    ["/usr/bin/python3", "-c",
     "import importlib.util as u, sys; "
     "sys.exit(not (u.find_spec('torch') and u.find_spec('torchvision')))"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) != 0:
    missing.append("PyTorch for /usr/bin/python3 (Debian's python3-torch and "
                   "python3-torchvision)")
node = shutil.which("node")
if not node or not os.path.isfile(os.path.join(
        config.muon_src_root, "node_modules", "onnxruntime-node", "package.json")):
    missing.append("ONNX Runtime for Node (node, and `npm ci` in the "
                   "repository root)")
if missing:
    lit_config.fatal("the tests need " + "; ".join(missing) +
                     ". `./muon deps` installs them all")
emulator = "qemu-x86_64 -cpu max " if avx2_only else ""
config.substitutions.append(
    ("%{ort_run}", f"{emulator}{node} {config.muon_src_root}/test/models/ort_run.mjs"))
