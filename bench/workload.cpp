#include "workload.hpp"

namespace reel_bench {

const reel::ComponentDescriptor& scalar_desc() { return reel::Scalars::descriptor_scalars(); }

// The f64 values of a scalar column (index with value_offset), without touching refcounts.
const double* f64_values(const reel::ListColumn& list) {
  const reel::arrow::ArrayData& values = *list.values();
  return values.values<double>();
}

reel::RecordingStreamOptions bench_options(bool stamp_auto_timelines) {
  reel::RecordingStreamOptions o;
  o.log_time = stamp_auto_timelines;
  o.log_tick = stamp_auto_timelines;
  return o;
}

reel::Status log_tiny_chunks(const Workload& w, const std::vector<std::vector<double>>& values,
                             const std::string& path) {
  auto options = bench_options(false);
  options.batcher.flush_tick_secs = 0.001;
  options.batcher.flush_num_rows = 64;  // many tiny chunks, as a 1 ms tick at a high rate gives
  reel::RecordingStream rec("reel_bench", options);
  REEL_RETURN_NOT_OK(rec.save(path));
  for (int k = 0; k < w.steps; ++k) {
    for (int s = 0; s < w.num_series(); ++s) {
      rec.set_time_sequence("step", k);
      rec.log(w.entity(s), reel::Scalars(values[size_t(s)][size_t(k)]));
    }
  }
  return reel::Status::OK();
}

// Sum of all scalar values in a store, read through range queries.
double store_sum(const reel::ChunkStore& store, const Workload& w, int64_t* rows) {
  double sum = 0;
  *rows = 0;
  for (int s = 0; s < w.num_series(); ++s) {
    auto r = store.range({"step", {reel::kTimeMin, reel::kTimeMax}}, w.entity(s), scalar_desc());
    for (const auto& c : r.chunks) {
      const auto& list = c->component(scalar_desc())->list;
      const double* v = f64_values(list);
      for (int64_t i = 0; i < c->num_rows(); ++i) sum += v[list.value_offset(i)];
      *rows += c->num_rows();
    }
  }
  return sum;
}

// Loads the workload into a store with send_columns (one call per series).
std::shared_ptr<reel::ChunkStore> columns_store(const Workload& w,
                                                const std::vector<std::vector<double>>& values) {
  reel::RecordingStream rec("reel_bench", bench_options(false));
  auto store = rec.memory_store();
  std::vector<int64_t> steps(static_cast<size_t>(w.steps));
  for (int k = 0; k < w.steps; ++k) steps[size_t(k)] = k;
  for (int s = 0; s < w.num_series(); ++s) {
    rec.send_columns(w.entity(s), {reel::TimeColumn::sequence("step", steps)},
                     reel::Scalars::columns(values[size_t(s)]));
  }
  rec.flush_blocking();
  return store;
}

}  // namespace reel_bench
