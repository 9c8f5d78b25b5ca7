// The ROS 1 bag reader on small bags laid out in the test as the format 2.0 description gives
// them (the interop tests in tests/import read bags from python3-rosbag).
#include "reel/import/ros1_bag_reader.hpp"

#include <gtest/gtest.h>

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
  Bytes& raw(std::string_view s) {
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& raw(const std::vector<uint8_t>& v) {
    b.insert(b.end(), v.begin(), v.end());
    return *this;
  }
  // A header field: uint32 length, "name=value".
  Bytes& field(std::string_view name, const std::vector<uint8_t>& value) {
    le<uint32_t>(uint32_t(name.size() + 1 + value.size()));
    raw(name).raw("=").raw(value);
    return *this;
  }
  Bytes& field(std::string_view name, std::string_view value) {
    return field(name, std::vector<uint8_t>(value.begin(), value.end()));
  }
  template <typename T>
  Bytes& num(std::string_view name, T v) {
    std::vector<uint8_t> raw(sizeof v);
    std::memcpy(raw.data(), &v, sizeof v);
    return field(name, raw);
  }
  Bytes& record(const Bytes& header, const Bytes& data) {
    le<uint32_t>(uint32_t(header.b.size())).raw(header.b);
    return le<uint32_t>(uint32_t(data.b.size())).raw(data.b);
  }
};

Bytes connection(uint32_t id, const std::string& topic) {
  Bytes h, d;
  h.num<uint8_t>("op", 7).num<uint32_t>("conn", id).field("topic", topic);
  d.field("topic", topic)
      .field("type", "std_msgs/String")
      .field("md5sum", "992ce8a1687cec8c8bd883ec73ca41d1");
  d.field("message_definition", "string data\n")
      .field("callerid", "/talker")
      .field("latching", "1");
  return Bytes().record(h, d);
}

Bytes message(uint32_t conn, uint32_t sec, uint32_t nsec, std::string_view text) {
  Bytes h, d;
  h.num<uint8_t>("op", 2)
      .num<uint32_t>("conn", conn)
      .num<uint64_t>("time", uint64_t(nsec) << 32 | sec);
  d.le<uint32_t>(uint32_t(text.size())).raw(text);
  return Bytes().record(h, d);
}

Bytes chunk(const std::string& compression, const Bytes& records) {
  Bytes h;
  h.num<uint8_t>("op", 5)
      .field("compression", compression)
      .num<uint32_t>("size", uint32_t(records.b.size()));
  return Bytes().record(h, records);
}

Bytes bag_start() {
  Bytes f;
  f.raw("#ROSBAG V2.0\n");
  Bytes h, pad;
  h.num<uint8_t>("op", 3).num<uint64_t>("index_pos", 0).num<uint32_t>("conn_count", 0);
  h.num<uint32_t>("chunk_count", 0);
  pad.raw(std::string(4096 - 8 - h.b.size() - 13, ' '));
  return f.record(h, pad);
}

std::vector<std::string> read(const std::vector<uint8_t>& bytes,
                              std::vector<std::string>* warnings) {
  std::vector<std::string> out;
  auto r = Ros1BagReader::open(memory_source(bytes, "t.bag"));
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  if (!r.ok()) return out;
  Ros1Event ev;
  while (true) {
    auto more = (*r)->next(&ev);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    if (ev.kind == Ros1EventKind::kConnection) {
      out.push_back("conn " + ev.connection->topic + " " + ev.connection->type +
                    (ev.connection->latching ? " latched" : ""));
    } else {
      out.push_back(std::to_string(ev.message.time) + " " +
                    std::string(ev.message.data.begin() + 4, ev.message.data.end()));
    }
  }
  for (const auto& w : (*r)->warnings()) warnings->push_back(w.message);
  return out;
}

TEST(Ros1BagReader, ConnectionsAndMessagesInChunks) {
  Bytes f = bag_start();
  Bytes records;
  records.raw(connection(0, "/chatter").b).raw(message(0, 5, 7, "hi").b);
  f.raw(chunk("none", records).b);
  Bytes second;
  second.raw(message(0, 6, 0, "there").b);
  f.raw(chunk("none", second).b);
  std::vector<std::string> warnings;
  EXPECT_EQ(read(f.b, &warnings), (std::vector<std::string>{"conn /chatter std_msgs/String latched",
                                                            "5000000007 hi", "6000000000 there"}));
  EXPECT_TRUE(warnings.empty());
}

TEST(Ros1BagReader, BadChunksAreWarningsAndReadingGoesOn) {
  Bytes f = bag_start();
  Bytes records;
  records.raw(connection(0, "/chatter").b);
  f.raw(chunk("none", records).b);
  const size_t zstd_at = f.b.size();
  f.raw(chunk("zstd", Bytes().raw(message(0, 1, 0, "lost").b)).b);
  const size_t bz2_at = f.b.size();
  f.raw(chunk("bz2", Bytes().raw("not bzip2 at all")).b);
  const size_t orphan_at = f.b.size();
  f.raw(chunk("none", Bytes().raw(message(9, 2, 0, "orphan").b).raw(message(0, 3, 0, "ok").b)).b);
  std::vector<std::string> warnings;
  const auto got = read(f.b, &warnings);
  EXPECT_EQ(got.back(), "3000000000 ok");
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_NE(
      warnings[0].find("t.bag at byte " + std::to_string(zstd_at) + ": chunk compression 'zstd'"),
      std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[1].find("at byte " + std::to_string(bz2_at) + ": chunk does not decompress"),
            std::string::npos)
      << warnings[1];
  EXPECT_NE(warnings[2].find("at byte " + std::to_string(orphan_at) +
                             ": message at offset 0 in the "
                             "chunk on connection 9"),
            std::string::npos)
      << warnings[2];
}

TEST(Ros1BagReader, CutShortYieldsCompleteMessages) {
  Bytes f = bag_start();
  Bytes records;
  records.raw(connection(0, "/chatter").b).raw(message(0, 1, 0, "one").b);
  const size_t second = records.b.size();
  records.raw(message(0, 2, 0, "two").b);
  const size_t chunk_at = f.b.size();
  f.raw(chunk("none", records).b);
  const size_t data_at = f.b.size() - records.b.size();
  for (size_t cut = data_at + second; cut < f.b.size(); ++cut) {
    std::vector<std::string> warnings;
    const auto got = read({f.b.begin(), f.b.begin() + long(cut)}, &warnings);
    EXPECT_EQ(got.back(), "1000000000 one") << cut;
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("inside the chunk record at byte " + std::to_string(chunk_at)),
              std::string::npos)
        << warnings[0];
  }
}

TEST(Ros1BagReader, NotABag) {
  EXPECT_EQ(Ros1BagReader::open(memory_source({}, "e")).status().code(), StatusCode::kCorrupt);
  const std::string v12 = "#ROSRECORD V1.2\n";
  auto r = Ros1BagReader::open(
      memory_source({reinterpret_cast<const uint8_t*>(v12.data()), v12.size()}, "old.bag"));
  EXPECT_EQ(r.status().code(), StatusCode::kNotImplemented);
}

}  // namespace
