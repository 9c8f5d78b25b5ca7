// Garbage collection: 4x the memory budget logged into a store with GC (gc).
#include <algorithm>
#include <memory>
#include <span>

#include "baselines.hpp"
#include "harness.hpp"
#include "scenarios.hpp"
#include "workload.hpp"

namespace reel_bench {

Result gc(const Context& ctx) {
  const Workload& w = ctx.workload;
  Result r;
  const uint64_t budget = std::max<uint64_t>(w.raw_bytes() / 4, 1 << 20);
  reel::ChunkStoreConfig config;
  config.memory_limit = budget;
  // gc_protect_latest stays at its default (1): each series keeps its latest chunk.
  auto store = std::make_shared<reel::ChunkStore>(config);
  auto values = w.values();
  uint64_t peak = 0;
  store->subscribe([&](std::span<const reel::ChunkStoreEvent>) {
    peak = std::max<uint64_t>(peak, store->memory_bytes());
  });
  auto t0 = Clock::now();
  {
    // GC drops whole chunks: under a small budget the batcher cuts small ones (256 rows), or
    // one flush of the 45 series would alone be more than the budget.
    auto options = bench_options(false);
    options.batcher.flush_num_rows = 256;
    // Chunks cut by rows only: a loaded machine's late ticks would cut other sizes, and the
    // latest chunk of each series (kept whatever the budget) with them.
    options.batcher.flush_tick_secs = 3600;
    reel::RecordingStream rec("reel_bench", options);
    rec.set_sink(reel::make_memory_sink(store));
    for (int k = 0; k < w.steps; ++k) {
      for (int s = 0; s < w.num_series(); ++s) {
        rec.set_time_sequence("step", k);
        rec.log(w.entity(s), reel::Scalars(values[size_t(s)][size_t(k)]));
      }
    }
  }
  double wall = seconds_since(t0);
  int64_t rows;
  store_sum(*store, w, &rows);
  check(r, store->memory_bytes() <= budget, "store within budget after logging");
  check(r, rows > 0 && rows < w.rows(), "some rows kept, some dropped");
  auto last = store->latest_at({"step", w.steps}, w.entity(0), scalar_desc());
  check(r, last && last->time == w.steps - 1, "newest data kept");
  r.figures["wall_s"] = wall;
  r.figures["budget_bytes"] = budget;
  r.figures["logged_vs_budget"] = double(w.raw_bytes()) / double(budget);
  r.figures["store_peak_vs_budget"] = double(peak) / double(budget);
  r.figures["rows_kept"] = rows;
  return r;
}

}  // namespace reel_bench
