#!/usr/bin/python3
"""Writes .npub files (docs/npu-isa.md, "The .npub container").

The reference writer for tests and tools; the C++ compiler target will write
the same bytes. Standard library only. Instructions are encoded from
targets/npu/isa.json through gen_isa.Isa, the same definition that generates
the runtime's decoder.

    from npub import Program
    p = Program()                       # default hardware configuration
    w = p.constant(weight_bytes)        # offset in region 0 (constants)
    x = p.region("input", 64)           # region index
    p.tensor("x", x, shape=[1, 64], strides=[64, 1], scale=0.5, zero_point=3)
    p.emit("LOAD", buffer="IBUF", region=x, rows=1, cols=4, ...)
    p.emit("FINISH")
    open("m.npub", "wb").write(p.to_bytes())
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_isa import Isa  # noqa: E402

FORMAT_VERSION = 1
HEADER_BYTES = 80
SECTION_ENTRY_BYTES = 32
SECTION_KINDS = {"INSTRUCTIONS": 1, "CONSTANTS": 2, "REGIONS": 3, "TENSORS": 4, "LAYERS": 5}
REGION_KINDS = {"workspace": 1, "input": 2, "output": 3}
CONFIG_FIELDS = ("block", "ibuf_entries", "wbuf_entries", "acc_entries", "obuf_entries",
                 "pbuf_entries")
DTYPE_INT8 = 1
MAX_RANK = 6

ISA = Isa()


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in bytes(data):
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def config_hash(config):
    words = [ISA.version] + [config[k] for k in CONFIG_FIELDS]
    return fnv1a64(struct.pack("<7I", *words))


def default_config(**overrides):
    config = dict(ISA.default_config)
    config.update(overrides)
    return config


def fix_checksums(data):
    """Recomputes every section checksum and the header checksum of `data`
    (a bytearray) from its section table, in place; used by the fuzzer to
    reach the checks behind the checksums. Tolerates nonsense tables."""
    if len(data) < HEADER_BYTES:
        return data
    count = struct.unpack_from("<I", data, 28)[0]
    for i in range(min(count, 16)):
        at = HEADER_BYTES + i * SECTION_ENTRY_BYTES
        if at + SECTION_ENTRY_BYTES > len(data):
            break
        _, _, offset, size = struct.unpack_from("<IIQQ", data, at)
        if offset <= len(data) and size <= len(data) - offset:
            struct.pack_into("<Q", data, at + 24, fnv1a64(data[offset:offset + size]))
    header_bytes = min(struct.unpack_from("<I", data, 24)[0], len(data))
    header = bytearray(data[:header_bytes])
    if header_bytes >= 72:
        header[64:72] = bytes(8)
        struct.pack_into("<Q", data, 64, fnv1a64(header))
    return data


class Program:
    def __init__(self, config=None):
        self.config = config or default_config()
        self.instructions = []
        self.sources = []   # (name, fields) of each instruction, for to_mlir
        self.constants = bytearray()
        self.regions = []   # (kind, size); region i + 1
        self.tensors = []   # packed descriptors
        self.tensor_sources = []
        self.layers = []    # names

    # -- building --------------------------------------------------------
    def emit(self, name, **fields):
        self.instructions.append(ISA.encode(name, **fields))
        self.sources.append((name, fields))
        return len(self.instructions) - 1

    def constant(self, data, align=64):
        while len(self.constants) % align:
            self.constants.append(0)
        offset = len(self.constants)
        self.constants += bytes(data)
        return offset

    def region(self, kind, size):
        self.regions.append((REGION_KINDS[kind], size))
        return len(self.regions)

    def tensor(self, name, region, shape, strides=None, offset=0, scale=1.0, zero_point=0):
        if strides is None:  # row-major, packed
            strides, step = [], 1
            for d in reversed(shape):
                strides.insert(0, step)
                step *= d
        raw = name.encode()
        dims = list(shape) + [0] * (MAX_RANK - len(shape))
        st = list(strides) + [0] * (MAX_RANK - len(strides))
        self.tensor_sources.append((name, region, list(shape), list(strides), offset, scale,
                                    zero_point))
        self.tensors.append(
            raw.ljust(64, b"\0")
            + struct.pack("<IIIifIQ", DTYPE_INT8, region, len(shape), zero_point, scale, 0, offset)
            + struct.pack("<6I", *dims) + struct.pack("<6I", *st))
        return len(self.tensors) - 1

    def layer(self, name):
        """Emits a LAYER marker for a new named layer; returns its id."""
        self.layers.append(name)
        self.emit("LAYER", layer_id=len(self.layers) - 1)
        return len(self.layers) - 1

    # -- writing ---------------------------------------------------------
    def sections(self):
        out = [("INSTRUCTIONS", b"".join(self.instructions))]
        if self.constants:
            out.append(("CONSTANTS", bytes(self.constants)))
        out.append(("REGIONS", struct.pack("<II", len(self.regions), 0) + b"".join(
            struct.pack("<IIQ", kind, 0, size) for kind, size in self.regions)))
        out.append(("TENSORS", struct.pack("<II", len(self.tensors), 0) + b"".join(self.tensors)))
        if self.layers:
            out.append(("LAYERS", struct.pack("<II", len(self.layers), 0) + b"".join(
                n.encode().ljust(64, b"\0") for n in self.layers)))
        return out

    def to_bytes(self):
        return write_npub(self.config, self.sections())

    def to_mlir(self, name="model"):
        """The same program in the npu dialect, for muon-npu-translate, which
        must write exactly to_bytes()."""
        def attrs(values):
            return "{" + ", ".join(f"{k} = {v}" for k, v in values.items()) + "}"

        def f32(x):
            return "0x%08X : f32" % struct.unpack("<I", struct.pack("<f", x))[0]

        kinds = {v: k for k, v in REGION_KINDS.items()}
        config = attrs({k: f"{self.config[k]} : i64" for k in CONFIG_FIELDS})
        extra = f", layers = [{', '.join(chr(34) + n + chr(34) for n in self.layers)}]" \
            if self.layers else ""
        lines = ["module {", f"  npu.program @{name} attributes {{config = {config}{extra}}} {{"]
        for kind, size in self.regions:
            lines.append(f'    npu.region "{kinds[kind]}", {size}')
        for tname, region, shape, strides, offset, scale, zp in self.tensor_sources:
            lines.append(f'    npu.tensor "{tname}" ' + attrs({
                "region": f"{region} : i64",
                "shape": "array<i64: " + ", ".join(map(str, shape)) + ">",
                "strides": "array<i64: " + ", ".join(map(str, strides)) + ">",
                "offset": f"{offset} : i64", "scale": f32(scale),
                "zero_point": f"{zp} : i64"}))
        if self.constants:
            lines.append(f'    npu.constants dense<"0x{bytes(self.constants).hex().upper()}"> : '
                         f"tensor<{len(self.constants)}xi8>")
        for ins_name, fields in self.sources:
            ins = ISA.by_name[ins_name]
            values = {}
            for key, value in fields.items():
                f = ins.field(key)
                if f.enum:
                    if not isinstance(value, str):
                        value = {v: k for k, v in ISA.enums[f.enum].items()}[value]
                    values[key] = f'"{value}"'
                elif f.width == 1:
                    values[key] = "true" if value else "false"
                else:
                    values[key] = f"{int(value)} : i64"
            lines.append(f"    npu.{ins_name.lower()}" + (" " + attrs(values) if values else ""))
        lines += ["  }", "}"]
        return "\n".join(lines) + "\n"


def write_npub(config, sections):
    """sections: list of (kind name, bytes); each starts 64-byte aligned."""
    header_bytes = HEADER_BYTES + SECTION_ENTRY_BYTES * len(sections)
    body = bytearray()
    table = []
    offset = (header_bytes + 63) // 64 * 64
    for kind, data in sections:
        while (offset + len(body)) % 64:
            body.append(0)
        table.append((SECTION_KINDS[kind], offset + len(body), len(data), fnv1a64(data)))
        body += data
    pad = (header_bytes + 63) // 64 * 64 - header_bytes
    file_bytes = header_bytes + pad + len(body)
    header = bytearray(b"MUONNPUB")
    header += struct.pack("<IIQII", FORMAT_VERSION, ISA.version, file_bytes, header_bytes,
                          len(sections))
    header += struct.pack("<6I", *(config[k] for k in CONFIG_FIELDS))
    header += struct.pack("<QQII", config_hash(config), 0, ISA.instruction_bytes, 0)
    for kind, off, size, checksum in table:
        header += struct.pack("<IIQQQ", kind, 0, off, size, checksum)
    struct.pack_into("<Q", header, 64, fnv1a64(header))
    return bytes(header) + bytes(pad) + bytes(body)
