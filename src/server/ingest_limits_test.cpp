// Ingest slots, stalls, the decode budget and server notices (issue 13, items 4 and 8), over
// real sockets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "reel/format/server_notice.hpp"
#include "reel/sdk/error_handler.hpp"
#include "server/test_fixtures.hpp"
#include "server/test_util.hpp"

namespace reel::server {
namespace {

using test_util::rows_of;
using test_util::scalar_chunk;
using test_util::TestServer;
using test_util::valid_stream;

// A raw client that keeps its connection and reads what the server says.
struct RawConnection {
  int fd = -1;
  explicit RawConnection(uint16_t port) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      fd = -1;
    }
    // A test that fails must not hang: reads give up after a minute.
    timeval tv{60, 0};
    if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawConnection() {
    if (fd >= 0) ::close(fd);
  }
  void send(const std::vector<uint8_t>& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return;
      done += size_t(n);
    }
  }
  // Every notice until the server closes the connection (or `count` notices came).
  std::vector<format::ServerNotice> notices(size_t count = SIZE_MAX) {
    std::vector<format::ServerNotice> out;
    format::ServerNoticeDecoder d;
    uint8_t buf[4096];
    while (out.size() < count) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      d.append({buf, size_t(n)});
      for (;;) {
        auto next = d.next();
        EXPECT_TRUE(next.ok()) << next.status().to_string();
        if (!next.ok() || !*next) break;
        out.push_back(**next);
      }
    }
    return out;
  }
};

std::vector<uint8_t> end_marker() {
  std::vector<uint8_t> out;
  format::Encoder::encode_end(0, out);
  return out;
}

TEST(IngestLimitsTest, StalledInsideAMessageIsToldAndClosed) {
  TestServer t(ChunkStoreConfig::no_compaction(),
               [](ServerOptions& o) { o.ingest_stall_secs = 0.2; });
  ASSERT_TRUE(t.server);
  std::vector<size_t> starts;
  std::vector<uint8_t> bytes = valid_stream("stall/mid", 3, &starts);
  bytes.resize(starts[2] + 30);  // two chunks, then the third message stops after 30 bytes
  RawConnection c(t.server->ingest_port());
  ASSERT_GE(c.fd, 0);
  c.send(bytes);
  auto notices = c.notices();
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[0].code, "accepted");
  notices.erase(notices.begin());
  EXPECT_EQ(notices[0].code, "stalled");
  EXPECT_TRUE(notices[0].closing);
  EXPECT_EQ(notices[0].message.rfind("stalled: no byte for 0.2", 0), 0u) << notices[0].message;
  ASSERT_TRUE(t.log.wait_for("ingest: dropped client")) << t.log.all();
  EXPECT_EQ(t.log.count("kept its 2 complete chunks"), 1u) << t.log.all();
  EXPECT_EQ(rows_of(*t.store, "/stall/mid"), 20);
}

TEST(IngestLimitsTest, QuietBetweenMessagesIsNotStalled) {
  TestServer t(ChunkStoreConfig::no_compaction(),
               [](ServerOptions& o) { o.ingest_stall_secs = 0.05; });
  ASSERT_TRUE(t.server);
  RawConnection c(t.server->ingest_port());
  ASSERT_GE(c.fd, 0);
  c.send(valid_stream("quiet/robot", 2));
  // Many stall timeouts pass between two messages.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::vector<uint8_t> more;
  format::WriterOptions wo;
  wo.compression = format::Compression::kNone;
  ASSERT_TRUE(format::Encoder(wo).encode_chunk(*scalar_chunk("quiet/robot", 100, 10), more).ok());
  auto end = end_marker();
  more.insert(more.end(), end.begin(), end.end());
  c.send(more);
  ::shutdown(c.fd, SHUT_WR);
  auto notices = c.notices();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].code, "accepted");
  ASSERT_TRUE(t.log.wait_for(" finished: 3 chunks (30 rows)")) << t.log.all();
  EXPECT_EQ(rows_of(*t.store, "/quiet/robot"), 30);
}

struct Errors {
  std::mutex mutex;
  std::vector<std::string> messages;
  Errors() {
    set_error_handler([this](const Status& s) {
      std::lock_guard lock(mutex);
      messages.push_back(s.to_string());
    });
  }
  ~Errors() { set_error_handler(nullptr); }
  size_t count(const std::string& needle) {
    std::lock_guard lock(mutex);
    size_t n = 0;
    for (const auto& m : messages) n += m.find(needle) != std::string::npos;
    return n;
  }
};

TEST(IngestLimitsTest, FullSlotsCloseTheLongestIdleConnection) {
  TestServer t(ChunkStoreConfig::no_compaction(), [](ServerOptions& o) {
    o.max_ingest_clients = 2;
    o.ingest_stall_secs = 600;
  });
  ASSERT_TRUE(t.server);
  // Two quiet connections hold both slots; the first has been idle longer.
  RawConnection older(t.server->ingest_port()), newer(t.server->ingest_port());
  // Each one's chunk is stored (so it is idle, between messages) before the next one sends.
  older.send(valid_stream("idle/older", 1));
  ASSERT_TRUE(test_util::eventually([&] { return rows_of(*t.store, "/idle/older") == 10; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  newer.send(valid_stream("idle/newer", 1));
  ASSERT_TRUE(test_util::eventually([&] { return rows_of(*t.store, "/idle/newer") == 10; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // An SDK client arrives: it gets a slot and all its data is stored.
  test_util::sdk_client(t.server->ingest_address(), "new/client", 3, 10);
  ASSERT_TRUE(t.log.wait_for(" finished: 3 chunks (30 rows)")) << t.log.all();
  EXPECT_EQ(rows_of(*t.store, "/new/client"), 30);
  auto told = older.notices();
  ASSERT_EQ(told.size(), 2u);
  EXPECT_EQ(told[0].code, "accepted");
  told.erase(told.begin());
  EXPECT_EQ(told[0].code, "idle");
  EXPECT_TRUE(told[0].closing);
  EXPECT_NE(told[0].message.find("to make room for a new client (all 2 ingest slots were taken)"),
            std::string::npos)
      << told[0].message;
  // The older connection's thread logs its end on its own time: wait for it.
  ASSERT_TRUE(t.log.wait_for("closed to make room for a new client; kept its 1 complete chunks"))
      << t.log.all();
  EXPECT_EQ(t.log.count("closed to make room for a new client; kept its 1 complete chunks"), 1u)
      << t.log.all();
  // The newer quiet connection kept its slot (it was told nothing but "accepted").
  ASSERT_EQ(newer.notices(1).size(), 1u);
  pollfd p{newer.fd, POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 0), 0);
  EXPECT_EQ(rows_of(*t.store, "/idle/older"), 10);
}

TEST(IngestLimitsTest, BusyServerTellsTheSdkWhichKeepsItsDataAndRetries) {
  Errors errors;
  TestServer t(ChunkStoreConfig::no_compaction(), [](ServerOptions& o) {
    o.max_ingest_clients = 1;
    o.ingest_stall_secs = 600;
  });
  ASSERT_TRUE(t.server);
  // The only slot is held by a client in the middle of a message: nobody is idle.
  std::vector<size_t> starts;
  std::vector<uint8_t> bytes = valid_stream("busy/holder", 2, &starts);
  bytes.resize(starts[1] + 10);
  auto holder = std::make_unique<RawConnection>(t.server->ingest_port());
  holder->send(bytes);
  // Its first chunk is stored: its thread is now inside the second message, which never ends.
  ASSERT_TRUE(test_util::eventually([&] { return rows_of(*t.store, "/busy/holder") == 10; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  {
    RecordingStreamOptions o = test_util::plain_options();
    o.recording_id = test_util::kTestRecording;  // the holder's recording
    RecordingStream rec("busy_test", o);
    TcpSinkOptions so;
    so.retry_secs = 0.05;
    rec.set_sink(make_tcp_sink(t.server->ingest_address(), so).value());
    rec.set_time_sequence("frame", 0);
    rec.log("busy/sdk", Scalars(1.0));
    // Refused: the SDK says why and keeps the row.
    for (int i = 0; i < 1000 && errors.count("[busy]") == 0; ++i) {
      (void)rec.try_flush_blocking();
    }
    ASSERT_GE(errors.count("reel server at " + t.server->ingest_address() +
                           ": all 1 ingest slots are taken by clients in the middle of a message; "
                           "try again later [busy]; data is kept and the connection retried"),
              1u);
    EXPECT_TRUE(t.log.wait_for("ingest: refused client")) << t.log.all();
    // The slot frees: the kept row arrives on a retry.
    holder.reset();
    rec.set_time_sequence("frame", 1);
    rec.log("busy/sdk", Scalars(2.0));
    Status flushed;
    for (int i = 0; i < 1000; ++i) {
      flushed = rec.try_flush_blocking();
      if (flushed.ok()) break;
    }
    EXPECT_TRUE(flushed.ok()) << flushed.to_string();
  }
  ASSERT_TRUE(t.log.wait_for(" finished: ")) << t.log.all();
  EXPECT_EQ(rows_of(*t.store, "/busy/sdk"), 2);
}

TEST(IngestLimitsTest, DecompressionBombsComeOutOfTheDecodeBudget) {
  // zstd messages of a few KB declaring 64 MiB each, from several clients at once: refused
  // before they are decompressed; the decode memory in use never passes the budget.
  const uint64_t kBudget = 8ull << 20;
  TestServer t(ChunkStoreConfig::no_compaction(),
               [&](ServerOptions& o) { o.decode_budget_bytes = kBudget; });
  ASSERT_TRUE(t.server);
  format::WriterOptions zstd;
  zstd.compression = format::Compression::kZstd;
  // Mostly zeros, with a few varying bytes per 4 KiB so that the message stays well within
  // zstd's largest ratio (a reader takes nothing beyond it as a valid message).
  std::vector<uint8_t> payload(64ull << 20);
  for (size_t i = 0; i < payload.size(); i += 4096) {
    for (size_t k = 0; k < 16; ++k) payload[i + k] = uint8_t((i >> 12) * 31 + k * 7);
  }
  std::vector<uint8_t> bomb;
  ASSERT_TRUE(
      format::Encoder(zstd).encode_message(format::MessageKind::kChunk, payload, bomb).ok());
  ASSERT_LT(bomb.size(), 2u << 20);
  ASSERT_GT(bomb.size(), (64u << 20) / 32768);
  std::vector<std::unique_ptr<RawConnection>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<RawConnection>(t.server->ingest_port()));
    std::vector<uint8_t> bytes = valid_stream("bomb/" + std::to_string(i), 1);
    bytes.insert(bytes.end(), bomb.begin(), bomb.end());
    // A good chunk after the bomb is still stored.
    ASSERT_TRUE(format::Encoder(zstd)
                    .encode_chunk(*scalar_chunk("bomb/" + std::to_string(i), 100, 10), bytes)
                    .ok());
    auto end = end_marker();
    bytes.insert(bytes.end(), end.begin(), end.end());
    clients.back()->send(bytes);
  }
  for (auto& c : clients) {
    auto notices = c->notices(2);
    ASSERT_EQ(notices.size(), 2u);
    EXPECT_EQ(notices[0].code, "accepted");
    notices.erase(notices.begin());
    EXPECT_EQ(notices[0].code, "too_large");
    EXPECT_FALSE(notices[0].closing);
    EXPECT_NE(notices[0].message.find("chunk message at byte "), std::string::npos);
    EXPECT_NE(notices[0].message.find("more than the server's decode budget of 8388608 bytes"),
              std::string::npos)
        << notices[0].message;
    ::shutdown(c->fd, SHUT_WR);
  }
  ASSERT_TRUE(t.log.wait_for(" finished: 2 chunks (20 rows)", 8)) << t.log.all();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(rows_of(*t.store, "/bomb/" + std::to_string(i)), 20);
  EXPECT_LE(t.server->ingest_decode_peak_bytes(), kBudget);
  EXPECT_GT(t.server->ingest_decode_peak_bytes(), 0u);
}

}  // namespace
}  // namespace reel::server
