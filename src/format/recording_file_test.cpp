#include "reel/format/recording_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "format/codec_internal.hpp"
#include "reel/arrow/ipc.hpp"
#include "reel/chunk/chunk_arrow.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::format {
namespace {

namespace fs = std::filesystem;

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
                              RowIdColumn::consecutive(RowId::reserve(uint64_t(rows)), rows), times,
                              Scalars::columns(values))
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
    // Whole-message compression (version 3 compresses per buffer: payload_test.cpp).
    options.format_version = 2;
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
  for (const auto& m : complete.messages)
    ends.push_back(m.offset + kMessageHeaderBytes + m.stored_bytes);
  for (size_t cut = 0; cut < full.size(); ++cut) {
    std::vector<uint8_t> prefix(full.begin(), full.begin() + long(cut));
    auto r = read_all(prefix);
    if (cut < kFileHeaderBytes) {
      EXPECT_FALSE(r.error.ok()) << "cut " << cut;
      continue;
    }
    ASSERT_TRUE(r.error.ok()) << "cut " << cut << ": " << r.error.to_string();
    size_t expected =
        size_t(std::count_if(ends.begin(), ends.end(), [&](uint64_t e) { return e <= cut; }));
    ASSERT_EQ(r.messages.size(), expected) << "cut " << cut;
    ASSERT_EQ(r.warnings.size(), 1u) << "cut " << cut;
    // The warning names the offset where the incomplete message starts.
    uint64_t start = expected == 0 ? kFileHeaderBytes : ends[expected - 1];
    EXPECT_NE(r.warnings[0].find("byte " + std::to_string(start)), std::string::npos)
        << "cut " << cut << ": " << r.warnings[0];
  }
}

TEST(RecordingFileTest, CorruptBytesAreReportedAtTheirMessageAndTheRestIsRead) {
  auto chunks = sample_chunks(3, 40);
  auto full = encode_file(chunks, {});
  auto complete = read_all(full);
  for (size_t i = kFileHeaderBytes; i < full.size(); i += 7) {
    auto bytes = full;
    bytes[i] ^= 0x5A;
    auto r = read_all(bytes);
    // Which message holds byte i?
    size_t holder = 0;
    while (holder + 1 < complete.messages.size() && complete.messages[holder + 1].offset <= i)
      ++holder;
    const Message& m = complete.messages[holder];
    if (!r.error.ok()) {
      // A header that does not parse with nothing intact after it: an error at that message,
      // after every message before it.
      EXPECT_NE(r.error.message().find("byte " + std::to_string(m.offset)), std::string::npos)
          << "flip at " << i << ": " << r.error.to_string();
      EXPECT_EQ(r.messages.size(), holder) << "flip at " << i;
      continue;
    }
    // Otherwise the first warning names that message, and it is the only one missing: its
    // payload was skipped (a bad checksum), the reader resynchronised after it, or (a length
    // past the end with nothing intact after it) it reads as a truncation there.
    ASSERT_GE(r.warnings.size(), 1u) << "flip at byte " << i << " was not detected";
    EXPECT_NE(r.warnings[0].find("byte " + std::to_string(m.offset)), std::string::npos)
        << "flip at " << i << ": " << r.warnings[0];
    const bool truncated = r.warnings[0].find("truncated") != std::string::npos;
    EXPECT_EQ(r.messages.size(), truncated ? holder : complete.messages.size() - 1)
        << "flip at " << i << ": " << r.warnings[0];
    for (size_t k = 0; k < r.messages.size(); ++k) {
      const size_t original = k < holder ? k : k + 1;
      EXPECT_EQ(r.messages[k].offset, complete.messages[original].offset) << "flip at " << i;
    }
  }
}

TEST(RecordingFileTest, ADamagedLengthMidFileResynchronisesAndKeepsEveryLaterMessage) {
  auto chunks = sample_chunks(8, 30);
  auto full = encode_file(chunks, {});
  auto complete = read_all(full);
  ASSERT_GE(complete.messages.size(), 10u);  // info, 8 chunks, footer, end
  const Message& victim = complete.messages[3];
  for (uint64_t bogus : {uint64_t(1) << 29, uint64_t(full.size()), uint64_t(1) << 20}) {
    auto bytes = full;
    internal::put_u64(bytes.data() + victim.offset + 16, bogus);  // stored length
    auto r = read_all(bytes);
    ASSERT_TRUE(r.error.ok()) << r.error.to_string();
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("is corrupt at byte " + std::to_string(victim.offset)),
              std::string::npos)
        << r.warnings[0];
    const uint64_t next = complete.messages[4].offset;
    EXPECT_NE(
        r.warnings[0].find("resumed at the next intact message, at byte " + std::to_string(next)),
        std::string::npos)
        << r.warnings[0];
    ASSERT_EQ(r.messages.size(), complete.messages.size() - 1);
    EXPECT_EQ(r.messages.back().kind, MessageKind::kEnd);
    EXPECT_EQ(chunks_of(r).size(), chunks.size() - 1);
  }
  // The same through a file descriptor (pread and lseek rather than memory).
  auto bytes = full;
  internal::put_u64(bytes.data() + victim.offset + 16, 1ull << 29);
  const std::string path = temp_path("resync.reel");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  auto reader = RecordingReader::open(path).value();
  size_t n = 0;
  for (auto m = reader->next(); m.ok() && *m; m = reader->next()) ++n;
  EXPECT_EQ(n, complete.messages.size() - 1);
  EXPECT_EQ(reader->corruptions(), 1u);
}

TEST(RecordingFileTest, AChunkNamedInBytesThatAreNotUtf8IsSkippedNamingItsOffset) {
  // What a foreign or damaged writer could leave: a chunk whose entity path is not UTF-8,
  // between good chunks. The CRC holds, so only decoding can tell.
  auto chunks = sample_chunks(3, 10);
  auto batch = chunk_to_record_batch(*chunks[1]).value();
  auto schema = std::make_shared<arrow::Schema>(*batch.schema);
  for (auto& [k, v] : schema->metadata) {
    if (k == "reel.entity_path") v = "/plots/\xfe\xff";
  }
  batch.schema = schema;
  std::vector<uint8_t> payload;
  ASSERT_TRUE(arrow::ipc::write_stream(batch, payload).ok());
  std::vector<uint8_t> bytes = Encoder::file_header();
  Encoder enc;
  ASSERT_TRUE(enc.encode_store_info({"app", "rec", 1}, bytes).ok());
  ASSERT_TRUE(enc.encode_chunk(*chunks[0], bytes).ok());
  const uint64_t bad_at = bytes.size();
  ASSERT_TRUE(enc.encode_message(MessageKind::kChunk, payload, bytes).ok());
  ASSERT_TRUE(enc.encode_chunk(*chunks[2], bytes).ok());
  Encoder::encode_end(0, bytes);
  auto r = read_all(bytes);
  ASSERT_TRUE(r.error.ok()) << r.error.to_string();
  ASSERT_EQ(chunks_of(r).size(), 2u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("byte " + std::to_string(bad_at)), std::string::npos)
      << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("invalid UTF-8"), std::string::npos) << r.warnings[0];
  // And a store info with such an id is refused by the writer, which never throws.
  std::vector<uint8_t> out;
  Status st = enc.encode_store_info({"app\xc3", "rec", 1}, out);
  EXPECT_EQ(st.message(), "store info: application id: invalid UTF-8 at byte 3 of \"app\\xc3\"");
}

TEST(RecordingFileTest, AFullDiskCostsOnlyTheMessagesThatDidNotFit) {
  // A file size limit (RLIMIT_FSIZE, with SIGXFSZ ignored) makes writes short, as a full disk
  // does; then the limit goes and writing goes on. In a child process: the limit is per
  // process and must not touch the test runner.
  auto chunks = sample_chunks(12, 40);
  const std::string path = temp_path("full.reel");
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipefd[0]);
    ::signal(SIGXFSZ, SIG_IGN);
    auto w = RecordingWriter::open(path).value();
    std::string outcome;  // one letter per chunk: w(ritten) or f(ailed)
    if (!w->write_store_info({"app", "full", 1}).ok()) ::_exit(2);
    for (size_t i = 0; i < chunks.size(); ++i) {
      if (i == 4) {
        struct rlimit limit = {rlim_t(w->bytes_written() + 100), RLIM_INFINITY};
        ::setrlimit(RLIMIT_FSIZE, &limit);  // the next chunk does not fit; its start does
      }
      if (i == 8) {
        struct rlimit limit = {RLIM_INFINITY, RLIM_INFINITY};
        ::setrlimit(RLIMIT_FSIZE, &limit);  // space is back
      }
      outcome += w->write_chunk(*chunks[i]).ok() ? 'w' : 'f';
    }
    outcome += w->finish().ok() ? 'w' : 'f';
    (void)!::write(pipefd[1], outcome.data(), outcome.size());
    ::_exit(0);
  }
  ::close(pipefd[1]);
  char buf[64];
  ssize_t n = ::read(pipefd[0], buf, sizeof buf);
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_GT(n, 0);
  const std::string outcome(buf, size_t(n));
  EXPECT_EQ(outcome, "wwwwffffwwwww");
  // The file reads clean: framing intact, footer and end marker present, every chunk that
  // was reported written is there, in order.
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  auto r = read_all(bytes);
  ASSERT_TRUE(r.error.ok()) << r.error.to_string();
  EXPECT_TRUE(r.warnings.empty()) << r.warnings[0];
  auto got = chunks_of(r);
  ASSERT_EQ(got.size(), 8u);
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(got[i]->id(), chunks[i < 4 ? i : i + 4]->id()) << i;
  }
  EXPECT_EQ(r.messages.back().kind, MessageKind::kEnd);
}

TEST(RecordingFileTest, ConcatenatedRecordingsAreReadAsSeveralStreams) {
  auto a = encode_file(sample_chunks(2, 10), {});
  auto b = encode_file(sample_chunks(3, 10), {});
  auto both = a;
  both.insert(both.end(), b.begin(), b.end());
  auto r = read_all(both);
  ASSERT_TRUE(r.error.ok()) << r.error.to_string();
  EXPECT_TRUE(r.warnings.empty());
  ASSERT_EQ(r.messages.size(), read_all(a).messages.size() + read_all(b).messages.size());
  EXPECT_EQ(r.messages.front().stream, 0u);
  EXPECT_EQ(r.messages.back().stream, 1u);
  EXPECT_EQ(r.messages.back().offset, a.size() + b.size() - (kMessageHeaderBytes + 16));
  // Anything else after the end marker is reported, not ignored silently.
  auto junk = a;
  junk.insert(junk.end(), {'j', 'u', 'n', 'k'});
  auto j = read_all(junk);
  ASSERT_EQ(j.warnings.size(), 1u);
  EXPECT_NE(j.warnings[0].find("not a reel recording"), std::string::npos) << j.warnings[0];
  EXPECT_NE(j.warnings[0].find("byte " + std::to_string(a.size())), std::string::npos);
}

TEST(RecordingFileTest, NewerFormatVersionIsAClearError) {
  auto bytes = encode_file(sample_chunks(1, 5), {});
  internal::put_u16(bytes.data() + 4, kFormatVersion + 1);
  auto r = read_all(bytes);
  ASSERT_FALSE(r.error.ok());
  EXPECT_EQ(r.error.code(), StatusCode::kNotImplemented);
  EXPECT_NE(r.error.message().find("version " + std::to_string(kFormatVersion + 1)),
            std::string::npos);
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

}  // namespace
}  // namespace reel::format
