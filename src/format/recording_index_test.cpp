#include "reel/format/recording_index.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "reel/types/archetypes.hpp"

namespace reel::format {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("reel_index_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

// Six chunks of /s0../s2 on "step", ten rows each.
std::vector<ChunkPtr> sample_chunks() {
  std::vector<ChunkPtr> out;
  for (int c = 0; c < 6; ++c) {
    std::vector<int64_t> steps;
    std::vector<double> values;
    for (int i = 0; i < 10; ++i) {
      steps.push_back(c * 10 + i);
      values.push_back(c + i * 0.5);
    }
    out.push_back(Chunk::make(RowId::create(), EntityPath("/s" + std::to_string(c % 3)),
                              RowIdColumn::consecutive(RowId::reserve(10), 10),
                              {TimeColumn::sequence("step", steps)}, Scalars::columns(values))
                      .value());
  }
  return out;
}

std::string write_file(const std::string& name, const std::vector<ChunkPtr>& chunks,
                       WriterOptions options, bool finish = true) {
  const std::string path = temp_path(name);
  auto w = RecordingWriter::open(path, options).value();
  EXPECT_TRUE(w->write_store_info({"app", "rec-1", 42}).ok());
  for (const auto& c : chunks) EXPECT_TRUE(w->write_chunk(*c).ok());
  if (finish) {
    EXPECT_TRUE(w->finish().ok());
  } else {
    // What a killed writer leaves: the bytes written so far, no footer, no end marker.
    fs::copy_file(path, path + ".cut", fs::copy_options::overwrite_existing);
    w.reset();
    fs::rename(path + ".cut", path);
  }
  return path;
}

void expect_same_entries(const RecordingIndex& a, const RecordingIndex& b) {
  ASSERT_EQ(a.chunks.size(), b.chunks.size());
  for (size_t i = 0; i < a.chunks.size(); ++i) {
    const FooterEntry& x = a.chunks[i];
    const FooterEntry& y = b.chunks[i];
    SCOPED_TRACE("chunk " + std::to_string(i));
    EXPECT_EQ(x.offset, y.offset);
    EXPECT_EQ(x.entity, y.entity);
    EXPECT_EQ(x.rows, y.rows);
    EXPECT_EQ(x.is_static, y.is_static);
    EXPECT_EQ(x.time_ranges, y.time_ranges);
    EXPECT_EQ(x.timeline_types, y.timeline_types);
    EXPECT_EQ(x.stored_bytes, y.stored_bytes);
    EXPECT_EQ(x.payload_bytes, y.payload_bytes);
    EXPECT_EQ(x.compression, y.compression);
    ASSERT_EQ(x.components.size(), y.components.size());
    for (size_t k = 0; k < x.components.size(); ++k) {
      EXPECT_EQ(x.components[k].descriptor, y.components[k].descriptor);
      EXPECT_EQ(x.components[k].arrow_type, y.components[k].arrow_type);
      EXPECT_EQ(x.components[k].rows, y.components[k].rows);
      EXPECT_EQ(x.components[k].instances, y.components[k].instances);
      EXPECT_EQ(x.components[k].bytes, y.components[k].bytes);
      EXPECT_EQ(x.components[k].time_ranges, y.components[k].time_ranges);
    }
  }
  ASSERT_EQ(a.infos.size(), b.infos.size());
  for (size_t i = 0; i < a.infos.size(); ++i) {
    EXPECT_EQ(a.infos[i].offset, b.infos[i].offset);
    EXPECT_EQ(a.infos[i].info.recording_id, b.infos[i].info.recording_id);
    EXPECT_EQ(a.infos[i].info.started_ns, b.infos[i].info.started_ns);
  }
}

TEST(RecordingIndexTest, VersionTwoFooterDescribesEveryChunk) {
  const auto chunks = sample_chunks();
  WriterOptions v2;
  v2.format_version = 2;
  const std::string path = write_file("v2.reel", chunks, v2);
  auto footer = read_footer(path);
  ASSERT_TRUE(footer.ok()) << footer.status().to_string();
  ASSERT_TRUE(footer->has_value());
  EXPECT_EQ((*footer)->version, 2);
  ASSERT_EQ((*footer)->infos.size(), 1u);
  EXPECT_EQ((*footer)->infos[0].offset, kFileHeaderBytes);
  EXPECT_EQ((*footer)->infos[0].info.application_id, "app");
  ASSERT_EQ((*footer)->chunks.size(), 6u);
  const FooterEntry& e = (*footer)->chunks[4];
  EXPECT_TRUE(e.complete);
  EXPECT_EQ(e.entity, EntityPath("/s1"));
  EXPECT_EQ(e.timeline_types.at("step"), TimeType::kSequence);
  EXPECT_EQ(e.time_ranges.at("step"), (TimeRange{40, 49}));
  EXPECT_EQ(e.compression, Compression::kLz4);
  EXPECT_GT(e.payload_bytes, 0u);
  ASSERT_EQ(e.components.size(), 1u);
  EXPECT_EQ(e.components[0].descriptor.identifier(), "Scalars:scalars");
  EXPECT_EQ(e.components[0].arrow_type, "float64");
  EXPECT_EQ(e.components[0].rows, 10);
  EXPECT_EQ(e.components[0].instances, 10);
  EXPECT_EQ(e.components[0].bytes, 10u * 8u + 11u * 4u);  // values and list offsets
  EXPECT_EQ(e.components[0].time_ranges.at("step"), (TimeRange{40, 49}));

  RecordingIndex index;
  ASSERT_TRUE(index_recording(path, index).ok());
  EXPECT_TRUE(index.from_footer);
  EXPECT_EQ(index.version, 2);
  EXPECT_EQ(index.file_bytes, fs::file_size(path));
  EXPECT_TRUE(index.warnings.empty());
}

// The streaming pass (a v1 file, a file without a footer) describes chunks exactly as the
// writer's footer does.
TEST(RecordingIndexTest, StreamingPassMatchesTheFooter) {
  const auto chunks = sample_chunks();
  RecordingIndex from_footer, streamed, v1, cut;
  // Version 1's messages are laid out as version 2's (only the footer differs).
  WriterOptions v2;
  v2.format_version = 2;
  ASSERT_TRUE(index_recording(write_file("v2.reel", chunks, v2), from_footer).ok());
  ASSERT_TRUE(from_footer.from_footer);
  ASSERT_TRUE(
      index_recording(write_file("v2.reel", chunks, v2), streamed, {.use_footer = false}).ok());
  EXPECT_FALSE(streamed.from_footer);
  expect_same_entries(from_footer, streamed);
  // Version 3 (aligned, per-buffer compressed payloads): the streaming pass matches its
  // footer too.
  RecordingIndex v3_footer, v3_streamed;
  ASSERT_TRUE(index_recording(write_file("v3.reel", chunks, {}), v3_footer).ok());
  ASSERT_TRUE(v3_footer.from_footer);
  EXPECT_EQ(v3_footer.version, 3);
  ASSERT_TRUE(
      index_recording(write_file("v3.reel", chunks, {}), v3_streamed, {.use_footer = false}).ok());
  expect_same_entries(v3_footer, v3_streamed);

  WriterOptions old;
  old.format_version = 1;
  const std::string v1_path = write_file("v1.reel", chunks, old);
  auto v1_footer = read_footer(v1_path);
  ASSERT_TRUE(v1_footer.ok() && v1_footer->has_value());
  EXPECT_EQ((*v1_footer)->version, 1);
  EXPECT_FALSE((*v1_footer)->chunks[0].complete);
  ASSERT_TRUE(index_recording(v1_path, v1).ok());
  EXPECT_FALSE(v1.from_footer);
  EXPECT_EQ(v1.version, 1);
  expect_same_entries(from_footer, v1);

  ASSERT_TRUE(index_recording(write_file("cut.reel", chunks, v2, false), cut).ok());
  EXPECT_FALSE(cut.from_footer);
  ASSERT_EQ(cut.warnings.size(), 1u);
  EXPECT_NE(cut.warnings[0].find("without an end-of-stream marker"), std::string::npos);
  expect_same_entries(from_footer, cut);
}

TEST(RecordingIndexTest, ConcatenatedRecordingsAreStreamed) {
  const auto chunks = sample_chunks();
  const std::string a = write_file("a.reel", chunks, {});
  std::ifstream in(a, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const std::string both = temp_path("both.reel");
  std::ofstream(both, std::ios::binary) << bytes << bytes;
  RecordingIndex index;
  ASSERT_TRUE(index_recording(both, index).ok());
  EXPECT_FALSE(index.from_footer);
  ASSERT_EQ(index.chunks.size(), 12u);
  EXPECT_EQ(index.chunks[6].offset, bytes.size() + index.chunks[0].offset);
  EXPECT_EQ(index.chunk_streams[6], 1u);
  EXPECT_EQ(index.infos.size(), 2u);
}

TEST(RecordingIndexTest, ReadsChunksAtTheirOffsets) {
  const auto chunks = sample_chunks();
  const std::string path = write_file("v2.reel", chunks, {});
  RecordingIndex index;
  ASSERT_TRUE(index_recording(path, index).ok());
  auto reader = ChunkFileReader::open(path).value();
  auto chunk = reader->read_chunk(index.chunks[3].offset);
  ASSERT_TRUE(chunk.ok()) << chunk.status().to_string();
  EXPECT_TRUE((*chunk)->content_equals(*chunks[3]));
  EXPECT_EQ(reader->chunks_read(), 1u);
  // An offset that is not a chunk's is refused with the place named.
  auto wrong = reader->read_chunk(index.infos[0].offset);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("at byte 16 is a store info message"), std::string::npos)
      << wrong.status().message();
}

TEST(RecordingIndexTest, FileTruncatedWhileBeingReadFailsCleanly) {
  const auto chunks = sample_chunks();
  const std::string path = write_file("v2.reel", chunks, {});
  RecordingIndex index;
  ASSERT_TRUE(index_recording(path, index).ok());
  auto reader = ChunkFileReader::open(path).value();
  ASSERT_TRUE(reader->read_chunk(index.chunks[0].offset).ok());
  // Cut inside the last chunk while the reader holds the file open.
  fs::resize_file(path, index.chunks[5].offset + 30);
  auto cut = reader->read_chunk(index.chunks[5].offset);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), StatusCode::kIOError);
  EXPECT_NE(cut.status().message().find("was truncated while being read: the chunk message at "
                                        "byte " +
                                        std::to_string(index.chunks[5].offset)),
            std::string::npos)
      << cut.status().message();
  fs::resize_file(path, index.chunks[5].offset + 10);
  EXPECT_FALSE(reader->read_chunk(index.chunks[5].offset).ok());
  // Re-indexing the cut file streams it and stops at the cut with a warning.
  RecordingIndex again;
  ASSERT_TRUE(index_recording(path, again).ok());
  EXPECT_FALSE(again.from_footer);
  EXPECT_EQ(again.chunks.size(), 5u);
  EXPECT_FALSE(again.warnings.empty());
}

// Payloads that do not compress are stored as they are; the others compressed as asked.
TEST(RecordingIndexTest, IncompressiblePayloadsAreStoredUncompressed) {
  // 100 rows of 1000 values each: random (noise) or all ones (smooth).
  uint64_t x = 88172645463325252ull;
  std::vector<ChunkPtr> chunks;
  const ComponentDescriptor values("", "values", "test.Values");
  for (bool noisy : {true, false}) {
    ChunkBuilder b(EntityPath("/s"));
    for (int row = 0; row < 100; ++row) {
      std::vector<double> v(1000, 1.0);
      for (auto& d : v) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
        if (noisy) d = double(x) / double(UINT64_MAX);
      }
      b.add_row(RowId::create(), {{Timeline::sequence("step"), row}},
                {{values, arrow::make_primitive<double>(std::span<const double>(v))}});
    }
    chunks.push_back(b.build().value());
  }
  for (Compression c : {Compression::kLz4, Compression::kZstd}) {
    WriterOptions options;
    options.compression = c;
    options.format_version = 2;  // version 3 compresses per buffer (payload_test.cpp)
    const std::string path = write_file("noise.reel", chunks, options);
    RecordingIndex index;
    ASSERT_TRUE(index_recording(path, index).ok());
    ASSERT_EQ(index.chunks.size(), 2u);
    EXPECT_EQ(index.chunks[0].compression, Compression::kNone) << compression_name(c);
    EXPECT_EQ(index.chunks[0].stored_bytes, index.chunks[0].payload_bytes);
    EXPECT_EQ(index.chunks[1].compression, c);
    EXPECT_LT(index.chunks[1].stored_bytes * 4, index.chunks[1].payload_bytes);
    auto reader = ChunkFileReader::open(path).value();
    EXPECT_TRUE(reader->read_chunk(index.chunks[0].offset).value()->content_equals(*chunks[0]));
  }
}

TEST(RecordingIndexTest, RefusesUnknownWriteVersions) {
  WriterOptions options;
  options.format_version = kFormatVersion + 1;
  auto w = RecordingWriter::open(temp_path("v4.reel"), options);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("cannot write file format version 4"), std::string::npos);
}

}  // namespace
}  // namespace reel::format
