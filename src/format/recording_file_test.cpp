#include "reel/format/recording_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "format/codec_internal.hpp"
#include "reel/sdk/archetypes.hpp"
#include "reel/sdk/recording_stream.hpp"

namespace reel::format {
namespace {

namespace fs = std::filesystem;

const ComponentDescriptor& scalar() { return Scalars::fields()[0].descriptor; }

std::string temp_path(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("reel_format_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

std::vector<ChunkPtr> sample_chunks(int n, int rows) {
  std::vector<ChunkPtr> out;
  for (int c = 0; c < n; ++c) {
    std::vector<int64_t> steps;
    std::vector<double> values;
    for (int i = 0; i < rows; ++i) {
      steps.push_back(c * rows + i);
      values.push_back(std::sin(double(c * rows + i)));
    }
    std::vector<TimeColumn> times = {TimeColumn::sequence("step", steps)};
    out.push_back(Chunk::make(RowId::create(), EntityPath("/plots/s" + std::to_string(c % 3)),
                              RowIdColumn::consecutive(RowId::reserve(uint64_t(rows)), rows),
                              times, Scalars::columns(values))
                      .value());
  }
  return out;
}

std::vector<uint8_t> encode_file(const std::vector<ChunkPtr>& chunks, WriterOptions options,
                                 bool finish = true) {
  std::string path = temp_path("encode.reel");
  {
    auto w = RecordingWriter::open(path, options).value();
    EXPECT_TRUE(w->write_store_info({"app", "rec-1", 42}).ok());
    for (const auto& c : chunks) EXPECT_TRUE(w->write_chunk(*c).ok());
    if (finish) {
      EXPECT_TRUE(w->finish().ok());
    } else {
      // What a killed writer leaves: the bytes before finish() (no footer, no end marker).
      std::ifstream in(path, std::ios::binary);
      std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
      w.reset();
      std::ofstream(path, std::ios::binary | std::ios::trunc)
          .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
      return bytes;
    }
  }
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), {});
}

struct ReadAll {
  std::vector<Message> messages;
  Status error;
  std::vector<std::string> warnings;
};

ReadAll read_all(std::vector<uint8_t> bytes, ReaderOptions options = {}) {
  auto reader = RecordingReader::from_bytes(std::move(bytes), "test.reel", options);
  ReadAll out;
  for (;;) {
    auto m = reader->next();
    if (!m.ok()) {
      out.error = m.status();
      break;
    }
    if (!*m) break;
    out.messages.push_back(std::move(**m));
  }
  out.warnings = reader->warnings();
  return out;
}

std::vector<ChunkPtr> chunks_of(const ReadAll& r) {
  std::vector<ChunkPtr> out;
  for (const auto& m : r.messages) {
    if (m.kind == MessageKind::kChunk) out.push_back(m.chunk);
  }
  return out;
}

TEST(RecordingFileTest, RoundTripWithEveryCompression) {
  auto chunks = sample_chunks(7, 300);
  for (Compression c : {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
    WriterOptions options;
    options.compression = c;
    auto r = read_all(encode_file(chunks, options));
    ASSERT_TRUE(r.error.ok()) << compression_name(c) << ": " << r.error.to_string();
    EXPECT_TRUE(r.warnings.empty()) << r.warnings[0];
    ASSERT_EQ(r.messages.size(), 1 + chunks.size() + 2);  // info, chunks, footer, end
    EXPECT_EQ(r.messages[0].kind, MessageKind::kStoreInfo);
    EXPECT_EQ(r.messages[0].info.recording_id, "rec-1");
    EXPECT_EQ(r.messages[0].info.started_ns, 42);
    auto back = chunks_of(r);
    ASSERT_EQ(back.size(), chunks.size());
    for (size_t i = 0; i < chunks.size(); ++i) {
      EXPECT_TRUE(back[i]->content_equals(*chunks[i])) << compression_name(c) << " chunk " << i;
      EXPECT_EQ(back[i]->id(), chunks[i]->id());
    }
    EXPECT_EQ(r.messages[1].compression, c);
    if (c != Compression::kNone) {
      EXPECT_LT(r.messages[1].stored_bytes, r.messages[1].payload_bytes);
    }
    EXPECT_EQ(r.messages.back().kind, MessageKind::kEnd);
  }
}

TEST(RecordingFileTest, HeaderBytesAreAsDocumented) {
  auto bytes = encode_file(sample_chunks(1, 10), {});
  ASSERT_GE(bytes.size(), kFileHeaderBytes + kMessageHeaderBytes);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "REEL");
  EXPECT_EQ(internal::get_u16(bytes.data() + 4), kFormatVersion);
  // The first message is the store info, uncompressed JSON.
  EXPECT_EQ(bytes[16], uint8_t(MessageKind::kStoreInfo));
  EXPECT_EQ(bytes[17], uint8_t(Compression::kNone));
  EXPECT_EQ(bytes[16 + 24], '{');
  // The file ends with the footer locator.
  EXPECT_EQ(std::string(bytes.end() - 8, bytes.end()), "REELFOOT");
}

TEST(RecordingFileTest, TruncationAtEveryOffsetKeepsEveryCompleteMessage) {
  auto chunks = sample_chunks(3, 40);
  auto full = encode_file(chunks, {});
  auto complete = read_all(full);
  ASSERT_TRUE(complete.error.ok());
  // Message boundaries: where each message ends.
  std::vector<uint64_t> ends;
  for (const auto& m : complete.messages) ends.push_back(m.offset + kMessageHeaderBytes + m.stored_bytes);
  for (size_t cut = 0; cut < full.size(); ++cut) {
    std::vector<uint8_t> prefix(full.begin(), full.begin() + long(cut));
    auto r = read_all(prefix);
    if (cut < kFileHeaderBytes) {
      EXPECT_FALSE(r.error.ok()) << "cut " << cut;
      continue;
    }
    ASSERT_TRUE(r.error.ok()) << "cut " << cut << ": " << r.error.to_string();
    size_t expected = size_t(std::count_if(ends.begin(), ends.end(), [&](uint64_t e) { return e <= cut; }));
    ASSERT_EQ(r.messages.size(), expected) << "cut " << cut;
    ASSERT_EQ(r.warnings.size(), 1u) << "cut " << cut;
    // The warning names the offset where the incomplete message starts.
    uint64_t start = expected == 0 ? kFileHeaderBytes : ends[expected - 1];
    EXPECT_NE(r.warnings[0].find("byte " + std::to_string(start)), std::string::npos)
        << "cut " << cut << ": " << r.warnings[0];
  }
}

TEST(RecordingFileTest, CorruptBytesAreErrorsNamingTheOffset) {
  auto chunks = sample_chunks(3, 40);
  auto full = encode_file(chunks, {});
  auto complete = read_all(full);
  for (size_t i = kFileHeaderBytes; i < full.size(); i += 7) {
    auto bytes = full;
    bytes[i] ^= 0x5A;
    auto r = read_all(bytes);
    // Which message holds byte i?
    size_t holder = 0;
    while (holder + 1 < complete.messages.size() && complete.messages[holder + 1].offset <= i) ++holder;
    const Message& m = complete.messages[holder];
    if (r.error.ok()) {
      // A damaged length that points past the end of the file reads as a truncation (the
      // two cannot be told apart): then it must be reported as such, at that message.
      ASSERT_EQ(r.warnings.size(), 1u) << "flip at byte " << i << " was not detected";
      EXPECT_NE(r.warnings[0].find("byte " + std::to_string(m.offset)), std::string::npos)
          << "flip at " << i << ": " << r.warnings[0];
    } else {
      EXPECT_NE(r.error.message().find("byte " + std::to_string(m.offset)), std::string::npos)
          << "flip at " << i << ": " << r.error.to_string();
    }
    // Every message before the damaged one was returned.
    EXPECT_EQ(r.messages.size(), holder) << "flip at " << i;
  }
}

// A damaged payload (checksum mismatch) while decodes run ahead on the thread pool: the load
// stops with an error naming that message, after inserting every chunk before it, and leaves
// no decode running (ASan would see one use the load's state after it returned).
TEST(RecordingFileTest, LoadStopsAtADamagedPayloadWithEveryChunkBeforeIt) {
  auto chunks = sample_chunks(40, 50);
  auto full = encode_file(chunks, {});
  auto complete = read_all(full);
  size_t last_chunk = 0;
  for (size_t i = 0; i < complete.messages.size(); ++i) {
    if (complete.messages[i].kind == MessageKind::kChunk) last_chunk = i;
  }
  for (size_t victim : {size_t(3), size_t(20), last_chunk}) {
    const Message& m = complete.messages[victim];
    ASSERT_EQ(m.kind, MessageKind::kChunk);
    auto bytes = full;
    bytes[m.offset + kMessageHeaderBytes + 10] ^= 0x5A;  // inside the payload
    std::string path = temp_path("damaged.reel");
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    ChunkStore store(ChunkStoreConfig::no_compaction());
    auto report = load_file(path, store);
    ASSERT_FALSE(report.ok());
    EXPECT_NE(report.status().message().find("byte " + std::to_string(m.offset)), std::string::npos)
        << report.status().to_string();
    EXPECT_NE(report.status().message().find("checksum"), std::string::npos);
    EXPECT_EQ(store.stats().num_rows, int64_t(victim - 1) * 50);  // message 0 is the store info
  }
}

TEST(RecordingFileTest, NewerFormatVersionIsAClearError) {
  auto bytes = encode_file(sample_chunks(1, 5), {});
  internal::put_u16(bytes.data() + 4, kFormatVersion + 1);
  auto r = read_all(bytes);
  ASSERT_FALSE(r.error.ok());
  EXPECT_EQ(r.error.code(), StatusCode::kNotImplemented);
  EXPECT_NE(r.error.message().find("version " + std::to_string(kFormatVersion + 1)), std::string::npos);
  EXPECT_NE(r.error.message().find("upgrade"), std::string::npos);
}

TEST(RecordingFileTest, NotARecordingIsAClearError) {
  std::string text = "hello, this is not a recording at all";
  auto r = read_all(std::vector<uint8_t>(text.begin(), text.end()));
  ASSERT_FALSE(r.error.ok());
  EXPECT_NE(r.error.message().find("not a reel recording"), std::string::npos);
  auto empty = read_all({});
  ASSERT_FALSE(empty.error.ok());
  EXPECT_NE(empty.error.message().find("empty"), std::string::npos);
}

TEST(RecordingFileTest, HugeLengthFieldsAllocateNothing) {
  auto bytes = Encoder::file_header();
  uint8_t h[kMessageHeaderBytes] = {};
  h[0] = uint8_t(MessageKind::kChunk);
  internal::put_u64(h + 8, 1ull << 29);
  internal::put_u64(h + 16, 1ull << 29);  // 512 MiB announced, a few bytes present
  bytes.insert(bytes.end(), h, h + sizeof h);
  bytes.resize(bytes.size() + 100, 0);
  auto r = read_all(bytes);
  EXPECT_TRUE(r.error.ok());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("truncated"), std::string::npos);
  // Over the configured maximum: an error, before any allocation.
  internal::put_u64(bytes.data() + 16 + 8, 1ull << 40);
  internal::put_u64(bytes.data() + 16 + 16, 1ull << 40);
  auto big = read_all(bytes);
  ASSERT_FALSE(big.error.ok());
  EXPECT_NE(big.error.message().find("over the limit"), std::string::npos);
}

// A compressed message's payload length is bounded by its codec's best ratio: a tiny LZ4 or
// zstd message announcing 1 GiB is corrupt before anything is allocated for it (with the
// default 1 GiB limit, each such message cost a 1 GiB allocation). Seen while writing
// recording_reader_fuzz, whose harness had to lower max_message_bytes to avoid it.
TEST(RecordingFileTest, CompressedLengthsBeyondTheCodecRatioAreCorrupt) {
  for (auto c : {Compression::kLz4, Compression::kZstd}) {
    auto bytes = Encoder::file_header();
    uint8_t h[kMessageHeaderBytes] = {};
    h[0] = uint8_t(MessageKind::kChunk);
    h[1] = uint8_t(c);
    internal::put_u64(h + 8, 1ull << 30);  // 1 GiB, the default limit
    internal::put_u64(h + 16, 100);
    bytes.insert(bytes.end(), h, h + sizeof h);
    bytes.resize(bytes.size() + 100, 0);
    auto r = read_all(bytes);
    ASSERT_FALSE(r.error.ok()) << compression_name(c);
    EXPECT_NE(r.error.message().find("cannot hold"), std::string::npos) << r.error.message();
  }
  // The most compressible payloads still fit: 4 MB of JSON whitespace, either codec.
  std::string json = "{\"chunks\": []" + std::string(4 << 20, ' ') + "}";
  for (auto c : {Compression::kLz4, Compression::kZstd}) {
    Encoder enc(WriterOptions{c});
    auto bytes = Encoder::file_header();
    ASSERT_TRUE(enc.encode_message(MessageKind::kFooter,
                                   {reinterpret_cast<const uint8_t*>(json.data()), json.size()},
                                   bytes)
                    .ok());
    EXPECT_LT(bytes.size(), json.size() / 100) << compression_name(c);
    auto r = read_all(bytes);
    EXPECT_TRUE(r.error.ok()) << compression_name(c) << ": " << r.error.to_string();
    ASSERT_EQ(r.messages.size(), 1u) << compression_name(c);
    EXPECT_EQ(r.messages[0].payload_bytes, json.size());
  }
}

TEST(RecordingFileTest, PipesWithBogusLengthsAreReadIncrementally) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::thread writer([&] {
    auto bytes = Encoder::file_header();
    uint8_t h[kMessageHeaderBytes] = {};
    h[0] = uint8_t(MessageKind::kChunk);
    internal::put_u64(h + 8, 900ull << 20);
    internal::put_u64(h + 16, 900ull << 20);
    bytes.insert(bytes.end(), h, h + sizeof h);
    bytes.resize(bytes.size() + 1000, 7);
    EXPECT_EQ(::write(fds[1], bytes.data(), bytes.size()), ssize_t(bytes.size()));
    ::close(fds[1]);
  });
  auto reader = RecordingReader::from_fd(fds[0], true, "<pipe>").value();
  auto m = reader->next();
  writer.join();
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->has_value());
  ASSERT_EQ(reader->warnings().size(), 1u);
  EXPECT_NE(reader->warnings()[0].find("truncated"), std::string::npos);
}

TEST(RecordingFileTest, FooterIndexesChunks) {
  auto chunks = sample_chunks(4, 25);
  encode_file(chunks, {});
  auto footer = read_footer(temp_path("encode.reel"));
  ASSERT_TRUE(footer.ok()) << footer.status().to_string();
  ASSERT_TRUE(footer->has_value());
  ASSERT_EQ((*footer)->chunks.size(), 4u);
  EXPECT_EQ((*footer)->chunks[2].entity, EntityPath("/plots/s2"));
  EXPECT_EQ((*footer)->chunks[2].rows, 25);
  EXPECT_EQ((*footer)->chunks[2].time_ranges.at("step"), (TimeRange{50, 74}));
  // The offsets point at chunk messages.
  auto r = read_all(encode_file(chunks, {}));
  EXPECT_EQ((*footer)->chunks[0].offset, r.messages[1].offset);
}

TEST(RecordingFileTest, UnfinishedFileLoadsWithAWarning) {
  auto chunks = sample_chunks(3, 10);
  auto r = read_all(encode_file(chunks, {}, /*finish=*/false));
  ASSERT_TRUE(r.error.ok());
  EXPECT_EQ(chunks_of(r).size(), 3u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("without an end-of-stream marker"), std::string::npos);
  EXPECT_FALSE(read_footer(temp_path("encode.reel"))->has_value());
}

TEST(RecordingFileTest, LoadIntoStoreAnswersLikeTheOriginal) {
  auto chunks = sample_chunks(9, 100);
  ChunkStore original;
  for (const auto& c : chunks) ASSERT_TRUE(original.insert(c).ok());
  std::string path = temp_path("store.reel");
  {
    auto w = RecordingWriter::open(path).value();
    ASSERT_TRUE(write_store(original, *w).ok());
    ASSERT_TRUE(w->finish().ok());
  }
  ChunkStore loaded;
  auto report = load_file(path, loaded);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_EQ(report->rows, 900);
  for (const char* e : {"/plots/s0", "/plots/s1", "/plots/s2"}) {
    for (TimeInt t : {0, 55, 499, 899, 10000}) {
      auto a = original.latest_at({"step", t}, e, scalar());
      auto b = loaded.latest_at({"step", t}, e, scalar());
      ASSERT_EQ(a.has_value(), b.has_value());
      if (a) {
        EXPECT_EQ(a->row_id, b->row_id);
        EXPECT_TRUE(arrow::array_equals(a->instances(scalar()), b->instances(scalar())));
      }
    }
    EXPECT_EQ(original.range({"step", {0, 1000}}, e, scalar()).num_rows(),
              loaded.range({"step", {0, 1000}}, e, scalar()).num_rows());
  }
}

TEST(RecordingFileTest, SdkSaveWritesALoadableFile) {
  std::string path = temp_path("sdk.reel");
  {
    RecordingStreamOptions options;
    options.log_time = options.log_tick = false;
    RecordingStream rec("sdk_app", options);
    ASSERT_TRUE(rec.save(path).ok());
    for (int i = 0; i < 100; ++i) {
      rec.set_time_sequence("frame", i);
      rec.log("a", Scalars(i));
    }
  }
  ChunkStore store;
  auto report = load_file(path, store);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->warnings.empty());
  EXPECT_EQ(report->info.application_id, "sdk_app");
  EXPECT_EQ(store.range({"frame", {0, 99}}, "/a", scalar()).num_rows(), 100);
}

// Every archetype logged through the SDK comes back from the file exactly as the embedded
// store holds it: same entities, components, types, row ids and values.
TEST(RecordingFileTest, EveryArchetypeRoundTripsThroughAFile) {
  std::string path = temp_path("archetypes.reel");
  std::shared_ptr<ChunkStore> original;
  {
    RecordingStream rec("archetypes");
    original = rec.memory_store();
    ASSERT_TRUE(rec.save(path).ok());
    std::vector<uint8_t> pixels(4 * 3 * 3, 7);
    std::vector<uint16_t> depth = {1, 2, 3, 4, 5, 6};
    std::vector<float> tensor = {1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f};
    std::vector<Position3D> three = {{0, 0, 0}, {1, 0, 0}, {2, 0, 0}};
    for (int frame = 0; frame < 3; ++frame) {
      rec.set_time_sequence("frame", frame);
      rec.log("a/scalars", Scalars(frame * 0.5));
      rec.log("a/lines", SeriesLines().with_colors(Color(1u)).with_widths(2.0f).with_names(Name("x")));
      rec.log("a/points_series", SeriesPoints().with_markers(MarkerShape::kCross));
      rec.log("a/p2", Points2D(std::vector<Position2D>{{1, 2}, {3, 4}})
                          .with_labels(std::vector<Text>{"l", "r"}).with_class_ids(ClassId(3)));
      rec.log("a/p3", Points3D(three).with_colors(std::vector<Color>{1u, 2u, 3u}).with_radii(0.1f));
      rec.log("a/b2", Boxes2D::from_half_sizes(std::vector<HalfSize2D>{{1, 2}}));
      rec.log("a/b3", Boxes3D::from_half_sizes(std::vector<HalfSize3D>{{1, 2, 3}})
                          .with_quaternions(RotationQuat{0, 0, 0, 1}));
      rec.log("a/s2", LineStrips2D(std::vector<LineStrip2D>{LineStrip2D{{{0, 0}, {1, 1}}}}));
      rec.log("a/s3", LineStrips3D(std::vector<LineStrip3D>{LineStrip3D{{{0, 0, 0}, {1, 1, 1}}}}));
      rec.log("a/arrows", Arrows3D::from_vectors(std::vector<Vector3D>{{1, 0, 0}}));
      rec.log("a/image", Image::from_rgb24(pixels, 4, 3));
      rec.log("a/depth", DepthImage::from_u16(depth, 3, 2).with_meter(1000.0f));
      rec.log("a/tensor", Tensor::from_f32({2, 3}, tensor));
      rec.log("a/log", TextLog("stalled").with_level(TextLogLevel::warn()));
      rec.log("a/doc", TextDocument(Text("# Title")));
      rec.log("a/tf", Transform3D::from_translation({1, 2, float(frame)}));
      rec.log("a/clear", Clear::recursive());
    }
    rec.log_static("a/view", ViewCoordinates::FLU);
    rec.log_static("a/ann", AnnotationContext({{1, "wheel", Color(10u)}}));
  }
  ChunkStore loaded;
  auto report = load_file(path, loaded);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  ASSERT_EQ(loaded.entities(), original->entities());
  EXPECT_EQ(loaded.stats().num_rows, original->stats().num_rows);
  int compared = 0;
  for (const auto& entity : original->entities()) {
    auto components = original->components(entity);
    ASSERT_EQ(loaded.components(entity).size(), components.size()) << entity.str();
    for (const auto& [component, type] : components) {
      for (TimeInt t : {0, 1, 2}) {
        auto a = original->latest_at({"frame", t}, entity, component);
        auto b = loaded.latest_at({"frame", t}, entity, component);
        ASSERT_EQ(a.has_value(), b.has_value()) << entity.str() << " " << component.identifier();
        if (!a) continue;
        EXPECT_EQ(a->row_id, b->row_id);
        EXPECT_TRUE(arrow::array_equals(a->instances(component), b->instances(component)))
            << entity.str() << " " << component.identifier();
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 80);
}

TEST(RecordingFileTest, KilledWriterLeavesALoadableFile) {
  std::string path = temp_path("killed.reel");
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    RecordingStreamOptions options;
    options.log_time = options.log_tick = false;
    auto* rec = new RecordingStream("killed", options);  // never destroyed
    if (!rec->save(path).ok()) ::_exit(3);
    for (int i = 0; i < 1000; ++i) {
      rec->set_time_sequence("frame", i);
      rec->log("a", Scalars(i));
      if (i % 100 == 99) rec->flush_blocking();
    }
    rec->flush_blocking();
    ::kill(::getpid(), SIGKILL);
    ::_exit(4);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ChunkStore store;
  auto report = load_file(path, store);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_EQ(store.range({"frame", {0, 999}}, "/a", scalar()).num_rows(), 1000);
  ASSERT_EQ(report->warnings.size(), 1u);  // no end marker
}

}  // namespace
}  // namespace reel::format
