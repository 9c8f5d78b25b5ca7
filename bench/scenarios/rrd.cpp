// Rerun's .rrd next to .reel in the same run (rrd_roundtrip): write and load MB/s of both,
// and their ratios (the goal: .rrd within 1.5x of .reel); then `compact` of a file of ~35k
// tiny chunks (the workload logged with a 1 ms tick and 64-row chunks) as .rrd and as .reel.
#include <filesystem>
#include <string>

#include "harness.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/store_io/store_io.hpp"
#include "scenarios.hpp"
#include "workload.hpp"

namespace reel_bench {

Result rrd_roundtrip(const Context& ctx) {
  const Workload& w = ctx.workload;
  Result r;
  auto values = w.values();
  auto store = columns_store(w, values);
  struct Timing {
    double write_s = 0, load_s = 0;
    uint64_t bytes = 0;
  };
  auto run = [&](reel::format::FileFormat format, const std::string& name) {
    Timing t;
    const std::string path = ctx.tmp_dir + "/roundtrip." + name;
    reel::format::WriterOptions o;
    o.file_format = format;
    auto t0 = Clock::now();
    {
      auto writer = reel::format::RecordingWriter::open(path, o).value();
      if (auto st = reel::write_store(*store, *writer); !st.ok()) r.error = st.to_string();
      if (auto st = writer->finish(); !st.ok()) r.error = st.to_string();
    }
    t.write_s = seconds_since(t0);
    t.bytes = std::filesystem::file_size(path);
    reel::ChunkStore loaded(reel::ChunkStoreConfig::from_env());
    t0 = Clock::now();
    auto report = reel::load_file(path, loaded);
    t.load_s = seconds_since(t0);
    check(r, report.ok(), name + " load: " + (report.ok() ? "" : report.status().to_string()));
    int64_t rows;
    double sum = store_sum(loaded, w, &rows);
    check(r, rows == w.rows(), name + ": rows after load");
    check(r, close_enough(sum, w.expected_sum()), name + ": sum after load");
    std::filesystem::remove(path);
    r.figures[name + "_write_MBps"] = double(w.raw_bytes()) / t.write_s / 1e6;
    r.figures[name + "_load_MBps"] = double(w.raw_bytes()) / t.load_s / 1e6;
    r.figures[name + "_file_bytes"] = double(t.bytes);
    return t;
  };
  const Timing reel_t = run(reel::format::FileFormat::kReel, "reel");
  const Timing rrd_t = run(reel::format::FileFormat::kRrd, "rrd");
  r.ratios["rrd_vs_reel_write_time"] = rrd_t.write_s / reel_t.write_s;
  r.ratios["rrd_vs_reel_load_time"] = rrd_t.load_s / reel_t.load_s;
  store.reset();

  // compact: the tiny-chunk recording logged once as .reel, copied chunk for chunk to .rrd
  // (convert), then each compacted as `reel compact` does: load into a store, write it out
  // in the input's format. Timed: the compaction only.
  const std::string tiny_reel = ctx.tmp_dir + "/tiny_chunks.reel";
  const std::string tiny_rrd = ctx.tmp_dir + "/tiny_chunks.rrd";
  if (auto st = log_tiny_chunks(w, values, tiny_reel); !st.ok()) r.error = st.to_string();
  {
    auto reader = reel::format::RecordingReader::open(tiny_reel).value();
    reel::format::WriterOptions o;
    o.file_format = reel::format::FileFormat::kRrd;
    auto writer = reel::format::RecordingWriter::open(tiny_rrd, o).value();
    auto converted = reel::convert_recording(*reader, *writer);
    check(r, converted.ok(), "convert to .rrd");
    check(r, writer->finish().ok(), "finish .rrd");
  }
  const double reel_compact =
      compact_file(w, tiny_reel, reel::format::FileFormat::kReel, "reel_compact_", r);
  const double rrd_compact =
      compact_file(w, tiny_rrd, reel::format::FileFormat::kRrd, "rrd_compact_", r);
  r.ratios["rrd_vs_reel_compact_time"] = rrd_compact / reel_compact;
  return r;
}

}  // namespace reel_bench
