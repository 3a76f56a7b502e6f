//===- ReductionOps.td - muon ops: reductions, arg-reductions and normalisations -===//
//
// Included by MuonOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_REDUCTION_OPS_TD
#define MUON_REDUCTION_OPS_TD

#endif // MUON_REDUCTION_OPS_TD
