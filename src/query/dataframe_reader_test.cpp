#include <gtest/gtest.h>
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "query/dataframe_internal.hpp"
#include "query/dataframe_test_internal.hpp"
#include "reel/query/dataframe.hpp"

// Sanitizers replace malloc: glibc's heap accounting does not see their allocations.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define REEL_HAS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define REEL_HAS_SANITIZER 1
#endif
#endif
#ifndef REEL_HAS_SANITIZER
#define REEL_HAS_SANITIZER 0
#endif

namespace reel::dataframe {
namespace {

using test_support::cell;
using test_support::DataframeTest;
using test_support::kLabel;
using test_support::kScalar;
using test_support::table;
using test_support::Table;

TEST_F(DataframeTest, OneRowPerDistinctIndexValueAndNullsWithoutFill) {
  log("/a", 1, 1.0);
  log("/a", 3, 3.0);
  log("/b", 2, 20.0);
  log("/b", 3, 30.0);
  auto v = view();
  auto schema = v.schema();
  ASSERT_EQ(schema.size(), 3u);
  EXPECT_EQ(schema[0].name, "frame");
  EXPECT_EQ(schema[1].name, "/a:Scalars:scalars");
  EXPECT_EQ(schema[2].name, "/b:Scalars:scalars");
  EXPECT_EQ(table(v), (Table{{"1", "[1]", "null"}, {"2", "null", "[20]"}, {"3", "[3]", "[30]"}}));
}

// Clear, as Rerun's dataframe has it: a Clear at t empties the entity's components from t
// until they are logged again (cells read as empty lists); its own column is no data.
TEST_F(DataframeTest, ClearEmptiesAnEntityUntilItIsLoggedAgain) {
  log("/a", 0, 1.0);
  clear("/a", 5, /*recursive=*/false);
  log("/b", 7, 70.0);
  log("/a", 9, 9.0);
  auto v = view();
  ASSERT_EQ(v.schema().size(), 3u);  // frame, /a, /b: no Clear column
  EXPECT_EQ(v.schema()[1].name, "/a:Scalars:scalars");
  EXPECT_EQ(
      table(v.fill_latest_at()),
      (Table{
          {"0", "[1]", "null"}, {"5", "[]", "null"}, {"7", "[]", "[70]"}, {"9", "[9]", "[70]"}}));
  EXPECT_EQ(
      table(v),
      (Table{
          {"0", "[1]", "null"}, {"5", "[]", "null"}, {"7", "null", "[70]"}, {"9", "[9]", "null"}}));
}

TEST_F(DataframeTest, ClearBeforeTheRangeStillEmptiesFilledCells) {
  log("/a", 0, 1.0);
  clear("/a", 5, false);
  log("/b", 7, 70.0);
  log("/b", 8, 80.0);
  EXPECT_EQ(table(view().filter_range(7, 8).fill_latest_at()),
            (Table{{"7", "[]", "[70]"}, {"8", "[]", "[80]"}}));
  // Logged again inside the range: the value shows from there.
  log("/a", 8, 8.0);
  EXPECT_EQ(table(view().filter_range(7, 8).fill_latest_at()),
            (Table{{"7", "[]", "[70]"}, {"8", "[8]", "[80]"}}));
}

TEST_F(DataframeTest, RecursiveClearReachesDescendantsAFlatOneDoesNot) {
  log("/robot/arm", 1, 1.0);
  log("/other", 4, 4.0);
  clear("/robot", 3, /*recursive=*/false);
  EXPECT_EQ(table(view().fill_latest_at()), (Table{{"1", "null", "[1]"}, {"4", "[4]", "[1]"}}));
  clear("/robot", 3, /*recursive=*/true);
  EXPECT_EQ(table(view().fill_latest_at()),
            (Table{{"1", "null", "[1]"}, {"3", "null", "[]"}, {"4", "[4]", "[]"}}));
}

TEST_F(DataframeTest, ClearAtTheSameTimeAsDataGoesByRowId) {
  log("/a", 2, 2.0);
  clear("/a", 2, false);  // logged after the value: the cell is empty
  log("/b", 3, 3.0);
  EXPECT_EQ(table(view().fill_latest_at()), (Table{{"2", "[]", "null"}, {"3", "[]", "[3]"}}));
  log("/a", 2, 5.0);  // logged after the Clear: the value shows again
  EXPECT_EQ(table(view().fill_latest_at()), (Table{{"2", "[5]", "null"}, {"3", "[5]", "[3]"}}));
}

TEST_F(DataframeTest, ClearBeforeAnyDataEmptiesNothing) {
  clear("/a", 0, false);
  log("/a", 2, 2.0);
  EXPECT_EQ(table(view().fill_latest_at()), (Table{{"2", "[2]"}}));
}

TEST_F(DataframeTest, ClearEmptiesStaticDataFromItsTimeOn) {
  log("/s", std::nullopt, 5.0);
  log("/b", 1, 1.0);
  log("/b", 3, 3.0);
  clear("/s", 2, false);
  EXPECT_EQ(table(view().fill_latest_at()), (Table{{"1", "[1]", "[5]"}, {"3", "[3]", "[]"}}));
  // A static Clear logged after the static value empties it everywhere.
  log("/t", std::nullopt, 7.0);
  clear("/t", std::nullopt, false);
  EXPECT_EQ(table(view(std::nullopt, "/t")), (Table{{"[]"}}));
}

TEST_F(DataframeTest, ANotNullFilterIgnoresClearedCells) {
  log("/a", 1, 1.0);
  clear("/a", 2, false);
  log("/b", 3, 3.0);
  EXPECT_EQ(table(view().filter_is_not_null("/a:Scalars:scalars").value().fill_latest_at()),
            (Table{{"1", "[1]", "null"}}));
}

TEST_F(DataframeTest, HighestRowIdWinsAtOneIndexValue) {
  RowId first = RowId::reserve(2);
  log("/a", 1, 2.0, first.plus(1));  // inserted first, but newer
  log("/a", 1, 1.0, first);
  EXPECT_EQ(table(view()), (Table{{"1", "[2]"}}));
}

TEST_F(DataframeTest, FillLatestAtCarriesValuesForward) {
  log("/a", 1, 1.0);
  log("/a", 3, 3.0);
  log("/b", 2, 20.0);
  EXPECT_EQ(table(view().fill_latest_at()),
            (Table{{"1", "[1]", "null"}, {"2", "[1]", "[20]"}, {"3", "[3]", "[20]"}}));
}

TEST_F(DataframeTest, FillUsesDataLoggedBeforeTheRange) {
  log("/a", 1, 1.0);
  log("/b", 5, 50.0);
  log("/b", 6, 60.0);
  EXPECT_EQ(table(view().filter_range(5, 6).fill_latest_at()),
            (Table{{"5", "[1]", "[50]"}, {"6", "[1]", "[60]"}}));
  EXPECT_EQ(table(view().filter_range(5, 6)),
            (Table{{"5", "null", "[50]"}, {"6", "null", "[60]"}}));
}

TEST_F(DataframeTest, StaticColumnsHoldTheirValueOnEveryRow) {
  log("/a", 1, 1.0);
  log("/a", 2, 2.0);
  log("/s", std::nullopt, 42.0);
  EXPECT_EQ(table(view()), (Table{{"1", "[1]", "[42]"}, {"2", "[2]", "[42]"}}));
  auto schema = view().schema();
  EXPECT_TRUE(schema[2].is_static);
}

TEST_F(DataframeTest, FilterRangeIsInclusive) {
  for (int f = 0; f < 10; ++f) log("/a", f, f);
  EXPECT_EQ(table(view().filter_range(3, 5)), (Table{{"3", "[3]"}, {"4", "[4]"}, {"5", "[5]"}}));
  EXPECT_TRUE(table(view().filter_range(20, 30)).empty());
}

TEST_F(DataframeTest, FilterIndexValuesKeepsOnlyThoseWithData) {
  for (int f = 0; f < 10; ++f) log("/a", f * 10, f);
  EXPECT_EQ(table(view().filter_index_values({20, 25, 90})), (Table{{"20", "[2]"}, {"90", "[9]"}}));
}

TEST_F(DataframeTest, FilterIsNotNullKeepsRowsWhereTheColumnHasData) {
  log("/a", 1, 1.0);
  log("/a", 2, 2.0);
  log("/a", 3, 3.0);
  log("/b", 2, 20.0);
  auto v = view().filter_is_not_null("/b:Scalars:scalars");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(table(*v), (Table{{"2", "[2]", "[20]"}}));
  // The filter column need not be selected.
  auto only_a =
      view().select({"/a:Scalars:scalars"}).value().filter_is_not_null("/b:Scalars:scalars");
  ASSERT_TRUE(only_a.ok());
  EXPECT_EQ(table(*only_a), (Table{{"2", "[2]"}}));
  auto bad = view().filter_is_not_null("/nope:Scalars:scalars");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/a:Scalars:scalars"), std::string::npos)
      << bad.status().message();
}

TEST_F(DataframeTest, UsingIndexValuesSamplesAtGivenTimes) {
  log("/a", 1, 1.0);
  log("/a", 4, 4.0);
  EXPECT_EQ(table(view().using_index_values({0, 2, 4, 6}).fill_latest_at()),
            (Table{{"0", "null"}, {"2", "[1]"}, {"4", "[4]"}, {"6", "[4]"}}));
  EXPECT_EQ(table(view().using_index_values({0, 2, 4})),
            (Table{{"0", "null"}, {"2", "null"}, {"4", "[4]"}}));
}

TEST_F(DataframeTest, MultiInstanceCellsKeepEveryInstance) {
  ChunkBuilder b("/pts");
  b.add_row(RowId::create(), {{Timeline::sequence("frame"), 1}},
            {{kLabel, arrow::make_strings({"x", "y"})}});
  b.add_row(RowId::create(), {{Timeline::sequence("frame"), 2}},
            {{kLabel, arrow::make_strings({})}});
  ASSERT_TRUE(store_->insert(*b.build()).ok());
  EXPECT_EQ(table(view()), (Table{{"1", "[\"x\", \"y\"]"}, {"2", "[]"}}));
}

TEST_F(DataframeTest, CellsOfOneColumnComeFromOneAndManyInstanceChunks) {
  // Chunk 1 holds one label per row (stored without offsets), chunk 2 holds two and none.
  ChunkBuilder one("/pts");
  one.add_row(RowId::create(), {{Timeline::sequence("frame"), 1}},
              {{kLabel, arrow::make_strings({"a"})}});
  one.add_row(RowId::create(), {{Timeline::sequence("frame"), 3}},
              {{kLabel, arrow::make_strings({"b"})}});
  ASSERT_TRUE(store_->insert(*one.build()).ok());
  ChunkBuilder many("/pts");
  many.add_row(RowId::create(), {{Timeline::sequence("frame"), 2}},
               {{kLabel, arrow::make_strings({"x", "y"})}});
  many.add_row(RowId::create(), {{Timeline::sequence("frame"), 4}},
               {{kLabel, arrow::make_strings({})}});
  ASSERT_TRUE(store_->insert(*many.build()).ok());
  log("/s", 5, 5.0);
  EXPECT_EQ(table(view()), (Table{{"1", "[\"a\"]", "null"},
                                  {"2", "[\"x\", \"y\"]", "null"},
                                  {"3", "[\"b\"]", "null"},
                                  {"4", "[]", "null"},
                                  {"5", "null", "[5]"}}));
  EXPECT_EQ(table(view().fill_latest_at().filter_range(3, 5)),
            (Table{{"3", "[\"b\"]", "null"}, {"4", "[]", "null"}, {"5", "[]", "[5]"}}));
}

TEST_F(DataframeTest, SmallBatchesGiveTheSameTable) {
  for (int f = 0; f < 25; ++f) {
    log("/a", f, f);
    if (f % 3 == 0) log("/b", f, -f);
  }
  auto whole = table(view().fill_latest_at());
  auto batches = view().fill_latest_at().with_batch_rows(4).read_all();
  ASSERT_TRUE(batches.ok());
  EXPECT_EQ(batches->size(), 7u);
  for (const auto& b : *batches) EXPECT_LE(b.num_rows, 4);
  EXPECT_EQ(table(view().fill_latest_at().with_batch_rows(4)), whole);
}

TEST_F(DataframeTest, RangesAndNotNullFiltersArePushedDownToChunkSelection) {
  // 100 chunks of /a (10 frames each) and one sparse /b chunk near the end.
  for (int c = 0; c < 100; ++c) {
    ChunkBuilder b("/a");
    for (int f = 0; f < 10; ++f) {
      b.add_row(RowId::create(), {{Timeline::sequence("frame"), c * 10 + f}},
                {{kScalar, arrow::make_primitive<double>({double(c * 10 + f)})}});
    }
    ASSERT_TRUE(store_->insert(*b.build()).ok());
  }
  log("/b", 955, 1.0);
  uint64_t before = store_->chunks_scanned();
  EXPECT_EQ(table(view().filter_range(500, 505)).size(), 6u);
  EXPECT_LE(store_->chunks_scanned() - before, 2u);  // one /a chunk, and /b's index only
  before = store_->chunks_scanned();
  auto v = view().filter_is_not_null("/b:Scalars:scalars").value();
  EXPECT_EQ(table(v), (Table{{"955", "[955]", "[1]"}}));
  EXPECT_LE(store_->chunks_scanned() - before, 3u);  // /b's chunk, then only /a's chunk at 955
}

// ---------------------------------------------------------------------------------------
// Randomized model test: the table compared against a naive reference built from rows.

struct ModelRow {
  int entity;
  RowId id;
  std::optional<TimeInt> frame;
  std::optional<double> value;
};

// Inserts one chunk per group of rows (of one entity, all static or all temporal), in the
// order given.
void insert_groups(ChunkStore& store, const std::vector<ModelRow>& rows,
                   const std::vector<std::vector<size_t>>& chunks) {
  for (const auto& chunk : chunks) {
    ChunkBuilder b("/e" + std::to_string(rows[chunk[0]].entity));
    for (size_t k : chunk) {
      const auto& r = rows[k];
      std::vector<ChunkBuilder::TimePoint> times;
      if (r.frame) times.push_back({Timeline::sequence("frame"), *r.frame});
      b.add_row(r.id, times,
                {{kScalar, r.value ? arrow::make_primitive<double>({*r.value}) : nullptr}});
    }
    ASSERT_TRUE(store.insert(*b.build()).ok());
  }
}

// Inserts the rows as chunks: one row per chunk, or random groups of rows of one entity
// (in shuffled order, so chunks are unsorted and overlap in time), inserted in random order.
void insert_rows(ChunkStore& store, const std::vector<ModelRow>& rows, bool grouped,
                 std::mt19937& rng) {
  std::vector<size_t> order(rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<std::vector<size_t>> chunks;
  if (!grouped) {
    for (size_t k : order) chunks.push_back({k});
  } else {
    // Per entity and kind (static or temporal, which cannot share a chunk).
    std::map<std::pair<int, bool>, std::vector<size_t>> open;
    for (size_t k : order) {
      auto& group = open[{rows[k].entity, rows[k].frame.has_value()}];
      group.push_back(k);
      if (group.size() >= 1 + rng() % 12) chunks.push_back(std::exchange(group, {}));
    }
    for (auto& [key, group] : open) {
      if (!group.empty()) chunks.push_back(std::move(group));
    }
    std::shuffle(chunks.begin(), chunks.end(), rng);
  }
  insert_groups(store, rows, chunks);
}

// The naive reference: entity e's static value (its highest RowId), if any.
std::optional<double> model_static(const std::vector<ModelRow>& rows, int e) {
  const ModelRow* best = nullptr;
  for (const auto& r : rows) {
    if (r.entity == e && !r.frame && r.value && (!best || r.id > best->id)) best = &r;
  }
  return best ? best->value : std::nullopt;
}

// The naive reference: entity e's value at t, static first, else its latest (frame, RowId)
// logged exactly at t (`exact`) or at or before t.
std::optional<double> model_value(const std::vector<ModelRow>& rows, int e, TimeInt t, bool exact) {
  if (auto s = model_static(rows, e)) return s;
  const ModelRow* best = nullptr;
  for (const auto& r : rows) {
    if (r.entity != e || !r.frame || !r.value) continue;
    if (exact ? *r.frame != t : *r.frame > t) continue;
    if (!best || std::make_pair(*r.frame, r.id) > std::make_pair(*best->frame, best->id)) best = &r;
  }
  return best ? best->value : std::nullopt;
}

std::string model_cell(std::optional<double> value) {
  if (!value) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "[%g]", *value);
  return buf;
}

// Random times in [0, n) with repeats, sorted and deduplicated by the view.
std::vector<TimeInt> random_values(std::mt19937& rng, int n) {
  std::vector<TimeInt> v;
  for (int k = int(rng() % 8); k > 0; --k) v.push_back(TimeInt(rng() % uint32_t(n)) - 2);
  return v;
}

TEST(DataframeModelTest, RandomRecordingsMatchANaiveReference) {
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    ChunkStoreConfig config = ChunkStoreConfig::no_compaction();
    if (seed % 3 == 1) config = ChunkStoreConfig();
    if (seed % 3 == 2) {
      config = ChunkStoreConfig();
      config.chunk_max_rows = 8;  // compaction into small chunks, sorted or not
      config.chunk_max_rows_if_unsorted = 4;
    }
    auto store = std::make_shared<ChunkStore>(config);
    std::vector<ModelRow> rows;
    const int n = 200;
    RowId first = RowId::reserve(n);
    for (int i = 0; i < n; ++i) {
      ModelRow r{int(rng() % 3), first.plus(uint64_t(i)), std::nullopt, std::nullopt};
      if (!(r.entity == 2 && rng() % 10 == 0)) r.frame = TimeInt(rng() % 40);
      if (rng() % 4) r.value = double(i);
      rows.push_back(r);
    }
    const bool grouped = seed > 30 && rng() % 2;
    insert_rows(*store, rows, grouped, rng);
    const bool fill = rng() % 2;
    const TimeInt t0 = TimeInt(rng() % 20), t1 = t0 + TimeInt(rng() % 25);
    const int not_null = int(rng() % 4) - 1;  // -1: none
    std::optional<std::vector<TimeInt>> filter_values, using_values;
    if (seed > 30 && rng() % 4 == 0) filter_values = random_values(rng, 44);
    if (seed > 30 && rng() % 4 == 0) using_values = random_values(rng, 44);
    const int64_t batch_rows =
        seed > 30 ? std::vector<int64_t>{1, 2, 3, 7, 65536}[rng() % 5] : 65536;
    auto v = View::create(store, "frame", "/**")
                 .value()
                 .filter_range(t0, t1)
                 .with_batch_rows(batch_rows);
    if (fill) v = v.fill_latest_at();
    if (filter_values) v = v.filter_index_values(*filter_values);
    if (using_values) v = v.using_index_values(*using_values);
    std::vector<int> entities;
    for (const auto& c : v.schema()) {
      if (!c.is_index) entities.push_back(c.entity.str()[2] - '0');
    }
    // Sometimes only some columns, so that the not-null column may be a hidden one.
    if (seed > 30 && entities.size() > 1 && rng() % 3 == 0) {
      entities.erase(entities.begin() + long(rng() % entities.size()));
      std::vector<std::string> names;
      for (int e : entities) names.push_back("/e" + std::to_string(e) + ":Scalars:scalars");
      v = v.select(names).value();
    }
    bool filtered = false;
    if (not_null >= 0) {
      auto f = v.filter_is_not_null("/e" + std::to_string(not_null) + ":Scalars:scalars");
      if (f.ok()) {
        v = *f;
        filtered = true;
      }
    }
    // Reference.
    auto static_of = [&](int e) { return model_static(rows, e); };
    auto at = [&](int e, TimeInt t, bool exact) { return model_value(rows, e, t, exact); };
    // Index values: those of the columns read (the selected ones and a not-null filter).
    std::set<TimeInt> index;
    if (using_values) {
      index.insert(using_values->begin(), using_values->end());
    } else {
      for (const auto& r : rows) {
        const bool read = std::find(entities.begin(), entities.end(), r.entity) != entities.end() ||
                          (filtered && r.entity == not_null);
        if (read && r.frame && r.value && !static_of(r.entity)) index.insert(*r.frame);
      }
    }
    Table expected;
    for (TimeInt t : index) {
      if (t < t0 || t > t1) continue;
      if (filter_values &&
          std::find(filter_values->begin(), filter_values->end(), t) == filter_values->end()) {
        continue;
      }
      if (filtered && !at(not_null, t, true)) continue;
      std::vector<std::string> row = {std::to_string(t)};
      for (int e : entities) {
        row.push_back(model_cell(at(e, t, !fill)));
      }
      expected.push_back(row);
    }
    ASSERT_EQ(table(v), expected) << "seed " << seed << " grouped " << grouped << " fill " << fill
                                  << " range [" << t0 << ", " << t1 << "] not_null " << not_null
                                  << (filtered ? "" : " (not applied)") << " batch " << batch_rows
                                  << " filter_values " << bool(filter_values) << " using_values "
                                  << bool(using_values);
  }
}

// Series logged together (the same times, sorted chunks): the reader takes such stretches
// in blocks, every column's rows at once. Alignments that forbid it (a time missing on one
// series, a null cell, a time logged twice, chunk borders that differ, an overlapping
// chunk, a Clear-free static column beside them) must give the same table as the reference.
TEST(DataframeModelTest, SeriesLoggedTogetherAreReadInBlocksAndMatchANaiveReference) {
  int blocked_views = 0;
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    const bool perturbed = seed % 4 != 1;
    const bool even = rng() % 2;  // evenly spaced times (the columns' stride) or gaps
    std::vector<TimeInt> grid;
    for (TimeInt t = 0; int(grid.size()) < 60; t += even ? 2 : 1 + TimeInt(rng() % 4)) {
      grid.push_back(t);
    }
    std::vector<ModelRow> rows;
    RowId next = RowId::reserve(1000);
    auto add = [&](int e, std::optional<TimeInt> frame, std::optional<double> value) {
      rows.push_back({e, next, frame, value});
      next = next.plus(1);
      return rows.size() - 1;
    };
    std::vector<std::vector<size_t>> chunks;
    const int border = 8 + int(rng() % 20);
    std::vector<bool> twice_in_all(grid.size());  // every series logs that time twice
    for (size_t i = 0; i < grid.size(); ++i) twice_in_all[i] = perturbed && rng() % 60 == 0;
    for (int e = 0; e < 3; ++e) {
      std::vector<size_t> group;
      const int own_border = perturbed && rng() % 4 == 0 ? 8 + int(rng() % 20) : border;
      for (size_t i = 0; i < grid.size(); ++i) {
        const int kind = perturbed ? int(rng() % 120) : 99;
        if (kind == 0) continue;  // a time this series lacks
        group.push_back(add(e, grid[i], kind == 1 ? std::nullopt : std::optional(e * 100.0 + i)));
        if (kind == 2 || twice_in_all[i]) group.push_back(add(e, grid[i], e * 100.0 + i + 0.5));
        if (int(group.size()) >= own_border) chunks.push_back(std::exchange(group, {}));
      }
      if (!group.empty()) chunks.push_back(std::move(group));
    }
    if (perturbed && rng() % 3 == 0) {  // a late chunk overlapping the others in time
      const int e = int(rng() % 3);
      const size_t i = rng() % grid.size(), j = rng() % grid.size();
      chunks.push_back({add(e, grid[i], -1.0), add(e, grid[j], -2.0)});
    }
    if (rng() % 3 == 0) chunks.push_back({add(3, std::nullopt, 7.0)});  // a static column
    auto store = std::make_shared<ChunkStore>(ChunkStoreConfig::no_compaction());
    insert_groups(*store, rows, chunks);

    const bool fill = rng() % 2;
    const TimeInt t0 = rng() % 3 ? kTimeMin : grid[rng() % 30];
    const TimeInt t1 = rng() % 3 ? kTimeMax : grid[30 + rng() % 30];
    const int64_t batch_rows = std::vector<int64_t>{3, 8, 17, 65536}[rng() % 4];
    auto v = View::create(store, "frame", "/**")
                 .value()
                 .filter_range(t0, t1)
                 .with_batch_rows(batch_rows);
    if (fill) v = v.fill_latest_at();
    if (rng() % 4 == 0) v = v.select({"/e1:Scalars:scalars"}).value();  // one series alone
    std::vector<int> entities;
    for (const auto& c : v.schema()) {
      if (!c.is_index) entities.push_back(c.entity.str()[2] - '0');
    }
    std::set<TimeInt> index;
    for (const auto& r : rows) {
      const bool read = std::find(entities.begin(), entities.end(), r.entity) != entities.end();
      if (read && r.frame && r.value && *r.frame >= t0 && *r.frame <= t1) index.insert(*r.frame);
    }
    Table expected;
    for (TimeInt t : index) {
      std::vector<std::string> row = {std::to_string(t)};
      for (int e : entities) row.push_back(model_cell(model_value(rows, e, t, !fill)));
      expected.push_back(row);
    }
    auto reader = v.read().value();
    const Table got = table(reader->read_all(), true);
    ASSERT_EQ(got, expected) << "seed " << seed << " perturbed " << perturbed << " even " << even
                             << " fill " << fill << " range [" << t0 << ", " << t1 << "] batch "
                             << batch_rows;
    const auto* stats = internal::reader_stats(*reader);
    ASSERT_NE(stats, nullptr);
    if (!perturbed) {
      // Nothing forbids blocks: every row is read in one but those of stretches shorter than
      // 8 rows: where the range cuts the first and the last chunk, a last chunk of fewer
      // rows, the last rows of each batch.
      const int64_t rows_out = int64_t(got.size());
      const int64_t one_at_a_time = 3 * 7 + 7 * (rows_out / batch_rows + 1);
      EXPECT_GE(stats->block_rows, std::max<int64_t>(0, rows_out - one_at_a_time))
          << "seed " << seed << " batch " << batch_rows;
    }
    if (stats->block_rows > 0) ++blocked_views;
  }
  EXPECT_GT(blocked_views, 80);  // perturbed recordings are read in blocks where they can be
}

// ---------------------------------------------------------------------------------------
// Memory: the reader walks chunks and builds one batch at a time; it never copies the data.

// `rows` rows on /a (a value on every row) and /b (null on every other row), in sorted
// chunks of `chunk_rows` rows.
std::shared_ptr<ChunkStore> two_series(int64_t rows, int64_t chunk_rows) {
  auto store = std::make_shared<ChunkStore>(ChunkStoreConfig::no_compaction());
  for (int e = 0; e < 2; ++e) {
    for (int64_t s = 0; s < rows; s += chunk_rows) {
      const int64_t len = std::min(chunk_rows, rows - s);
      std::vector<int64_t> times(static_cast<size_t>(len));
      std::vector<double> values(static_cast<size_t>(len));
      for (int64_t i = 0; i < len; ++i) {
        times[size_t(i)] = s + i;
        values[size_t(i)] = double(s + i);
      }
      arrow::BufferPtr validity;
      int64_t nulls = 0;
      if (e == 1) {
        auto bits = arrow::Buffer::allocate(size_t(arrow::bit_util::bytes_for_bits(len)));
        for (int64_t i = 0; i < len; ++i) {
          if ((s + i) % 2 == 0)
            arrow::bit_util::set_bit(bits->mutable_data(), i);
          else
            ++nulls;
        }
        validity = bits;
      }
      auto list = ListColumn::unit(arrow::make_primitive<double>(std::span<const double>(values)),
                                   validity, nulls);
      auto chunk = Chunk::make(RowId::create(), EntityPath::parse(e ? "/b" : "/a").value(),
                               RowIdColumn::consecutive(RowId::reserve(uint64_t(len)), len),
                               {TimeColumn::sequence("step", times)}, {{kScalar, list}});
      EXPECT_TRUE(chunk.ok()) << chunk.status().to_string();
      EXPECT_TRUE(store->insert(*chunk).ok());
    }
  }
  return store;
}

// Bytes in use in the C heap (glibc's accounting of the main arena plus mmapped blocks),
// or nullopt where that accounting does not see every allocation.
std::optional<size_t> heap_in_use() {
#if defined(__GLIBC__) && !REEL_HAS_SANITIZER
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
#else
  return std::nullopt;
#endif
}

TEST(DataframeMemoryTest, ReadingHoldsOneBatchNotACopyOfTheData) {
  const int64_t rows = 1 << 19, chunk_rows = 1 << 13, batch = 1024;
  auto store = two_series(rows, chunk_rows);
  auto view = View::create(store, "step", "/**").value().fill_latest_at().with_batch_rows(batch);
  const auto before = heap_in_use();
  auto reader = view.read().value();
  std::optional<size_t> peak;
  auto sample = [&] {
    if (auto now = heap_in_use())
      peak = std::max(peak.value_or(0), *now > *before ? *now - *before : 0);
  };
  sample();
  int64_t seen = 0;
  double sum = 0;
  for (;;) {
    auto b = reader->next().value();
    if (!b) break;
    sample();  // while the batch is alive
    EXPECT_LE(b->num_rows, batch);
    seen += b->num_rows;
    const auto& list = *b->columns[1];
    for (int64_t i = 0; i < b->num_rows; ++i) sum += list.children[0]->values<double>()[i];
  }
  EXPECT_EQ(seen, rows);
  EXPECT_EQ(sum, double(rows) * double(rows - 1) / 2);
  // Each chunk was opened once, one at a time per column, and none was reordered.
  const auto* stats = internal::reader_stats(*reader);
  ASSERT_NE(stats, nullptr);
  EXPECT_EQ(stats->chunks_opened, 2 * rows / chunk_rows);
  EXPECT_EQ(stats->max_open_chunks, 1);
  EXPECT_EQ(stats->sorted_rows, 0);
  // The data is 2 x 512k rows (>= 16 MB with times); a batch is 2 x 1024 cells. Copying
  // /b's non-null rows alone would take 4 MB.
  if (!before) GTEST_SKIP() << "no heap accounting under this allocator";
  EXPECT_LT(*peak, size_t(512) << 10) << "the reader held " << *peak << " bytes";
}

TEST(DataframeMemoryTest, OverlappingChunksAreMergedNotConcatenated) {
  // Four chunks interleaved in time (chunk k holds times k, k+4, k+8, ...), each unsorted.
  auto store = std::make_shared<ChunkStore>(ChunkStoreConfig::no_compaction());
  const int per_chunk = 50;
  std::mt19937 rng(7);
  for (int k = 0; k < 4; ++k) {
    ChunkBuilder b("/a");
    std::vector<int> steps;
    for (int i = 0; i < per_chunk; ++i) steps.push_back(k + 4 * i);
    std::shuffle(steps.begin(), steps.end(), rng);
    for (int t : steps) {
      b.add_row(RowId::create(), {{Timeline::sequence("frame"), t}},
                {{kScalar, t % 3 ? arrow::make_primitive<double>({double(t)}) : nullptr}});
    }
    ASSERT_TRUE(store->insert(*b.build()).ok());
  }
  auto reader = View::create(store, "frame", "/**").value().with_batch_rows(16).read().value();
  auto batches = reader->read_all().value();
  Table got;
  for (const auto& b : batches) {
    for (int64_t r = 0; r < b.num_rows; ++r) {
      got.push_back({std::to_string(b.columns[0]->values<int64_t>()[r]), cell(*b.columns[1], r)});
    }
  }
  Table expected;
  for (int t = 0; t < 4 * per_chunk; ++t) {
    if (t % 3) expected.push_back({std::to_string(t), "[" + std::to_string(t) + "]"});
  }
  EXPECT_EQ(got, expected);
  const auto* stats = internal::reader_stats(*reader);
  ASSERT_NE(stats, nullptr);
  EXPECT_EQ(stats->chunks_opened, 4);
  EXPECT_EQ(stats->max_open_chunks, 4);
  // Each chunk got a row order of its non-null rows, no more.
  EXPECT_LE(stats->max_order_rows, per_chunk);
  EXPECT_EQ(stats->sorted_rows, int64_t(expected.size()));
}

}  // namespace
}  // namespace reel::dataframe
