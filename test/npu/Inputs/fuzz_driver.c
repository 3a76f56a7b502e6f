/* fuzz_driver.c - loads every .npub named on the command line and runs the
 * ones the loader accepts (inputs bound to patterned bytes). Built with
 * -fsanitize=address,undefined by fuzz.test: any out-of-bounds access or
 * undefined behaviour aborts. Also fails when the loader rejects a file
 * without a message, or when a run of an accepted file fails. */
#include "runtime/npu/npu_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Accepted programs that would take long or need much memory (a mutated
 * loop extent can ask for 2^64 steps) are loaded and validated, not run. */
#define MAX_SERIAL_CYCLES 20000000u
#define MAX_MEMORY (4u << 20)

static unsigned char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  unsigned char *data;
  long length;
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  length = ftell(f);
  fseek(f, 0, SEEK_SET);
  data = (unsigned char *)malloc(length > 0 ? (size_t)length : 1);
  if (data && fread(data, 1, (size_t)length, f) != (size_t)length) {
    free(data);
    data = NULL;
  }
  fclose(f);
  *size = (size_t)length;
  return data;
}

int main(int argc, char **argv) {
  unsigned rejected[16] = {0};
  unsigned ran = 0, not_run = 0, hazards = 0, failures = 0;
  int i;
  for (i = 1; i < argc; ++i) {
    size_t size, memory_size;
    unsigned char *file = read_file(argv[i], &size), *memory, *buffers[64];
    muon_npu_model model;
    muon_npu_error error;
    muon_npu_stats stats;
    uint32_t t;
    int status;
    if (!file) {
      fprintf(stderr, "%s: cannot read\n", argv[i]);
      return 1;
    }
    status = muon_npu_load(&model, file, size, NULL, &error);
    if (status) {
      if (status < 0 || status >= 16 || error.code != status ||
          !error.message[0]) {
        fprintf(stderr, "%s: rejected with code %d and no message\n", argv[i],
                status);
        ++failures;
      } else
        ++rejected[status];
      free(file);
      continue;
    }
    memory_size = muon_npu_memory_size(&model, MUON_NPU_CHECK_HAZARDS);
    for (t = 0; t < muon_npu_tensor_count(&model); ++t) {
      muon_npu_tensor_info info;
      muon_npu_tensor(&model, t, &info);
      if (info.region_bytes > MAX_MEMORY)
        memory_size = (size_t)-1; /* an input or output too large to bind */
    }
    if (muon_npu_serial_cycles(&model) > MAX_SERIAL_CYCLES ||
        memory_size > MAX_MEMORY) {
      ++not_run;
      free(file);
      continue;
    }
    memory = (unsigned char *)malloc(memory_size + 64);
    status =
        muon_npu_attach_memory(&model, memory + (64 - (size_t)memory % 64) % 64,
                               memory_size, MUON_NPU_CHECK_HAZARDS, &error);
    for (t = 0; t < muon_npu_tensor_count(&model); ++t) {
      muon_npu_tensor_info info;
      muon_npu_tensor(&model, t, &info);
      /* Exactly the region's size, so ASan sees any byte beyond it. */
      buffers[t] = (unsigned char *)malloc((size_t)info.region_bytes);
      memset(buffers[t], (int)(t * 37 + 11), (size_t)info.region_bytes);
      status |= muon_npu_bind(&model, t, buffers[t], (size_t)info.region_bytes,
                              &error);
    }
    if (status == 0)
      status = muon_npu_run(&model, NULL, &stats, NULL, 0, &error);
    if (status == MUON_NPU_ERROR_HAZARD && error.message[0])
      ++hazards; /* a mutated token flag: stopped by the hazard check */
    else if (status) {
      fprintf(stderr, "%s: accepted by the loader, then failed: %s\n", argv[i],
              error.message);
      ++failures;
    } else
      ++ran;
    for (t = 0; t < muon_npu_tensor_count(&model); ++t)
      free(buffers[t]);
    free(memory);
    free(file);
  }
  printf("%d files: %u ran, %u stopped by the hazard check, %u accepted but "
         "not run (too long or too large), %u failures\nrejected:",
         argc - 1, ran, hazards, not_run, failures);
  for (i = 1; i < 16; ++i)
    if (rejected[i])
      printf(" %s %u,", muon_npu_status_name(i), rejected[i]);
  printf("\n");
  return failures ? 1 : 0;
}
