//===- DataMovementOps.td - muon ops: indexing and data movement with run-time inputs -===//
//
// Included by MuonOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef MUON_DATAMOVEMENT_OPS_TD
#define MUON_DATAMOVEMENT_OPS_TD

#endif // MUON_DATAMOVEMENT_OPS_TD
