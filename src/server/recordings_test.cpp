// Several recordings (recordings.hpp, docs/viewer-protocol.md "Several recordings"): one store
// per recording id, one budget, and viewers shown one recording at a time, every frame
// tagged with its recording's number.
#include "server/recordings.hpp"

#include <gtest/gtest.h>

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
using test_util::sdk_run;
using test_util::TestServer;
using test_util::WsClient;

StoreInfo info(const std::string& app, const std::string& id) {
  StoreInfo i;
  i.application_id = app;
  i.recording_id = id;
  return i;
}

TEST(RecordingSetTest, OneStorePerRecordingIdAndTheUnnamedOneIsNamedFirst) {
  auto first = std::make_shared<ChunkStore>();
  RecordingSet set(first);
  std::vector<std::pair<uint32_t, bool>> told;
  set.listen([&](const RecordingEntry& e, bool created) { told.emplace_back(e.number, created); });
  bool created = true;
  EXPECT_EQ(set.store_for(info("app", "a"), &created), first);  // the unnamed store is named
  EXPECT_FALSE(created);
  EXPECT_EQ(first->info().recording_id, "a");
  auto b = set.store_for(info("app", "b"), &created);
  EXPECT_TRUE(created);
  EXPECT_NE(b, first);
  EXPECT_EQ(b->info().recording_id, "b");
  EXPECT_EQ(set.store_for(info("other app", "a"), &created), first);
  EXPECT_FALSE(created);
  EXPECT_EQ(set.store_for(info("app", "b")), b);
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.number_of("b"), 1u);
  EXPECT_EQ(set.number_of(b.get()), 1u);
  EXPECT_EQ(set.number_of("c"), std::nullopt);
  EXPECT_EQ(set.find(1), b);
  EXPECT_EQ(set.find(2), nullptr);
  EXPECT_EQ(set.default_store(), first);
  // Named (0, not created), then created (1); nothing for stores that existed.
  EXPECT_EQ(told, (std::vector<std::pair<uint32_t, bool>>{{0, false}, {1, true}}));
  // A chunk without a StoreInfo before any recording: a new unnamed recording.
  RecordingSet empty(ChunkStoreConfig{});
  auto unnamed = empty.store_for(StoreInfo{}, &created);
  EXPECT_TRUE(created);
  EXPECT_EQ(empty.store_for(info("app", "x")), unnamed);
  EXPECT_EQ(empty.size(), 1u);
}

// Rows [t0, t0 + n) of `entity`, one chunk per 100 rows.
void fill(ChunkStore& store, const std::string& entity, TimeInt t0, int chunks) {
  for (int k = 0; k < chunks; ++k) {
    ASSERT_TRUE(store.insert(test_util::scalar_chunk(entity, t0 + TimeInt(k) * 100, 100)).ok());
  }
}

std::vector<TimeInt> times_of(const ChunkStore& store, const std::string& entity) {
  std::vector<TimeInt> out;
  for (const auto& c : store
                           .range({"frame", {kTimeMin, kTimeMax}},
                                  EntityPath::parse(entity).value(), test_util::scalar())
                           .chunks) {
    const TimeColumn* col = c->timeline("frame");
    for (int64_t i = 0; i < c->num_rows(); ++i) out.push_back(col->time_at(i));
  }
  return out;
}

TEST(RecordingSetTest, OneBudgetTheLeastRecentlyWrittenRecordingGivesUpItsOldestChunks) {
  ChunkStoreConfig config = ChunkStoreConfig::no_compaction();
  // Measure what 20 chunks take, then give the set room for about 30 of them.
  uint64_t twenty = 0;
  {
    ChunkStore probe(config);
    fill(probe, "/a", 0, 20);
    twenty = probe.memory_bytes();
  }
  config.memory_limit = twenty * 3 / 2;
  RecordingSet set(config);
  auto a = set.store_for(info("app", "a"));
  fill(*a, "/a", 0, 20);
  set.enforce_budget(a.get());
  EXPECT_EQ(a->num_chunks(), 20u);  // within the budget
  auto b = set.store_for(info("app", "b"));
  fill(*b, "/b", 0, 20);
  set.enforce_budget(b.get());
  // Together 40 chunks: over the budget. B was written last: A gives up its oldest chunks,
  // B keeps all of its own.
  EXPECT_LE(set.memory_bytes(), uint64_t(double(config.memory_limit) * 0.9));
  EXPECT_EQ(b->num_chunks(), 20u);
  const size_t kept = a->num_chunks();
  EXPECT_LT(kept, 20u);
  EXPECT_GT(kept, 0u);
  std::vector<TimeInt> expected;
  for (TimeInt t = TimeInt(20 - kept) * 100; t < 2000; ++t) expected.push_back(t);
  EXPECT_EQ(times_of(*a, "/a"), expected);  // the newest rows of A, exactly
  // Now A is written: B is the least recently written and pays.
  fill(*a, "/a", 2000, 10);
  set.enforce_budget(a.get());
  EXPECT_LE(set.memory_bytes(), uint64_t(double(config.memory_limit) * 0.9));
  EXPECT_LT(b->num_chunks(), 20u);
  EXPECT_EQ(times_of(*b, "/b").back(), 1999);  // B's newest chunk stays
  EXPECT_EQ(times_of(*a, "/a").back(), 2999);
}

// Reads a viewer's messages until a kind-1 frame of `until` arrives: the frames by entity
// (rows), their tags, and the texts.
struct Seen {
  std::map<std::string, int64_t> rows;
  std::set<uint32_t> tags;
  std::vector<json> texts;
};
Seen read_until(WsClient& ws, const std::string& until) {
  Seen seen;
  for (;;) {
    WsClient::Message m = ws.read();
    if (m.text) {
      seen.texts.push_back(json::parse(m.data));
      continue;
    }
    auto f = decode_frame({reinterpret_cast<const uint8_t*>(m.data.data()), m.data.size()});
    EXPECT_TRUE(f.ok());
    if (!f.ok()) return seen;
    EXPECT_EQ(f->kind, FrameKind::kChunkAdded);
    seen.tags.insert(f->request_id);
    seen.rows[f->chunk->entity_path().str()] += f->chunk->num_rows();
    if (f->chunk->entity_path().str() == until) return seen;
  }
}

TEST(ServerRecordingsTest, TwoSdkRunsAreTwoRecordingsAndAViewerSeesOnlyTheOneItSelected) {
  TestServer t;
  ASSERT_TRUE(t.server);
  // A viewer connected before any client: it is on recording 0 (unnamed, empty).
  WsClient early(t.server->http_port());
  json hello = early.read_json();
  EXPECT_EQ(hello["type"], "hello");
  EXPECT_EQ(hello["recording"], 0);
  EXPECT_EQ(hello["recordings"].size(), 1u);
  EXPECT_EQ(early.read_json()["type"], "caught_up");

  sdk_run(t.server->ingest_address(), "run/a", 3, 10, "rec-a");
  ASSERT_TRUE(t.log.wait_for(" finished: ")) << t.log.all();
  sdk_run(t.server->ingest_address(), "run/b", 2, 5, "rec-b");
  ASSERT_TRUE(t.log.wait_for(" finished: ", 2)) << t.log.all();

  // Two stores: recording 0 is the first run (it named the unnamed store), 1 the second.
  const auto list = t.server->recordings()->list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].store, t.store);
  EXPECT_EQ(list[0].store->info().recording_id, "rec-a");
  EXPECT_EQ(list[1].store->info().recording_id, "rec-b");
  EXPECT_EQ(rows_of(*list[0].store, "/run/a"), 30);
  EXPECT_EQ(rows_of(*list[0].store, "/run/b"), 0);
  EXPECT_EQ(rows_of(*list[1].store, "/run/b"), 10);
  EXPECT_EQ(rows_of(*list[1].store, "/run/a"), 0);
  EXPECT_TRUE(t.log.count("starts recording rec-b (server_test), a recording of its own") == 1)
      << t.log.all();

  // The early viewer stays on recording 0: its three chunks, tagged 0; it was told of the
  // name and of the second recording.
  Seen e = read_until(early, "/run/a");
  while (e.rows["/run/a"] < 30) {
    Seen more = read_until(early, "/run/a");
    e.rows["/run/a"] += more.rows["/run/a"];
    e.tags.insert(more.tags.begin(), more.tags.end());
    e.texts.insert(e.texts.end(), more.texts.begin(), more.texts.end());
  }
  EXPECT_EQ(e.rows, (std::map<std::string, int64_t>{{"/run/a", 30}}));
  EXPECT_EQ(e.tags, std::set<uint32_t>{0});
  ASSERT_GE(e.texts.size(), 2u);
  EXPECT_EQ(e.texts[0]["type"], "store_info");
  EXPECT_EQ(e.texts[0]["recording_id"], "rec-a");
  EXPECT_EQ(e.texts[0]["recording"], 0);

  // A viewer connecting now starts on the newest recording, B: only B's rows, tagged 1.
  WsClient late(t.server->http_port());
  hello = late.read_json();
  EXPECT_EQ(hello["recording"], 1);
  EXPECT_EQ(hello["recording_id"], "rec-b");
  ASSERT_EQ(hello["recordings"].size(), 2u);
  EXPECT_EQ(hello["recordings"][0]["recording_id"], "rec-a");
  EXPECT_EQ(hello["recordings"][0]["recording"], 0);
  EXPECT_EQ(hello["recordings"][1]["recording_id"], "rec-b");
  EXPECT_EQ(hello["recordings"][1]["application_id"], "server_test");
  int64_t rows = 0;
  for (int k = 0; k < 2; ++k) {
    DecodedFrame f = late.read_frame();
    EXPECT_EQ(f.request_id, 1u);
    EXPECT_EQ(f.chunk->entity_path().str(), "/run/b");
    rows += f.chunk->num_rows();
  }
  EXPECT_EQ(rows, 10);
  json caught_up = late.read_json();
  EXPECT_EQ(caught_up["type"], "caught_up");
  EXPECT_EQ(caught_up["chunks"], 2);
  EXPECT_EQ(caught_up["recording"], 1);

  // Live: a third run of A, then a last chunk of B. The viewer of B gets only B's.
  sdk_run(t.server->ingest_address(), "run/a", 4, 10, "rec-a", 1000);
  ASSERT_TRUE(t.log.wait_for(" finished: ", 3)) << t.log.all();
  sdk_run(t.server->ingest_address(), "run/b2", 1, 7, "rec-b");
  Seen l = read_until(late, "/run/b2");
  EXPECT_EQ(l.rows, (std::map<std::string, int64_t>{{"/run/b2", 7}}));
  EXPECT_EQ(l.tags, std::set<uint32_t>{1});
  EXPECT_EQ(rows_of(*list[0].store, "/run/a"), 70);

  // Switching to A: `selected`, then A's backlog (exactly its 70 rows, tagged 0), caught_up.
  late.send(R"({"type": "select_recording", "recording_id": "rec-a"})");
  json selected = late.read_json();
  EXPECT_EQ(selected["type"], "selected");
  EXPECT_EQ(selected["recording"], 0);
  EXPECT_EQ(selected["recording_id"], "rec-a");
  rows = 0;
  for (;;) {
    WsClient::Message m = late.read();
    if (m.text) {
      json j = json::parse(m.data);
      EXPECT_EQ(j["type"], "caught_up");
      EXPECT_EQ(j["recording"], 0);
      EXPECT_EQ(j["chunks"], list[0].store->num_chunks());
      break;
    }
    auto f = decode_frame({reinterpret_cast<const uint8_t*>(m.data.data()), m.data.size()});
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->request_id, 0u);
    EXPECT_EQ(f->chunk->entity_path().str(), "/run/a");
    rows += f->chunk->num_rows();
  }
  EXPECT_EQ(rows, 70);
  // An unknown recording is an error naming what there is.
  late.send(R"({"type": "select_recording", "id": 4, "recording_id": "nope"})");
  json error = late.read_json();
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["id"], 4);
  EXPECT_EQ(error["message"],
            "select_recording: no recording 'nope' (the server holds 0 'rec-a', 1 'rec-b')");

  // /api/info lists both; /api/entities takes the recording.
  json api = json::parse(test_util::http_get(t.server->http_port(), "/api/info").body);
  ASSERT_EQ(api["recordings"].size(), 2u);
  EXPECT_EQ(api["recording_id"], "rec-a");
  EXPECT_EQ(api["recordings"][1]["recording_id"], "rec-b");
  EXPECT_EQ(api["recordings"][1]["rows"], 17);
  EXPECT_EQ(api["recordings"][0]["rows"], 70);
  json ents =
      json::parse(test_util::http_get(t.server->http_port(), "/api/entities?recording=rec-b").body);
  ASSERT_EQ(ents["entities"].size(), 2u);
  EXPECT_EQ(ents["entities"][0]["path"], "/run/b");
  EXPECT_EQ(ents["entities"][1]["path"], "/run/b2");
  EXPECT_EQ(test_util::http_get(t.server->http_port(), "/api/entities?recording=zz").status, 404u);
}

TEST(ServerRecordingsTest, AViewerCanAskForARecordingAndGetsItsBacklogOverHttpTagged) {
  TestServer t;
  ASSERT_TRUE(t.server);
  sdk_run(t.server->ingest_address(), "one", 2, 3, "rec-1");
  sdk_run(t.server->ingest_address(), "two", 1, 4, "rec-2");
  ASSERT_TRUE(t.log.wait_for(" finished: ", 2)) << t.log.all();
  WsClient ws(t.server->http_port(), "/ws?backlog=http&recording=rec-1");
  json hello = ws.read_json();
  EXPECT_EQ(hello["recording"], 0);
  EXPECT_EQ(hello["recording_id"], "rec-1");
  json backlog = ws.read_json();
  EXPECT_EQ(backlog["type"], "backlog");
  EXPECT_EQ(backlog["chunks"], 2);
  EXPECT_EQ(backlog["recording"], 0);
  // Switch before fetching: the offered backlog of rec-1 is withdrawn, rec-2's is offered.
  ws.send(R"({"type": "select_recording", "recording": 1})");
  for (;;) {
    json j = ws.read_json();
    if (j["type"] == "selected") break;
    EXPECT_EQ(j["type"], "caught_up");  // rec-1's, when sent before the switch
    EXPECT_EQ(j["recording"], 0);
  }
  json second = ws.read_json();
  EXPECT_EQ(second["type"], "backlog");
  EXPECT_EQ(second["recording"], 1);
  EXPECT_EQ(second["chunks"], 1);
  EXPECT_EQ(test_util::http_get(t.server->http_port(), backlog["url"]).status, 404u);
  auto reply = test_util::http_get(t.server->http_port(), second["url"]);
  ASSERT_EQ(reply.status, 200u);
  // One frame: u32 length, then a kind-1 frame tagged 1 holding rec-2's four rows.
  ASSERT_GT(reply.body.size(), 4u);
  const auto* bytes = reinterpret_cast<const uint8_t*>(reply.body.data());
  const uint32_t n = uint32_t(bytes[0]) | uint32_t(bytes[1]) << 8 | uint32_t(bytes[2]) << 16 |
                     uint32_t(bytes[3]) << 24;
  ASSERT_EQ(reply.body.size(), 4u + n);
  auto f = decode_frame({bytes + 4, n});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->request_id, 1u);
  EXPECT_EQ(f->chunk->entity_path().str(), "/two");
  EXPECT_EQ(f->chunk->num_rows(), 4);
  json caught_up = ws.read_json();
  EXPECT_EQ(caught_up["type"], "caught_up");
  EXPECT_EQ(caught_up["recording"], 1);
  EXPECT_EQ(caught_up["chunks"], 1);
}

}  // namespace
}  // namespace reel::server
