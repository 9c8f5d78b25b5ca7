// The viewer service fed with hand-made store events, read through a WebSocket client
// (viewer_service.cpp: the mirror and the fan-out to sessions).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/address.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "server/server_internal.hpp"
#include "server/test_fixtures.hpp"

namespace reel::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using nlohmann::json;
using test_util::scalar_chunk;
using test_util::WsClient;

// The viewer service fed with hand-made store events (a compaction that does not append is
// not something the store does today, but the protocol's order must hold for it too).
struct DirectViewerService {
  asio::io_context io{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::shared_ptr<ChunkStore> store = std::make_shared<ChunkStore>(ChunkStoreConfig());
  ServerOptions options;
  std::unique_ptr<internal::ViewerService> service;
  std::thread thread;
  DirectViewerService() {
    service = internal::make_viewer_service(
        {io, std::make_shared<RecordingSet>(store), options, [](const std::string&) {}, {}});
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
  void added(const ChunkPtr& c) { service->post_events(0, {test_util::addition(c)}); }
  // Compaction appended `incoming` behind `old` (ChunkStoreEvent::appended says so).
  void appended(const ChunkPtr& old, const ChunkPtr& merged, const ChunkPtr& incoming) {
    service->post_events(0, test_util::append_events(old, merged, incoming));
  }
  // A merge that is not an append.
  void replaced(const ChunkPtr& old, const ChunkPtr& c, std::vector<ChunkId> from) {
    service->post_events(0, test_util::replace_events(old, c, std::move(from)));
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
  std::vector<std::string> expected = {a->id().to_string(), b->id().to_string(),
                                       c->id().to_string()};
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
  d.service->post_events(0, {test_util::deletion(xy), test_util::deletion(shuffled)});
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

}  // namespace
}  // namespace reel::server
