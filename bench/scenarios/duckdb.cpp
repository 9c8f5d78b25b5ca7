// DuckDB: the same load, range scan and dataframe as reel, measured by reel here and by
// DuckDB through bench/duckdb/baseline.mjs (duckdb).
#include <cstdio>
#include <string>
#include <vector>

#include "baselines.hpp"
#include "harness.hpp"
#include "reel/query/dataframe.hpp"
#include "scenarios.hpp"
#include "workload.hpp"

namespace reel_bench {

Result duckdb(const Context& ctx) {
  const Workload& w = ctx.workload;
  const std::string& tmp = ctx.tmp_dir;
  Result r;
  auto values = w.values();
  // reel: ingestion (send_columns, one call per series, cold as DuckDB's load is), the
  // full-range scan of every series, and the 45-series dataframe.
  auto t0 = Clock::now();
  auto store = columns_store(w, values);
  const double load_s = seconds_since(t0);
  int64_t rows = 0;
  t0 = Clock::now();
  double sum = store_sum(*store, w, &rows);
  const double range_s = seconds_since(t0);
  check(r, rows == w.rows() && close_enough(sum, w.expected_sum()), "reel range sum");
  t0 = Clock::now();
  auto view = reel::dataframe::View::create(store, "step", "/plots/**");
  auto batches = view.ok() ? view->fill_latest_at().read_all()
                           : reel::Result<std::vector<reel::arrow::RecordBatch>>(view.status());
  const double dataframe_s = seconds_since(t0);
  check(r, batches.ok(), "reel dataframe");
  r.figures["load_s"] = load_s;
  r.figures["range_s"] = range_s;
  r.figures["range_GBps_values"] = double(rows) * 8 / range_s / 1e9;
  r.figures["dataframe_s"] = dataframe_s;
  r.figures["dataframe_cells_per_s"] = double(w.rows()) / dataframe_s;

  std::string why;
  json d = run_duckdb_baseline(w, values, tmp, &why);
  if (!why.empty()) {
    r.figures["duckdb_missing"] = why;
    std::fprintf(stderr, "duckdb: baseline skipped: %s\n", why.c_str());
    return r;
  }
  const double duck_load = d.value("load_s", 0.0), duck_range = d.value("range_s", 0.0),
               duck_pivot = d.value("pivot_s", 0.0);
  check(r, d.value("rows_loaded", int64_t(0)) == w.rows(), "duckdb rows loaded");
  check(r, close_enough(d.value("range_sum", 0.0), w.expected_sum()), "duckdb range sum");
  check(r, d.value("pivot_rows", int64_t(0)) == w.steps, "duckdb pivot rows");
  check(r, d.value("pivot_cells", int64_t(0)) == w.rows(), "duckdb pivot cells");
  check(r, close_enough(d.value("pivot_sum", 0.0), w.expected_sum()), "duckdb pivot sum");
  r.baselines["duckdb_version"] = d.value("duckdb_version", std::string("?"));
  r.baselines["duckdb_load_s"] = duck_load;
  r.baselines["duckdb_range_s"] = duck_range;
  r.baselines["duckdb_range_GBps_values"] = double(w.rows()) * 8 / duck_range / 1e9;
  r.baselines["duckdb_pivot_s"] = duck_pivot;
  r.ratios["load_vs_duckdb"] = duck_load / load_s;
  r.ratios["range_vs_duckdb"] = duck_range / range_s;
  r.ratios["dataframe_vs_duckdb"] = duck_pivot / dataframe_s;
  return r;
}

}  // namespace reel_bench
