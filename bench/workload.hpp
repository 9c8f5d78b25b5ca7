// The reference workload (9 plots x 5 series x 50,000 f64 steps = 2.25M rows, 36 MB raw)
// and the helpers scenarios share to log it and read it back.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "reel/reel.hpp"

namespace reel_bench {

struct Workload {
  int plots = 9, series = 5, steps = 50000;
  int num_series() const { return plots * series; }
  int64_t rows() const { return int64_t(num_series()) * steps; }
  uint64_t raw_bytes() const { return uint64_t(rows()) * 16; }  // 8 B value + 8 B time
  std::string entity(int s) const {
    return "/plots/p" + std::to_string(s / series) + "/s" + std::to_string(s % series);
  }
  double value(int s, int step) const {
    return std::sin(step / 1000.0 + s % series) * (s / series);
  }
  // values[s][step]
  std::vector<std::vector<double>> values() const {
    std::vector<std::vector<double>> v(static_cast<size_t>(num_series()),
                                       std::vector<double>(static_cast<size_t>(steps)));
    for (int s = 0; s < num_series(); ++s) {
      for (int k = 0; k < steps; ++k) v[size_t(s)][size_t(k)] = value(s, k);
    }
    return v;
  }
  double expected_sum() const {
    double sum = 0;
    for (int s = 0; s < num_series(); ++s) {
      for (int k = 0; k < steps; ++k) sum += value(s, k);
    }
    return sum;
  }
};

const reel::ComponentDescriptor& scalar_desc();

// The f64 values of a scalar column (index with value_offset), without touching refcounts.
const double* f64_values(const reel::ListColumn& list);

// Batcher from the environment; log_time / log_tick stamped or not.
reel::RecordingStreamOptions bench_options(bool stamp_auto_timelines);

// Sum of all scalar values in a store, read through range queries.
double store_sum(const reel::ChunkStore& store, const Workload& w, int64_t* rows);

// Logs the workload row by row to `path` (the format follows its extension) with a 1 ms
// flush tick and 64-row chunks: ~35k tiny chunks at scale 1, what `reel compact` is for.
reel::Status log_tiny_chunks(const Workload& w, const std::vector<std::vector<double>>& values,
                             const std::string& path);

// Loads the workload into a store with send_columns (one call per series).
std::shared_ptr<reel::ChunkStore> columns_store(const Workload& w,
                                                const std::vector<std::vector<double>>& values);

}  // namespace reel_bench
