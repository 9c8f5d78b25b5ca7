// Compaction on ingestion: merge limits, large chunks, ids merged away.
#include "reel/store/chunk_store.hpp"

#include <gtest/gtest.h>

#include "store/test_util_internal.hpp"

namespace reel {
namespace {

using namespace store::testing;

TEST(ChunkStoreTest, CompactionMergesSmallChunks) {
  ChunkStoreConfig config;
  config.chunk_max_rows = 100;
  ChunkStore store(config);
  int frame = 0;
  for (int c = 0; c < 50; ++c) {
    std::vector<Row> rows;
    for (auto& i : ids(10)) rows.push_back({i, frame, double(frame)}), ++frame;
    ASSERT_TRUE(store.insert(scalar_chunk("/a", rows)).ok());
  }
  // 500 rows in chunks of at most 100 rows: 5 chunks.
  EXPECT_EQ(store.num_chunks(), 5u);
  for (const auto& c : store.chunks()) EXPECT_LE(c->num_rows(), 100);
  EXPECT_EQ(store.range(between(0, 1000), "/a", kScalar).num_rows(), 500);
  EXPECT_EQ(value_of(*store.latest_at(at(321), "/a", kScalar)), 321.0);
}

TEST(ChunkStoreTest, CompactionUsesTheUnsortedLimitForOutOfOrderData) {
  ChunkStoreConfig config;
  config.chunk_max_rows = 100;
  config.chunk_max_rows_if_unsorted = 20;
  ChunkStore store(config);
  for (int c = 0; c < 10; ++c) {
    std::vector<Row> rows;
    // Each chunk goes back in time: merges would be unsorted.
    for (auto& i : ids(10)) rows.push_back({i, 1000 - c * 10 + int(rows.size()), 1.0});
    ASSERT_TRUE(store.insert(scalar_chunk("/a", rows)).ok());
  }
  for (const auto& c : store.chunks()) EXPECT_LE(c->num_rows(), 20);
  EXPECT_EQ(store.num_chunks(), 5u);
}

TEST(ChunkStoreTest, CompactionRespectsMaxBytes) {
  ChunkStoreConfig config;
  config.chunk_max_bytes = 4096;
  ChunkStore store(config);
  for (int c = 0; c < 40; ++c) {
    std::vector<Row> rows;
    for (auto& i : ids(20)) rows.push_back({i, c * 20 + int(rows.size()), 1.0});
    ASSERT_TRUE(store.insert(scalar_chunk("/a", rows)).ok());
  }
  for (const auto& c : store.chunks()) EXPECT_LE(c->heap_size_bytes(), 4096u + 1024u);
  EXPECT_GT(store.num_chunks(), 1u);
  EXPECT_LT(store.num_chunks(), 40u);
}

TEST(ChunkStoreTest, CompactionOffKeepsEveryChunk) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  for (int c = 0; c < 10; ++c)
    ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), c, 1.0}})).ok());
  EXPECT_EQ(store.num_chunks(), 10u);
}

TEST(ChunkStoreTest, LargeChunksAreStoredAsIs) {
  ChunkStore store;
  std::vector<Row> rows;
  for (auto& i : ids(5000)) rows.push_back({i, TimeInt(rows.size()), 1.0});
  auto big = scalar_chunk("/a", rows);
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), -1, 1.0}})).ok());
  ASSERT_TRUE(store.insert(big).ok());
  EXPECT_EQ(store.chunk(big->id()), big);  // the very same object: not copied
}

TEST(ChunkStoreTest, ChunkInsertedAgainAfterCompactionIsIgnored) {
  ChunkStore store;
  auto a = scalar_chunk("/a", {{RowId::create(), 1, 1.0}});
  auto b = scalar_chunk("/a", {{RowId::create(), 2, 2.0}});
  auto c = scalar_chunk("/a", {{RowId::create(), 3, 3.0}});
  for (const auto& chunk : {a, b, c}) ASSERT_TRUE(store.insert(chunk).ok());
  ASSERT_EQ(store.stats().num_chunks, 1u);  // merged into one
  for (const auto& chunk : {a, b, c}) {
    auto again = store.insert(chunk);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->empty());
  }
  EXPECT_EQ(values_of(store.range(between(0, 5), "/a", kScalar)), (std::vector<double>{1, 2, 3}));
  // Once garbage-collected, the data may come back.
  store.gc({0, 0});
  ASSERT_TRUE(store.insert(a).ok());
  EXPECT_EQ(values_of(store.range(between(0, 5), "/a", kScalar)), (std::vector<double>{1}));
}

}  // namespace
}  // namespace reel
