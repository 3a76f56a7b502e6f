// npu-isa-roundtrip: the encoding round trip between the three generated
// views of targets/npu/isa.json. Reads raw 32-byte instructions (written by
// the Python encoder), and for each one
//   - prints the runtime's disassembly (the C field table),
//   - decodes it with the runtime's typed C decoder and re-encodes the values
//     with the compiler's C++ encoder, failing if the bytes differ.
#include "runtime/npu/npu_isa.h"
#include "runtime/npu/npu_runtime.h"
#include "targets/npu/NpuIsa.h"

#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: npu-isa-roundtrip instructions.bin\n");
    return 2;
  }
  std::FILE *file = std::fopen(argv[1], "rb");
  if (!file) {
    std::fprintf(stderr, "npu-isa-roundtrip: cannot read %s\n", argv[1]);
    return 2;
  }
  std::vector<uint8_t> bytes;
  for (int c; (c = std::fgetc(file)) != EOF;)
    bytes.push_back(uint8_t(c));
  std::fclose(file);
  if (bytes.size() % muon::npu::kInstructionBytes) {
    std::fprintf(stderr,
                 "npu-isa-roundtrip: %zu bytes is not a multiple of %u\n",
                 bytes.size(), muon::npu::kInstructionBytes);
    return 2;
  }
  int failures = 0;
  for (size_t at = 0; at < bytes.size(); at += muon::npu::kInstructionBytes) {
    const uint8_t *instr = bytes.data() + at;
    char text[1024];
    muon_npu_disassemble(instr, text, sizeof text);
    std::printf("%s\n", text);
    int64_t values[64];
    unsigned count = muon_npu_decode_values(instr, values);
    muon::npu::InstructionBits encoded;
    const char *bad = muon::npu::encodeFields(muon_npu_opcode_of(instr), values,
                                              count, encoded);
    if (bad || std::memcmp(encoded.data(), instr, encoded.size()) != 0) {
      std::fprintf(stderr,
                   "instruction %zu: the C++ encoder gives different bytes "
                   "(field %s)\n",
                   at / muon::npu::kInstructionBytes, bad ? bad : "-");
      ++failures;
    }
  }
  return failures ? 1 : 0;
}
