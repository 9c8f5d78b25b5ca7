#include "reel/store_io/store_io.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "reel/types/archetypes.hpp"

namespace reel {
namespace {

using namespace reel::format;
namespace fs = std::filesystem;

const ComponentDescriptor& scalar() { return Scalars::descriptor_scalars(); }

std::string temp_path(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("reel_store_io_test_" + std::to_string(::getpid()));
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

TEST(StoreIoTest, LoadSkipsADamagedPayloadAndKeepsEveryOtherChunk) {
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
    ASSERT_TRUE(report.ok()) << report.status().to_string();
    ASSERT_EQ(report->warnings.size(), 1u);
    EXPECT_NE(report->warnings[0].find("byte " + std::to_string(m.offset)), std::string::npos)
        << report->warnings[0];
    EXPECT_NE(report->warnings[0].find("checksum"), std::string::npos) << report->warnings[0];
    EXPECT_NE(report->warnings[0].find("skipped"), std::string::npos) << report->warnings[0];
    EXPECT_EQ(store.stats().num_rows, int64_t(chunks.size() - 1) * 50);
    EXPECT_EQ(report->chunks, chunks.size() - 1);
  }
}

TEST(StoreIoTest, LoadIntoStoreAnswersLikeTheOriginal) {
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

}  // namespace
}  // namespace reel
