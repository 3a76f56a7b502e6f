"""Edits a generated HLS top function (argv[1]) to break each rule of the
synthesizability lint once (test/hls/lint.test), in this order."""
import sys

path = sys.argv[1]
source = open(path).read()
source = source.replace('#include "muon_hls.h"\n',
                        '#include "muon_hls.h"\n#include <vector>\n#if 1\n#endif\n', 1)
helper = '''
struct Base { virtual int f(); };
void helper(int8_t x[4]);
int8_t helper(int depth) {
  int8_t scratch[4];
  int8_t *heap = new int8_t[4];
  while (depth > 0) --depth;
  for (int i = 0; i < depth; ++i) {}
  MUON_HLS_PRAGMA(HLS LATENCY min=1)
  MUON_HLS_PRAGMA(HLS ARRAY_PARTITION variable=scratch cyclic factor=8192)
  for (int i = 0; i < 5000; ++i) {
    MUON_HLS_PRAGMA(HLS UNROLL)
  }
  scratch[0] = *(scratch + 1);
  residual(scratch, scratch);
  return heap->x;
}
'''
top = source.index('\nvoid ')
source = source[:top] + helper + source[top:]
body = source.index('{\n', source.index('\nvoid residual(')) + 2
source = source[:body] + '  helper(0);\n' + source[body:]
open(path, 'w').write(source)
