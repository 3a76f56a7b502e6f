#!/usr/bin/python3
"""Checks docs/dialect.md's table of ops against the dialect's ODS.

    check_op_docs.py GENERATED.md DIALECT.md

GENERATED.md is what mlir-tblgen -gen-op-doc writes from MuonOps.td (the
build makes it as dialects/muon/MuonOps.md). Every op defined there must be in
a row of the table under "## Ops" in DIALECT.md, and every op a row names
must be defined, with a summary. A row's first cell may name several ops,
also as `muon.reduce_sum/mean/max`: a later name takes the first name's
prefix when that makes an op (muon.reduce_mean), else is an op of its own
(muon.sub in `muon.add/sub`).
"""
import re
import sys


def generated_ops(path):
    """Op name -> summary, from the '### `muon.x` (muon::XOp)' sections."""
    ops, name = {}, None
    for line in open(path, encoding="utf-8"):
        heading = re.match(r"### `(muon\.[a-z0-9_]+)`", line)
        if heading:
            name = heading.group(1)
            ops[name] = ""
        elif name and line.startswith("_") and not ops[name]:
            ops[name] = line.strip("_\n ")
    return ops


def documented_ops(path, known):
    text = open(path, encoding="utf-8").read()
    table = text.split("\n## Ops\n", 1)[1].split("\n## ", 1)[0]
    names = []
    for cell in re.findall(r"^\| ([^|]*)\|", table, re.M):
        for group in re.findall(r"`muon\.([a-z0-9_/]+)`", cell):
            parts = group.split("/")
            prefix = parts[0].split("_", 1)[0] + "_" if "_" in parts[0] else ""
            names.append("muon." + parts[0])
            for part in parts[1:]:
                prefixed = "muon." + prefix + part
                names.append(prefixed if prefix and prefixed in known
                             else "muon." + part)
    return names


def main():
    generated, dialect = sys.argv[1:3]
    ops = generated_ops(generated)
    if not ops:
        sys.exit(f"error: no ops in {generated}")
    documented = documented_ops(dialect, ops)
    problems = [f"{name} is defined in ODS but has no row in {dialect}"
                for name in sorted(set(ops) - set(documented))]
    problems += [f"{name} has a row in {dialect} but is not an op"
                 for name in documented if name not in ops]
    problems += [f"{name} has no summary in ODS"
                 for name, summary in sorted(ops.items()) if not summary]
    for problem in problems:
        print("error:", problem)
    if problems:
        sys.exit(1)
    print(f"{len(ops)} ops, each in the table of {dialect.split('/')[-1]}")


if __name__ == "__main__":
    main()
