/* muon-npu-run - runs a .npub program on the NPU simulator from the command
 * line (docs/cli.md has every option):
 *
 *   muon-npu-run model.npub --input x.npy --output y.npy --stats
 *
 * Inputs are .npy files, int8 (taken as they are) or float32 (quantized with
 * the tensor's scale and zero point: q = saturate(round_half_even(x / scale) +
 * zero_point), as ONNX QuantizeLinear). Outputs are written dequantized to
 * float32, (q - zero_point) * scale, or as int8 with --int8-output. */
#include "runtime/npu/npu_runtime.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_FILES = 64 };

static const char *const usage =
    "usage: muon-npu-run model.npub [--input [NAME=]x.npy]... "
    "[--output [NAME=]y.npy]...\n"
    "                    [--int8-output] [--stats] [--dump]\n"
    "                    [--dma-bytes-per-cycle N] [--dma-latency N] "
    "[--compute-setup N] [--clock-mhz F]\n"
    "                    [--max-cycles N] [--no-hazard-check]\n"
    "Inputs and outputs without NAME= go to the model's input/output tensors "
    "in order.\n";

static int fail(const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static int fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fprintf(stderr, "muon-npu-run: error: ");
  vfprintf(stderr, format, args);
  fprintf(stderr, "\n");
  va_end(args);
  return 1;
}

static unsigned char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  unsigned char *data;
  long length;
  if (!f)
    return NULL;
  if (fseek(f, 0, SEEK_END) != 0 || (length = ftell(f)) < 0 ||
      fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return NULL;
  }
  data = (unsigned char *)malloc(length ? (size_t)length : 1);
  if (data && fread(data, 1, (size_t)length, f) != (size_t)length) {
    free(data);
    data = NULL;
  }
  fclose(f);
  *size = (size_t)length;
  return data;
}

/* A parsed .npy array: int8 or float32, C order. */
typedef struct npy_array {
  int is_float;
  unsigned rank;
  unsigned long long dims[8];
  unsigned long long elements;
  const unsigned char *data;
  unsigned char *file;
} npy_array;

/* Parses the .npy header (format versions 1-3); returns an error or NULL. */
static const char *parse_npy(unsigned char *file, size_t size, npy_array *a) {
  size_t header_length, start;
  char header[4096];
  const char *descr, *shape, *p;
  memset(a, 0, sizeof *a);
  a->file = file;
  if (size < 10 || memcmp(file, "\x93NUMPY", 6) != 0)
    return "not a .npy file";
  if (file[6] == 1) {
    header_length = file[8] | (size_t)file[9] << 8;
    start = 10;
  } else {
    if (size < 12)
      return "truncated .npy header";
    header_length = file[8] | (size_t)file[9] << 8 | (size_t)file[10] << 16 |
                    (size_t)file[11] << 24;
    start = 12;
  }
  if (header_length >= sizeof header || start + header_length > size)
    return "truncated or oversized .npy header";
  memcpy(header, file + start, header_length);
  header[header_length] = 0;
  if (strstr(header, "'fortran_order': True"))
    return "Fortran-order arrays are not supported";
  descr = strstr(header, "'descr':");
  shape = strstr(header, "'shape':");
  if (!descr || !shape)
    return "the .npy header has no descr or shape";
  if (strstr(descr, "'<f4'"))
    a->is_float = 1;
  else if (!strstr(descr, "'|i1'") && !strstr(descr, "'<i1'") &&
           !strstr(descr, "'i1'"))
    return "the array is neither float32 ('<f4') nor int8 ('|i1')";
  p = strchr(shape, '(');
  if (!p)
    return "bad shape in the .npy header";
  ++p;
  a->elements = 1;
  for (;;) {
    char *end;
    unsigned long long d;
    while (*p == ' ' || *p == ',')
      ++p;
    if (*p == ')')
      break;
    d = strtoull(p, &end, 10);
    if (end == p || a->rank == 8)
      return "bad shape in the .npy header";
    a->dims[a->rank++] = d;
    a->elements *= d;
    p = end;
  }
  a->data = file + start + header_length;
  if ((size_t)(file + size - a->data) / (a->is_float ? 4 : 1) < a->elements)
    return "the .npy data is shorter than its shape";
  return NULL;
}

static int write_npy(const char *path, const void *data, int is_float,
                     const muon_npu_tensor_info *info) {
  char header[256];
  char shape[160] = "";
  size_t length, i;
  unsigned d;
  FILE *f;
  for (d = 0; d < info->rank; ++d) {
    char dim[24];
    snprintf(dim, sizeof dim, "%u%s", info->dims[d],
             info->rank == 1 ? "," : (d + 1 < info->rank ? ", " : ""));
    strncat(shape, dim, sizeof shape - strlen(shape) - 1);
  }
  length = (size_t)snprintf(header, sizeof header,
                            "{'descr': '%s', 'fortran_order': False, 'shape': "
                            "(%s), }",
                            is_float ? "<f4" : "|i1", shape);
  /* Pad with spaces so the data starts 64-byte aligned, newline last. */
  while ((10 + length + 1) % 64)
    header[length++] = ' ';
  header[length++] = '\n';
  f = fopen(path, "wb");
  if (!f)
    return 1;
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  fputc((int)(length & 0xff), f);
  fputc((int)(length >> 8), f);
  fwrite(header, 1, length, f);
  i = fwrite(data, is_float ? 4 : 1, (size_t)info->elements, f);
  return fclose(f) != 0 || i != info->elements;
}

/* Byte offset of the element with row-major index `flat`. */
static unsigned long long element_offset(const muon_npu_tensor_info *info,
                                         unsigned long long flat) {
  unsigned long long offset = info->offset;
  int d;
  for (d = (int)info->rank - 1; d >= 0; --d) {
    offset += (flat % info->dims[d]) * info->strides[d];
    flat /= info->dims[d];
  }
  return offset;
}

static signed char quantize(float x, const muon_npu_tensor_info *info) {
  float q = nearbyintf(x / info->scale) + (float)info->zero_point;
  if (!(q >= -128.0f)) /* NaN goes to -128 */
    return -128;
  if (q > 127.0f)
    return 127;
  return (signed char)q;
}

typedef struct named_file {
  const char *name; /* NULL: by position */
  const char *path;
} named_file;

static named_file split_named(const char *arg) {
  named_file nf;
  const char *eq = strchr(arg, '=');
  static char names[MAX_FILES * 2][64];
  static int used;
  nf.name = NULL;
  nf.path = arg;
  if (eq && eq - arg < 64 && used < MAX_FILES * 2) {
    memcpy(names[used], arg, (size_t)(eq - arg));
    names[used][eq - arg] = 0;
    nf.name = names[used++];
    nf.path = eq + 1;
  }
  return nf;
}

/* The tensor for the position-th file without a name, among tensors of
 * region kind `kind`, or the one called `name`. */
static int pick_tensor(const muon_npu_model *m, named_file nf,
                       unsigned position, unsigned kind) {
  unsigned i, seen = 0;
  if (nf.name)
    return muon_npu_find_tensor(m, nf.name);
  for (i = 0; i < muon_npu_tensor_count(m); ++i) {
    muon_npu_tensor_info info;
    muon_npu_tensor(m, i, &info);
    if (info.region_kind != kind)
      continue;
    if (seen++ == position)
      return (int)i;
  }
  return -1;
}

int main(int argc, char **argv) {
  const char *model_path = NULL;
  named_file inputs[MAX_FILES], outputs[MAX_FILES];
  unsigned input_count = 0, output_count = 0, i;
  int int8_output = 0, show_stats = 0, dump = 0;
  unsigned flags = MUON_NPU_CHECK_HAZARDS;
  double clock_mhz = 500.0;
  unsigned long long max_cycles = 0; /* 0: no limit */
  muon_npu_timing timing = muon_npu_default_timing();
  unsigned char *file, *memory = NULL, *arena;
  unsigned char *buffers[MUON_NPU_MAX_REGIONS] = {0};
  size_t size;
  muon_npu_model model;
  muon_npu_error error;
  muon_npu_stats stats;
  muon_npu_layer_stats *layers = NULL;
  int arg;

  for (arg = 1; arg < argc; ++arg) {
    const char *a = argv[arg];
    int has_value = arg + 1 < argc;
    if (!strcmp(a, "--input") && has_value && input_count < MAX_FILES)
      inputs[input_count++] = split_named(argv[++arg]);
    else if (!strcmp(a, "--output") && has_value && output_count < MAX_FILES)
      outputs[output_count++] = split_named(argv[++arg]);
    else if (!strcmp(a, "--int8-output"))
      int8_output = 1;
    else if (!strcmp(a, "--stats"))
      show_stats = 1;
    else if (!strcmp(a, "--no-hazard-check"))
      flags &= ~(unsigned)MUON_NPU_CHECK_HAZARDS;
    else if (!strcmp(a, "--dump"))
      dump = 1;
    else if (!strcmp(a, "--dma-bytes-per-cycle") && has_value)
      timing.dma_bytes_per_cycle = (uint32_t)strtoul(argv[++arg], NULL, 10);
    else if (!strcmp(a, "--dma-latency") && has_value)
      timing.dma_latency_cycles = (uint32_t)strtoul(argv[++arg], NULL, 10);
    else if (!strcmp(a, "--compute-setup") && has_value)
      timing.compute_setup_cycles = (uint32_t)strtoul(argv[++arg], NULL, 10);
    else if (!strcmp(a, "--max-cycles") && has_value)
      max_cycles = strtoull(argv[++arg], NULL, 10);
    else if (!strcmp(a, "--clock-mhz") && has_value)
      clock_mhz = strtod(argv[++arg], NULL);
    else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      fputs(usage, stdout);
      return 0;
    } else if (a[0] != '-' && !model_path)
      model_path = a;
    else {
      fprintf(stderr,
              "muon-npu-run: error: unknown or incomplete option '%s'\n%s", a,
              usage);
      return 2;
    }
  }
  if (!model_path) {
    fputs(usage, stderr);
    return 2;
  }
  if (timing.dma_bytes_per_cycle == 0)
    return fail("--dma-bytes-per-cycle must be at least 1");

  file = read_file(model_path, &size);
  if (!file)
    return fail("cannot read '%s'", model_path);
  if (muon_npu_load(&model, file, size, NULL, &error) != 0) {
    fprintf(stderr, "muon-npu-run: error: %s: %s (%s)\n", model_path,
            error.message, muon_npu_status_name(error.code));
    return 1;
  }
  if (dump) {
    char text[512];
    for (i = 0; i < model.instruction_count; ++i) {
      muon_npu_disassemble(model.instructions + (size_t)i * 32, text,
                           sizeof text);
      printf("%5u: %s\n", i, text);
    }
    if (!input_count && !output_count)
      return 0;
  }

  if (max_cycles && muon_npu_serial_cycles(&model) > max_cycles) {
    fprintf(stderr,
            "muon-npu-run: error: %s: the program may take up to %llu cycles, "
            "more than --max-cycles %llu\n",
            model_path, (unsigned long long)muon_npu_serial_cycles(&model),
            max_cycles);
    return 1;
  }
  /* The runtime wants 64-byte aligned memory; malloc promises less. */
  memory = (unsigned char *)malloc(muon_npu_memory_size(&model, flags) + 64);
  arena = memory + (64 - (uintptr_t)memory % 64) % 64;
  if (!memory ||
      muon_npu_attach_memory(&model, arena, muon_npu_memory_size(&model, flags),
                             flags, &error)) {
    fprintf(stderr, "muon-npu-run: error: %s\n",
            memory ? error.message : "out of memory");
    return 1;
  }

  /* Every input and output region gets a buffer; inputs start as the zero
   * point so padding bytes between strided elements are well defined. */
  for (i = 0; i < muon_npu_tensor_count(&model); ++i) {
    muon_npu_tensor_info info;
    muon_npu_tensor(&model, i, &info);
    buffers[i] = (unsigned char *)malloc((size_t)info.region_bytes);
    if (!buffers[i])
      return fail("out of memory for tensor '%s'", info.name);
    memset(buffers[i],
           info.region_kind == MUON_NPU_REGION_INPUT
               ? (unsigned char)info.zero_point
               : 0,
           (size_t)info.region_bytes);
    muon_npu_bind(&model, i, buffers[i], (size_t)info.region_bytes, &error);
  }
  for (i = 0; i < input_count; ++i) {
    int t = pick_tensor(&model, inputs[i], i, MUON_NPU_REGION_INPUT);
    muon_npu_tensor_info info;
    npy_array a;
    size_t npy_size;
    unsigned char *npy;
    const char *problem;
    unsigned long long e;
    unsigned d;
    if (t < 0 || (muon_npu_tensor(&model, (uint32_t)t, &info),
                  info.region_kind != MUON_NPU_REGION_INPUT))
      return fail("--input %s: the model has no such input tensor",
                  inputs[i].name ? inputs[i].name : inputs[i].path);
    npy = read_file(inputs[i].path, &npy_size);
    if (!npy)
      return fail("cannot read '%s'", inputs[i].path);
    if ((problem = parse_npy(npy, npy_size, &a)))
      return fail("%s: %s", inputs[i].path, problem);
    if (a.rank != info.rank)
      return fail("%s: the array's rank differs from input '%s''s",
                  inputs[i].path, info.name);
    for (d = 0; d < a.rank; ++d)
      if (a.dims[d] != info.dims[d])
        return fail("%s: the array's shape differs from input '%s''s",
                    inputs[i].path, info.name);
    for (e = 0; e < info.elements; ++e) {
      signed char q;
      if (a.is_float) {
        float x;
        memcpy(&x, a.data + 4 * e, 4);
        q = quantize(x, &info);
      } else
        q = (signed char)a.data[e];
      buffers[t][element_offset(&info, e)] = (unsigned char)q;
    }
    free(npy);
  }

  if (muon_npu_layer_count(&model)) {
    layers = (muon_npu_layer_stats *)calloc(muon_npu_layer_count(&model),
                                            sizeof *layers);
    if (!layers)
      return fail("out of memory");
  }
  if (muon_npu_run(&model, &timing, &stats, layers,
                   muon_npu_layer_count(&model), &error) != 0) {
    fprintf(stderr, "muon-npu-run: error: %s: %s (%s)\n", model_path,
            error.message, muon_npu_status_name(error.code));
    return 1;
  }

  for (i = 0; i < output_count; ++i) {
    int t = pick_tensor(&model, outputs[i], i, MUON_NPU_REGION_OUTPUT);
    muon_npu_tensor_info info;
    unsigned char *out;
    unsigned long long e;
    if (t < 0 || (muon_npu_tensor(&model, (uint32_t)t, &info),
                  info.region_kind != MUON_NPU_REGION_OUTPUT))
      return fail("--output %s: the model has no such output tensor",
                  outputs[i].name ? outputs[i].name : outputs[i].path);
    out = (unsigned char *)malloc((size_t)info.elements * 4);
    if (!out)
      return fail("out of memory");
    for (e = 0; e < info.elements; ++e) {
      signed char q = (signed char)buffers[t][element_offset(&info, e)];
      if (int8_output)
        out[e] = (unsigned char)q;
      else {
        float x = (float)(q - info.zero_point) * info.scale;
        memcpy(out + 4 * e, &x, 4);
      }
    }
    if (write_npy(outputs[i].path, out, !int8_output, &info))
      return fail("cannot write '%s'", outputs[i].path);
    free(out);
  }

  if (show_stats) {
    unsigned block = model.config.block;
    printf("cycles: %llu (%.3f us at %g MHz)\n",
           (unsigned long long)stats.cycles,
           clock_mhz > 0 ? (double)stats.cycles / clock_mhz : 0.0, clock_mhz);
    printf("MAC utilisation: %.2f %% (%llu MACs on a %ux%u array)\n",
           100.0 * stats.mac_utilisation, (unsigned long long)stats.macs, block,
           block);
    printf("busy cycles: load %llu, compute %llu, store %llu\n",
           (unsigned long long)stats.load_busy_cycles,
           (unsigned long long)stats.compute_busy_cycles,
           (unsigned long long)stats.store_busy_cycles);
    printf("DRAM bytes: loaded %llu, stored %llu\n",
           (unsigned long long)stats.bytes_loaded,
           (unsigned long long)stats.bytes_stored);
    printf("instructions: %llu\n", (unsigned long long)stats.instructions);
    for (i = 0; i < muon_npu_layer_count(&model); ++i) {
      const char *name = muon_npu_layer_name(&model, i);
      muon_npu_layer_stats *l = &layers[i];
      printf(
          "layer %u%s%s%s: cycles %llu..%llu (%llu), compute busy %llu, MACs "
          "%llu, bytes loaded %llu, stored %llu, instructions %llu\n",
          i, name ? " '" : "", name ? name : "", name ? "'" : "",
          (unsigned long long)l->first_start, (unsigned long long)l->last_end,
          (unsigned long long)(l->last_end - l->first_start),
          (unsigned long long)l->compute_busy_cycles,
          (unsigned long long)l->macs, (unsigned long long)l->bytes_loaded,
          (unsigned long long)l->bytes_stored,
          (unsigned long long)l->instructions);
    }
  }
  for (i = 0; i < muon_npu_tensor_count(&model); ++i)
    free(buffers[i]);
  free(layers);
  free(memory);
  free(file);
  return 0;
}
