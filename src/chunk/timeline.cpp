#include "reel/chunk/timeline.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace reel {

const char* time_type_name(TimeType type) {
  switch (type) {
    case TimeType::kSequence: return "sequence";
    case TimeType::kDuration: return "duration";
    case TimeType::kTimestamp: return "timestamp";
  }
  return "unknown";
}

Result<TimeType> parse_time_type(std::string_view name) {
  if (name == "sequence") return TimeType::kSequence;
  if (name == "duration") return TimeType::kDuration;
  if (name == "timestamp") return TimeType::kTimestamp;
  return Status::Invalid("unknown time type '" + std::string(name) +
                         "' (expected sequence, duration or timestamp)");
}

std::string format_time(TimeType type, TimeInt t) {
  char buf[64];
  switch (type) {
    case TimeType::kSequence: return std::to_string(t);
    case TimeType::kDuration: {
      const char* sign = t < 0 ? "-" : "";
      uint64_t a = t < 0 ? uint64_t(-(t + 1)) + 1 : uint64_t(t);
      std::snprintf(buf, sizeof buf, "%s%llu.%09llus", sign,
                    static_cast<unsigned long long>(a / 1000000000ull),
                    static_cast<unsigned long long>(a % 1000000000ull));
      return buf;
    }
    case TimeType::kTimestamp: {
      int64_t secs = t / 1000000000;
      int64_t nanos = t % 1000000000;
      if (nanos < 0) {
        nanos += 1000000000;
        secs -= 1;
      }
      std::time_t tt = std::time_t(secs);
      std::tm tm{};
      gmtime_r(&tt, &tm);
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
                    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                    static_cast<long long>(nanos));
      return buf;
    }
  }
  return std::to_string(t);
}

namespace {

void compute_stats(const TimeInt* d, int64_t n, bool* sorted, TimeRange* range) {
  *range = TimeRange{};
  *sorted = true;
  if (n <= 0) return;
  // Branch-free passes the compiler vectorizes: sortedness first, then (only when unsorted)
  // min and max; a sorted column's range is its ends.
  bool s = true;
  for (int64_t i = 1; i < n; ++i) s &= d[i - 1] <= d[i];
  *sorted = s;
  if (s) {
    *range = {d[0], d[n - 1]};
    return;
  }
  TimeInt lo = d[0], hi = d[0];
  for (int64_t i = 1; i < n; ++i) {
    lo = d[i] < lo ? d[i] : lo;
    hi = d[i] > hi ? d[i] : hi;
  }
  *range = {lo, hi};
}

}  // namespace

TimeColumn TimeColumn::make(Timeline timeline, arrow::BufferPtr times, int64_t offset,
                            int64_t length) {
  TimeColumn c;
  c.timeline_ = std::move(timeline);
  c.buffer_ = std::move(times);
  c.offset_ = offset;
  c.length_ = length;
  c.data_ = c.buffer_ ? c.buffer_->data_as<TimeInt>() + offset : nullptr;
  compute_stats(c.data_, length, &c.is_sorted_, &c.range_);
  return c;
}

TimeColumn TimeColumn::make(Timeline timeline, std::span<const TimeInt> times) {
  return make(std::move(timeline), arrow::Buffer::copy_of(times.data(), times.size_bytes()), 0,
              int64_t(times.size()));
}

Result<TimeColumn> TimeColumn::make_checked(Timeline timeline, arrow::BufferPtr times,
                                            int64_t offset, int64_t length, bool is_sorted,
                                            TimeRange range) {
  if (!times || int64_t(times->size()) < (offset + length) * 8) {
    return Status::Invalid("time column '" + timeline.name() + "' buffer too small for " +
                           std::to_string(length) + " rows");
  }
  TimeColumn c = make(std::move(timeline), std::move(times), offset, length);
  if (c.is_sorted_ != is_sorted) {
    return Status::Invalid("time column '" + c.name() + "' claims is_sorted=" +
                           (is_sorted ? "true" : "false") + " but it is not");
  }
  if (!(c.range_ == range) && !(c.range_.empty() && range.empty())) {
    return Status::Invalid("time column '" + c.name() + "' claims range [" +
                           std::to_string(range.min) + ", " + std::to_string(range.max) +
                           "] but holds [" + std::to_string(c.range_.min) + ", " +
                           std::to_string(c.range_.max) + "]");
  }
  return c;
}

TimeColumn TimeColumn::sequence(std::string name, std::span<const int64_t> values) {
  return make(Timeline::sequence(std::move(name)), values);
}
TimeColumn TimeColumn::duration_nanos(std::string name, std::span<const int64_t> values) {
  return make(Timeline::duration(std::move(name)), values);
}
TimeColumn TimeColumn::timestamp_nanos(std::string name, std::span<const int64_t> values) {
  return make(Timeline::timestamp(std::move(name)), values);
}

Result<TimeColumn> TimeColumn::from_arrow(Timeline timeline, const arrow::ArrayPtr& array) {
  if (array->type->id() != arrow::TypeId::kInt64) {
    return Status::TypeError("time column '" + timeline.name() + "' must be int64, got " +
                             array->type->to_string());
  }
  if (array->null_count != 0) {
    return Status::Invalid("time column '" + timeline.name() + "' has " +
                           std::to_string(array->null_count) + " null times");
  }
  return make(std::move(timeline), array->buffers[1], array->offset, array->length);
}

TimeColumn TimeColumn::slice(int64_t start, int64_t length) const {
  start = std::clamp<int64_t>(start, 0, length_);
  length = std::clamp<int64_t>(length, 0, length_ - start);
  if (start == 0 && length == length_) return *this;
  TimeColumn c = *this;
  c.offset_ = offset_ + start;
  c.length_ = length;
  c.data_ = data_ + start;
  if (is_sorted_) {
    // Sorted: the range is the ends, no scan needed.
    c.range_ = length ? TimeRange{c.data_[0], c.data_[length - 1]} : TimeRange{};
  } else {
    compute_stats(c.data_, length, &c.is_sorted_, &c.range_);
  }
  return c;
}

arrow::ArrayPtr TimeColumn::to_arrow() const {
  return arrow::make_primitive_from_buffer(arrow::int64(), buffer_, offset_ + length_)
      ->slice(offset_, length_);
}

}  // namespace reel
