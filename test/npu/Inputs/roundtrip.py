#!/usr/bin/python3
"""roundtrip.py OUT.bin OUT.txt: encodes every instruction of isa.json with
the Python encoder (all fields 0, all fields at their maximum, and 20 seeded
random value sets each) into OUT.bin, and writes the disassembly the runtime
must print for them to OUT.txt."""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "targets", "npu"))
from gen_isa import Isa  # noqa: E402

isa = Isa()
rng = random.Random(5)
binary, lines = bytearray(), []
for ins in isa.instructions:
    fields = [f for f in ins.fields if f.name != "opcode"]

    def lo(f):
        return -(1 << (f.width - 1)) if f.signed else 0

    def hi(f):
        return (1 << (f.width - 1)) - 1 if f.signed else (1 << f.width) - 1

    value_sets = [{f.name: 0 for f in fields}, {f.name: hi(f) for f in fields},
                  {f.name: lo(f) for f in fields}]
    value_sets += [{f.name: rng.randint(lo(f), hi(f)) for f in fields} for _ in range(20)]
    for values in value_sets:
        data = isa.encode(ins.name, **values)
        assert isa.decode(data) == (ins.name, {"opcode": ins.opcode, **values})
        binary += data
        text = [ins.name]
        for f in fields:
            v = values[f.name]
            names = {n: k for k, n in isa.enums[f.enum].items()} if f.enum else {}
            text.append(f"{f.name}={names.get(v, v)}")
        lines.append(" ".join(text))
with open(sys.argv[1], "wb") as f:
    f.write(binary)
with open(sys.argv[2], "w") as f:
    f.write("\n".join(lines) + "\n")
