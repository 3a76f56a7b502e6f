#!/usr/bin/python3
"""fuzz.py SEEDS_DIR OUT_DIR COUNT: writes COUNT mutations of the .npub files
under SEEDS_DIR to OUT_DIR/NNNNN.npub (seeded, reproducible).

Plain bit flips mostly die at a checksum, so most mutations recompute the
checksums afterwards (npub.fix_checksums) to reach the checks behind them:
instruction fields set to edge values, section offsets and sizes, region
sizes, tensor shapes and strides, truncation."""
import glob
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "targets", "npu"))
from npub import ISA, fix_checksums  # noqa: E402


def sections(data):
    """{kind: (table entry offset, section offset, size)} of a valid file."""
    out = {}
    count = struct.unpack_from("<I", data, 28)[0]
    for i in range(count):
        at = 80 + 32 * i
        kind, _, offset, size = struct.unpack_from("<IIQQ", data, at)
        out[kind] = (at, offset, size)
    return out


def edge(rng, width, current):
    top = (1 << width) - 1
    return rng.choice([0, 1, top, top - 1, rng.randint(0, top), (current + 1) & top,
                       (current - 1) & top, (current * 2) & top, 1 << (width - 1)])


def mutate_instruction_field(rng, data, secs):
    _, offset, size = secs[1]
    index = rng.randrange(size // 32)
    at = offset + 32 * index
    word = int.from_bytes(data[at:at + 32], "little")
    ins = ISA.by_opcode.get(word & 15)
    if ins is None or rng.random() < 0.05:
        word ^= 1 << rng.randrange(256)  # any bit, reserved ones included
    else:
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            f = rng.choice(ins.fields)
            value = (word >> f.lsb) & ((1 << f.width) - 1)
            word &= ~(((1 << f.width) - 1) << f.lsb)
            word |= edge(rng, f.width, value) << f.lsb
    data[at:at + 32] = word.to_bytes(32, "little")


def mutate_list_entry(rng, data, secs, kind, entry_bytes, fields):
    if kind not in secs:
        return
    _, offset, size = secs[kind]
    count = (size - 8) // entry_bytes
    if count == 0 or rng.random() < 0.2:
        struct.pack_into("<I", data, offset, edge(rng, 32, count))
        return
    at = offset + 8 + entry_bytes * rng.randrange(count)
    pos, width = rng.choice(fields)
    old = int.from_bytes(data[at + pos:at + pos + width // 8], "little")
    data[at + pos:at + pos + width // 8] = edge(rng, width, old).to_bytes(width // 8, "little")


def mutate(rng, original):
    data = bytearray(original)
    secs = sections(data)
    strategy = rng.choices(["flip", "flip-fixed", "field", "truncate", "table", "region",
                            "tensor", "header"], [15, 15, 35, 5, 10, 8, 8, 4])[0]
    if strategy in ("flip", "flip-fixed"):
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif strategy == "field":
        for _ in range(rng.choice([1, 1, 2, 4])):
            mutate_instruction_field(rng, data, secs)
    elif strategy == "truncate":
        data = data[:rng.randrange(len(data))]
        if rng.random() < 0.5 and len(data) >= 24:
            struct.pack_into("<Q", data, 16, len(data))
    elif strategy == "table":
        at = 80 + 32 * rng.randrange(len(secs))
        pos, width = rng.choice([(0, 32), (8, 64), (16, 64), (8, 64), (16, 64)])
        old = int.from_bytes(data[at + pos:at + pos + width // 8], "little")
        value = rng.choice([edge(rng, width, old), old + rng.choice([-64, -1, 1, 64]) & ((1 << width) - 1),
                            len(data), len(data) - 1])
        data[at + pos:at + pos + width // 8] = value.to_bytes(width // 8, "little")
    elif strategy == "region":
        mutate_list_entry(rng, data, secs, 3, 16, [(0, 32), (4, 32), (8, 64), (8, 32)])
    elif strategy == "tensor":
        mutate_list_entry(rng, data, secs, 4, 144,
                          [(64, 32), (68, 32), (72, 32), (76, 32), (80, 32), (88, 64)]
                          + [(96 + 4 * d, 32) for d in range(6)]
                          + [(120 + 4 * d, 32) for d in range(6)] + [(rng.randrange(64), 8)])
    else:
        pos, width = rng.choice([(8, 32), (12, 32), (24, 32), (28, 32), (32, 32), (36, 32),
                                 (44, 32), (52, 32), (72, 32)])
        old = int.from_bytes(data[pos:pos + width // 8], "little")
        data[pos:pos + width // 8] = edge(rng, width, old).to_bytes(width // 8, "little")
    if strategy != "flip":
        fix_checksums(data)
    return bytes(data)


def main():
    seeds_dir, out_dir, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seeds = [open(p, "rb").read()
             for p in sorted(glob.glob(os.path.join(seeds_dir, "**", "*.npub"), recursive=True))]
    if not seeds:
        sys.exit(f"no .npub files under {seeds_dir}")
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(2024)
    for i in range(count):
        with open(os.path.join(out_dir, f"{i:05d}.npub"), "wb") as f:
            f.write(mutate(rng, rng.choice(seeds)))
    print(f"{count} mutations of {len(seeds)} seed programs")


if __name__ == "__main__":
    main()
