// The viewer protocol's messages and queries, without networking.
#include "server/protocol.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "reel/arrow/ipc.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/types/archetypes.hpp"
#include "server/server.hpp"

namespace reel::server {
namespace {

using nlohmann::json;

const ComponentDescriptor& scalar() { return Scalars::fields()[0].descriptor; }

ChunkPtr scalar_chunk(const std::string& entity, const std::string& timeline, TimeInt t0, int n) {
  std::vector<int64_t> times;
  std::vector<double> values;
  for (int i = 0; i < n; ++i) {
    times.push_back(t0 + i);
    values.push_back(double(t0 + i) * 0.5);
  }
  ChunkBuilder b(entity);
  for (int i = 0; i < n; ++i) {
    b.add_row(RowId::create(), {{Timeline::sequence(timeline), times[size_t(i)]}},
              {{scalar(), arrow::make_primitive<double>({values[size_t(i)]})}});
  }
  return b.build().value();
}

TEST(ProtocolTest, FrameRoundTrip) {
  ChunkPtr chunk = scalar_chunk("/plots/a", "frame", 0, 5);
  auto frame = encode_frame(FrameKind::kQueryResult, 0xA1B2C3D4u, *chunk);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ((*frame)[0], 2);
  EXPECT_EQ((*frame)[1], 0xD4);  // little-endian request id
  EXPECT_EQ((*frame)[4], 0xA1);
  auto decoded = decode_frame(*frame);
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->kind, FrameKind::kQueryResult);
  EXPECT_EQ(decoded->request_id, 0xA1B2C3D4u);
  EXPECT_EQ(decoded->chunk->id(), chunk->id());
  EXPECT_TRUE(decoded->chunk->content_equals(*chunk));
  EXPECT_FALSE(decode_frame(std::vector<uint8_t>{1, 0, 0}).ok());
  EXPECT_FALSE(decode_frame(std::vector<uint8_t>{9, 0, 0, 0, 0, 1, 2}).ok());
}

TEST(ProtocolTest, CompactRowIdsLeaveOutConsecutiveRowIds) {
  ChunkBuilder cb("/plots/a");
  for (int i = 0; i < 5; ++i) {
    cb.add_row(RowId{7, 100 + uint64_t(i)}, {{Timeline::sequence("frame"), i}},
               {{scalar(), arrow::make_primitive<double>({double(i)})}});
  }
  ChunkPtr chunk = cb.build().value();
  ASSERT_TRUE(chunk->row_ids().is_consecutive());
  auto payload = encode_viewer_payload(*chunk, true);
  ASSERT_TRUE(payload.ok()) << payload.status().to_string();
  auto batch = arrow::ipc::read_stream(*payload, nullptr);
  ASSERT_TRUE(batch.ok()) << batch.status().to_string();
  EXPECT_EQ(batch->schema->field_index("reel.row_id"), -1);
  ASSERT_NE(batch->schema->metadata_value("reel.row_ids_first"), nullptr);
  EXPECT_EQ(*batch->schema->metadata_value("reel.row_ids_first"), chunk->row_id(0).to_string());
  EXPECT_EQ(batch->num_rows, 5);
  EXPECT_EQ(batch->columns.size(), batch->schema->fields.size());
  // Without the request, or with ids that are not consecutive: the full layout.
  auto full = encode_viewer_payload(*chunk, false);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(*full, *format::encode_chunk_payload(*chunk));
  ChunkBuilder b("/plots/a");
  b.add_row(RowId{7, 9}, {{Timeline::sequence("frame"), 0}},
            {{scalar(), arrow::make_primitive<double>({1.0})}});
  b.add_row(RowId{7, 3}, {{Timeline::sequence("frame"), 1}},
            {{scalar(), arrow::make_primitive<double>({2.0})}});
  ChunkPtr unordered = b.build().value();
  ASSERT_FALSE(unordered->row_ids().is_consecutive());
  auto kept = encode_viewer_payload(*unordered, true);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, *format::encode_chunk_payload(*unordered));
}

TEST(ProtocolTest, ParsesQueries) {
  uint32_t id = 0;
  auto q = parse_query(
      R"({"type":"query","id":7,"kind":"latest_at","entity":"/a/b","timeline":"frame","at":"-12"})",
      &id);
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  EXPECT_EQ(id, 7u);
  EXPECT_EQ(q->kind, ViewerQuery::Kind::kLatestAt);
  EXPECT_EQ(q->entity, EntityPath("/a/b"));
  EXPECT_EQ(q->at, -12);
  EXPECT_FALSE(q->component);

  q = parse_query(R"({"type":"query","id":8,"kind":"range","entity":"/a","timeline":"t",
                      "min":1,"max":"9223372036854775807","component":"Scalars:scalars"})",
                  &id);
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  EXPECT_EQ(q->range.min, 1);
  EXPECT_EQ(q->range.max, kTimeMax);
  EXPECT_EQ(*q->component, "Scalars:scalars");
}

TEST(ProtocolTest, BadQueriesNameTheProblem) {
  struct Case {
    const char* text;
    uint32_t id;
    const char* says;
  };
  const Case cases[] = {
      {"not json", 0, "not a JSON object"},
      {R"([1,2])", 0, "not a JSON object"},
      {R"({"type":"query","kind":"range"})", 0, "\"id\""},
      {R"({"type":"query","id":-1})", 0, "\"id\""},
      {R"({"type":"nope","id":3})", 3, "unknown message type"},
      {R"({"type":"query","id":4,"kind":"sideways","entity":"/a","timeline":"t"})", 4,
       "unknown query kind"},
      {R"({"type":"query","id":5,"kind":"latest_at","timeline":"t","at":1})", 5, "\"entity\""},
      {R"({"type":"query","id":6,"kind":"latest_at","entity":"/a","at":1})", 6, "\"timeline\""},
      {R"({"type":"query","id":7,"kind":"latest_at","entity":"/a","timeline":"t"})", 7, "\"at\""},
      {R"({"type":"query","id":8,"kind":"latest_at","entity":"/a","timeline":"t","at":"12x"})", 8,
       "not a decimal i64"},
      {R"({"type":"query","id":9,"kind":"latest_at","entity":"/a","timeline":"t","at":1.5})", 9,
       "integer"},
      {R"({"type":"query","id":10,"kind":"range","entity":"/a","timeline":"t","min":5,"max":1})",
       10, "greater"},
      {R"({"type":"query","id":11,"kind":"range","entity":"a//b","timeline":"t","min":1,"max":2})",
       11, "entity"},
      {R"({"type":"query","id":12,"kind":"range","entity":"/a","timeline":"t","min":1,
           "max":99999999999999999999})",
       12, "max"},
  };
  for (const auto& c : cases) {
    uint32_t id = 999;
    auto q = parse_query(c.text, &id);
    ASSERT_FALSE(q.ok()) << c.text;
    EXPECT_EQ(id, c.id) << c.text;
    EXPECT_NE(q.status().message().find(c.says), std::string::npos)
        << c.text << " -> " << q.status().message();
  }
}

TEST(ProtocolTest, AnswersAreTheStoresProjectedPerComponent) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  ASSERT_TRUE(store.insert(scalar_chunk("/plots/a", "frame", 0, 10)).ok());
  ASSERT_TRUE(store.insert(scalar_chunk("/plots/a", "frame", 10, 10)).ok());
  ViewerQuery q;
  q.kind = ViewerQuery::Kind::kRange;
  q.entity = "/plots/a";
  q.timeline = "frame";
  q.range = {5, 14};
  auto chunks = answer_query(store, q);
  int64_t rows = 0;
  for (const auto& c : chunks) {
    rows += c->num_rows();
    EXPECT_EQ(c->components().size(), 1u);
  }
  EXPECT_EQ(rows, 10);
  q.kind = ViewerQuery::Kind::kLatestAt;
  q.at = 12;
  chunks = answer_query(store, q);
  ASSERT_EQ(chunks.size(), 1u);
  ASSERT_EQ(chunks[0]->num_rows(), 1);
  EXPECT_EQ((*chunks[0]->timeline("frame"))[0], 12);
  q.component = "Nope:nothing";
  EXPECT_TRUE(answer_query(store, q).empty());
  q.entity = "/nobody";
  q.component.reset();
  EXPECT_TRUE(answer_query(store, q).empty());
}

TEST(ProtocolTest, JsonTextsAreValidEvenWithInvalidUtf8) {
  StoreInfo info{"app\xff", "rec", 0};
  auto j = json::parse(hello_json(info));
  EXPECT_EQ(j["type"], "hello");
  EXPECT_EQ(j["version"], 1);
  auto e = json::parse(error_json(3, "bad \xc3"));
  EXPECT_EQ(e["id"], 3);
  auto r = json::parse(chunks_removed_json({RowId{1, 2}}));
  EXPECT_EQ(r["chunk_ids"][0], "00000000000000010000000000000002");
}

TEST(ProtocolTest, EntitiesListTimeRangesPerTimeline) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  ASSERT_TRUE(store.insert(scalar_chunk("/plots/a", "frame", 3, 10)).ok());
  ASSERT_TRUE(store.insert(scalar_chunk("/plots/b", "step", -5, 2)).ok());
  auto j = json::parse(entities_json(store));
  ASSERT_EQ(j["entities"].size(), 2u);
  EXPECT_EQ(j["entities"][0]["path"], "/plots/a");
  EXPECT_EQ(j["entities"][0]["time_ranges"]["frame"]["min"], "3");
  EXPECT_EQ(j["entities"][0]["time_ranges"]["frame"]["max"], "12");
  EXPECT_FALSE(j["entities"][0]["time_ranges"].contains("step"));
  EXPECT_EQ(j["entities"][0]["components"][0]["name"], scalar().identifier());
  EXPECT_EQ(j["entities"][0]["components"][0]["rows"], 10);
  EXPECT_EQ(j["entities"][1]["time_ranges"]["step"]["min"], "-5");
  ASSERT_EQ(j["timelines"].size(), 2u);
  EXPECT_EQ(j["timelines"][0]["name"], "frame");
  EXPECT_EQ(j["timelines"][0]["type"], "sequence");
}

TEST(ProtocolTest, MemorySizes) {
  const uint64_t ram = 8ull << 30;
  EXPECT_EQ(*parse_memory_size("2GB", ram), 2000000000u);
  EXPECT_EQ(*parse_memory_size("2 GiB", ram), 2ull << 30);
  EXPECT_EQ(*parse_memory_size("512mib", ram), 512ull << 20);
  EXPECT_EQ(*parse_memory_size("1.5GB", ram), 1500000000u);
  EXPECT_EQ(*parse_memory_size("100000", ram), 100000u);
  EXPECT_EQ(*parse_memory_size("25%", ram), 2ull << 30);
  EXPECT_EQ(*parse_memory_size("0", ram), 0u);
  EXPECT_EQ(*parse_memory_size("none", ram), 0u);
  for (const char* bad : {"", "GB", "-1GB", "2XB", "150%", "1e3", "abc"}) {
    EXPECT_FALSE(parse_memory_size(bad, ram).ok()) << bad;
  }
}

}  // namespace
}  // namespace reel::server
