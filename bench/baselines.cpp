#include "baselines.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace reel_bench {

namespace {
// Keeps a value alive so the optimizer cannot drop the work that produced it.
volatile double g_sink = 0;
}  // namespace

double memcpy_seconds(uint64_t bytes) {
  std::vector<uint8_t> src(bytes, 1), dst(bytes, 0);  // touched: page faults outside timing
  auto t0 = Clock::now();
  std::memcpy(dst.data(), src.data(), bytes);
  double s = seconds_since(t0);
  g_sink = dst[bytes / 2];
  return s;
}

Sqlite::Sqlite() {
  sqlite3_open(":memory:", &db);
  sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;", nullptr, nullptr, nullptr);
}

Sqlite::~Sqlite() { sqlite3_close(db); }

void Sqlite::exec(const char* sql) { sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

double Sqlite::insert(const Workload& w, const std::vector<std::vector<double>>& values) {
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

double Sqlite::latest_at(int series, int step) {
  static thread_local sqlite3_stmt* st = nullptr;
  if (!st) {
    sqlite3_prepare_v2(
        db, "SELECT value FROM t WHERE series = ? AND step <= ? ORDER BY step DESC LIMIT 1", -1,
        &st, nullptr);
  }
  sqlite3_bind_int(st, 1, series);
  sqlite3_bind_int(st, 2, step);
  double v = NAN;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_double(st, 0);
  sqlite3_reset(st);
  return v;
}

double Sqlite::range_sum(int series) {
  sqlite3_stmt* st;
  sqlite3_prepare_v2(db, "SELECT SUM(value) FROM t WHERE series = ?", -1, &st, nullptr);
  sqlite3_bind_int(st, 1, series);
  double v = 0;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_double(st, 0);
  sqlite3_finalize(st);
  return v;
}

// DuckDB baseline: bench/duckdb/baseline.mjs runs DuckDB through Node's @duckdb/node-api (npm)
// on the same rows and prints its timings as one JSON line; reel's figures for the same three
// operations are measured by the `duckdb` scenario in its process, so the ratios hold on a
// noisy machine.

namespace {

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

}  // namespace

json run_duckdb_baseline(const Workload& w, const std::vector<std::vector<double>>& values,
                         const std::string& tmp, std::string* skip_reason) {
  const std::string dir = duckdb_dir();
  const std::string install = "run `npm ci` in bench/duckdb (make bench does)";
  auto skip = [&](const std::string& why) {
    *skip_reason = why;
    return json(nullptr);
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
  json d = json::parse(last_json_line(out), nullptr, false);
  if (status != 0 || d.is_discarded() || !d.is_object()) {
    return skip("baseline.mjs failed (exit " + std::to_string(status) + "): " + out.substr(0, 500));
  }
  return d;
}

}  // namespace reel_bench
