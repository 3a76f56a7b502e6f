#!/usr/bin/env python3
"""Runs the ONNX backend test data through muon-run and scores every case.

Each case directory (TESTDATA/<suite>/<case>) holds model.onnx and
test_data_set_0/{input,output}_N.pb. The case is compiled and run by muon-run
on the inputs, and its outputs are compared with ONNX's reference outputs the
way ONNX's backend tests do: dtype and shape must match exactly, values within
rtol 1e-3 and atol 1e-7 (NaN equals NaN). Muon compiles for static shapes:
where a case feeds a shape-setting operand (Reshape's shape, Slice's starts)
as a graph input and Muon says it must be a constant, the case runs again with
that input frozen into an initializer holding the case's own test data.

Every case gets a status:
  pass         all outputs match
  fail         wrong values, dtype or shape (which output, the largest error)
  unsupported  muon-run lists operators Muon does not support yet
  error        any other compile or run error (its first line)
  timeout      the case ran past --timeout seconds
  crash        muon-run or the compiled model died on a signal or printed a
               stack dump: a compiler bug, never an expected result

The results are compared with the expected failures (--expectations, by
default expected-failures.txt beside this script). A case that does not pass
and is not listed, a listed case that passes, a crash or a timeout is an
unexpected result; the closing line reads 'N passed, N failed, N skipped'
where failed counts the unexpected results and skipped the listed cases that
still do not pass, and the exit status is non-zero when failed is not 0.

    run_conformance.py [--jobs N] [--timeout S] [--update-expectations]
                       [--write-ops-md docs/ops.md] [--filter REGEX]
"""
import argparse
import collections
import concurrent.futures
import dataclasses
import datetime
import os
import re
import signal
import subprocess
import sys
import tempfile

import numpy as np
import onnx

# The helpers that read the test data and name muon-run's output files are
# shared with the end-to-end tests in test/onnx.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "onnx"))
from check_backend_cases import c_identifier, load_pb, numbered  # noqa: E402
from freeze_inputs import freeze  # noqa: E402

SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]
DEFAULT_TESTDATA = "/usr/share/libonnx-testdata/data"
DEFAULT_EXPECTATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "expected-failures.txt")
RTOL, ATOL = 1e-3, 1e-7

# muon-run's diagnostics (compiler/onnx/OnnxImporter.cpp).
UNSUPPORTED_HEADER = re.compile(r"operators? (is|are) not supported by Muon yet:")
UNSUPPORTED_LINE = re.compile(r"^  (\S+)\s+node (?:'.*'|#\d+)\s+\(opset")
NODE_LABEL = re.compile(r"node (?:'([^']*)'|#(\d+))(?: \(([\w.]+)\))?: ")
CONSTANT_OPERAND = re.compile(r"\(input (\d+)\) must be an? [\w -]+ constant known at import time")
RUNTIME_VALUE = re.compile(r"input '([^']*)' is computed at run time")
CRASH_MARKERS = ("Stack dump:", "PLEASE submit a bug report",
                 "failed to run (status -")  # the compiled model died on a signal


@dataclasses.dataclass
class Case:
    """One test case and what its model uses."""
    suite: str
    name: str
    path: str
    op_types: list   # the op types of the graph's nodes, domain-qualified
    opsets: dict     # op type -> the opset_import version of its domain
    node_ops: dict   # node name, and '#index', -> op type (to blame errors)
    node_inputs: dict  # node name, and '#index', -> the node's input names
    graph_inputs: set  # the graph inputs that are not initializers
    producers: dict    # value name -> the input names of the node defining it

    @property
    def id(self):
        return f"{self.suite}/{self.name}"


@dataclasses.dataclass
class Result:
    case: Case
    status: str            # pass, fail, unsupported, error, timeout, crash
    detail: str = ""       # why it did not pass, one line
    blamed_ops: tuple = ()  # op types the failure is attributed to, if known
    message: str = ""      # the first error line, node labels included
    frozen: tuple = ()     # graph inputs frozen into constants (see run_case)

    @property
    def reason(self):
        """The stable one-line reason recorded in the expectations file."""
        return f"{self.status}: {self.detail}" if self.detail else self.status


# ---------------------------------------------------------------------------
# Discovering and running cases
# ---------------------------------------------------------------------------

def qualified_op_type(node):
    domain = node.domain if node.domain not in ("", "ai.onnx") else ""
    return f"{domain}.{node.op_type}" if domain else node.op_type


def load_case(testdata, suite, name):
    path = os.path.join(testdata, suite, name)
    model = onnx.load(os.path.join(path, "model.onnx"), load_external_data=False)
    nodes = model.graph.node
    op_types = sorted({qualified_op_type(n) for n in nodes})
    versions = {"" if o.domain == "ai.onnx" else o.domain: o.version for o in model.opset_import}
    opsets = {qualified_op_type(n): versions.get("" if n.domain == "ai.onnx" else n.domain)
              for n in nodes}
    node_ops = {f"#{i}": qualified_op_type(n) for i, n in enumerate(nodes)}
    # Unnamed nodes are located as '<OpType>_<index>' (OnnxImporter.cpp).
    node_ops.update({n.name or f"{n.op_type}_{i}": qualified_op_type(n)
                     for i, n in enumerate(nodes)})
    node_inputs = {f"#{i}": list(n.input) for i, n in enumerate(nodes)}
    node_inputs.update({n.name or f"{n.op_type}_{i}": list(n.input)
                        for i, n in enumerate(nodes)})
    initializers = {i.name for i in model.graph.initializer}
    graph_inputs = {i.name for i in model.graph.input if i.name not in initializers}
    producers = {output: list(n.input) for n in nodes for output in n.output}
    return Case(suite, name, path, op_types, opsets, node_ops, node_inputs, graph_inputs,
                producers)


def discover_cases(testdata, suites, pattern):
    """Every case with a model and a first data set (data/real holds only URLs)."""
    cases = []
    for suite in suites:
        root = os.path.join(testdata, suite)
        for name in sorted(os.listdir(root)):
            case_dir = os.path.join(root, name)
            if not (os.path.isfile(os.path.join(case_dir, "model.onnx"))
                    and os.path.isdir(os.path.join(case_dir, "test_data_set_0"))):
                continue
            if pattern and not re.search(pattern, f"{suite}/{name}"):
                continue
            cases.append(load_case(testdata, suite, name))
    return cases


def output_file_names(model_path):
    """The .npy names muon-run writes: C identifiers of the graph outputs,
    made unique after the inputs have taken theirs."""
    graph = onnx.load(model_path, load_external_data=False).graph
    used = {"workspace"}
    initializers = {i.name for i in graph.initializer}
    for value in graph.input:
        if value.name not in initializers:
            c_identifier(value.name, used)
    return [(o.name, c_identifier(o.name, used)) for o in graph.output]


def run_muon(case, muon_run, out_dir, timeout):
    """Runs muon-run on the case's inputs; returns (returncode, output) or
    None on timeout. muon-run runs in its own process group so that a timeout
    also ends the C compiler or the compiled model it started."""
    data = os.path.join(case.path, "test_data_set_0")
    command = [muon_run, os.path.join(case.path, "model.onnx"), "--output-dir", out_dir]
    for path in numbered(data, "input"):
        command += ["--input", path]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, errors="replace", start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return None
    return process.returncode, output


def classify_failure(case, returncode, output):
    """Turns a failed muon-run into a Result."""
    lines = output.strip().splitlines()
    first_error = next((l for l in lines if l.startswith("error:")),
                       lines[0] if lines else "no output")
    if returncode < 0 or returncode not in (0, 1) or any(m in output for m in CRASH_MARKERS):
        how = (f"killed by {signal.Signals(-returncode).name}; " if returncode < 0
               else f"exit status {returncode}; " if returncode != 1 else "")
        return Result(case, "crash", how + strip_file_prefix(first_error))
    if any(UNSUPPORTED_HEADER.search(l) for l in lines):
        ops = sorted({m.group(1) for l in lines if (m := UNSUPPORTED_LINE.match(l))})
        return Result(case, "unsupported", ", ".join(ops), tuple(ops))
    labelled = strip_file_prefix(first_error)
    op, message = blame_node(case, labelled)
    return Result(case, "error", f"{op}: {message}" if op else message, (op,) if op else (),
                  message=labelled)


def strip_file_prefix(line):
    """'error: /path/model.onnx: message' -> 'message' (stable across machines)."""
    return re.sub(r"^error:\s*(\S*\.onnx:\s*)?", "", line)


def blame_node(case, message):
    """'node 'x': node #0 (Op): why' -> ('Op', 'why'): the op type of the node
    a message starts with, found in the model, and the message without the
    node labels; (None, message) when it names no node."""
    op = None
    while m := NODE_LABEL.match(message):
        label = m.group(1) or f"#{m.group(2)}"
        op = m.group(3) or case.node_ops.get(label, op)
        message = message[m.end():]
    return op, message


def compare_output(name, actual, expected):
    """None when actual matches expected, else a one-line description."""
    if actual.dtype != expected.dtype:
        return f"output {name}: dtype {actual.dtype}, expected {expected.dtype}"
    if actual.shape != expected.shape:
        return f"output {name}: shape {list(actual.shape)}, expected {list(expected.shape)}"
    if actual.dtype.kind not in "fciu":  # bool, strings: exact
        wrong = np.asarray(actual != expected)
        return f"output {name}: {wrong.sum()} of {wrong.size} elements differ" if wrong.any() else None
    close = np.isclose(actual, expected, rtol=RTOL, atol=ATOL, equal_nan=True)
    if close.all():
        return None
    wrong = ~close
    error = np.max(np.abs(actual[wrong].astype(np.complex128 if actual.dtype.kind == "c"
                                               else np.float64) - expected[wrong]))
    return (f"output {name}: max abs error {error:.2g} "
            f"({wrong.sum()} of {wrong.size} elements)")


def check_outputs(case, out_dir):
    expected_files = numbered(os.path.join(case.path, "test_data_set_0"), "output")
    names = output_file_names(os.path.join(case.path, "model.onnx"))
    for (onnx_name, file_name), expected_path in zip(names, expected_files):
        npy = os.path.join(out_dir, file_name + ".npy")
        if not os.path.exists(npy):
            return f"output {onnx_name}: muon-run wrote no {file_name}.npy"
        try:
            expected = load_pb(expected_path)
        except Exception as e:  # e.g. a SequenceProto, not a TensorProto
            return f"output {onnx_name}: cannot read the reference ({type(e).__name__})"
        problem = compare_output(onnx_name, np.load(npy), expected)
        if problem:
            return problem
    return None


def run_once(case, muon_run, timeout):
    with tempfile.TemporaryDirectory(prefix="muon-conf-") as out_dir:
        ran = run_muon(case, muon_run, out_dir, timeout)
        if ran is None:
            return Result(case, "timeout", f"over {timeout:g} s")
        returncode, output = ran
        if returncode != 0 or any(m in output for m in CRASH_MARKERS):
            return classify_failure(case, returncode, output)
        problem = check_outputs(case, out_dir)
    return Result(case, "fail", problem) if problem else Result(case, "pass")


def inputs_needed_at_import(case, message):
    """The graph inputs an import-time-constant error is about: the value it
    names when that is a graph input, else the graph inputs the value is
    computed from. The importer says either '<what> (input N) must be a ...
    constant known at import time' after the node's label, or 'input 'NAME'
    is computed at run time'."""
    if m := RUNTIME_VALUE.search(message):
        name = m.group(1)
    elif (m := CONSTANT_OPERAND.search(message)) and (label := NODE_LABEL.match(message)):
        inputs = case.node_inputs.get(label.group(1) or f"#{label.group(2)}", [])
        index = int(m.group(1))
        name = inputs[index] if index < len(inputs) else None
    else:
        return set()
    found, pending, seen = set(), [name], set()
    while pending:
        value = pending.pop()
        if value in seen:
            continue
        seen.add(value)
        if value in case.graph_inputs:
            found.add(value)
        pending += case.producers.get(value, [])
    return found


def run_case(case, muon_run, timeout):
    """Runs a case; where Muon needs a graph input as a constant (a shape,
    axes, pads: Muon compiles for static shapes), runs it again with that
    input frozen into an initializer holding the case's own test data, so
    that the operator is still checked against the reference outputs. The
    result records which inputs were frozen."""
    frozen = []
    with tempfile.TemporaryDirectory(prefix="muon-frozen-") as frozen_root:
        attempt = case
        while True:
            result = run_once(attempt, muon_run, timeout)
            names = (inputs_needed_at_import(case, result.message) - set(frozen)
                     if result.status == "error" else set())
            if not names:
                break
            frozen += sorted(names)
            freeze(case.path, set(frozen), frozen_root)
            attempt = load_case(frozen_root, "", case.name)
    result.case = case
    result.frozen = tuple(frozen)
    if frozen and result.status != "pass":
        result.detail += f" (with {', '.join(frozen)} frozen)"
    return result


# ---------------------------------------------------------------------------
# Expectations
# ---------------------------------------------------------------------------

EXPECTATIONS_HEADER = """\
# ONNX backend test cases that Muon does not pass yet, one per line:
#
#   <suite>/<case>  <status>: <reason>
#
# status is unsupported (the operators muon-run reports as not supported),
# error (the first line of the compile or run error) or fail (wrong values,
# dtype or shape: which output, the largest error). Only the case name is
# compared: a case that does not pass and is not listed, or a listed case
# that passes, is an unexpected result for test/conformance/run_conformance.py.
# Crashes and timeouts are compiler bugs and are never listed.
#
# Generated by `run_conformance.py --update-expectations`; keep it that way.
"""
SECTION_TITLES = {"unsupported": "Operators Muon does not support yet",
                  "error": "Compile or run errors",
                  "fail": "Wrong results"}


def read_expectations(path):
    """{case id: reason} from the expectations file (missing file: empty)."""
    expected = {}
    if not os.path.exists(path):
        return expected
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                case_id, _, reason = line.partition(" ")
                expected[case_id] = reason.strip()
    return expected


def write_expectations(path, results):
    """Lists every case that neither passes nor crashed nor timed out,
    grouped by status and sorted by name."""
    sections = []
    for status, title in SECTION_TITLES.items():
        group = sorted((r for r in results if r.status == status), key=lambda r: r.case.id)
        if not group:
            continue
        width = max(len(r.case.id) for r in group) + 2
        lines = [f"# {title} ({len(group)} cases)"]
        lines += [f"{r.case.id.ljust(width)}{r.reason}" for r in group]
        sections.append("\n".join(lines))
    with open(path, "w") as f:
        f.write(EXPECTATIONS_HEADER + "\n" + "\n\n".join(sections) + "\n")


def unexpected_results(results, expected):
    """The results that disagree with the expectations, each with why."""
    unexpected = []
    for r in results:
        listed = r.case.id in expected
        if r.status in ("crash", "timeout"):
            unexpected.append((r, f"{r.status.upper()} (compiler bug)"))
        elif r.status == "pass" and listed:
            unexpected.append((r, "UNEXPECTED PASS (remove it from the expectations)"))
        elif r.status != "pass" and not listed:
            unexpected.append((r, "UNEXPECTED FAILURE"))
    return unexpected


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------

def ops_table(results):
    """{op type: (passed, total)} over every case whose graph uses the op."""
    table = collections.defaultdict(lambda: [0, 0])
    for r in results:
        for op in r.case.op_types:
            table[op][0] += r.status == "pass"
            table[op][1] += 1
    return table


def print_ops_table(results):
    table = ops_table(results)
    width = max((len(op) for op in table), default=0) + 2
    print("Op types (cases that pass / cases whose graph uses the op):")
    for op in sorted(table):
        passed, total = table[op]
        print(f"  {op.ljust(width)}{passed}/{total}")


@dataclasses.dataclass
class OpStatus:
    opsets: set = dataclasses.field(default_factory=set)
    node_cases: int = 0   # node cases whose graph uses the op
    node_total: int = 0   # those that test this op (not blocked by another op)
    node_passed: int = 0
    node_frozen: int = 0  # passed with graph inputs frozen into constants
    unsupported: bool = False
    reasons: collections.Counter = dataclasses.field(default_factory=collections.Counter)


def op_statuses(results):
    """Per op type: opsets seen, and how its node cases fare. A node case
    counts for an op unless it failed because of another op (an unsupported
    one, or an error in another op's node)."""
    statuses = collections.defaultdict(OpStatus)
    for r in results:
        for op in r.case.op_types:
            s = statuses[op]
            if r.case.opsets.get(op) is not None:
                s.opsets.add(r.case.opsets[op])
            if r.status == "unsupported" and op in r.blamed_ops:
                s.unsupported = True
            if r.case.suite != "node":
                continue
            s.node_cases += 1
            if r.blamed_ops and op not in r.blamed_ops:
                continue
            s.node_total += 1
            s.node_passed += r.status == "pass"
            s.node_frozen += r.status == "pass" and bool(r.frozen)
            if r.status != "pass":
                s.reasons[summarize_reason(r)] += 1
    return statuses


def summarize_reason(result):
    """A reason with the case-specific numbers and names taken out."""
    if result.status == "fail":
        return "wrong " + ("values" if "error" in result.detail else
                           "dtype" if "dtype" in result.detail else
                           "shape" if "shape" in result.detail else "results")
    op = result.blamed_ops[0] if len(result.blamed_ops) == 1 else None
    if result.status == "error" and op and result.detail.startswith(op + ": "):
        return "error: " + result.detail[len(op) + 2:]
    return result.reason


def status_cell(s):
    if s.unsupported and s.node_passed == 0:
        return "not supported"
    if s.node_cases == 0:
        return "— (no node case)"
    if s.node_total == 0:
        return "— (its node cases fail on other ops)"
    if s.node_passed == s.node_total:
        return "✅"
    if s.node_passed == 0:
        return f"❌ none (0/{s.node_total})"
    return f"partial {s.node_passed}/{s.node_total}"


def write_ops_md(path, results, cases_total):
    statuses = op_statuses(results)
    full = sorted(op for op, s in statuses.items()
                  if not s.unsupported and s.node_total and s.node_passed == s.node_total)
    full_frozen = [op for op in full if statuses[op].node_frozen]
    unsupported = sorted(op for op, s in statuses.items() if s.unsupported and s.node_passed == 0)
    counts = collections.Counter(r.status for r in results)
    lines = [
        "# Operator support",
        "",
        "Generated by `test/conformance/run_conformance.py --write-ops-md docs/ops.md` from the",
        f"ONNX backend test data (/usr/share/libonnx-testdata, onnx {onnx.__version__}) "
        f"on {datetime.date.today().isoformat()}. Do not edit.",
        "",
        f"{cases_total} cases: " + ", ".join(f"{counts[s]} {s}" for s in
                                             ("pass", "fail", "unsupported", "error", "timeout", "crash")
                                             if counts[s]) + ".",
        f"**{len(full)} op types pass all their node tests** ({len(full_frozen)} of them "
        "with inputs frozen in some cases, see below); "
        f"{len(unsupported)} op types seen in the test data are not supported yet.",
        "",
        "Muon compiles for static shapes, so inputs that set a shape (Reshape's shape,",
        "Slice's starts, Pad's pads, Resize's sizes...) must be constants. Where a case",
        "feeds one as a graph input, the runner compiles it again with that input frozen",
        "into an initializer holding the case's own test data, and checks the operator",
        "against the reference outputs as usual; *Notes* says how many cases needed it.",
        "",
        "- *Opsets*: the range of `opset_import` versions of the cases (all suites) whose graph",
        "  uses the op.",
        "- *Status*: over the `node` cases whose graph uses the op, leaving out those that",
        "  fail only because of another op (an unsupported one, or an error in another node):",
        "  ✅ all pass, partial N/M, ❌ none pass, or not supported (muon-run rejects the op).",
        "- *Notes*: the most common reason the op's failing node cases do not pass, and how",
        "  many of its passing node cases needed inputs frozen.",
        "",
        "| Op type | Opsets | Status | Notes |",
        "|---|---|---|---|",
    ]
    # The default domain's ops first, then those of other domains.
    for op in sorted(statuses, key=lambda op: ("." in op, op.lower())):
        s = statuses[op]
        opsets = ("—" if not s.opsets else f"{min(s.opsets)}–{max(s.opsets)}"
                  if len(s.opsets) > 1 else str(min(s.opsets)))
        note = ""
        if s.reasons and not (s.unsupported and s.node_passed == 0):
            reason, n = s.reasons.most_common(1)[0]
            note = f"{reason} ({n} case{'s' if n > 1 else ''})".replace("|", "\\|")
        if s.node_frozen:
            note += ("; " if note else "") + \
                f"{s.node_frozen} of {s.node_passed} passing with inputs frozen"
        lines.append(f"| {op} | {opsets} | {status_cell(s)} | {note} |")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def print_summary(results, unexpected, expected, testdata_ids):
    by_status = collections.Counter(r.status for r in results)
    print("Results: " + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())))
    unsupported = collections.Counter(op for r in results if r.status == "unsupported"
                                      for op in r.blamed_ops)
    if unsupported:
        print("Most common unsupported ops (cases): " +
              ", ".join(f"{op} {n}" for op, n in unsupported.most_common(10)))
    stale = sorted(set(expected) - testdata_ids)
    for case_id in stale:
        print(f"note: {case_id} is listed in the expectations but not in the test data")
    for r, why in sorted(unexpected, key=lambda u: u[0].case.id):
        print(f"{why}: {r.case.id}" + (f"  {r.reason}" if r.status != "pass" else ""))


# ---------------------------------------------------------------------------

def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--testdata", default=DEFAULT_TESTDATA,
                        help="the backend test data folder (default: %(default)s)")
    parser.add_argument("--suites", default=",".join(SUITES),
                        help="comma-separated suites to run (default: %(default)s)")
    parser.add_argument("--filter", metavar="REGEX",
                        help="run only the cases whose <suite>/<case> matches")
    parser.add_argument("--muon-run", default="muon-run", help="the muon-run binary")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count(),
                        help="cases run in parallel (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds per case before it counts as a timeout (default: %(default)s)")
    parser.add_argument("--expectations", default=DEFAULT_EXPECTATIONS,
                        help="the expected-failures file (default: beside this script)")
    parser.add_argument("--update-expectations", action="store_true",
                        help="rewrite the expectations from these results (never crashes "
                             "or timeouts); needs a full run")
    parser.add_argument("--write-ops-md", metavar="PATH",
                        help="write the operator support table (docs/ops.md); needs a full run")
    parser.add_argument("--no-ops-table", action="store_true",
                        help="do not print the per-op table")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="print one line per case as it finishes")
    args = parser.parse_args()
    partial = args.filter or set(args.suites.split(",")) != set(SUITES)
    if partial and (args.update_expectations or args.write_ops_md):
        parser.error("--update-expectations and --write-ops-md need all suites and no --filter")
    return args


def main():
    args = parse_args()
    cases = discover_cases(args.testdata, args.suites.split(","), args.filter)
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_case, c, args.muon_run, args.timeout) for c in cases]
        for future in concurrent.futures.as_completed(futures):
            r = future.result()
            results.append(r)
            if args.verbose:
                frozen = f"  (with {', '.join(r.frozen)} frozen)" if r.frozen and r.status == "pass" else ""
                print(f"{r.status.upper():12}{r.case.id}  {r.detail}{frozen}", flush=True)
    results.sort(key=lambda r: r.case.id)

    expected = read_expectations(args.expectations)
    if args.update_expectations:
        write_expectations(args.expectations, results)
        updated = read_expectations(args.expectations)
        print(f"wrote {args.expectations}: {len(updated)} cases, "
              f"{len(updated.keys() - expected.keys())} added, "
              f"{len(expected.keys() - updated.keys())} removed")
        expected = updated
    ran = {c.id for c in cases}
    if args.filter or set(args.suites.split(",")) != set(SUITES):
        expected = {k: v for k, v in expected.items() if k in ran}
    unexpected = unexpected_results(results, expected)

    if not args.no_ops_table:
        print_ops_table(results)
    print_summary(results, unexpected, expected, ran)
    if args.write_ops_md:
        write_ops_md(args.write_ops_md, results, len(cases))
        print(f"wrote {args.write_ops_md}")

    failed = len(unexpected)
    skipped = sum(1 for r in results if r.status != "pass" and r.case.id in expected
                  and r.status not in ("crash", "timeout"))
    passed = len(results) - failed - skipped
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
