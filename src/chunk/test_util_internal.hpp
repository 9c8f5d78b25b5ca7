// Helpers shared by the chunk module's tests (not part of the library): small chunks of
// /world/e with a `frame` timeline and Scalars columns, and readers of their contents.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/chunk/chunk.hpp"

namespace reel::test {

using Values = std::vector<std::optional<double>>;

inline const ComponentDescriptor kScalar("Scalars", "scalars", "reel.components.Scalar");
inline const ComponentDescriptor kWeight("Scalars", "weights", "reel.components.Scalar");
inline const ComponentDescriptor kLabel("Points3D", "labels", "reel.components.Text");
constexpr ChunkId kId{1, 1};
constexpr uint64_t kTime = 100;  // time_ns of the test row ids

inline RowIdColumn row_ids(const std::vector<uint64_t>& incs) {
  std::vector<RowId> ids;
  for (uint64_t inc : incs) ids.push_back({kTime, inc});
  return RowIdColumn::from_ids(ids);
}

// An exactly sized buffer (capacity rounded up to 64 bytes), so byte counts are predictable.
inline arrow::ArrayPtr f64(const std::vector<double>& v) {
  return arrow::make_primitive_from_buffer(
      arrow::float64(), arrow::Buffer::copy_of(v.data(), v.size() * sizeof(double)),
      int64_t(v.size()));
}

inline arrow::BufferPtr bitmap(const std::vector<bool>& valid) {
  auto bits =
      arrow::Buffer::allocate(size_t(arrow::bit_util::bytes_for_bits(int64_t(valid.size()))));
  for (size_t i = 0; i < valid.size(); ++i) {
    if (valid[i]) arrow::bit_util::set_bit(bits->mutable_data(), int64_t(i));
  }
  return bits;
}

// One f64 per row (the unit list form); nullopt is a null row.
inline ListColumn scalars(const Values& values) {
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
inline ListColumn labels(const std::vector<std::optional<std::vector<std::string>>>& rows) {
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
inline ChunkPtr make_chunk(const std::vector<uint64_t>& incs, const std::vector<int64_t>& frames,
                           const Values& values, ChunkId id = kId) {
  auto c = Chunk::make(id, "/world/e", row_ids(incs), {TimeColumn::sequence("frame", frames)},
                       {{kScalar, scalars(values)}});
  EXPECT_TRUE(c.ok()) << c.status().to_string();
  return c.value();
}

inline std::vector<uint64_t> incs_of(const Chunk& c) {
  std::vector<uint64_t> out;
  for (int64_t i = 0; i < c.num_rows(); ++i) {
    EXPECT_EQ(c.row_id(i).time_ns, kTime);
    out.push_back(c.row_id(i).inc);
  }
  return out;
}

inline std::vector<int64_t> times_of(const Chunk& c, std::string_view timeline = "frame") {
  const TimeColumn* t = c.timeline(timeline);
  EXPECT_NE(t, nullptr) << timeline;
  if (!t) return {};
  return {t->times().begin(), t->times().end()};
}

inline Values values_of(const Chunk& c, const ComponentDescriptor& d = kScalar) {
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

inline std::vector<std::optional<std::vector<std::string>>> labels_of(const Chunk& c) {
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

inline std::string make_error(Result<ChunkPtr> r) {
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.status().message();
}

inline std::string where() { return "chunk " + kId.to_string() + " of /world/e: "; }

// Distinct buffer keys and the bytes they hold.
inline std::map<const void*, size_t> buffers_of(std::initializer_list<const Chunk*> chunks) {
  std::vector<std::pair<const void*, size_t>> list;
  for (const Chunk* c : chunks) c->collect_buffers(list);
  return {list.begin(), list.end()};
}

inline size_t total_bytes(const std::map<const void*, size_t>& buffers) {
  size_t total = 0;
  for (const auto& [key, bytes] : buffers) total += bytes;
  return total;
}

}  // namespace reel::test
