/* requant_cases.c - applies runtime/common/requant.h to the cases in a file
 * of little-endian int32 7-tuples (acc, bias, multiplier, shift, zero point,
 * clamp min, clamp max) and writes one int8 per case. */
#include "runtime/common/requant.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  FILE *in, *out;
  unsigned char bytes[28];
  if (argc != 3 || !(in = fopen(argv[1], "rb")) ||
      !(out = fopen(argv[2], "wb")))
    return 2;
  while (fread(bytes, 1, sizeof bytes, in) == sizeof bytes) {
    int32_t v[7];
    int i;
    int8_t q;
    for (i = 0; i < 7; ++i) {
      uint32_t u = (uint32_t)bytes[4 * i] | (uint32_t)bytes[4 * i + 1] << 8 |
                   (uint32_t)bytes[4 * i + 2] << 16 |
                   (uint32_t)bytes[4 * i + 3] << 24;
      memcpy(&v[i], &u, 4);
    }
    q = muon_requantize(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    fputc((unsigned char)q, out);
  }
  return fclose(out) != 0;
}
