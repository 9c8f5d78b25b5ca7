#include "reel/format/server_notice.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "reel/format/recording_file.hpp"

namespace reel::format {
namespace {

TEST(ServerNoticeTest, RoundTripsByteByByte) {
  std::vector<uint8_t> stream = encode_server_notice({"idle", "closed to make room", true});
  auto second = encode_server_notice({"chunk_refused", "timeline \"t\" is a sequence", false});
  stream.insert(stream.end(), second.begin(), second.end());
  EXPECT_EQ(stream[0], kServerNoticeKind);
  ServerNoticeDecoder d;
  std::vector<ServerNotice> got;
  for (uint8_t b : stream) {
    d.append({&b, 1});
    auto n = d.next();
    ASSERT_TRUE(n.ok()) << n.status().to_string();
    if (*n) got.push_back(**n);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].code, "idle");
  EXPECT_EQ(got[0].message, "closed to make room");
  EXPECT_TRUE(got[0].closing);
  EXPECT_EQ(got[1].code, "chunk_refused");
  EXPECT_EQ(got[1].message, "timeline \"t\" is a sequence");
  EXPECT_FALSE(got[1].closing);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(ServerNoticeTest, AnythingElseIsAnError) {
  auto bytes = encode_server_notice({"busy", "all 4 ingest slots are taken", true});
  bytes[kMessageHeaderBytes + 3] ^= 0x20;  // damaged payload
  ServerNoticeDecoder d;
  d.append(bytes);
  auto n = d.next();
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("checksum"), std::string::npos) << n.status().to_string();

  // A recording's message is not a notice.
  std::vector<uint8_t> chunk;
  Encoder::encode_end(0, chunk);
  ServerNoticeDecoder d2;
  d2.append(chunk);
  n = d2.next();
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(), "server notice at byte 0: not a server notice (kind 4)");
}

TEST(ServerNoticeTest, RecordingReadersRefuseIt) {
  // A recording with a notice where a message should be: every message before it is read,
  // then the notice is reported by its offset (it is never a recording's message).
  std::vector<uint8_t> file = Encoder::file_header();
  Encoder enc;
  ASSERT_TRUE(enc.encode_store_info({"app", "rec", 0}, file).ok());
  const size_t at = file.size();
  auto notice = encode_server_notice({"idle", "closed to make room", true});
  file.insert(file.end(), notice.begin(), notice.end());
  auto reader = RecordingReader::from_bytes(file, "notice.reel");
  auto first = reader->next();
  ASSERT_TRUE(first.ok() && *first);
  EXPECT_EQ((*first)->kind, MessageKind::kStoreInfo);
  auto second = reader->next();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().message(),
            "notice.reel: message at byte " + std::to_string(at) +
                ": a server notice (message kind 5), which only a reel server sends to an SDK: "
                "never valid in a recording");
}

}  // namespace
}  // namespace reel::format
