// Queries: latest-at, range, dataframe views (dataframe) and their pushdown
// (dataframe_pushdown), against SQLite.
#include <sqlite3.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "baselines.hpp"
#include "harness.hpp"
#include "reel/query/dataframe.hpp"
#include "scenarios.hpp"
#include "workload.hpp"

namespace reel_bench {

Result latest_at(const Context& ctx) {
  const Workload& w = ctx.workload;
  const double scale = ctx.scale;
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
  // Baseline: a bare binary search over one series' sorted times (std::upper_bound on a
  // vector<int64_t> per series) plus reading the f64 at that index, the same queries.
  std::vector<std::vector<int64_t>> times(static_cast<size_t>(w.num_series()));
  for (auto& t : times) {
    t.resize(static_cast<size_t>(w.steps));
    for (int k = 0; k < w.steps; ++k) t[size_t(k)] = k;
  }
  // Both run block by block, alternating, so that a change of load on a shared machine
  // weighs on both alike.
  double sum = 0, bs_sum = 0, wall = 0, bs_wall = 0;
  const size_t blocks = 20, per_block = (q.size() + blocks - 1) / blocks;
  for (size_t from = 0; from < q.size(); from += per_block) {
    const size_t to = std::min(q.size(), from + per_block);
    auto t0 = Clock::now();
    for (size_t i = from; i < to; ++i) {
      auto [s, k] = q[i];
      auto hit = store->latest_at({"step", k}, paths[size_t(s)], desc);
      const auto& list = hit->chunk->component(desc)->list;
      sum += f64_values(list)[list.value_offset(hit->row)];
    }
    wall += seconds_since(t0);
    t0 = Clock::now();
    for (size_t i = from; i < to; ++i) {
      auto [s, k] = q[i];
      const auto& t = times[size_t(s)];
      auto it = std::upper_bound(t.begin(), t.end(), int64_t(k));
      bs_sum += values[size_t(s)][size_t(it - t.begin() - 1)];
    }
    bs_wall += seconds_since(t0);
  }
  check(r, close_enough(sum, expected), "sum of latest-at answers");
  check(r, close_enough(bs_sum, expected), "sum of binary-search answers");
  r.figures["queries"] = queries;
  r.figures["ns_per_query"] = wall * 1e9 / queries;
  r.baselines["binary_search_ns_per_query"] = bs_wall * 1e9 / queries;
  r.ratios["latest_at_vs_binary_search"] = bs_wall / wall;
  Sqlite sql;
  sql.insert(w, values);
  const int sql_queries = std::max(1000, queries / 10);
  double sql_sum = 0, sql_expected = 0;
  auto t0 = Clock::now();
  for (int i = 0; i < sql_queries; ++i)
    sql_sum += sql.latest_at(q[size_t(i)].first, q[size_t(i)].second);
  double sql_wall = seconds_since(t0);
  for (int i = 0; i < sql_queries; ++i)
    sql_expected += values[size_t(q[size_t(i)].first)][size_t(q[size_t(i)].second)];
  check(r, close_enough(sql_sum, sql_expected), "sqlite latest-at sum");
  r.baselines["sqlite_ns_per_query"] = sql_wall * 1e9 / sql_queries;
  r.ratios["latest_at_vs_sqlite"] = (sql_wall / sql_queries) / (wall / queries);
  return r;
}

Result range(const Context& ctx) {
  const Workload& w = ctx.workload;
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

Result dataframe(const Context& ctx) {
  const Workload& w = ctx.workload;
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
Result dataframe_pushdown(const Context& ctx) {
  const Workload& w = ctx.workload;
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
        rec.send_columns(w.entity(s), {reel::TimeColumn::sequence("step", steps)},
                         reel::Scalars::columns(v));
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

}  // namespace reel_bench
