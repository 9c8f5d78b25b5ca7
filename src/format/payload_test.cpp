// Version 3 chunk payloads: 64-byte aligned Arrow buffers, compressed per buffer only where
// that pays, decoded in place; versions 1 and 2 still read the same.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "format/codec_internal.hpp"
#include "format/crc32c.hpp"
#include "reel/arrow/ipc.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/format/recording_index.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::format {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("reel_payload_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

// Two chunks of 4000 scalar rows on "step": f64 noise (xorshift64), then a smooth ramp.
std::vector<ChunkPtr> noise_and_smooth() {
  uint64_t x = 88172645463325252ull;
  std::vector<ChunkPtr> out;
  for (bool noisy : {true, false}) {
    std::vector<int64_t> steps;
    std::vector<double> values;
    for (int i = 0; i < 4000; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      steps.push_back(i);
      values.push_back(noisy ? double(x) / double(UINT64_MAX) : double(i / 100));
    }
    out.push_back(Chunk::make(RowId::create(), EntityPath(noisy ? "/noise" : "/smooth"),
                              RowIdColumn::consecutive(RowId::reserve(4000), 4000),
                              {TimeColumn::sequence("step", steps)}, Scalars::columns(values))
                      .value());
  }
  return out;
}

std::string write_file(const std::string& name, const std::vector<ChunkPtr>& chunks,
                       WriterOptions options) {
  const std::string path = temp_path(name);
  auto w = RecordingWriter::open(path, options).value();
  EXPECT_TRUE(w->write_store_info({"app", "rec-1", 42}).ok());
  for (const auto& c : chunks) EXPECT_TRUE(w->write_chunk(*c).ok());
  EXPECT_TRUE(w->finish().ok());
  return path;
}

std::vector<uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), {});
}

std::vector<ChunkPtr> read_chunks(const std::string& path, ReaderOptions options = {}) {
  std::vector<ChunkPtr> out;
  auto reader = RecordingReader::open(path, options).value();
  for (auto m = reader->next(); m.ok() && *m; m = reader->next()) {
    if ((*m)->chunk) out.push_back((*m)->chunk);
  }
  EXPECT_TRUE(reader->warnings().empty());
  return out;
}

TEST(PayloadTest, EveryVersionAndCompressionRoundTripsExactValues) {
  const auto chunks = noise_and_smooth();
  for (uint16_t version : {1, 2, 3}) {
    for (Compression c : {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
      SCOPED_TRACE("version " + std::to_string(version) + ", " + compression_name(c));
      WriterOptions options;
      options.format_version = version;
      options.compression = c;
      const std::string path = write_file("v.reel", chunks, options);
      EXPECT_EQ(internal::get_u16(file_bytes(path).data() + 4), version);
      for (bool copy : {true, false}) {
        ReaderOptions ro;
        ro.copy_chunks = copy;
        const auto back = read_chunks(path, ro);
        ASSERT_EQ(back.size(), chunks.size());
        for (size_t i = 0; i < chunks.size(); ++i) {
          EXPECT_TRUE(back[i]->content_equals(*chunks[i])) << i;
          EXPECT_EQ(back[i]->id(), chunks[i]->id());
        }
      }
    }
  }
}

// The message of each chunk (kind, compression, lengths) as its 24-byte header says.
struct Framed {
  uint8_t compression;
  uint64_t payload_bytes, stored_bytes;
  std::vector<uint8_t> payload;
};

std::vector<Framed> chunk_messages(const std::string& path) {
  const auto bytes = file_bytes(path);
  std::vector<Framed> out;
  size_t at = kFileHeaderBytes;
  while (at + kMessageHeaderBytes <= bytes.size()) {
    const uint8_t* h = bytes.data() + at;
    const uint64_t stored = internal::get_u64(h + 16);
    if (h[0] == uint8_t(MessageKind::kChunk)) {
      const uint8_t* p = h + kMessageHeaderBytes;
      out.push_back({h[1], internal::get_u64(h + 8), stored, {p, p + stored}});
    }
    at += kMessageHeaderBytes + stored;
  }
  return out;
}

TEST(PayloadTest, VersionThreeCompressesOnlyTheBuffersThatCompress) {
  const auto chunks = noise_and_smooth();
  WriterOptions options;
  options.compression = Compression::kLz4;
  const auto messages = chunk_messages(write_file("v3.reel", chunks, options));
  ASSERT_EQ(messages.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i == 0 ? "noise" : "smooth");
    // The message is stored as it is; its Arrow body carries the compression.
    EXPECT_EQ(messages[i].compression, uint8_t(Compression::kNone));
    EXPECT_EQ(messages[i].stored_bytes, messages[i].payload_bytes);
    arrow::ipc::ReadOptions ro;
    ro.decompress = internal::decompress_body_buffer;
    arrow::ipc::ReadStats stats;
    auto owner = std::make_shared<std::vector<uint8_t>>(messages[i].payload);
    // A copy at an aligned address (a vector's data is 16-aligned at least).
    auto aligned = arrow::Buffer::copy_of(owner->data(), owner->size());
    auto batch =
        arrow::ipc::read_stream({aligned->data(), aligned->size()}, aligned, ro, nullptr, &stats);
    ASSERT_TRUE(batch.ok()) << batch.status().to_string();
    ASSERT_EQ(batch->schema->fields.size(), 3u);  // row ids, step, scalars
    ASSERT_GE(stats.in_place_bytes.size(), 1u);
    stats.in_place_bytes.resize(3, 0);
    // Row ids (consecutive) compress, so they are decompressed, never used in place.
    EXPECT_EQ(stats.in_place_bytes[0], 0u);
    EXPECT_GE(stats.decompressed_bytes, 4000u * 16);
    EXPECT_EQ(stats.copied_bytes, 0u);
    // The scalars column: f64 noise stays raw (used in place), the smooth values compress.
    // Its list offsets (0, 1, 2, ...: nothing for LZ4 to match) stay raw in both.
    EXPECT_EQ(stats.in_place_bytes[2], (i == 0 ? 4000u * 8 : 0u) + 4001u * 4);
  }
  EXPECT_LT(messages[1].stored_bytes + 4000u * 8 * 3 / 4, messages[0].stored_bytes);
  // Without compression every buffer is raw and no body compression is written.
  options.compression = Compression::kNone;
  const auto raw = chunk_messages(write_file("v3none.reel", chunks, options));
  ASSERT_EQ(raw.size(), 2u);
  for (const auto& m : raw) {
    auto batch = arrow::ipc::read_stream(m.payload, nullptr);  // no decompressor needed
    EXPECT_TRUE(batch.ok()) << batch.status().to_string();
  }
}

TEST(PayloadTest, ReadersAndTheFooterNameTheCodecOfAVersionThreeChunksBuffers) {
  const auto chunks = noise_and_smooth();
  for (Compression c : {Compression::kLz4, Compression::kZstd, Compression::kNone}) {
    SCOPED_TRACE(compression_name(c));
    WriterOptions options;
    options.compression = c;
    const std::string path = write_file("codec.reel", chunks, options);
    // Both chunks have compressed buffers (their row ids) unless none was configured.
    auto reader = RecordingReader::open(path).value();
    int chunk_messages = 0;
    for (auto m = reader->next(); m.ok() && *m; m = reader->next()) {
      if ((*m)->kind != MessageKind::kChunk) continue;
      ++chunk_messages;
      EXPECT_EQ((*m)->compression, c);
    }
    EXPECT_EQ(chunk_messages, 2);
    auto footer = read_footer(path).value();
    ASSERT_TRUE(footer.has_value());
    ASSERT_EQ(footer->chunks.size(), 2u);
    for (const auto& e : footer->chunks) EXPECT_EQ(e.compression, c);
  }
}

TEST(PayloadTest, ACopiedVersionThreeMessageIsEncodedAnewForAnOlderVersion) {
  const auto chunks = noise_and_smooth();
  WriterOptions v3;
  v3.compression = Compression::kLz4;
  const std::string source = write_file("copy_src.reel", chunks, v3);
  for (uint16_t version : {uint16_t(2), uint16_t(3)}) {
    SCOPED_TRACE(version);
    WriterOptions out_options;
    out_options.compression = Compression::kLz4;
    out_options.format_version = version;
    const std::string out = temp_path("copy_v" + std::to_string(version) + ".reel");
    {
      ReaderOptions ro;
      ro.keep_raw = true;
      auto reader = RecordingReader::open(source, ro).value();
      auto w = RecordingWriter::open(out, out_options).value();
      ASSERT_TRUE(w->write_store_info({"app", "rec-1", 42}).ok());
      for (auto m = reader->next(); m.ok() && *m; m = reader->next()) {
        if ((*m)->chunk) {
          ASSERT_TRUE(
              w->write_raw_chunk(reader->last_raw_message(), *(*m)->chunk, (*m)->compression).ok());
        }
      }
      ASSERT_TRUE(w->finish().ok());
    }
    // Version 2 messages are compressed whole, with no Arrow body compression (which a
    // version 2 reader cannot decode); version 3 keeps the copied bytes as they were.
    const auto messages = chunk_messages(out);
    ASSERT_EQ(messages.size(), 2u);
    for (const auto& m : messages) {
      if (version == 2) {
        internal::MessageHeader h;
        h.compression = Compression(m.compression);
        h.crc = crc32c(m.payload.data(), m.payload.size());
        h.payload_bytes = m.payload_bytes;
        h.stored_bytes = m.stored_bytes;
        auto payload = internal::decompress(h, m.payload, 0).value();
        auto batch = arrow::ipc::read_stream({payload->data(), payload->size()},
                                             nullptr);  // no decompressor given
        EXPECT_TRUE(batch.ok()) << batch.status().to_string();
      } else {
        EXPECT_EQ(m.compression, uint8_t(Compression::kNone));
      }
    }
    const auto copied = read_chunks(out);
    ASSERT_EQ(copied.size(), 2u);
    for (size_t i = 0; i < 2; ++i) EXPECT_TRUE(copied[i]->content_equals(*chunks[i]));
    // The output's footer names the codec of the copied buffers (reel filter's copies): the
    // smooth chunk's LZ4, the noise chunk's none, as in the source's footer.
    RecordingIndex src_index, out_index;
    ASSERT_TRUE(index_recording(source, src_index).ok());
    ASSERT_TRUE(index_recording(out, out_index).ok());
    ASSERT_TRUE(out_index.from_footer);
    ASSERT_EQ(out_index.chunks.size(), src_index.chunks.size());
    EXPECT_TRUE(
        std::any_of(out_index.chunks.begin(), out_index.chunks.end(),
                    [](const FooterEntry& e) { return e.compression == Compression::kLz4; }));
    for (size_t i = 0; version == 3 && i < out_index.chunks.size(); ++i) {
      EXPECT_EQ(out_index.chunks[i].compression, src_index.chunks[i].compression) << i;
    }
  }
}

TEST(PayloadTest, CompressedBuffersMayNotDecompressPastTheMessageLimit) {
  // 100k zeros: an 800 KB buffer that zstd stores in a few hundred bytes. A hostile peer's
  // small message could declare gigabytes this way; the reader checks the total first.
  const std::vector<double> zeros(100000, 0.0);
  std::vector<int64_t> steps(zeros.size());
  for (size_t i = 0; i < steps.size(); ++i) steps[i] = int64_t(i);
  auto chunk = Chunk::make(RowId::create(), EntityPath("/zeros"),
                           RowIdColumn::consecutive(RowId::reserve(zeros.size()), zeros.size()),
                           {TimeColumn::sequence("step", steps)}, Scalars::columns(zeros))
                   .value();
  auto payload = encode_chunk_payload(*chunk, Compression::kZstd, 3).value();
  ASSERT_LT(payload.size(), 800000u);  // less than the zeros alone decompress to
  auto owner = arrow::Buffer::copy_of(payload.data(), payload.size());
  std::span<const uint8_t> bytes(owner->data(), owner->size());
  auto limited = decode_chunk_payload(bytes, owner, nullptr, nullptr, 500000);
  ASSERT_FALSE(limited.ok());
  EXPECT_NE(limited.status().message().find("more than the limit of 500000 bytes"),
            std::string::npos)
      << limited.status().to_string();
  auto decoded = decode_chunk_payload(bytes, owner, nullptr, nullptr);
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  EXPECT_TRUE((*decoded)->content_equals(*chunk));
}

bool aligned64(const void* p) { return reinterpret_cast<uintptr_t>(p) % 64 == 0; }

TEST(PayloadTest, DecodedChunksHaveAlignedBuffers) {
  const auto chunks = noise_and_smooth();
  for (Compression c : {Compression::kNone, Compression::kLz4}) {
    WriterOptions options;
    options.compression = c;
    const std::string path = write_file("aligned.reel", chunks, options);
    RecordingIndex index;
    ASSERT_TRUE(index_recording(path, index).ok());
    auto file_reader = ChunkFileReader::open(path).value();
    std::vector<ChunkPtr> decoded = read_chunks(path);
    for (const auto& e : index.chunks) decoded.push_back(file_reader->read_chunk(e.offset).value());
    ASSERT_EQ(decoded.size(), 4u);
    for (const auto& chunk : decoded) {
      SCOPED_TRACE(chunk->entity_path().str() + ", " + compression_name(c));
      ASSERT_EQ(chunk->timelines().size(), 1u);
      EXPECT_TRUE(aligned64(chunk->timelines()[0].data()));
      ASSERT_EQ(chunk->components().size(), 1u);
      const auto& values = chunk->components()[0].list.values();
      ASSERT_EQ(values->buffers.size(), 2u);
      EXPECT_TRUE(aligned64(values->buffers[1]->data() + values->offset * 8));
    }
  }
}

TEST(PayloadTest, LargeRawBuffersAreUsedInPlaceScalarChunksAreCopied) {
  // One row of 100k f64 noise values (a point cloud's worth of bytes), then 4000 scalars.
  uint64_t x = 2463534242ull;
  std::vector<double> noise(100000);
  for (auto& d : noise) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    d = double(x) / double(UINT64_MAX);
  }
  ChunkBuilder b(EntityPath("/cloud"));
  const ComponentDescriptor values("", "values", "test.Values");
  b.add_row(RowId::create(), {{Timeline::sequence("step"), 0}},
            {{values, arrow::make_primitive<double>(std::span<const double>(noise))}});
  std::vector<ChunkPtr> chunks = {b.build().value(), noise_and_smooth()[0]};
  const std::string path = write_file("inplace.reel", chunks, {});
  RecordingIndex index;
  ASSERT_TRUE(index_recording(path, index).ok());
  ASSERT_EQ(index.chunks.size(), 2u);
  auto reader = ChunkFileReader::open(path).value();
  for (size_t i = 0; i < 2; ++i) {
    auto chunk = reader->read_chunk(index.chunks[i].offset).value();
    EXPECT_TRUE(chunk->content_equals(*chunks[i]));
    const auto& buffer = chunk->components()[0].list.values()->buffers[1];
    if (i == 0) {
      // A view of the payload's Arrow body it was read into (a copy would own exactly its
      // 800000 bytes).
      EXPECT_GT(buffer->memory_bytes(), 100000u * 8);
      EXPECT_LE(buffer->memory_bytes(), index.chunks[i].payload_bytes);
    } else {
      // A scalar chunk's payload is a quarter row ids and offsets: its buffers are copied.
      EXPECT_EQ(buffer->memory_bytes(), 4000u * 8);
    }
  }
}

TEST(PayloadTest, VersionThreeFileTruncatedWhileBeingReadFailsCleanly) {
  const auto chunks = noise_and_smooth();
  const std::string path = write_file("cut.reel", chunks, {});
  RecordingIndex index;
  ASSERT_TRUE(index_recording(path, index).ok());
  ASSERT_EQ(index.chunks.size(), 2u);
  const uint64_t last = index.chunks[1].offset;
  auto reader = ChunkFileReader::open(path).value();
  fs::resize_file(path, last + 100);
  auto cut = reader->read_chunk(last);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), StatusCode::kIOError);
  EXPECT_NE(cut.status().message().find(path +
                                        " was truncated while being read: the chunk "
                                        "message at byte " +
                                        std::to_string(last)),
            std::string::npos)
      << cut.status().message();
  // The streaming reader keeps the complete chunk and names the cut.
  auto stream = RecordingReader::open(path).value();
  size_t read = 0;
  for (auto m = stream->next(); m.ok() && *m; m = stream->next()) read += (*m)->chunk != nullptr;
  EXPECT_EQ(read, 1u);
  ASSERT_EQ(stream->warnings().size(), 1u);
  EXPECT_NE(stream->warnings()[0].find(path + " is truncated: incomplete chunk message"),
            std::string::npos)
      << stream->warnings()[0];
  EXPECT_NE(stream->warnings()[0].find("at byte " + std::to_string(last)), std::string::npos);
}

}  // namespace
}  // namespace reel::format
