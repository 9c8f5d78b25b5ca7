// The MCAP reader on small files laid out in the test record by record, as the specification
// gives them (the interop tests in tests/import read files from Foxglove's writer).
#include "reel/import/mcap_reader.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>

namespace {

using namespace reel;
using namespace reel::import;

struct Bytes {
  std::vector<uint8_t> b;
  template <typename T>
  Bytes& le(T v) {
    uint8_t raw[sizeof(T)];
    std::memcpy(raw, &v, sizeof v);
    b.insert(b.end(), raw, raw + sizeof v);
    return *this;
  }
  Bytes& str(std::string_view s) {
    le<uint32_t>(uint32_t(s.size()));
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& raw(const std::vector<uint8_t>& r) {
    b.insert(b.end(), r.begin(), r.end());
    return *this;
  }
  Bytes& record(uint8_t op, const Bytes& content) {
    b.push_back(op);
    le<uint64_t>(content.b.size());
    return raw(content.b);
  }
};

const std::vector<uint8_t> kMagic = {0x89, 'M', 'C', 'A', 'P', '0', '\r', '\n'};

Bytes schema_record(uint16_t id) {
  Bytes s;
  s.le<uint16_t>(id).str("t/msg/X").str("ros2msg").str("int32 x\n");
  return s;
}
Bytes channel_record(uint16_t id, uint16_t schema) {
  Bytes c;
  c.le<uint16_t>(id).le<uint16_t>(schema).str("/x").str("cdr").le<uint32_t>(0);
  return c;
}
Bytes message_record(uint16_t channel, uint64_t t, std::string_view data) {
  Bytes m;
  m.le<uint16_t>(channel).le<uint32_t>(1).le<uint64_t>(t).le<uint64_t>(t + 1);
  m.b.insert(m.b.end(), data.begin(), data.end());
  return m;
}
Bytes chunk_record(const std::string& compression, const std::vector<uint8_t>& records,
                   uint32_t crc) {
  Bytes c;
  c.le<uint64_t>(0).le<uint64_t>(0).le<uint64_t>(records.size()).le<uint32_t>(crc);
  c.str(compression).le<uint64_t>(records.size()).raw(records);
  return c;
}

struct Seen {
  std::vector<std::string> events;
  std::vector<std::string> warnings;
};

Seen read(const std::vector<uint8_t>& file, McapReaderOptions options = {}) {
  Seen out;
  auto r = McapReader::open(memory_source(file, "t.mcap"), options);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  if (!r.ok()) return out;
  McapEvent ev;
  while (true) {
    auto more = (*r)->next(&ev);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    switch (ev.kind) {
      case McapEventKind::kSchema:
        out.events.push_back("schema " + ev.schema->name);
        break;
      case McapEventKind::kChannel:
        out.events.push_back("channel " + ev.channel->topic);
        break;
      case McapEventKind::kMessage:
        out.events.push_back("message " + std::to_string(ev.message.log_time) + " " +
                             std::string(ev.message.data.begin(), ev.message.data.end()));
        break;
      default:
        out.events.push_back("other");
        break;
    }
  }
  for (const auto& w : (*r)->warnings()) out.warnings.push_back(w.message);
  return out;
}

Bytes file_start() {
  Bytes f;
  f.raw(kMagic);
  Bytes h;
  h.str("ros2").str("test");
  f.record(0x01, h);
  return f;
}
void file_end(Bytes& f) {
  Bytes de;
  de.le<uint32_t>(0);
  f.record(0x0F, de);
  Bytes footer;
  footer.le<uint64_t>(0).le<uint64_t>(0).le<uint32_t>(0);
  f.record(0x02, footer).raw(kMagic);
}

TEST(McapReader, UnchunkedAndChunkedMessagesInFileOrder) {
  Bytes f = file_start();
  f.record(0x03, schema_record(1)).record(0x04, channel_record(1, 1));
  f.record(0x05, message_record(1, 10, "aa"));
  Bytes inner;
  inner.record(0x05, message_record(1, 20, "bb")).record(0x05, message_record(1, 30, "cc"));
  f.record(0x06,
           chunk_record("", inner.b, uint32_t(crc32(0, inner.b.data(), uInt(inner.b.size())))));
  f.record(0x90, Bytes{{1, 2, 3}});  // a private record: skipped quietly
  file_end(f);
  Seen s = read(f.b);
  EXPECT_EQ(s.events, (std::vector<std::string>{"schema t/msg/X", "channel /x", "message 10 aa",
                                                "message 20 bb", "message 30 cc"}));
  EXPECT_TRUE(s.warnings.empty()) << s.warnings[0];
}

TEST(McapReader, BadRecordsAreWarningsAndReadingGoesOn) {
  Bytes f = file_start();
  f.record(0x03, schema_record(1)).record(0x04, channel_record(1, 1));
  const size_t bad_crc_at = f.b.size();
  Bytes inner;
  inner.record(0x05, message_record(1, 20, "bb"));
  f.record(0x06, chunk_record("", inner.b, 12345));  // wrong CRC
  const size_t brotli_at = f.b.size();
  f.record(0x06, chunk_record("brotli", inner.b, 0));
  const size_t unknown_at = f.b.size();
  f.record(0x50, Bytes{{9}});
  const size_t orphan_at = f.b.size();
  f.record(0x05, message_record(7, 40, "??"));  // channel 7 was never defined
  f.record(0x05, message_record(1, 50, "ok"));
  file_end(f);
  Seen s = read(f.b);
  EXPECT_EQ(s.events.back(), "message 50 ok");
  ASSERT_EQ(s.warnings.size(), 4u);
  EXPECT_EQ(
      s.warnings[0].find("t.mcap at byte " + std::to_string(bad_crc_at) + ": Chunk CRC mismatch"),
      0u)
      << s.warnings[0];
  EXPECT_NE(
      s.warnings[1].find("at byte " + std::to_string(brotli_at) + ": Chunk compression 'brotli'"),
      std::string::npos);
  EXPECT_NE(
      s.warnings[2].find("at byte " + std::to_string(unknown_at) + ": unknown record opcode 0x50"),
      std::string::npos);
  EXPECT_NE(s.warnings[3].find("at byte " + std::to_string(orphan_at) + ": message on channel 7"),
            std::string::npos);
}

TEST(McapReader, CutShortYieldsCompleteMessagesThenWarns) {
  Bytes f = file_start();
  f.record(0x03, schema_record(1)).record(0x04, channel_record(1, 1));
  f.record(0x05, message_record(1, 10, "aa"));
  const size_t second = f.b.size();
  f.record(0x05, message_record(1, 20, "bb"));
  for (size_t cut = second; cut < f.b.size(); ++cut) {
    Seen s = read({f.b.begin(), f.b.begin() + long(cut)});
    EXPECT_EQ(s.events.back(), "message 10 aa");
    ASSERT_EQ(s.warnings.size(), 1u);
    // At the record that is cut (its header incomplete) or at the cut (inside its content).
    const bool named =
        s.warnings[0].find("at byte " + std::to_string(second) + ":") != std::string::npos ||
        s.warnings[0].find("at byte " + std::to_string(cut) + ":") != std::string::npos;
    EXPECT_TRUE(named) << s.warnings[0];
    EXPECT_NE(s.warnings[0].find("truncated"), std::string::npos) << s.warnings[0];
  }
}

TEST(McapReader, LengthsPastTheLimitAreSkippedWithoutAllocating) {
  Bytes f = file_start();
  f.record(0x03, schema_record(1)).record(0x04, channel_record(1, 1));
  Bytes c;  // a chunk that claims 2^40 uncompressed bytes
  c.le<uint64_t>(0).le<uint64_t>(0).le<uint64_t>(uint64_t(1) << 40).le<uint32_t>(0).str("zstd");
  c.le<uint64_t>(4).le<uint32_t>(0);
  f.record(0x06, c);
  f.record(0x05, message_record(1, 50, "ok"));
  file_end(f);
  Seen s = read(f.b);
  EXPECT_EQ(s.events.back(), "message 50 ok");
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_NE(s.warnings[0].find("over the limit"), std::string::npos) << s.warnings[0];
}

TEST(McapReader, NotMcap) {
  EXPECT_EQ(McapReader::open(memory_source({}, "e")).status().code(), StatusCode::kCorrupt);
  const std::vector<uint8_t> bag = {'#', 'R', 'O', 'S', 'B', 'A', 'G', ' ', 'V', '2'};
  auto r = McapReader::open(memory_source(bag, "x.bag"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "x.bag is not an MCAP file: bad magic at byte 0");
  EXPECT_FALSE(McapReader::open("/nonexistent/file.mcap").ok());
}

}  // namespace
