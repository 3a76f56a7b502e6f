/* npu_load.c - parsing of .npub files (docs/npu-isa.md).
 *
 * Everything a later run could trip over is checked at load, once: every
 * structure lies inside the file, every checksum matches, and the
 * instructions pass npu_validate_instructions (npu_validate.c). After a
 * successful load, muon_npu_run needs no bounds checks of its own. */
#include "runtime/npu/npu_internal.h"

#include <stdio.h>
#include <string.h>

int npu_fail(muon_npu_error *error, int code, const char *format, ...) {
  if (error) {
    va_list args;
    va_start(args, format);
    error->code = code;
    vsnprintf(error->message, sizeof error->message, format, args);
    va_end(args);
  }
  return code;
}

uint64_t muon_npu_fnv1a64(const void *data, size_t size) {
  const uint8_t *bytes = (const uint8_t *)data;
  uint64_t hash = UINT64_C(0xcbf29ce484222325);
  size_t i;
  for (i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= UINT64_C(0x100000001b3);
  }
  return hash;
}

muon_npu_hw_config muon_npu_default_config(void) {
  muon_npu_hw_config config;
  config.block = MUON_NPU_DEFAULT_BLOCK;
  config.ibuf_entries = MUON_NPU_DEFAULT_IBUF_ENTRIES;
  config.wbuf_entries = MUON_NPU_DEFAULT_WBUF_ENTRIES;
  config.acc_entries = MUON_NPU_DEFAULT_ACC_ENTRIES;
  config.obuf_entries = MUON_NPU_DEFAULT_OBUF_ENTRIES;
  config.pbuf_entries = MUON_NPU_DEFAULT_PBUF_ENTRIES;
  return config;
}

uint64_t muon_npu_config_hash(const muon_npu_hw_config *config) {
  uint32_t words[7];
  uint8_t bytes[28];
  unsigned i;
  words[0] = MUON_NPU_ISA_VERSION;
  words[1] = config->block;
  words[2] = config->ibuf_entries;
  words[3] = config->wbuf_entries;
  words[4] = config->acc_entries;
  words[5] = config->obuf_entries;
  words[6] = config->pbuf_entries;
  for (i = 0; i < 28; ++i)
    bytes[i] = (uint8_t)(words[i / 4] >> (8 * (i % 4)));
  return muon_npu_fnv1a64(bytes, sizeof bytes);
}

uint64_t npu_entry_bytes(const muon_npu_hw_config *config, unsigned buffer) {
  uint64_t block = config->block;
  switch (buffer) {
  case MUON_NPU_BUFFER_IBUF:
  case MUON_NPU_BUFFER_OBUF:
    return block;
  case MUON_NPU_BUFFER_WBUF:
    return block * block;
  case MUON_NPU_BUFFER_ACC:
    return block * 4;
  case MUON_NPU_BUFFER_PBUF:
    return block * 16;
  }
  return 0;
}

uint64_t npu_buffer_entries(const muon_npu_hw_config *config, unsigned buffer) {
  switch (buffer) {
  case MUON_NPU_BUFFER_IBUF:
    return config->ibuf_entries;
  case MUON_NPU_BUFFER_WBUF:
    return config->wbuf_entries;
  case MUON_NPU_BUFFER_ACC:
    return config->acc_entries;
  case MUON_NPU_BUFFER_OBUF:
    return config->obuf_entries;
  case MUON_NPU_BUFFER_PBUF:
    return config->pbuf_entries;
  }
  return 0;
}

const char *const npu_buffer_names[5] = {"IBUF", "WBUF", "ACC", "OBUF",
                                        "PBUF"};
const char *const npu_region_kind_names[4] = {"constants", "workspace",
                                              "input", "output"};
static const char *const section_names[] = {
    "?", "INSTRUCTIONS", "CONSTANTS", "REGIONS", "TENSORS", "LAYERS"};

int npu_queue_of(unsigned stage, int is_prev, int is_push) {
  switch (stage) {
  case MUON_NPU_STAGE_LOAD:
    if (is_prev)
      return NPU_QUEUE_NONE;
    return is_push ? NPU_QUEUE_LOAD_TO_COMPUTE : NPU_QUEUE_COMPUTE_TO_LOAD;
  case MUON_NPU_STAGE_COMPUTE:
    if (is_prev)
      return is_push ? NPU_QUEUE_COMPUTE_TO_LOAD : NPU_QUEUE_LOAD_TO_COMPUTE;
    return is_push ? NPU_QUEUE_COMPUTE_TO_STORE : NPU_QUEUE_STORE_TO_COMPUTE;
  case MUON_NPU_STAGE_STORE:
    if (!is_prev)
      return NPU_QUEUE_NONE;
    return is_push ? NPU_QUEUE_STORE_TO_COMPUTE : NPU_QUEUE_COMPUTE_TO_STORE;
  }
  return NPU_QUEUE_NONE;
}

/* Queue names as seen by the instruction that pops (waits) or pushes. */
const char *const npu_queue_names[4] = {"load -> compute", "compute -> load",
                                        "compute -> store",
                                        "store -> compute"};

const char *muon_npu_status_name(int code) {
  static const char *const names[] = {"ok",
                                      "bad argument",
                                      "truncated file",
                                      "bad format",
                                      "checksum",
                                      "hardware configuration",
                                      "section",
                                      "region",
                                      "tensor",
                                      "instruction",
                                      "address out of range",
                                      "tokens",
                                      "memory",
                                      "binding",
                                      "hazard"};
  if (code < 0 || code >= (int)(sizeof names / sizeof names[0]))
    return "unknown error";
  return names[code];
}

/* ---- The container ----------------------------------------------------- */

/* A NUL-terminated name of 1..63 printable characters in a 64-byte field. */
static int valid_name(const uint8_t *field) {
  unsigned i;
  for (i = 0; i < MUON_NPU_NAME_BYTES; ++i) {
    if (field[i] == 0)
      break;
    if (field[i] < 0x20 || field[i] > 0x7e)
      return 0;
  }
  if (i == 0 || i == MUON_NPU_NAME_BYTES)
    return 0;
  for (; i < MUON_NPU_NAME_BYTES; ++i)
    if (field[i] != 0)
      return 0;
  return 1;
}

static int validate_config(const muon_npu_hw_config *c, muon_npu_error *error) {
  if (c->block < 1 || c->block > 64)
    return npu_fail(error, MUON_NPU_ERROR_CONFIG, "BLOCK %u is not in 1..64",
                    c->block);
  if (c->ibuf_entries < 1 || c->ibuf_entries > 65536 || c->wbuf_entries < 1 ||
      c->wbuf_entries > 65536 || c->acc_entries < 1 || c->acc_entries > 65536 ||
      c->obuf_entries < 1 || c->obuf_entries > 65536 || c->pbuf_entries < 1 ||
      c->pbuf_entries > 65536)
    return npu_fail(error, MUON_NPU_ERROR_CONFIG,
                    "buffer sizes (IBUF %u, WBUF %u, ACC %u, OBUF %u, PBUF %u "
                    "entries) are not all in 1..65536",
                    c->ibuf_entries, c->wbuf_entries, c->acc_entries,
                    c->obuf_entries, c->pbuf_entries);
  return 0;
}

static int load_regions(muon_npu_model *m, const uint8_t *section,
                        uint64_t size, muon_npu_error *error) {
  uint32_t count, i;
  if (size < NPUB_LIST_HEADER_BYTES)
    return npu_fail(error, MUON_NPU_ERROR_TRUNCATED,
                    "REGIONS section: %llu bytes, less than its 8-byte count",
                    (unsigned long long)size);
  count = npu_read_u32(section);
  if (npu_read_u32(section + 4) != 0)
    return npu_fail(error, MUON_NPU_ERROR_REGION,
                    "REGIONS section: reserved word is not 0");
  if (count > MUON_NPU_MAX_REGIONS - 1)
    return npu_fail(error, MUON_NPU_ERROR_REGION,
                    "REGIONS section: %u regions, more than the %u supported",
                    count, MUON_NPU_MAX_REGIONS - 1);
  if (size !=
      NPUB_LIST_HEADER_BYTES + (uint64_t)count * NPUB_REGION_ENTRY_BYTES)
    return npu_fail(
        error, MUON_NPU_ERROR_REGION,
        "REGIONS section: %llu bytes for %u regions (expected "
        "%llu)",
        (unsigned long long)size, count,
        (unsigned long long)(NPUB_LIST_HEADER_BYTES +
                             (uint64_t)count * NPUB_REGION_ENTRY_BYTES));
  m->region_count = count + 1;
  m->region_kind[0] = MUON_NPU_REGION_CONSTANTS;
  m->region_size[0] = m->constants_size;
  for (i = 0; i < count; ++i) {
    const uint8_t *entry =
        section + NPUB_LIST_HEADER_BYTES + (size_t)i * NPUB_REGION_ENTRY_BYTES;
    uint32_t kind = npu_read_u32(entry);
    uint64_t bytes = npu_read_u64(entry + 8);
    if (kind < MUON_NPU_REGION_WORKSPACE || kind > MUON_NPU_REGION_OUTPUT ||
        npu_read_u32(entry + 4) != 0)
      return npu_fail(error, MUON_NPU_ERROR_REGION,
                      "region %u: kind %u is not workspace (1), input (2) or "
                      "output (3), or its reserved word is not 0",
                      i + 1, kind);
    /* DRAM offsets in instructions are 32-bit: a larger region is useless. */
    if (bytes < 1 || bytes > UINT64_C(0xffffffff))
      return npu_fail(error, MUON_NPU_ERROR_REGION,
                      "region %u: size %llu is not in 1..4294967295 bytes",
                      i + 1, (unsigned long long)bytes);
    m->region_kind[i + 1] = kind;
    m->region_size[i + 1] = bytes;
  }
  return 0;
}

static int load_tensors(muon_npu_model *m, const uint8_t *section,
                        uint64_t size, muon_npu_error *error) {
  uint32_t count, i, j, region;
  uint32_t tensors_of_region[MUON_NPU_MAX_REGIONS];
  if (size < NPUB_LIST_HEADER_BYTES)
    return npu_fail(error, MUON_NPU_ERROR_TRUNCATED,
                    "TENSORS section: %llu bytes, less than its 8-byte count",
                    (unsigned long long)size);
  count = npu_read_u32(section);
  if (npu_read_u32(section + 4) != 0 || count > MUON_NPU_MAX_REGIONS ||
      size !=
          NPUB_LIST_HEADER_BYTES + (uint64_t)count * NPUB_TENSOR_ENTRY_BYTES)
    return npu_fail(error, MUON_NPU_ERROR_TENSOR,
                    "TENSORS section: %llu bytes do not hold the %u "
                    "descriptors it announces (144 bytes each, at most %u)",
                    (unsigned long long)size, count, MUON_NPU_MAX_REGIONS);
  m->tensors = section + NPUB_LIST_HEADER_BYTES;
  m->tensor_count = count;
  for (i = 0; i < MUON_NPU_MAX_REGIONS; ++i)
    tensors_of_region[i] = 0;
  for (i = 0; i < count; ++i) {
    const uint8_t *t = m->tensors + (size_t)i * NPUB_TENSOR_ENTRY_BYTES;
    uint32_t rank = npu_read_u32(t + 72), scale_bits = npu_read_u32(t + 80);
    int32_t zero_point = npu_read_i32(t + 76);
    uint64_t offset = npu_read_u64(t + 88), last = 0, elements = 1;
    uint32_t d;
    if (!valid_name(t))
      return npu_fail(error, MUON_NPU_ERROR_TENSOR,
                      "tensor %u: the name is not 1..63 printable characters "
                      "padded with NUL to 64 bytes",
                      i);
    for (j = 0; j < i; ++j)
      if (memcmp(t, m->tensors + (size_t)j * NPUB_TENSOR_ENTRY_BYTES,
                 MUON_NPU_NAME_BYTES) == 0)
        return npu_fail(error, MUON_NPU_ERROR_TENSOR,
                        "tensor %u '%s': the name is also tensor %u's", i,
                        (const char *)t, j);
    if (npu_read_u32(t + 64) != NPUB_DTYPE_INT8 || npu_read_u32(t + 84) != 0)
      return npu_fail(error, MUON_NPU_ERROR_TENSOR,
                      "tensor %u '%s': dtype %u is not int8 (1), or its "
                      "reserved word is not 0",
                      i, (const char *)t, npu_read_u32(t + 64));
    region = npu_read_u32(t + 68);
    if (region >= m->region_count ||
        (m->region_kind[region] != MUON_NPU_REGION_INPUT &&
         m->region_kind[region] != MUON_NPU_REGION_OUTPUT))
      return npu_fail(error, MUON_NPU_ERROR_TENSOR,
                      "tensor %u '%s': region %u is not an input or output "
                      "region",
                      i, (const char *)t, region);
    if (++tensors_of_region[region] > 1)
      return npu_fail(error, MUON_NPU_ERROR_TENSOR,
                      "tensor %u '%s': region %u already belongs to another "
                      "tensor",
                      i, (const char *)t, region);
    if (rank < 1 || rank > MUON_NPU_MAX_RANK)
      return npu_fail(error, MUON_NPU_ERROR_TENSOR,
                      "tensor %u '%s': rank %u is not in 1..%u", i,
                      (const char *)t, rank, MUON_NPU_MAX_RANK);
    /* Exponent all ones (inf, NaN), a sign bit, or zero: not a scale. */
    if ((scale_bits & 0x7f800000u) == 0x7f800000u || (scale_bits >> 31) ||
        (scale_bits & 0x7fffffffu) == 0)
      return npu_fail(error, MUON_NPU_ERROR_TENSOR,
                      "tensor %u '%s': scale (bits 0x%08x) is not a finite "
                      "positive number",
                      i, (const char *)t, scale_bits);
    if (zero_point < -128 || zero_point > 127)
      return npu_fail(error, MUON_NPU_ERROR_TENSOR,
                      "tensor %u '%s': zero point %d is not an int8", i,
                      (const char *)t, zero_point);
    for (d = 0; d < MUON_NPU_MAX_RANK; ++d) {
      uint32_t dim = npu_read_u32(t + 96 + 4 * d);
      uint32_t stride = npu_read_u32(t + 120 + 4 * d);
      if (d >= rank) {
        if (dim != 0 || stride != 0)
          return npu_fail(error, MUON_NPU_ERROR_TENSOR,
                          "tensor %u '%s': dimension %u beyond rank %u is "
                          "not 0",
                          i, (const char *)t, d, rank);
        continue;
      }
      if (dim == 0)
        return npu_fail(error, MUON_NPU_ERROR_TENSOR,
                        "tensor %u '%s': dimension %u is 0", i, (const char *)t,
                        d);
      /* Regions are at most 2^32 bytes, so every term stays below 2^64. */
      last += (uint64_t)(dim - 1) * stride;
      elements *= dim;
      if (elements > m->region_size[region])
        return npu_fail(error, MUON_NPU_ERROR_TENSOR,
                        "tensor %u '%s': more elements than region %u has "
                        "bytes (%llu)",
                        i, (const char *)t, region,
                        (unsigned long long)m->region_size[region]);
    }
    if (offset >= m->region_size[region] ||
        last >= m->region_size[region] - offset)
      return npu_fail(error, MUON_NPU_ERROR_TENSOR,
                      "tensor %u '%s': elements reach byte %llu + %llu, "
                      "beyond region %u (%llu bytes)",
                      i, (const char *)t, (unsigned long long)offset,
                      (unsigned long long)last, region,
                      (unsigned long long)m->region_size[region]);
  }
  for (region = 1; region < m->region_count; ++region)
    if (m->region_kind[region] != MUON_NPU_REGION_WORKSPACE &&
        tensors_of_region[region] == 0)
      return npu_fail(error, MUON_NPU_ERROR_REGION,
                      "region %u is an %s region without a tensor descriptor",
                      region, npu_region_kind_names[m->region_kind[region]]);
  return 0;
}

static int load_layers(muon_npu_model *m, const uint8_t *section, uint64_t size,
                       muon_npu_error *error) {
  uint32_t count, i;
  if (size < NPUB_LIST_HEADER_BYTES)
    return npu_fail(error, MUON_NPU_ERROR_TRUNCATED,
                    "LAYERS section: %llu bytes, less than its 8-byte count",
                    (unsigned long long)size);
  count = npu_read_u32(section);
  if (npu_read_u32(section + 4) != 0 || count > 65536 ||
      size != NPUB_LIST_HEADER_BYTES + (uint64_t)count * MUON_NPU_NAME_BYTES)
    return npu_fail(error, MUON_NPU_ERROR_SECTION,
                    "LAYERS section: %llu bytes do not hold the %u names it "
                    "announces (64 bytes each)",
                    (unsigned long long)size, count);
  for (i = 0; i < count; ++i)
    if (!valid_name(section + NPUB_LIST_HEADER_BYTES +
                    (size_t)i * MUON_NPU_NAME_BYTES))
      return npu_fail(error, MUON_NPU_ERROR_SECTION,
                      "LAYERS section: name %u is not 1..63 printable "
                      "characters padded with NUL",
                      i);
  m->layer_names = section + NPUB_LIST_HEADER_BYTES;
  m->layer_count = count;
  return 0;
}

/* Places the on-chip buffers, the workspace regions and the token queues in
 * one arena, each 64-byte aligned; then, for hazard checks only, the access
 * records of every buffer entry and of every byte of the regions the program
 * writes (workspace and output). */
static void plan_arena(muon_npu_model *m) {
  uint64_t offset = 0;
  unsigned buffer, region, q;
  for (buffer = 0; buffer < 5; ++buffer) {
    m->buffer_offset[buffer] = offset;
    offset += npu_buffer_entries(&m->config, buffer) *
              npu_entry_bytes(&m->config, buffer);
    offset = (offset + 63) & ~(uint64_t)63;
  }
  for (region = 0; region < m->region_count; ++region) {
    m->region_arena_offset[region] = offset;
    if (m->region_kind[region] == MUON_NPU_REGION_WORKSPACE)
      offset = (offset + m->region_size[region] + 63) & ~(uint64_t)63;
  }
  m->token_offset = offset;
  for (q = 0; q < 4; ++q)
    offset += (uint64_t)m->token_capacity[q] * sizeof(npu_token);
  m->arena_size = offset = (offset + 63) & ~(uint64_t)63;
  /* Per entry: the last writer and the last reader on each stage. */
  for (buffer = 0; buffer < 5; ++buffer) {
    m->hazard_offset[buffer] = offset;
    offset += npu_buffer_entries(&m->config, buffer) * 4 * sizeof(uint32_t);
  }
  /* Per byte: the last STORE and the last LOAD. */
  for (region = 0; region < m->region_count; ++region) {
    m->region_hazard_offset[region] = offset;
    if (m->region_kind[region] == MUON_NPU_REGION_WORKSPACE ||
        m->region_kind[region] == MUON_NPU_REGION_OUTPUT)
      offset += m->region_size[region] * 2 * sizeof(uint32_t);
  }
  m->checked_arena_size = offset;
}

int muon_npu_load(muon_npu_model *m, const void *data, size_t size,
                  const muon_npu_hw_config *device, muon_npu_error *error) {
  const uint8_t *file = (const uint8_t *)data;
  uint32_t header_bytes, section_count, i, j;
  uint64_t checksum;
  uint8_t header_copy[NPUB_HEADER_BYTES +
                      NPUB_MAX_SECTIONS * NPUB_SECTION_ENTRY_BYTES];
  const uint8_t *section_data[6] = {0, 0, 0, 0, 0, 0};
  uint64_t section_size[6] = {0, 0, 0, 0, 0, 0};
  int status;

  if (error) {
    error->code = 0;
    error->message[0] = 0;
  }
  if (!m || !data)
    return npu_fail(error, MUON_NPU_ERROR_ARGUMENT, "model or data is NULL");
  memset(m, 0, sizeof *m);
  if (size < NPUB_HEADER_BYTES)
    return npu_fail(error, MUON_NPU_ERROR_TRUNCATED,
                    "%llu bytes, less than the 80-byte .npub header",
                    (unsigned long long)size);
  if (memcmp(file, "MUONNPUB", 8) != 0)
    return npu_fail(error, MUON_NPU_ERROR_FORMAT,
                    "not a .npub file (bytes 0..7 are not 'MUONNPUB')");
  if (npu_read_u32(file + 8) != NPUB_FORMAT_VERSION)
    return npu_fail(error, MUON_NPU_ERROR_FORMAT,
                    ".npub format version %u; this runtime reads version %u",
                    npu_read_u32(file + 8), NPUB_FORMAT_VERSION);
  if (npu_read_u32(file + 12) != MUON_NPU_ISA_VERSION ||
      npu_read_u32(file + 72) != MUON_NPU_INSTRUCTION_BYTES)
    return npu_fail(error, MUON_NPU_ERROR_FORMAT,
                    "ISA version %u with %u-byte instructions; this runtime "
                    "decodes version %u, %u bytes",
                    npu_read_u32(file + 12), npu_read_u32(file + 72),
                    MUON_NPU_ISA_VERSION, MUON_NPU_INSTRUCTION_BYTES);
  if (npu_read_u64(file + 16) != size)
    return npu_fail(error, MUON_NPU_ERROR_TRUNCATED,
                    "the header (byte 16) says the file has %llu bytes, it "
                    "has %llu",
                    (unsigned long long)npu_read_u64(file + 16),
                    (unsigned long long)size);
  header_bytes = npu_read_u32(file + 24);
  section_count = npu_read_u32(file + 28);
  if (section_count < 1 || section_count > NPUB_MAX_SECTIONS ||
      header_bytes !=
          NPUB_HEADER_BYTES + section_count * NPUB_SECTION_ENTRY_BYTES ||
      header_bytes > size || npu_read_u32(file + 76) != 0)
    return npu_fail(error, MUON_NPU_ERROR_FORMAT,
                    "header: %u sections in %u header bytes (1..%u sections "
                    "of 32 bytes after 80, within the file, reserved word 0)",
                    section_count, header_bytes, NPUB_MAX_SECTIONS);
  memcpy(header_copy, file, header_bytes);
  memset(header_copy + 64, 0, 8);
  checksum = muon_npu_fnv1a64(header_copy, header_bytes);
  if (checksum != npu_read_u64(file + 64))
    return npu_fail(error, MUON_NPU_ERROR_CHECKSUM,
                    "header checksum (byte 64) is %016llx, the header's bytes "
                    "hash to %016llx",
                    (unsigned long long)npu_read_u64(file + 64),
                    (unsigned long long)checksum);

  m->file = file;
  m->file_size = size;
  m->config.block = npu_read_u32(file + 32);
  m->config.ibuf_entries = npu_read_u32(file + 36);
  m->config.wbuf_entries = npu_read_u32(file + 40);
  m->config.acc_entries = npu_read_u32(file + 44);
  m->config.obuf_entries = npu_read_u32(file + 48);
  m->config.pbuf_entries = npu_read_u32(file + 52);
  if ((status = validate_config(&m->config, error)))
    return status;
  if (muon_npu_config_hash(&m->config) != npu_read_u64(file + 56))
    return npu_fail(error, MUON_NPU_ERROR_CONFIG,
                    "the configuration hash (byte 56) does not match the "
                    "configuration in the header");
  if (device && muon_npu_config_hash(device) != npu_read_u64(file + 56))
    return npu_fail(
        error, MUON_NPU_ERROR_CONFIG,
        "compiled for BLOCK %u, IBUF %u, WBUF %u, ACC %u, OBUF %u, "
        "PBUF %u entries; this device has BLOCK %u, IBUF %u, WBUF "
        "%u, ACC %u, OBUF %u, PBUF %u",
        m->config.block, m->config.ibuf_entries, m->config.wbuf_entries,
        m->config.acc_entries, m->config.obuf_entries, m->config.pbuf_entries,
        device->block, device->ibuf_entries, device->wbuf_entries,
        device->acc_entries, device->obuf_entries, device->pbuf_entries);

  /* Sections: known kinds, at most once each, inside the file after the
   * header, not overlapping, checksums matching. */
  for (i = 0; i < section_count; ++i) {
    const uint8_t *entry =
        file + NPUB_HEADER_BYTES + i * NPUB_SECTION_ENTRY_BYTES;
    uint32_t kind = npu_read_u32(entry);
    uint64_t offset = npu_read_u64(entry + 8), bytes = npu_read_u64(entry + 16);
    if (kind < NPUB_SECTION_INSTRUCTIONS || kind > NPUB_SECTION_LAYERS ||
        npu_read_u32(entry + 4) != 0)
      return npu_fail(error, MUON_NPU_ERROR_SECTION,
                      "section %u: kind %u is unknown, or its reserved word "
                      "is not 0",
                      i, kind);
    if (section_data[kind])
      return npu_fail(error, MUON_NPU_ERROR_SECTION,
                      "section %u: a second %s section", i,
                      section_names[kind]);
    if (offset < header_bytes || offset > size || bytes > size - offset)
      return npu_fail(error, MUON_NPU_ERROR_SECTION,
                      "section %u (%s): bytes [%llu, %llu + %llu) are not "
                      "inside the file after the header (%u..%llu)",
                      i, section_names[kind], (unsigned long long)offset,
                      (unsigned long long)offset, (unsigned long long)bytes,
                      header_bytes, (unsigned long long)size);
    for (j = 0; j < i; ++j) {
      const uint8_t *other =
          file + NPUB_HEADER_BYTES + j * NPUB_SECTION_ENTRY_BYTES;
      uint64_t other_offset = npu_read_u64(other + 8);
      uint64_t other_bytes = npu_read_u64(other + 16);
      if (offset < other_offset + other_bytes && other_offset < offset + bytes)
        return npu_fail(error, MUON_NPU_ERROR_SECTION,
                        "section %u (%s) overlaps section %u", i,
                        section_names[kind], j);
    }
    checksum = muon_npu_fnv1a64(file + offset, (size_t)bytes);
    if (checksum != npu_read_u64(entry + 24))
      return npu_fail(error, MUON_NPU_ERROR_CHECKSUM,
                      "section %u (%s): checksum %016llx, the bytes hash to "
                      "%016llx",
                      i, section_names[kind],
                      (unsigned long long)npu_read_u64(entry + 24),
                      (unsigned long long)checksum);
    section_data[kind] = file + offset;
    section_size[kind] = bytes;
  }
  if (!section_data[NPUB_SECTION_INSTRUCTIONS] ||
      !section_data[NPUB_SECTION_REGIONS] ||
      !section_data[NPUB_SECTION_TENSORS])
    return npu_fail(error, MUON_NPU_ERROR_SECTION,
                    "the INSTRUCTIONS, REGIONS and TENSORS sections are "
                    "required; %s is missing",
                    !section_data[NPUB_SECTION_INSTRUCTIONS] ? "INSTRUCTIONS"
                    : !section_data[NPUB_SECTION_REGIONS]    ? "REGIONS"
                                                             : "TENSORS");
  m->constants = section_data[NPUB_SECTION_CONSTANTS];
  m->constants_size = section_size[NPUB_SECTION_CONSTANTS];
  if (m->constants_size > UINT64_C(0xffffffff))
    return npu_fail(error, MUON_NPU_ERROR_SECTION,
                    "CONSTANTS section: %llu bytes, more than 32-bit offsets "
                    "reach",
                    (unsigned long long)m->constants_size);
  if ((status = load_regions(m, section_data[NPUB_SECTION_REGIONS],
                             section_size[NPUB_SECTION_REGIONS], error)) ||
      (status = load_tensors(m, section_data[NPUB_SECTION_TENSORS],
                             section_size[NPUB_SECTION_TENSORS], error)))
    return status;
  if (section_data[NPUB_SECTION_LAYERS] &&
      (status = load_layers(m, section_data[NPUB_SECTION_LAYERS],
                            section_size[NPUB_SECTION_LAYERS], error)))
    return status;

  if (section_size[NPUB_SECTION_INSTRUCTIONS] % MUON_NPU_INSTRUCTION_BYTES ||
      section_size[NPUB_SECTION_INSTRUCTIONS] == 0 ||
      section_size[NPUB_SECTION_INSTRUCTIONS] / MUON_NPU_INSTRUCTION_BYTES >
          0x3ffffffeu)
    return npu_fail(error, MUON_NPU_ERROR_SECTION,
                    "INSTRUCTIONS section: %llu bytes is not a positive "
                    "multiple of %u (at most 2^30 - 2 instructions)",
                    (unsigned long long)section_size[NPUB_SECTION_INSTRUCTIONS],
                    MUON_NPU_INSTRUCTION_BYTES);
  m->instructions = section_data[NPUB_SECTION_INSTRUCTIONS];
  m->instruction_count = (uint32_t)(section_size[NPUB_SECTION_INSTRUCTIONS] /
                                    MUON_NPU_INSTRUCTION_BYTES);
  if ((status = npu_validate_instructions(m, error)))
    return status;
  plan_arena(m);
  if (m->checked_arena_size > (uint64_t)SIZE_MAX)
    return npu_fail(error, MUON_NPU_ERROR_MEMORY,
                    "the program needs %llu bytes of memory, more than this "
                    "machine can address",
                    (unsigned long long)m->checked_arena_size);
  return 0;
}

size_t muon_npu_memory_size(const muon_npu_model *m, unsigned flags) {
  if (!m)
    return 0;
  return (size_t)(flags & MUON_NPU_CHECK_HAZARDS ? m->checked_arena_size
                                                 : m->arena_size);
}

int muon_npu_attach_memory(muon_npu_model *m, void *memory, size_t size,
                           unsigned flags, muon_npu_error *error) {
  uint32_t region;
  size_t needed = muon_npu_memory_size(m, flags);
  if (!m || !m->instructions || (!memory && needed))
    return npu_fail(error, MUON_NPU_ERROR_ARGUMENT,
                    "no loaded model or no memory");
  if (size < needed)
    return npu_fail(error, MUON_NPU_ERROR_MEMORY,
                    "%llu bytes of memory given, the program needs %llu",
                    (unsigned long long)size, (unsigned long long)needed);
  if ((uintptr_t)memory % 64)
    return npu_fail(error, MUON_NPU_ERROR_MEMORY,
                    "memory at %p is not 64-byte aligned", memory);
  m->flags = flags & MUON_NPU_CHECK_HAZARDS;
  m->arena = (uint8_t *)memory;
  for (region = 0; region < m->region_count; ++region) {
    if (m->region_kind[region] == MUON_NPU_REGION_WORKSPACE)
      m->region_base[region] = m->arena + m->region_arena_offset[region];
    else if (m->region_kind[region] == MUON_NPU_REGION_CONSTANTS)
      m->region_base[region] = (uint8_t *)(uintptr_t)m->constants;
  }
  return 0;
}

uint32_t muon_npu_tensor_count(const muon_npu_model *m) {
  return m ? m->tensor_count : 0;
}

int muon_npu_find_tensor(const muon_npu_model *m, const char *name) {
  uint32_t i;
  if (!m || !name)
    return -1;
  for (i = 0; i < m->tensor_count; ++i)
    if (strcmp((const char *)(m->tensors + (size_t)i * NPUB_TENSOR_ENTRY_BYTES),
               name) == 0)
      return (int)i;
  return -1;
}

int muon_npu_tensor(const muon_npu_model *m, uint32_t index,
                    muon_npu_tensor_info *info) {
  const uint8_t *t;
  uint32_t d, scale_bits;
  if (!m || !info || index >= m->tensor_count)
    return MUON_NPU_ERROR_ARGUMENT;
  t = m->tensors + (size_t)index * NPUB_TENSOR_ENTRY_BYTES;
  info->name = (const char *)t;
  info->region = npu_read_u32(t + 68);
  info->region_kind = m->region_kind[info->region];
  info->rank = npu_read_u32(t + 72);
  info->zero_point = npu_read_i32(t + 76);
  scale_bits = npu_read_u32(t + 80);
  memcpy(&info->scale, &scale_bits, sizeof info->scale);
  info->offset = npu_read_u64(t + 88);
  info->elements = 1;
  for (d = 0; d < MUON_NPU_MAX_RANK; ++d) {
    info->dims[d] = npu_read_u32(t + 96 + 4 * d);
    info->strides[d] = npu_read_u32(t + 120 + 4 * d);
    if (d < info->rank)
      info->elements *= info->dims[d];
  }
  info->region_bytes = m->region_size[info->region];
  return 0;
}

int muon_npu_bind(muon_npu_model *m, uint32_t index, void *data, size_t size,
                  muon_npu_error *error) {
  muon_npu_tensor_info info;
  if (!m || !data || muon_npu_tensor(m, index, &info) != 0)
    return npu_fail(error, MUON_NPU_ERROR_ARGUMENT,
                    "tensor %u does not exist or data is NULL", index);
  if (size < info.region_bytes)
    return npu_fail(error, MUON_NPU_ERROR_BIND,
                    "tensor '%s' needs %llu bytes, %llu given", info.name,
                    (unsigned long long)info.region_bytes,
                    (unsigned long long)size);
  m->region_base[info.region] = (uint8_t *)data;
  return 0;
}

int muon_npu_bind_name(muon_npu_model *m, const char *name, void *data,
                       size_t size, muon_npu_error *error) {
  int index = muon_npu_find_tensor(m, name);
  if (index < 0)
    return npu_fail(error, MUON_NPU_ERROR_BIND,
                    "the program has no tensor called '%s'",
                    name ? name : "(null)");
  return muon_npu_bind(m, (uint32_t)index, data, size, error);
}

uint64_t muon_npu_serial_cycles(const muon_npu_model *m) {
  return m ? m->serial_cycles : 0;
}

uint32_t muon_npu_layer_count(const muon_npu_model *m) {
  return m ? m->max_layer_id_plus_one : 0;
}

const char *muon_npu_layer_name(const muon_npu_model *m, uint32_t layer) {
  if (!m || layer >= m->layer_count)
    return 0;
  return (const char *)(m->layer_names + (size_t)layer * MUON_NPU_NAME_BYTES);
}
