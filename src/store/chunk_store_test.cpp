#include "reel/store/chunk_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <random>
#include <thread>

namespace reel {
namespace {

const ComponentDescriptor kScalar("Scalars", "scalars", "reel.components.Scalar");
const ComponentDescriptor kColor("Points3D", "colors", "reel.components.Color");
const ComponentDescriptor kLabel("Points3D", "labels", "reel.components.Text");

struct Row {
  RowId id;
  std::optional<TimeInt> frame;  // none: static
  std::optional<double> value;   // none: null cell
};

// A chunk of scalars on timeline "frame" (or static when rows have no frame).
ChunkPtr scalar_chunk(const EntityPath& entity, const std::vector<Row>& rows) {
  ChunkBuilder b(entity);
  for (const auto& r : rows) {
    std::vector<ChunkBuilder::TimePoint> times;
    if (r.frame) times.push_back({Timeline::sequence("frame"), *r.frame});
    std::vector<ChunkBuilder::Cell> cells;
    cells.push_back({kScalar, r.value ? arrow::make_primitive<double>({*r.value}) : nullptr});
    cells.push_back({kColor, arrow::make_primitive<uint32_t>({0xFF0000FFu})});
    b.add_row(r.id, std::move(times), std::move(cells));
  }
  auto c = b.build();
  EXPECT_TRUE(c.ok()) << c.status().to_string();
  return *c;
}

double value_of(const LatestAtResult& r) {
  auto a = r.instances(kScalar);
  return arrow::PrimitiveArray<double>(a).value(0);
}

std::vector<double> values_of(const RangeResult& r) {
  std::vector<double> out;
  for (const auto& c : r.chunks) {
    const ComponentColumn* col = c->component(kScalar);
    for (int64_t i = 0; i < c->num_rows(); ++i) {
      out.push_back(arrow::PrimitiveArray<double>(col->list.row_values(i)).value(0));
    }
  }
  return out;
}

std::vector<RowId> ids(int n) {
  RowId first = RowId::reserve(uint64_t(n));
  std::vector<RowId> out;
  for (int i = 0; i < n; ++i) out.push_back(first.plus(uint64_t(i)));
  return out;
}

LatestAtQuery at(TimeInt t) { return {"frame", t}; }
RangeQuery between(TimeInt a, TimeInt b) { return {"frame", {a, b}}; }

TEST(ChunkStoreTest, LatestAtReturnsGreatestTimeAtOrBefore) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  auto id = ids(3);
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[0], 10, 1.0}, {id[1], 20, 2.0}, {id[2], 30, 3.0}})).ok());
  EXPECT_FALSE(store.latest_at(at(9), "/a", kScalar).has_value());
  EXPECT_EQ(value_of(*store.latest_at(at(10), "/a", kScalar)), 1.0);
  EXPECT_EQ(value_of(*store.latest_at(at(25), "/a", kScalar)), 2.0);
  auto r = store.latest_at(at(1000), "/a", kScalar);
  EXPECT_EQ(value_of(*r), 3.0);
  EXPECT_EQ(r->time, 30);
  EXPECT_EQ(r->row_id, id[2]);
  EXPECT_FALSE(r->is_static);
}

TEST(ChunkStoreTest, LatestAtBreaksTimeTiesByRowId) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  auto id = ids(3);
  // Inserted newest-first, in separate chunks: the highest RowId at the tie still wins.
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[2], 5, 3.0}})).ok());
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[0], 5, 1.0}, {id[1], 5, 2.0}})).ok());
  EXPECT_EQ(value_of(*store.latest_at(at(5), "/a", kScalar)), 3.0);
}

TEST(ChunkStoreTest, LatestAtSkipsNullCells) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  auto id = ids(3);
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[0], 1, 1.0}, {id[1], 2, std::nullopt}, {id[2], 3, std::nullopt}})).ok());
  auto r = store.latest_at(at(3), "/a", kScalar);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->time, 1);
  // The other component of those rows is still found at time 3.
  EXPECT_EQ(store.latest_at(at(3), "/a", kColor)->time, 3);
}

TEST(ChunkStoreTest, UnknownEntityTimelineOrComponentIsEmpty) {
  ChunkStore store;
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), 1, 1.0}})).ok());
  EXPECT_FALSE(store.latest_at(at(5), "/b", kScalar));
  EXPECT_FALSE(store.latest_at({"other", 5}, "/a", kScalar));
  EXPECT_FALSE(store.latest_at(at(5), "/a", kLabel));
  EXPECT_TRUE(store.range(between(0, 10), "/b", kScalar).chunks.empty());
}

TEST(ChunkStoreTest, StaticShadowsTemporal) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  auto id = ids(3);
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[0], 1, 1.0}})).ok());
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[1], std::nullopt, 42.0}})).ok());
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[2], 5, 5.0}})).ok());  // newer, still shadowed
  auto r = store.latest_at(at(10), "/a", kScalar);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->is_static);
  EXPECT_EQ(value_of(*r), 42.0);
  auto range = store.range(between(0, 10), "/a", kScalar);
  EXPECT_TRUE(range.is_static);
  EXPECT_EQ(values_of(range), std::vector<double>{42.0});
}

TEST(ChunkStoreTest, StaticBelongsToTimelinesNotYetCreated) {
  ChunkStore store;
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), std::nullopt, 7.0}})).ok());
  auto r = store.latest_at({"a_timeline_nobody_logged", 0}, "/a", kScalar);
  ASSERT_TRUE(r);
  EXPECT_EQ(value_of(*r), 7.0);
}

TEST(ChunkStoreTest, NewestStaticRowWinsWhateverTheInsertOrder) {
  ChunkStore store;
  auto id = ids(2);
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[1], std::nullopt, 2.0}})).ok());
  auto events = store.insert(scalar_chunk("/a", {{id[0], std::nullopt, 1.0}}));
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty());  // entirely superseded: not stored
  EXPECT_EQ(value_of(*store.latest_at(at(0), "/a", kScalar)), 2.0);
  EXPECT_EQ(store.num_chunks(), 1u);
}

TEST(ChunkStoreTest, SupersededStaticChunkIsDropped) {
  ChunkStore store;
  auto id = ids(2);
  auto first = scalar_chunk("/a", {{id[0], std::nullopt, 1.0}});
  ASSERT_TRUE(store.insert(first).ok());
  auto events = store.insert(scalar_chunk("/a", {{id[1], std::nullopt, 2.0}}));
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].kind, ChunkStoreEventKind::kAddition);
  EXPECT_EQ((*events)[1].kind, ChunkStoreEventKind::kDeletion);
  EXPECT_EQ((*events)[1].chunk->id(), first->id());
  EXPECT_EQ(store.num_chunks(), 1u);
  EXPECT_EQ(store.chunk(first->id()), nullptr);
}

TEST(ChunkStoreTest, PartlyVisibleStaticChunkIsKept) {
  ChunkStore store;
  auto id = ids(2);
  // The first chunk has scalar and color; the second overrides only the scalar.
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[0], std::nullopt, 1.0}})).ok());
  ChunkBuilder b("/a");
  b.add_row(id[1], {}, {{kScalar, arrow::make_primitive<double>({2.0})}});
  ASSERT_TRUE(store.insert(*b.build()).ok());
  EXPECT_EQ(store.num_chunks(), 2u);
  EXPECT_EQ(value_of(*store.latest_at(at(0), "/a", kScalar)), 2.0);
  EXPECT_EQ(store.latest_at(at(0), "/a", kColor)->row_id, id[0]);
}

TEST(ChunkStoreTest, RangeIsInclusiveAndOrdered) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  auto id = ids(5);
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[0], 1, 1.0}, {id[1], 2, 2.0}, {id[2], 3, 3.0},
                                                {id[3], 4, 4.0}, {id[4], 5, 5.0}}))
                  .ok());
  EXPECT_EQ(values_of(store.range(between(2, 4), "/a", kScalar)), (std::vector<double>{2, 3, 4}));
  EXPECT_EQ(values_of(store.range(between(5, 5), "/a", kScalar)), (std::vector<double>{5}));
  EXPECT_TRUE(store.range(between(6, 9), "/a", kScalar).chunks.empty());
}

TEST(ChunkStoreTest, RangeSkipsNullCells) {
  ChunkStore store;
  auto id = ids(3);
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[0], 1, 1.0}, {id[1], 2, std::nullopt}, {id[2], 3, 3.0}})).ok());
  auto r = store.range(between(0, 10), "/a", kScalar);
  EXPECT_EQ(values_of(r), (std::vector<double>{1, 3}));
  EXPECT_EQ(r.num_rows(), 2);
}

TEST(ChunkStoreTest, RangeReturnsSlicesWithoutCopying) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  std::vector<Row> rows;
  for (auto& i : ids(100)) rows.push_back({i, TimeInt(rows.size()), double(rows.size())});
  auto chunk = scalar_chunk("/a", rows);
  ASSERT_TRUE(store.insert(chunk).ok());
  auto r = store.range(between(10, 19), "/a", kScalar);
  ASSERT_EQ(r.chunks.size(), 1u);
  EXPECT_EQ(r.chunks[0]->num_rows(), 10);
  EXPECT_EQ(r.chunks[0]->component(kScalar)->list.values()->buffers[1],
            chunk->component(kScalar)->list.values()->buffers[1]);
}

TEST(ChunkStoreTest, RangeMergesOverlappingChunksInOrder) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  auto id = ids(6);
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[0], 1, 1.0}, {id[2], 3, 3.0}, {id[4], 5, 5.0}})).ok());
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[1], 2, 2.0}, {id[3], 3, 3.5}, {id[5], 6, 6.0}})).ok());
  EXPECT_EQ(values_of(store.range(between(0, 10), "/a", kScalar)),
            (std::vector<double>{1, 2, 3, 3.5, 5, 6}));
}

TEST(ChunkStoreTest, UnsortedChunksAnswerLikeSortedOnes) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  auto id = ids(4);
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{id[3], 4, 4.0}, {id[0], 1, 1.0}, {id[2], 3, 3.0}, {id[1], 2, 2.0}})).ok());
  EXPECT_EQ(value_of(*store.latest_at(at(2), "/a", kScalar)), 2.0);
  EXPECT_EQ(value_of(*store.latest_at(at(3), "/a", kScalar)), 3.0);
  EXPECT_EQ(values_of(store.range(between(2, 4), "/a", kScalar)), (std::vector<double>{2, 3, 4}));
}

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
  for (int c = 0; c < 10; ++c) ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), c, 1.0}})).ok());
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

TEST(ChunkStoreTest, EnvironmentOverridesLimits) {
  setenv("REEL_CHUNK_MAX_ROWS", "77", 1);
  setenv("REEL_CHUNK_MAX_BYTES", "12345", 1);
  setenv("REEL_CHUNK_MAX_ROWS_IF_UNSORTED", "not-a-number", 1);
  auto c = ChunkStoreConfig::from_env();
  unsetenv("REEL_CHUNK_MAX_ROWS");
  unsetenv("REEL_CHUNK_MAX_BYTES");
  unsetenv("REEL_CHUNK_MAX_ROWS_IF_UNSORTED");
  EXPECT_EQ(c.chunk_max_rows, 77u);
  EXPECT_EQ(c.chunk_max_bytes, 12345u);
  EXPECT_EQ(c.chunk_max_rows_if_unsorted, 1024u);  // malformed: default kept
}

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

TEST(ChunkStoreTest, ComponentTypeConflictIsRefusedWithItsNames) {
  ChunkStore store;
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), 1, 1.0}})).ok());
  ChunkBuilder b(EntityPath::parse("/a").value());
  b.add_row(RowId::create(), {{Timeline::sequence("frame"), 2}},
            {{kScalar, arrow::make_primitive<float>({2.0f})}});
  auto f32 = b.build();
  ASSERT_TRUE(f32.ok());
  auto r = store.insert(*f32);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTypeError);
  EXPECT_NE(r.status().message().find("/a"), std::string::npos) << r.status().to_string();
  EXPECT_NE(r.status().message().find("Scalars:scalars"), std::string::npos);
  EXPECT_NE(r.status().message().find("float32"), std::string::npos);
  EXPECT_NE(r.status().message().find("float64"), std::string::npos);
  EXPECT_EQ(values_of(store.range(between(0, 5), "/a", kScalar)), (std::vector<double>{1.0}));
  // Another entity may use another type.
  ChunkBuilder other(EntityPath::parse("/b").value());
  other.add_row(RowId::create(), {{Timeline::sequence("frame"), 2}},
                {{kScalar, arrow::make_primitive<float>({2.0f})}});
  EXPECT_TRUE(store.insert(other.build().value()).ok());
}

TEST(ChunkStoreTest, TimelineTypeConflictIsRefused) {
  ChunkStore store;
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), 1, 1.0}})).ok());
  ChunkBuilder b(EntityPath::parse("/a").value());
  b.add_row(RowId::create(), {{Timeline::duration("frame"), 2}},
            {{kScalar, arrow::make_primitive<double>({2.0})}});
  auto r = store.insert(b.build().value());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("timeline frame"), std::string::npos) << r.status().to_string();
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

TEST(ChunkStoreTest, DuplicateChunkIsIgnored) {
  ChunkStore store;
  auto a = scalar_chunk("/a", {{RowId::create(), 1, 1.0}});
  ASSERT_TRUE(store.insert(a).ok());
  auto again = store.insert(a);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(store.range(between(0, 5), "/a", kScalar).num_rows(), 1);
}

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

// ---------------------------------------------------------------------------------------
// Garbage collection

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
  for (int c = 0; c < 10; ++c) ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), c, 1.0}})).ok());
  store.gc({0, 0});
  EXPECT_EQ(store.num_chunks(), 1u);
  EXPECT_EQ(value_of(*store.latest_at(at(0), "/s", kScalar)), 42.0);
  EXPECT_FALSE(store.latest_at(at(100), "/a", kScalar));
}

TEST(ChunkStoreGcTest, ProtectLatestKeepsTheNewestChunks) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  for (int c = 0; c < 10; ++c) ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), c, double(c)}})).ok());
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
  EXPECT_EQ(last->time, frame - 1);  // the newest data survives
  EXPECT_FALSE(store.latest_at(at(0), "/a", kScalar));  // the oldest is gone
}

TEST(ChunkStoreTest, SupersededStaticRowsInsideOneChunkAreDropped) {
  ChunkStore store;
  auto id = ids(3);
  auto chunk = scalar_chunk("/a", {{id[0], std::nullopt, 1.0}, {id[1], std::nullopt, 2.0},
                                   {id[2], std::nullopt, 3.0}});
  ASSERT_TRUE(store.insert(chunk).ok());
  ASSERT_EQ(store.num_chunks(), 1u);
  EXPECT_EQ(store.chunks()[0]->num_rows(), 1);  // only the visible row is kept
  EXPECT_EQ(value_of(*store.latest_at(at(0), "/a", kScalar)), 3.0);
}

// ---------------------------------------------------------------------------------------
// Concurrency: readers run while a writer inserts (run under ThreadSanitizer in CI).

TEST(ChunkStoreTest, ConcurrentReadersWhileOneWriterInserts) {
  ChunkStore store;
  std::atomic<bool> done{false};
  std::atomic<int64_t> last_written{-1};
  std::vector<std::thread> readers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!done.load()) {
        int64_t w = last_written.load();
        if (w < 0) continue;
        // Every frame written before we looked must be visible and exact.
        auto r = store.latest_at(at(w), "/a", kScalar);
        if (!r || r->time < w || value_of(*r) != double(r->time)) ++failures;
        auto range = store.range(between(0, w), "/a", kScalar);
        if (range.num_rows() < w + 1) ++failures;
        (void)store.stats();
      }
    });
  }
  for (int frame = 0; frame < 3000; ++frame) {
    ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), frame, double(frame)}})).ok());
    last_written = frame;
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store.range(between(0, 5000), "/a", kScalar).num_rows(), 3000);
}

// ---------------------------------------------------------------------------------------
// Randomized model test: every answer compared against a plain vector of rows.

struct ModelRow {
  EntityPath entity;
  RowId id;
  std::vector<std::pair<std::string, TimeInt>> times;  // empty: static
  std::optional<double> scalar;
  std::optional<std::vector<int32_t>> labels;  // a variable-length component
};

const ComponentDescriptor kList("Test", "list", "reel.components.ClassId");
const std::vector<Timeline> kTimelines = {Timeline::sequence("frame"), Timeline::duration("sim")};

std::optional<TimeInt> time_on(const ModelRow& r, const std::string& timeline) {
  for (auto& [name, t] : r.times) {
    if (name == timeline) return t;
  }
  return std::nullopt;
}

bool has(const ModelRow& r, const ComponentDescriptor& c) {
  return c == kScalar ? r.scalar.has_value() : r.labels.has_value();
}

// The model's latest-at: the static row with the greatest RowId, else the greatest
// (time, RowId) at or before t.
const ModelRow* model_latest_at(const std::vector<ModelRow>& rows, const EntityPath& e,
                                const ComponentDescriptor& c, const std::string& tl, TimeInt t) {
  const ModelRow* best_static = nullptr;
  const ModelRow* best = nullptr;
  for (const auto& r : rows) {
    if (!(r.entity == e) || !has(r, c)) continue;
    if (r.times.empty()) {
      if (!best_static || r.id > best_static->id) best_static = &r;
      continue;
    }
    auto rt = time_on(r, tl);
    if (!rt || *rt > t) continue;
    if (!best || std::make_pair(*rt, r.id) > std::make_pair(*time_on(*best, tl), best->id)) best = &r;
  }
  return best_static ? best_static : best;
}

std::vector<const ModelRow*> model_range(const std::vector<ModelRow>& rows, const EntityPath& e,
                                         const ComponentDescriptor& c, const std::string& tl,
                                         TimeInt t0, TimeInt t1) {
  std::vector<const ModelRow*> out;
  const ModelRow* best_static = nullptr;
  for (const auto& r : rows) {
    if (!(r.entity == e) || !has(r, c)) continue;
    if (r.times.empty()) {
      if (!best_static || r.id > best_static->id) best_static = &r;
      continue;
    }
    auto rt = time_on(r, tl);
    if (rt && *rt >= t0 && *rt <= t1) out.push_back(&r);
  }
  if (best_static) return {best_static};
  std::sort(out.begin(), out.end(), [&](const ModelRow* a, const ModelRow* b) {
    return std::make_pair(*time_on(*a, tl), a->id) < std::make_pair(*time_on(*b, tl), b->id);
  });
  return out;
}

ChunkPtr build_chunk(const std::vector<const ModelRow*>& rows) {
  ChunkBuilder b(rows[0]->entity);
  for (const ModelRow* r : rows) {
    std::vector<ChunkBuilder::TimePoint> times;
    for (auto& [name, t] : r->times) {
      times.push_back({name == "frame" ? kTimelines[0] : kTimelines[1], t});
    }
    std::vector<ChunkBuilder::Cell> cells;
    cells.push_back({kScalar, r->scalar ? arrow::make_primitive<double>({*r->scalar}) : nullptr});
    cells.push_back({kList, r->labels ? arrow::make_primitive<int32_t>(std::span<const int32_t>(*r->labels))
                                      : nullptr});
    b.add_row(r->id, std::move(times), std::move(cells));
  }
  auto c = b.build();
  EXPECT_TRUE(c.ok()) << c.status().to_string();
  return *c;
}

struct RowView {
  RowId id;
  arrow::ArrayPtr values;
};

void expect_same_cell(const ModelRow& m, const arrow::ArrayPtr& got, const ComponentDescriptor& c,
                      const std::string& context) {
  if (c == kScalar) {
    ASSERT_EQ(got->length, 1) << context;
    EXPECT_EQ(arrow::PrimitiveArray<double>(got).value(0), *m.scalar) << context;
  } else {
    std::vector<int32_t> v(size_t(got->length));
    for (int64_t i = 0; i < got->length; ++i) v[size_t(i)] = arrow::PrimitiveArray<int32_t>(got).value(i);
    EXPECT_EQ(v, *m.labels) << context;
  }
}

void run_model_test(uint32_t seed, const ChunkStoreConfig& config) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return int(rng() % uint32_t(n)); };
  const std::vector<EntityPath> entities = {"/a", "/a/b", "/c"};
  const int num_rows = 1500;
  RowId first = RowId::reserve(num_rows);
  std::vector<ModelRow> rows;
  for (int i = 0; i < num_rows; ++i) {
    ModelRow r;
    r.entity = entities[size_t(pick(3))];
    r.id = first.plus(uint64_t(i));
    int kind = pick(20);
    if (kind == 0 && r.entity == EntityPath("/c")) {
      // static: only on /c, so that the other entities exercise temporal answers
    } else if (kind < 8) {
      r.times = {{"frame", pick(60)}};
    } else if (kind < 12) {
      r.times = {{"sim", TimeInt(pick(60)) * 1000}};
    } else {
      r.times = {{"frame", pick(60)}, {"sim", TimeInt(pick(60)) * 1000}};
    }
    if (pick(4) != 0) r.scalar = double(i);
    // On /c, static rows carry only the list component: its scalars stay temporal.
    if (r.times.empty()) r.scalar.reset();
    if (pick(3) == 0 || (r.times.empty() && !r.labels)) {
      std::vector<int32_t> v(size_t(pick(4)));
      for (auto& x : v) x = pick(1000);
      r.labels = v;
    }
    rows.push_back(std::move(r));
  }
  // Group rows by (entity, timeline set), shuffle, cut into random chunks, shuffle chunks.
  std::map<std::string, std::vector<const ModelRow*>> groups;
  for (const auto& r : rows) {
    std::string key = r.entity.str() + "|";
    for (auto& [name, t] : r.times) key += name + ",";
    groups[key].push_back(&r);
  }
  std::vector<ChunkPtr> chunks;
  for (auto& [key, group] : groups) {
    if (pick(2)) std::shuffle(group.begin(), group.end(), rng);
    for (size_t start = 0; start < group.size();) {
      size_t n = std::min(group.size() - start, size_t(1 + pick(40)));
      std::vector<const ModelRow*> part(group.begin() + long(start), group.begin() + long(start + n));
      chunks.push_back(build_chunk(part));
      start += n;
    }
  }
  std::shuffle(chunks.begin(), chunks.end(), rng);
  ChunkStore store(config);
  for (const auto& c : chunks) ASSERT_TRUE(store.insert(c).ok());

  const std::vector<ComponentDescriptor> comps = {kScalar, kList};
  const std::vector<std::string> timelines = {"frame", "sim"};
  for (int q = 0; q < 600; ++q) {
    const EntityPath& e = entities[size_t(pick(3))];
    const ComponentDescriptor& c = comps[size_t(pick(2))];
    const std::string& tl = timelines[size_t(pick(2))];
    TimeInt scale = tl == "sim" ? 1000 : 1;
    TimeInt t = TimeInt(pick(70) - 5) * scale;
    std::string context = "seed " + std::to_string(seed) + " query " + std::to_string(q) + " " +
                          e.str() + " " + c.identifier() + " " + tl + " t=" + std::to_string(t);
    const ModelRow* expected = model_latest_at(rows, e, c, tl, t);
    auto got = store.latest_at({tl, t}, e, c);
    ASSERT_EQ(expected != nullptr, got.has_value()) << context;
    if (expected) {
      ASSERT_EQ(got->row_id, expected->id) << context;
      EXPECT_EQ(got->is_static, expected->times.empty()) << context;
      expect_same_cell(*expected, got->instances(c), c, context);
    }
    TimeInt t1 = t + TimeInt(pick(30)) * scale;
    auto expected_range = model_range(rows, e, c, tl, t, t1);
    auto got_range = store.range({tl, {t, t1}}, e, c);
    std::vector<RowId> got_ids;
    std::vector<RowView> got_rows;
    for (const auto& chunk : got_range.chunks) {
      const ComponentColumn* col = chunk->component(c);
      ASSERT_NE(col, nullptr) << context;
      for (int64_t i = 0; i < chunk->num_rows(); ++i) {
        ASSERT_TRUE(col->list.is_valid(i)) << context;
        got_rows.push_back({chunk->row_id(i), col->list.row_values(i)});
      }
    }
    ASSERT_EQ(got_rows.size(), expected_range.size()) << context << " range to " << t1;
    for (size_t i = 0; i < got_rows.size(); ++i) {
      ASSERT_EQ(got_rows[i].id, expected_range[i]->id) << context << " range row " << i;
      expect_same_cell(*expected_range[i], got_rows[i].values, c, context);
    }
  }
}

TEST(ChunkStoreModelTest, RandomIngestionMatchesNaiveModelWithCompaction) {
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    ChunkStoreConfig config;
    config.chunk_max_rows = 64;
    config.chunk_max_rows_if_unsorted = 16;
    run_model_test(seed, config);
    if (HasFatalFailure()) return;
  }
}

TEST(ChunkStoreModelTest, RandomIngestionMatchesNaiveModelWithoutCompaction) {
  for (uint32_t seed = 100; seed < 108; ++seed) {
    run_model_test(seed, ChunkStoreConfig::no_compaction());
    if (HasFatalFailure()) return;
  }
}

TEST(ChunkStoreModelTest, RandomIngestionMatchesNaiveModelWithDefaultLimits) {
  for (uint32_t seed = 200; seed < 204; ++seed) {
    run_model_test(seed, ChunkStoreConfig());
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace reel
