// Writes the fuzzers' seed corpora from a real (small) recording, so nothing binary is
// committed: a robot run logged through the SDK (scalars, points with colors and radii, boxes,
// transforms, line strips, an image, text logs, static view coordinates and annotations).
//
//   OUT/recording_reader_fuzz/  .reel streams: the whole run with each compression (none, LZ4,
//                               zstd; footer and end marker), and one small stream per chunk
//   OUT/ipc_fuzz/               each chunk's payload (an Arrow IPC stream of one record batch)
//   OUT/rrd_reader_fuzz/        .rrd streams of the same chunks (LZ4 and uncompressed, with a
//                               blueprint store, End and footer; and one small stream per
//                               chunk), plus SOURCE_DIR's file saved by Rerun's viewer if given
//
// Seeds stay under MAX_BYTES (the fuzzers' -max_len) so the fuzzers use them whole.
//
// Usage: reel_fuzz_seeds OUT [MAX_BYTES [SOURCE_DIR]]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "reel/format/recording_file.hpp"
#include "reel/format/rrd.hpp"
#include "reel/reel.hpp"

using namespace reel;

namespace {

void log_run(RecordingStream& rec, int frames) {
  rec.log_static("world", ViewCoordinates::RIGHT_HAND_Z_UP);
  rec.log_static("world/robot/annotations", AnnotationContext({{1, "wheel", Color(200, 200, 40)},
                                                               {2, "", Color(40, 200, 200)}}));
  std::vector<Position3D> cloud(12);
  std::vector<Color> colors(cloud.size());
  std::vector<uint8_t> image(4 * 3 * 3);
  for (int f = 0; f < frames; ++f) {
    const double t = f * 0.05;
    rec.set_time_sequence("frame", f);
    rec.set_time_duration_secs("sim_time", t);
    for (int j = 0; j < 2; ++j) rec.log("plots/s" + std::to_string(j), Scalars(std::sin(t + j)));
    for (size_t k = 0; k < cloud.size(); ++k) {
      cloud[k] = {float(std::cos(double(k) + t)), float(std::sin(double(k) + t)), float(k)};
      colors[k] = Color(uint8_t(k * 20), uint8_t(f), 200);
    }
    if (f % 2 == 0) rec.log("world/lidar", Points3D(cloud).with_colors(colors).with_radii(0.02f));
    rec.log("world/robot",
            Transform3D::from_translation({float(std::cos(t)), float(std::sin(t)), 0}),
            Boxes3D::from_half_sizes({{0.4f, 0.3f, 0.2f}}).with_colors(Color(255, 120, 0)));
    if (f % 3 == 0) {
      rec.log("world/robot/path",
              LineStrips3D(std::vector<LineStrip3D>{{{{0, 0, 0}, {1, 0, 0}, {1, 1, float(f)}}}}));
    }
    for (size_t p = 0; p < image.size(); ++p) image[p] = uint8_t(p * 7 + size_t(f));
    if (f % 4 == 0) rec.log("camera/rgb", Image::from_rgb24(image, 4, 3));
    if (f % 5 == 0) {
      rec.log("logs", TextLog("frame " + std::to_string(f)).with_level(TextLogLevel::warn()));
    }
  }
}

bool write_file(const std::filesystem::path& path, const std::vector<uint8_t>& bytes, size_t max) {
  if (bytes.size() > max) return false;
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT [MAX_BYTES]\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  const size_t max = argc > 2 ? size_t(std::atoll(argv[2])) : 65536;
  std::filesystem::create_directories(out / "recording_reader_fuzz");
  std::filesystem::create_directories(out / "ipc_fuzz");
  std::filesystem::create_directories(out / "rrd_reader_fuzz");

  RecordingStreamOptions options;
  options.batcher.flush_num_rows = 8;  // several small chunks per entity
  RecordingStream rec("fuzz_seeds", options);
  auto store = rec.memory_store();
  log_run(rec, 24);
  rec.flush_blocking();
  const StoreInfo info = store->info();
  const auto chunks = store->chunks();

  int written = 0;
  // The whole run, once per compression, framed exactly as RecordingWriter frames files.
  for (auto c :
       {format::Compression::kNone, format::Compression::kLz4, format::Compression::kZstd}) {
    format::Encoder enc(format::WriterOptions{c});
    std::vector<uint8_t> bytes = format::Encoder::file_header();
    if (!enc.encode_store_info(info, bytes).ok()) return 1;
    format::Footer footer;
    for (const auto& chunk : chunks) {
      footer.chunks.push_back({.offset = bytes.size(),
                               .entity = chunk->entity_path(),
                               .rows = chunk->num_rows(),
                               .is_static = chunk->is_static()});
      for (const auto& tc : chunk->timelines())
        footer.chunks.back().time_ranges[tc.name()] = tc.range();
      if (!enc.encode_chunk(*chunk, bytes).ok()) return 1;
    }
    const uint64_t footer_offset = bytes.size();
    if (!enc.encode_footer(footer, bytes).ok()) return 1;
    format::Encoder::encode_end(footer_offset, bytes);
    const std::string name = std::string("run_") + format::compression_name(c) + ".reel";
    written += write_file(out / "recording_reader_fuzz" / name, bytes, max);
  }
  // One chunk per stream and per payload: small seeds mutate into many distinct shapes.
  for (size_t i = 0; i < chunks.size(); ++i) {
    auto payload = format::encode_chunk_payload(*chunks[i]);
    if (!payload.ok()) return 1;
    written +=
        write_file(out / "ipc_fuzz" / ("chunk_" + std::to_string(i) + ".arrows"), *payload, max);
    const auto c = i % 3 == 0   ? format::Compression::kNone
                   : i % 3 == 1 ? format::Compression::kLz4
                                : format::Compression::kZstd;
    format::Encoder enc(format::WriterOptions{c});
    std::vector<uint8_t> bytes = format::Encoder::file_header();
    if (!enc.encode_store_info(info, bytes).ok() || !enc.encode_chunk(*chunks[i], bytes).ok())
      return 1;
    written += write_file(out / "recording_reader_fuzz" / ("chunk_" + std::to_string(i) + ".reel"),
                          bytes, max);
  }
  // .rrd: the same chunks as Rerun frames them.
  namespace rrd = format::rrd;
  const rrd::StoreId recording{rrd::StoreKind::kRecording, info.application_id, info.recording_id};
  const rrd::StoreId blueprint{rrd::StoreKind::kBlueprint, info.application_id, "blueprint"};
  for (auto c : {rrd::PayloadCompression::kNone, rrd::PayloadCompression::kLz4}) {
    rrd::RrdEncoder enc({c});
    std::vector<uint8_t> bytes;
    enc.stream_header(bytes);
    if (!enc.set_store_info({{1, 1}, recording, rrd::reel_store_source(), {}}, bytes).ok()) {
      return 1;
    }
    for (const auto& chunk : chunks) {
      auto payload = format::encode_chunk_payload(*chunk);
      if (!payload.ok() ||
          !enc.arrow_msg(recording, *payload, std::nullopt, chunk->is_static(), bytes).ok()) {
        return 1;
      }
    }
    if (!enc.set_store_info({{2, 2}, blueprint, rrd::reel_store_source(), {}}, bytes).ok() ||
        !enc.blueprint_activation({blueprint, true, true}, bytes).ok() ||
        !enc.end({}, bytes).ok()) {
      return 1;
    }
    const std::string name = c == rrd::PayloadCompression::kLz4 ? "run_lz4.rrd" : "run_none.rrd";
    written += write_file(out / "rrd_reader_fuzz" / name, bytes, max);
  }
  for (size_t i = 0; i < chunks.size(); ++i) {
    rrd::RrdEncoder enc({i % 2 ? rrd::PayloadCompression::kLz4 : rrd::PayloadCompression::kNone});
    std::vector<uint8_t> bytes;
    enc.stream_header(bytes);
    auto payload = format::encode_chunk_payload(*chunks[i]);
    if (!payload.ok() ||
        !enc.set_store_info({{1, 1}, recording, rrd::reel_store_source(), {}}, bytes).ok() ||
        !enc.arrow_msg(recording, *payload, rrd::Tuid{3, i}, std::nullopt, bytes).ok() ||
        !enc.end({}, bytes).ok()) {
      return 1;
    }
    written +=
        write_file(out / "rrd_reader_fuzz" / ("chunk_" + std::to_string(i) + ".rrd"), bytes, max);
  }
  if (argc > 3) {
    // Files of independent writers: Rerun's viewer, apache-arrow for JavaScript (columns of
    // types reel passes over: tests/rerun_viewer/write_unsupported_columns.mjs).
    const std::pair<const char*, std::filesystem::path> files[] = {
        {"rerun_0.33.0_saved.rrd", out / "rrd_reader_fuzz" / "rerun_saved.rrd"},
        {"rrd_js_unsupported_columns.rrd", out / "rrd_reader_fuzz" / "js_unsupported.rrd"},
        {"arrow_js_unsupported_columns.arrows", out / "ipc_fuzz" / "js_unsupported.arrows"},
    };
    for (const auto& [name, seed] : files) {
      std::ifstream in(std::filesystem::path(argv[3]) / "tests" / "data" / name, std::ios::binary);
      std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                 std::istreambuf_iterator<char>());
      if (!bytes.empty()) written += write_file(seed, bytes, max);
    }
  }
  std::printf("wrote %d seeds from %zu chunks to %s\n", written, chunks.size(), out.c_str());
  return 0;
}
