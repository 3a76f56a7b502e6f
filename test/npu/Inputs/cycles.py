#!/usr/bin/python3
"""cycles.py OUTDIR: tiny programs whose cycle counts cycles.test derives by
hand from the cycle model of docs/npu-isa.md (default timing: 16 DMA bytes
per cycle, 64 cycles DMA latency, 4 cycles compute setup)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "targets", "npu"))
from npub import Program  # noqa: E402


def program(outdir, name, build):
    p = Program()
    scratch = p.region("workspace", 4096)
    build(p, scratch)
    p.emit("FINISH")
    with open(os.path.join(outdir, name + ".npub"), "wb") as f:
        f.write(p.to_bytes())


def load(p, r, dst=0, **flags):
    # 2 rows x 4 elements of 16 contiguous bytes: 64 + 2 * ceil(64 / 16) = 72
    p.emit("LOAD", buffer="IBUF", dst=dst, dst_stride=4, region=r, rows=2, cols=4, row_stride=64,
           elem_bytes=16, elem_stride=16, **flags)


def gemm(p, inp=0, **flags):
    # 4 outputs x 2 reduction steps: 4 + 8 = 12
    p.emit("GEMM", reset=1, inp=inp, n0=1, n1=4, k0=1, k1=2, acc_s1=1, inp_s1=1, inp_r1=4,
           **flags)


def requant(p, **flags):
    # 2 entries: 4 + 2 = 6
    p.emit("REQUANT", n0=1, n1=2, acc_s1=1, out_s1=1, clamp_min=-128, clamp_max=127, **flags)


def store(p, r, **flags):
    # 1 row of 2 contiguous 16-byte elements: 64 + 2 = 66
    p.emit("STORE", region=r, rows=1, cols=2, row_stride=32, elem_bytes=16, elem_stride=16,
           **flags)


outdir = sys.argv[1]
os.makedirs(outdir, exist_ok=True)
program(outdir, "load", lambda p, r: load(p, r))
program(outdir, "load-strided", lambda p, r: p.emit(
    "LOAD", buffer="IBUF", dst_stride=4, region=r, rows=1, cols=4, row_stride=0, elem_bytes=3,
    elem_stride=5))
program(outdir, "load-gemm", lambda p, r: (load(p, r, push_next=1), gemm(p, pop_prev=1)))
program(outdir, "overlap", lambda p, r: (
    load(p, r, push_next=1), load(p, r, dst=8, push_next=1), gemm(p, pop_prev=1),
    gemm(p, inp=8, pop_prev=1)))
program(outdir, "no-tokens", lambda p, r: (load(p, r), load(p, r, dst=8), gemm(p), gemm(p, inp=8)))
program(outdir, "double-buffer", lambda p, r: (
    load(p, r, push_next=1), load(p, r, dst=8, push_next=1), gemm(p, pop_prev=1, push_prev=1),
    load(p, r, pop_next=1, push_next=1), gemm(p, inp=8, pop_prev=1), gemm(p, pop_prev=1)))
program(outdir, "store", lambda p, r: (requant(p, push_next=1), store(p, r, pop_prev=1)))
program(outdir, "store-sync-load", lambda p, r: (
    requant(p, push_next=1), store(p, r, pop_prev=1, push_prev=1),
    p.emit("SYNC", stage="COMPUTE", pop_next=1, push_prev=1),
    p.emit("LOAD", pop_next=1, buffer="IBUF", dst_stride=2, region=r, rows=1, cols=2,
           row_stride=32, elem_bytes=16, elem_stride=16)))

# Programs with a token missing, for hazard.test.
program(outdir, "war-ibuf", lambda p, r: (  # the third load does not wait for the first GEMM
    load(p, r, push_next=1), load(p, r, dst=8, push_next=1), gemm(p, pop_prev=1),
    load(p, r, push_next=1), gemm(p, inp=8, pop_prev=1), gemm(p, pop_prev=1)))
program(outdir, "raw-dram", lambda p, r: (  # the load does not wait for the store
    requant(p, push_next=1), store(p, r, pop_prev=1),
    p.emit("LOAD", buffer="IBUF", dst_stride=2, region=r, rows=1, cols=2, row_stride=32,
           elem_bytes=16, elem_stride=16)))
program(outdir, "war-obuf", lambda p, r: (  # the second REQUANT does not wait for the store
    requant(p, push_next=1), store(p, r, pop_prev=1), requant(p)))
