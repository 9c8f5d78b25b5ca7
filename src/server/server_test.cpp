// The live server over real sockets: TCP ingest from SDK and hand-made clients, the memory
// budget, the WebSocket protocol (with a Boost.Beast client) and HTTP.
#include "server/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>
#include <thread>

#include "reel/common/byte_order.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/types/archetypes.hpp"
#include "reel/sdk/recording_stream.hpp"
#include "server/protocol.hpp"
#include "server/server_internal.hpp"
#include "server/test_chunks.hpp"
#include "server/test_util.hpp"

namespace reel::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using nlohmann::json;
using test_util::http_get;
using test_util::HttpReply;

// ---------------------------------------------------------------------------------------
// Helpers

// Server log lines, waited on without timing assumptions (the bound only stops a hung test).
struct LogCapture {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> lines;
  std::function<void(const std::string&)> sink() {
    return [this](const std::string& line) {
      {
        std::lock_guard lock(mutex);
        lines.push_back(line);
      }
      cv.notify_all();
    };
  }
  size_t count(const std::string& needle) {
    std::lock_guard lock(mutex);
    size_t n = 0;
    for (const auto& l : lines) n += l.find(needle) != std::string::npos;
    return n;
  }
  // Waits until `n` lines contain `needle`.
  bool wait_for(const std::string& needle, size_t n = 1) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, std::chrono::seconds(120), [&] {
      size_t k = 0;
      for (const auto& l : lines) k += l.find(needle) != std::string::npos;
      return k >= n;
    });
  }
  std::string all() {
    std::lock_guard lock(mutex);
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  }
};

struct TestServer {
  std::shared_ptr<ChunkStore> store;
  LogCapture log;
  std::unique_ptr<Server> server;
  explicit TestServer(ChunkStoreConfig config = ChunkStoreConfig::no_compaction(),
                      const std::function<void(ServerOptions&)>& tweak = {}) {
    store = std::make_shared<ChunkStore>(config);
    ServerOptions options;
    options.http_port = 0;
    options.ingest_port = 0;
    options.log = log.sink();
    if (tweak) tweak(options);
    auto started = Server::start(store, options);
    EXPECT_TRUE(started.ok()) << started.status().to_string();
    if (started.ok()) server = std::move(*started);
  }
};

RecordingStreamOptions plain_options() {
  RecordingStreamOptions o;
  o.log_time = false;
  o.log_tick = false;
  o.batcher = BatcherConfig();
  return o;
}

const ComponentDescriptor& scalar() { return Scalars::fields()[0].descriptor; }

ChunkPtr scalar_chunk(const std::string& entity, TimeInt t0, int n, double scale = 0.5) {
  ChunkBuilder b(entity);
  for (int i = 0; i < n; ++i) {
    b.add_row(RowId::create(), {{Timeline::sequence("frame"), t0 + i}},
              {{scalar(), arrow::make_primitive<double>({double(t0 + i) * scale})}});
  }
  return b.build().value();
}

// Sends `columns` chunks of `rows` scalars each through the SDK, as one client.
void sdk_client(const std::string& address, const std::string& entity, int chunks, int rows) {
  RecordingStream rec("server_test", plain_options());
  EXPECT_TRUE(rec.connect(address).ok());
  for (int k = 0; k < chunks; ++k) {
    std::vector<int64_t> times(static_cast<size_t>(rows));
    std::vector<double> values(static_cast<size_t>(rows));
    for (int i = 0; i < rows; ++i) {
      times[size_t(i)] = int64_t(k) * rows + i;
      values[size_t(i)] = double(times[size_t(i)]);
    }
    rec.send_columns(entity, {TimeColumn::sequence("frame", times)}, Scalars::columns(values));
  }
}  // the destructor flushes and ends the stream

int64_t rows_of(const ChunkStore& store, const EntityPath& entity) {
  return store.range({"frame", {kTimeMin, kTimeMax}}, entity, scalar()).num_rows();
}

// A raw TCP client: connects, sends bytes, closes.
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
  ::close(fd);
}

// A valid stream: header, store info, `chunks` chunk messages of `entity`. `cut_at[i]` is
// the offset where message i starts.
std::vector<uint8_t> valid_stream(const std::string& entity, int chunks,
                                  std::vector<size_t>* starts = nullptr) {
  format::WriterOptions wo;
  wo.compression = format::Compression::kNone;
  format::Encoder enc(wo);
  std::vector<uint8_t> out = format::Encoder::file_header();
  EXPECT_TRUE(enc.encode_store_info({"raw", "raw-recording", 0}, out).ok());
  for (int k = 0; k < chunks; ++k) {
    if (starts) starts->push_back(out.size());
    EXPECT_TRUE(enc.encode_chunk(*scalar_chunk(entity, k * 10, 10), out).ok());
  }
  return out;
}

// A chunk message header announcing `stored` payload bytes.
std::vector<uint8_t> bogus_header(uint64_t stored) {
  std::vector<uint8_t> h(format::kMessageHeaderBytes, 0);
  h[0] = uint8_t(format::MessageKind::kChunk);
  bytes::put_u64(h.data() + 8, stored);
  bytes::put_u64(h.data() + 16, stored);
  return h;
}

// ---- a Boost.Beast WebSocket client

struct WsClient {
  asio::io_context io;
  websocket::stream<tcp::socket> ws{io};
  explicit WsClient(uint16_t port) {
    tcp::resolver resolver(io);
    asio::connect(ws.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
    ws.handshake("127.0.0.1:" + std::to_string(port), "/ws");
  }
  struct Message {
    bool text = false;
    std::string data;
  };
  Message read() {
    beast::flat_buffer buffer;
    ws.read(buffer);
    return {ws.got_text(), beast::buffers_to_string(buffer.data())};
  }
  json read_json() {
    Message m = read();
    EXPECT_TRUE(m.text) << "expected a text message, got a binary one";
    return m.text ? json::parse(m.data) : json();
  }
  DecodedFrame read_frame() {
    Message m = read();
    EXPECT_FALSE(m.text) << "expected a frame, got " << m.data;
    auto f = decode_frame({reinterpret_cast<const uint8_t*>(m.data.data()), m.data.size()});
    EXPECT_TRUE(f.ok()) << f.status().to_string();
    return f.ok() ? *f : DecodedFrame{FrameKind::kChunkAdded, 0, nullptr};
  }
  void send(const std::string& text) {
    ws.text(true);
    ws.write(asio::buffer(text));
  }
  // Reads kind-2 frames of query `id` until query_done; returns them.
  std::vector<ChunkPtr> answer(uint32_t id) {
    std::vector<ChunkPtr> chunks;
    for (;;) {
      Message m = read();
      if (m.text) {
        json j = json::parse(m.data);
        EXPECT_EQ(j["type"], "query_done") << m.data;
        EXPECT_EQ(j["id"], id);
        EXPECT_EQ(j["chunks"], chunks.size());
        return chunks;
      }
      auto f = decode_frame({reinterpret_cast<const uint8_t*>(m.data.data()), m.data.size()});
      EXPECT_TRUE(f.ok());
      EXPECT_EQ(f->kind, FrameKind::kQueryResult);
      EXPECT_EQ(f->request_id, id);
      chunks.push_back(f->chunk);
    }
  }
};

// ---------------------------------------------------------------------------------------
// Ingest

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

// ---------------------------------------------------------------------------------------
// WebSocket

TEST(ServerWebSocketTest, HelloBacklogCaughtUpThenLiveChangesAndQueries) {
  TestServer t;
  ASSERT_TRUE(t.server);
  t.store->set_info({"ws_app", "ws_rec", 0});
  std::vector<ChunkPtr> initial = {scalar_chunk("/plots/a", 0, 10), scalar_chunk("/plots/a", 10, 10),
                                   scalar_chunk("/plots/b", 0, 3)};
  for (const auto& c : initial) ASSERT_TRUE(t.store->insert(c).ok());

  WsClient ws(t.server->http_port());
  json hello = ws.read_json();
  EXPECT_EQ(hello["type"], "hello");
  EXPECT_EQ(hello["version"], 1);
  EXPECT_EQ(hello["application_id"], "ws_app");
  EXPECT_EQ(hello["recording_id"], "ws_rec");
  std::set<ChunkId> got;
  for (size_t i = 0; i < initial.size(); ++i) {
    DecodedFrame f = ws.read_frame();
    ASSERT_TRUE(f.chunk);
    EXPECT_EQ(f.kind, FrameKind::kChunkAdded);
    EXPECT_EQ(f.request_id, 0u);
    got.insert(f.chunk->id());
    for (const auto& c : initial) {
      if (c->id() == f.chunk->id()) {
        EXPECT_TRUE(c->content_equals(*f.chunk));
      }
    }
  }
  EXPECT_EQ(got.size(), initial.size());
  json caught_up = ws.read_json();
  EXPECT_EQ(caught_up["type"], "caught_up");
  EXPECT_EQ(caught_up["chunks"], initial.size());
  EXPECT_EQ(t.server->num_viewers(), 1u);

  // Live: a chunk inserted after the viewer connected is pushed.
  ChunkPtr live = scalar_chunk("/plots/a", 20, 5);
  ASSERT_TRUE(t.store->insert(live).ok());
  DecodedFrame f = ws.read_frame();
  ASSERT_TRUE(f.chunk);
  EXPECT_EQ(f.kind, FrameKind::kChunkAdded);
  EXPECT_EQ(f.chunk->id(), live->id());
  EXPECT_TRUE(f.chunk->content_equals(*live));

  // Latest-at: exactly the row at frame 12 (value 6.0), one component.
  ws.send(R"({"type":"query","id":1,"kind":"latest_at","entity":"/plots/a","timeline":"frame","at":"12"})");
  auto answer = ws.answer(1);
  ASSERT_EQ(answer.size(), 1u);
  ASSERT_EQ(answer[0]->num_rows(), 1);
  EXPECT_EQ((*answer[0]->timeline("frame"))[0], 12);
  ASSERT_EQ(answer[0]->components().size(), 1u);
  EXPECT_EQ(arrow::PrimitiveArray<double>(answer[0]->components()[0].list.row_values(0)).value(0), 6.0);

  // Range [5, 22] on /plots/a, numbers as times: rows 5..22 in order, across three chunks.
  ws.send(R"({"type":"query","id":2,"kind":"range","entity":"/plots/a","timeline":"frame","min":5,"max":22,"component":"Scalars:scalars"})");
  answer = ws.answer(2);
  std::vector<int64_t> times;
  std::vector<double> values;
  for (const auto& c : answer) {
    const auto* col = c->component(scalar());
    ASSERT_TRUE(col);
    for (int64_t i = 0; i < c->num_rows(); ++i) {
      times.push_back((*c->timeline("frame"))[i]);
      values.push_back(arrow::PrimitiveArray<double>(col->list.row_values(i)).value(0));
    }
  }
  ASSERT_EQ(times.size(), 18u);
  for (int i = 0; i < 18; ++i) {
    EXPECT_EQ(times[size_t(i)], 5 + i);
    EXPECT_EQ(values[size_t(i)], (5 + i) * 0.5);
  }

  // Nothing there: an empty answer, not an error.
  ws.send(R"({"type":"query","id":3,"kind":"latest_at","entity":"/plots/a","timeline":"frame","at":-1})");
  EXPECT_TRUE(ws.answer(3).empty());
  ws.send(R"({"type":"query","id":4,"kind":"range","entity":"/nobody","timeline":"frame","min":0,"max":9})");
  EXPECT_TRUE(ws.answer(4).empty());

  // Bad queries: an error naming the id and the problem; the connection stays usable.
  ws.send("{not json");
  json e = ws.read_json();
  EXPECT_EQ(e["type"], "error");
  EXPECT_EQ(e["id"], 0);
  ws.send(R"({"type":"query","id":5,"kind":"sideways","entity":"/plots/a","timeline":"frame"})");
  e = ws.read_json();
  EXPECT_EQ(e["type"], "error");
  EXPECT_EQ(e["id"], 5);
  EXPECT_NE(e["message"].get<std::string>().find("sideways"), std::string::npos);
  ws.send(R"({"type":"query","id":6,"kind":"range","entity":"/plots/a","timeline":"frame","min":"x","max":1})");
  e = ws.read_json();
  EXPECT_EQ(e["type"], "error");
  EXPECT_EQ(e["id"], 6);

  // Garbage collection reaches the viewer as chunks_removed.
  t.store->gc({0, 0});
  json removed = ws.read_json();
  EXPECT_EQ(removed["type"], "chunks_removed");
  std::set<std::string> ids;
  for (const auto& id : removed["chunk_ids"]) ids.insert(id.get<std::string>());
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_TRUE(ids.count(live->id().to_string()));
}

TEST(ServerWebSocketTest, ConcurrentViewersSeeEveryChunkWhileSdkClientsStream) {
  TestServer t;
  ASSERT_TRUE(t.server);
  ASSERT_TRUE(t.store->insert(scalar_chunk("/before", 0, 4)).ok());
  const int kViewers = 3, kClients = 3, kChunks = 20;
  // Viewers connect while clients stream: each ends up with every chunk exactly once.
  std::vector<std::thread> clients;
  std::vector<std::set<ChunkId>> seen(kViewers);
  std::vector<std::thread> viewers;
  std::atomic<int> connected{0};
  for (int v = 0; v < kViewers; ++v) {
    viewers.emplace_back([&, v] {
      WsClient ws(t.server->http_port());
      ++connected;
      EXPECT_EQ(ws.read_json()["type"], "hello");
      bool caught_up = false;
      while (seen[size_t(v)].size() < size_t(1 + kClients * kChunks) || !caught_up) {
        WsClient::Message m = ws.read();
        if (m.text) {
          json j = json::parse(m.data);
          if (j["type"] == "caught_up") caught_up = true;
          EXPECT_NE(j["type"], "chunks_removed");
          continue;
        }
        auto f = decode_frame({reinterpret_cast<const uint8_t*>(m.data.data()), m.data.size()});
        ASSERT_TRUE(f.ok());
        EXPECT_TRUE(seen[size_t(v)].insert(f->chunk->id()).second) << "chunk sent twice";
      }
    });
  }
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back(sdk_client, t.server->ingest_address(), "live/" + std::to_string(c),
                         kChunks, 10);
  }
  for (auto& c : clients) c.join();
  for (auto& v : viewers) v.join();
  for (int v = 0; v < kViewers; ++v) {
    EXPECT_EQ(seen[size_t(v)].size(), size_t(1 + kClients * kChunks));
  }
  EXPECT_EQ(t.store->num_chunks(), size_t(1 + kClients * kChunks));
}

// What a viewer holds, built only from what the server sends it: chunk id -> the RowIds of
// its rows. Checks the protocol's promises on the way: a chunk id arrives once, a removal
// names only ids the viewer holds.
struct ViewerModel {
  std::map<std::string, std::vector<RowId>> chunks;
  int64_t rows_received = 0;    // over all kind-1 frames
  uint64_t frame_bytes = 0;     // kind-1 frames, prefix included
  size_t removal_messages = 0;
  std::vector<std::string> last_removal;
  bool caught_up = false;

  // Applies one message; returns the chunk of a kind-1 frame (null for texts).
  ChunkPtr apply(const WsClient::Message& m) {
    if (m.text) {
      json j = json::parse(m.data);
      if (j["type"] == "caught_up") caught_up = true;
      if (j["type"] == "chunks_removed") {
        ++removal_messages;
        last_removal.clear();
        for (const auto& id : j["chunk_ids"]) {
          const std::string s = id.get<std::string>();
          EXPECT_EQ(chunks.erase(s), 1u) << "removal of a chunk the viewer does not hold: " << s;
          last_removal.push_back(s);
        }
      }
      return nullptr;
    }
    auto f = decode_frame({reinterpret_cast<const uint8_t*>(m.data.data()), m.data.size()});
    EXPECT_TRUE(f.ok()) << f.status().to_string();
    if (!f.ok() || f->kind != FrameKind::kChunkAdded) return nullptr;
    frame_bytes += m.data.size();
    rows_received += f->chunk->num_rows();
    std::vector<RowId> rows;
    for (int64_t i = 0; i < f->chunk->num_rows(); ++i) rows.push_back(f->chunk->row_id(i));
    EXPECT_TRUE(chunks.emplace(f->chunk->id().to_string(), std::move(rows)).second)
        << "chunk sent twice: " << f->chunk->id().to_string();
    return f->chunk;
  }
  // Reads and applies messages until the chunk `id` arrived, and the backlog (which comes
  // in no particular order) is complete.
  void read_until(WsClient& ws, const ChunkId& id) {
    bool seen = false;
    while (!seen || !caught_up) {
      ChunkPtr c = apply(ws.read());
      seen |= c && c->id() == id;
    }
  }
  std::vector<RowId> row_ids() const {
    std::vector<RowId> all;
    for (const auto& [id, rows] : chunks) all.insert(all.end(), rows.begin(), rows.end());
    std::sort(all.begin(), all.end());
    return all;
  }
};

std::vector<RowId> store_row_ids(const ChunkStore& store) {
  std::vector<RowId> all;
  for (const auto& c : store.chunks()) {
    for (int64_t i = 0; i < c->num_rows(); ++i) all.push_back(c->row_id(i));
  }
  std::sort(all.begin(), all.end());
  return all;
}

TEST(ServerWebSocketTest, ConcurrentCompactionSendsALiveViewerOnlyTheNewRows) {
  TestServer t{ChunkStoreConfig()};  // compaction on
  ASSERT_TRUE(t.server);
  ASSERT_TRUE(t.store->config().enable_compaction);
  WsClient ws(t.server->http_port());
  ViewerModel viewer;
  EXPECT_EQ(ws.read_json()["type"], "hello");
  EXPECT_EQ(ws.read_json()["type"], "caught_up");
  viewer.caught_up = true;

  // Many small chunks into one entity: the store merges each into the entity's open chunk
  // (4096 rows at most, so several store chunks), while the viewer reads.
  const int kChunks = 600, kRows = 10;
  std::thread client(sdk_client, t.server->ingest_address(), "stream", kChunks, kRows);
  client.join();
  ASSERT_TRUE(t.log.wait_for(" finished: ", 1)) << t.log.all();
  ASSERT_EQ(rows_of(*t.store, "/stream"), kChunks * kRows);
  ASSERT_LT(t.store->num_chunks(), size_t(kChunks / 10)) << "compaction did not merge";
  // Everything before this chunk has reached the viewer once it arrives.
  ChunkPtr sentinel = scalar_chunk("/sentinel", 0, 1);
  ASSERT_TRUE(t.store->insert(sentinel).ok());
  viewer.read_until(ws, sentinel->id());

  // No row sent twice, no removal for appends, and the viewer holds exactly the store.
  EXPECT_EQ(viewer.rows_received, int64_t(kChunks) * kRows + 1);
  EXPECT_EQ(viewer.removal_messages, 0u);
  EXPECT_EQ(viewer.row_ids(), store_row_ids(*t.store));
  // Bytes: about one small frame per incoming chunk (re-sending each merged chunk would be
  // ~100 times more here).
  auto one = format::encode_chunk_payload(*scalar_chunk("/stream", 0, kRows));
  ASSERT_TRUE(one.ok());
  const uint64_t per_chunk = one->size() + kFramePrefixBytes;
  EXPECT_LE(viewer.frame_bytes, uint64_t(kChunks + 1) * per_chunk * 3 / 2)
      << "per incoming chunk: " << double(viewer.frame_bytes) / kChunks << " bytes, alone "
      << per_chunk;

  // Garbage collection of everything names exactly the ids the viewer holds: the pieces the
  // merged store chunks stand for, not the store's ids.
  std::set<std::string> held;
  for (const auto& [id, rows] : viewer.chunks) held.insert(id);
  EXPECT_GT(held.size(), t.store->num_chunks());
  t.store->gc({0, 0});
  ASSERT_EQ(t.store->num_chunks(), 0u);
  viewer.apply(ws.read());
  ASSERT_EQ(viewer.removal_messages, 1u);
  EXPECT_EQ(std::set<std::string>(viewer.last_removal.begin(), viewer.last_removal.end()), held);
  EXPECT_EQ(viewer.last_removal.size(), held.size());
  EXPECT_TRUE(viewer.chunks.empty());
}

TEST(ServerWebSocketTest, ConcurrentViewersConnectingMidStreamConvergeToTheStore) {
  // Compaction on and a memory budget small enough that garbage collection removes merged
  // chunks while the clients stream.
  ChunkStoreConfig config;
  config.memory_limit = 256 * 1024;
  TestServer t{config};
  ASSERT_TRUE(t.server);
  const int kViewers = 4, kClients = 2, kChunks = 800, kRows = 10;
  ChunkPtr sentinel = scalar_chunk("/sentinel", 0, 1);
  std::vector<ViewerModel> models(kViewers);
  std::vector<std::thread> viewers;
  for (int v = 0; v < kViewers; ++v) {
    viewers.emplace_back([&, v] {
      // Viewer v connects once the store made v * 300 modifications.
      EXPECT_TRUE(test_util::eventually([&] { return t.store->generation() >= uint64_t(v) * 300; }));
      WsClient ws(t.server->http_port());
      EXPECT_EQ(ws.read_json()["type"], "hello");
      models[size_t(v)].read_until(ws, sentinel->id());
    });
  }
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back(sdk_client, t.server->ingest_address(), "mid/" + std::to_string(c),
                         kChunks, kRows);
  }
  for (auto& c : clients) c.join();
  ASSERT_TRUE(t.log.wait_for(" finished: ", kClients)) << t.log.all();
  ASSERT_TRUE(t.store->insert(sentinel).ok());
  for (auto& v : viewers) v.join();
  const std::vector<RowId> expected = store_row_ids(*t.store);
  ASSERT_LT(expected.size(), size_t(kClients * kChunks * kRows)) << "no garbage collection";
  for (int v = 0; v < kViewers; ++v) {
    EXPECT_TRUE(models[size_t(v)].caught_up);
    EXPECT_EQ(models[size_t(v)].row_ids(), expected) << "viewer " << v;
  }
}

// The viewer service fed with hand-made store events (a compaction that does not append is
// not something the store does today, but the protocol's order must hold for it too).
struct DirectViewerService {
  asio::io_context io{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::shared_ptr<ChunkStore> store = std::make_shared<ChunkStore>();
  ServerOptions options;
  std::unique_ptr<internal::ViewerService> service;
  std::thread thread;
  DirectViewerService() {
    service = internal::make_viewer_service({io, store, options, [](const std::string&) {}, {}});
    EXPECT_TRUE(service->listen(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)).ok());
    work.emplace(io.get_executor());
    thread = std::thread([this] { io.run(); });
  }
  ~DirectViewerService() {
    work.reset();
    io.stop();
    thread.join();
    service->close_all();
    service.reset();
  }
  void added(const ChunkPtr& c) { service->post_events({test_util::addition(c)}); }
  // Compaction appended `incoming` behind `old` (ChunkStoreEvent::appended says so).
  void appended(const ChunkPtr& old, const ChunkPtr& merged, const ChunkPtr& incoming) {
    service->post_events(test_util::append_events(old, merged, incoming));
  }
  // A merge that is not an append.
  void replaced(const ChunkPtr& old, const ChunkPtr& c, std::vector<ChunkId> from) {
    service->post_events(test_util::replace_events(old, c, std::move(from)));
  }
};

std::vector<std::string> removal_ids(const json& j) {
  EXPECT_EQ(j["type"], "chunks_removed") << j.dump();
  std::vector<std::string> ids;
  for (const auto& id : j["chunk_ids"]) ids.push_back(id.get<std::string>());
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(ViewerServiceTest, AppendsSendNewRowsAndRemovalsNameThePiecesTheViewerHolds) {
  DirectViewerService d;
  WsClient ws(d.service->port());
  EXPECT_EQ(ws.read_json()["type"], "hello");
  EXPECT_EQ(ws.read_json()["type"], "caught_up");

  ChunkPtr a = scalar_chunk("/e", 0, 3), b = scalar_chunk("/e", 3, 2), c = scalar_chunk("/e", 5, 4);
  d.added(a);
  DecodedFrame f = ws.read_frame();
  EXPECT_EQ(f.chunk->id(), a->id());
  // A + B: the viewer holds A, so it gets B's rows under B's id, and no removal.
  std::vector<ChunkPtr> ab_parts = {a, b};
  ChunkPtr ab = Chunk::concatenate(ab_parts).value();
  d.appended(a, ab, b);
  f = ws.read_frame();
  EXPECT_EQ(f.chunk->id(), b->id());
  EXPECT_TRUE(f.chunk->content_equals(*b));
  // (A + B) + C: C alone.
  std::vector<ChunkPtr> abc_parts = {ab, c};
  ChunkPtr abc = Chunk::concatenate(abc_parts).value();
  d.appended(ab, abc, c);
  f = ws.read_frame();
  EXPECT_EQ(f.chunk->id(), c->id());
  EXPECT_TRUE(f.chunk->content_equals(*c));

  // A replacement that is not an append (rows reordered): sent whole, and only then the
  // removal of the three chunks the viewer holds for the replaced store chunk.
  std::vector<int64_t> reversed;
  for (int64_t i = abc->num_rows() - 1; i >= 0; --i) reversed.push_back(i);
  ChunkPtr shuffled = abc->take(reversed).value()->with_id(ChunkId::create());
  d.replaced(abc, shuffled, {abc->id(), ChunkId::create()});
  f = ws.read_frame();
  EXPECT_EQ(f.chunk->id(), shuffled->id());
  EXPECT_EQ(f.chunk->num_rows(), 9);
  std::vector<std::string> expected = {a->id().to_string(), b->id().to_string(), c->id().to_string()};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(removal_ids(ws.read_json()), expected);

  // Garbage collection of an appended chain: its pieces, never the store's merged id.
  ChunkPtr x = scalar_chunk("/x", 0, 2), y = scalar_chunk("/x", 2, 2);
  d.added(x);
  EXPECT_EQ(ws.read_frame().chunk->id(), x->id());
  std::vector<ChunkPtr> xy_parts = {x, y};
  ChunkPtr xy = Chunk::concatenate(xy_parts).value();
  d.appended(x, xy, y);
  EXPECT_EQ(ws.read_frame().chunk->id(), y->id());
  d.service->post_events({test_util::deletion(xy), test_util::deletion(shuffled)});
  expected = {x->id().to_string(), y->id().to_string(), shuffled->id().to_string()};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(removal_ids(ws.read_json()), expected);

  // A viewer connecting now gets the store as the mirror holds it: nothing but caught_up.
  WsClient late(d.service->port());
  EXPECT_EQ(late.read_json()["type"], "hello");
  json caught_up = late.read_json();
  EXPECT_EQ(caught_up["type"], "caught_up");
  EXPECT_EQ(caught_up["chunks"], 0);
}

TEST(ServerWebSocketTest, SlowViewerIsDisconnectedNotBuffered) {
  TestServer t(ChunkStoreConfig::no_compaction(), [](ServerOptions& o) { o.max_viewer_queue = 8; });
  ASSERT_TRUE(t.server);
  WsClient ws(t.server->http_port());
  EXPECT_EQ(ws.read_json()["type"], "hello");
  EXPECT_EQ(ws.read_json()["type"], "caught_up");
  // The viewer stops reading; ~1 MiB chunks fill the socket buffers, then its queue.
  for (int k = 0; k < 100 && t.log.count("does not read fast enough") == 0; ++k) {
    std::vector<int64_t> times(65536);
    std::vector<double> values(65536, 1.0);
    for (size_t i = 0; i < times.size(); ++i) times[i] = int64_t(k) * 65536 + int64_t(i);
    auto chunk = Chunk::make(RowId::create(), "/firehose", RowIdColumn::consecutive(RowId::reserve(65536), 65536),
                             {TimeColumn::sequence("frame", times)}, Scalars::columns(values));
    ASSERT_TRUE(chunk.ok());
    ASSERT_TRUE(t.store->insert(*chunk).ok());
  }
  EXPECT_TRUE(t.log.wait_for("does not read fast enough")) << t.log.all();
}

// ---------------------------------------------------------------------------------------
// HTTP

struct WebRoot {
  std::filesystem::path dir;
  WebRoot() {
    char tmpl[] = "/tmp/reel_web_XXXXXX";
    dir = ::mkdtemp(tmpl);
    std::filesystem::create_directories(dir / "site" / "assets");
    write("site/index.html", "<!doctype html><title>reel viewer</title>");
    write("site/assets/app.js", "console.log('reel');");
    write("site/assets/style.css", "body{margin:0}");
    write("site/assets/mod.wasm", std::string("\0asm\1\0\0\0", 8));
    write("site/assets/icon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
    write("site/assets/pic.png", std::string("\x89PNG\r\n\x1a\n\0\0", 10));
    write("secret.txt", "do not serve");
    std::filesystem::create_symlink(dir / "secret.txt", dir / "site" / "assets" / "link.txt");
  }
  ~WebRoot() { std::filesystem::remove_all(dir); }
  void write(const std::string& rel, const std::string& content) {
    std::ofstream(dir / rel, std::ios::binary) << content;
  }
  std::string root() const { return (dir / "site").string(); }
};

TEST(ServerHttpTest, StaticFilesWithContentTypesAndNoTraversal) {
  WebRoot web;
  TestServer t(ChunkStoreConfig::no_compaction(), [&](ServerOptions& o) { o.web_root = web.root(); });
  ASSERT_TRUE(t.server);
  const uint16_t port = t.server->http_port();
  struct Case {
    const char* target;
    const char* type;
    std::string body;
  };
  const Case cases[] = {
      {"/", "text/html", "<!doctype html><title>reel viewer</title>"},
      {"/index.html", "text/html", "<!doctype html><title>reel viewer</title>"},
      {"/assets/app.js?v=3", "text/javascript", "console.log('reel');"},
      {"/assets/style.css", "text/css", "body{margin:0}"},
      {"/assets/mod.wasm", "application/wasm", std::string("\0asm\1\0\0\0", 8)},
      {"/assets/icon.svg", "image/svg+xml", "<svg xmlns='http://www.w3.org/2000/svg'/>"},
      {"/assets/pic.png", "image/png", std::string("\x89PNG\r\n\x1a\n\0\0", 10)},
      {"/assets/%61pp.js", "text/javascript", "console.log('reel');"},
  };
  for (const auto& c : cases) {
    HttpReply r = http_get(port, c.target);
    EXPECT_EQ(r.status, 200u) << c.target;
    EXPECT_EQ(r.content_type.rfind(c.type, 0), 0u) << c.target << ": " << r.content_type;
    EXPECT_EQ(r.body, c.body) << c.target;
  }
  for (const char* bad : {"/nope.js", "/assets/", "/../secret.txt", "/assets/../../secret.txt",
                          "/%2e%2e/secret.txt", "/assets/%2E%2E/%2E%2E/secret.txt",
                          "/assets/link.txt", "/..%2fsecret.txt", "/%00", "/api/nothing"}) {
    HttpReply r = http_get(port, bad);
    EXPECT_TRUE(r.status == 404u || r.status == 400u) << bad << " -> " << r.status;
    EXPECT_EQ(r.body.find("do not serve"), std::string::npos) << bad;
  }
  EXPECT_EQ(http_get(port, "/assets/app.js", http::verb::head).status, 200u);
  EXPECT_EQ(http_get(port, "/", http::verb::post).status, 405u);
  EXPECT_EQ(http_get(port, "/ws").status, 426u);
}

TEST(ServerHttpTest, ApiInfoEntitiesAndAPageWhenTheViewerIsNotBuilt) {
  TestServer t(ChunkStoreConfig::no_compaction(),
               [](ServerOptions& o) { o.web_root = "/nonexistent/reel/viewer-dist"; });
  ASSERT_TRUE(t.server);
  t.store->set_info({"api_app", "api_rec", 0});
  ASSERT_TRUE(t.store->insert(scalar_chunk("/plots/a", 3, 10)).ok());
  const uint16_t port = t.server->http_port();

  HttpReply page = http_get(port, "/");
  EXPECT_EQ(page.status, 200u);
  EXPECT_EQ(page.content_type.rfind("text/html", 0), 0u);
  EXPECT_NE(page.body.find("not built"), std::string::npos);
  EXPECT_NE(page.body.find("--web-root"), std::string::npos);
  EXPECT_EQ(http_get(port, "/assets/app.js").status, 404u);

  HttpReply info = http_get(port, "/api/info");
  EXPECT_EQ(info.status, 200u);
  EXPECT_EQ(info.content_type, "application/json");
  json j = json::parse(info.body);
  EXPECT_EQ(j["application_id"], "api_app");
  EXPECT_EQ(j["recording_id"], "api_rec");
  EXPECT_EQ(j["chunks"], 1);
  EXPECT_EQ(j["rows"], 10);
  EXPECT_GT(j["bytes"].get<uint64_t>(), 0u);

  json e = json::parse(http_get(port, "/api/entities").body);
  ASSERT_EQ(e["entities"].size(), 1u);
  EXPECT_EQ(e["entities"][0]["path"], "/plots/a");
  EXPECT_EQ(e["entities"][0]["time_ranges"]["frame"]["min"], "3");
  EXPECT_EQ(e["entities"][0]["time_ranges"]["frame"]["max"], "12");
}

TEST(ServerTest, BusyPortIsAClearError) {
  TestServer first;
  ASSERT_TRUE(first.server);
  auto store = std::make_shared<ChunkStore>();
  ServerOptions options;
  options.http_port = first.server->http_port();
  options.ingest_port = 0;
  auto second = Server::start(store, options);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("--port"), std::string::npos)
      << second.status().message();
}

TEST(ServerTest, ConcurrentStopWhileClientsStreamAndViewersRead) {
  TestServer t;
  ASSERT_TRUE(t.server);
  // A client that sent two chunks and keeps its connection open.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(t.server->ingest_port());
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  auto bytes = valid_stream("held/open", 2);
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), ssize_t(bytes.size()));
  ASSERT_TRUE(test_util::eventually([&] { return rows_of(*t.store, "/held/open") == 20; }));
  // A viewer, and an SDK client streaming while the server stops.
  WsClient ws(t.server->http_port());
  EXPECT_EQ(ws.read_json()["type"], "hello");
  set_error_handler([](const Status&) {});  // the SDK client will lose its server
  std::thread sdk([&] { sdk_client(t.server->ingest_address(), "streaming", 200, 50); });
  ASSERT_TRUE(t.log.wait_for("connected", 3)) << t.log.all();
  t.server->stop();  // returns: every connection is cut, every thread joined
  sdk.join();
  set_error_handler(nullptr);
  EXPECT_EQ(t.server->num_ingest_clients(), 0u);
  EXPECT_EQ(rows_of(*t.store, "/held/open"), 20);
  for (;;) {  // the viewer's connection ends (after whatever was already on its way)
    boost::system::error_code ec;
    beast::flat_buffer buffer;
    ws.ws.read(buffer, ec);
    if (ec) break;
  }
  t.server->stop();  // idempotent
  ::close(fd);
}

}  // namespace
}  // namespace reel::server
