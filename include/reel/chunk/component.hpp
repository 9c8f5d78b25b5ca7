// ComponentDescriptor and ListColumn: what a component column is, and how it is stored.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reel/arrow/array.hpp"
#include "reel/status.hpp"

namespace reel {

// (archetype, archetype field, component type), e.g. ("Points3D", "positions",
// "reel.components.Position3D"). Interned: copies are one pointer, equality and hashing are
// O(1). The archetype may be empty for a column logged outside any archetype.
class ComponentDescriptor {
 public:
  ComponentDescriptor();  // the empty descriptor
  ComponentDescriptor(std::string_view archetype, std::string_view field,
                      std::string_view component_type);
  // Parses "Archetype:field" or "Archetype:field:component_type" or just "field".
  static ComponentDescriptor from_identifier(std::string_view identifier);

  const std::string& archetype() const { return data_->archetype; }
  const std::string& field() const { return data_->field; }
  const std::string& component_type() const { return data_->component_type; }
  // "Points3D:positions": how a column is named within an entity.
  const std::string& identifier() const { return data_->identifier; }

  bool operator==(const ComponentDescriptor& o) const { return data_ == o.data_; }
  bool operator!=(const ComponentDescriptor& o) const { return data_ != o.data_; }
  // Ordered by identifier text (stable across runs, unlike the interned address).
  bool operator<(const ComponentDescriptor& o) const { return identifier() < o.identifier(); }
  size_t hash() const { return std::hash<const void*>()(data_); }

 private:
  struct Data {
    std::string archetype, field, component_type, identifier;
  };
  const Data* data_;
};

// A list<T> column: row i holds the batch of instances logged at row i, or null.
//
// This is the Arrow list layout with one compact encoding: when every row holds exactly one
// instance ("unit" lists, the common case for scalars and transforms), the offsets buffer is
// not materialized and row i's instance is value `values_offset + i`. Null rows still own a
// (zeroed) slot in the values so the mapping stays positional. `to_arrow()` always yields a
// standard list array. Immutable; slices share buffers.
class ListColumn {
 public:
  ListColumn() = default;
  // From a standard Arrow list array. Unit offsets are detected and dropped when
  // `compact` is set (one pass over the offsets).
  static Result<ListColumn> from_arrow(const arrow::ArrayPtr& list_array, bool compact = true);
  // One instance per row: row i -> values[i]. `validity` covers the rows (null = all valid).
  static ListColumn unit(arrow::ArrayPtr values, arrow::BufferPtr validity = nullptr,
                         int64_t null_count = 0);
  // Explicit offsets (length+1 i32 values, starting anywhere).
  static Result<ListColumn> with_offsets(arrow::ArrayPtr values, arrow::BufferPtr offsets,
                                         int64_t length, arrow::BufferPtr validity = nullptr,
                                         int64_t null_count = 0);
  // `length` null rows of element type `type` (no values at all).
  static ListColumn nulls(const arrow::TypePtr& type, int64_t length);

  int64_t length() const { return length_; }
  int64_t null_count() const { return null_count_; }
  bool is_unit() const { return offsets_ == nullptr; }
  bool is_valid(int64_t row) const {
    return null_count_ == 0 ||
           (validity_ && arrow::bit_util::get_bit(validity_->data(), validity_offset_ + row));
  }
  // Instances of row `row` live at [value_offset(row), value_offset(row) + value_length(row))
  // in `values()`. A null row has length 0 in the explicit form, and 1 (a placeholder) in
  // the unit form: check `is_valid` first.
  int64_t value_offset(int64_t row) const {
    return offsets_ ? offsets_->data_as<int32_t>()[offsets_offset_ + row] : values_offset_ + row;
  }
  int64_t value_length(int64_t row) const {
    if (!offsets_) return 1;
    const int32_t* o = offsets_->data_as<int32_t>() + offsets_offset_ + row;
    return o[1] - o[0];
  }
  // Number of instances at `row` (0 for a null row).
  int64_t num_instances(int64_t row) const { return is_valid(row) ? value_length(row) : 0; }
  // The element array (not sliced: index with value_offset).
  const arrow::ArrayPtr& values() const { return values_; }
  const arrow::TypePtr& value_type() const { return values_->type; }
  // Row `row`'s instances as a zero-copy slice of the values.
  arrow::ArrayPtr row_values(int64_t row) const;

  ListColumn slice(int64_t start, int64_t length) const;
  Result<ListColumn> take(std::span<const int64_t> rows) const;
  // A copy that owns exactly the bytes its rows use (no reference to larger shared buffers).
  ListColumn copy() const;
  static Result<ListColumn> concatenate(std::span<const ListColumn* const> columns);
  // The standard Arrow list<T> array for these rows (offsets materialized if unit).
  arrow::ArrayPtr to_arrow() const;
  bool equals(const ListColumn& other) const;  // logical: same rows, nulls and values

  void collect_buffers(std::vector<std::pair<const void*, size_t>>& out) const;
  // The validity bitmap (may be null) and its bit offset, for row-level scans.
  const arrow::BufferPtr& validity() const { return validity_; }
  int64_t validity_offset() const { return validity_offset_; }

 private:
  arrow::ArrayPtr values_;
  arrow::BufferPtr offsets_;  // null: unit
  int64_t offsets_offset_ = 0;
  int64_t values_offset_ = 0;  // unit only
  arrow::BufferPtr validity_;
  int64_t validity_offset_ = 0;
  int64_t length_ = 0;
  int64_t null_count_ = 0;
};

struct ComponentColumn {
  ComponentDescriptor descriptor;
  ListColumn list;
};

}  // namespace reel

template <>
struct std::hash<reel::ComponentDescriptor> {
  size_t operator()(const reel::ComponentDescriptor& d) const noexcept { return d.hash(); }
};
