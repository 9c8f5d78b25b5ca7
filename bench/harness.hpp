// reel-bench's harness: what a scenario returns, the self-checks, timing helpers, and the
// runner that puts each scenario in its own process (peak RSS) and prints its JSON object
// and table line. ../shared/BENCHMARK.md and docs/benchmark.md describe the program.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "workload.hpp"

namespace reel_bench {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// What a scenario measured: figures of reel, baselines measured in the same process, ratios
// named X_vs_Y (bigger = reel better).
struct Result {
  json figures = json::object();
  json baselines = json::object();
  json ratios = json::object();
  std::string error;  // a failed self-check
};

void check(Result& r, bool ok, const std::string& what);

bool close_enough(double a, double b);

// What every scenario is given.
struct Context {
  Workload workload;
  double scale = 1.0;   // --scale
  std::string tmp_dir;  // a directory of this run, removed at the end
};

struct Scenario {
  std::string name;
  Result (*run)(const Context&);
};

// Runs a scenario in a child process; returns its JSON (with peak RSS) or an error object.
json run_isolated(const Scenario& scenario, const Context& context);

// The scenario's line of the table on stderr.
void print_table(const json& result);

// Runs a command; its stdout (stderr too) and exit status.
std::pair<std::string, int> run_command(const std::string& command);

// The last line of `out` that starts with '{' (where the scripts print their JSON object).
std::string last_json_line(const std::string& out);

}  // namespace reel_bench
