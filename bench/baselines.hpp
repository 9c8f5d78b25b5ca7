// The baselines every scenario measures in its own process, so ratios hold on a noisy
// machine: memcpy of the raw bytes (the physical limit), SQLite (what a user might reach for
// instead) and DuckDB (through Node's @duckdb/node-api, bench/duckdb/baseline.mjs).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "harness.hpp"
#include "workload.hpp"

namespace reel_bench {

// Seconds to copy `bytes` between two buffers already touched (page faults outside timing).
double memcpy_seconds(uint64_t bytes);

// SQLite baseline: the same rows in a table (series, step, value) with an index on
// (series, step), inserted in one transaction.
struct Sqlite {
  sqlite3* db = nullptr;
  Sqlite();
  ~Sqlite();
  Sqlite(const Sqlite&) = delete;
  Sqlite& operator=(const Sqlite&) = delete;
  void exec(const char* sql);
  // Creates the table and index and inserts the workload; the seconds it took.
  double insert(const Workload& w, const std::vector<std::vector<double>>& values);
  // The value at the greatest step <= `step` of a series.
  double latest_at(int series, int step);
  // SUM(value) of a series.
  double range_sum(int series);
};

// DuckDB baseline: runs bench/duckdb/baseline.mjs on these values (the workload's, written to
// a file in `tmp_dir`) and returns the JSON object it prints (load_s, range_s, pivot_s, and
// what the scenario checks). When Node, @duckdb/node-api or the script is missing, or the
// script failed, returns null and `*skip` says why.
json run_duckdb_baseline(const Workload& w, const std::vector<std::vector<double>>& values,
                         const std::string& tmp_dir, std::string* skip);

}  // namespace reel_bench
