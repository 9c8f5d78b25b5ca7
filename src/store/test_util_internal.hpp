// Helpers shared by the store's tests: chunks of scalars on timeline "frame", and readers of
// query answers. Private to the store module's tests.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "reel/store/chunk_store.hpp"

namespace reel::store::testing {

inline const ComponentDescriptor kScalar("Scalars", "scalars", "reel.components.Scalar");
inline const ComponentDescriptor kColor("Points3D", "colors", "reel.components.Color");
inline const ComponentDescriptor kLabel("Points3D", "labels", "reel.components.Text");

struct Row {
  RowId id;
  std::optional<TimeInt> frame;  // none: static
  std::optional<double> value;   // none: null cell
};

// A chunk of scalars on timeline "frame" (or static when rows have no frame).
inline ChunkPtr scalar_chunk(const EntityPath& entity, const std::vector<Row>& rows) {
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

inline double value_of(const LatestAtResult& r) {
  auto a = r.instances(kScalar);
  return arrow::PrimitiveArray<double>(a).value(0);
}

inline std::vector<double> values_of(const RangeResult& r) {
  std::vector<double> out;
  for (const auto& c : r.chunks) {
    const ComponentColumn* col = c->component(kScalar);
    for (int64_t i = 0; i < c->num_rows(); ++i) {
      out.push_back(arrow::PrimitiveArray<double>(col->list.row_values(i)).value(0));
    }
  }
  return out;
}

inline std::vector<RowId> ids(int n) {
  RowId first = RowId::reserve(uint64_t(n));
  std::vector<RowId> out;
  for (int i = 0; i < n; ++i) out.push_back(first.plus(uint64_t(i)));
  return out;
}

inline LatestAtQuery at(TimeInt t) { return {"frame", t}; }
inline RangeQuery between(TimeInt a, TimeInt b) { return {"frame", {a, b}}; }

}  // namespace reel::store::testing
