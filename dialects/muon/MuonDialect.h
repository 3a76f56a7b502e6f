//===- MuonDialect.h - The muon graph dialect -------------------*- C++ -*-===//
#ifndef MUON_DIALECTS_MUON_MUONDIALECT_H
#define MUON_DIALECTS_MUON_MUONDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/muon/MuonDialect.h.inc"

#endif
