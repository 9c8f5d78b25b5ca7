// The index and its lookups: latest-at, range, static data, type checks, and a randomized
// model test of every answer.
#include "reel/store/chunk_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>

#include "store/test_util_internal.hpp"

namespace reel {
namespace {

using namespace store::testing;

TEST(ChunkStoreTest, LatestAtReturnsGreatestTimeAtOrBefore) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  auto id = ids(3);
  ASSERT_TRUE(
      store.insert(scalar_chunk("/a", {{id[0], 10, 1.0}, {id[1], 20, 2.0}, {id[2], 30, 3.0}}))
          .ok());
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
  ASSERT_TRUE(store
                  .insert(scalar_chunk(
                      "/a", {{id[0], 1, 1.0}, {id[1], 2, std::nullopt}, {id[2], 3, std::nullopt}}))
                  .ok());
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
  ASSERT_TRUE(store
                  .insert(scalar_chunk("/a", {{id[0], 1, 1.0},
                                              {id[1], 2, 2.0},
                                              {id[2], 3, 3.0},
                                              {id[3], 4, 4.0},
                                              {id[4], 5, 5.0}}))
                  .ok());
  EXPECT_EQ(values_of(store.range(between(2, 4), "/a", kScalar)), (std::vector<double>{2, 3, 4}));
  EXPECT_EQ(values_of(store.range(between(5, 5), "/a", kScalar)), (std::vector<double>{5}));
  EXPECT_TRUE(store.range(between(6, 9), "/a", kScalar).chunks.empty());
}

TEST(ChunkStoreTest, RangeSkipsNullCells) {
  ChunkStore store;
  auto id = ids(3);
  ASSERT_TRUE(
      store.insert(scalar_chunk("/a", {{id[0], 1, 1.0}, {id[1], 2, std::nullopt}, {id[2], 3, 3.0}}))
          .ok());
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
  ASSERT_TRUE(
      store.insert(scalar_chunk("/a", {{id[0], 1, 1.0}, {id[2], 3, 3.0}, {id[4], 5, 5.0}})).ok());
  ASSERT_TRUE(
      store.insert(scalar_chunk("/a", {{id[1], 2, 2.0}, {id[3], 3, 3.5}, {id[5], 6, 6.0}})).ok());
  EXPECT_EQ(values_of(store.range(between(0, 10), "/a", kScalar)),
            (std::vector<double>{1, 2, 3, 3.5, 5, 6}));
}

TEST(ChunkStoreTest, UnsortedChunksAnswerLikeSortedOnes) {
  ChunkStore store(ChunkStoreConfig::no_compaction());
  auto id = ids(4);
  ASSERT_TRUE(store
                  .insert(scalar_chunk(
                      "/a", {{id[3], 4, 4.0}, {id[0], 1, 1.0}, {id[2], 3, 3.0}, {id[1], 2, 2.0}}))
                  .ok());
  EXPECT_EQ(value_of(*store.latest_at(at(2), "/a", kScalar)), 2.0);
  EXPECT_EQ(value_of(*store.latest_at(at(3), "/a", kScalar)), 3.0);
  EXPECT_EQ(values_of(store.range(between(2, 4), "/a", kScalar)), (std::vector<double>{2, 3, 4}));
}

TEST(ChunkStoreTest, TimelineTypeIsFixedPerRecording) {
  // Issue 13, item 5: "frame" as a sequence on /a and as a duration on /b made a store that
  // dataframe queries refused whole. The second type is refused, naming chunk and entity.
  ChunkStore store;
  ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), 1, 1.0}})).ok());
  ChunkBuilder b(EntityPath::parse("/b").value());
  b.add_row(RowId::create(), {{Timeline::duration("frame"), 2}},
            {{kScalar, arrow::make_primitive<double>({2.0})}});
  auto duration = b.build();
  ASSERT_TRUE(duration.ok());
  auto r = store.insert(*duration);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTypeError);
  EXPECT_EQ(r.status().message(),
            "chunk " + (*duration)->id().to_string() +
                " of entity /b, timeline frame: duration time where the recording holds "
                "sequence time (a timeline has one type per recording)");
  EXPECT_EQ(store.stats().num_chunks, 1u);
  // Held even after GC dropped every chunk that used it.
  store.gc({0, 0});
  EXPECT_EQ(store.stats().num_chunks, 0u);
  EXPECT_FALSE(store.insert(*duration).ok());
  // Other timelines, and static data, are unaffected.
  ChunkBuilder other(EntityPath::parse("/b").value());
  other.add_row(RowId::create(), {{Timeline::duration("elapsed"), 2}},
                {{kScalar, arrow::make_primitive<double>({2.0})}});
  EXPECT_TRUE(store.insert(other.build().value()).ok());
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
  EXPECT_NE(r.status().message().find("timeline frame"), std::string::npos)
      << r.status().to_string();
}

TEST(ChunkStoreTest, SupersededStaticRowsInsideOneChunkAreDropped) {
  ChunkStore store;
  auto id = ids(3);
  auto chunk = scalar_chunk(
      "/a", {{id[0], std::nullopt, 1.0}, {id[1], std::nullopt, 2.0}, {id[2], std::nullopt, 3.0}});
  ASSERT_TRUE(store.insert(chunk).ok());
  ASSERT_EQ(store.num_chunks(), 1u);
  EXPECT_EQ(store.chunks()[0]->num_rows(), 1);  // only the visible row is kept
  EXPECT_EQ(value_of(*store.latest_at(at(0), "/a", kScalar)), 3.0);
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
    if (!best || std::make_pair(*rt, r.id) > std::make_pair(*time_on(*best, tl), best->id))
      best = &r;
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
    cells.push_back(
        {kList, r->labels ? arrow::make_primitive<int32_t>(std::span<const int32_t>(*r->labels))
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
    for (int64_t i = 0; i < got->length; ++i)
      v[size_t(i)] = arrow::PrimitiveArray<int32_t>(got).value(i);
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
      std::vector<const ModelRow*> part(group.begin() + long(start),
                                        group.begin() + long(start + n));
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
