/* npu_validate.c - validation of a loaded program's instructions.
 *
 * Every address any instruction can touch (the extremes of its loop nest,
 * computed statically) lies inside its buffer or region, every field is in
 * range, and the dependency tokens balance over the whole stream
 * (docs/npu-isa.md). muon_npu_load calls it once the regions and tensors
 * are known. */
#include "runtime/npu/npu_internal.h"

#include <stdio.h>

typedef struct validator {
  muon_npu_model *model;
  muon_npu_error *error;
  uint32_t index; /* of the instruction being checked */
  const char *name;
} validator;

/* Checks that entries [first, last] of `buffer` exist. */
static int check_entries(validator *v, unsigned buffer, uint64_t first,
                         uint64_t last, const char *role) {
  uint64_t entries = npu_buffer_entries(&v->model->config, buffer);
  if (last < entries)
    return 0;
  return npu_fail(v->error, MUON_NPU_ERROR_ADDRESS,
                  "instruction %u (%s): %s entries %llu..%llu exceed %s "
                  "(%llu entries)",
                  v->index, v->name, role, (unsigned long long)first,
                  (unsigned long long)last, npu_buffer_names[buffer],
                  (unsigned long long)entries);
}

/* base + sum over loops of (extent - 1) * stride: the last entry a loop nest
 * touches (strides are unsigned, so the first is base). */
static uint64_t loop_last(uint64_t base, const uint32_t *extents,
                          const uint32_t *strides, unsigned loops) {
  unsigned i;
  for (i = 0; i < loops; ++i)
    base += (uint64_t)(extents[i] - 1) * strides[i];
  return base;
}

static int check_nonzero(validator *v, uint32_t value, const char *field) {
  if (value != 0)
    return 0;
  return npu_fail(v->error, MUON_NPU_ERROR_INSTRUCTION,
                  "instruction %u (%s): %s is 0", v->index, v->name, field);
}

/* A DMA tile: rows x cols elements of elem_bytes at offset + r*row_stride +
 * c*elem_stride must lie in `region`. */
static int check_dram_tile(validator *v, uint32_t region, uint32_t offset,
                           uint32_t rows, uint32_t cols, uint32_t row_stride,
                           uint32_t elem_bytes, uint32_t elem_stride,
                           int writes) {
  const muon_npu_model *m = v->model;
  uint64_t last;
  if (region >= m->region_count)
    return npu_fail(v->error, MUON_NPU_ERROR_ADDRESS,
                    "instruction %u (%s): region %u does not exist (the "
                    "program has %u regions)",
                    v->index, v->name, region, m->region_count);
  if (writes && m->region_kind[region] != MUON_NPU_REGION_WORKSPACE &&
      m->region_kind[region] != MUON_NPU_REGION_OUTPUT)
    return npu_fail(v->error, MUON_NPU_ERROR_ADDRESS,
                    "instruction %u (%s): writes to region %u, which is "
                    "'%s' and read-only",
                    v->index, v->name, region,
                    npu_region_kind_names[m->region_kind[region]]);
  last = (uint64_t)offset + (uint64_t)(rows - 1) * row_stride +
         (uint64_t)(cols - 1) * elem_stride + elem_bytes - 1;
  if (last < m->region_size[region])
    return 0;
  return npu_fail(v->error, MUON_NPU_ERROR_ADDRESS,
                  "instruction %u (%s): %s tile [offset %u, %u rows x stride "
                  "%u, %u elements x stride %u, %u bytes each] ends at byte "
                  "%llu, beyond region %u '%s' (%llu bytes)",
                  v->index, v->name, writes ? "destination" : "source", offset,
                  rows, row_stride, cols, elem_stride, elem_bytes,
                  (unsigned long long)last, region,
                  npu_region_kind_names[m->region_kind[region]],
                  (unsigned long long)m->region_size[region]);
}

static int validate_load(validator *v, const uint8_t *bits) {
  muon_npu_load_instr in;
  uint64_t entry_bytes, last;
  uint64_t total_rows, total_cols;
  int status;
  muon_npu_decode_load(bits, &in);
  if (in.buffer == MUON_NPU_BUFFER_OBUF || in.buffer > MUON_NPU_BUFFER_PBUF)
    return npu_fail(v->error, MUON_NPU_ERROR_INSTRUCTION,
                    "instruction %u (LOAD): buffer %u is not IBUF, WBUF, ACC "
                    "or PBUF",
                    v->index, in.buffer);
  if ((status = check_nonzero(v, in.rows, "rows")) ||
      (status = check_nonzero(v, in.cols, "cols")) ||
      (status = check_nonzero(v, in.elem_bytes, "elem_bytes")))
    return status;
  /* An ACC entry takes one int8 element per lane. */
  entry_bytes = in.buffer == MUON_NPU_BUFFER_ACC
                    ? v->model->config.block
                    : npu_entry_bytes(&v->model->config, in.buffer);
  if (in.elem_bytes > entry_bytes)
    return npu_fail(v->error, MUON_NPU_ERROR_INSTRUCTION,
                    "instruction %u (LOAD): elem_bytes %u exceeds the %llu "
                    "bytes of one %s entry",
                    v->index, in.elem_bytes, (unsigned long long)entry_bytes,
                    npu_buffer_names[in.buffer]);
  total_rows = (uint64_t)in.pad_top + in.rows + in.pad_bottom;
  total_cols = (uint64_t)in.pad_left + in.cols + in.pad_right;
  last = in.dst + (total_rows - 1) * in.dst_stride + total_cols - 1;
  if ((status = check_entries(v, in.buffer, in.dst, last, "destination")))
    return status;
  return check_dram_tile(v, in.region, in.dram_offset, in.rows, in.cols,
                         in.row_stride, in.elem_bytes, in.elem_stride, 0);
}

static int validate_store(validator *v, const uint8_t *bits) {
  muon_npu_store_instr in;
  int status;
  muon_npu_decode_store(bits, &in);
  if ((status = check_nonzero(v, in.rows, "rows")) ||
      (status = check_nonzero(v, in.cols, "cols")) ||
      (status = check_nonzero(v, in.elem_bytes, "elem_bytes")))
    return status;
  if (in.elem_bytes > v->model->config.block)
    return npu_fail(v->error, MUON_NPU_ERROR_INSTRUCTION,
                    "instruction %u (STORE): elem_bytes %u exceeds the %u "
                    "bytes of one OBUF entry",
                    v->index, in.elem_bytes, v->model->config.block);
  if ((status =
           check_entries(v, MUON_NPU_BUFFER_OBUF, in.src,
                         in.src + (uint64_t)in.rows * in.cols - 1, "source")))
    return status;
  return check_dram_tile(v, in.region, in.dram_offset, in.rows, in.cols,
                         in.row_stride, in.elem_bytes, in.elem_stride, 1);
}

static int validate_gemm(validator *v, const uint8_t *bits) {
  muon_npu_gemm_instr in;
  uint32_t extents[4], strides[4];
  int status;
  muon_npu_decode_gemm(bits, &in);
  if ((status = check_nonzero(v, in.n0, "n0")) ||
      (status = check_nonzero(v, in.n1, "n1")) ||
      (status = check_nonzero(v, in.k0, "k0")) ||
      (status = check_nonzero(v, in.k1, "k1")))
    return status;
  extents[0] = in.n0, extents[1] = in.n1, extents[2] = in.k0,
  extents[3] = in.k1;
  strides[0] = in.acc_s0, strides[1] = in.acc_s1;
  if ((status = check_entries(v, MUON_NPU_BUFFER_ACC, in.acc,
                              loop_last(in.acc, extents, strides, 2),
                              "accumulator")))
    return status;
  strides[0] = in.inp_s0, strides[1] = in.inp_s1;
  strides[2] = in.inp_r0, strides[3] = in.inp_r1;
  if ((status = check_entries(v, MUON_NPU_BUFFER_IBUF, in.inp,
                              loop_last(in.inp, extents, strides, 4), "input")))
    return status;
  strides[0] = in.wgt_r0, strides[1] = in.wgt_r1;
  return check_entries(v, MUON_NPU_BUFFER_WBUF, in.wgt,
                       loop_last(in.wgt, extents + 2, strides, 2), "weight");
}

static int validate_alu(validator *v, const uint8_t *bits) {
  muon_npu_alu_instr in;
  uint32_t extents[2], strides[2];
  int status;
  muon_npu_decode_alu(bits, &in);
  if (in.op > MUON_NPU_ALU_OP_MULQ)
    return npu_fail(v->error, MUON_NPU_ERROR_INSTRUCTION,
                    "instruction %u (ALU): op %u is not an ALU operation",
                    v->index, in.op);
  if ((status = check_nonzero(v, in.n0, "n0")) ||
      (status = check_nonzero(v, in.n1, "n1")))
    return status;
  extents[0] = in.n0, extents[1] = in.n1;
  strides[0] = in.dst_s0, strides[1] = in.dst_s1;
  if ((status = check_entries(v, MUON_NPU_BUFFER_ACC, in.dst,
                              loop_last(in.dst, extents, strides, 2),
                              "destination")))
    return status;
  if (in.use_imm)
    return 0;
  strides[0] = in.src_s0, strides[1] = in.src_s1;
  return check_entries(v, MUON_NPU_BUFFER_ACC, in.src,
                       loop_last(in.src, extents, strides, 2), "source");
}

static int validate_requant(validator *v, const uint8_t *bits) {
  muon_npu_requant_instr in;
  uint32_t extents[2], strides[2];
  int status;
  muon_npu_decode_requant(bits, &in);
  if ((status = check_nonzero(v, in.n0, "n0")) ||
      (status = check_nonzero(v, in.n1, "n1")))
    return status;
  extents[0] = in.n0, extents[1] = in.n1;
  strides[0] = in.acc_s0, strides[1] = in.acc_s1;
  if ((status = check_entries(v, MUON_NPU_BUFFER_ACC, in.acc,
                              loop_last(in.acc, extents, strides, 2),
                              "accumulator")))
    return status;
  strides[0] = in.out_s0, strides[1] = in.out_s1;
  if ((status =
           check_entries(v, MUON_NPU_BUFFER_OBUF, in.out,
                         loop_last(in.out, extents, strides, 2), "output")))
    return status;
  strides[0] = in.param_s0;
  return check_entries(v, MUON_NPU_BUFFER_PBUF, in.param,
                       loop_last(in.param, extents, strides, 1), "parameter");
}

static int validate_pool(validator *v, const uint8_t *bits) {
  muon_npu_pool_instr in;
  uint32_t extents[4], strides[4];
  int status;
  muon_npu_decode_pool(bits, &in);
  if (in.op > MUON_NPU_POOL_OP_SUM)
    return npu_fail(v->error, MUON_NPU_ERROR_INSTRUCTION,
                    "instruction %u (POOL): op %u is not MAX or SUM", v->index,
                    in.op);
  if ((status = check_nonzero(v, in.n0, "n0")) ||
      (status = check_nonzero(v, in.n1, "n1")) ||
      (status = check_nonzero(v, in.win_h, "win_h")) ||
      (status = check_nonzero(v, in.win_w, "win_w")))
    return status;
  extents[0] = in.n0, extents[1] = in.n1;
  extents[2] = in.win_h, extents[3] = in.win_w;
  strides[0] = in.dst_s0, strides[1] = in.dst_s1;
  if ((status = check_entries(v, MUON_NPU_BUFFER_ACC, in.dst,
                              loop_last(in.dst, extents, strides, 2),
                              "destination")))
    return status;
  strides[0] = in.src_s0, strides[1] = in.src_s1;
  strides[2] = in.win_s0, strides[3] = in.win_s1;
  return check_entries(v, MUON_NPU_BUFFER_ACC, in.src,
                       loop_last(in.src, extents, strides, 4), "source");
}

/* Checks every instruction on its own, then the token protocol over the
 * whole stream in program order. */
int npu_validate_instructions(muon_npu_model *m, muon_npu_error *error) {
  static const char *const flag_names[4] = {"pop_prev", "pop_next", "push_prev",
                                            "push_next"};
  uint32_t outstanding[4] = {0, 0, 0, 0};
  validator v;
  uint32_t i;
  unsigned q;
  int status;
  muon_npu_timing timing = muon_npu_default_timing();
  v.model = m;
  v.error = error;
  m->max_layer_id_plus_one = 0;
  m->serial_cycles = 0;
  for (q = 0; q < 4; ++q)
    m->token_capacity[q] = 0;
  for (i = 0; i < m->instruction_count; ++i) {
    const uint8_t *bits =
        m->instructions + (size_t)i * MUON_NPU_INSTRUCTION_BYTES;
    unsigned opcode = muon_npu_opcode_of(bits);
    const muon_npu_instr_info *info = muon_npu_instr_info_of(opcode);
    unsigned flags[4];
    int queues[4];
    unsigned stage;
    v.index = i;
    if (!info)
      return npu_fail(error, MUON_NPU_ERROR_INSTRUCTION,
                      "instruction %u: opcode %u is not an instruction", i,
                      opcode);
    v.name = info->name;
    if (!muon_npu_reserved_bits_clear(bits, info->used_bits))
      return npu_fail(error, MUON_NPU_ERROR_INSTRUCTION,
                      "instruction %u (%s): reserved bits %u..%u are not 0", i,
                      info->name, info->used_bits,
                      8 * MUON_NPU_INSTRUCTION_BYTES - 1);
    if ((opcode == MUON_NPU_OP_FINISH) != (i + 1 == m->instruction_count))
      return npu_fail(error, MUON_NPU_ERROR_INSTRUCTION,
                      opcode == MUON_NPU_OP_FINISH
                          ? "instruction %u (%s): FINISH before the last "
                            "instruction"
                          : "instruction %u (%s): the last instruction is not "
                            "FINISH",
                      i, info->name);
    switch (opcode) {
    case MUON_NPU_OP_LOAD:
      status = validate_load(&v, bits);
      break;
    case MUON_NPU_OP_STORE:
      status = validate_store(&v, bits);
      break;
    case MUON_NPU_OP_GEMM:
      status = validate_gemm(&v, bits);
      break;
    case MUON_NPU_OP_ALU:
      status = validate_alu(&v, bits);
      break;
    case MUON_NPU_OP_REQUANT:
      status = validate_requant(&v, bits);
      break;
    case MUON_NPU_OP_POOL:
      status = validate_pool(&v, bits);
      break;
    case MUON_NPU_OP_LAYER: {
      uint32_t layer = muon_npu_bits(bits, 8, 16);
      if (m->layer_count && layer >= m->layer_count)
        return npu_fail(error, MUON_NPU_ERROR_INSTRUCTION,
                        "instruction %u (LAYER): layer %u has no name (the "
                        "LAYERS section has %u)",
                        i, layer, m->layer_count);
      if (layer + 1 > m->max_layer_id_plus_one)
        m->max_layer_id_plus_one = layer + 1;
      status = 0;
      break;
    }
    case MUON_NPU_OP_SYNC:
      status = 0;
      if (npu_stage_of(bits, info) == MUON_NPU_STAGE_NONE)
        return npu_fail(error, MUON_NPU_ERROR_INSTRUCTION,
                        "instruction %u (SYNC): stage is NONE, not LOAD, "
                        "COMPUTE or STORE",
                        i);
      break;
    default:
      status = 0;
    }
    if (status)
      return status;
    stage = npu_stage_of(bits, info);
    m->serial_cycles += npu_instruction_cost(bits, &timing).cycles;

    /* Tokens: pops first (the instruction waits), then pushes (it signals
     * when done). In program order every wait must find a signal already
     * sent: then the program cannot deadlock on the three in-order stages. */
    for (q = 0; q < 4; ++q) {
      flags[q] = muon_npu_bits(bits, 4 + q, 1);
      queues[q] = npu_queue_of(stage, q == 0 || q == 2, q >= 2);
      if (flags[q] && queues[q] == NPU_QUEUE_NONE)
        return npu_fail(error, MUON_NPU_ERROR_TOKEN,
                        "instruction %u (%s): %s is set, but the %s stage has "
                        "no such neighbour",
                        i, info->name, flag_names[q],
                        stage == MUON_NPU_STAGE_LOAD    ? "load"
                        : stage == MUON_NPU_STAGE_STORE ? "store"
                                                        : "(none)");
    }
    for (q = 0; q < 2; ++q) {
      if (!flags[q])
        continue;
      if (outstanding[queues[q]] == 0)
        return npu_fail(error, MUON_NPU_ERROR_TOKEN,
                        "instruction %u (%s): waits for a %s token that no "
                        "earlier instruction signals",
                        i, info->name, npu_queue_names[queues[q]]);
      --outstanding[queues[q]];
    }
    for (q = 2; q < 4; ++q) {
      if (!flags[q])
        continue;
      if (++outstanding[queues[q]] > m->token_capacity[queues[q]])
        m->token_capacity[queues[q]] = outstanding[queues[q]];
    }
  }
  for (q = 0; q < 4; ++q)
    if (outstanding[q])
      return npu_fail(error, MUON_NPU_ERROR_TOKEN,
                      "%u %s tokens are signalled but never waited for",
                      outstanding[q], npu_queue_names[q]);
  return 0;
}
