#include "reel/chunk/chunk.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>

#include "chunk/test_util_internal.hpp"

namespace reel {
namespace {

using namespace test;  // NOLINT: the chunk test helpers

// ---------------------------------------------------------------------------------------
// The checked constructor

TEST(ChunkTest, MakeRefusesTimeColumnOfWrongLength) {
  auto r = Chunk::make(kId, "/world/e", row_ids({1, 2, 3}),
                       {TimeColumn::sequence("frame", std::vector<int64_t>{1, 2})}, {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(make_error(r), where() + "time column 'frame' has 2 rows, expected 3");
}

TEST(ChunkTest, MakeRefusesComponentColumnOfWrongLength) {
  auto r = Chunk::make(kId, "/world/e", row_ids({1, 2, 3}), {}, {{kScalar, scalars({1, 2, 3, 4})}});
  EXPECT_EQ(make_error(r), where() + "component 'Scalars:scalars' has 4 rows, expected 3");
}

TEST(ChunkTest, MakeRefusesATimelineTwiceEvenWithAnotherType) {
  std::vector<int64_t> t = {1, 2};
  auto r =
      Chunk::make(kId, "/world/e", row_ids({1, 2}),
                  {TimeColumn::sequence("frame", t), TimeColumn::timestamp_nanos("frame", t)}, {});
  EXPECT_EQ(make_error(r), where() + "timeline 'frame' appears twice");
}

TEST(ChunkTest, MakeRefusesAComponentTwice) {
  auto r = Chunk::make(kId, "/world/e", row_ids({1}), {},
                       {{kScalar, scalars({1})}, {kScalar, scalars({2})}});
  EXPECT_EQ(make_error(r), where() + "component 'Scalars:scalars' appears twice");
}

TEST(ChunkTest, MakeRefusesAComponentWithoutValues) {
  auto r = Chunk::make(kId, "/world/e", row_ids({}), {}, {{kScalar, ListColumn()}});
  EXPECT_EQ(make_error(r), where() + "component 'Scalars:scalars' has no values");
}

// Regression: a unit column's null count is the caller's claim; a false one made
// num_non_null, component_time_range and densified wrong. Chunk::make verifies it.
TEST(ChunkTest, MakeRefusesAFalseNullCount) {
  auto lying = ListColumn::unit(f64({1, 2, 3, 4}), bitmap({true, false, true, true}), 2);
  auto r = Chunk::make(kId, "/world/e", row_ids({1, 2, 3, 4}), {}, {{kScalar, lying}});
  EXPECT_EQ(make_error(r),
            where() +
                "component 'Scalars:scalars' claims 2 null rows but its validity bitmap "
                "has 1");
}

TEST(ChunkTest, MakeRefusesAValidityBitmapShorterThanTheRows) {
  std::vector<double> v(100, 1.0);
  auto short_bits = ListColumn::unit(f64(v), bitmap({true, false}), 1);
  std::vector<uint64_t> incs(100);
  for (size_t i = 0; i < incs.size(); ++i) incs[i] = i;
  auto r = Chunk::make(kId, "/world/e", row_ids(incs), {}, {{kScalar, short_bits}});
  EXPECT_EQ(make_error(r),
            where() + "component 'Scalars:scalars' has a validity bitmap of 1 bytes for 100 rows");
}

TEST(ChunkTest, MakeOrdersTimeColumnsByName) {
  std::vector<int64_t> t = {1, 2};
  auto c = Chunk::make(kId, "/world/e", row_ids({1, 2}),
                       {TimeColumn::sequence("zeta", t), TimeColumn::timestamp_nanos("alpha", t),
                        TimeColumn::duration_nanos("mid", t)},
                       {})
               .value();
  ASSERT_EQ(c->timelines().size(), 3u);
  EXPECT_EQ(c->timelines()[0].name(), "alpha");
  EXPECT_EQ(c->timelines()[1].name(), "mid");
  EXPECT_EQ(c->timelines()[2].name(), "zeta");
  EXPECT_FALSE(c->is_static());
}

TEST(ChunkTest, MakeComputesTrueStatistics) {
  auto c = make_chunk({3, 1, 2}, {30, 10, 20}, {1, std::nullopt, 3});
  EXPECT_FALSE(c->is_sorted());
  EXPECT_EQ(c->row_ids().min(), (RowId{kTime, 1}));
  EXPECT_EQ(c->row_ids().max(), (RowId{kTime, 3}));
  EXPECT_FALSE(c->timeline("frame")->is_sorted());
  EXPECT_EQ(c->timeline("frame")->range(), (TimeRange{10, 30}));
  EXPECT_EQ(c->num_non_null(kScalar), 2);
  EXPECT_EQ(c->component_time_range("frame", kScalar), (TimeRange{20, 30}));
}

TEST(ChunkTest, StaticChunkHasNoTimelines) {
  auto c = Chunk::make(kId, "/world/e", row_ids({1}), {}, {{kScalar, scalars({5})}}).value();
  EXPECT_TRUE(c->is_static());
  EXPECT_EQ(c->timeline("frame"), nullptr);
  EXPECT_EQ(c->num_rows(), 1);
}

TEST(ChunkTest, BuilderRefusesAComponentLoggedWithTwoTypes) {
  ChunkBuilder b("/world/e");
  b.add_row({kTime, 1}, {{Timeline::sequence("frame"), 1}}, {{kScalar, f64({1})}});
  b.add_row({kTime, 2}, {{Timeline::sequence("frame"), 2}},
            {{kScalar, arrow::make_primitive<float>({2})}});
  auto r = b.build(kId);
  EXPECT_EQ(r.status().code(), StatusCode::kTypeError);
  EXPECT_EQ(make_error(r),
            "component 'Scalars:scalars' of /world/e logged as float64 and as float32");
}

// ---------------------------------------------------------------------------------------
// Sorting

TEST(ChunkTest, SortByRowIdReordersEveryColumn) {
  auto c = make_chunk({3, 1, 2}, {30, 10, 20}, {3, std::nullopt, 2});
  auto s = c->sorted_by_row_id();
  EXPECT_TRUE(s->is_sorted());
  EXPECT_EQ(incs_of(*s), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(times_of(*s), (std::vector<int64_t>{10, 20, 30}));
  EXPECT_EQ(values_of(*s), (Values{std::nullopt, 2, 3}));
  EXPECT_EQ(s->id(), c->id());
  EXPECT_TRUE(s->timeline("frame")->is_sorted());  // statistics of the new order
}

TEST(ChunkTest, SortByRowIdOfASortedChunkIsTheChunkItself) {
  auto c = make_chunk({1, 2, 3}, {3, 2, 1}, {1, 2, 3});
  EXPECT_EQ(c->sorted_by_row_id(), c);
}

TEST(ChunkTest, SortByTimelineOrdersRowsByTime) {
  auto c = make_chunk({1, 2, 3, 4}, {40, 10, 30, 20}, {4, 1, 3, 2});
  auto s = c->sorted_by_timeline("frame").value();
  EXPECT_EQ(times_of(*s), (std::vector<int64_t>{10, 20, 30, 40}));
  EXPECT_EQ(incs_of(*s), (std::vector<uint64_t>{2, 4, 3, 1}));
  EXPECT_EQ(values_of(*s), (Values{1, 2, 3, 4}));
  EXPECT_TRUE(s->timeline("frame")->is_sorted());
  EXPECT_FALSE(s->is_sorted());  // no longer in RowId order
  EXPECT_TRUE(s->is_sorted_by_timeline("frame"));
}

TEST(ChunkTest, SortByTimelineKeepsRowIdOrderForTies) {
  auto c = make_chunk({10, 30, 5, 20}, {2, 1, 2, 1}, {1, 2, 3, 4});
  auto s = c->sorted_by_timeline("frame").value();
  EXPECT_EQ(times_of(*s), (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(incs_of(*s), (std::vector<uint64_t>{20, 30, 5, 10}));
  EXPECT_EQ(values_of(*s), (Values{4, 2, 3, 1}));
}

TEST(ChunkTest, SortedTimesWithTiesOutOfRowIdOrderAreNotSortedByTimeline) {
  auto c = make_chunk({2, 1, 3}, {5, 5, 6}, {1, 2, 3});
  EXPECT_TRUE(c->timeline("frame")->is_sorted());
  EXPECT_FALSE(c->is_sorted_by_timeline("frame"));
  auto s = c->sorted_by_timeline("frame").value();
  EXPECT_NE(s, c);
  EXPECT_EQ(incs_of(*s), (std::vector<uint64_t>{1, 2, 3}));
}

TEST(ChunkTest, SortByTimelineOfASortedChunkIsTheChunkItself) {
  auto c = make_chunk({1, 2, 3}, {1, 1, 2}, {1, 2, 3});
  EXPECT_EQ(c->sorted_by_timeline("frame").value(), c);
}

TEST(ChunkTest, SortByAnUnknownTimelineIsNotFound) {
  auto c = make_chunk({1}, {1}, {1});
  auto r = c->sorted_by_timeline("log_time");
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "chunk of /world/e has no timeline 'log_time'");
  EXPECT_FALSE(c->is_sorted_by_timeline("log_time"));
}

// ---------------------------------------------------------------------------------------
// Slicing

TEST(ChunkTest, SliceSelectsTheRows) {
  auto c = make_chunk({1, 2, 3, 4, 5}, {10, 20, 30, 40, 50}, {1, std::nullopt, 3, 4, 5});
  auto s = c->slice(1, 3);
  EXPECT_EQ(incs_of(*s), (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(times_of(*s), (std::vector<int64_t>{20, 30, 40}));
  EXPECT_EQ(values_of(*s), (Values{std::nullopt, 3, 4}));
  EXPECT_EQ(s->id(), c->id());
  EXPECT_EQ(s->entity_path(), c->entity_path());
}

TEST(ChunkTest, SliceSharesBuffersWithItsParent) {
  auto c = make_chunk({1, 2, 3, 4, 5}, {10, 20, 30, 40, 50}, {1, std::nullopt, 3, 4, 5});
  auto s = c->slice(2, 2);
  EXPECT_EQ(s->timeline("frame")->buffer(), c->timeline("frame")->buffer());
  EXPECT_EQ(s->timeline("frame")->data(), c->timeline("frame")->data() + 2);
  EXPECT_EQ(s->component(kScalar)->list.values(), c->component(kScalar)->list.values());
  // Every buffer of the slice is one of the parent's (rows 2-3 have no nulls, so the slice
  // drops the validity bitmap).
  const auto parent = buffers_of({c.get()});
  const auto slice = buffers_of({s.get()});
  EXPECT_EQ(slice.size(), 2u);
  for (const auto& [key, bytes] : slice) EXPECT_EQ(parent.count(key), 1u);
}

TEST(ChunkTest, SliceHasTheStatisticsOfItsRows) {
  auto c = make_chunk({5, 1, 2, 3}, {40, 10, 30, 20}, {1, std::nullopt, 3, 4});
  auto s = c->slice(1, 2);
  EXPECT_TRUE(s->is_sorted());
  EXPECT_TRUE(s->timeline("frame")->is_sorted());
  EXPECT_EQ(s->timeline("frame")->range(), (TimeRange{10, 30}));
  EXPECT_EQ(s->num_non_null(kScalar), 1);
  EXPECT_EQ(s->component(kScalar)->list.null_count(), 1);
  EXPECT_EQ(c->slice(2, 2)->component(kScalar)->list.null_count(), 0);
}

TEST(ChunkTest, SliceClampsToTheChunk) {
  auto c = make_chunk({1, 2, 3, 4}, {1, 2, 3, 4}, {1, 2, 3, 4});
  EXPECT_EQ(incs_of(*c->slice(2, 100)), (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(c->slice(9, 1)->num_rows(), 0);
  EXPECT_EQ(c->slice(-3, 2)->num_rows(), 2);
  EXPECT_TRUE(c->slice(4, 0)->timeline("frame")->range().empty());
}

TEST(ChunkTest, SliceOfTheWholeChunkIsTheChunkItself) {
  auto c = make_chunk({1, 2}, {1, 2}, {1, 2});
  EXPECT_EQ(c->slice(0, 2), c);
}

// ---------------------------------------------------------------------------------------
// Concatenation

TEST(ChunkTest, ConcatenateAppendsRowsInOrder) {
  auto a = make_chunk({1, 2}, {10, 20}, {1, 2}, {1, 10});
  auto b = make_chunk({7, 8, 9}, {30, 40, 50}, {std::nullopt, 4, 5}, {1, 11});
  std::vector<ChunkPtr> parts = {a, b};
  auto c = Chunk::concatenate(parts).value();
  EXPECT_EQ(incs_of(*c), (std::vector<uint64_t>{1, 2, 7, 8, 9}));
  EXPECT_EQ(times_of(*c), (std::vector<int64_t>{10, 20, 30, 40, 50}));
  EXPECT_EQ(values_of(*c), (Values{1, 2, std::nullopt, 4, 5}));
  EXPECT_EQ(c->entity_path(), EntityPath("/world/e"));
}

TEST(ChunkTest, ConcatenateGivesANewId) {
  auto a = make_chunk({1}, {1}, {1}, {1, 10});
  auto b = make_chunk({2}, {2}, {2}, {1, 11});
  std::vector<ChunkPtr> parts = {a, b};
  auto c = Chunk::concatenate(parts).value();
  EXPECT_NE(c->id(), a->id());
  EXPECT_NE(c->id(), b->id());
}

TEST(ChunkTest, ConcatenateRecomputesStatistics) {
  auto a = make_chunk({5, 6}, {1, 5}, {1, 2}, {1, 10});
  auto b = make_chunk({3}, {3}, {std::nullopt}, {1, 11});
  std::vector<ChunkPtr> parts = {a, b};
  auto c = Chunk::concatenate(parts).value();
  EXPECT_FALSE(c->is_sorted());
  EXPECT_EQ(c->row_ids().min(), (RowId{kTime, 3}));
  EXPECT_EQ(c->row_ids().max(), (RowId{kTime, 6}));
  EXPECT_FALSE(c->timeline("frame")->is_sorted());
  EXPECT_EQ(c->timeline("frame")->range(), (TimeRange{1, 5}));
  EXPECT_EQ(c->num_non_null(kScalar), 2);
  EXPECT_EQ(c->component_time_range("frame", kScalar), (TimeRange{1, 5}));
}

TEST(ChunkTest, ConcatenateFillsAComponentMissingFromAChunkWithNulls) {
  auto a = make_chunk({1, 2}, {1, 2}, {1, 2}, {1, 10});
  auto b = Chunk::make({1, 11}, "/world/e", row_ids({3}),
                       {TimeColumn::sequence("frame", std::vector<int64_t>{3})},
                       {{kWeight, scalars({9})}})
               .value();
  std::vector<ChunkPtr> parts = {a, b};
  auto c = Chunk::concatenate(parts).value();
  ASSERT_EQ(c->components().size(), 2u);
  EXPECT_EQ(c->components()[0].descriptor, kScalar);  // order of first appearance
  EXPECT_EQ(c->components()[1].descriptor, kWeight);
  EXPECT_EQ(values_of(*c, kScalar), (Values{1, 2, std::nullopt}));
  EXPECT_EQ(values_of(*c, kWeight), (Values{std::nullopt, std::nullopt, 9}));
}

TEST(ChunkTest, ConcatenateRefusesAnotherEntity) {
  auto a = make_chunk({1}, {1}, {1});
  auto b = Chunk::make(kId, "/world/other", row_ids({2}),
                       {TimeColumn::sequence("frame", std::vector<int64_t>{2})}, {})
               .value();
  std::vector<ChunkPtr> parts = {a, b};
  EXPECT_EQ(make_error(Chunk::concatenate(parts)),
            "cannot concatenate chunk of /world/other with chunk of /world/e: entity, timelines "
            "or component types differ");
}

TEST(ChunkTest, ConcatenateRefusesOtherTimelines) {
  auto a = make_chunk({1}, {1}, {1});
  auto b = Chunk::make(kId, "/world/e", row_ids({2}),
                       {TimeColumn::timestamp_nanos("frame", std::vector<int64_t>{2})}, {})
               .value();
  std::vector<ChunkPtr> parts = {a, b};
  EXPECT_FALSE(Chunk::concatenate(parts).ok());
  EXPECT_FALSE(a->is_concatenable_with(*b));
}

TEST(ChunkTest, ConcatenateRefusesAComponentOfAnotherType) {
  auto a = make_chunk({1}, {1}, {1});
  auto b = Chunk::make(kId, "/world/e", row_ids({2}),
                       {TimeColumn::sequence("frame", std::vector<int64_t>{2})},
                       {{kScalar, ListColumn::unit(arrow::make_primitive<float>({2}))}})
               .value();
  std::vector<ChunkPtr> parts = {a, b};
  EXPECT_FALSE(Chunk::concatenate(parts).ok());
  EXPECT_FALSE(a->is_concatenable_with(*b));
}

// Regression (UBSan): an explicit row id column of 0 rows copied into its own buffer has no
// memory, and concatenating it passed a null pointer to memcpy.
TEST(ChunkTest, ConcatenateWithAnEmptyCopiedChunkKeepsTheOtherRows) {
  auto a = make_chunk({9, 1, 5}, {1, 2, 3}, {1, 2, 3}, {1, 10});
  auto empty = a->slice(0, 0)->copy_buffers();
  ASSERT_TRUE(empty->row_ids().is_explicit());
  std::vector<ChunkPtr> parts = {a, empty};
  auto c = Chunk::concatenate(parts).value();
  EXPECT_EQ(incs_of(*c), (std::vector<uint64_t>{9, 1, 5}));
  EXPECT_EQ(times_of(*c), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(values_of(*c), (Values{1, 2, 3}));
}

TEST(ChunkTest, ConcatenateOfNothingIsAnError) {
  EXPECT_EQ(make_error(Chunk::concatenate({})), "concatenate needs at least one chunk");
}

// ---------------------------------------------------------------------------------------
// Splitting

TEST(ChunkTest, SplitMakesPiecesOfAtMostMaxRows) {
  auto c = make_chunk({1, 2, 3, 4, 5}, {1, 2, 3, 4, 5}, {1, 2, 3, 4, 5});
  auto pieces = c->split(2);
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[0]->num_rows(), 2);
  EXPECT_EQ(pieces[1]->num_rows(), 2);
  EXPECT_EQ(pieces[2]->num_rows(), 1);
}

TEST(ChunkTest, SplitKeepsEveryRowOnceInOrder) {
  auto c =
      make_chunk({1, 2, 3, 4, 5, 6, 7}, {7, 6, 5, 4, 3, 2, 1}, {1, std::nullopt, 3, 4, 5, 6, 7});
  std::vector<uint64_t> incs;
  std::vector<int64_t> times;
  Values values;
  for (const auto& p : c->split(3)) {
    auto i = incs_of(*p);
    auto t = times_of(*p);
    auto v = values_of(*p);
    incs.insert(incs.end(), i.begin(), i.end());
    times.insert(times.end(), t.begin(), t.end());
    values.insert(values.end(), v.begin(), v.end());
  }
  EXPECT_EQ(incs, incs_of(*c));
  EXPECT_EQ(times, times_of(*c));
  EXPECT_EQ(values, values_of(*c));
}

TEST(ChunkTest, SplitPiecesShareBuffersAndHaveTheirOwnIds) {
  auto c = make_chunk({1, 2, 3, 4}, {1, 2, 3, 4}, {1, 2, 3, 4});
  auto pieces = c->split(2);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[1]->timeline("frame")->buffer(), c->timeline("frame")->buffer());
  std::set<ChunkId> ids = {c->id(), pieces[0]->id(), pieces[1]->id()};
  EXPECT_EQ(ids.size(), 3u);
}

TEST(ChunkTest, SplitOfAChunkThatFitsIsTheChunkItself) {
  auto c = make_chunk({1, 2}, {1, 2}, {1, 2});
  ASSERT_EQ(c->split(2).size(), 1u);
  EXPECT_EQ(c->split(2)[0], c);
  EXPECT_EQ(c->split(0)[0], c);  // no limit
}

// ---------------------------------------------------------------------------------------
// Densifying

TEST(ChunkTest, DensifyDropsTheRowsWhereTheComponentIsNull) {
  auto c = Chunk::make(kId, "/world/e", row_ids({1, 2, 3, 4}),
                       {TimeColumn::sequence("frame", std::vector<int64_t>{10, 20, 30, 40})},
                       {{kScalar, scalars({1, std::nullopt, 3, std::nullopt})},
                        {kWeight, scalars({std::nullopt, 6, 7, 8})}})
               .value();
  auto d = c->densified(kScalar);
  EXPECT_EQ(incs_of(*d), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(times_of(*d), (std::vector<int64_t>{10, 30}));
  EXPECT_EQ(values_of(*d, kScalar), (Values{1, 3}));
  EXPECT_EQ(values_of(*d, kWeight), (Values{std::nullopt, 7}));  // other columns follow
  EXPECT_EQ(d->component(kScalar)->list.null_count(), 0);
  EXPECT_EQ(c->densified(kWeight)->num_rows(), 3);
}

TEST(ChunkTest, DensifyKeepsEmptyButLoggedLists) {
  auto c = Chunk::make(kId, "/world/e", row_ids({1, 2, 3}),
                       {TimeColumn::sequence("frame", std::vector<int64_t>{1, 2, 3})},
                       {{kLabel, labels({std::vector<std::string>{"a", "b"}, std::nullopt,
                                         std::vector<std::string>{}})}})
               .value();
  auto d = c->densified(kLabel);
  EXPECT_EQ(incs_of(*d), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(labels_of(*d), (std::vector<std::optional<std::vector<std::string>>>{
                               std::vector<std::string>{"a", "b"}, std::vector<std::string>{}}));
}

TEST(ChunkTest, DensifyWithoutNullsIsTheChunkItself) {
  auto c = make_chunk({1, 2}, {1, 2}, {1, 2});
  EXPECT_EQ(c->densified(kScalar), c);
}

// ---------------------------------------------------------------------------------------
// Memory accounting

TEST(ChunkTest, HeapSizeIsBookkeepingPlusBuffers) {
  // Consecutive row ids need no buffer; 4 times and 4 f64 take one 64-byte block each.
  auto c = Chunk::make(kId, "/world/e", RowIdColumn::consecutive({kTime, 1}, 4),
                       {TimeColumn::sequence("frame", std::vector<int64_t>{1, 2, 3, 4})},
                       {{kScalar, scalars({1, 2, 3, 4})}})
               .value();
  EXPECT_EQ(buffers_of({c.get()}).size(), 2u);
  EXPECT_EQ(c->heap_size_bytes(), c->overhead_bytes() + 128);
}

TEST(ChunkTest, HeapSizeCountsExplicitRowIdsAndValidity) {
  // 3 random-order row ids are stored one per row: 48 bytes -> 64; validity 1 byte -> 64.
  auto c = make_chunk({9, 1, 5}, {1, 2, 3}, {1, std::nullopt, 3});
  ASSERT_TRUE(c->row_ids().is_explicit());
  EXPECT_EQ(buffers_of({c.get()}).size(), 4u);
  EXPECT_EQ(c->heap_size_bytes(), c->overhead_bytes() + 4 * 64);
}

TEST(ChunkTest, HeapSizeCountsABufferUsedByTwoColumnsOnce) {
  auto shared = scalars({1, 2, 3});
  auto c = Chunk::make(kId, "/world/e", RowIdColumn::consecutive({kTime, 1}, 3), {},
                       {{kScalar, shared}, {kWeight, shared}})
               .value();
  EXPECT_EQ(c->heap_size_bytes(), c->overhead_bytes() + 64);
}

TEST(ChunkTest, SliceAndParentBuffersAreCountedOnce) {
  std::vector<double> v(1000);
  std::vector<int64_t> t(1000);
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = double(i);
    t[i] = int64_t(i);
  }
  auto c = Chunk::make(kId, "/world/e", RowIdColumn::consecutive({kTime, 1}, 1000),
                       {TimeColumn::sequence("frame", t)}, {{kScalar, ListColumn::unit(f64(v))}})
               .value();
  auto s = c->slice(10, 5);
  const size_t parent = total_bytes(buffers_of({c.get()}));
  EXPECT_EQ(parent, 2 * 8000u);  // 1000 times and 1000 f64, each a multiple of 64 bytes
  EXPECT_EQ(total_bytes(buffers_of({c.get(), s.get()})), parent);
  // The slice alone holds the parent's blocks alive: it is charged for them.
  EXPECT_EQ(s->heap_size_bytes() - s->overhead_bytes(), parent);
}

TEST(ChunkTest, CopyBuffersOfASliceHoldsOnlyItsRows) {
  std::vector<double> v(1000, 1.0);
  std::vector<int64_t> t(1000, 7);
  auto c = Chunk::make(kId, "/world/e", RowIdColumn::consecutive({kTime, 1}, 1000),
                       {TimeColumn::sequence("frame", t)}, {{kScalar, ListColumn::unit(f64(v))}})
               .value();
  auto copy = c->slice(10, 5)->copy_buffers();
  EXPECT_TRUE(copy->content_equals(*c->slice(10, 5)));
  EXPECT_EQ(copy->heap_size_bytes() - copy->overhead_bytes(), 2 * 64u);  // 40 bytes each
  EXPECT_TRUE(buffers_of({copy.get()}).size() == 2u);
  for (const auto& [key, bytes] : buffers_of({copy.get()})) {
    EXPECT_EQ(buffers_of({c.get()}).count(key), 0u);
  }
}

}  // namespace
}  // namespace reel
