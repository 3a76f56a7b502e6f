//===- NpuDialect.h - The npu dialect ---------------------------*- C++ -*-===//
#ifndef MUON_TARGETS_NPU_NPUDIALECT_H
#define MUON_TARGETS_NPU_NPUDIALECT_H

#include "targets/npu/NpuIsa.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"

#include "targets/npu/NpuOpsDialect.h.inc"

namespace muon::npu {

/// Encodes an instruction op into `bits`; on failure emits an error naming
/// the field that does not fit (or is not a value of its enum).
mlir::LogicalResult encodeInstruction(mlir::Operation *op,
                                      InstructionBits &bits);

/// The verifier of every instruction op: it must encode.
mlir::LogicalResult verifyInstruction(mlir::Operation *op);

/// The opcode of an instruction op, 0 for any other op.
unsigned opcodeOf(mlir::Operation *op);

} // namespace muon::npu

#define GET_OP_CLASSES
#include "targets/npu/NpuOps.h.inc"

#endif
