// Helpers of the query module's dataframe tests: a small store logged row by row, and a
// view's table as text.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reel/query/dataframe.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::dataframe::test_support {

inline const ComponentDescriptor kScalar("Scalars", "scalars", "reel.components.Scalar");
inline const ComponentDescriptor kLabel("Points3D", "labels", "reel.components.Text");

// A cell as text: "null", "1.5", "[1, 2]" (via the JSON writer's conventions).
inline std::string cell(const arrow::ArrayData& list, int64_t row) {
  if (list.is_null(row)) return "null";
  arrow::ListArray l(std::make_shared<arrow::ArrayData>(list));
  auto values = l.value_slice(row);
  std::string s = arrow::array_to_string(*values);
  return s;
}

// Batches as rows of text, index first (when `has_index`): {"1", "[1.5]", "null"}.
inline std::vector<std::vector<std::string>> table(
    const Result<std::vector<arrow::RecordBatch>>& batches, bool has_index) {
  EXPECT_TRUE(batches.ok()) << batches.status().to_string();
  std::vector<std::vector<std::string>> out;
  if (!batches.ok()) return out;
  for (const auto& b : *batches) {
    for (int64_t r = 0; r < b.num_rows; ++r) {
      std::vector<std::string> row;
      for (size_t c = 0; c < b.columns.size(); ++c) {
        if (c == 0 && has_index) {
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

// The whole table of a view as rows of text.
inline std::vector<std::vector<std::string>> table(const View& view) {
  return table(view.read_all(), view.index().has_value());
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
  // A Clear of `entity` (and its descendants when `recursive`); static without a frame.
  void clear(const char* entity, std::optional<TimeInt> frame, bool recursive) {
    ChunkBuilder b(entity);
    std::vector<ChunkBuilder::TimePoint> times;
    if (frame) times.push_back({Timeline::sequence("frame"), *frame});
    arrow::BooleanBuilder flag;
    flag.append(recursive);
    b.add_row(RowId::create(), times, {{Clear::descriptor_is_recursive(), flag.finish()}});
    ASSERT_TRUE(store_->insert(*b.build()).ok());
  }
  View view(std::optional<std::string> index = "frame", const char* contents = "/**") {
    return View::create(store_, index, contents).value();
  }
  std::shared_ptr<ChunkStore> store_ =
      std::make_shared<ChunkStore>(ChunkStoreConfig::no_compaction());
};

}  // namespace reel::dataframe::test_support
