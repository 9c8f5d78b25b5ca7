// The scenarios of reel-bench, one file per family under bench/scenarios/, run in the order
// of scenarios() (scenarios.cpp).
//
// Adding a scenario: write `Result my_scenario(const Context&)` in a new file under
// bench/scenarios/ (the build picks it up), declare it here and add one line to
// scenarios(). It returns its figures, the baselines it measured in the same process and
// ratios named X_vs_Y (bigger = reel better), checks its own answers with check() (a fast
// wrong result fails the run), and says "skipped" in its figures when something it needs is
// absent (Node, Chromium, Python), so the run goes on.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness.hpp"
#include "reel/format/recording_file.hpp"

namespace reel_bench {

// Every scenario, in run order (the order of the JSON lines and of the table).
const std::vector<Scenario>& scenarios();

// ingest.cpp
Result log_rows(const Context& ctx, bool stamped);
Result send_columns(const Context& ctx);
Result points3d(const Context& ctx);
// files.cpp
Result file_roundtrip(const Context& ctx);
Result compact(const Context& ctx);
// What `reel compact` does to `in` (load into a store, write it out in `format`), timed, with
// figures `<prefix>wall_s`, `MBps`, `chunks_before/after`, `bytes_before/after`; removes `in`.
double compact_file(const Workload& w, const std::string& in, reel::format::FileFormat format,
                    const std::string& prefix, Result& r);
// big_file.cpp
Result big_file(const Context& ctx);
// The `reel` executable the command scenarios run (REEL_CLI_PATH, compiled in;
// $REEL_BENCH_CLI overrides); when it is missing, says "skipped" in `r`'s figures.
std::optional<std::string> reel_cli(Result& r);
// A child process's wall time, peak RSS and exit code (big_file, serve_paging).
struct Measured {
  double wall_s = 0;
  uint64_t peak_rss_bytes = 0;
  int exit_code = -1;
};
// Waits for child `pid`, started at t0.
Measured wait_measured(pid_t pid, Clock::time_point t0);
// Runs `work` in a forked child (what it allocates stays out of this process's peak RSS);
// true when it returned true.
bool run_in_child(const std::function<bool()>& work);
// Loads `path` into a fresh store in a forked child (its peak RSS its own); exits 0 when the
// store holds `expected_rows` rows.
Measured full_load(const std::string& path, int64_t expected_rows);
// rrd.cpp
Result rrd_roundtrip(const Context& ctx);
// queries.cpp
Result latest_at(const Context& ctx);
Result range(const Context& ctx);
Result dataframe(const Context& ctx);
Result dataframe_pushdown(const Context& ctx);
// gc.cpp
Result gc(const Context& ctx);
// import.cpp
Result import_mcap(const Context& ctx);
// serve.cpp
Result serve_soak(const Context& ctx);
Result serve_paging(const Context& ctx);
// duckdb.cpp
Result duckdb(const Context& ctx);
// viewer.cpp
Result viewer_load(const Context& ctx);
Result viewer_live(const Context& ctx);
// python.cpp
Result log_rows_py(const Context& ctx);
Result send_columns_py(const Context& ctx);
#if REEL_HAVE_SQL
// dataset.cpp (needs the sql module: built when DuckDB's header is found)
Result dataset(const Context& ctx);
#endif

}  // namespace reel_bench
