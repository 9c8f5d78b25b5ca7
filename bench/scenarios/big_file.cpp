// A recording bigger than the reference workload (big_file): 128 series of f64 noise on
// timeline `step`, written with send_columns in blocks of 64k steps, default 4 GB on disk
// (`--scale` scales it; $REEL_BIG_FILE_GB overrides the size at scale 1). Each command a user
// would run on it is timed as its own process (the `reel` executable: REEL_CLI_PATH,
// compiled in; $REEL_BENCH_CLI overrides) with its peak RSS, next to reading the file once:
// footer-only `reel stats`, the five-row `reel query --contents /sensors/s000 --range 0 4`,
// and a full load into a store (a forked child of this process). The chunks the narrow query
// reads from disk are counted through load_selected.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "reel/store_io/store_io.hpp"
#include "scenarios.hpp"

extern char** environ;

namespace reel_bench {

namespace {

constexpr int kSeries = 128;
constexpr int kBlock = 1 << 16;  // steps per send_columns call (one chunk per series and block)

std::string series_entity(int s) {
  char name[32];
  std::snprintf(name, sizeof name, "/sensors/s%03d", s);
  return name;
}

// A value that does not compress (splitmix64 of series and step, as a double in [0, 1)).
double noise(int s, int64_t step) {
  uint64_t z = (uint64_t(s) << 40) + uint64_t(step) + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return double(z >> 11) * 0x1.0p-53;
}

// Runs argv with stdout to `out_path` and stderr discarded; its wall time and peak RSS.
Measured run_measured(const std::vector<std::string>& args, const std::string& out_path) {
  Measured m;
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const auto t0 = Clock::now();
  const int rc = posix_spawn(&pid, args[0].c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return m;
  return wait_measured(pid, t0);
}

// Reads the whole file once with large reads: the floor for anything that reads it all.
double read_once_seconds(const std::string& path, uint64_t* bytes) {
  std::vector<char> buf(8u << 20);
  const auto t0 = Clock::now();
  int fd = ::open(path.c_str(), O_RDONLY);
  *bytes = 0;
  if (fd < 0) return 0;
  for (ssize_t n; (n = ::read(fd, buf.data(), buf.size())) > 0;) *bytes += uint64_t(n);
  ::close(fd);
  return seconds_since(t0);
}

int count_lines(const std::string& path) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += !line.empty();
  return n;
}

}  // namespace

// Waits for child `pid`, started at t0: its wall time, peak RSS and exit code.
Measured wait_measured(pid_t pid, Clock::time_point t0) {
  Measured m;
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  m.wall_s = seconds_since(t0);
  m.peak_rss_bytes = uint64_t(usage.ru_maxrss) * 1024;
  m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return m;
}

// A full load into a fresh store in a forked child, so its peak RSS is its own.
bool run_in_child(const std::function<bool()>& work) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(work() ? 0 : 1);
  if (pid < 0) return false;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

Measured full_load(const std::string& path, int64_t expected_rows) {
  const auto t0 = Clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    reel::ChunkStore store(reel::ChunkStoreConfig::no_compaction());
    auto report = reel::load_file(path, store);
    ::_exit(report.ok() && report->rows == expected_rows ? 0 : 1);
  }
  return wait_measured(pid, t0);
}

std::optional<std::string> reel_cli(Result& r) {
  const char* env_cli = std::getenv("REEL_BENCH_CLI");
  const std::string cli = env_cli && *env_cli ? env_cli : REEL_CLI_PATH;
  if (cli.empty() || ::access(cli.c_str(), X_OK) != 0) {
    r.figures["skipped"] = "the reel executable is missing (" + cli + ")";
    return std::nullopt;
  }
  return cli;
}

Result big_file(const Context& ctx) {
  Result r;
  const auto found = reel_cli(r);
  if (!found) return r;
  const std::string& cli = *found;
  const char* env_gb = std::getenv("REEL_BIG_FILE_GB");
  const double target_bytes = (env_gb ? std::atof(env_gb) : 4.0) * 1e9 * ctx.scale;
  // A row on disk: about 20 B (8 B value that does not compress; time and row id compress well).
  const int64_t steps = std::max<int64_t>(kBlock / 8, int64_t(target_bytes / (kSeries * 20.0)));
  const std::string path = ctx.tmp_dir + "/big.reel";

  // Written in a forked child, block by block (the SDK never holds more than a block per
  // series), so this process stays small: a spawned command's peak RSS starts at the peak of
  // the process that spawned it (Linux carries it across exec), reported as launcher_rss_bytes.
  auto t0 = Clock::now();
  const bool written = run_in_child([&] {
    reel::RecordingStream rec("reel_bench_big", bench_options(false));
    if (!rec.save(path).ok()) return false;
    std::vector<int64_t> times;
    std::vector<double> values;
    for (int64_t from = 0; from < steps; from += kBlock) {
      const int64_t n = std::min<int64_t>(kBlock, steps - from);
      times.resize(size_t(n));
      for (int64_t k = 0; k < n; ++k) times[size_t(k)] = from + k;
      for (int s = 0; s < kSeries; ++s) {
        values.resize(size_t(n));
        for (int64_t k = 0; k < n; ++k) values[size_t(k)] = noise(s, from + k);
        rec.send_columns(series_entity(s), {reel::TimeColumn::sequence("step", times)},
                         reel::Scalars::columns(values));
      }
    }
    return true;  // the stream's end (when `rec` goes) writes the footer
  });
  if (!written) {
    r.error = "writing " + path + " failed";
    return r;
  }
  const double write_s = seconds_since(t0);
  const uint64_t file_bytes = std::filesystem::file_size(path);
  const int64_t rows = steps * kSeries;

  uint64_t read_bytes = 0;
  read_once_seconds(path, &read_bytes);  // warms the page cache for every command alike
  const double read_once_s = read_once_seconds(path, &read_bytes);
  check(r, read_bytes == file_bytes, "read the whole file");

  struct rusage self {};
  ::getrusage(RUSAGE_SELF, &self);
  r.figures["launcher_rss_bytes"] = uint64_t(self.ru_maxrss) * 1024;
  const std::string out = ctx.tmp_dir + "/big_out.txt";
  Measured stats = run_measured({cli, "stats", path}, out);
  check(r, stats.exit_code == 0, "reel stats exits 0");
  std::ifstream stats_in(out);
  std::stringstream stats_text;
  stats_text << stats_in.rdbuf();
  check(r, stats_text.str().find(std::to_string(rows)) != std::string::npos,
        "reel stats names the row count");

  Measured query = run_measured({cli, "query", "-q", "--index", "step", "--contents",
                                 "/sensors/s000", "--range", "0", "4", "--format", "csv", path},
                                out);
  check(r, query.exit_code == 0, "reel query exits 0");
  check(r, count_lines(out) == 6, "the narrow query gives a header and five rows");

  // Every series' whole table as an Arrow stream: the view streams the file (each chunk read
  // when the table reaches its steps), so memory is the batch and the chunks at the current
  // step, not the file.
  Measured table =
      run_measured({cli, "query", "-q", "--index", "step", "--format", "arrow", path}, "/dev/null");
  check(r, table.exit_code == 0, "reel query of the whole table exits 0");

  reel::ChunkSelection selection;
  selection.entities = reel::EntityPathFilter::parse("/sensors/s000").value_or_die();
  selection.timeline = "step";
  selection.range = {0, 4};
  uint64_t chunks_read = 0;
  {
    reel::ChunkStore store(reel::ChunkStoreConfig::no_compaction());
    auto report = reel::load_selected(path, store, selection, &chunks_read);
    check(r, report.ok(), "load_selected");
    if (report.ok()) r.figures["chunks_in_file"] = report->chunks_in_file;
  }

  Measured load = full_load(path, rows);
  check(r, load.exit_code == 0, "the full load holds every row");

  r.figures["file_bytes"] = file_bytes;
  r.figures["rows"] = rows;
  r.figures["write_s"] = write_s;
  r.figures["write_MBps"] = double(file_bytes) / write_s / 1e6;
  r.figures["stats_s"] = stats.wall_s;
  r.figures["stats_rss_bytes"] = stats.peak_rss_bytes;
  r.figures["narrow_query_s"] = query.wall_s;
  r.figures["narrow_query_rss_bytes"] = query.peak_rss_bytes;
  r.figures["narrow_query_chunks_read"] = chunks_read;
  r.figures["full_table_s"] = table.wall_s;
  r.figures["full_table_rss_bytes"] = table.peak_rss_bytes;
  r.figures["full_table_MBps"] = double(file_bytes) / table.wall_s / 1e6;
  r.figures["full_load_s"] = load.wall_s;
  r.figures["full_load_rss_bytes"] = load.peak_rss_bytes;
  r.figures["full_load_MBps"] = double(file_bytes) / load.wall_s / 1e6;
  r.baselines["read_once_s"] = read_once_s;
  r.baselines["read_once_MBps"] = double(file_bytes) / read_once_s / 1e6;
  // Bigger = reel better: 10 means the command took a tenth of reading the file once.
  r.ratios["stats_vs_read_once"] = read_once_s / stats.wall_s;
  r.ratios["narrow_query_vs_read_once"] = read_once_s / query.wall_s;
  r.ratios["full_load_vs_read_once"] = read_once_s / load.wall_s;
  r.ratios["full_load_rss_vs_file"] = double(file_bytes) / double(load.peak_rss_bytes);
  // Bigger = less memory than the file: the streamed table's peak RSS against the file's size.
  r.ratios["full_table_rss_vs_file"] = double(file_bytes) / double(table.peak_rss_bytes);
  std::filesystem::remove(path);
  std::filesystem::remove(out);
  return r;
}

}  // namespace reel_bench
