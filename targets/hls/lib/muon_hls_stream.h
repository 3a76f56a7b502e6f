// muon_hls_stream.h - the streams of the HLS projects muonc writes with
// --hls-io=stream (docs/hls.md, "Stream designs"): Vitis HLS's hls::stream
// in synthesis; in the C simulation a queue of our own without a bound,
// because there the processes of a dataflow region run one after the
// other, so a stream holds a whole tensor (the hardware FIFOs' depths are
// muonc's, in each STREAM pragma). C++14; compiles with plain g++.
#ifndef MUON_HLS_STREAM_H
#define MUON_HLS_STREAM_H

#include "muon_hls.h"

#include <stdint.h>

#ifdef __SYNTHESIS__
#include <hls_stream.h>
#else
#include <cstdio>
#include <cstdlib>
#include <deque>
#endif

namespace muon_hls {

#ifdef __SYNTHESIS__
template <typename T> using stream = hls::stream<T>;
#else
template <typename T> class stream {
public:
  void write(const T &value) { values_.push_back(value); }
  // Reading an empty stream would block the hardware forever: stop.
  T read() {
    if (values_.empty()) {
      std::fprintf(stderr, "muon_hls: read from an empty stream\n");
      std::abort();
    }
    T value = values_.front();
    values_.pop_front();
    return value;
  }
  bool empty() const { return values_.empty(); }
  unsigned long size() const { return values_.size(); }

private:
  std::deque<T> values_;
};
#endif

// A stream design's process reads each input tensor whole, and writes its
// output to each reader's FIFO, one element per cycle.
template <int N> void read_stream(stream<int8_t> &in, int8_t values[N]) {
  for (int i = 0; i < N; ++i) {
    MUON_HLS_PRAGMA(HLS PIPELINE II=1)
    MUON_HLS_COUNT();
    values[i] = in.read();
  }
}

template <int N>
void write_stream(const int8_t values[N], stream<int8_t> &out) {
  for (int i = 0; i < N; ++i) {
    MUON_HLS_PRAGMA(HLS PIPELINE II=1)
    MUON_HLS_COUNT();
    out.write(values[i]);
  }
}

} // namespace muon_hls

#endif // MUON_HLS_STREAM_H
