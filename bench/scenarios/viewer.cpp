// viewer_load: the web viewer in headless Chromium on `reel view` of the 2.25M-scalar
// recording and of a 100-row one, through viewer/bench/viewer_load.mjs (which starts the
// servers and the browsers). Ingest cost is the difference of the two: Arrow payload MB/s,
// ms from navigation to window.reel.status().caught_up, Chromium RSS.
// viewer_live: the web viewer following a live client (viewer/tests/live_logger.cpp --live:
// 60 Hz scalars, 30 fps 640x480 images, a point cloud per image) through
// viewer/bench/viewer_live.mjs: lag (median, p95, max), frames/s, the logger's rates.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "harness.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/store_io/store_io.hpp"
#include "scenarios.hpp"
#include "workload.hpp"

namespace reel_bench {

namespace {

// A file beside the running reel-bench, or found walking up from it (the source tree).
std::string find_up(const std::string& relative) {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (auto dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (std::filesystem::exists(dir / relative, ec)) return (dir / relative).string();
    if (dir == dir.root_path()) break;
  }
  return {};
}

std::string write_recording(const Workload& w, const std::string& path, std::string* error) {
  auto store = columns_store(w, w.values());
  auto writer = reel::format::RecordingWriter::open(path);
  if (!writer.ok()) {
    *error = writer.status().to_string();
    return {};
  }
  if (auto st = reel::write_store(*store, **writer); !st.ok()) *error = st.to_string();
  if (auto st = (*writer)->finish(); !st.ok()) *error = st.to_string();
  return path;
}

// The same recording as .rrd for the Rerun web viewer, written so that its time range reaches
// the last step only with the file's last messages: every chunk without its last row first,
// then the last rows (one-row chunks). tests/rerun_viewer/load.mjs waits for that step.
std::string write_rrd(const Workload& w, const std::string& path, std::string* error) {
  auto store = columns_store(w, w.values());
  reel::format::WriterOptions options;
  options.file_format = reel::format::FileFormat::kRrd;
  auto writer = reel::format::RecordingWriter::open(path, options);
  if (!writer.ok()) {
    *error = writer.status().to_string();
    return {};
  }
  auto fail = [&](const reel::Status& st) {
    if (!st.ok() && error->empty()) *error = st.to_string();
  };
  fail((*writer)->write_store_info(store->info()));
  const auto chunks = store->chunks();
  for (const auto& c : chunks) {
    if (c->num_rows() > 1) fail((*writer)->write_chunk(*c->slice(0, c->num_rows() - 1)));
  }
  // A slice keeps its chunk's id, and Rerun takes a chunk id it already holds for the same
  // chunk inserted again and drops it (re_chunk_store writes.rs, insert_chunk_impl); one it
  // has split meanwhile (a big chunk) is inserted and removes the splits, i.e. every other
  // row of that chunk. So the last rows go out as chunks of their own ids.
  for (const auto& c : chunks) {
    fail((*writer)->write_chunk(*c->slice(c->num_rows() - 1, 1)->with_id(reel::RowId::create())));
  }
  fail((*writer)->finish());
  return path;
}

// The Rerun web viewer on `big` and `small` (.rrd) through tests/rerun_viewer/load.mjs, into
// r.baselines and ratios against reel's figures (bigger = reel better).
void rerun_baseline(Result& r, const Workload& w, const Workload& tiny, const std::string& dir,
                    int runs, double reel_ms, double reel_ingest_ms, double reel_rss) {
  const std::string script = find_up("tests/rerun_viewer/load.mjs");
  if (script.empty()) {
    r.baselines["rerun_web_viewer"] = "skipped: tests/rerun_viewer/load.mjs not found";
    return;
  }
  const auto pkg = std::filesystem::path(script).parent_path() /
                   "node_modules/@rerun-io/web-viewer/package.json";
  if (!std::filesystem::exists(pkg)) {
    r.baselines["rerun_web_viewer"] =
        "skipped: @rerun-io/web-viewer is not installed (npm ci in tests/rerun_viewer)";
    return;
  }
  std::string error;
  const std::string big = write_rrd(w, dir + "/viewer_big.rrd", &error);
  const std::string small = write_rrd(tiny, dir + "/viewer_small.rrd", &error);
  if (!error.empty()) {
    r.baselines["rerun_web_viewer"] = "failed: " + error;
    return;
  }
  auto [out, status] = run_command("node '" + script + "' " + std::to_string(runs) + " step '" +
                                   big + ":" + std::to_string(w.steps - 1) + "' '" + small + ":" +
                                   std::to_string(tiny.steps - 1) + "'");
  std::filesystem::remove(big);
  std::filesystem::remove(small);
  json d = json::parse(last_json_line(out), nullptr, false);
  if (status != 0 || d.is_discarded() || !d.contains(big) || !d.contains(small)) {
    r.baselines["rerun_web_viewer"] =
        "failed: load.mjs exit " + std::to_string(status) + ": " + out.substr(0, 600);
    return;
  }
  const json& b = d[big];
  const json& s = d[small];
  if (b.contains("error") || s.contains("error")) {
    r.baselines["rerun_web_viewer"] =
        "failed: " + b.value("error", std::string()) + " " + s.value("error", std::string());
    if (b.contains("error")) return;
  }
  const double ms = b.value("ms", 0.0);
  r.baselines["rerun_ms_to_whole_range"] = ms;
  r.baselines["rerun_ms_start"] = b.value("ms_start", 0.0);
  r.baselines["rerun_ms_open_to_whole_range"] = b.value("ms_open", 0.0);
  r.baselines["rerun_ms_runs"] = b["ms_all"];
  r.baselines["rerun_chromium_rss_bytes"] = b.value("rss_bytes", 0.0);
  if (reel_ms > 0) r.ratios["ms_to_caught_up_vs_rerun"] = ms / reel_ms;
  if (s.contains("error")) return;  // no 100-row figures: no differences
  const double ingest = b.value("ms_open", 0.0) - s.value("ms_open", 0.0);
  const double rss = b.value("rss_bytes", 0.0) - s.value("rss_bytes", 0.0);
  r.baselines["rerun_ms_to_whole_range_100_rows"] = s.value("ms", 0.0);
  r.baselines["rerun_ingest_ms"] = ingest;
  r.baselines["rerun_chromium_rss_bytes_minus_100_rows"] = rss;
  if (reel_ingest_ms > 0) r.ratios["ingest_ms_vs_rerun"] = ingest / reel_ingest_ms;
  if (reel_rss > 0) r.ratios["chromium_rss_vs_rerun"] = rss / reel_rss;
}

// What a browser scenario needs: the script viewer/bench/NAME.mjs (or `env_script`),
// playwright-core, Chromium, the reel binary. Empty `why` when all are there.
struct BrowserSetup {
  std::string script, reel_bin, why;
};

BrowserSetup browser_setup(const std::string& name, const char* env_script) {
  BrowserSetup b;
  const std::string rel = "viewer/bench/" + name + ".mjs";
  const char* given = std::getenv(env_script);
  b.script = given ? given : find_up(rel);
  if (b.script.empty()) {
    b.why = rel + " not found (" + env_script + ")";
    return b;
  }
  const auto viewer_dir = std::filesystem::path(b.script).parent_path().parent_path();
  if (!std::filesystem::exists(viewer_dir / "node_modules/playwright-core/package.json")) {
    b.why = "playwright-core is not installed in " + viewer_dir.string() +
            " (build the viewer: its npm ci installs it)";
    return b;
  }
  const char* chromium = std::getenv("REEL_CHROMIUM");
  if (!std::filesystem::exists(chromium ? chromium : "/usr/bin/chromium")) {
    b.why = "no Chromium (apt-get install chromium, or set REEL_CHROMIUM)";
    return b;
  }
  const char* env_reel = std::getenv("REEL_BENCH_REEL_BIN");
  std::error_code ec;
  b.reel_bin =
      env_reel
          ? env_reel
          : (std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() / "reel").string();
  if (!std::filesystem::exists(b.reel_bin)) b.why = b.reel_bin + " not found (REEL_BENCH_REEL_BIN)";
  return b;
}

}  // namespace

Result viewer_load(const Context& ctx) {
  const Workload& w = ctx.workload;
  Result r;
  auto skip = [&](const std::string& why) {
    r.figures["skipped"] = why;
    std::fprintf(stderr, "viewer_load: skipped: %s\n", why.c_str());
    return r;
  };
  const BrowserSetup setup = browser_setup("viewer_load", "REEL_BENCH_VIEWER_SCRIPT");
  if (!setup.why.empty()) return skip(setup.why);
  const std::string& script = setup.script;
  const std::string& reel_bin = setup.reel_bin;

  // REEL_BENCH_VIEWER_KEEP=DIR: the recordings are written there and kept (for profiling).
  const char* keep = std::getenv("REEL_BENCH_VIEWER_KEEP");
  const std::string dir = keep ? keep : ctx.tmp_dir;
  std::string error;
  const std::string big = write_recording(w, dir + "/viewer_big.reel", &error);
  const Workload tiny{1, 1, 100};
  const std::string small = write_recording(tiny, dir + "/viewer_small.reel", &error);
  if (!error.empty()) {
    r.error = error;
    return r;
  }
  // REEL_BENCH_VIEWER_RUNS: browsers opened per recording (default 3, 1 below --scale 0.5).
  const char* env_runs = std::getenv("REEL_BENCH_VIEWER_RUNS");
  const int runs = env_runs && std::atoi(env_runs) > 0 ? std::atoi(env_runs)
                   : ctx.scale < 0.5                   ? 1
                                                       : 3;
  auto [out, status] = run_command("node '" + script + "' " + std::to_string(runs) + " '" +
                                   reel_bin + "' '" + big + "' '" + small + "'");
  json d = json::parse(last_json_line(out), nullptr, false);
  if (status != 0 || d.is_discarded() || !d.contains(big) || !d.contains(small)) {
    r.error = "viewer_load.mjs failed (exit " + std::to_string(status) + "): " + out.substr(0, 800);
    return r;
  }
  const json& b = d[big];
  const json& s = d[small];
  check(r, b["status"].value("rows", int64_t(0)) >= w.rows(), "viewer rows of the big recording");
  check(r, s["status"].value("rows", int64_t(0)) >= tiny.rows(), "viewer rows of the small one");
  const double ms = b.value("ms", 0.0), ms_small = s.value("ms", 0.0);
  const double payload =
      b["status"].value("payload_bytes", 0.0) - s["status"].value("payload_bytes", 0.0);
  const double rss = b.value("rss_bytes", 0.0) - s.value("rss_bytes", 0.0);
  r.figures["ms_to_caught_up"] = ms;
  r.figures["ms_to_caught_up_100_rows"] = ms_small;
  r.figures["ms_runs"] = b["ms_all"];
  r.figures["ingest_ms"] = ms - ms_small;
  r.figures["payload_bytes"] = payload;
  r.figures["payload_MBps"] = ms > ms_small ? payload / ((ms - ms_small) / 1e3) / 1e6 : 0.0;
  r.figures["raw_MBps"] =
      ms > ms_small ? double(w.raw_bytes()) / ((ms - ms_small) / 1e3) / 1e6 : 0.0;
  r.figures["chromium_rss_bytes_minus_100_rows"] = rss;
  r.figures["chromium_rss_vs_raw"] = rss / double(w.raw_bytes());
  r.figures["viewer_buffer_bytes"] = b["status"].value("buffer_bytes", 0.0);
  r.figures["chunks"] = b["status"].value("chunks", 0);
  r.figures["runs"] = runs;
  // The Rerun web viewer on the same data as .rrd (REEL_BENCH_NO_RERUN=1: not run).
  if (std::getenv("REEL_BENCH_NO_RERUN")) {
    r.baselines["rerun_web_viewer"] = "skipped: REEL_BENCH_NO_RERUN";
  } else {
    rerun_baseline(r, w, tiny, dir, runs, ms, ms - ms_small, rss);
  }
  if (!keep) {
    std::filesystem::remove(big);
    std::filesystem::remove(small);
  }
  return r;
}

Result viewer_live(const Context& ctx) {
  Result r;
  auto skip = [&](const std::string& why) {
    r.figures["skipped"] = why;
    std::fprintf(stderr, "viewer_live: skipped: %s\n", why.c_str());
    return r;
  };
  const BrowserSetup setup = browser_setup("viewer_live", "REEL_BENCH_VIEWER_LIVE_SCRIPT");
  if (!setup.why.empty()) return skip(setup.why);
  const char* env_logger = std::getenv("REEL_BENCH_LIVE_LOGGER_BIN");
  const std::string logger = env_logger ? env_logger : find_up("viewer/reel_viewer_live_logger");
  if (logger.empty() || !std::filesystem::exists(logger)) {
    return skip(
        "reel_viewer_live_logger not found beside reel-bench (build target "
        "reel_viewer_live_logger; or REEL_BENCH_LIVE_LOGGER_BIN)");
  }
  // REEL_BENCH_LIVE_SECONDS (default 10, 5 below --scale 0.5), REEL_BENCH_LIVE_POINTS
  // (default 100,000 points per cloud).
  const char* env_secs = std::getenv("REEL_BENCH_LIVE_SECONDS");
  const char* env_points = std::getenv("REEL_BENCH_LIVE_POINTS");
  const double seconds = env_secs && std::atof(env_secs) > 0 ? std::atof(env_secs)
                         : ctx.scale < 0.5                   ? 5.0
                                                             : 10.0;
  const int points = env_points && std::atoi(env_points) >= 0 ? std::atoi(env_points) : 100000;
  auto [out, status] =
      run_command("node '" + setup.script + "' '" + setup.reel_bin + "' '" + logger + "' " +
                  std::to_string(seconds) + " " + std::to_string(points));
  json d = json::parse(last_json_line(out), nullptr, false);
  if (status != 0 || d.is_discarded() || !d.contains("logger")) {
    r.error = "viewer_live.mjs failed (exit " + std::to_string(status) + "): " + out.substr(0, 800);
    return r;
  }
  const json& lg = d["logger"];
  const int64_t rows = d.value("rows_logged", int64_t(0));
  check(r, lg.value("scalars", 0) == int(seconds * 60), "logger scalars");
  // Unless the page dropped data for its memory budget, it ends with every row logged.
  check(r,
        d["status"].value("dropped_chunks", 0) > 0 || d["status"].value("rows", int64_t(0)) == rows,
        "viewer rows == rows logged");
  for (const char* k : {"lag_median_ms", "lag_p95_ms", "lag_max_ms", "frames_per_s",
                        "view_updates_per_s", "data_updates_per_s", "max_frame_gap_ms", "frames"}) {
    r.figures[k] = d.value(k, 0.0);
  }
  r.figures["points_per_cloud"] = points;
  r.figures["stream_seconds"] = seconds;
  r.figures["logger_scalars_per_s"] = lg.value("scalars_per_s", 0.0);
  r.figures["logger_images_per_s"] = lg.value("images_per_s", 0.0);
  r.figures["logger_late_ticks"] = lg.value("late_ticks", 0);
  r.figures["logger_most_behind_ms"] = lg.value("most_behind_ms", 0.0);
  r.figures["rows_logged"] = rows;
  r.figures["viewer_rows"] = d["status"].value("rows", int64_t(0));
  r.figures["viewer_dropped_chunks"] = d["status"].value("dropped_chunks", 0);
  r.figures["ms_to_every_row_after_end"] = d["ms_to_every_row_after_end"];
  r.figures["chromium_rss_bytes"] = d.value("chromium_rss_bytes", 0.0);
  return r;
}

}  // namespace reel_bench
