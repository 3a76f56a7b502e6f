#!/usr/bin/python3
"""bad_programs.py OUTDIR: one .npub per thing the loader must reject, each
otherwise valid (checksums recomputed), for errors.test."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "targets", "npu"))
from npub import ISA, Program, fix_checksums  # noqa: E402


def base(load=None, tokens=True, store_region=None, tensor_strides=(64, 1)):
    """x[1, 64] -> IBUF -> GEMM -> REQUANT -> y[1, 64] (weights are zeros)."""
    p = Program()
    w = p.constant(bytes(16 * 16 * 4))
    x = p.region("input", 64)
    y = p.region("output", 64)
    p.tensor("x", x, [1, 64], list(tensor_strides))
    p.tensor("y", y, [1, 64])
    fields = dict(buffer="IBUF", dst_stride=4, region=x, rows=1, cols=4, row_stride=64,
                  elem_bytes=16, elem_stride=16)
    fields.update(load or {})
    p.emit("LOAD", **fields)
    p.emit("LOAD", buffer="WBUF", dst_stride=4, region=0, dram_offset=w, rows=1, cols=4,
           row_stride=0, elem_bytes=256, elem_stride=256, push_next=int(tokens))
    p.emit("GEMM", pop_prev=int(tokens), reset=1, n0=1, n1=4, k0=1, k1=1, acc_s1=1, inp_s1=1)
    p.emit("REQUANT", n0=1, n1=4, acc_s1=1, out_s1=1, clamp_min=-128, clamp_max=127,
           push_next=int(tokens))
    p.emit("STORE", pop_prev=int(tokens), region=store_region or y, rows=1, cols=4,
           row_stride=64, elem_bytes=16, elem_stride=16)
    p.emit("FINISH")
    return p


def write(outdir, name, data):
    with open(os.path.join(outdir, name + ".npub"), "wb") as f:
        f.write(bytes(data))


outdir = sys.argv[1]
os.makedirs(outdir, exist_ok=True)
good = base().to_bytes()
write(outdir, "good", good)
write(outdir, "truncated", good[:len(good) // 2])
write(outdir, "magic", b"MUONNPUX" + good[8:])
data = bytearray(good)
data[65] ^= 1
write(outdir, "header-checksum", data)
data = bytearray(good)
data[-1] ^= 0x40  # inside the last section (TENSORS)
write(outdir, "section-checksum", data)
data = bytearray(good)
struct.pack_into("<I", data, 32, 32)  # BLOCK 32, hash still for 16
write(outdir, "config-hash", fix_checksums(data))
data = bytearray(good)
struct.pack_into("<Q", data, 80 + 32 + 8, 100)  # second section starts inside the header
write(outdir, "section-offset", fix_checksums(data))
write(outdir, "load-region", base(load=dict(dram_offset=4000)).to_bytes())
write(outdir, "load-elem-bytes", base(load=dict(elem_bytes=17)).to_bytes())
write(outdir, "load-zero-rows", base(load=dict(rows=0)).to_bytes())
write(outdir, "ibuf-range", base(load=dict(dst=2046)).to_bytes())
write(outdir, "store-input", base(store_region=1).to_bytes())
write(outdir, "tensor-range", base(tensor_strides=(64, 2)).to_bytes())
p = base()
p.instructions.insert(2, p.instructions[2])  # a second GEMM that waits for a second load
write(outdir, "token-wait", p.to_bytes())
p = base()
del p.instructions[2]  # the weight load's token is never taken
write(outdir, "token-unbalanced", p.to_bytes())
p = base()
p.instructions.pop()  # no FINISH
write(outdir, "no-finish", p.to_bytes())
p = base()
data = bytearray(p.instructions[3])
data[31] |= 0x80
p.instructions[3] = bytes(data)
write(outdir, "reserved-bits", p.to_bytes())
p = base()
p.instructions[0] = bytes([0]) + p.instructions[0][1:]
write(outdir, "opcode", p.to_bytes())
p = base()
p.instructions.insert(0, ISA.encode("LOAD", buffer="ACC", dst_stride=1, region=1, rows=1,
                                      cols=1, elem_bytes=1, elem_stride=1, pop_prev=1))
write(outdir, "load-pop-prev", p.to_bytes())
