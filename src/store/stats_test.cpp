// Memory accounting and statistics.
#include "reel/store/chunk_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "store/test_util_internal.hpp"

namespace reel {
namespace {

using namespace store::testing;

TEST(ChunkStoreTest, MemoryCountsSharedBuffersOnce) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  std::vector<Row> rows;
  for (auto& i : ids(10000)) rows.push_back({i, TimeInt(rows.size()), 1.0});
  auto big = scalar_chunk("/a", rows);
  ASSERT_TRUE(store.insert(big->slice(0, 5000)).ok());
  uint64_t one = store.memory_bytes();
  ASSERT_TRUE(store.insert(big->slice(5000, 5000)->with_id(RowId::create())).ok());
  uint64_t two = store.memory_bytes();
  // The second slice shares the first one's buffers: only bookkeeping is added.
  EXPECT_LT(two - one, 2048u);
  EXPECT_GE(one, 10000u * 8);  // the full value buffer is counted
}

TEST(ChunkStoreTest, StatsPerEntityAndComponent) {
  ChunkStore store;
  auto id = ids(3);
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[0], 1, 1.0}, {id[1], 2, std::nullopt}})).ok());
  ASSERT_TRUE(store.insert(scalar_chunk("/b", {{id[2], std::nullopt, 3.0}})).ok());
  auto st = store.stats();
  EXPECT_EQ(st.num_chunks, 2u);
  EXPECT_EQ(st.num_rows, 3);
  EXPECT_EQ(st.num_static_chunks, 1u);
  EXPECT_GT(st.total_bytes(), 0u);
  auto cs = store.component_stats();
  ASSERT_EQ(cs.size(), 4u);
  auto it = std::find_if(cs.begin(), cs.end(), [](const ComponentStats& s) {
    return s.entity == EntityPath("/a") && s.component == kScalar;
  });
  ASSERT_NE(it, cs.end());
  EXPECT_EQ(it->num_rows, 1);
  EXPECT_EQ(store.entities(), (std::vector<EntityPath>{"/a", "/b"}));
  EXPECT_EQ(store.timelines(), (std::vector<Timeline>{Timeline::sequence("frame")}));
  EXPECT_EQ(store.time_range("frame"), (TimeRange{1, 2}));
}

}  // namespace
}  // namespace reel
