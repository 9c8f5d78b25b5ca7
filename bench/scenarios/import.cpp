// import_mcap: importing a robot log, next to reading the same file once, in one run.
//
// The file is written by tests/import/bench_mcap.mjs (Foxglove's @mcap/core and ROS 2 CDR
// serializers, lz4 chunks of 4 MiB): 30 fps 640x480 rgb8 images, 10 Hz clouds of 20,000
// points, 100 Hz IMU; 1 GB at scale 1 (`--scale` shrinks it; 20 MB at least). Figures:
//   - read: one plain read() pass over the file (the physical limit of any importer);
//   - import: reel::import::import_file, every message decoded and mapped to archetypes,
//     chunks handed to a callback that drops them (memory stays bounded by the batches:
//     compare peak RSS with the file size);
// MB/s of file bytes both, and their ratio. The self-check: every message the writer says it
// wrote is imported, without warnings. Needs node and tests/import/node_modules ("skipped"
// otherwise). REEL_BENCH_IMPORT_WRITER overrides the writer script's path.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "harness.hpp"
#include "reel/import/importer.hpp"
#include "scenarios.hpp"

#ifndef REEL_SOURCE_DIR
#define REEL_SOURCE_DIR ""
#endif

namespace reel_bench {

namespace {

uint64_t read_once(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  std::vector<char> buf(size_t(4) << 20);
  uint64_t total = 0;
  ssize_t n;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) total += uint64_t(n);
  ::close(fd);
  return total;
}

}  // namespace

Result import_mcap(const Context& ctx) {
  Result r;
  const char* env = std::getenv("REEL_BENCH_IMPORT_WRITER");
  const std::string writer =
      env ? env : std::string(REEL_SOURCE_DIR) + "/tests/import/bench_mcap.mjs";
  const std::string modules =
      std::filesystem::path(writer).parent_path().string() + "/node_modules/@mcap/core";
  if (!std::filesystem::exists(writer) || !std::filesystem::exists(modules)) {
    r.figures["skipped"] = "no " + writer + " with its node_modules (npm ci in tests/import)";
    return r;
  }
  const int mb = std::max(20, int(1000 * ctx.scale));
  const std::string path = ctx.tmp_dir + "/import_mcap.mcap";
  auto [out, status] =
      run_command("node " + writer + " " + path + " " + std::to_string(mb) + " lz4");
  std::smatch m;
  if (status != 0 || !std::regex_search(out, m, std::regex(R"(, (\d+) messages,)"))) {
    r.figures["skipped"] = "bench_mcap.mjs failed: " + out.substr(0, 200);
    return r;
  }
  const uint64_t written = std::stoull(m[1]);

  auto t0 = Clock::now();
  const uint64_t bytes = read_once(path);
  const double read_s = seconds_since(t0);

  uint64_t chunks = 0, rows = 0;
  t0 = Clock::now();
  auto report = reel::import::import_file(path, [&](reel::ChunkPtr chunk) {
    ++chunks;
    rows += uint64_t(chunk->num_rows());
    return reel::Status::OK();
  });
  const double import_s = seconds_since(t0);
  check(r, report.ok(), "import: " + (report.ok() ? std::string() : report.status().message()));
  if (!report.ok()) return r;
  check(r, report->messages == written, "every message imported");
  check(r, report->warnings.empty(),
        "no warnings" + (report->warnings.empty() ? std::string() : ": " + report->warnings[0]));
  std::filesystem::remove(path);

  r.figures["file_MB"] = double(bytes) / 1e6;
  r.figures["messages"] = report->messages;
  r.figures["chunks"] = chunks;
  r.figures["rows"] = rows;
  r.figures["import_s"] = import_s;
  r.figures["import_MBps"] = double(bytes) / 1e6 / import_s;
  r.baselines["read_s"] = read_s;
  r.baselines["read_MBps"] = double(bytes) / 1e6 / read_s;
  r.ratios["import_vs_read"] = read_s / import_s;
  return r;
}

}  // namespace reel_bench
