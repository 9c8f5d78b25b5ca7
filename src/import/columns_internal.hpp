// Reading decoded message columns and building component columns, a whole batch at a time.
//
// The decoders give one struct array per batch of messages (message_decoder.hpp); the
// mappers read its fields by name, whatever the encoding made of them (CDR and ROS 1 fields
// are never null, protobuf and JSON ones may be; numbers may come as any integer or float
// type), and build the archetypes' Arrow columns in one pass per column.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "reel/arrow/array.hpp"
#include "reel/chunk/component.hpp"

namespace reel::import::internal {

// The child at a dotted path ("header.stamp") of a struct array, sliced to its rows; null
// when a part is missing or not a struct.
arrow::ArrayPtr child(const arrow::ArrayPtr& array, std::string_view dotted);
// Whether the column is a number (bool, integer or float).
bool is_numeric(const arrow::ArrayPtr& array);
// The column's values as doubles (null rows 0). False when the column is not numeric.
bool numbers(const arrow::ArrayPtr& array, std::vector<double>& out);
// Value i of a numeric column as a double (0 for null or non-numeric).
double number_at(const arrow::ArrayData& array, int64_t i);
// Value i of a utf8/binary column ("" for null or another type).
std::string_view text_at(const arrow::ArrayData& array, int64_t i);
// The entries of list or fixed-size-list row i: [begin, end) in `values` (unsliced child).
struct ListRows {
  arrow::ArrayPtr list;                      // keeps `values` alive
  const arrow::ArrayData* values = nullptr;  // the child, not sliced
  bool valid() const { return list != nullptr; }
  int64_t begin(int64_t i) const;
  int64_t end(int64_t i) const;
};
ListRows list_rows(const arrow::ArrayPtr& array);

// ---- building

arrow::BufferPtr buffer_of(const void* data, size_t bytes);
template <typename T>
arrow::BufferPtr buffer_of(const std::vector<T>& v) {
  return buffer_of(v.data(), v.size() * sizeof(T));
}
template <typename T>
arrow::ArrayPtr primitive_array(const std::vector<T>& v) {
  return arrow::ArrayData::make(arrow::TypeTraits<T>::type(), int64_t(v.size()), 0,
                                {nullptr, buffer_of(v)});
}
// A fixed_size_list<T>[N] array (the type of `component`, e.g. reel.components.Position3D)
// over `values` (N per entry).
template <typename T>
arrow::ArrayPtr fixed_list_array(const arrow::TypePtr& type, const std::vector<T>& values) {
  const int64_t n = int64_t(values.size()) / type->list_size();
  return arrow::ArrayData::make(type, n, 0, {nullptr}, {primitive_array(values)});
}
// utf8 array of the strings.
arrow::ArrayPtr string_array(const std::vector<std::string>& values);
// A bitmap of `valid` (null when all are true) and its null count.
arrow::BufferPtr validity_of(const std::vector<bool>& valid, int64_t* null_count);

// The Arrow type of a registered component ("reel.components.Position3D").
const arrow::TypePtr& component_type(std::string_view component);

// One instance per row.
ComponentColumn unit_column(const ComponentDescriptor& descriptor, arrow::ArrayPtr values,
                            const std::vector<bool>* valid = nullptr);
// Row i's instances are values[offsets[i], offsets[i+1]) (offsets.size() = rows + 1).
ComponentColumn list_column(const ComponentDescriptor& descriptor, arrow::ArrayPtr values,
                            const std::vector<int32_t>& offsets);
// A named column with no archetype (as AnyValues and Rerun log them): `name` within the entity.
ComponentDescriptor any_value(std::string_view name);

}  // namespace reel::import::internal
