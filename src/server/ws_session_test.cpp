// The WebSocket protocol over real sockets, with a Boost.Beast client (ws_session.cpp and
// the viewer sync behind it): hello, backlog, caught_up, live changes, queries, removals,
// compaction while viewers read, viewers connecting mid-stream, a slow viewer disconnected.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "server/test_fixtures.hpp"
#include "server/test_util.hpp"

namespace reel::server {
namespace {

using nlohmann::json;
using test_util::rows_of;
using test_util::scalar;
using test_util::scalar_chunk;
using test_util::sdk_client;
using test_util::TestServer;
using test_util::WsClient;

TEST(ServerWebSocketTest, HelloBacklogCaughtUpThenLiveChangesAndQueries) {
  TestServer t;
  ASSERT_TRUE(t.server);
  t.store->set_info({"ws_app", "ws_rec", 0});
  std::vector<ChunkPtr> initial = {scalar_chunk("/plots/a", 0, 10),
                                   scalar_chunk("/plots/a", 10, 10),
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
  ws.send(
      R"({"type":"query","id":1,"kind":"latest_at","entity":"/plots/a","timeline":"frame","at":"12"})");
  auto answer = ws.answer(1);
  ASSERT_EQ(answer.size(), 1u);
  ASSERT_EQ(answer[0]->num_rows(), 1);
  EXPECT_EQ((*answer[0]->timeline("frame"))[0], 12);
  ASSERT_EQ(answer[0]->components().size(), 1u);
  EXPECT_EQ(arrow::PrimitiveArray<double>(answer[0]->components()[0].list.row_values(0)).value(0),
            6.0);

  // Range [5, 22] on /plots/a, numbers as times: rows 5..22 in order, across three chunks.
  ws.send(
      R"({"type":"query","id":2,"kind":"range","entity":"/plots/a","timeline":"frame","min":5,"max":22,"component":"Scalars:scalars"})");
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
  ws.send(
      R"({"type":"query","id":3,"kind":"latest_at","entity":"/plots/a","timeline":"frame","at":-1})");
  EXPECT_TRUE(ws.answer(3).empty());
  ws.send(
      R"({"type":"query","id":4,"kind":"range","entity":"/nobody","timeline":"frame","min":0,"max":9})");
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
  ws.send(
      R"({"type":"query","id":6,"kind":"range","entity":"/plots/a","timeline":"frame","min":"x","max":1})");
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
  int64_t rows_received = 0;  // over all kind-1 frames
  uint64_t frame_bytes = 0;   // kind-1 frames, prefix included
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
      EXPECT_TRUE(
          test_util::eventually([&] { return t.store->generation() >= uint64_t(v) * 300; }));
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
    auto chunk = Chunk::make(RowId::create(), "/firehose",
                             RowIdColumn::consecutive(RowId::reserve(65536), 65536),
                             {TimeColumn::sequence("frame", times)}, Scalars::columns(values));
    ASSERT_TRUE(chunk.ok());
    ASSERT_TRUE(t.store->insert(*chunk).ok());
  }
  EXPECT_TRUE(t.log.wait_for("does not read fast enough")) << t.log.all();
}

}  // namespace
}  // namespace reel::server
