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
} npu_machine;

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
    for (c = 0; c < in.cols; ++c)
      memcpy(dram + r * in.row_stride + c * in.elem_stride,
             mc->obuf + (in.src + r * in.cols + c) * mc->block, in.elem_bytes);
}

static void execute_gemm(npu_machine *mc, const uint8_t *bits) {
  muon_npu_gemm_instr in;
  uint32_t block = mc->block, i0, i1, r0, r1, lane, j;
  uint32_t sum[64]; /* int32 accumulation wraps: unsigned arithmetic */
  muon_npu_decode_gemm(bits, &in);
  for (i0 = 0; i0 < in.n0; ++i0)
    for (i1 = 0; i1 < in.n1; ++i1) {
      int32_t *acc = mc->acc + ((uint64_t)in.acc + (uint64_t)i0 * in.acc_s0 +
                                (uint64_t)i1 * in.acc_s1) *
                                   block;
      for (lane = 0; lane < block; ++lane)
        sum[lane] = in.reset ? 0u : (uint32_t)acc[lane];
      for (r0 = 0; r0 < in.k0; ++r0)
        for (r1 = 0; r1 < in.k1; ++r1) {
          const int8_t *x =
              mc->ibuf + ((uint64_t)in.inp + (uint64_t)i0 * in.inp_s0 +
                          (uint64_t)i1 * in.inp_s1 + (uint64_t)r0 * in.inp_r0 +
                          (uint64_t)r1 * in.inp_r1) *
                             block;
          const int8_t *w =
              mc->wbuf + ((uint64_t)in.wgt + (uint64_t)r0 * in.wgt_r0 +
                          (uint64_t)r1 * in.wgt_r1) *
                             block * block;
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
      int32_t *dst = mc->acc + ((uint64_t)in.dst + (uint64_t)i0 * in.dst_s0 +
                                (uint64_t)i1 * in.dst_s1) *
                                   block;
      const int32_t *src =
          in.use_imm ? 0
                     : mc->acc + ((uint64_t)in.src + (uint64_t)i0 * in.src_s0 +
                                  (uint64_t)i1 * in.src_s1) *
                                     block;
      for (lane = 0; lane < block; ++lane)
        dst[lane] = alu_apply(in.op, dst[lane], src ? src[lane] : in.imm);
    }
}

static void execute_requant(npu_machine *mc, const uint8_t *bits) {
  muon_npu_requant_instr in;
  uint32_t i0, i1, lane, block = mc->block;
  muon_npu_decode_requant(bits, &in);
  for (i0 = 0; i0 < in.n0; ++i0) {
    const uint8_t *params =
        mc->pbuf +
        ((uint64_t)in.param + (uint64_t)i0 * in.param_s0) * block * 16;
    for (i1 = 0; i1 < in.n1; ++i1) {
      const int32_t *acc =
          mc->acc + ((uint64_t)in.acc + (uint64_t)i0 * in.acc_s0 +
                     (uint64_t)i1 * in.acc_s1) *
                        block;
      int8_t *out = mc->obuf + ((uint64_t)in.out + (uint64_t)i0 * in.out_s0 +
                                (uint64_t)i1 * in.out_s1) *
                                   block;
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
      int32_t *dst = mc->acc + ((uint64_t)in.dst + (uint64_t)i0 * in.dst_s0 +
                                (uint64_t)i1 * in.dst_s1) *
                                   block;
      for (lane = 0; lane < block; ++lane)
        result[lane] = in.op == MUON_NPU_POOL_OP_MAX ? INT32_MIN : 0;
      for (r0 = 0; r0 < in.win_h; ++r0)
        for (r1 = 0; r1 < in.win_w; ++r1) {
          const int32_t *x = mc->acc + (src + (uint64_t)r0 * in.win_s0 +
                                        (uint64_t)r1 * in.win_s1) *
                                           block;
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
  uint64_t *times;
  uint32_t capacity, head, count;
} token_queue;

static void token_push(token_queue *q, uint64_t time) {
  q->times[(q->head + q->count) % q->capacity] = time;
  ++q->count;
}

static uint64_t token_pop(token_queue *q) {
  uint64_t time = q->times[q->head];
  q->head = (q->head + 1) % q->capacity;
  --q->count;
  return time;
}

int muon_npu_run(muon_npu_model *m, const muon_npu_timing *timing_in,
                 muon_npu_stats *stats, muon_npu_layer_stats *layers,
                 uint32_t layer_capacity, muon_npu_error *error) {
  npu_machine mc;
  muon_npu_timing timing = timing_in ? *timing_in : muon_npu_default_timing();
  token_queue queues[4];
  uint64_t stage_free[4] = {0, 0, 0, 0}, busy[4] = {0, 0, 0, 0};
  uint64_t end_of_program = 0, offset;
  muon_npu_stats totals;
  uint32_t i, region, layer = 0;
  unsigned q;

  if (error) {
    error->code = 0;
    error->message[0] = 0;
  }
  if (!m || !m->instructions || (!m->arena && m->arena_size))
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
    queues[q].times = (uint64_t *)(void *)(m->arena + offset);
    queues[q].capacity = m->token_capacity[q];
    queues[q].head = queues[q].count = 0;
    offset += (uint64_t)m->token_capacity[q] * sizeof(uint64_t);
  }
  /* The on-chip buffers start as zeros on every run, so a program that reads
   * before it writes still gives reproducible results. */
  memset(m->arena, 0, (size_t)m->token_offset);

  for (i = 0; i < m->instruction_count; ++i) {
    const uint8_t *bits =
        m->instructions + (size_t)i * MUON_NPU_INSTRUCTION_BYTES;
    unsigned opcode = muon_npu_opcode_of(bits);
    const muon_npu_instr_info *info = muon_npu_instr_info_of(opcode);
    unsigned stage = npu_stage_of(bits, info);
    npu_cost cost;
    uint64_t start, end;

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

    /* The cycle model. */
    cost = npu_instruction_cost(bits, &timing);
    start = stage_free[stage];
    if (muon_npu_bits(bits, 4, 1)) { /* pop_prev */
      uint64_t t = token_pop(&queues[npu_queue_of(stage, 1, 0)]);
      start = t > start ? t : start;
    }
    if (muon_npu_bits(bits, 5, 1)) { /* pop_next */
      uint64_t t = token_pop(&queues[npu_queue_of(stage, 0, 0)]);
      start = t > start ? t : start;
    }
    end = start + cost.cycles;
    stage_free[stage] = end;
    busy[stage] += cost.cycles;
    if (muon_npu_bits(bits, 6, 1)) /* push_prev */
      token_push(&queues[npu_queue_of(stage, 1, 1)], end);
    if (muon_npu_bits(bits, 7, 1)) /* push_next */
      token_push(&queues[npu_queue_of(stage, 0, 1)], end);

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
