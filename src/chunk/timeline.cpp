#include "reel/chunk/timeline.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace reel {

arrow::TypePtr time_arrow_type(TimeType type, std::string timezone) {
  switch (type) {
    case TimeType::kSequence:
      return arrow::int64();
    case TimeType::kDuration:
      return arrow::duration(arrow::TimeUnit::kNano);
    case TimeType::kTimestamp:
      return arrow::timestamp(arrow::TimeUnit::kNano, std::move(timezone));
  }
  return arrow::int64();
}

const char* time_type_name(TimeType type) {
  switch (type) {
    case TimeType::kSequence:
      return "sequence";
    case TimeType::kDuration:
      return "duration";
    case TimeType::kTimestamp:
      return "timestamp";
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
    case TimeType::kSequence:
      return std::to_string(t);
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

void compute_stats(const TimeInt* d, int64_t n, bool* sorted, TimeRange* range, TimeInt* stride) {
  *range = TimeRange{};
  *sorted = true;
  *stride = 0;
  if (n <= 0) return;
  // Branch-free passes the compiler vectorizes: sortedness and even spacing first, then (only
  // when unsorted) min and max; a sorted column's range is its ends.
  // Differences wrap (unsigned): times anywhere in i64 overflow a signed subtraction. In a
  // sorted column every true difference is in [0, 2^64), so the wrapped ones compare exactly,
  // and a step of 2^63 or more reads as negative: not even.
  bool s = true;
  const uint64_t step = n > 1 ? uint64_t(d[1]) - uint64_t(d[0]) : 0;
  bool even = TimeInt(step) > 0;
  for (int64_t i = 1; i < n; ++i) {
    s &= d[i - 1] <= d[i];
    even &= uint64_t(d[i]) - uint64_t(d[i - 1]) == step;
  }
  *sorted = s;
  if (s) {
    *range = {d[0], d[n - 1]};
    if (even) *stride = TimeInt(step);
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
  compute_stats(c.data_, length, &c.is_sorted_, &c.range_, &c.stride_);
  return c;
}

TimeColumn TimeColumn::make(Timeline timeline, std::span<const TimeInt> times) {
  return make(std::move(timeline), arrow::Buffer::copy_of(times.data(), times.size_bytes()), 0,
              int64_t(times.size()));
}

Result<TimeColumn> TimeColumn::make_checked(Timeline timeline, arrow::BufferPtr times,
                                            int64_t offset, int64_t length, bool is_sorted,
                                            TimeRange range) {
  if (!times) return Status::Invalid("time column '" + timeline.name() + "' has no buffer");
  // Checked without overflow: a negative offset would read before the buffer.
  const int64_t capacity = int64_t(times->size() / sizeof(TimeInt));
  if (offset < 0 || length < 0 || offset > capacity || length > capacity - offset) {
    return Status::Invalid("time column '" + timeline.name() + "': " + std::to_string(length) +
                           " rows at offset " + std::to_string(offset) +
                           " are outside its buffer of " + std::to_string(capacity) + " times");
  }
  TimeColumn c = make(std::move(timeline), std::move(times), offset, length);
  if (c.is_sorted_ != is_sorted) {
    return Status::Invalid(
        "time column '" + c.name() + "' claims is_sorted=" +
        (is_sorted ? "true but its times are not sorted" : "false but its times are sorted"));
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
    // Sorted: the range is the ends, no scan needed; a slice of an evenly spaced column is
    // evenly spaced.
    c.range_ = length ? TimeRange{c.data_[0], c.data_[length - 1]} : TimeRange{};
    if (length < 2) c.stride_ = 0;
  } else {
    compute_stats(c.data_, length, &c.is_sorted_, &c.range_, &c.stride_);
  }
  return c;
}

namespace {

// First index with d[i] > at (or >= at when `inclusive_lower`), in a sorted column. Starts
// from an interpolated guess and gallops: nearly even times are found in a probe or two (one
// cache miss instead of a binary search's log2(n)).
int64_t search_sorted(const TimeInt* d, int64_t n, TimeInt at, bool lower) {
  auto before = [&](TimeInt v) { return lower ? v < at : v <= at; };  // v goes before the answer
  if (n == 0 || !before(d[0])) return 0;
  if (before(d[n - 1])) return n;
  const double span = double(d[n - 1]) - double(d[0]);
  int64_t g = span > 0 ? int64_t((double(at) - double(d[0])) / span * double(n - 1)) : 0;
  g = std::clamp<int64_t>(g, 0, n - 1);
  int64_t lo, hi;  // before(d[lo]) && !before(d[hi]) (hi may be n)
  if (before(d[g])) {
    lo = g;
    int64_t step = 1;
    while (lo + step < n && before(d[lo + step])) {
      lo += step;
      step *= 2;
    }
    hi = std::min(lo + step, n);
  } else {
    hi = g;
    int64_t step = 1;
    while (hi - step >= 0 && !before(d[hi - step])) {
      hi -= step;
      step *= 2;
    }
    lo = std::max<int64_t>(hi - step, 0);
  }
  // Answer in (lo, hi]: the first index in [lo + 1, hi) that is not before, else hi.
  const TimeInt* it =
      lower ? std::lower_bound(d + lo + 1, d + hi, at) : std::upper_bound(d + lo + 1, d + hi, at);
  return it - d;
}

}  // namespace

int64_t TimeColumn::upper_bound(TimeInt t) const {
  if (stride_ > 0) {
    if (t < data_[0]) return 0;
    // Evenly spaced: the position is arithmetic, no memory is read.
    const uint64_t k = (uint64_t(t) - uint64_t(data_[0])) / uint64_t(stride_);
    return int64_t(std::min<uint64_t>(k + 1, uint64_t(length_)));
  }
  return search_sorted(data_, length_, t, false);
}

int64_t TimeColumn::lower_bound(TimeInt t) const {
  if (stride_ > 0) {
    if (t <= data_[0]) return 0;
    const uint64_t diff = uint64_t(t) - uint64_t(data_[0]);
    const uint64_t k = (diff + uint64_t(stride_) - 1) / uint64_t(stride_);
    return int64_t(std::min<uint64_t>(k, uint64_t(length_)));
  }
  return search_sorted(data_, length_, t, true);
}

arrow::ArrayPtr TimeColumn::to_arrow() const {
  return arrow::make_primitive_from_buffer(arrow::int64(), buffer_, offset_ + length_)
      ->slice(offset_, length_);
}

}  // namespace reel
