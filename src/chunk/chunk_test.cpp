#include "reel/chunk/chunk.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>

#include "reel/chunk/chunk_arrow.hpp"

namespace reel {
namespace {

using Values = std::vector<std::optional<double>>;

const ComponentDescriptor kScalar("Scalars", "scalars", "reel.components.Scalar");
const ComponentDescriptor kWeight("Scalars", "weights", "reel.components.Scalar");
const ComponentDescriptor kLabel("Points3D", "labels", "reel.components.Text");
constexpr ChunkId kId{1, 1};
constexpr uint64_t kTime = 100;  // time_ns of the test row ids

RowIdColumn row_ids(const std::vector<uint64_t>& incs) {
  std::vector<RowId> ids;
  for (uint64_t inc : incs) ids.push_back({kTime, inc});
  return RowIdColumn::from_ids(ids);
}

// An exactly sized buffer (capacity rounded up to 64 bytes), so byte counts are predictable.
arrow::ArrayPtr f64(const std::vector<double>& v) {
  return arrow::make_primitive_from_buffer(
      arrow::float64(), arrow::Buffer::copy_of(v.data(), v.size() * sizeof(double)),
      int64_t(v.size()));
}

arrow::BufferPtr bitmap(const std::vector<bool>& valid) {
  auto bits =
      arrow::Buffer::allocate(size_t(arrow::bit_util::bytes_for_bits(int64_t(valid.size()))));
  for (size_t i = 0; i < valid.size(); ++i) {
    if (valid[i]) arrow::bit_util::set_bit(bits->mutable_data(), int64_t(i));
  }
  return bits;
}

// One f64 per row (the unit list form); nullopt is a null row.
ListColumn scalars(const Values& values) {
  std::vector<double> v;
  std::vector<bool> valid;
  int64_t nulls = 0;
  for (const auto& x : values) {
    v.push_back(x.value_or(0));
    valid.push_back(x.has_value());
    nulls += !x.has_value();
  }
  return ListColumn::unit(f64(v), nulls ? bitmap(valid) : nullptr, nulls);
}

// Lists of strings per row; nullopt is a null row, {} an empty (valid) list.
ListColumn labels(const std::vector<std::optional<std::vector<std::string>>>& rows) {
  arrow::BinaryBuilder values;
  std::vector<int32_t> offsets = {0};
  std::vector<bool> valid;
  int64_t nulls = 0;
  for (const auto& row : rows) {
    if (row) {
      for (const auto& s : *row) values.append(s);
    }
    offsets.push_back(int32_t(values.length()));
    valid.push_back(row.has_value());
    nulls += !row.has_value();
  }
  auto list = arrow::make_list(offsets, values.finish(), nulls ? bitmap(valid) : nullptr, nulls);
  return ListColumn::from_arrow(list.value(), true).value();
}

// A chunk of /world/e with one RowId per row (inc = `incs`), a `frame` timeline and a
// Scalars:scalars column.
ChunkPtr make_chunk(const std::vector<uint64_t>& incs, const std::vector<int64_t>& frames,
                    const Values& values, ChunkId id = kId) {
  auto c = Chunk::make(id, "/world/e", row_ids(incs), {TimeColumn::sequence("frame", frames)},
                       {{kScalar, scalars(values)}});
  EXPECT_TRUE(c.ok()) << c.status().to_string();
  return c.value();
}

std::vector<uint64_t> incs_of(const Chunk& c) {
  std::vector<uint64_t> out;
  for (int64_t i = 0; i < c.num_rows(); ++i) {
    EXPECT_EQ(c.row_id(i).time_ns, kTime);
    out.push_back(c.row_id(i).inc);
  }
  return out;
}

std::vector<int64_t> times_of(const Chunk& c, std::string_view timeline = "frame") {
  const TimeColumn* t = c.timeline(timeline);
  EXPECT_NE(t, nullptr) << timeline;
  if (!t) return {};
  return {t->times().begin(), t->times().end()};
}

Values values_of(const Chunk& c, const ComponentDescriptor& d = kScalar) {
  Values out;
  const ComponentColumn* col = c.component(d);
  EXPECT_NE(col, nullptr) << d.identifier();
  if (!col) return out;
  for (int64_t i = 0; i < c.num_rows(); ++i) {
    if (!col->list.is_valid(i)) {
      out.push_back(std::nullopt);
      continue;
    }
    auto row = col->list.row_values(i);
    EXPECT_EQ(row->length, 1) << "row " << i;
    out.push_back(arrow::PrimitiveArray<double>(row).value(0));
  }
  return out;
}

std::vector<std::optional<std::vector<std::string>>> labels_of(const Chunk& c) {
  std::vector<std::optional<std::vector<std::string>>> out;
  const ComponentColumn* col = c.component(kLabel);
  EXPECT_NE(col, nullptr);
  if (!col) return out;
  for (int64_t i = 0; i < c.num_rows(); ++i) {
    if (!col->list.is_valid(i)) {
      out.push_back(std::nullopt);
      continue;
    }
    arrow::StringArray row(col->list.row_values(i));
    std::vector<std::string> strings;
    for (int64_t k = 0; k < row.length(); ++k) strings.emplace_back(row.value(k));
    out.push_back(strings);
  }
  return out;
}

std::string make_error(Result<ChunkPtr> r) {
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.status().message();
}

std::string where() { return "chunk " + kId.to_string() + " of /world/e: "; }

// Distinct buffer keys and the bytes they hold.
std::map<const void*, size_t> buffers_of(std::initializer_list<const Chunk*> chunks) {
  std::vector<std::pair<const void*, size_t>> list;
  for (const Chunk* c : chunks) c->collect_buffers(list);
  return {list.begin(), list.end()};
}

size_t total_bytes(const std::map<const void*, size_t>& buffers) {
  size_t total = 0;
  for (const auto& [key, bytes] : buffers) total += bytes;
  return total;
}

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

TEST(ChunkTest, CheckedTimeColumnRefusesAFalseSortedFlag) {
  std::vector<int64_t> v = {3, 1, 2};
  auto buffer = arrow::Buffer::copy_of(v.data(), v.size() * 8);
  auto r = TimeColumn::make_checked(Timeline::sequence("frame"), buffer, 0, 3, true, {1, 3});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "time column 'frame' claims is_sorted=true but its times are not sorted");
}

// Regression: claiming "unsorted" for sorted times was reported as "claims is_sorted=false but
// it is not", which reads as if the column were unsorted.
TEST(ChunkTest, CheckedTimeColumnRefusesAFalseUnsortedFlag) {
  std::vector<int64_t> v = {1, 2, 3};
  auto buffer = arrow::Buffer::copy_of(v.data(), v.size() * 8);
  auto r = TimeColumn::make_checked(Timeline::sequence("frame"), buffer, 0, 3, false, {1, 3});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "time column 'frame' claims is_sorted=false but its times are sorted");
}

TEST(ChunkTest, CheckedTimeColumnRefusesAFalseRange) {
  std::vector<int64_t> v = {1, 2, 3};
  auto buffer = arrow::Buffer::copy_of(v.data(), v.size() * 8);
  auto r = TimeColumn::make_checked(Timeline::sequence("frame"), buffer, 1, 2, true, {1, 3});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "time column 'frame' claims range [1, 3] but holds [2, 3]");
  EXPECT_TRUE(
      TimeColumn::make_checked(Timeline::sequence("frame"), buffer, 1, 2, true, {2, 3}).ok());
}

// Regression: a negative offset passed the size check ((offset + length) * 8 <= size) and the
// column read before the buffer.
TEST(ChunkTest, CheckedTimeColumnRefusesRowsOutsideTheBuffer) {
  std::vector<int64_t> v = {1, 2, 3};
  auto buffer = arrow::Buffer::copy_of(v.data(), v.size() * 8);
  auto negative =
      TimeColumn::make_checked(Timeline::sequence("frame"), buffer, -1, 1, true, {1, 1});
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().message(),
            "time column 'frame': 1 rows at offset -1 are outside its buffer of 3 times");
  auto past = TimeColumn::make_checked(Timeline::sequence("frame"), buffer, 2, 2, true, {3, 3});
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().message(),
            "time column 'frame': 2 rows at offset 2 are outside its buffer of 3 times");
}

TEST(ChunkTest, DecodingRefusesRowIdsOfTheWrongType) {
  auto batch = chunk_to_record_batch(*make_chunk({1, 2}, {1, 2}, {1, 2})).value();
  auto schema = std::make_shared<arrow::Schema>(*batch.schema);
  schema->fields[0] =
      arrow::field("reel.row_id", arrow::int64(), false, schema->fields[0]->metadata);
  batch.schema = schema;
  batch.columns[0] = arrow::make_primitive<int64_t>({1, 2});
  auto r = chunk_from_record_batch(batch);
  EXPECT_EQ(r.status().code(), StatusCode::kTypeError);
  EXPECT_EQ(make_error(r),
            "chunk of /world/e, column 'reel.row_id': row id column must be "
            "fixed_size_binary[16], got int64");
}

TEST(ChunkTest, DecodingRefusesAComponentThatIsNotAList) {
  auto batch = chunk_to_record_batch(*make_chunk({1, 2}, {1, 2}, {1, 2})).value();
  auto schema = std::make_shared<arrow::Schema>(*batch.schema);
  const size_t k = batch.columns.size() - 1;
  schema->fields[k] =
      arrow::field("Scalars:scalars", arrow::float64(), true, schema->fields[k]->metadata);
  batch.schema = schema;
  batch.columns[k] = f64({1, 2});
  auto r = chunk_from_record_batch(batch);
  EXPECT_EQ(r.status().code(), StatusCode::kTypeError);
  EXPECT_EQ(make_error(r),
            "chunk of /world/e, component 'Scalars:scalars': component column must be a list "
            "array, got float64");
}

TEST(ChunkTest, DecodingComputesStatisticsInsteadOfTrustingMetadata) {
  auto batch = chunk_to_record_batch(*make_chunk({2, 1}, {5, 4}, {1, 2})).value();
  auto schema = std::make_shared<arrow::Schema>(*batch.schema);
  for (auto& [key, value] : schema->metadata) {
    if (key == "reel.is_sorted") value = "true";
  }
  schema->fields[1] = arrow::field(
      "frame", arrow::int64(), false,
      {{"reel.kind", "time"}, {"reel.time_type", "sequence"}, {"reel.is_sorted", "true"}});
  batch.schema = schema;
  auto c = chunk_from_record_batch(batch).value();
  EXPECT_FALSE(c->is_sorted());
  EXPECT_FALSE(c->timeline("frame")->is_sorted());
  EXPECT_EQ(c->timeline("frame")->range(), (TimeRange{4, 5}));
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
