/* api_example.c - the runtime's API as an application uses it, with static
 * memory only: load gemm's model.npub, bind x and y by name, run, write y's
 * bytes (device layout) to a file. Also shows the errors for a device with
 * another configuration and for a missing binding. */
#include "runtime/npu/npu_runtime.h"

#include <stdio.h>
#include <string.h>

static unsigned char file[1 << 16];
static _Alignas(64) unsigned char memory[1 << 20];
static signed char x[200], y[160];

int main(int argc, char **argv) {
  muon_npu_model model;
  muon_npu_error error;
  muon_npu_stats stats;
  muon_npu_hw_config device = muon_npu_default_config();
  size_t size;
  FILE *f;
  if (argc != 4 || !(f = fopen(argv[1], "rb")))
    return 2;
  size = fread(file, 1, sizeof file, f);
  fclose(f);
  if (!(f = fopen(argv[2], "rb")) || fread(x, 1, sizeof x, f) != sizeof x)
    return 2;
  fclose(f);

  device.block = 32;
  if (muon_npu_load(&model, file, size, &device, &error) == 0)
    return 1;
  printf("BLOCK 32 device: %s\n", error.message);

  if (muon_npu_load(&model, file, size, NULL, &error) ||
      muon_npu_memory_size(&model, MUON_NPU_CHECK_HAZARDS) > sizeof memory ||
      muon_npu_attach_memory(&model, memory, sizeof memory,
                             MUON_NPU_CHECK_HAZARDS, &error) ||
      muon_npu_bind_name(&model, "x", x, sizeof x, &error)) {
    printf("error: %s\n", error.message);
    return 1;
  }
  if (muon_npu_run(&model, NULL, &stats, NULL, 0, &error) == 0)
    return 1;
  printf("without y bound: %s (%s)\n", error.message,
         muon_npu_status_name(error.code));
  if (muon_npu_bind_name(&model, "z", y, sizeof y, &error) == 0)
    return 1;
  printf("binding z: %s\n", error.message);
  if (muon_npu_bind_name(&model, "y", y, sizeof y, &error) ||
      muon_npu_run(&model, NULL, &stats, NULL, 0, &error)) {
    printf("error: %s\n", error.message);
    return 1;
  }
  printf("ran in %llu cycles\n", (unsigned long long)stats.cycles);
  if (!(f = fopen(argv[3], "wb")) || fwrite(y, 1, sizeof y, f) != sizeof y)
    return 2;
  return fclose(f) != 0;
}
