/* harness.c — times one Muon-compiled model, as an application would call it.
 *
 *   cc -O2 -std=c11 -I DIR harness.c DIR/model.o -o bench   (DIR has model.h,
 * call.h)
 *   ./bench WARMUP RUNS INPUT.bin...
 *
 * call.h, written by bench.py from the generated header, declares the model's
 * buffers (MODEL_INPUTS, MODEL_OUTPUTS, model_input_bytes[],
 * model_output_bytes[], MODEL_WORKSPACE_BYTES, MODEL_WORKSPACE_ALIGNMENT) and
 * model_call(), which calls <name>_run. Inputs are read from raw files (C
 * order); outputs, inputs and the workspace are allocated once. After WARMUP
 * untimed calls, each of RUNS calls is timed on its own with CLOCK_MONOTONIC;
 * prints one JSON object with the minimum and the median in microseconds.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call.h"

static void *allocate(size_t bytes, size_t align) {
  size_t rounded = (bytes + align - 1) / align * align;
  void *p = aligned_alloc(align, rounded ? rounded : align);
  if (!p) {
    fprintf(stderr, "out of memory (%zu bytes)\n", bytes);
    exit(2);
  }
  memset(p, 0, rounded ? rounded : align);
  return p;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 3 + MODEL_INPUTS) {
    fprintf(stderr, "usage: %s WARMUP RUNS INPUT.bin x%d\n", argv[0],
            MODEL_INPUTS);
    return 2;
  }
  long warmup = atol(argv[1]), runs = atol(argv[2]);
  if (runs < 1) {
    fprintf(stderr, "RUNS must be at least 1\n");
    return 2;
  }
  void *inputs[MODEL_INPUTS + 1], *outputs[MODEL_OUTPUTS + 1];
  for (int i = 0; i < MODEL_INPUTS; ++i) {
    inputs[i] = allocate(model_input_bytes[i], 64);
    FILE *f = fopen(argv[3 + i], "rb");
    if (!f ||
        fread(inputs[i], 1, model_input_bytes[i], f) != model_input_bytes[i]) {
      fprintf(stderr, "%s: cannot read %zu bytes\n", argv[3 + i],
              model_input_bytes[i]);
      return 2;
    }
    fclose(f);
  }
  for (int i = 0; i < MODEL_OUTPUTS; ++i)
    outputs[i] = allocate(model_output_bytes[i], 64);
  void *workspace = MODEL_WORKSPACE_BYTES ? allocate(MODEL_WORKSPACE_BYTES,
                                                     MODEL_WORKSPACE_ALIGNMENT)
                                          : NULL;

  for (long i = 0; i < warmup; ++i)
    if (model_call(inputs, outputs, workspace) != 0) {
      fprintf(stderr, "the model returned an error\n");
      return 3;
    }
  double *times = malloc(sizeof(double) * (size_t)runs);
  for (long i = 0; i < runs; ++i) {
    double start = seconds();
    model_call(inputs, outputs, workspace);
    times[i] = (seconds() - start) * 1e6;
  }
  qsort(times, (size_t)runs, sizeof(double), compare);
  printf("{\"runs\": %ld, \"min_us\": %.3f, \"median_us\": %.3f}\n", runs,
         times[0], times[runs / 2]);
  return 0;
}
