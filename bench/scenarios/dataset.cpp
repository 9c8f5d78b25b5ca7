// dataset: many recordings queried as one (reel::dataframe::Dataset, reel::sql).
//
// 1,000 recordings ("episodes") x 10 series (/arm/s0../arm/s9) x 10,000 rows at scale 1
// (`--scale` shrinks the number of recordings and the rows alike), each on `frame` and on a
// timestamp `time` = episode start (one hour apart) + frame ms; value = episode + frame / 1000.
// Figures, each checked against the value computed from the workload's formula:
//   - a filtered cross-recording view (one series, a 10 s window of `time` inside one
//     episode) with pushdown (footers choose the recordings) against the same answer from a
//     full scan (every recording loaded, rows filtered after): time, recordings and chunks
//     opened;
//   - SQL through reel_scan (the same window pushed down) against DuckDB reading the exported
//     Parquet (read_parquet with hive_partitioning, the window as a WHERE clause on the exact
//     `time_ns` column: DuckDB prunes row groups by their statistics); and a whole-dataset
//     aggregate both ways;
//   - `export`: the Parquet export, MB/s of recording files read and of Parquet written.
// Needs libduckdb for the SQL and export parts (they say "skipped" otherwise).
//
// Registration (the harness split of bench/reel_bench.cpp): scenarios.hpp declares
// `Result dataset(const Context& ctx);` and scenarios.cpp lists `{"dataset", dataset}`, both
// under `#if REEL_HAVE_SQL`; CMake links reel_sql and defines REEL_HAVE_SQL=1 when the sql
// module is built (`if(TARGET reel_sql)`). Without it this file compiles to nothing.
#if REEL_HAVE_SQL
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "harness.hpp"
#include "reel/query/dataset.hpp"
#include "reel/reel.hpp"
#include "reel/sql/sql.hpp"
#include "scenarios.hpp"

namespace reel_bench {

namespace {

namespace fs = std::filesystem;
constexpr int kSeries = 10;
constexpr int64_t kEpoch = 1'700'000'000'000'000'000;  // ns
constexpr int64_t kEpisodeNs = 3'600'000'000'000;      // one hour between episode starts

struct Shape {
  int recordings;
  int64_t rows;  // per series
};

Shape shape(double scale) {
  return {std::max(4, int(std::lround(1000 * scale))),
          std::max<int64_t>(100, std::llround(10000 * scale))};
}

uint64_t write_dataset(const std::string& dir, const Shape& s) {
  fs::create_directories(dir);
  std::vector<int64_t> frames(size_t(s.rows)), times(size_t(s.rows));
  std::vector<double> values(size_t(s.rows));
  uint64_t bytes = 0;
  for (int e = 0; e < s.recordings; ++e) {
    char name[32];
    std::snprintf(name, sizeof name, "ep-%05d", e);
    const std::string path = dir + "/" + name + ".reel";
    {
      reel::RecordingStream rec("fleet", name);
      (void)rec.save(path);
      for (int64_t f = 0; f < s.rows; ++f) {
        frames[size_t(f)] = f;
        times[size_t(f)] = kEpoch + e * kEpisodeNs + f * 1'000'000;
        values[size_t(f)] = e + double(f) / 1000;
      }
      for (int j = 0; j < kSeries; ++j) {
        rec.send_columns("/arm/s" + std::to_string(j),
                         {reel::TimeColumn::sequence("frame", frames),
                          reel::TimeColumn::timestamp_nanos("time", times)},
                         reel::Scalars::columns(values));
      }
    }  // the file is finished when its stream goes
    bytes += fs::file_size(path);
  }
  return bytes;
}

}  // namespace

Result dataset(const Context& ctx) {
  Result r;
  const Shape s = shape(ctx.scale);
  const std::string in = ctx.tmp_dir + "/dataset";
  auto t0 = Clock::now();
  const uint64_t file_bytes = write_dataset(in, s);
  r.figures["recordings"] = s.recordings;
  r.figures["rows"] = int64_t(s.recordings) * s.rows * kSeries;
  r.figures["file_MB"] = double(file_bytes) / 1e6;
  r.figures["write_s"] = seconds_since(t0);

  // The question: one series, a 10 s window inside episode `target`.
  const int target = s.recordings / 2;
  const int64_t w0 = kEpoch + target * kEpisodeNs + s.rows / 4 * 1'000'000;
  const int64_t w1 = w0 + std::min<int64_t>(10'000, s.rows / 2) * 1'000'000 - 1;
  const int64_t want_rows = (w1 - w0) / 1'000'000 + 1;
  const int64_t f0 = s.rows / 4;
  const double want_sum =
      want_rows * target + (double(f0) * want_rows + want_rows * (want_rows - 1) / 2.0) / 1000;

  auto read = [&](bool pushdown, int64_t* rows, double* sum, reel::dataframe::DatasetStats* stats,
                  bool stream = true) {
    reel::dataframe::DatasetOptions options;
    options.stream_files = stream;
    auto ds = reel::dataframe::Dataset::open({in}, options).value();
    auto view = ds.view("time", "/arm/s3").value();
    if (pushdown) view = view.filter_range(w0, w1);
    auto reader = view.read().value();
    *rows = 0;
    *sum = 0;
    for (;;) {
      auto b = reader->next().value();
      if (!b) break;
      const auto& time = *b->columns[3];
      const auto& list = *b->columns[4];
      for (int64_t i = 0; i < b->num_rows; ++i) {
        const int64_t t = time.values<int64_t>()[i];
        if (t < w0 || t > w1 || list.is_null(i)) continue;
        ++*rows;
        *sum += list.children[0]->values<double>()[list.values<int32_t>(1)[i]];
      }
    }
    *stats = ds.stats();
  };
  int64_t rows = 0;
  double sum = 0;
  reel::dataframe::DatasetStats pushed, full, loaded;
  t0 = Clock::now();
  read(true, &rows, &sum, &pushed);
  const double pushdown_s = seconds_since(t0);
  check(r, rows == want_rows && close_enough(sum, want_sum), "pushdown view rows and sum");
  t0 = Clock::now();
  read(false, &rows, &sum, &full);
  const double full_s = seconds_since(t0);
  check(r, rows == want_rows && close_enough(sum, want_sum), "full-scan view rows and sum");
  // The same pushdown with the recording loaded whole instead of streamed (the baseline of
  // the streamed read).
  t0 = Clock::now();
  read(true, &rows, &sum, &loaded, false);
  const double loaded_s = seconds_since(t0);
  check(r, rows == want_rows && close_enough(sum, want_sum), "loaded pushdown view rows and sum");
  r.figures["view_pushdown_s"] = pushdown_s;
  r.figures["view_pushdown_recordings_opened"] = pushed.recordings_opened;
  r.figures["view_pushdown_chunks_loaded"] = pushed.chunks_loaded;
  r.figures["view_pushdown_recordings_streamed"] = pushed.recordings_streamed;
  r.figures["view_pushdown_bytes_read"] = pushed.bytes_read;
  r.baselines["view_pushdown_loaded_s"] = loaded_s;
  r.baselines["view_pushdown_loaded_bytes_read"] = loaded.bytes_read;
  r.baselines["view_full_scan_bytes_read"] = full.bytes_read;
  r.baselines["view_full_scan_s"] = full_s;
  r.baselines["view_full_scan_recordings_opened"] = full.recordings_opened;
  r.baselines["view_full_scan_chunks_loaded"] = full.chunks_loaded;
  r.ratios["view_pushdown_vs_full_scan"] = full_s / pushdown_s;
  r.ratios["view_pushdown_streamed_vs_loaded"] = loaded_s / pushdown_s;

  auto lib = reel::sql::load_duckdb();
  if (!lib.ok()) {
    r.figures["sql_skipped"] = lib.status().message();
    return r;
  }
  r.figures["duckdb"] = lib->version;
  // Export first (the Parquet is DuckDB's input below).
  const std::string out = ctx.tmp_dir + "/parquet";
  t0 = Clock::now();
  auto ds = reel::dataframe::Dataset::open({in}).value();
  auto report = reel::sql::export_parquet(ds, {out});
  const double export_s = seconds_since(t0);
  check(r, report.ok() && report->rows_written == int64_t(s.recordings) * s.rows * kSeries,
        "export rows");
  if (!report.ok()) return r;
  r.figures["export_s"] = export_s;
  r.figures["export_MBps_read"] = double(file_bytes) / 1e6 / export_s;
  r.figures["export_MBps_written"] = double(report->bytes_written) / 1e6 / export_s;
  r.figures["parquet_MB"] = double(report->bytes_written) / 1e6;

  auto session = reel::sql::Session::open().value();
  auto scalar_query = [&](const std::string& q, std::vector<double>* got) {
    auto reader = session->query(q);
    if (!reader.ok()) {
      r.error = q + ": " + reader.status().to_string();
      return;
    }
    auto batches = (*reader)->read_all();
    if (!batches.ok() || batches->empty()) return;
    for (const auto& col : (*batches)[0].columns) {
      got->push_back(col->type->id() == reel::arrow::TypeId::kInt64
                         ? double(col->values<int64_t>()[0])
                         : col->values<double>()[0]);
    }
  };
  const std::string window = std::to_string(w0) + " AND " + std::to_string(w1);
  std::vector<double> a, b;
  t0 = Clock::now();
  scalar_query("SELECT count(*), sum(scalars[1]) FROM reel_scan('" + in +
                   "', archetype := 'Scalars', entity := '/arm/s3', index := 'time', "
                   "raw_time := true, min := " +
                   std::to_string(w0) + ", max := " + std::to_string(w1) + ")",
               &a);
  const double sql_reel_s = seconds_since(t0);
  t0 = Clock::now();
  scalar_query(
      "SELECT count(*), sum(scalars[1]) FROM read_parquet('" + out +
          "/Scalars/*/*/*.parquet', hive_partitioning = true) WHERE entity_path = '/arm/s3' "
          "AND time_ns BETWEEN " +
          window,
      &b);
  const double sql_parquet_s = seconds_since(t0);
  check(r, a.size() == 2 && a[0] == double(want_rows) && close_enough(a[1], want_sum),
        "reel_scan window");
  check(r, b.size() == 2 && b[0] == double(want_rows) && close_enough(b[1], want_sum),
        "parquet window");
  r.figures["sql_window_reel_scan_s"] = sql_reel_s;
  r.baselines["sql_window_duckdb_parquet_s"] = sql_parquet_s;
  r.ratios["sql_window_reel_scan_vs_duckdb_parquet"] = sql_parquet_s / sql_reel_s;

  // The whole dataset: every row, both ways.
  const double all_rows = double(s.recordings) * s.rows * kSeries;
  const double all_sum = kSeries * (double(s.rows) * (s.recordings * (s.recordings - 1) / 2.0) +
                                    s.recordings * (double(s.rows) * (s.rows - 1) / 2.0) / 1000);
  a.clear();
  b.clear();
  t0 = Clock::now();
  scalar_query(
      "SELECT count(*), sum(scalars[1]) FROM reel_scan('" + in + "', archetype := 'Scalars')", &a);
  const double all_reel_s = seconds_since(t0);
  t0 = Clock::now();
  scalar_query("SELECT count(*), sum(scalars[1]) FROM read_parquet('" + out +
                   "/Scalars/*/*/*.parquet', hive_partitioning = true)",
               &b);
  const double all_parquet_s = seconds_since(t0);
  check(r, a.size() == 2 && a[0] == all_rows && close_enough(a[1], all_sum), "reel_scan all rows");
  check(r, b.size() == 2 && b[0] == all_rows && close_enough(b[1], all_sum), "parquet all rows");
  r.figures["sql_all_reel_scan_s"] = all_reel_s;
  r.baselines["sql_all_duckdb_parquet_s"] = all_parquet_s;
  r.ratios["sql_all_reel_scan_vs_duckdb_parquet"] = all_parquet_s / all_reel_s;
  return r;
}

}  // namespace reel_bench

#endif  // REEL_HAVE_SQL
