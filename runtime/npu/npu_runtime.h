/* npu_runtime.h - the Muon NPU runtime: loads a .npub program, validates it,
 * and runs it on a bit-exact functional simulator with a cycle model.
 *
 * C99, no dependencies, no malloc: the caller owns every byte. The usual
 * sequence is
 *
 *   muon_npu_model model;
 *   muon_npu_error error;
 *   if (muon_npu_load(&model, file_bytes, file_size, NULL, &error)) ...
 *   unsigned flags = MUON_NPU_CHECK_HAZARDS;          // or 0
 *   size_t bytes = muon_npu_memory_size(&model, flags);
 *   muon_npu_attach_memory(&model, memory, bytes, flags, &error);
 *   muon_npu_bind_name(&model, "x", x, x_bytes, &error);
 *   muon_npu_bind_name(&model, "y", y, y_bytes, &error);
 *   muon_npu_run(&model, NULL, &stats, NULL, 0, &error);
 *
 * memory is 64-byte aligned; x and y are in the tensors' device layout
 * (muon_npu_tensor describes it).
 *
 * The file bytes must outlive the model: instructions, constants and
 * descriptors are read from them in place. The format and the instruction
 * semantics are in docs/npu-isa.md. */
#ifndef MUON_RUNTIME_NPU_NPU_RUNTIME_H
#define MUON_RUNTIME_NPU_NPU_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes: every function returns 0 or one of these. */
enum muon_npu_status {
  MUON_NPU_OK = 0,
  MUON_NPU_ERROR_ARGUMENT = 1,  /* a NULL pointer, an index out of range */
  MUON_NPU_ERROR_TRUNCATED = 2, /* the file ends before a structure does */
  MUON_NPU_ERROR_FORMAT = 3,    /* magic, version, header fields */
  MUON_NPU_ERROR_CHECKSUM = 4,  /* header or section checksum mismatch */
  MUON_NPU_ERROR_CONFIG = 5,    /* hardware configuration mismatch or invalid */
  MUON_NPU_ERROR_SECTION = 6,   /* a section missing, repeated, overlapping */
  MUON_NPU_ERROR_REGION = 7,    /* a region descriptor */
  MUON_NPU_ERROR_TENSOR = 8,    /* a tensor descriptor */
  MUON_NPU_ERROR_INSTRUCTION = 9, /* an undecodable or ill-formed instruction */
  MUON_NPU_ERROR_ADDRESS =
      10, /* an instruction reaches outside a buffer or region */
  MUON_NPU_ERROR_TOKEN =
      11, /* dependency tokens unbalanced or waited for too early */
  MUON_NPU_ERROR_MEMORY = 12, /* caller memory too small or misaligned */
  MUON_NPU_ERROR_BIND = 13,   /* an input or output not bound, or too small */
  MUON_NPU_ERROR_HAZARD = 14  /* two stages touch the same data unordered */
};

/* Options of muon_npu_memory_size and muon_npu_attach_memory. */
enum muon_npu_memory_flags {
  /* Check during runs that every pair of instructions on different stages
   * that touch the same buffer entry or DRAM byte (one of them writing) is
   * ordered by a chain of tokens; otherwise the run stops with
   * MUON_NPU_ERROR_HAZARD. Costs 16 bytes per buffer entry and 8 bytes per
   * byte of workspace and output regions. */
  MUON_NPU_CHECK_HAZARDS = 1
};

typedef struct muon_npu_error {
  int code;
  char message[256];
} muon_npu_error;

/* What a program is compiled for; its hash is in the .npub header. */
typedef struct muon_npu_hw_config {
  uint32_t block;        /* the MAC array is block x block */
  uint32_t ibuf_entries; /* int8[block] each */
  uint32_t wbuf_entries; /* int8[block][block] each */
  uint32_t acc_entries;  /* int32[block] each */
  uint32_t obuf_entries; /* int8[block] each */
  uint32_t
      pbuf_entries; /* block x {bias, multiplier, shift, zero point} int32 */
} muon_npu_hw_config;

/* Cycle model parameters; they do not change results, only the cycle count. */
typedef struct muon_npu_timing {
  uint32_t dma_bytes_per_cycle; /* DRAM bandwidth */
  uint32_t dma_latency_cycles;  /* fixed cost of every LOAD and STORE */
  uint32_t
      compute_setup_cycles; /* fixed cost of every GEMM, ALU, REQUANT, POOL */
} muon_npu_timing;

typedef struct muon_npu_stats {
  uint64_t cycles;           /* until FINISH, with load/compute/store overlap */
  uint64_t load_busy_cycles; /* cycles each stage spent executing */
  uint64_t compute_busy_cycles;
  uint64_t store_busy_cycles;
  uint64_t macs; /* multiply-accumulates done by GEMM (block^2 per step) */
  uint64_t gemm_steps;   /* matrix-vector products (one per cycle) */
  uint64_t bytes_loaded; /* DRAM bytes read by LOAD */
  uint64_t bytes_stored; /* DRAM bytes written by STORE */
  uint64_t instructions;
  double mac_utilisation; /* macs / (cycles * block^2) */
} muon_npu_stats;

/* Per layer (LAYER instructions): instructions from one marker to the next. */
typedef struct muon_npu_layer_stats {
  uint64_t first_start; /* cycle the layer's first instruction starts */
  uint64_t last_end;    /* cycle its last instruction ends */
  uint64_t compute_busy_cycles;
  uint64_t macs;
  uint64_t bytes_loaded;
  uint64_t bytes_stored;
  uint64_t instructions;
} muon_npu_layer_stats;

enum {
  MUON_NPU_MAX_REGIONS = 64,
  MUON_NPU_MAX_RANK = 6,
  MUON_NPU_NAME_BYTES = 64
};

enum muon_npu_region_kind {
  MUON_NPU_REGION_CONSTANTS =
      0, /* region 0, the CONSTANTS section, read-only */
  MUON_NPU_REGION_WORKSPACE =
      1,                     /* in the memory given to muon_npu_attach_memory */
  MUON_NPU_REGION_INPUT = 2, /* bound by the caller */
  MUON_NPU_REGION_OUTPUT = 3 /* bound by the caller */
};

/* A tensor descriptor, decoded. The element at index (i0, .., i_rank-1) is the
 * int8 at region byte offset + sum(i_d * strides[d]); its real value is
 * scale * (q - zero_point). */
typedef struct muon_npu_tensor_info {
  const char *name; /* NUL-terminated, inside the file */
  uint32_t region;
  uint32_t region_kind;
  uint32_t rank;
  int32_t zero_point;
  float scale;
  uint64_t offset;
  uint32_t dims[MUON_NPU_MAX_RANK];
  uint32_t strides[MUON_NPU_MAX_RANK]; /* bytes */
  uint64_t elements;
  uint64_t region_bytes; /* what muon_npu_bind needs */
} muon_npu_tensor_info;

/* A loaded program. Fields are private to the runtime. */
typedef struct muon_npu_model {
  const uint8_t *file;
  size_t file_size;
  muon_npu_hw_config config;
  const uint8_t *instructions;
  uint32_t instruction_count;
  const uint8_t *constants;
  uint64_t constants_size;
  const uint8_t *tensors;
  uint32_t tensor_count;
  const uint8_t *layer_names;
  uint32_t layer_count; /* names in the LAYERS section (0: none) */
  uint32_t max_layer_id_plus_one;
  uint32_t region_count; /* including region 0 */
  uint32_t region_kind[MUON_NPU_MAX_REGIONS];
  uint64_t region_size[MUON_NPU_MAX_REGIONS];
  uint64_t region_arena_offset[MUON_NPU_MAX_REGIONS];
  uint32_t
      token_capacity[4]; /* most tokens outstanding per queue, program order */
  uint64_t buffer_offset[5]; /* of each on-chip buffer in the arena */
  uint64_t token_offset;
  uint64_t arena_size;       /* without hazard checks */
  uint64_t hazard_offset[5]; /* per-entry access records of each buffer */
  uint64_t region_hazard_offset[MUON_NPU_MAX_REGIONS]; /* per byte */
  uint64_t checked_arena_size;                         /* with hazard checks */
  unsigned flags;
  uint64_t serial_cycles; /* sum of instruction costs at default timing: a bound
                             on the work */
  uint8_t *arena;
  uint8_t *region_base[MUON_NPU_MAX_REGIONS];
} muon_npu_model;

/* The hardware this runtime was built to model by default. */
muon_npu_hw_config muon_npu_default_config(void);
muon_npu_timing muon_npu_default_timing(void);
/* FNV-1a 64 of the configuration, as stored in the .npub header. */
uint64_t muon_npu_config_hash(const muon_npu_hw_config *config);
/* FNV-1a 64, the checksum of the header and of every section. */
uint64_t muon_npu_fnv1a64(const void *data, size_t size);

/* Parses and validates a .npub file. `device` is the hardware to run on; NULL
 * accepts the configuration the file was compiled for (the simulator can be
 * any). On failure, returns an error code and explains it in `error`. */
int muon_npu_load(muon_npu_model *model, const void *data, size_t size,
                  const muon_npu_hw_config *device, muon_npu_error *error);

/* Bytes of memory muon_npu_attach_memory needs with `flags`: the on-chip
 * buffers, the workspace regions, the cycle model's token queues, and the
 * access records of MUON_NPU_CHECK_HAZARDS. */
size_t muon_npu_memory_size(const muon_npu_model *model, unsigned flags);
/* Gives the model its memory (64-byte aligned, muon_npu_memory_size bytes
 * for the same flags). */
int muon_npu_attach_memory(muon_npu_model *model, void *memory, size_t size,
                           unsigned flags, muon_npu_error *error);

uint32_t muon_npu_tensor_count(const muon_npu_model *model);
/* Index of the tensor called `name`, or -1. */
int muon_npu_find_tensor(const muon_npu_model *model, const char *name);
int muon_npu_tensor(const muon_npu_model *model, uint32_t index,
                    muon_npu_tensor_info *info);
/* Binds the caller's bytes to the input or output region of tensor `index`;
 * `size` must be at least info.region_bytes. Data is in the descriptor's
 * layout (strides), int8. */
int muon_npu_bind(muon_npu_model *model, uint32_t index, void *data,
                  size_t size, muon_npu_error *error);

/* muon_npu_bind for the tensor called `name`. */
int muon_npu_bind_name(muon_npu_model *model, const char *name, void *data,
                       size_t size, muon_npu_error *error);

/* Runs the program: the functional simulator executes the instructions in
 * program order, and the cycle model times them. `timing` NULL uses the
 * defaults. `layers` may be NULL; otherwise it receives the statistics of up
 * to `layer_capacity` layers (muon_npu_layer_count). */
int muon_npu_run(muon_npu_model *model, const muon_npu_timing *timing,
                 muon_npu_stats *stats, muon_npu_layer_stats *layers,
                 uint32_t layer_capacity, muon_npu_error *error);

/* The program's cycles at default timing if no stage overlapped: an upper
 * bound on the length of a run, known before running it. */
uint64_t muon_npu_serial_cycles(const muon_npu_model *model);

/* Number of layer ids the program uses (highest LAYER id + 1). */
uint32_t muon_npu_layer_count(const muon_npu_model *model);
/* The LAYERS section's name of `layer`, or NULL. */
const char *muon_npu_layer_name(const muon_npu_model *model, uint32_t layer);

/* Writes one instruction as text ("GEMM reset=1 acc=0 ..."); returns the
 * length it needed (like snprintf). Works on any 32 bytes. */
int muon_npu_disassemble(const uint8_t *instruction, char *text, size_t size);

const char *muon_npu_status_name(int code);

#ifdef __cplusplus
}
#endif

#endif /* MUON_RUNTIME_NPU_NPU_RUNTIME_H */
