// TCP ingest over real sockets (ingest.cpp): SDK clients at once, malformed clients dropped
// with their complete messages kept, and the memory budget while data streams in.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "reel/common/byte_order.hpp"
#include "reel/version.hpp"
#include "server/test_fixtures.hpp"

namespace reel::server {
namespace {

using test_util::rows_of;
using test_util::scalar;
using test_util::sdk_client;
using test_util::TestServer;
using test_util::valid_stream;

// A raw TCP client: connects, sends bytes, ends its side and reads until the server closes
// (closing with a server notice unread would reset the connection, and the server would see
// a reset instead of the end of the stream).
void raw_client(uint16_t port, const std::vector<uint8_t>& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) break;
    done += size_t(n);
  }
  ::shutdown(fd, SHUT_WR);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  char sink[4096];
  while (::recv(fd, sink, sizeof sink, 0) > 0) {
  }
  ::close(fd);
}

// A chunk message header announcing `stored` payload bytes.
std::vector<uint8_t> bogus_header(uint64_t stored) {
  std::vector<uint8_t> h(format::kMessageHeaderBytes, 0);
  h[0] = uint8_t(format::MessageKind::kChunk);
  bytes::put_u64(h.data() + 8, stored);
  bytes::put_u64(h.data() + 16, stored);
  return h;
}

// ---------------------------------------------------------------------------------------

TEST(ServerIngestTest, ConcurrentSdkClientsAllArriveExactly) {
  TestServer t;
  ASSERT_TRUE(t.server);
  const int kClients = 8, kChunks = 25, kRows = 40;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back(sdk_client, t.server->ingest_address(), "client/" + std::to_string(c),
                         kChunks, kRows);
  }
  for (auto& c : clients) c.join();
  ASSERT_TRUE(t.log.wait_for(" finished: ", kClients)) << t.log.all();
  const auto stats = t.store->stats();
  EXPECT_EQ(stats.num_chunks, size_t(kClients * kChunks));
  EXPECT_EQ(stats.num_rows, int64_t(kClients) * kChunks * kRows);
  for (int c = 0; c < kClients; ++c) {
    EXPECT_EQ(rows_of(*t.store, "/client/" + std::to_string(c)), kChunks * kRows);
  }
  EXPECT_EQ(t.store->info().application_id, "server_test");
  EXPECT_EQ(t.log.count("dropped"), 0u) << t.log.all();
}

TEST(ServerIngestTest, ConcurrentMalformedClientsAreDroppedAndKeepTheirCompleteMessages) {
  TestServer t;
  ASSERT_TRUE(t.server);
  const uint16_t port = t.server->ingest_port();

  // Garbage from the first byte.
  std::string http_text = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
  std::vector<uint8_t> garbage(http_text.begin(), http_text.end());
  // Cut in the middle of the 4th chunk message: 3 complete ones.
  std::vector<size_t> starts;
  std::vector<uint8_t> truncated = valid_stream("cut/mid_message", 4, &starts);
  truncated.resize(starts[3] + (truncated.size() - starts[3]) / 2);
  // Cut inside a message header, after 1 complete chunk.
  starts.clear();
  std::vector<uint8_t> cut_header = valid_stream("cut/mid_header", 2, &starts);
  cut_header.resize(starts[1] + 10);
  // A length beyond any limit after 2 complete chunks.
  std::vector<uint8_t> huge = valid_stream("bogus/huge", 2);
  auto h = bogus_header(1ull << 62);
  huge.insert(huge.end(), h.begin(), h.end());
  huge.insert(huge.end(), 1000, 0xAB);
  // A large but admissible length, then the connection ends: nothing is allocated for bytes
  // that never came, and the 2 chunks before stay.
  std::vector<uint8_t> promised = valid_stream("bogus/promised", 2);
  h = bogus_header(200ull << 20);
  promised.insert(promised.end(), h.begin(), h.end());
  promised.insert(promised.end(), 4096, 0xCD);
  // Valid framing, corrupt payload (CRC mismatch) after 1 chunk.
  starts.clear();
  std::vector<uint8_t> corrupt = valid_stream("bogus/crc", 2, &starts);
  corrupt[starts[1] + format::kMessageHeaderBytes + 7] ^= 0xFF;

  std::vector<std::thread> clients;
  clients.emplace_back(raw_client, port, garbage);
  clients.emplace_back(raw_client, port, truncated);
  clients.emplace_back(raw_client, port, cut_header);
  clients.emplace_back(raw_client, port, huge);
  clients.emplace_back(raw_client, port, promised);
  clients.emplace_back(raw_client, port, corrupt);
  clients.emplace_back(sdk_client, t.server->ingest_address(), "good/sdk", 10, 30);
  for (auto& c : clients) c.join();

  ASSERT_TRUE(t.log.wait_for("ingest: dropped client", 6)) << t.log.all();
  ASSERT_TRUE(t.log.wait_for(" finished: ", 1)) << t.log.all();
  EXPECT_EQ(t.log.count("not a reel recording"), 1u) << t.log.all();
  EXPECT_EQ(t.log.count("truncated"), 3u) << t.log.all();  // mid message, mid header, promised
  EXPECT_EQ(t.log.count("kept its 3 complete chunks"), 1u) << t.log.all();
  EXPECT_EQ(t.log.count("kept its 2 complete chunks"), 2u) << t.log.all();
  EXPECT_EQ(t.log.count("kept its 1 complete chunks"), 2u) << t.log.all();

  EXPECT_EQ(rows_of(*t.store, "/cut/mid_message"), 30);
  EXPECT_EQ(rows_of(*t.store, "/cut/mid_header"), 10);
  EXPECT_EQ(rows_of(*t.store, "/bogus/huge"), 20);
  EXPECT_EQ(rows_of(*t.store, "/bogus/promised"), 20);
  EXPECT_EQ(rows_of(*t.store, "/bogus/crc"), 10);
  EXPECT_EQ(rows_of(*t.store, "/good/sdk"), 300);
  EXPECT_EQ(t.store->stats().num_chunks, size_t(3 + 1 + 2 + 2 + 1 + 10));

  // The server still takes new clients.
  sdk_client(t.server->ingest_address(), "after/all", 2, 5);
  ASSERT_TRUE(t.log.wait_for(" finished: ", 2)) << t.log.all();
  EXPECT_EQ(rows_of(*t.store, "/after/all"), 10);
}

// A .reel file streamed in may hold a blueprint store (convert and compact keep them): its
// chunks are left out, as loads leave them out, and it makes no recording; the recording's
// chunks before and after it arrive.
TEST(ServerIngestTest, BlueprintStoreOfAStreamedFileIsLeftOut) {
  TestServer t;
  ASSERT_TRUE(t.server);
  std::vector<uint8_t> bytes = valid_stream("rec/before", 2);
  format::WriterOptions wo;
  wo.compression = format::Compression::kNone;
  format::Encoder enc(wo);
  StoreInfo blueprint{"raw", "raw-blueprint", 0};
  blueprint.is_blueprint = true;
  ASSERT_TRUE(enc.encode_store_info(blueprint, bytes).ok());
  ASSERT_TRUE(enc.encode_chunk(*test_util::scalar_chunk("bp/view", 0, 10), bytes).ok());
  ASSERT_TRUE(enc.encode_store_info({"raw", test_util::kTestRecording, 0}, bytes).ok());
  ASSERT_TRUE(enc.encode_chunk(*test_util::scalar_chunk("rec/after", 20, 10), bytes).ok());
  raw_client(t.server->ingest_port(), bytes);  // no end marker: the client is dropped
  ASSERT_TRUE(t.log.wait_for("ingest: dropped client", 1)) << t.log.all();
  EXPECT_EQ(t.log.count("blueprint chunks left out"), 1u) << t.log.all();
  EXPECT_EQ(rows_of(*t.store, "/rec/before"), 20);
  EXPECT_EQ(rows_of(*t.store, "/rec/after"), 10);
  EXPECT_EQ(rows_of(*t.store, "/bp/view"), 0);
  EXPECT_EQ(t.server->recordings()->size(), 1u);
}

// rr.connect_grpc's probe: "REELPING" is answered "REELPONG <version>\n", then the connection
// ends, and nothing reaches the store or the log; SDK clients are unaffected.
TEST(ServerIngestTest, ProbeIsAnsweredAndStoresNothing) {
  TestServer t;
  ASSERT_TRUE(t.server);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(t.server->ingest_port());
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::send(fd, "REELPING", 8, MSG_NOSIGNAL), 8);
  std::string reply;
  char buf[64];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) reply.append(buf, size_t(n));
  ::close(fd);
  EXPECT_EQ(reply, std::string("REELPONG ") + kVersion + "\n");
  sdk_client(t.server->ingest_address(), "after/probe", 2, 5);
  ASSERT_TRUE(t.log.wait_for(" finished: ", 1)) << t.log.all();
  EXPECT_EQ(rows_of(*t.store, "/after/probe"), 10);
  EXPECT_EQ(t.store->stats().num_chunks, 2u);
  EXPECT_EQ(t.log.count("connected"), 1u) << t.log.all();  // the SDK client only
}

TEST(ServerIngestTest, MemoryBudgetHoldsWhileFourTimesItIsStreamed) {
  const uint64_t kLimit = 8ull << 20;
  ChunkStoreConfig config;
  config.memory_limit = kLimit;
  TestServer t(config);
  ASSERT_TRUE(t.server);
  std::atomic<uint64_t> max_bytes{0}, added_bytes{0};
  std::atomic<uint64_t> removed{0};
  // Events come after each insert's garbage collection: the budget must hold at every one.
  auto sub = t.store->subscribe([&](std::span<const ChunkStoreEvent> events) {
    for (const auto& e : events) {
      if (e.kind == ChunkStoreEventKind::kAddition) {
        added_bytes += e.chunk->heap_size_bytes();
      } else {
        ++removed;
      }
    }
    uint64_t now = t.store->memory_bytes();
    uint64_t seen = max_bytes.load();
    while (now > seen && !max_bytes.compare_exchange_weak(seen, now)) {
    }
  });
  const int kChunks = 160, kRows = 16384;  // ~256 KiB of values + times per chunk: ~40 MiB
  sdk_client(t.server->ingest_address(), "big/stream", kChunks, kRows);
  ASSERT_TRUE(t.log.wait_for(" finished: ", 1)) << t.log.all();
  t.store->unsubscribe(sub);
  EXPECT_GE(added_bytes.load(), 4 * kLimit);
  EXPECT_LE(max_bytes.load(), kLimit);
  EXPECT_LE(t.store->memory_bytes(), kLimit);
  EXPECT_GT(removed.load(), 0u);
  // The newest data survives garbage collection.
  auto last = t.store->latest_at({"frame", kTimeMax}, "/big/stream", scalar());
  ASSERT_TRUE(last);
  EXPECT_EQ(last->time, int64_t(kChunks) * kRows - 1);
  EXPECT_LT(rows_of(*t.store, "/big/stream"), int64_t(kChunks) * kRows);
}

}  // namespace
}  // namespace reel::server
