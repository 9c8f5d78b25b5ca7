// Recording files: write and load (file_roundtrip), `reel compact` of many tiny chunks
// (compact).
#include <filesystem>
#include <string>

#include "baselines.hpp"
#include "harness.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/store_io/store_io.hpp"
#include "scenarios.hpp"
#include "workload.hpp"

namespace reel_bench {

Result file_roundtrip(const Context& ctx) {
  const Workload& w = ctx.workload;
  const std::string& dir = ctx.tmp_dir;
  Result r;
  auto values = w.values();
  auto store = columns_store(w, values);
  const std::string path = dir + "/roundtrip.reel";
  auto t0 = Clock::now();
  {
    auto writer = reel::format::RecordingWriter::open(path).value();
    if (auto st = reel::write_store(*store, *writer); !st.ok()) r.error = st.to_string();
    if (auto st = writer->finish(); !st.ok()) r.error = st.to_string();
  }
  double write_s = seconds_since(t0);
  store.reset();
  const uint64_t file_bytes = std::filesystem::file_size(path);
  reel::ChunkStore loaded(reel::ChunkStoreConfig::from_env());
  t0 = Clock::now();
  auto report = reel::load_file(path, loaded);
  double load_s = seconds_since(t0);
  check(r, report.ok(), "load: " + (report.ok() ? std::string() : report.status().to_string()));
  int64_t rows;
  double sum = store_sum(loaded, w, &rows);
  check(r, rows == w.rows(), "rows after load");
  check(r, close_enough(sum, w.expected_sum()), "sum after load");
  r.figures["write_s"] = write_s;
  r.figures["load_s"] = load_s;
  r.figures["write_MBps"] = double(w.raw_bytes()) / write_s / 1e6;
  r.figures["load_MBps"] = double(w.raw_bytes()) / load_s / 1e6;
  r.figures["load_file_MBps"] = double(file_bytes) / load_s / 1e6;
  r.figures["file_bytes"] = file_bytes;
  r.figures["file_vs_raw"] = double(file_bytes) / double(w.raw_bytes());
  r.figures["loaded_store_vs_raw"] = double(loaded.memory_bytes()) / double(w.raw_bytes());
  double mc = memcpy_seconds(w.raw_bytes());
  r.baselines["memcpy_s"] = mc;
  r.ratios["load_vs_memcpy_speed"] = mc / load_s;
  std::filesystem::remove(path);
  return r;
}

double compact_file(const Workload& w, const std::string& in, reel::format::FileFormat format,
                    const std::string& prefix, Result& r) {
  const std::string out = in + ".compacted";
  uint64_t chunks_before = 0;
  {
    reel::format::ReaderOptions ro;
    ro.decode_chunks = false;
    auto reader = reel::format::RecordingReader::open(in, ro).value();
    for (auto m = reader->next(); m.ok() && *m; m = reader->next()) {
      chunks_before += (*m)->kind == reel::format::MessageKind::kChunk;
    }
  }
  const uint64_t in_bytes = std::filesystem::file_size(in);
  auto t0 = Clock::now();
  {
    reel::ChunkStore store(reel::ChunkStoreConfig::from_env());
    check(r, reel::load_file(in, store).ok(), prefix + "load");
    reel::format::WriterOptions o;
    o.file_format = format;
    auto writer = reel::format::RecordingWriter::open(out, o).value();
    check(r, reel::write_store(store, *writer).ok(), prefix + "write");
    check(r, writer->finish().ok(), prefix + "finish");
  }
  const double wall = seconds_since(t0);
  int64_t rows;
  reel::ChunkStore check_store(reel::ChunkStoreConfig::no_compaction());
  check(r, reel::load_file(out, check_store).ok(), prefix + "reload");
  double sum = store_sum(check_store, w, &rows);
  check(r, rows == w.rows(), prefix + "rows after compaction");
  check(r, close_enough(sum, w.expected_sum()), prefix + "sum after compaction");
  r.figures[prefix + "wall_s"] = wall;
  r.figures[prefix + "MBps"] = double(in_bytes) / wall / 1e6;
  r.figures[prefix + "chunks_before"] = chunks_before;
  r.figures[prefix + "chunks_after"] = check_store.num_chunks();
  r.figures[prefix + "bytes_before"] = in_bytes;
  r.figures[prefix + "bytes_after"] = std::filesystem::file_size(out);
  std::filesystem::remove(in);
  std::filesystem::remove(out);
  return wall;
}

Result compact(const Context& ctx) {
  const Workload& w = ctx.workload;
  Result r;
  auto values = w.values();
  const std::string in = ctx.tmp_dir + "/tiny_chunks.reel";
  if (auto st = log_tiny_chunks(w, values, in); !st.ok()) r.error = st.to_string();
  compact_file(w, in, reel::format::FileFormat::kReel, "", r);
  return r;
}

}  // namespace reel_bench
