#!/usr/bin/python3
"""Muon against ONNX Runtime on the models of test/models, on one CPU core.

    /usr/bin/python3 bench/bench.py [--build-dir build] [--models NAME...]
                                    [--opset 13] [--runs 100] [--warmup 10] [--rounds 3]
                                    [--int8]

For every model: exports it (test/models/export_models.py), compiles it with
build/tools/muonc and links the object into bench/harness.c; then, in rounds,
alternates Muon's harness and ONNX Runtime (test/models/ort_run.mjs: one
thread, graphOptimizationLevel 'all', the binding's synchronous native run with
pre-allocated outputs), each timing RUNS single calls after WARMUP untimed
ones. Reports the minimum over all rounds and the median of the per-round
medians, Muon/ORT (median; below 1 means Muon is faster), and GFLOP/s, where
FLOPs = 2 x the multiply-accumulates of Conv, Gemm and MatMul in the ONNX graph.

A one-Relu model ("relu", float[1][64]) measures the fixed cost of one call:
for ORT the binding's floor (argument conversion, session run, output
handling), for Muon a function call. Six single-Conv models (ResNet-18's 7x7
stride-2 stem and 3x3 convs of its first, third and fourth stages, a 1x1 and a
depthwise 3x3 conv as in MobileNetV2)
show where the whole-model differences come from.

With --int8 every model is also quantized by Muon (--quantize=int8, calibrated
on 8 seeded random inputs) and timed as Muon's int8 code, and the same
quantized model written as QDQ ONNX (--emit=onnx-qdq) is timed in ONNX Runtime
(which runs QDQ models on its own int8 kernels); a second table compares the
four.

Work files go to BUILD_DIR/bench (recreated every run). Needs the build
(muonc), node with `npm ci` done in the repository root, python3-torch and
python3-torchvision, and a C compiler ($CC, default cc).
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnx.numpy_helper
from onnx import TensorProto, helper, shape_inference

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS_DIR = os.path.join(ROOT, "test", "models")
sys.path.insert(0, MODELS_DIR)

# Single-layer models, to explain the whole-model numbers: (input shape
# [1, C, H, W], output channels, kernel, stride, group).
LAYERS = {
    "conv7x7s2": ((1, 3, 224, 224), 64, 7, 2, 1),      # ResNet-18 stem
    "conv3x3": ((1, 64, 56, 56), 64, 3, 1, 1),         # ResNet-18 layer1 (56x56)
    "conv3x3_14": ((1, 256, 14, 14), 256, 3, 1, 1),    # ResNet-18 layer3 (14x14)
    "conv3x3_7": ((1, 512, 7, 7), 512, 3, 1, 1),       # ResNet-18 layer4 (7x7)
    "conv1x1": ((1, 24, 56, 56), 144, 1, 1, 1),        # MobileNetV2 expansion
    "depthwise3x3": ((1, 144, 56, 56), 144, 3, 1, 144),  # MobileNetV2 depthwise
}
DEFAULT_MODELS = ["relu"] + list(LAYERS) + ["tabular_mlp", "mnist_cnn",
                  "squeezenet1_1", "mobilenet_v2", "resnet18", "bert_encoder"]


def log(message):
    print(message, file=sys.stderr, flush=True)


# ---- models ----

def export(name, opset, work):
    """Writes WORK/NAME.onnx and WORK/NAME.input.npy; returns their paths."""
    onnx_path = os.path.join(work, f"{name}.onnx")
    input_path = os.path.join(work, f"{name}.input.npy")
    if name == "relu":
        x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 64])
        y = helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 64])
        graph = helper.make_graph([helper.make_node("Relu", ["input"], ["logits"])],
                                  "relu", [x], [y])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        onnx.save(model, onnx_path)
        np.save(input_path, np.random.default_rng(0).standard_normal((1, 64), np.float32))
    elif name in LAYERS:
        (n, c, h, w), m, k, stride, group = LAYERS[name]
        rng = np.random.default_rng(1)
        weight = rng.standard_normal((m, c // group, k, k), np.float32) * 0.1
        bias = rng.standard_normal(m, np.float32) * 0.1
        x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [n, c, h, w])
        y = helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                          [n, m, h // stride, w // stride])
        conv = helper.make_node("Conv", ["input", "weight", "bias"], ["logits"],
                                kernel_shape=[k, k], pads=[k // 2] * 4,
                                strides=[stride, stride], group=group)
        graph = helper.make_graph([conv], name, [x], [y], initializer=[
            onnx.numpy_helper.from_array(weight, "weight"),
            onnx.numpy_helper.from_array(bias, "bias")])
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]),
                  onnx_path)
        np.save(input_path, rng.standard_normal((n, c, h, w), np.float32))
    else:
        subprocess.run([sys.executable, os.path.join(MODELS_DIR, "export_models.py"), work,
                        name, "--opset", str(opset)], check=True)
        os.replace(os.path.join(work, f"{name}-opset{opset}.onnx"), onnx_path)
        os.replace(os.path.join(work, f"{name}-opset{opset}.input.npy"), input_path)
    return onnx_path, input_path


def count_flops(onnx_path):
    """2 x multiply-accumulates of Conv, Gemm and MatMul, from inferred shapes."""
    model = shape_inference.infer_shapes(onnx.load(onnx_path))
    g = model.graph
    shapes = {t.name: list(t.dims) for t in g.initializer}
    for v in list(g.value_info) + list(g.input) + list(g.output):
        dims = v.type.tensor_type.shape.dim
        shapes[v.name] = [d.dim_value if d.HasField("dim_value") else None for d in dims]
    macs = 0
    for node in g.node:
        try:
            out = shapes[node.output[0]]
            if node.op_type == "Conv":
                w = shapes[node.input[1]]  # [M, C/group, k...]
                macs += int(np.prod(out)) * int(np.prod(w[1:]))
            elif node.op_type == "Gemm":
                a = shapes[node.input[0]]
                trans_a = any(at.name == "transA" and at.i for at in node.attribute)
                macs += int(np.prod(out)) * (a[0] if trans_a else a[1])
            elif node.op_type == "MatMul":
                macs += int(np.prod(out)) * shapes[node.input[0]][-1]
        except (KeyError, TypeError, IndexError):
            log(f"warning: no static shapes for {node.op_type} node '{node.name}'; not counted")
    return 2 * macs


# ---- Muon ----

def header_interface(header_path):
    """(name, [(c type, elements macro, is output)], workspace macros) from muonc's header."""
    text = open(header_path).read()
    proto = re.search(r"^int (\w+)_run\((.*)\);$", text, re.M)
    if not proto:
        raise RuntimeError(f"{header_path}: no <name>_run prototype")
    name, params = proto.group(1), [p.strip() for p in proto.group(2).split(",")]
    buffers = []
    for p in params[:-1]:  # the last parameter is the workspace
        m = re.fullmatch(r"(const )?([\w ]+?) \*(\w+)", p)
        if not m:
            raise RuntimeError(f"{header_path}: cannot parse parameter '{p}'")
        buffers.append((m.group(2), f"{name.upper()}_{m.group(3).upper()}_ELEMENTS",
                        m.group(1) is None))
    return name, buffers


def write_call_header(path, name, buffers):
    inputs = [b for b in buffers if not b[2]]
    outputs = [b for b in buffers if b[2]]
    def sizes(bs):
        return ", ".join(f"sizeof({t}) * {macro}" for t, macro, _ in bs) or "0"
    args = [f"in[{i}]" for i in range(len(inputs))] + [f"out[{i}]" for i in range(len(outputs))]
    with open(path, "w") as f:
        f.write(f"/* Written by bench.py for {name}_run. */\n#include \"model.h\"\n"
                f"#define MODEL_INPUTS {len(inputs)}\n#define MODEL_OUTPUTS {len(outputs)}\n"
                f"#define MODEL_WORKSPACE_BYTES {name.upper()}_WORKSPACE_SIZE\n"
                f"#define MODEL_WORKSPACE_ALIGNMENT {name.upper()}_WORKSPACE_ALIGN\n"
                f"static const size_t model_input_bytes[] = {{{sizes(inputs)}}};\n"
                f"static const size_t model_output_bytes[] = {{{sizes(outputs)}}};\n"
                f"static int model_call(void **in, void **out, void *workspace) {{\n"
                f"  return {name}_run({', '.join(args + ['workspace'])});\n}}\n")


def summarize_error(stderr, status):
    """muonc's error in one line; an unsupported-operator list as counts per op."""
    lines = stderr.strip().splitlines()
    ops = {}
    for line in lines:
        m = re.match(r"\s+(\w+)\s+node '", line)
        if m:
            ops[m.group(1)] = ops.get(m.group(1), 0) + 1
    if ops:
        return "unsupported operators: " + ", ".join(f"{op} x{n}" for op, n in ops.items())
    if not lines:
        return f"muonc exited with {status}"
    return re.sub(r"^error: \S+: ", "", lines[0])


def run_measured(command):
    """Runs command; returns (exit status, stderr, wall seconds, peak RSS in
    MiB of the process)."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        return (process.returncode, errors.read().decode(errors="replace"), seconds,
                usage.ru_maxrss / 1024)


def build_muon(muonc, onnx_path, input_path, work, options=(), subdir="muon"):
    """Compiles the model with muonc OPTIONS; returns (harness argv prefix,
    (compile seconds, peak MiB)) or (None, error)."""
    model_dir = os.path.join(work, subdir)
    os.makedirs(model_dir, exist_ok=True)
    obj = os.path.join(model_dir, "model.o")
    # Without the compile cache: the column is the time of a compilation.
    status, stderr, seconds, mib = run_measured(
        [muonc, onnx_path, "-o", obj, "--name", "model", "--cache-dir=none", *options])
    if status != 0:
        return None, summarize_error(stderr, status)
    name, buffers = header_interface(os.path.join(model_dir, "model.h"))
    write_call_header(os.path.join(model_dir, "call.h"), name, buffers)
    exe = os.path.join(model_dir, "bench")
    cc = os.environ.get("CC") or "cc"
    subprocess.run([cc, "-std=c11", "-O2", "-I", model_dir,
                    os.path.join(ROOT, "bench", "harness.c"), obj, "-o", exe, "-lm"], check=True)
    raw = os.path.join(model_dir, "input.bin")
    np.ascontiguousarray(np.load(input_path)).tofile(raw)
    return [exe, raw], (seconds, mib)


def quantize_options(input_path, work):
    """muonc's options for int8, with 8 seeded random calibration samples
    shaped like the model's input: standard normal, or for integer inputs
    (token ids) integers in the range of the model's own input."""
    calibration = os.path.join(work, "calibration")
    os.makedirs(calibration, exist_ok=True)
    example = np.load(input_path)
    rng = np.random.default_rng(8)
    for i in range(8):
        if np.issubdtype(example.dtype, np.integer):
            sample = rng.integers(example.min(), example.max() + 1, example.shape,
                                  dtype=example.dtype)
        else:
            sample = rng.standard_normal(example.shape, np.float32)
        np.save(os.path.join(calibration, f"{i}.npy"), sample)
    return ["--quantize=int8", f"--calibration={calibration}"]


def export_qdq(muonc, onnx_path, options, work):
    """The model as Muon quantizes it, written as QDQ ONNX; None if it fails."""
    qdq = os.path.join(work, "qdq.onnx")
    result = subprocess.run([muonc, onnx_path, "--emit=onnx-qdq", "-o", qdq, *options],
                            capture_output=True, text=True)
    return qdq if result.returncode == 0 else None


def time_muon(harness, warmup, runs):
    exe, raw = harness
    out = subprocess.run([exe, str(warmup), str(runs), raw], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)


def time_ort(onnx_path, input_path, work, warmup, runs):
    out = subprocess.run(["node", os.path.join(MODELS_DIR, "ort_run.mjs"), onnx_path,
                          "--input", input_path, "--output-dir", os.path.join(work, "ort"),
                          "--bench", str(runs), "--warmup", str(warmup), "--json"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# ---- the machine ----

def machine():
    info = {}
    try:
        for line in open("/proc/cpuinfo"):
            key, _, value = line.partition(":")
            info.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    flags = set(info.get("flags", "").split())
    simd = [f for f in ("avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni",
                        "avx512_bf16", "avx_vnni") if f in flags]
    cpu = info.get("model name", platform.processor() or "unknown CPU")
    family = f"family {info.get('cpu family', '?')} model {info.get('model', '?')}"
    return (f"{cpu} ({family}; {', '.join(simd) or 'no AVX2'}; "
            f"{os.cpu_count()} logical CPUs), {platform.system()} {platform.release()}")


def muon_cpu():
    """The CPU Muon's code is compiled for: MUON_HOST_CPU when set (ONNX
    Runtime still picks its kernels for the real CPU), else LLVM's name for
    the host CPU."""
    if os.environ.get("MUON_HOST_CPU"):
        return (f"{os.environ['MUON_HOST_CPU']} (MUON_HOST_CPU; ONNX Runtime uses "
                f"the host's own instructions)")
    try:
        version = subprocess.run(["/usr/lib/llvm-22/bin/llc", "--version"],
                                 capture_output=True, text=True).stdout
    except OSError:
        return "the host CPU"
    host = re.search(r"Host CPU: (\S+)", version)
    return f"the host CPU ({host.group(1)})" if host else "the host CPU"


def fmt_us(us):
    if us >= 1000:
        return f"{us / 1000:.2f} ms"
    return f"{us:.1f} µs" if us >= 10 else f"{us:.2f} µs"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--models", nargs="+", default=DEFAULT_MODELS)
    parser.add_argument("--opset", type=int, default=13)
    parser.add_argument("--runs", type=int, default=100, help="timed calls per round (>= 50)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument("--int8", action="store_true",
                        help="also time Muon's int8 code and ORT on the same QDQ model")
    args = parser.parse_args()
    if args.runs < 50:
        parser.error("--runs must be at least 50")
    muonc = os.path.join(args.build_dir, "tools", "muonc")
    if not os.access(muonc, os.X_OK):
        sys.exit(f"error: {muonc} not found: build first (bash ./muon build)")
    if not os.path.isdir(os.path.join(ROOT, "node_modules", "onnxruntime-node")):
        sys.exit("error: onnxruntime-node is not installed: run `npm ci` in the repository root "
                 "(bash ./muon deps does)")
    work_root = os.path.join(args.build_dir, "bench")
    shutil.rmtree(work_root, ignore_errors=True)

    results = []
    for name in args.models:
        work = os.path.join(work_root, name)
        os.makedirs(work)
        log(f"{name}: exporting")
        onnx_path, input_path = export(name, args.opset, work)
        r = {"model": name, "flops": count_flops(onnx_path), "muon": [], "ort": []}
        log(f"{name}: compiling with muonc")
        harness, r["compile"] = build_muon(muonc, onnx_path, input_path, work)
        if harness is None:
            r["muon_error"] = r.pop("compile")
            log(f"{name}: Muon cannot compile it: {r['muon_error']}")
        int8_harness = qdq = None
        if args.int8 and name != "relu":
            log(f"{name}: quantizing with muonc --quantize=int8")
            options = quantize_options(input_path, work)
            int8_harness, r["int8_compile"] = build_muon(muonc, onnx_path, input_path, work,
                                                         options, "muon-int8")
            qdq = export_qdq(muonc, onnx_path, options, work)
            r["muon_int8"], r["ort_int8"] = [], []
        for i in range(args.rounds):
            log(f"{name}: round {i + 1}/{args.rounds}")
            if harness:
                r["muon"].append(time_muon(harness, args.warmup, args.runs))
            r["ort"].append(time_ort(onnx_path, input_path, work, args.warmup, args.runs))
            if int8_harness:
                r["muon_int8"].append(time_muon(int8_harness, args.warmup, args.runs))
            if qdq:
                r["ort_int8"].append(time_ort(qdq, input_path, work, args.warmup, args.runs))
        results.append(r)

    def summary(samples):
        if not samples:
            return None
        return (min(s["min_us"] for s in samples),
                statistics.median(s["median_us"] for s in samples))

    print(f"Machine: {machine()}")
    print(f"Muon compiles for: {muon_cpu()}")
    print(f"Date: {datetime.date.today().isoformat()}; opset {args.opset}; "
          f"{args.rounds} rounds x {args.runs} timed calls (after {args.warmup} warm-up) "
          f"per engine, interleaved; one thread each; ORT = onnxruntime-node "
          f"{ort_version()} synchronous native run")
    print()
    print("| model | GFLOP | Muon min | Muon median | ORT min | ORT median | Muon/ORT | "
          "Muon GFLOP/s | ORT GFLOP/s | muonc | muonc peak |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        muon, ort = summary(r["muon"]), summary(r["ort"])
        gflop = r["flops"] / 1e9
        rate = lambda us: f"{r['flops'] / us / 1e3:.1f}" if r["flops"] else "–"
        if muon:
            cells = [fmt_us(muon[0]), fmt_us(muon[1]), fmt_us(ort[0]), fmt_us(ort[1]),
                     f"{muon[1] / ort[1]:.2g}" if muon[1] < ort[1] / 10 else f"{muon[1] / ort[1]:.2f}", rate(muon[1]), rate(ort[1]),
                     f"{r['compile'][0]:.1f} s", f"{r['compile'][1]:.0f} MiB"]
        else:
            cells = ["n/a", "n/a", fmt_us(ort[0]), fmt_us(ort[1]), "–", "–", rate(ort[1]),
                     "fails", "–"]
        print(f"| {r['model']} | {gflop:.3g} | " + " | ".join(cells) + " |")
    if args.int8:
        print()
        print("int8 (Muon's --quantize=int8; ORT on the same model as QDQ ONNX), median:")
        print()
        print("| model | Muon float | Muon int8 | int8/float | ORT float | ORT int8 (QDQ) | "
              "Muon int8/ORT int8 |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for r in results:
            if "muon_int8" not in r:
                continue
            medians = [summary(r[k]) for k in ("muon", "muon_int8", "ort", "ort_int8")]
            cell = lambda m: fmt_us(m[1]) if m else "n/a"
            ratio = lambda a, b: f"{a[1] / b[1]:.2f}" if a and b else "–"
            mf, mq, of, oq = medians
            print(f"| {r['model']} | {cell(mf)} | {cell(mq)} | {ratio(mq, mf)} | {cell(of)} | "
                  f"{cell(oq)} | {ratio(mq, oq)} |")
    for r in results:
        if "muon_error" in r:
            print(f"\n{r['model']}: Muon cannot compile it yet: {r['muon_error']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine(), "muon_cpu": muon_cpu(), "args": vars(args),
                       "results": results}, f, indent=1)


def ort_version():
    try:
        with open(os.path.join(ROOT, "node_modules", "onnxruntime-node", "package.json")) as f:
            return json.load(f)["version"]
    except (OSError, KeyError, ValueError):
        return "?"


if __name__ == "__main__":
    main()
