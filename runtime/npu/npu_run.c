/* npu_run.c - the functional simulator and the cycle model.
 *
 * The simulator executes the instructions in program order with the exact
 * integer semantics of docs/npu-isa.md. The cycle model times the same stream
 * on three in-order stages (load, compute, store) that overlap as far as the
 * dependency tokens allow: an instruction starts when its stage is free and
 * every token it waits for has been signalled, and its tokens are signalled
 * when it ends. muon_npu_load has checked every address, so nothing here
 * checks bounds again. */
#include "runtime/common/requant.h"
#include "runtime/npu/npu_internal.h"

#include <stdio.h>
#include <string.h>

muon_npu_timing muon_npu_default_timing(void) {
  muon_npu_timing timing;
  timing.dma_bytes_per_cycle = 16;
  timing.dma_latency_cycles = 64;
  timing.compute_setup_cycles = 4;
  return timing;
}

static uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

/* DMA time of a tile: a row whose elements are contiguous in DRAM is one
 * burst, otherwise every element is its own burst. Padding is written on chip
 * in the shadow of the transfer and costs nothing. */
static uint64_t dma_cycles(const muon_npu_timing *timing, uint32_t rows,
                           uint32_t cols, uint32_t elem_bytes,
                           uint32_t elem_stride) {
  uint64_t bandwidth =
      timing->dma_bytes_per_cycle ? timing->dma_bytes_per_cycle : 1;
  uint64_t per_row = elem_stride == elem_bytes
                         ? ceil_div((uint64_t)cols * elem_bytes, bandwidth)
                         : (uint64_t)cols * ceil_div(elem_bytes, bandwidth);
  return timing->dma_latency_cycles + (uint64_t)rows * per_row;
}

npu_cost npu_instruction_cost(const uint8_t *bits,
                              const muon_npu_timing *timing) {
  npu_cost cost = {0, 0, 0, 0};
  switch (muon_npu_opcode_of(bits)) {
  case MUON_NPU_OP_LOAD: {
    muon_npu_load_instr in;
    muon_npu_decode_load(bits, &in);
    cost.cycles =
        dma_cycles(timing, in.rows, in.cols, in.elem_bytes, in.elem_stride);
    cost.bytes_loaded = (uint64_t)in.rows * in.cols * in.elem_bytes;
    break;
  }
  case MUON_NPU_OP_STORE: {
    muon_npu_store_instr in;
    muon_npu_decode_store(bits, &in);
    cost.cycles =
        dma_cycles(timing, in.rows, in.cols, in.elem_bytes, in.elem_stride);
    cost.bytes_stored = (uint64_t)in.rows * in.cols * in.elem_bytes;
    break;
  }
  case MUON_NPU_OP_GEMM: {
    muon_npu_gemm_instr in;
    muon_npu_decode_gemm(bits, &in);
    cost.macs_steps = (uint64_t)in.n0 * in.n1 * in.k0 * in.k1;
    cost.cycles = timing->compute_setup_cycles + cost.macs_steps;
    break;
  }
  case MUON_NPU_OP_ALU: {
    muon_npu_alu_instr in;
    muon_npu_decode_alu(bits, &in);
    cost.cycles = timing->compute_setup_cycles + (uint64_t)in.n0 * in.n1;
    break;
  }
  case MUON_NPU_OP_REQUANT: {
    muon_npu_requant_instr in;
    muon_npu_decode_requant(bits, &in);
    cost.cycles = timing->compute_setup_cycles + (uint64_t)in.n0 * in.n1;
    break;
  }
  case MUON_NPU_OP_POOL: {
    muon_npu_pool_instr in;
    muon_npu_decode_pool(bits, &in);
    cost.cycles = timing->compute_setup_cycles +
                  (uint64_t)in.n0 * in.n1 * in.win_h * in.win_w;
    break;
  }
  case MUON_NPU_OP_SYNC:
    cost.cycles = 1;
    break;
  }
  return cost;
}

/* The machine state during a run. */
typedef struct npu_machine {
  const muon_npu_model *model;
  uint32_t block;
  int8_t *ibuf;
  int8_t *wbuf;
  int32_t *acc;
  int8_t *obuf;
  uint8_t *pbuf;
  /* Hazard checks (NULL records: off). The instruction being executed, its
   * stage, and known[s]: index + 1 of the last instruction of stage s that
   * is certainly complete when it starts (through same-stage order and the
   * tokens it waited for, transitively). */
  uint32_t *entry_records[5];                   /* 4 per entry */
  uint32_t *byte_records[MUON_NPU_MAX_REGIONS]; /* 2 per byte */
  uint32_t index;
  unsigned stage;
  uint32_t known[4];
  int hazard;
  muon_npu_error *error;
} npu_machine;

static const char *const stage_names[] = {"no", "load", "compute", "store"};
static const char *const buffer_entry_names[] = {
    "IBUF entry", "WBUF entry", "ACC entry", "OBUF entry", "PBUF entry"};

/* An access record: the stage in bits 30..31, the instruction's index + 1
 * below (0: no access yet). The loader limits programs to 2^30 - 2
 * instructions so that the index fits. */
#define RECORD_INDEX_MASK 0x3fffffffu
static uint32_t current_record(const npu_machine *mc) {
  return (uint32_t)mc->stage << 30 | (mc->index + 1);
}

/* Whether the recorded access may overlap the current instruction on
 * hardware: another stage, and no chain of tokens from its end to the
 * current instruction's start. */
static int unordered(const npu_machine *mc, uint32_t record) {
  unsigned stage = record >> 30;
  if (!record)
    return 0;
  return stage != mc->stage && mc->known[stage] < (record & RECORD_INDEX_MASK);
}

static void report_hazard(npu_machine *mc, uint32_t record, int writes,
                          int other_writes, const char *place,
                          unsigned long long at) {
  const uint8_t *mine =
      mc->model->instructions + (size_t)mc->index * MUON_NPU_INSTRUCTION_BYTES;
  uint32_t other_plus_one = record & RECORD_INDEX_MASK;
  const uint8_t *theirs =
      mc->model->instructions +
      (size_t)(other_plus_one - 1) * MUON_NPU_INSTRUCTION_BYTES;
  const muon_npu_instr_info *other_info =
      muon_npu_instr_info_of(muon_npu_opcode_of(theirs));
  mc->hazard = 1;
  npu_fail(mc->error, MUON_NPU_ERROR_HAZARD,
           "instruction %u (%s, %s stage) %s %s %llu, which instruction %u "
           "(%s, %s stage) %s before it, and no chain of tokens orders the "
           "two: on hardware they may overlap",
           mc->index, muon_npu_instr_info_of(muon_npu_opcode_of(mine))->name,
           stage_names[mc->stage], writes ? "writes" : "reads", place, at,
           other_plus_one - 1, other_info->name,
           stage_names[npu_stage_of(theirs, other_info)],
           other_writes ? "writes" : "reads");
}

/* Checks and records an access to one buffer entry. */
static void touch_entry(npu_machine *mc, unsigned buffer, uint64_t entry,
                        int writes) {
  uint32_t *record;
  unsigned stage;
  if (!mc->entry_records[buffer] || mc->hazard)
    return;
  record = mc->entry_records[buffer] + 4 * entry;
  if (unordered(mc, record[0])) {
    report_hazard(mc, record[0], writes, 1, buffer_entry_names[buffer], entry);
    return;
  }
  if (writes) {
    for (stage = 1; stage <= 3; ++stage)
      if (unordered(mc, record[stage])) {
        report_hazard(mc, record[stage], 1, 0, buffer_entry_names[buffer],
                      entry);
        return;
      }
    record[0] = current_record(mc);
  } else
    record[mc->stage] = current_record(mc);
}

/* Checks and records an access to `count` DRAM bytes (regions the program
 * writes only: inputs and constants are never written). */
static void touch_dram(npu_machine *mc, uint32_t region, uint64_t offset,
                       uint64_t count, int writes) {
  uint32_t *record;
  char place[32];
  uint64_t i;
  if (!mc->byte_records[region] || mc->hazard)
    return;
  for (i = 0; i < count; ++i) {
    record = mc->byte_records[region] + 2 * (offset + i);
    if (unordered(mc, record[0]) || (writes && unordered(mc, record[1]))) {
      int other_writes = unordered(mc, record[0]);
      snprintf(place, sizeof place, "region %u byte", (unsigned)region);
      report_hazard(mc, other_writes ? record[0] : record[1], writes,
                    other_writes, place, offset + i);
      return;
    }
    record[writes ? 0 : 1] = current_record(mc);
  }
}

static void execute_load(npu_machine *mc, const uint8_t *bits) {
  muon_npu_load_instr in;
  const uint8_t *dram;
  uint64_t entry_bytes, total_rows, total_cols, r, c, b;
  uint8_t *bytes = 0;
  muon_npu_decode_load(bits, &in);
  dram = mc->model->region_base[in.region] + in.dram_offset;
  switch (in.buffer) {
  case MUON_NPU_BUFFER_IBUF:
    bytes = (uint8_t *)mc->ibuf;
    break;
  case MUON_NPU_BUFFER_WBUF:
    bytes = (uint8_t *)mc->wbuf;
    break;
  case MUON_NPU_BUFFER_PBUF:
    bytes = mc->pbuf;
    break;
  }
  entry_bytes = in.buffer == MUON_NPU_BUFFER_ACC
                    ? mc->block
                    : npu_entry_bytes(&mc->model->config, in.buffer);
  total_rows = (uint64_t)in.pad_top + in.rows + in.pad_bottom;
  total_cols = (uint64_t)in.pad_left + in.cols + in.pad_right;
  for (r = 0; r < total_rows; ++r) {
    int row_inside = r >= in.pad_top && r < (uint64_t)in.pad_top + in.rows;
    for (c = 0; c < total_cols; ++c) {
      int inside =
          row_inside && c >= in.pad_left && c < (uint64_t)in.pad_left + in.cols;
      uint64_t entry = in.dst + r * in.dst_stride + c;
      const uint8_t *src = inside ? dram + (r - in.pad_top) * in.row_stride +
                                        (c - in.pad_left) * in.elem_stride
                                  : 0;
      touch_entry(mc, in.buffer, entry, 1);
      if (inside)
        touch_dram(mc, in.region,
                   (uint64_t)(src - mc->model->region_base[in.region]),
                   in.elem_bytes, 0);
      for (b = 0; b < entry_bytes; ++b) {
        int8_t value = (inside && b < in.elem_bytes) ? (int8_t)src[b]
                                                     : (int8_t)in.pad_value;
        if (in.buffer == MUON_NPU_BUFFER_ACC)
          mc->acc[entry * mc->block + b] = value;
        else
          bytes[entry * entry_bytes + b] = (uint8_t)value;
      }
    }
  }
}

static void execute_store(npu_machine *mc, const uint8_t *bits) {
  muon_npu_store_instr in;
  uint8_t *dram;
  uint64_t r, c;
  muon_npu_decode_store(bits, &in);
  dram = mc->model->region_base[in.region] + in.dram_offset;
  for (r = 0; r < in.rows; ++r)
    for (c = 0; c < in.cols; ++c) {
      uint64_t entry = in.src + r * in.cols + c;
      uint64_t offset = r * in.row_stride + c * in.elem_stride;
      touch_entry(mc, MUON_NPU_BUFFER_OBUF, entry, 0);
      touch_dram(mc, in.region, in.dram_offset + offset, in.elem_bytes, 1);
      memcpy(dram + offset, mc->obuf + entry * mc->block, in.elem_bytes);
    }
}

static void execute_gemm(npu_machine *mc, const uint8_t *bits) {
  muon_npu_gemm_instr in;
  uint32_t block = mc->block, i0, i1, r0, r1, lane, j;
  uint32_t sum[64]; /* int32 accumulation wraps: unsigned arithmetic */
  muon_npu_decode_gemm(bits, &in);
  for (i0 = 0; i0 < in.n0; ++i0)
    for (i1 = 0; i1 < in.n1; ++i1) {
      uint64_t acc_entry = (uint64_t)in.acc + (uint64_t)i0 * in.acc_s0 +
                           (uint64_t)i1 * in.acc_s1;
      int32_t *acc = mc->acc + acc_entry * block;
      touch_entry(mc, MUON_NPU_BUFFER_ACC, acc_entry, 1);
      for (lane = 0; lane < block; ++lane)
        sum[lane] = in.reset ? 0u : (uint32_t)acc[lane];
      for (r0 = 0; r0 < in.k0; ++r0)
        for (r1 = 0; r1 < in.k1; ++r1) {
          uint64_t x_entry = (uint64_t)in.inp + (uint64_t)i0 * in.inp_s0 +
                             (uint64_t)i1 * in.inp_s1 +
                             (uint64_t)r0 * in.inp_r0 +
                             (uint64_t)r1 * in.inp_r1;
          uint64_t w_entry = (uint64_t)in.wgt + (uint64_t)r0 * in.wgt_r0 +
                             (uint64_t)r1 * in.wgt_r1;
          const int8_t *x = mc->ibuf + x_entry * block;
          const int8_t *w = mc->wbuf + w_entry * block * block;
          touch_entry(mc, MUON_NPU_BUFFER_IBUF, x_entry, 0);
          touch_entry(mc, MUON_NPU_BUFFER_WBUF, w_entry, 0);
          for (lane = 0; lane < block; ++lane) {
            int32_t dot = 0; /* |dot| <= 64 * 128 * 128: no overflow */
            for (j = 0; j < block; ++j)
              dot += (int32_t)w[lane * block + j] * (int32_t)x[j];
            sum[lane] += (uint32_t)dot;
          }
        }
      for (lane = 0; lane < block; ++lane)
        acc[lane] =
            (int32_t)((int64_t)(sum[lane] ^ 0x80000000u) - (int64_t)0x80000000);
    }
}

static int32_t alu_apply(unsigned op, int32_t a, int32_t b) {
  switch (op) {
  case MUON_NPU_ALU_OP_MOV:
    return b;
  case MUON_NPU_ALU_OP_ADD:
    return muon_saturate_i32((int64_t)a + b);
  case MUON_NPU_ALU_OP_MAX:
    return a > b ? a : b;
  case MUON_NPU_ALU_OP_MIN:
    return a < b ? a : b;
  case MUON_NPU_ALU_OP_SHL:
    return muon_saturating_shift_left(a, b);
  case MUON_NPU_ALU_OP_SHR:
    return muon_rounding_shift_right(a, b);
  case MUON_NPU_ALU_OP_MULQ:
    return muon_srdhm(a, b);
  }
  return a;
}

static void execute_alu(npu_machine *mc, const uint8_t *bits) {
  muon_npu_alu_instr in;
  uint32_t i0, i1, lane, block = mc->block;
  muon_npu_decode_alu(bits, &in);
  for (i0 = 0; i0 < in.n0; ++i0)
    for (i1 = 0; i1 < in.n1; ++i1) {
      uint64_t dst_entry = (uint64_t)in.dst + (uint64_t)i0 * in.dst_s0 +
                           (uint64_t)i1 * in.dst_s1;
      uint64_t src_entry = (uint64_t)in.src + (uint64_t)i0 * in.src_s0 +
                           (uint64_t)i1 * in.src_s1;
      int32_t *dst = mc->acc + dst_entry * block;
      const int32_t *src = in.use_imm ? 0 : mc->acc + src_entry * block;
      if (!in.use_imm)
        touch_entry(mc, MUON_NPU_BUFFER_ACC, src_entry, 0);
      touch_entry(mc, MUON_NPU_BUFFER_ACC, dst_entry, 1);
      for (lane = 0; lane < block; ++lane)
        dst[lane] = alu_apply(in.op, dst[lane], src ? src[lane] : in.imm);
    }
}

static void execute_requant(npu_machine *mc, const uint8_t *bits) {
  muon_npu_requant_instr in;
  uint32_t i0, i1, lane, block = mc->block;
  muon_npu_decode_requant(bits, &in);
  for (i0 = 0; i0 < in.n0; ++i0) {
    uint64_t param_entry = (uint64_t)in.param + (uint64_t)i0 * in.param_s0;
    const uint8_t *params = mc->pbuf + param_entry * block * 16;
    touch_entry(mc, MUON_NPU_BUFFER_PBUF, param_entry, 0);
    for (i1 = 0; i1 < in.n1; ++i1) {
      uint64_t acc_entry = (uint64_t)in.acc + (uint64_t)i0 * in.acc_s0 +
                           (uint64_t)i1 * in.acc_s1;
      uint64_t out_entry = (uint64_t)in.out + (uint64_t)i0 * in.out_s0 +
                           (uint64_t)i1 * in.out_s1;
      const int32_t *acc = mc->acc + acc_entry * block;
      int8_t *out = mc->obuf + out_entry * block;
      touch_entry(mc, MUON_NPU_BUFFER_ACC, acc_entry, 0);
      touch_entry(mc, MUON_NPU_BUFFER_OBUF, out_entry, 1);
      for (lane = 0; lane < block; ++lane) {
        const uint8_t *p = params + 16 * lane;
        out[lane] =
            muon_requantize(acc[lane], npu_read_i32(p), npu_read_i32(p + 4),
                            npu_read_i32(p + 8), npu_read_i32(p + 12),
                            in.clamp_min, in.clamp_max);
      }
    }
  }
}

static void execute_pool(npu_machine *mc, const uint8_t *bits) {
  muon_npu_pool_instr in;
  uint32_t i0, i1, r0, r1, lane, block = mc->block;
  int32_t result[64];
  muon_npu_decode_pool(bits, &in);
  for (i0 = 0; i0 < in.n0; ++i0)
    for (i1 = 0; i1 < in.n1; ++i1) {
      uint64_t src = (uint64_t)in.src + (uint64_t)i0 * in.src_s0 +
                     (uint64_t)i1 * in.src_s1;
      uint64_t dst_entry = (uint64_t)in.dst + (uint64_t)i0 * in.dst_s0 +
                           (uint64_t)i1 * in.dst_s1;
      int32_t *dst = mc->acc + dst_entry * block;
      touch_entry(mc, MUON_NPU_BUFFER_ACC, dst_entry, 1);
      for (lane = 0; lane < block; ++lane)
        result[lane] = in.op == MUON_NPU_POOL_OP_MAX ? INT32_MIN : 0;
      for (r0 = 0; r0 < in.win_h; ++r0)
        for (r1 = 0; r1 < in.win_w; ++r1) {
          uint64_t x_entry =
              src + (uint64_t)r0 * in.win_s0 + (uint64_t)r1 * in.win_s1;
          const int32_t *x = mc->acc + x_entry * block;
          touch_entry(mc, MUON_NPU_BUFFER_ACC, x_entry, 0);
          for (lane = 0; lane < block; ++lane)
            result[lane] =
                in.op == MUON_NPU_POOL_OP_MAX
                    ? (x[lane] > result[lane] ? x[lane] : result[lane])
                    : muon_saturate_i32((int64_t)result[lane] + x[lane]);
        }
      /* The whole window is read before the output is written, so a pool in
       * place sees its inputs, not earlier outputs of the same window. */
      for (lane = 0; lane < block; ++lane)
        dst[lane] = result[lane];
    }
}

/* A FIFO of the cycles at which tokens were signalled; the k-th wait on a
 * queue consumes the k-th signal. The loader sized it to the most tokens
 * outstanding in program order. */
typedef struct token_queue {
  npu_token *tokens;
  uint32_t capacity, head, count;
} token_queue;

static void token_push(token_queue *q, const npu_token *token) {
  q->tokens[(q->head + q->count) % q->capacity] = *token;
  ++q->count;
}

static npu_token token_pop(token_queue *q) {
  npu_token token = q->tokens[q->head];
  q->head = (q->head + 1) % q->capacity;
  --q->count;
  return token;
}

/* Waits for one token: the instruction starts no earlier than its signal
 * and knows everything its signaller knew. */
static void token_wait(token_queue *q, uint64_t *start, uint32_t *known) {
  npu_token token = token_pop(q);
  unsigned s;
  if (token.time > *start)
    *start = token.time;
  for (s = 0; s < 4; ++s)
    if (token.known[s] > known[s])
      known[s] = token.known[s];
}

int muon_npu_run(muon_npu_model *m, const muon_npu_timing *timing_in,
                 muon_npu_stats *stats, muon_npu_layer_stats *layers,
                 uint32_t layer_capacity, muon_npu_error *error) {
  npu_machine mc;
  muon_npu_timing timing = timing_in ? *timing_in : muon_npu_default_timing();
  token_queue queues[4];
  uint64_t stage_free[4] = {0, 0, 0, 0}, busy[4] = {0, 0, 0, 0};
  uint32_t stage_known[4][4]; /* what each stage knows complete */
  uint64_t end_of_program = 0, offset;
  muon_npu_stats totals;
  uint32_t i, region, layer = 0;
  unsigned q;

  if (error) {
    error->code = 0;
    error->message[0] = 0;
  }
  if (!m || !m->instructions || !m->arena)
    return npu_fail(error, MUON_NPU_ERROR_ARGUMENT,
                    "the model is not loaded or has no memory attached");
  for (region = 1; region < m->region_count; ++region)
    if (!m->region_base[region])
      return npu_fail(
          error, MUON_NPU_ERROR_BIND, "region %u (%s) is not bound", region,
          m->region_kind[region] == MUON_NPU_REGION_INPUT ? "an input"
                                                          : "an output");
  memset(&totals, 0, sizeof totals);
  if (layers)
    memset(layers, 0, sizeof *layers * layer_capacity);

  mc.model = m;
  mc.block = m->config.block;
  mc.ibuf = (int8_t *)(m->arena + m->buffer_offset[MUON_NPU_BUFFER_IBUF]);
  mc.wbuf = (int8_t *)(m->arena + m->buffer_offset[MUON_NPU_BUFFER_WBUF]);
  mc.acc =
      (int32_t *)(void *)(m->arena + m->buffer_offset[MUON_NPU_BUFFER_ACC]);
  mc.obuf = (int8_t *)(m->arena + m->buffer_offset[MUON_NPU_BUFFER_OBUF]);
  mc.pbuf = m->arena + m->buffer_offset[MUON_NPU_BUFFER_PBUF];
  offset = m->token_offset;
  for (q = 0; q < 4; ++q) {
    queues[q].tokens = (npu_token *)(void *)(m->arena + offset);
    queues[q].capacity = m->token_capacity[q];
    queues[q].head = queues[q].count = 0;
    offset += (uint64_t)m->token_capacity[q] * sizeof(npu_token);
  }
  memset(stage_known, 0, sizeof stage_known);
  mc.error = error;
  mc.hazard = 0;
  for (q = 0; q < 5; ++q)
    mc.entry_records[q] =
        m->flags & MUON_NPU_CHECK_HAZARDS
            ? (uint32_t *)(void *)(m->arena + m->hazard_offset[q])
            : 0;
  for (region = 0; region < MUON_NPU_MAX_REGIONS; ++region)
    mc.byte_records[region] =
        region < m->region_count && (m->flags & MUON_NPU_CHECK_HAZARDS) &&
                (m->region_kind[region] == MUON_NPU_REGION_WORKSPACE ||
                 m->region_kind[region] == MUON_NPU_REGION_OUTPUT)
            ? (uint32_t *)(void *)(m->arena + m->region_hazard_offset[region])
            : 0;
  /* The on-chip buffers start as zeros on every run, so a program that reads
   * before it writes still gives reproducible results; access records start
   * empty. */
  memset(m->arena, 0, (size_t)m->token_offset);
  if (m->flags & MUON_NPU_CHECK_HAZARDS)
    memset(m->arena + m->arena_size, 0,
           (size_t)(m->checked_arena_size - m->arena_size));

  for (i = 0; i < m->instruction_count; ++i) {
    const uint8_t *bits =
        m->instructions + (size_t)i * MUON_NPU_INSTRUCTION_BYTES;
    unsigned opcode = muon_npu_opcode_of(bits);
    const muon_npu_instr_info *info = muon_npu_instr_info_of(opcode);
    unsigned stage = npu_stage_of(bits, info);
    npu_cost cost;
    uint64_t start, end;
    npu_token done;

    if (stage != MUON_NPU_STAGE_NONE) {
      /* Waits first: they decide when it starts and what it may touch. */
      start = stage_free[stage];
      memcpy(mc.known, stage_known[stage], sizeof mc.known);
      if (muon_npu_bits(bits, 4, 1)) /* pop_prev */
        token_wait(&queues[npu_queue_of(stage, 1, 0)], &start, mc.known);
      if (muon_npu_bits(bits, 5, 1)) /* pop_next */
        token_wait(&queues[npu_queue_of(stage, 0, 0)], &start, mc.known);
      mc.index = i;
      mc.stage = stage;
    }

    switch (opcode) {
    case MUON_NPU_OP_LOAD:
      execute_load(&mc, bits);
      break;
    case MUON_NPU_OP_STORE:
      execute_store(&mc, bits);
      break;
    case MUON_NPU_OP_GEMM:
      execute_gemm(&mc, bits);
      break;
    case MUON_NPU_OP_ALU:
      execute_alu(&mc, bits);
      break;
    case MUON_NPU_OP_REQUANT:
      execute_requant(&mc, bits);
      break;
    case MUON_NPU_OP_POOL:
      execute_pool(&mc, bits);
      break;
    case MUON_NPU_OP_SYNC:
      break;
    case MUON_NPU_OP_LAYER:
      layer = muon_npu_bits(bits, 8, 16);
      continue;
    case MUON_NPU_OP_FINISH:
      end_of_program =
          stage_free[1] > stage_free[2] ? stage_free[1] : stage_free[2];
      if (stage_free[3] > end_of_program)
        end_of_program = stage_free[3];
      continue;
    }

    if (mc.hazard)
      return MUON_NPU_ERROR_HAZARD;

    /* The cycle model. */
    cost = npu_instruction_cost(bits, &timing);
    end = start + cost.cycles;
    stage_free[stage] = end;
    busy[stage] += cost.cycles;
    /* Signals last: at its end, it and what it knew are complete. */
    done.time = end;
    memcpy(done.known, mc.known, sizeof done.known);
    done.known[stage] = i + 1;
    memcpy(stage_known[stage], done.known, sizeof done.known);
    if (muon_npu_bits(bits, 6, 1)) /* push_prev */
      token_push(&queues[npu_queue_of(stage, 1, 1)], &done);
    if (muon_npu_bits(bits, 7, 1)) /* push_next */
      token_push(&queues[npu_queue_of(stage, 0, 1)], &done);

    totals.instructions++;
    totals.gemm_steps += cost.macs_steps;
    totals.bytes_loaded += cost.bytes_loaded;
    totals.bytes_stored += cost.bytes_stored;
    if (layers && layer < layer_capacity) {
      muon_npu_layer_stats *l = &layers[layer];
      if (l->instructions == 0 || start < l->first_start)
        l->first_start = start;
      if (end > l->last_end)
        l->last_end = end;
      if (stage == MUON_NPU_STAGE_COMPUTE)
        l->compute_busy_cycles += cost.cycles;
      l->macs += cost.macs_steps * mc.block * mc.block;
      l->bytes_loaded += cost.bytes_loaded;
      l->bytes_stored += cost.bytes_stored;
      l->instructions++;
    }
  }

  totals.cycles = end_of_program;
  totals.load_busy_cycles = busy[MUON_NPU_STAGE_LOAD];
  totals.compute_busy_cycles = busy[MUON_NPU_STAGE_COMPUTE];
  totals.store_busy_cycles = busy[MUON_NPU_STAGE_STORE];
  totals.macs = totals.gemm_steps * mc.block * mc.block;
  totals.mac_utilisation =
      totals.cycles ? (double)totals.gemm_steps / (double)totals.cycles : 0.0;
  if (stats)
    *stats = totals;
  return 0;
}
