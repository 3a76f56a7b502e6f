/* npu_disassemble.c - one instruction as text, from the field tables that
 * gen_isa.py generates from isa.json (npu_isa.h). */
#include "runtime/npu/npu_internal.h"

#include <stdio.h>

int muon_npu_disassemble(const uint8_t *instr, char *text, size_t size) {
  const muon_npu_instr_info *info =
      muon_npu_instr_info_of(muon_npu_opcode_of(instr));
  size_t used = 0;
  unsigned f;
  int n;
  if (!info)
    return snprintf(text, size, "INVALID opcode=%u", muon_npu_opcode_of(instr));
  n = snprintf(text, size, "%s", info->name);
  used = n > 0 ? (size_t)n : 0;
  for (f = 1; f < info->field_count; ++f) {
    const muon_npu_field_info *field = &info->fields[f];
    char *at = used < size ? text + used : 0;
    size_t room = used < size ? size - used : 0;
    if (field->is_signed)
      n = snprintf(at, room, " %s=%d", field->name,
                   (int)muon_npu_signed_bits(instr, field->lsb, field->width));
    else {
      uint32_t value = muon_npu_bits(instr, field->lsb, field->width);
      if (field->enum_names && value < field->enum_count &&
          field->enum_names[value])
        n = snprintf(at, room, " %s=%s", field->name, field->enum_names[value]);
      else
        n = snprintf(at, room, " %s=%u", field->name, (unsigned)value);
    }
    used += n > 0 ? (size_t)n : 0;
  }
  return (int)used;
}
