// muon_hls.h - the layer kernels of the HLS projects muonc writes
// (--target=hls, docs/hls.md). C++14, no dependencies but <stdint.h> and
// muon_requant.h (a copy of Muon's runtime/common/requant.h, the one
// definition of the int8 arithmetic that every target shares), so that a
// project's C simulation builds with plain g++ and equals the CPU int8 path
// bit for bit.
//
// Tensors are flat arrays in NCHW order (batch 1); every shape is a
// template argument, so every loop bound is a compile-time constant. A
// product layer (conv2d, dense) computes PE output channels at once, each
// over SIMD elements of its sum, in a pipelined loop (II 1) of
// (channels / PE) x (sum / SIMD) iterations per output pixel: the layer's
// reuse factor (--hls-reuse, docs/hls.md). Only the PE x SIMD lanes are
// unrolled, and a static_assert keeps them within HLS's unroll limit, so
// no loop reaches it whatever the layer's size.
//
// Activations are int8 with a zero point; weights int8, symmetric (zero
// point 0), per tensor or per output channel; biases and accumulators
// int32. A product accumulates sum((x - zero_point) * w) + bias, then
// muon_requantize scales it to the output with the layer's per-channel
// multiplier and shift and applies the fused activation clamp.
#ifndef MUON_HLS_H
#define MUON_HLS_H

#include "muon_requant.h"

#include <stdint.h>


// HLS pragmas (written as Vitis HLS spells them: keep clang-format off
// them) reach the synthesis tool only (Vitis HLS defines
// __SYNTHESIS__ there); g++ never sees them, so the C simulation builds
// with -Wall -Werror.
#ifdef __SYNTHESIS__
#define MUON_HLS_PRAGMA(text) _Pragma(#text)
#else
#define MUON_HLS_PRAGMA(text)
#endif

namespace muon_hls {

// The C simulation counts the iterations of every pipelined loop when
// built with -DMUON_HLS_COUNT_ITERATIONS (make count): the count of one
// inference is the estimate's "iterations" (docs/hls.md).
#ifdef MUON_HLS_COUNT_ITERATIONS
inline unsigned long long &iterations() {
  static unsigned long long count = 0;
  return count;
}
#define MUON_HLS_COUNT() (++muon_hls::iterations())
#else
#define MUON_HLS_COUNT()
#endif

// Requantization parameters of one layer's outputs.
template <int CHANNELS> struct Requant {
  int32_t multiplier[CHANNELS];
  int32_t shift[CHANNELS];
  int32_t zero_point;
  int32_t clamp_min;
  int32_t clamp_max;
};

// Vivado and Vitis HLS stop unrolling a loop past 4096 copies.
#define MUON_HLS_MAX_UNROLL 4096

// The PE lanes of a product layer: each lane's accumulator starts at its
// output channel's bias (channels first, first + 1, ...).
template <int PE, int CHANNELS>
void load_bias(int32_t acc[PE], const int32_t bias[CHANNELS], int first) {
  MUON_HLS_PRAGMA(HLS INLINE)
  for (int pe = 0; pe < PE; ++pe) {
    MUON_HLS_PRAGMA(HLS UNROLL)
    acc[pe] = bias[first + pe];
  }
}

// ... and its sum is requantized into out[base + pe * STRIDE].
template <int PE, int CHANNELS, int STRIDE, int SIZE>
void requantize_lanes(const int32_t acc[PE], const Requant<CHANNELS> &requant,
                      int first, int base, int8_t out[SIZE]) {
  MUON_HLS_PRAGMA(HLS INLINE)
  for (int pe = 0; pe < PE; ++pe) {
    MUON_HLS_PRAGMA(HLS UNROLL)
    const int c = first + pe;
    out[base + pe * STRIDE] = muon_requantize(
        acc[pe], 0, requant.multiplier[c], requant.shift[c],
        requant.zero_point, requant.clamp_min, requant.clamp_max);
  }
}

// A 2-D convolution, grouped (GROUPS = IN_C = OUT_C for depthwise):
// out[co][oy][ox] = requant(bias[co] + sum over the group's input channels
// ci and taps (ky, kx) of (in[ci][iy][ix] - in_zero_point) * w[co][ci][ky][kx])
// with iy = oy * SH + ky * DH - PAD_T, ix = ox * SW + kx * DW - PAD_L. A tap
// outside the input reads the zero point (ONNX pads quantized convolutions
// with it), which contributes nothing: it is skipped.
//
// PE output channels of one group share each input element. The weight is
// stored in the order the lanes read it: [OUT_C / PE][ci][ky][kx][PE].
template <int IN_C, int IN_H, int IN_W, int OUT_C, int OUT_H, int OUT_W, int KH,
          int KW, int SH, int SW, int DH, int DW, int PAD_T, int PAD_L,
          int GROUPS, int PE>
void conv2d(const int8_t in[IN_C * IN_H * IN_W],
            const int8_t weight[OUT_C * (IN_C / GROUPS) * KH * KW],
            const int32_t bias[OUT_C], int32_t in_zero_point,
            const Requant<OUT_C> &requant, int8_t out[OUT_C * OUT_H * OUT_W]) {
  static_assert(PE <= MUON_HLS_MAX_UNROLL && (OUT_C / GROUPS) % PE == 0,
                "PE lanes divide a group's output channels");
  MUON_HLS_PRAGMA(HLS ARRAY_PARTITION variable=weight cyclic factor=PE)
  const int group_in = IN_C / GROUPS;
  const int group_out = OUT_C / GROUPS;
  for (int cb = 0; cb < OUT_C / PE; ++cb) {
    const int first_in = (cb * PE / group_out) * group_in;
    for (int oy = 0; oy < OUT_H; ++oy) {
      for (int ox = 0; ox < OUT_W; ++ox) {
        int32_t acc[PE];
        MUON_HLS_PRAGMA(HLS ARRAY_PARTITION variable=acc complete)
        load_bias<PE, OUT_C>(acc, bias, cb * PE);
        for (int ci = 0; ci < group_in; ++ci) {
          for (int ky = 0; ky < KH; ++ky) {
            for (int kx = 0; kx < KW; ++kx) {
              MUON_HLS_PRAGMA(HLS PIPELINE II=1)
              MUON_HLS_COUNT();
              const int iy = oy * SH + ky * DH - PAD_T;
              const int ix = ox * SW + kx * DW - PAD_L;
              if (iy >= 0 && iy < IN_H && ix >= 0 && ix < IN_W) {
                const int32_t x =
                    in[((first_in + ci) * IN_H + iy) * IN_W + ix] -
                    in_zero_point;
                const int tap = ((cb * group_in + ci) * KH + ky) * KW + kx;
                for (int pe = 0; pe < PE; ++pe) {
                  MUON_HLS_PRAGMA(HLS UNROLL)
                  acc[pe] += x * weight[tap * PE + pe];
                }
              }
            }
          }
        }
        requantize_lanes<PE, OUT_C, OUT_H * OUT_W, OUT_C * OUT_H * OUT_W>(
            acc, requant, cb * PE, (cb * PE * OUT_H + oy) * OUT_W + ox, out);
      }
    }
  }
}

// A matrix product [ROWS, DEPTH] x [DEPTH, COLS] (Gemm, MatMul):
// out[r][c] = requant(bias[c] + sum_k (in[r][k] - in_zero_point) * w[k][c]).
// PE columns at once, each over SIMD consecutive k; the weight is stored in
// the order the lanes read it: [COLS / PE][DEPTH / SIMD][PE][SIMD].
template <int ROWS, int DEPTH, int COLS, int PE, int SIMD>
void dense(const int8_t in[ROWS * DEPTH], const int8_t weight[DEPTH * COLS],
           const int32_t bias[COLS], int32_t in_zero_point,
           const Requant<COLS> &requant, int8_t out[ROWS * COLS]) {
  const int lanes = PE * SIMD;
  static_assert(lanes <= MUON_HLS_MAX_UNROLL && COLS % PE == 0 &&
                    DEPTH % SIMD == 0,
                "PE lanes divide the columns, SIMD lanes the depth");
  MUON_HLS_PRAGMA(HLS ARRAY_PARTITION variable=weight cyclic factor=lanes)
  MUON_HLS_PRAGMA(HLS ARRAY_PARTITION variable=in cyclic factor=SIMD)
  for (int r = 0; r < ROWS; ++r) {
    for (int cb = 0; cb < COLS / PE; ++cb) {
      int32_t acc[PE];
      MUON_HLS_PRAGMA(HLS ARRAY_PARTITION variable=acc complete)
      load_bias<PE, COLS>(acc, bias, cb * PE);
      for (int kb = 0; kb < DEPTH / SIMD; ++kb) {
        MUON_HLS_PRAGMA(HLS PIPELINE II=1)
        MUON_HLS_COUNT();
        for (int pe = 0; pe < PE; ++pe) {
          MUON_HLS_PRAGMA(HLS UNROLL)
          for (int s = 0; s < SIMD; ++s) {
            MUON_HLS_PRAGMA(HLS UNROLL)
            const int32_t x = in[r * DEPTH + kb * SIMD + s] - in_zero_point;
            acc[pe] += x * weight[(cb * (DEPTH / SIMD) + kb) * lanes +
                                  pe * SIMD + s];
          }
        }
      }
      requantize_lanes<PE, COLS, 1, ROWS * COLS>(acc, requant, cb * PE,
                                                 r * COLS + cb * PE, out);
    }
  }
}

// Max pooling of int8 values (ONNX MaxPool): a tap outside the input is
// padding, the lowest int8, which never wins a window that holds an input
// element.
template <int C, int IN_H, int IN_W, int OUT_H, int OUT_W, int KH, int KW,
          int SH, int SW, int DH, int DW, int PAD_T, int PAD_L>
void max_pool2d(const int8_t in[C * IN_H * IN_W],
                int8_t out[C * OUT_H * OUT_W]) {
  for (int c = 0; c < C; ++c) {
    for (int oy = 0; oy < OUT_H; ++oy) {
      for (int ox = 0; ox < OUT_W; ++ox) {
        int8_t best = -128;
        for (int ky = 0; ky < KH; ++ky) {
          for (int kx = 0; kx < KW; ++kx) {
            MUON_HLS_PRAGMA(HLS PIPELINE II=1)
            MUON_HLS_COUNT();
            const int iy = oy * SH + ky * DH - PAD_T;
            const int ix = ox * SW + kx * DW - PAD_L;
            if (iy >= 0 && iy < IN_H && ix >= 0 && ix < IN_W) {
              const int8_t x = in[(c * IN_H + iy) * IN_W + ix];
              if (x > best)
                best = x;
            }
          }
        }
        out[(c * OUT_H + oy) * OUT_W + ox] = best;
      }
    }
  }
}

// The parameters of a quantized Add (TFLite's,
// docs/quantization-arithmetic.md): both inputs are brought to a common scale,
// added, and the sum scaled to the output.
struct AddParams {
  int32_t lhs_zero_point, lhs_multiplier, lhs_shift;
  int32_t rhs_zero_point, rhs_multiplier, rhs_shift;
  int32_t left_shift;
  int32_t out_multiplier, out_shift, out_zero_point;
  int32_t clamp_min, clamp_max;
};

// out = clamp(scale(scale(lhs - zl << s) + scale(rhs - zr << s)) + zo): each
// input below 2^8 in magnitude, shifted left by left_shift (20) and scaled
// by a multiplier below 1, stays below 2^28, so the sum fits int32.
template <int N>
void quantized_add(const int8_t lhs[N], const int8_t rhs[N], const AddParams &p,
                   int8_t out[N]) {
  for (int i = 0; i < N; ++i) {
    MUON_HLS_PRAGMA(HLS PIPELINE II=1)
    MUON_HLS_COUNT();
    const int32_t a = muon_scale_by_fixed_point(
        (int32_t(lhs[i]) - p.lhs_zero_point) * (int32_t(1) << p.left_shift),
        p.lhs_multiplier, p.lhs_shift);
    const int32_t b = muon_scale_by_fixed_point(
        (int32_t(rhs[i]) - p.rhs_zero_point) * (int32_t(1) << p.left_shift),
        p.rhs_multiplier, p.rhs_shift);
    out[i] = muon_requantize(a + b, 0, p.out_multiplier, p.out_shift,
                             p.out_zero_point, p.clamp_min, p.clamp_max);
  }
}

// out = table[in + 128] for each of N elements: float ops between a
// dequantization and a quantization (Relu, Clip, LeakyRelu, or none), as
// the CPU int8 path computes them, tabulated by muonc.
template <int N>
void map_table(const int8_t in[N], const int8_t table[256], int8_t out[N]) {
  for (int i = 0; i < N; ++i) {
    MUON_HLS_PRAGMA(HLS PIPELINE II=1)
    MUON_HLS_COUNT();
    out[i] = table[in[i] + 128];
  }
}

// One input of a Concat: OUTER blocks of CHUNK int8 elements, each mapped
// through `table` (out = table[q + 128]: the input's dequantization and
// the output's quantization as the CPU int8 path computes them) into the
// output's blocks of OUT_CHUNK at OFFSET.
template <int OUTER, int CHUNK, int OFFSET, int OUT_CHUNK>
void concat_input(const int8_t in[OUTER * CHUNK], const int8_t table[256],
                  int8_t out[OUTER * OUT_CHUNK]) {
  for (int o = 0; o < OUTER; ++o) {
    for (int i = 0; i < CHUNK; ++i) {
      MUON_HLS_PRAGMA(HLS PIPELINE II=1)
      MUON_HLS_COUNT();
      out[o * OUT_CHUNK + OFFSET + i] = table[in[o * CHUNK + i] + 128];
    }
  }
}

// The same for an input of the output's quantization: a copy.
template <int OUTER, int CHUNK, int OFFSET, int OUT_CHUNK>
void concat_copy(const int8_t in[OUTER * CHUNK],
                 int8_t out[OUTER * OUT_CHUNK]) {
  for (int o = 0; o < OUTER; ++o) {
    for (int i = 0; i < CHUNK; ++i) {
      MUON_HLS_PRAGMA(HLS PIPELINE II=1)
      MUON_HLS_COUNT();
      out[o * OUT_CHUNK + OFFSET + i] = in[o * CHUNK + i];
    }
  }
}

} // namespace muon_hls

#endif // MUON_HLS_H
