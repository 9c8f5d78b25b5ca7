// The viewer's subscribe message: parsing and the answer against a store (subscribe.cpp).
#include "server/subscribe_internal.hpp"

#include <gtest/gtest.h>

#include "server/test_chunks.hpp"

namespace reel::server::internal {
namespace {

using test_util::scalar_chunk;

TEST(SubscribeTest, ParsesTheMessage) {
  uint32_t id = 0;
  auto r = parse_subscribe(
      R"({"type":"subscribe","id":9,"timeline":"frame","min":"-5","max":20,"entities":["/a","/b/c"]})",
      &id);
  ASSERT_TRUE(r && r->ok()) << (r ? r->status().to_string() : "not a subscribe");
  EXPECT_EQ(id, 9u);
  EXPECT_EQ((*r)->timeline, "frame");
  EXPECT_EQ((*r)->range.min, -5);
  EXPECT_EQ((*r)->range.max, 20);
  ASSERT_EQ((*r)->entities.size(), 2u);
  EXPECT_EQ((*r)->entities[1], EntityPath("/b/c"));
  auto all = parse_subscribe(R"({"type":"subscribe","id":1,"timeline":"t","min":0,"max":0})", &id);
  ASSERT_TRUE(all && all->ok());
  EXPECT_TRUE((*all)->entities.empty());
  // Other messages are not subscribes: the query parser answers them.
  EXPECT_FALSE(parse_subscribe(R"({"type":"query","id":1})", &id));
  EXPECT_FALSE(parse_subscribe("not json", &id));
}

TEST(SubscribeTest, RejectsBadMessagesNamingTheField) {
  uint32_t id = 0;
  auto check = [&](const char* text, const char* expected) {
    auto r = parse_subscribe(text, &id);
    ASSERT_TRUE(r);
    ASSERT_FALSE(r->ok()) << text;
    EXPECT_NE(r->status().message().find(expected), std::string::npos) << r->status().message();
  };
  check(R"({"type":"subscribe","timeline":"t","min":0,"max":1})", "\"id\"");
  check(R"({"type":"subscribe","id":3,"min":0,"max":1})", "\"timeline\"");
  check(R"({"type":"subscribe","id":3,"timeline":"t","max":1})", "\"min\"");
  check(R"({"type":"subscribe","id":3,"timeline":"t","min":"x","max":1})", "\"min\"");
  check(R"({"type":"subscribe","id":3,"timeline":"t","min":5,"max":1})", "greater");
  check(R"({"type":"subscribe","id":3,"timeline":"t","min":0,"max":1,"entities":"/a"})",
        "not an array");
  check(R"({"type":"subscribe","id":3,"timeline":"t","min":0,"max":1,"entities":[3]})",
        "entities[0]");
  EXPECT_EQ(id, 3u);
}

TEST(SubscribeTest, AnswersTheRowsOfTheWindowUnderStoreChunkIds) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  ChunkPtr a0 = scalar_chunk("/a", 0, 10);   // frames 0..9
  ChunkPtr a1 = scalar_chunk("/a", 10, 10);  // 10..19
  ChunkPtr a2 = scalar_chunk("/a", 20, 10);  // 20..29
  ChunkPtr b0 = scalar_chunk("/b", 0, 30);   // 0..29
  for (const auto& c : {a0, a1, a2, b0}) ASSERT_TRUE(store.insert(c).ok());
  SubscribeRequest r;
  r.timeline = "frame";
  r.range = {5, 14};
  r.entities = {EntityPath("/a")};
  auto chunks = answer_subscribe(store, r);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0]->id(), a0->id());
  EXPECT_EQ(chunks[0]->num_rows(), 5);  // frames 5..9
  EXPECT_EQ(chunks[0]->timeline("frame")->time_at(0), 5);
  EXPECT_EQ(chunks[1]->id(), a1->id());
  EXPECT_EQ(chunks[1]->num_rows(), 5);  // frames 10..14
  EXPECT_EQ(chunks[1]->timeline("frame")->time_at(4), 14);
  EXPECT_EQ(chunks[1]->row_id(0), a1->row_id(0));
  // Every entity; a window covering a chunk gives it whole.
  r.entities.clear();
  r.range = {10, 19};
  chunks = answer_subscribe(store, r);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].get(), a1.get());
  EXPECT_EQ(chunks[1]->entity_path(), EntityPath("/b"));
  EXPECT_EQ(chunks[1]->num_rows(), 10);
  // Unknown timeline or entity: nothing.
  r.timeline = "other";
  EXPECT_TRUE(answer_subscribe(store, r).empty());
  r.timeline = "frame";
  r.entities = {EntityPath("/nope")};
  EXPECT_TRUE(answer_subscribe(store, r).empty());
}

}  // namespace
}  // namespace reel::server::internal
