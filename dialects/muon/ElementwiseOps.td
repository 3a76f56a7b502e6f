//===- ElementwiseOps.td - muon ops: element-wise math, comparison and logic ops -===//
//
// Included by MuonOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_ELEMENTWISE_OPS_TD
#define MUON_ELEMENTWISE_OPS_TD

#endif // MUON_ELEMENTWISE_OPS_TD
