// Values the encoding cannot hold are rejected when the op is verified,
// with the field's name, long before a loader would see the binary.
// RUN: muon-opt %s -split-input-file -verify-diagnostics

npu.program @p {
  // expected-error @below {{'npu.load' op field 'rows' = 65536 does not fit its bits in the encoding}}
  npu.load {rows = 65536 : i64}
}

// -----

npu.program @p {
  // expected-error @below {{'npu.requant' op field 'clamp_min' = -129 does not fit its bits in the encoding}}
  npu.requant {clamp_min = -129 : i64}
}

// -----

npu.program @p {
  // expected-error @below {{'npu.load' op field 'buffer' is "XBUF", not one of IBUF, WBUF, ACC, OBUF, PBUF}}
  npu.load {buffer = "XBUF"}
}

// -----

// expected-error @below {{'npu.program' op config has no field 'blocks'}}
npu.program @p attributes {config = {blocks = 16 : i64}} {
}

// -----

npu.program @p {
  npu.region "input", 8
  // expected-error @below {{'npu.tensor' op region 2 is not one of the 1 regions declared (numbered from 1)}}
  npu.tensor "x" {region = 2 : i64, shape = array<i64: 8>, strides = array<i64: 1>}
}

// -----

npu.program @p {
  // expected-error @below {{'npu.region' op kind must be workspace, input or output, not 'scratch'}}
  npu.region "scratch", 8
}

// -----

// expected-error @below {{'npu.gemm' op expects parent op 'npu.program'}}
npu.gemm
