// Garbage collection.
#include "reel/store/chunk_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "store/test_util_internal.hpp"

namespace reel {
namespace {

using namespace store::testing;

TEST(ChunkStoreGcTest, BudgetIsRespected) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  int frame = 0;
  for (int c = 0; c < 100; ++c) {
    std::vector<Row> rows;
    for (auto& i : ids(100)) rows.push_back({i, frame, double(frame)}), ++frame;
    ASSERT_TRUE(store.insert(scalar_chunk("/a", rows)).ok());
  }
  uint64_t before = store.memory_bytes();
  auto report = store.gc({before / 4, 0});
  EXPECT_LE(store.memory_bytes(), before / 4);
  EXPECT_EQ(report.bytes_before, before);
  EXPECT_EQ(report.bytes_after, store.memory_bytes());
  EXPECT_GT(report.chunks_removed, 0u);
  // Oldest first: what remains is the newest data, and it still answers exactly.
  auto r = store.range(between(0, 1 << 30), "/a", kScalar);
  auto values = values_of(r);
  ASSERT_FALSE(values.empty());
  EXPECT_EQ(values.back(), 9999.0);
  EXPECT_EQ(values.front(), 10000.0 - double(values.size()));
  EXPECT_EQ(value_of(*store.latest_at(at(9999), "/a", kScalar)), 9999.0);
  EXPECT_FALSE(store.latest_at(at(values.front() - 1), "/a", kScalar).has_value());
}

// Compaction keeps merging fresh rows into /a's first chunk; that chunk is as new as its
// newest row, so GC takes /b's older chunk first and /a keeps its newest data.
TEST(ChunkStoreGcTest, ChunkGrownByCompactionIsAsNewAsItsNewestRow) {
  ChunkStore store;
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), 1, 1.0}})).ok());
  ASSERT_TRUE(store.insert(scalar_chunk("/b", {{RowId::create(), 1, 2.0}})).ok());
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), 2, 3.0}})).ok());
  ASSERT_EQ(store.num_chunks(), 2u);
  auto report = store.gc({store.memory_bytes() - 1, 0});
  EXPECT_EQ(report.chunks_removed, 1u);
  EXPECT_FALSE(store.latest_at(at(10), "/b", kScalar));
  EXPECT_EQ(values_of(store.range(between(0, 10), "/a", kScalar)), (std::vector<double>{1, 3}));
}

TEST(ChunkStoreGcTest, StaticDataSurvives) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  ASSERT_TRUE(store.insert(scalar_chunk("/s", {{RowId::create(), std::nullopt, 42.0}})).ok());
  for (int c = 0; c < 10; ++c)
    ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), c, 1.0}})).ok());
  store.gc({0, 0});
  EXPECT_EQ(store.num_chunks(), 1u);
  EXPECT_EQ(value_of(*store.latest_at(at(0), "/s", kScalar)), 42.0);
  EXPECT_FALSE(store.latest_at(at(100), "/a", kScalar));
}

TEST(ChunkStoreGcTest, ProtectLatestKeepsTheNewestChunks) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  for (int c = 0; c < 10; ++c)
    ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), c, double(c)}})).ok());
  store.gc({0, 2});
  EXPECT_EQ(store.num_chunks(), 2u);
  EXPECT_EQ(values_of(store.range(between(0, 100), "/a", kScalar)), (std::vector<double>{8, 9}));
}

TEST(ChunkStoreGcTest, MemoryLimitHoldsWhileFourTimesTheBudgetIsInserted) {
  ChunkStoreConfig config = ChunkStoreConfig::no_compaction();
  config.memory_limit = 256 * 1024;
  ChunkStore store(config);
  ASSERT_TRUE(store.insert(scalar_chunk("/s", {{RowId::create(), std::nullopt, 42.0}})).ok());
  int frame = 0;
  uint64_t inserted = 0, peak = 0;
  while (inserted < 4 * config.memory_limit) {
    std::vector<Row> rows;
    for (auto& i : ids(200)) rows.push_back({i, frame, double(frame)}), ++frame;
    auto chunk = scalar_chunk("/a", rows);
    inserted += chunk->heap_size_bytes();
    ASSERT_TRUE(store.insert(chunk).ok());
    peak = std::max(peak, store.memory_bytes());
  }
  EXPECT_LE(peak, config.memory_limit);
  EXPECT_EQ(value_of(*store.latest_at(at(0), "/s", kScalar)), 42.0);  // static survives
  auto last = store.latest_at(at(frame), "/a", kScalar);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->time, frame - 1);                     // the newest data survives
  EXPECT_FALSE(store.latest_at(at(0), "/a", kScalar));  // the oldest is gone
}

}  // namespace
}  // namespace reel
