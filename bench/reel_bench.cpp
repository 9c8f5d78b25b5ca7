// reel-bench: the benchmark program (../shared/BENCHMARK.md, docs/benchmark.md).
//
// Runs named scenarios on the reference workload (9 plots x 5 series x 50,000 steps of f64 =
// 2.25M rows, 36 MB raw) and prints one JSON object per scenario on stdout plus a table on
// stderr. Each scenario runs in its own forked process, so its peak RSS is its own, and
// measures its baselines (memcpy of the raw bytes, SQLite) in that same process, so ratios
// hold on a noisy machine. Every scenario checks its own answers (sums, counts): a fast wrong
// result fails the run instead of producing a figure.
//
// The harness (harness.hpp), the workload (workload.hpp), the baselines (baselines.hpp) and
// the scenarios (scenarios.hpp, bench/scenarios/) live beside this file.
//
// Usage: reel-bench [--scenario NAME ...] [--scale F] [--json FILE] [--list]
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "scenarios.hpp"

using namespace reel_bench;  // NOLINT: the program's own namespace

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
  Context ctx;
  ctx.scale = scale;
  Workload& w = ctx.workload;
  w.steps = std::max(100, int(50000 * scale));
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("reel_bench_" + std::to_string(::getpid())))
          .string();
  ctx.tmp_dir = dir;
  std::filesystem::create_directories(dir);
  std::fprintf(stderr, "reel-bench: %d series x %d steps = %lld rows (%.1f MB raw), scale %g\n",
               w.num_series(), w.steps, static_cast<long long>(w.rows()),
               double(w.raw_bytes()) / 1e6, scale);
  std::ofstream json_file;
  if (!json_path.empty()) json_file.open(json_path);
  int failures = 0;
  for (const auto& sc : scenarios()) {
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), sc.name) == wanted.end())
      continue;
    json r = run_isolated(sc, ctx);
    std::printf("%s\n", r.dump().c_str());
    std::fflush(stdout);
    if (json_file) json_file << r.dump() << "\n";
    print_table(r);
    failures += r.contains("error");
  }
  std::filesystem::remove_all(dir);
  return failures ? 1 : 0;
}
