/* npu_internal.h - what the loader and the simulator share: the container
 * layout (docs/npu-isa.md, "The .npub container"), little-endian readers,
 * the per-instruction geometry both the validator and the cycle model use. */
#ifndef MUON_RUNTIME_NPU_NPU_INTERNAL_H
#define MUON_RUNTIME_NPU_NPU_INTERNAL_H

#include "runtime/npu/npu_isa.h"
#include "runtime/npu/npu_runtime.h"

#include <stdarg.h>

/* Container layout. */
enum {
  NPUB_FORMAT_VERSION = 1,
  NPUB_HEADER_BYTES = 80,
  NPUB_SECTION_ENTRY_BYTES = 32,
  NPUB_MAX_SECTIONS = 16,
  NPUB_REGION_ENTRY_BYTES = 16,
  NPUB_TENSOR_ENTRY_BYTES = 144,
  NPUB_LIST_HEADER_BYTES =
      8, /* count + reserved, before region/tensor/layer entries */
  NPUB_DTYPE_INT8 = 1
};

enum npub_section_kind {
  NPUB_SECTION_INSTRUCTIONS = 1,
  NPUB_SECTION_CONSTANTS = 2,
  NPUB_SECTION_REGIONS = 3,
  NPUB_SECTION_TENSORS = 4,
  NPUB_SECTION_LAYERS = 5
};

/* Token queues between the three stages. */
enum npu_queue {
  NPU_QUEUE_LOAD_TO_COMPUTE = 0,
  NPU_QUEUE_COMPUTE_TO_LOAD = 1,
  NPU_QUEUE_COMPUTE_TO_STORE = 2,
  NPU_QUEUE_STORE_TO_COMPUTE = 3,
  NPU_QUEUE_NONE = -1
};

static inline uint32_t npu_read_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static inline uint64_t npu_read_u64(const uint8_t *p) {
  return (uint64_t)npu_read_u32(p) | (uint64_t)npu_read_u32(p + 4) << 32;
}

static inline int32_t npu_read_i32(const uint8_t *p) {
  uint32_t u = npu_read_u32(p);
  return (int32_t)((int64_t)(u ^ 0x80000000u) - (int64_t)0x80000000);
}

/* A token in flight: when it was signalled, and what its signaller knew to
 * be complete then (known[stage] = index + 1 of the last instruction of that
 * stage), for the hazard check's happens-before relation. */
typedef struct npu_token {
  uint64_t time;
  uint32_t known[4];
} npu_token;

/* Bytes of one entry of each on-chip buffer (ACC: lanes, 4 bytes each). */
uint64_t npu_entry_bytes(const muon_npu_hw_config *config, unsigned buffer);
uint64_t npu_buffer_entries(const muon_npu_hw_config *config, unsigned buffer);

/* The stage an instruction runs on (SYNC names it in a field). */
static inline unsigned npu_stage_of(const uint8_t *bits,
                                    const muon_npu_instr_info *info) {
  if (info->stage == MUON_NPU_STAGE_FROM_FIELD) {
    muon_npu_sync_instr sync;
    muon_npu_decode_sync(bits, &sync);
    return sync.stage;
  }
  return info->stage;
}

/* The queue a dependency flag of an instruction of `stage` refers to: the
 * neighbour before or after it, waiting (pop) or signalling (push). */
int npu_queue_of(unsigned stage, int is_prev, int is_push);

/* The cost of one instruction in cycles and what it moves and computes. */
typedef struct npu_cost {
  uint64_t cycles;
  uint64_t macs_steps; /* GEMM matrix-vector products */
  uint64_t bytes_loaded;
  uint64_t bytes_stored;
} npu_cost;
npu_cost npu_instruction_cost(const uint8_t *instr,
                              const muon_npu_timing *timing);

/* Names of the buffers (MUON_NPU_BUFFER_*), region kinds and token queues
 * (NPU_QUEUE_*, as seen by the instruction that pops or pushes), for
 * messages. */
extern const char *const npu_buffer_names[5];
extern const char *const npu_region_kind_names[4];
extern const char *const npu_queue_names[4];

/* Checks every instruction of a model whose regions are loaded on its own,
 * then the token protocol over the whole stream in program order
 * (npu_validate.c); 0 or an error code with `error` set. */
int npu_validate_instructions(muon_npu_model *m, muon_npu_error *error);

/* Sets `error` and returns `code`. */
int npu_fail(muon_npu_error *error, int code, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif /* MUON_RUNTIME_NPU_NPU_INTERNAL_H */
