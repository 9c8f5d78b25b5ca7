// Timelines and time columns.
//
// A timeline is a named index of one kind: `sequence` (frame numbers), `duration`
// (nanoseconds) or `timestamp` (nanoseconds since the Unix epoch). All are i64. A
// TimeColumn holds one time per chunk row for one timeline, with statistics (sorted flag,
// min, max) that are always true: they are computed, or verified, when the column is built.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reel/arrow/array.hpp"
#include "reel/arrow/type.hpp"
#include "reel/status.hpp"

namespace reel {

using TimeInt = int64_t;
inline constexpr TimeInt kTimeMin = std::numeric_limits<int64_t>::min();
inline constexpr TimeInt kTimeMax = std::numeric_limits<int64_t>::max();

enum class TimeType : uint8_t { kSequence = 0, kDuration = 1, kTimestamp = 2 };
const char* time_type_name(TimeType type);  // "sequence", "duration", "timestamp"
Result<TimeType> parse_time_type(std::string_view name);

// The Arrow type of a time column of this kind: int64 for sequences, duration(ns), and
// timestamp(ns, timezone) (reel's outputs say "UTC"; Rerun's chunks name no zone).
arrow::TypePtr time_arrow_type(TimeType type, std::string timezone = "");

// Formats a time of this kind for people: "42", "1.500s", "2024-05-01T12:00:00.000000000Z".
std::string format_time(TimeType type, TimeInt t);

class Timeline {
 public:
  Timeline() = default;
  Timeline(std::string name, TimeType type) : name_(std::move(name)), type_(type) {}
  static Timeline sequence(std::string name) { return {std::move(name), TimeType::kSequence}; }
  static Timeline duration(std::string name) { return {std::move(name), TimeType::kDuration}; }
  static Timeline timestamp(std::string name) { return {std::move(name), TimeType::kTimestamp}; }
  // The timelines the SDK stamps on every logged row unless told not to.
  static Timeline log_time() { return timestamp("log_time"); }
  static Timeline log_tick() { return sequence("log_tick"); }

  const std::string& name() const { return name_; }
  TimeType type() const { return type_; }
  bool operator==(const Timeline& o) const { return name_ == o.name_ && type_ == o.type_; }
  bool operator<(const Timeline& o) const {
    return name_ < o.name_ || (name_ == o.name_ && type_ < o.type_);
  }

 private:
  std::string name_;
  TimeType type_ = TimeType::kSequence;
};

struct TimeRange {
  TimeInt min = kTimeMax;
  TimeInt max = kTimeMin;
  bool empty() const { return min > max; }
  bool contains(TimeInt t) const { return min <= t && t <= max; }
  bool intersects(const TimeRange& o) const { return min <= o.max && o.min <= max; }
  void extend(TimeInt t) {
    if (t < min) min = t;
    if (t > max) max = t;
  }
  void extend(const TimeRange& o) {
    if (o.empty()) return;
    extend(o.min);
    extend(o.max);
  }
  bool operator==(const TimeRange&) const = default;
};

// One timeline's times for the rows of a chunk. Immutable; slices share the buffer.
class TimeColumn {
 public:
  TimeColumn() = default;
  // Builds from values, computing sortedness and range.
  static TimeColumn make(Timeline timeline, std::span<const TimeInt> times);
  static TimeColumn make(Timeline timeline, arrow::BufferPtr times, int64_t offset, int64_t length);
  // Builds from values with statistics the caller claims; fails if they are not true.
  static Result<TimeColumn> make_checked(Timeline timeline, arrow::BufferPtr times, int64_t offset,
                                         int64_t length, bool is_sorted, TimeRange range);
  // User-facing constructors mirroring the SDK: TimeColumn::sequence("step", {0, 1, 2}).
  static TimeColumn sequence(std::string name, std::span<const int64_t> values);
  static TimeColumn duration_nanos(std::string name, std::span<const int64_t> values);
  static TimeColumn timestamp_nanos(std::string name, std::span<const int64_t> values);
  // From an Arrow int64 array (no nulls allowed).
  static Result<TimeColumn> from_arrow(Timeline timeline, const arrow::ArrayPtr& array);

  const Timeline& timeline() const { return timeline_; }
  const std::string& name() const { return timeline_.name(); }
  int64_t length() const { return length_; }
  TimeInt operator[](int64_t i) const { return data_[i]; }
  // The same value, computed without reading memory when the column is evenly spaced.
  TimeInt time_at(int64_t i) const { return stride_ > 0 ? range_.min + i * stride_ : data_[i]; }
  const TimeInt* data() const { return data_; }
  std::span<const TimeInt> times() const { return {data_, size_t(length_)}; }
  bool is_sorted() const { return is_sorted_; }
  // [min, max] of the times; empty for a zero-length column.
  TimeRange range() const { return range_; }
  // When the times are evenly spaced (t[i] = t[0] + i * stride, stride > 0): the stride,
  // known from the statistics, so lookups compute positions instead of searching. 0 otherwise.
  TimeInt stride() const { return stride_; }
  // First row with time > t (the column must be sorted).
  int64_t upper_bound(TimeInt t) const;
  // First row with time >= t (the column must be sorted).
  int64_t lower_bound(TimeInt t) const;
  const arrow::BufferPtr& buffer() const { return buffer_; }
  int64_t offset() const { return offset_; }

  TimeColumn slice(int64_t start, int64_t length) const;
  // The Arrow form: an int64 array sharing the buffer.
  arrow::ArrayPtr to_arrow() const;

 private:
  Timeline timeline_;
  arrow::BufferPtr buffer_;
  const TimeInt* data_ = nullptr;  // buffer data + offset
  int64_t offset_ = 0;
  int64_t length_ = 0;
  bool is_sorted_ = true;
  TimeRange range_;
  TimeInt stride_ = 0;
};

}  // namespace reel
