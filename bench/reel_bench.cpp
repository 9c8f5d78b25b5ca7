// reel-bench: the benchmark program (../shared/BENCHMARK.md, docs/benchmark.md).
//
// Runs named scenarios on the reference workload (9 plots x 5 series x 50,000 steps of f64 =
// 2.25M rows, 36 MB raw) and prints one JSON object per scenario on stdout plus a table on
// stderr. Each scenario runs in its own forked process, so its peak RSS is its own, and
// measures its baselines (memcpy of the raw bytes, SQLite) in that same process, so ratios
// hold on a noisy machine. Every scenario checks its own answers (sums, counts): a fast wrong
// result fails the run instead of producing a figure.
//
// Usage: reel-bench [--scenario NAME ...] [--scale F] [--json FILE] [--list]
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "reel/format/recording_file.hpp"
#include "reel/store_io/store_io.hpp"
#include "reel/query/dataframe.hpp"
#include "reel/reel.hpp"

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Keeps a value alive so the optimizer cannot drop the work that produced it.
volatile double g_sink = 0;

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

struct Result {
  json figures = json::object();
  json baselines = json::object();
  json ratios = json::object();
  std::string error;  // a failed self-check
};

void check(Result& r, bool ok, const std::string& what) {
  if (!ok && r.error.empty()) r.error = "self-check failed: " + what;
}

bool close_enough(double a, double b) { return std::fabs(a - b) <= 1e-6 * std::max(1.0, std::fabs(b)); }

const reel::ComponentDescriptor& scalar_desc() { return reel::Scalars::fields()[0].descriptor; }

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

double memcpy_seconds(uint64_t bytes) {
  std::vector<uint8_t> src(bytes, 1), dst(bytes, 0);  // touched: page faults outside timing
  auto t0 = Clock::now();
  std::memcpy(dst.data(), src.data(), bytes);
  double s = seconds_since(t0);
  g_sink = dst[bytes / 2];
  return s;
}

// ---------------------------------------------------------------------------------------
// SQLite baseline: the same rows in a table (series, step, value) with an index on
// (series, step), inserted in one transaction.

struct Sqlite {
  sqlite3* db = nullptr;
  Sqlite() {
    sqlite3_open(":memory:", &db);
    sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;", nullptr, nullptr, nullptr);
  }
  ~Sqlite() { sqlite3_close(db); }
  void exec(const char* sql) { sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

  double insert(const Workload& w, const std::vector<std::vector<double>>& values) {
    auto t0 = Clock::now();
    exec("CREATE TABLE t (series INTEGER, step INTEGER, value REAL);");
    exec("CREATE INDEX t_idx ON t (series, step);");
    exec("BEGIN;");
    sqlite3_stmt* st;
    sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, ?, ?)", -1, &st, nullptr);
    for (int k = 0; k < w.steps; ++k) {
      for (int s = 0; s < w.num_series(); ++s) {
        sqlite3_bind_int(st, 1, s);
        sqlite3_bind_int(st, 2, k);
        sqlite3_bind_double(st, 3, values[size_t(s)][size_t(k)]);
        sqlite3_step(st);
        sqlite3_reset(st);
      }
    }
    sqlite3_finalize(st);
    exec("COMMIT;");
    return seconds_since(t0);
  }

  double latest_at(int series, int step) {
    static thread_local sqlite3_stmt* st = nullptr;
    if (!st) {
      sqlite3_prepare_v2(db, "SELECT value FROM t WHERE series = ? AND step <= ? ORDER BY step DESC LIMIT 1",
                         -1, &st, nullptr);
    }
    sqlite3_bind_int(st, 1, series);
    sqlite3_bind_int(st, 2, step);
    double v = NAN;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_double(st, 0);
    sqlite3_reset(st);
    return v;
  }

  double range_sum(int series) {
    sqlite3_stmt* st;
    sqlite3_prepare_v2(db, "SELECT SUM(value) FROM t WHERE series = ?", -1, &st, nullptr);
    sqlite3_bind_int(st, 1, series);
    double v = 0;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
  }
};

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

// ---------------------------------------------------------------------------------------
// Scenarios

Result log_rows(const Workload& w, bool stamped) {
  Result r;
  auto values = w.values();
  std::vector<std::string> paths;
  for (int s = 0; s < w.num_series(); ++s) paths.push_back(w.entity(s));
  double wall;
  std::shared_ptr<reel::ChunkStore> store;
  {
    reel::RecordingStream rec("reel_bench", bench_options(stamped));
    store = rec.memory_store();
    auto t0 = Clock::now();
    for (int k = 0; k < w.steps; ++k) {
      for (int s = 0; s < w.num_series(); ++s) {
        rec.set_time_sequence("step", k);
        rec.log(paths[size_t(s)], reel::Scalars(values[size_t(s)][size_t(k)]));
      }
    }
    rec.flush_blocking();
    wall = seconds_since(t0);
  }
  int64_t rows;
  double sum = store_sum(*store, w, &rows);
  check(r, rows == w.rows(), "rows in store " + std::to_string(rows));
  check(r, close_enough(sum, w.expected_sum()), "sum of values");
  auto stats = store->stats();
  r.figures["wall_s"] = wall;
  r.figures["ns_per_row"] = wall * 1e9 / double(w.rows());
  r.figures["rows"] = w.rows();
  r.figures["store_bytes"] = stats.total_bytes();
  r.figures["store_chunks"] = stats.num_chunks;
  r.figures["raw_bytes"] = w.raw_bytes();
  r.figures["store_vs_raw"] = double(stats.total_bytes()) / double(w.raw_bytes());
  r.figures["log_time_and_log_tick"] = stamped;
  double mc = memcpy_seconds(w.raw_bytes());
  r.baselines["memcpy_s"] = mc;
  Sqlite sql;
  double sq = sql.insert(w, values);
  r.baselines["sqlite_insert_s"] = sq;
  r.ratios["log_rows_vs_sqlite"] = sq / wall;
  return r;
}

Result send_columns(const Workload& w) {
  Result r;
  auto values = w.values();
  double mc = memcpy_seconds(w.raw_bytes());
  // The first run pays the page faults of fresh memory (cold); the best of the next three is
  // the steady-state (warm) figure, comparable with the warm memcpy baseline.
  auto t0 = Clock::now();
  auto store = columns_store(w, values);
  double cold = seconds_since(t0);
  double wall = 1e300;
  for (int rep = 0; rep < 3; ++rep) {
    store.reset();
    t0 = Clock::now();
    store = columns_store(w, values);
    wall = std::min(wall, seconds_since(t0));
  }
  r.figures["wall_cold_s"] = cold;
  int64_t rows;
  double sum = store_sum(*store, w, &rows);
  check(r, rows == w.rows(), "rows in store");
  check(r, close_enough(sum, w.expected_sum()), "sum of values");
  auto stats = store->stats();
  r.figures["wall_s"] = wall;
  r.figures["GBps"] = double(w.raw_bytes()) / wall / 1e9;
  r.figures["store_bytes"] = stats.total_bytes();
  r.figures["store_vs_raw"] = double(stats.total_bytes()) / double(w.raw_bytes());
  r.baselines["memcpy_s"] = mc;
  r.baselines["memcpy_GBps"] = double(w.raw_bytes()) / mc / 1e9;
  Sqlite sql;
  double sq = sql.insert(w, values);
  r.baselines["sqlite_insert_s"] = sq;
  r.ratios["send_columns_vs_memcpy_speed"] = mc / wall;
  r.ratios["send_columns_vs_sqlite"] = sq / wall;
  return r;
}

Result file_roundtrip(const Workload& w, const std::string& dir) {
  Result r;
  auto values = w.values();
  auto store = columns_store(w, values);
  const std::string path = dir + "/roundtrip.reel";
  auto t0 = Clock::now();
  {
    auto writer = reel::format::RecordingWriter::open(path).value();
    if (auto st = reel::write_store(*store, *writer); !st.ok()) r.error = st.to_string();
    if (auto st = writer->finish(); !st.ok()) r.error = st.to_string();
  }
  double write_s = seconds_since(t0);
  store.reset();
  const uint64_t file_bytes = std::filesystem::file_size(path);
  reel::ChunkStore loaded(reel::ChunkStoreConfig::from_env());
  t0 = Clock::now();
  auto report = reel::load_file(path, loaded);
  double load_s = seconds_since(t0);
  check(r, report.ok(), "load: " + (report.ok() ? std::string() : report.status().to_string()));
  int64_t rows;
  double sum = store_sum(loaded, w, &rows);
  check(r, rows == w.rows(), "rows after load");
  check(r, close_enough(sum, w.expected_sum()), "sum after load");
  r.figures["write_s"] = write_s;
  r.figures["load_s"] = load_s;
  r.figures["write_MBps"] = double(w.raw_bytes()) / write_s / 1e6;
  r.figures["load_MBps"] = double(w.raw_bytes()) / load_s / 1e6;
  r.figures["load_file_MBps"] = double(file_bytes) / load_s / 1e6;
  r.figures["file_bytes"] = file_bytes;
  r.figures["file_vs_raw"] = double(file_bytes) / double(w.raw_bytes());
  r.figures["loaded_store_vs_raw"] = double(loaded.memory_bytes()) / double(w.raw_bytes());
  double mc = memcpy_seconds(w.raw_bytes());
  r.baselines["memcpy_s"] = mc;
  r.ratios["load_vs_memcpy_speed"] = mc / load_s;
  std::filesystem::remove(path);
  return r;
}

Result latest_at(const Workload& w, double scale) {
  Result r;
  auto values = w.values();
  auto store = columns_store(w, values);
  const int queries = std::max(1000, int(1'000'000 * scale));
  std::mt19937 rng(7);
  std::vector<std::pair<int, int>> q(static_cast<size_t>(queries));
  for (auto& x : q) x = {int(rng() % uint32_t(w.num_series())), int(rng() % uint32_t(w.steps))};
  std::vector<reel::EntityPath> paths;
  for (int s = 0; s < w.num_series(); ++s) paths.emplace_back(w.entity(s));
  double expected = 0;
  for (auto& [s, k] : q) expected += values[size_t(s)][size_t(k)];
  const auto& desc = scalar_desc();
  double sum = 0;
  auto t0 = Clock::now();
  for (auto& [s, k] : q) {
    auto hit = store->latest_at({"step", k}, paths[size_t(s)], desc);
    const auto& list = hit->chunk->component(desc)->list;
    sum += f64_values(list)[list.value_offset(hit->row)];
  }
  double wall = seconds_since(t0);
  check(r, close_enough(sum, expected), "sum of latest-at answers");
  r.figures["queries"] = queries;
  r.figures["ns_per_query"] = wall * 1e9 / queries;
  Sqlite sql;
  sql.insert(w, values);
  const int sql_queries = std::max(1000, queries / 10);
  double sql_sum = 0, sql_expected = 0;
  t0 = Clock::now();
  for (int i = 0; i < sql_queries; ++i) sql_sum += sql.latest_at(q[size_t(i)].first, q[size_t(i)].second);
  double sql_wall = seconds_since(t0);
  for (int i = 0; i < sql_queries; ++i) sql_expected += values[size_t(q[size_t(i)].first)][size_t(q[size_t(i)].second)];
  check(r, close_enough(sql_sum, sql_expected), "sqlite latest-at sum");
  r.baselines["sqlite_ns_per_query"] = sql_wall * 1e9 / sql_queries;
  r.ratios["latest_at_vs_sqlite"] = (sql_wall / sql_queries) / (wall / queries);
  return r;
}

Result range(const Workload& w) {
  Result r;
  auto values = w.values();
  auto store = columns_store(w, values);
  int64_t rows = 0;
  auto t0 = Clock::now();
  double sum = store_sum(*store, w, &rows);
  double wall = seconds_since(t0);
  check(r, rows == w.rows(), "rows touched");
  check(r, close_enough(sum, w.expected_sum()), "sum of values");
  r.figures["wall_s"] = wall;
  r.figures["GBps_values"] = double(rows) * 8 / wall / 1e9;
  Sqlite sql;
  sql.insert(w, values);
  double sql_sum = 0;
  t0 = Clock::now();
  for (int s = 0; s < w.num_series(); ++s) sql_sum += sql.range_sum(s);
  double sql_wall = seconds_since(t0);
  check(r, close_enough(sql_sum, w.expected_sum()), "sqlite range sum");
  r.baselines["sqlite_s"] = sql_wall;
  r.baselines["sqlite_GBps_values"] = double(rows) * 8 / sql_wall / 1e9;
  r.ratios["range_vs_sqlite"] = sql_wall / wall;
  return r;
}

Result compact(const Workload& w, const std::string& dir) {
  Result r;
  auto values = w.values();
  const std::string in = dir + "/tiny_chunks.reel", out = dir + "/compacted.reel";
  uint64_t chunks_before = 0;
  {
    auto options = bench_options(false);
    options.batcher.flush_tick_secs = 0.001;
    options.batcher.flush_num_rows = 64;  // many tiny chunks, as a 1 ms tick at a high rate gives
    reel::RecordingStream rec("reel_bench", options);
    if (auto st = rec.save(in); !st.ok()) r.error = st.to_string();
    for (int k = 0; k < w.steps; ++k) {
      for (int s = 0; s < w.num_series(); ++s) {
        rec.set_time_sequence("step", k);
        rec.log(w.entity(s), reel::Scalars(values[size_t(s)][size_t(k)]));
      }
    }
  }
  {
    reel::format::ReaderOptions ro;
    ro.decode_chunks = false;
    auto reader = reel::format::RecordingReader::open(in, ro).value();
    for (auto m = reader->next(); m.ok() && *m; m = reader->next()) {
      chunks_before += (*m)->kind == reel::format::MessageKind::kChunk;
    }
  }
  const uint64_t in_bytes = std::filesystem::file_size(in);
  auto t0 = Clock::now();
  reel::ChunkStore store(reel::ChunkStoreConfig::from_env());
  auto report = reel::load_file(in, store);
  check(r, report.ok(), "load");
  {
    auto writer = reel::format::RecordingWriter::open(out).value();
    check(r, reel::write_store(store, *writer).ok(), "write");
    check(r, writer->finish().ok(), "finish");
  }
  double wall = seconds_since(t0);
  int64_t rows;
  reel::ChunkStore check_store(reel::ChunkStoreConfig::no_compaction());
  check(r, reel::load_file(out, check_store).ok(), "reload");
  double sum = store_sum(check_store, w, &rows);
  check(r, rows == w.rows(), "rows after compaction");
  check(r, close_enough(sum, w.expected_sum()), "sum after compaction");
  r.figures["wall_s"] = wall;
  r.figures["MBps"] = double(in_bytes) / wall / 1e6;
  r.figures["chunks_before"] = chunks_before;
  r.figures["chunks_after"] = check_store.num_chunks();
  r.figures["bytes_before"] = in_bytes;
  r.figures["bytes_after"] = std::filesystem::file_size(out);
  std::filesystem::remove(in);
  std::filesystem::remove(out);
  return r;
}

Result dataframe(const Workload& w) {
  Result r;
  auto values = w.values();
  auto store = columns_store(w, values);
  auto t0 = Clock::now();
  auto view = reel::dataframe::View::create(store, "step", "/plots/**");
  if (!view.ok()) {
    r.error = view.status().to_string();
    return r;
  }
  auto batches = view->fill_latest_at().read_all();
  double wall = seconds_since(t0);
  if (!batches.ok()) {
    r.error = batches.status().to_string();
    return r;
  }
  int64_t rows = 0, cells = 0;
  double sum = 0;
  uint64_t bytes = 0;
  for (const auto& b : *batches) {
    rows += b.num_rows;
    for (size_t c = 1; c < b.columns.size(); ++c) {
      const auto& list = *b.columns[c];
      const auto& child = *list.children[0];
      const int32_t* o = list.values<int32_t>(1);
      for (int64_t i = 0; i < b.num_rows; ++i) {
        if (list.is_valid(i)) sum += child.values<double>()[o[i]];
      }
      cells += b.num_rows;
      bytes += uint64_t(b.num_rows) * 12;  // value + offset
    }
  }
  check(r, rows == w.steps, "rows in the table");
  check(r, cells == w.rows(), "cells in the table");
  check(r, close_enough(sum, w.expected_sum()), "sum of cells");
  r.figures["wall_s"] = wall;
  r.figures["rows_per_s"] = double(rows) / wall;
  r.figures["cells_per_s"] = double(cells) / wall;
  r.figures["MBps"] = double(bytes) / wall / 1e6;
  // SQLite: the same pivot, one CASE per series grouped by step.
  Sqlite sql;
  sql.insert(w, values);
  std::string query = "SELECT step";
  for (int s = 0; s < w.num_series(); ++s) {
    query += ", MAX(CASE WHEN series = " + std::to_string(s) + " THEN value END)";
  }
  query += " FROM t GROUP BY step ORDER BY step";
  sqlite3_stmt* st;
  sqlite3_prepare_v2(sql.db, query.c_str(), -1, &st, nullptr);
  double sql_sum = 0;
  t0 = Clock::now();
  while (sqlite3_step(st) == SQLITE_ROW) {
    for (int s = 0; s < w.num_series(); ++s) sql_sum += sqlite3_column_double(st, s + 1);
  }
  double sql_wall = seconds_since(t0);
  sqlite3_finalize(st);
  check(r, close_enough(sql_sum, w.expected_sum()), "sqlite pivot sum");
  r.baselines["sqlite_pivot_s"] = sql_wall;
  r.ratios["dataframe_vs_sqlite"] = sql_wall / wall;
  return r;
}

// Pushdown: the workload sent in pieces of 4096 steps (large chunks, stored as they come, so
// each series has several), plus a sparse /events series (10 rows mid-recording). Views that
// can only use a few chunks must examine only those (ChunkStore::chunks_scanned).
Result dataframe_pushdown(const Workload& w) {
  Result r;
  auto values = w.values();
  std::shared_ptr<reel::ChunkStore> store;
  const int mid = w.steps / 2, piece = 4096;
  {
    reel::RecordingStream rec("reel_bench", bench_options(false));
    store = rec.memory_store();
    for (int s = 0; s < w.num_series(); ++s) {
      for (int k0 = 0; k0 < w.steps; k0 += piece) {
        const int len = std::min(piece, w.steps - k0);
        std::vector<int64_t> steps(static_cast<size_t>(len));
        for (int k = 0; k < len; ++k) steps[size_t(k)] = k0 + k;
        std::vector<double> v(values[size_t(s)].begin() + k0, values[size_t(s)].begin() + k0 + len);
        rec.send_columns(w.entity(s), {reel::TimeColumn::sequence("step", steps)}, reel::Scalars::columns(v));
      }
    }
    std::vector<int64_t> event_steps;
    std::vector<double> event_values;
    for (int k = 0; k < 10; ++k) {
      event_steps.push_back(mid + 7 * k);
      event_values.push_back(k);
    }
    rec.send_columns("/events", {reel::TimeColumn::sequence("step", event_steps)},
                     reel::Scalars::columns(event_values));
    rec.flush_blocking();
  }
  const double total = double(store->num_chunks());
  r.figures["chunks_total"] = total;
  auto measure = [&](const std::string& name, const reel::Result<reel::dataframe::View>& view,
                     int64_t expected_rows) {
    if (!view.ok()) {
      r.error = view.status().to_string();
      return;
    }
    const uint64_t before = store->chunks_scanned();
    auto t0 = Clock::now();
    auto batches = view->read_all();
    const double wall = seconds_since(t0);
    check(r, batches.ok(), name);
    int64_t rows = 0;
    if (batches.ok()) {
      for (const auto& b : *batches) rows += b.num_rows;
    }
    check(r, rows == expected_rows, name + " rows");
    const double scanned = double(store->chunks_scanned() - before);
    r.figures[name + "_chunks_scanned"] = scanned;
    r.figures[name + "_s"] = wall;
    r.ratios[name + "_chunks_total_vs_scanned"] = total / std::max(1.0, scanned);
  };
  auto plots = reel::dataframe::View::create(store, "step", "/plots/**");
  if (!plots.ok()) {
    r.error = plots.status().to_string();
    return r;
  }
  measure("full", *plots, w.steps);
  measure("range100", plots->filter_range(mid, mid + 99), 100);
  measure("not_null_events", plots->filter_is_not_null("/events:Scalars:scalars"), 10);
  return r;
}

Result points3d(double scale) {
  Result r;
  const int frames = std::max(2, int(100 * std::min(scale, 1.0)));
  const int points = std::max(10000, int(1'000'000 * std::min(scale, 1.0)));
  std::vector<reel::Position3D> positions(static_cast<size_t>(points));
  std::vector<reel::Color> colors(static_cast<size_t>(points));
  for (int i = 0; i < points; ++i) {
    positions[size_t(i)] = {float(i % 1000), float(i / 1000), float(i % 7)};
    colors[size_t(i)] = reel::Color(uint32_t(i) * 2654435761u);
  }
  const uint64_t raw = uint64_t(frames) * uint64_t(points) * 16;
  std::shared_ptr<reel::ChunkStore> store;
  double wall;
  {
    reel::RecordingStream rec("reel_bench", bench_options(false));
    store = rec.memory_store();
    auto t0 = Clock::now();
    for (int f = 0; f < frames; ++f) {
      rec.set_time_sequence("frame", f);
      rec.log("world/points", reel::Points3D(positions).with_colors(colors));
    }
    rec.flush_blocking();
    wall = seconds_since(t0);
  }
  auto last = store->latest_at({"frame", frames}, "/world/points", reel::Points3D::fields()[0].descriptor);
  check(r, last && last->time == frames - 1, "latest frame");
  check(r, last && last->instances(reel::Points3D::fields()[0].descriptor)->length == points, "points per frame");
  r.figures["frames"] = frames;
  r.figures["points_per_frame"] = points;
  r.figures["wall_s"] = wall;
  r.figures["GBps"] = double(raw) / wall / 1e9;
  r.figures["store_vs_raw"] = double(store->memory_bytes()) / double(raw);
  double mc = memcpy_seconds(raw / uint64_t(frames)) * frames;
  r.baselines["memcpy_s"] = mc;
  r.ratios["points3d_vs_memcpy_speed"] = mc / wall;
  return r;
}

Result gc(const Workload& w) {
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

// ---------------------------------------------------------------------------------------
// DuckDB baseline: bench/duckdb/baseline.mjs runs DuckDB through Node's @duckdb/node-api (npm)
// on the same rows and prints its timings as one JSON line; reel's figures for the same three
// operations are measured here, in this process, so the ratios hold on a noisy machine.

// bench/duckdb, searched upward from the executable and from the working directory
// (REEL_BENCH_DUCKDB_DIR overrides).
std::string duckdb_dir() {
  if (const char* env = std::getenv("REEL_BENCH_DUCKDB_DIR")) return env;
  std::vector<std::filesystem::path> starts;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) starts.push_back(exe.parent_path());
  starts.push_back(std::filesystem::current_path(ec));
  for (auto dir : starts) {
    for (; !dir.empty(); dir = dir.parent_path()) {
      if (std::filesystem::exists(dir / "bench/duckdb/baseline.mjs", ec)) {
        return (dir / "bench/duckdb").string();
      }
      if (dir == dir.root_path()) break;
    }
  }
  return "";
}

// Runs a command; its stdout (stderr too) and exit status.
std::pair<std::string, int> run_command(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return {"", -1};
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

Result duckdb(const Workload& w, const std::string& tmp) {
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

  const std::string dir = duckdb_dir();
  const std::string install = "run `npm ci` in bench/duckdb (make bench does)";
  auto skip = [&](const std::string& why) {
    r.figures["duckdb_missing"] = why;
    std::fprintf(stderr, "duckdb: baseline skipped: %s\n", why.c_str());
    return r;
  };
  if (dir.empty()) return skip("bench/duckdb/baseline.mjs not found (set REEL_BENCH_DUCKDB_DIR)");
  if (run_command("node --version").second != 0) {
    return skip("Node.js is not installed (apt-get install nodejs npm), then " + install);
  }
  if (!std::filesystem::exists(dir + "/node_modules/@duckdb/node-api/package.json")) {
    return skip("@duckdb/node-api is not installed: " + install);
  }
  // The very same values, series-major little-endian f64, for the script to load.
  const std::string values_path = tmp + "/duckdb_values.f64";
  {
    std::ofstream out(values_path, std::ios::binary);
    for (const auto& series : values) {
      out.write(reinterpret_cast<const char*>(series.data()),
                std::streamsize(series.size() * sizeof(double)));
    }
  }
  auto [out, status] = run_command("node '" + dir + "/baseline.mjs' '" + values_path + "' " +
                                   std::to_string(w.num_series()) + " " + std::to_string(w.steps));
  std::filesystem::remove(values_path);
  std::string last_line;  // the JSON object: the last line that starts with '{'
  for (size_t at = 0; at < out.size();) {
    size_t end = std::min(out.find('\n', at), out.size());
    if (out[at] == '{') last_line = out.substr(at, end - at);
    at = end + 1;
  }
  json d = json::parse(last_line, nullptr, false);
  if (status != 0 || d.is_discarded() || !d.is_object()) {
    return skip("baseline.mjs failed (exit " + std::to_string(status) + "): " + out.substr(0, 500));
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

// ---------------------------------------------------------------------------------------
// Python scenarios: python/bench/<script>.py run by Debian's /usr/bin/python3 against the
// package this build staged (python/CMakeLists.txt passes the paths; REEL_BENCH_PYTHON,
// REEL_BENCH_PYTHONPATH and REEL_BENCH_PYTHON_DIR override them), compared with the C++
// figures measured in this same process. Without Python, numpy or the module, the scenario
// says so and the run goes on.

#ifndef REEL_PYTHON_EXECUTABLE
#define REEL_PYTHON_EXECUTABLE ""
#endif
#ifndef REEL_PYTHON_PATH
#define REEL_PYTHON_PATH ""
#endif
#ifndef REEL_PYTHON_BENCH_DIR
#define REEL_PYTHON_BENCH_DIR ""
#endif

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Runs the script with --steps; returns its JSON object, or null when Python or the module is
// missing (said in `r.figures["python_missing"]` and on stderr) or the script failed (an error
// in `r`).
json run_python_bench_or_skip(const std::string& script, const Workload& w, Result& r,
                              std::string* skip);

json run_python_bench(const std::string& scenario, const std::string& script, const Workload& w,
                      Result& r) {
  std::string skip;
  json py = run_python_bench_or_skip(script, w, r, &skip);
  if (!skip.empty()) {
    r.figures["python_missing"] = skip;
    std::fprintf(stderr, "%s: skipped: %s\n", scenario.c_str(), skip.c_str());
    return nullptr;
  }
  return py;
}

json run_python_bench_or_skip(const std::string& script, const Workload& w, Result& r,
                              std::string* skip) {
  const std::string python = env_or("REEL_BENCH_PYTHON", REEL_PYTHON_EXECUTABLE);
  const std::string path = env_or("REEL_BENCH_PYTHONPATH", REEL_PYTHON_PATH);
  const std::string dir = env_or("REEL_BENCH_PYTHON_DIR", REEL_PYTHON_BENCH_DIR);
  std::error_code ec;
  if (python.empty() || path.empty() || dir.empty()) {
    *skip = "this build has no Python module (python3-dev or pybind11-dev were missing at configure)";
    return nullptr;
  }
  if (!std::filesystem::exists(python, ec)) {
    *skip = python + " not found (apt-get install python3 python3-numpy)";
    return nullptr;
  }
  bool module = false;
  for (const auto& e : std::filesystem::directory_iterator(path + "/reel", ec)) {
    const std::string name = e.path().filename().string();
    module |= name.rfind("_reel", 0) == 0 && name.size() > 3 && name.substr(name.size() - 3) == ".so";
  }
  if (!module) {
    *skip = "the reel Python module is not built in " + path + "/reel (build target reel_python)";
    return nullptr;
  }
  if (run_command("'" + python + "' -c 'import numpy'").second != 0) {
    *skip = python + " has no numpy (apt-get install python3-numpy)";
    return nullptr;
  }
  auto [out, status] = run_command("PYTHONPATH='" + path + "' PYTHONDONTWRITEBYTECODE=1 '" + python + "' '" +
                                   dir + "/" + script + "' --steps " + std::to_string(w.steps));
  std::string last_line;  // the JSON object: the last line that starts with '{'
  for (size_t at = 0; at < out.size();) {
    size_t end = std::min(out.find('\n', at), out.size());
    if (out[at] == '{') last_line = out.substr(at, end - at);
    at = end + 1;
  }
  json d = json::parse(last_line, nullptr, false);
  if (status != 0 || d.is_discarded() || !d.is_object()) {
    r.error = "python/bench/" + script + " failed (exit " + std::to_string(status) + "): " +
              out.substr(out.size() > 1500 ? out.size() - 1500 : 0);
    return nullptr;
  }
  check(r, d.value("rows", int64_t(0)) == w.rows(), "python rows logged");
  check(r, d.value("rows_read_back", int64_t(0)) == w.rows(), "python rows read back");
  check(r, d.value("sum_ok", false), "python sum of values read back");
  return d;
}

// The log_rows loop (C++, no stamps, one scalar per call, set_time before each), flushed.
double cpp_log_rows_wall(const Workload& w, const std::vector<std::vector<double>>& values, Result& r) {
  std::vector<std::string> paths;
  for (int s = 0; s < w.num_series(); ++s) paths.push_back(w.entity(s));
  reel::RecordingStream rec("reel_bench", bench_options(false));
  auto store = rec.memory_store();
  auto t0 = Clock::now();
  for (int k = 0; k < w.steps; ++k) {
    for (int s = 0; s < w.num_series(); ++s) {
      rec.set_time_sequence("step", k);
      rec.log(paths[size_t(s)], reel::Scalars(values[size_t(s)][size_t(k)]));
    }
  }
  rec.flush_blocking();
  const double wall = seconds_since(t0);
  int64_t rows;
  double sum = store_sum(*store, w, &rows);
  check(r, rows == w.rows() && close_enough(sum, w.expected_sum()), "C++ log_rows rows and sum");
  return wall;
}

Result log_rows_py(const Workload& w) {
  Result r;
  const double cpp = cpp_log_rows_wall(w, w.values(), r);
  r.baselines["cpp_wall_s"] = cpp;
  r.baselines["cpp_ns_per_row"] = cpp * 1e9 / double(w.rows());
  json py = run_python_bench("log_rows_py", "log_rows.py", w, r);
  if (py.is_null()) return r;
  const double wall = py.value("wall_s", 0.0);
  r.figures["wall_s"] = wall;
  r.figures["ns_per_row"] = wall * 1e9 / double(w.rows());
  r.figures["rows"] = w.rows();
  r.ratios["log_rows_py_vs_cpp"] = cpp / wall;
  r.ratios["log_rows_py_vs_2us_per_row"] = 2000.0 / (wall * 1e9 / double(w.rows()));
  return r;
}

Result send_columns_py(const Workload& w) {
  Result r;
  // C++: as the send_columns scenario, cold first then the best of fifteen warm runs (as the
  // Python script does: a run is ~10 ms, so more tries make both figures steadier).
  {
    auto values = w.values();
    auto t0 = Clock::now();
    auto store = columns_store(w, values);
    r.baselines["cpp_wall_cold_s"] = seconds_since(t0);
    double wall = 1e300;
    for (int rep = 0; rep < 15; ++rep) {
      store.reset();
      t0 = Clock::now();
      store = columns_store(w, values);
      wall = std::min(wall, seconds_since(t0));
    }
    int64_t rows;
    double sum = store_sum(*store, w, &rows);
    check(r, rows == w.rows() && close_enough(sum, w.expected_sum()), "C++ send_columns rows and sum");
    r.baselines["cpp_wall_s"] = wall;
  }
  json py = run_python_bench("send_columns_py", "send_columns.py", w, r);
  if (py.is_null()) return r;
  const double wall = py.value("wall_s", 0.0);
  r.figures["wall_s"] = wall;
  r.figures["wall_cold_s"] = py.value("wall_cold_s", 0.0);
  r.figures["ns_per_row"] = wall * 1e9 / double(w.rows());
  r.figures["GBps"] = double(w.raw_bytes()) / wall / 1e9;
  r.ratios["send_columns_py_vs_cpp"] = r.baselines["cpp_wall_s"].get<double>() / wall;
  r.ratios["send_columns_py_vs_cpp_cold"] = r.baselines["cpp_wall_cold_s"].get<double>() / r.figures["wall_cold_s"].get<double>();
  return r;
}

// ---------------------------------------------------------------------------------------

struct Scenario {
  std::string name;
  std::function<Result(const Workload&, double, const std::string&)> run;
};

std::vector<Scenario> scenarios() {
  return {
      {"log_rows", [](const Workload& w, double, const std::string&) { return log_rows(w, false); }},
      {"log_rows_stamped", [](const Workload& w, double, const std::string&) { return log_rows(w, true); }},
      {"send_columns", [](const Workload& w, double, const std::string&) { return send_columns(w); }},
      {"file_roundtrip", [](const Workload& w, double, const std::string& d) { return file_roundtrip(w, d); }},
      {"latest_at", [](const Workload& w, double s, const std::string&) { return latest_at(w, s); }},
      {"range", [](const Workload& w, double, const std::string&) { return range(w); }},
      {"dataframe", [](const Workload& w, double, const std::string&) { return dataframe(w); }},
      {"dataframe_pushdown", [](const Workload& w, double, const std::string&) { return dataframe_pushdown(w); }},
      {"compact", [](const Workload& w, double, const std::string& d) { return compact(w, d); }},
      {"points3d", [](const Workload&, double s, const std::string&) { return points3d(s); }},
      {"gc", [](const Workload& w, double, const std::string&) { return gc(w); }},
      {"duckdb", [](const Workload& w, double, const std::string& d) { return duckdb(w, d); }},
      {"log_rows_py", [](const Workload& w, double, const std::string&) { return log_rows_py(w); }},
      {"send_columns_py", [](const Workload& w, double, const std::string&) { return send_columns_py(w); }},
  };
}

// Runs a scenario in a child process; returns its JSON (with peak RSS) or an error object.
json run_isolated(const Scenario& sc, const Workload& w, double scale, const std::string& dir) {
  int fds[2];
  if (::pipe(fds) != 0) return {{"scenario", sc.name}, {"error", "pipe failed"}};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    json out;
    try {
      Result r = sc.run(w, scale, dir);
      out = {{"figures", r.figures}, {"baselines", r.baselines}, {"ratios", r.ratios}};
      if (!r.error.empty()) out["error"] = r.error;
    } catch (const std::exception& e) {
      out = {{"error", std::string("exception: ") + e.what()}};
    }
    std::string s = out.dump();
    ssize_t n = ::write(fds[1], s.data(), s.size());
    (void)n;
    ::close(fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) text.append(buf, size_t(n));
  ::close(fds[0]);
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  json result = {{"scenario", sc.name}, {"scale", scale}};
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !WIFEXITED(status)) {
    result["error"] = "scenario process died (status " + std::to_string(status) + ")";
    return result;
  }
  for (auto& [k, v] : body.items()) result[k] = v;
  const uint64_t peak_rss = uint64_t(usage.ru_maxrss) * 1024;
  result["figures"]["peak_rss_bytes"] = peak_rss;
  if (result["figures"].contains("budget_bytes")) {
    result["figures"]["peak_rss_vs_budget"] =
        double(peak_rss) / result["figures"]["budget_bytes"].get<double>();
  }
  return result;
}

void print_table(const json& r) {
  std::fprintf(stderr, "%-18s", r["scenario"].get<std::string>().c_str());
  if (r.contains("error")) {
    std::fprintf(stderr, " ERROR: %s\n", r["error"].get<std::string>().c_str());
    return;
  }
  std::string line;
  auto add = [&](const json& obj) {
    for (auto& [k, v] : obj.items()) {
      if (!v.is_number()) continue;
      char buf[96];
      double d = v.get<double>();
      std::snprintf(buf, sizeof buf, "  %s=%.4g", k.c_str(), d);
      line += buf;
    }
  };
  add(r["figures"]);
  add(r["ratios"]);
  std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  double scale = 1.0;
  std::vector<std::string> wanted;
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--scale" && i + 1 < argc) {
      scale = std::atof(argv[++i]);
    } else if (a == "--scenario" && i + 1 < argc) {
      wanted.push_back(argv[++i]);
    } else if (a == "--json" && i + 1 < argc) {
      json_path = argv[++i];
    } else if (a == "--list") {
      for (const auto& s : scenarios()) std::printf("%s\n", s.name.c_str());
      return 0;
    } else {
      std::fprintf(stderr,
                   "usage: reel-bench [--scenario NAME ...] [--scale F] [--json FILE] [--list]\n");
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (scale <= 0 || scale > 10) {
    std::fprintf(stderr, "reel-bench: --scale must be in (0, 10]\n");
    return 2;
  }
  Workload w;
  w.steps = std::max(100, int(50000 * scale));
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("reel_bench_" + std::to_string(::getpid())))
                              .string();
  std::filesystem::create_directories(dir);
  std::fprintf(stderr, "reel-bench: %d series x %d steps = %lld rows (%.1f MB raw), scale %g\n",
               w.num_series(), w.steps, static_cast<long long>(w.rows()), double(w.raw_bytes()) / 1e6,
               scale);
  std::ofstream json_file;
  if (!json_path.empty()) json_file.open(json_path);
  int failures = 0;
  for (const auto& sc : scenarios()) {
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), sc.name) == wanted.end()) continue;
    json r = run_isolated(sc, w, scale, dir);
    std::printf("%s\n", r.dump().c_str());
    std::fflush(stdout);
    if (json_file) json_file << r.dump() << "\n";
    print_table(r);
    failures += r.contains("error");
  }
  std::filesystem::remove_all(dir);
  return failures ? 1 : 0;
}
