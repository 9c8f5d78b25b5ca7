#include "reel/query/dataframe.hpp"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "reel/arrow/ipc.hpp"

namespace reel::dataframe {
namespace {

const ComponentDescriptor kScalar("Scalars", "scalars", "reel.components.Scalar");
const ComponentDescriptor kLabel("Points3D", "labels", "reel.components.Text");

// A cell as text: "null", "1.5", "[1, 2]" (via the JSON writer's conventions).
std::string cell(const arrow::ArrayData& list, int64_t row) {
  if (list.is_null(row)) return "null";
  arrow::ListArray l(std::make_shared<arrow::ArrayData>(list));
  auto values = l.value_slice(row);
  std::string s = arrow::array_to_string(*values);
  return s;
}

// The whole table as rows of text, index first: {"1", "[1.5]", "null"}.
std::vector<std::vector<std::string>> table(const View& view) {
  auto batches = view.read_all();
  EXPECT_TRUE(batches.ok()) << batches.status().to_string();
  std::vector<std::vector<std::string>> out;
  for (const auto& b : *batches) {
    for (int64_t r = 0; r < b.num_rows; ++r) {
      std::vector<std::string> row;
      for (size_t c = 0; c < b.columns.size(); ++c) {
        if (c == 0 && view.index()) {
          row.push_back(std::to_string(b.columns[0]->values<int64_t>()[r]));
        } else {
          row.push_back(cell(*b.columns[c], r));
        }
      }
      out.push_back(row);
    }
  }
  return out;
}

using Table = std::vector<std::vector<std::string>>;

class DataframeTest : public ::testing::Test {
 protected:
  void log(const char* entity, std::optional<TimeInt> frame, std::optional<double> value,
           RowId id = RowId::create()) {
    ChunkBuilder b(entity);
    std::vector<ChunkBuilder::TimePoint> times;
    if (frame) times.push_back({Timeline::sequence("frame"), *frame});
    b.add_row(id, times, {{kScalar, value ? arrow::make_primitive<double>({*value}) : nullptr}});
    ASSERT_TRUE(store_->insert(*b.build()).ok());
  }
  View view(std::optional<std::string> index = "frame", const char* contents = "/**") {
    return View::create(store_, index, contents).value();
  }
  std::shared_ptr<ChunkStore> store_ = std::make_shared<ChunkStore>(ChunkStoreConfig::no_compaction());
};

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
  EXPECT_EQ(table(view().filter_range(5, 6)), (Table{{"5", "null", "[50]"}, {"6", "null", "[60]"}}));
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
  auto only_a = view().select({"/a:Scalars:scalars"}).value().filter_is_not_null("/b:Scalars:scalars");
  ASSERT_TRUE(only_a.ok());
  EXPECT_EQ(table(*only_a), (Table{{"2", "[2]"}}));
  auto bad = view().filter_is_not_null("/nope:Scalars:scalars");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/a:Scalars:scalars"), std::string::npos) << bad.status().message();
}

TEST_F(DataframeTest, UsingIndexValuesSamplesAtGivenTimes) {
  log("/a", 1, 1.0);
  log("/a", 4, 4.0);
  EXPECT_EQ(table(view().using_index_values({0, 2, 4, 6}).fill_latest_at()),
            (Table{{"0", "null"}, {"2", "[1]"}, {"4", "[4]"}, {"6", "[4]"}}));
  EXPECT_EQ(table(view().using_index_values({0, 2, 4})),
            (Table{{"0", "null"}, {"2", "null"}, {"4", "[4]"}}));
}

TEST_F(DataframeTest, SelectChoosesColumnsAndOrder) {
  log("/a", 1, 1.0);
  log("/b", 1, 10.0);
  auto v = view().select({"/b:Scalars:scalars", "frame", "/a:Scalars:scalars"});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(table(*v), (Table{{"1", "[10]", "[1]"}}));
  auto bad = view().select({"/c:Scalars:scalars"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_NE(bad.status().message().find("/c:Scalars:scalars"), std::string::npos);
}

TEST_F(DataframeTest, StaticOnlyViewIsOneRow) {
  log("/a", 1, 1.0);
  log("/s", std::nullopt, 42.0);
  EXPECT_EQ(table(view(std::nullopt)), (Table{{"[42]"}}));
  EXPECT_EQ(table(view().select_static()), (Table{{"[42]"}}));
}

TEST_F(DataframeTest, ContentsFilterAndUnknownTimeline) {
  log("/world/a", 1, 1.0);
  log("/world/debug/x", 1, 2.0);
  log("/other", 1, 3.0);
  auto v = View::create(store_, "frame", "/world/** -/world/debug/**").value();
  ASSERT_EQ(v.schema().size(), 2u);
  EXPECT_EQ(v.schema()[1].name, "/world/a:Scalars:scalars");
  auto bad = View::create(store_, "time", "/**");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("frame"), std::string::npos);
}

TEST_F(DataframeTest, MultiInstanceCellsKeepEveryInstance) {
  ChunkBuilder b("/pts");
  b.add_row(RowId::create(), {{Timeline::sequence("frame"), 1}},
            {{kLabel, arrow::make_strings({"x", "y"})}});
  b.add_row(RowId::create(), {{Timeline::sequence("frame"), 2}}, {{kLabel, arrow::make_strings({})}});
  ASSERT_TRUE(store_->insert(*b.build()).ok());
  EXPECT_EQ(table(view()), (Table{{"1", "[\"x\", \"y\"]"}, {"2", "[]"}}));
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

TEST_F(DataframeTest, WritersProduceCsvJsonAndArrow) {
  log("/a", 1, 1.5);
  log("/b,c", 2, 2.0);
  log("/s", std::nullopt, 42.0);
  std::ostringstream csv, json, arrow_out;
  ASSERT_EQ(write_table(view(), OutputFormat::kCsv, csv).value(), 2);
  EXPECT_EQ(csv.str(),
            "frame,/a:Scalars:scalars,\"/b\\,c:Scalars:scalars\",/s:Scalars:scalars\n"
            "1,1.5,,42.0\n"
            "2,,2.0,42.0\n");
  ASSERT_EQ(write_table(view(), OutputFormat::kJson, json).value(), 2);
  EXPECT_EQ(json.str(),
            "{\"/a:Scalars:scalars\":1.5,\"/b\\\\,c:Scalars:scalars\":null,\"/s:Scalars:scalars\":42.0,\"frame\":1}\n"
            "{\"/a:Scalars:scalars\":null,\"/b\\\\,c:Scalars:scalars\":2.0,\"/s:Scalars:scalars\":42.0,\"frame\":2}\n");
  ASSERT_EQ(write_table(view(), OutputFormat::kArrow, arrow_out).value(), 2);
  auto bytes = std::make_shared<std::string>(arrow_out.str());
  arrow::ipc::StreamReader reader({reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()}, bytes);
  auto batch = reader.next();
  ASSERT_TRUE(batch.ok() && *batch) << batch.status().to_string();
  auto expected = view().read_all().value();
  ASSERT_EQ(expected.size(), 1u);
  for (size_t c = 0; c < expected[0].columns.size(); ++c) {
    EXPECT_TRUE(arrow::array_equals(expected[0].columns[c], (*batch)->columns[c])) << c;
  }
}

// ---------------------------------------------------------------------------------------
// Randomized model test: the table compared against a naive reference built from rows.

struct ModelRow {
  int entity;
  RowId id;
  std::optional<TimeInt> frame;
  std::optional<double> value;
};

TEST(DataframeModelTest, RandomRecordingsMatchANaiveReference) {
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    std::mt19937 rng(seed);
    auto store = std::make_shared<ChunkStore>(seed % 2 ? ChunkStoreConfig() : ChunkStoreConfig::no_compaction());
    std::vector<ModelRow> rows;
    const int n = 200;
    RowId first = RowId::reserve(n);
    for (int i = 0; i < n; ++i) {
      ModelRow r{int(rng() % 3), first.plus(uint64_t(i)), std::nullopt, std::nullopt};
      if (!(r.entity == 2 && rng() % 10 == 0)) r.frame = TimeInt(rng() % 40);
      if (rng() % 4) r.value = double(i);
      rows.push_back(r);
    }
    std::vector<size_t> order(rows.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t k : order) {
      const auto& r = rows[k];
      ChunkBuilder b("/e" + std::to_string(r.entity));
      std::vector<ChunkBuilder::TimePoint> times;
      if (r.frame) times.push_back({Timeline::sequence("frame"), *r.frame});
      b.add_row(r.id, times, {{kScalar, r.value ? arrow::make_primitive<double>({*r.value}) : nullptr}});
      ASSERT_TRUE(store->insert(*b.build()).ok());
    }
    const bool fill = rng() % 2;
    const TimeInt t0 = TimeInt(rng() % 20), t1 = t0 + TimeInt(rng() % 25);
    const int not_null = int(rng() % 4) - 1;  // -1: none
    auto v = View::create(store, "frame", "/**").value().filter_range(t0, t1);
    if (fill) v = v.fill_latest_at();
    std::vector<int> entities;
    for (const auto& c : v.schema()) {
      if (!c.is_index) entities.push_back(c.entity.str()[2] - '0');
    }
    if (not_null >= 0 && std::find(entities.begin(), entities.end(), not_null) != entities.end()) {
      v = v.filter_is_not_null("/e" + std::to_string(not_null) + ":Scalars:scalars").value();
    }
    // Reference.
    auto static_of = [&](int e) -> std::optional<double> {
      const ModelRow* best = nullptr;
      for (const auto& r : rows) {
        if (r.entity == e && !r.frame && r.value && (!best || r.id > best->id)) best = &r;
      }
      return best ? best->value : std::nullopt;
    };
    auto at = [&](int e, TimeInt t, bool exact) -> std::optional<double> {
      if (auto s = static_of(e)) return s;
      const ModelRow* best = nullptr;
      for (const auto& r : rows) {
        if (r.entity != e || !r.frame || !r.value) continue;
        if (exact ? *r.frame != t : *r.frame > t) continue;
        if (!best || std::make_pair(*r.frame, r.id) > std::make_pair(*best->frame, best->id)) best = &r;
      }
      return best ? best->value : std::nullopt;
    };
    std::set<TimeInt> index;
    for (const auto& r : rows) {
      if (r.frame && r.value && *r.frame >= t0 && *r.frame <= t1 && !static_of(r.entity)) index.insert(*r.frame);
    }
    Table expected;
    for (TimeInt t : index) {
      if (not_null >= 0 && std::find(entities.begin(), entities.end(), not_null) != entities.end() &&
          !at(not_null, t, true)) {
        continue;
      }
      std::vector<std::string> row = {std::to_string(t)};
      for (int e : entities) {
        auto val = at(e, t, !fill);
        if (!val) {
          row.push_back("null");
        } else {
          char buf[32];
          std::snprintf(buf, sizeof buf, "[%g]", *val);
          row.push_back(buf);
        }
      }
      expected.push_back(row);
    }
    ASSERT_EQ(table(v), expected) << "seed " << seed << " fill " << fill << " range [" << t0 << ", "
                                  << t1 << "] not_null " << not_null;
  }
}

}  // namespace
}  // namespace reel::dataframe
