// Events: order, content, and delivery to subscribers that query or insert.
#include "reel/store/chunk_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <span>
#include <thread>
#include <vector>

#include "store/test_util_internal.hpp"

namespace reel {
namespace {

using namespace store::testing;

TEST(ChunkStoreTest, EventsReportAdditionsCompactionsAndDeletions) {
  ChunkStore store;
  std::vector<ChunkStoreEvent> seen;
  store.subscribe([&](std::span<const ChunkStoreEvent> events) {
    seen.insert(seen.end(), events.begin(), events.end());
  });
  auto a = scalar_chunk("/a", {{RowId::create(), 1, 1.0}});
  auto b = scalar_chunk("/a", {{RowId::create(), 2, 2.0}});
  ASSERT_TRUE(store.insert(a).ok());
  ASSERT_TRUE(store.insert(b).ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].kind, ChunkStoreEventKind::kAddition);
  EXPECT_EQ(seen[0].chunk->id(), a->id());
  EXPECT_EQ(seen[1].kind, ChunkStoreEventKind::kDeletion);
  EXPECT_EQ(seen[1].chunk->id(), a->id());
  EXPECT_EQ(seen[2].kind, ChunkStoreEventKind::kAddition);
  EXPECT_EQ(seen[2].compacted_from, (std::vector<ChunkId>{a->id(), b->id()}));
  ASSERT_TRUE(seen[2].appended.has_value());
  EXPECT_EQ(seen[2].appended->replaced, a->id());
  EXPECT_EQ(seen[2].appended->incoming, b->id());
  EXPECT_EQ(seen[2].appended->offset, 1);
  EXPECT_FALSE(seen[0].appended.has_value());
  EXPECT_LT(seen[0].event_id, seen[2].event_id);
  store.gc({0, 0});
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[3].kind, ChunkStoreEventKind::kDeletion);
}

TEST(ChunkStoreTest, SubscribersMayQueryTheStore) {
  ChunkStore store;
  size_t found = 0;
  store.subscribe([&](std::span<const ChunkStoreEvent>) {
    if (store.latest_at(at(100), "/a", kScalar)) ++found;
  });
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), 1, 1.0}})).ok());
  EXPECT_EQ(found, 1u);
}

// Two writers while a slow subscriber queries: no deadlock, every event delivered once, in
// event-id order, one subscriber call at a time.
TEST(ChunkStoreTest, ConcurrentWritersWithAQueryingSubscriber) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  std::vector<uint64_t> event_ids;
  store.subscribe([&](std::span<const ChunkStoreEvent> events) {
    if (inside.fetch_add(1) != 0) overlapped = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    (void)store.latest_at(at(100), "/a", kScalar);
    for (const auto& e : events) event_ids.push_back(e.event_id);
    inside.fetch_sub(1);
  });
  auto writer = [&](const char* entity) {
    for (int i = 0; i < 30; ++i) {
      ASSERT_TRUE(store.insert(scalar_chunk(entity, {{RowId::create(), i, 1.0}})).ok());
    }
  };
  std::thread t1(writer, "/a"), t2(writer, "/b");
  t1.join();
  t2.join();
  EXPECT_FALSE(overlapped);
  ASSERT_EQ(event_ids.size(), 60u);
  EXPECT_TRUE(std::is_sorted(event_ids.begin(), event_ids.end()));
}

// An insert from inside a subscriber is delivered after the current delivery, in order.
TEST(ChunkStoreTest, InsertFromASubscriberKeepsEventOrder) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  std::vector<uint64_t> first, second;
  bool reinserted = false;
  store.subscribe([&](std::span<const ChunkStoreEvent> events) {
    for (const auto& e : events) first.push_back(e.event_id);
    if (!reinserted) {
      reinserted = true;
      ASSERT_TRUE(store.insert(scalar_chunk("/b", {{RowId::create(), 1, 2.0}})).ok());
    }
  });
  store.subscribe([&](std::span<const ChunkStoreEvent> events) {
    for (const auto& e : events) second.push_back(e.event_id);
  });
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), 1, 1.0}})).ok());
  EXPECT_EQ(first, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(second, (std::vector<uint64_t>{1, 2}));
}

}  // namespace
}  // namespace reel
