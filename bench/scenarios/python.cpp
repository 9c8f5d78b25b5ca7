// Python scenarios: python/bench/<script>.py run by Debian's /usr/bin/python3 against the
// package this build staged (python/CMakeLists.txt passes the paths; REEL_BENCH_PYTHON,
// REEL_BENCH_PYTHONPATH and REEL_BENCH_PYTHON_DIR override them), compared with the C++
// figures measured in this same process. Without Python, numpy or the module, the scenario
// says so and the run goes on.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "baselines.hpp"
#include "harness.hpp"
#include "scenarios.hpp"
#include "workload.hpp"

namespace reel_bench {

namespace {

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
    *skip =
        "this build has no Python module (python3-dev or pybind11-dev were missing at configure)";
    return nullptr;
  }
  if (!std::filesystem::exists(python, ec)) {
    *skip = python + " not found (apt-get install python3 python3-numpy)";
    return nullptr;
  }
  bool module = false;
  for (const auto& e : std::filesystem::directory_iterator(path + "/reel", ec)) {
    const std::string name = e.path().filename().string();
    module |=
        name.rfind("_reel", 0) == 0 && name.size() > 3 && name.substr(name.size() - 3) == ".so";
  }
  if (!module) {
    *skip = "the reel Python module is not built in " + path + "/reel (build target reel_python)";
    return nullptr;
  }
  if (run_command("'" + python + "' -c 'import numpy'").second != 0) {
    *skip = python + " has no numpy (apt-get install python3-numpy)";
    return nullptr;
  }
  auto [out, status] =
      run_command("PYTHONPATH='" + path + "' PYTHONDONTWRITEBYTECODE=1 '" + python + "' '" + dir +
                  "/" + script + "' --steps " + std::to_string(w.steps));
  json d = json::parse(last_json_line(out), nullptr, false);
  if (status != 0 || d.is_discarded() || !d.is_object()) {
    r.error = "python/bench/" + script + " failed (exit " + std::to_string(status) +
              "): " + out.substr(out.size() > 1500 ? out.size() - 1500 : 0);
    return nullptr;
  }
  check(r, d.value("rows", int64_t(0)) == w.rows(), "python rows logged");
  check(r, d.value("rows_read_back", int64_t(0)) == w.rows(), "python rows read back");
  check(r, d.value("sum_ok", false), "python sum of values read back");
  return d;
}

// The log_rows loop (C++, no stamps, one scalar per call, set_time before each), flushed.
double cpp_log_rows_wall(const Workload& w, const std::vector<std::vector<double>>& values,
                         Result& r) {
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

}  // namespace

Result log_rows_py(const Context& ctx) {
  const Workload& w = ctx.workload;
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

Result send_columns_py(const Context& ctx) {
  const Workload& w = ctx.workload;
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
    check(r, rows == w.rows() && close_enough(sum, w.expected_sum()),
          "C++ send_columns rows and sum");
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
  r.ratios["send_columns_py_vs_cpp_cold"] =
      r.baselines["cpp_wall_cold_s"].get<double>() / r.figures["wall_cold_s"].get<double>();
  return r;
}

}  // namespace reel_bench
