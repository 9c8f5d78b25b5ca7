#include "reel/chunk/row_id_column.hpp"

#include <algorithm>
#include <cstring>

#include "reel/common/byte_order.hpp"

namespace reel {

using arrow::ArrayPtr;
using arrow::BufferPtr;

namespace {
// Runs cost this many times more than a row id, so a run list is only worth keeping when
// it is much shorter than the rows it covers.
constexpr int64_t kRowsPerRunWorthIt = 8;
}  // namespace

RowIdColumn RowIdColumn::from_runs(std::vector<Run> runs, int64_t length) {
  RowIdColumn c;
  if (runs.empty()) runs.push_back(Run{RowId{}, 1, 0});
  c.runs_ = std::make_shared<const std::vector<Run>>(std::move(runs));
  c.length_ = length;
  c.compute_stats();
  return c;
}

RowIdColumn RowIdColumn::consecutive(RowId first, int64_t length) {
  return from_runs({Run{first, 1, 0}}, length);
}

RowIdColumn RowIdColumn::from_ids(std::span<const RowId> ids) {
  const int64_t n = int64_t(ids.size());
  std::vector<Run> runs;
  for (int64_t i = 0; i < n;) {
    Run r{ids[size_t(i)], 1, i};
    int64_t j = i + 1;
    if (j < n && ids[size_t(j)].time_ns == r.first.time_ns && ids[size_t(j)].inc > r.first.inc) {
      r.stride = ids[size_t(j)].inc - r.first.inc;
      while (j < n && ids[size_t(j)].time_ns == r.first.time_ns &&
             ids[size_t(j)].inc == r.first.inc + r.stride * uint64_t(j - i)) {
        ++j;
      }
    }
    runs.push_back(r);
    i = j;
    if (int64_t(runs.size()) * kRowsPerRunWorthIt > n && runs.size() > 1) {
      return from_buffer(arrow::Buffer::copy_of(ids.data(), ids.size_bytes()), 0, n);
    }
  }
  return from_runs(std::move(runs), n);
}

RowIdColumn RowIdColumn::from_buffer(BufferPtr ids, int64_t offset, int64_t length) {
  RowIdColumn c;
  c.ids_ = std::move(ids);
  c.offset_ = offset;
  c.length_ = length;
  c.compute_stats();
  return c;
}

const RowIdColumn::Run& RowIdColumn::run_for(int64_t g) const {
  auto it = std::upper_bound(runs_->begin(), runs_->end(), g,
                             [](int64_t row, const Run& r) { return row < r.begin; });
  return *std::prev(it);
}

bool RowIdColumn::is_consecutive() const {
  if (ids_) return false;
  auto runs = visible_runs();
  return runs.size() == 1 && (runs[0].stride == 1 || length_ <= 1);
}

size_t RowIdColumn::num_runs() const { return ids_ ? 0 : visible_runs().size(); }

size_t RowIdColumn::runs_bytes() const {
  return runs_ ? sizeof(std::vector<Run>) + runs_->capacity() * sizeof(Run) : 0;
}

std::vector<RowIdColumn::Run> RowIdColumn::visible_runs() const {
  std::vector<Run> out;
  if (!runs_ || length_ == 0) return out;
  const int64_t end = offset_ + length_;
  for (size_t k = 0; k < runs_->size(); ++k) {
    const Run& r = (*runs_)[k];
    const int64_t r_end = k + 1 < runs_->size() ? (*runs_)[k + 1].begin : INT64_MAX;
    if (r_end <= offset_ || r.begin >= end) continue;
    const int64_t start = std::max(r.begin, offset_);
    out.push_back(
        Run{r.first.plus(r.stride * uint64_t(start - r.begin)), r.stride, start - offset_});
  }
  return out;
}

void RowIdColumn::compute_stats() {
  is_sorted_ = true;
  min_ = RowId::max();
  max_ = RowId::min();
  if (length_ == 0) return;
  if (!ids_) {
    // Each run ascends; the column is sorted when every run starts after the previous ended.
    auto runs = visible_runs();
    for (size_t k = 0; k < runs.size(); ++k) {
      const int64_t r_end = k + 1 < runs.size() ? runs[k + 1].begin : length_;
      RowId first = runs[k].first;
      RowId last = first.plus(runs[k].stride * uint64_t(r_end - 1 - runs[k].begin));
      if (first < min_) min_ = first;
      if (max_ < last) max_ = last;
      if (k > 0) {
        const int64_t p_end = runs[k].begin;
        RowId prev_last =
            runs[k - 1].first.plus(runs[k - 1].stride * uint64_t(p_end - 1 - runs[k - 1].begin));
        if (first < prev_last) is_sorted_ = false;
      }
    }
    return;
  }
  const RowId* d = ids_->data_as<RowId>() + offset_;
  min_ = max_ = d[0];
  for (int64_t i = 1; i < length_; ++i) {
    if (d[i] < d[i - 1]) is_sorted_ = false;
    if (d[i] < min_) min_ = d[i];
    if (max_ < d[i]) max_ = d[i];
  }
}

RowIdColumn RowIdColumn::slice(int64_t start, int64_t length) const {
  start = std::clamp<int64_t>(start, 0, length_);
  length = std::clamp<int64_t>(length, 0, length_ - start);
  RowIdColumn c = *this;
  c.offset_ = offset_ + start;
  c.length_ = length;
  if (is_sorted_) {
    c.is_sorted_ = true;
    if (length) {
      c.min_ = (*this)[start];
      c.max_ = (*this)[start + length - 1];
    } else {
      c.min_ = RowId::max();
      c.max_ = RowId::min();
    }
  } else {
    c.compute_stats();
  }
  return c;
}

RowIdColumn RowIdColumn::take(std::span<const int64_t> rows) const {
  std::vector<RowId> ids(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) ids[i] = (*this)[rows[i]];
  return from_ids(ids);
}

RowIdColumn RowIdColumn::copy() const {
  if (!ids_) return *this;
  return from_buffer(
      arrow::Buffer::copy_of(ids_->data_as<RowId>() + offset_, size_t(length_) * sizeof(RowId)), 0,
      length_);
}

RowIdColumn RowIdColumn::concatenate(std::span<const RowIdColumn* const> columns) {
  int64_t total = 0;
  bool all_runs = true;
  for (const auto* c : columns) {
    total += c->length_;
    all_runs &= c->ids_ == nullptr || c->length_ == 0;
  }
  if (all_runs) {
    std::vector<Run> runs;
    int64_t base = 0;
    for (const auto* c : columns) {
      for (Run r : c->visible_runs()) {
        r.begin += base;
        runs.push_back(r);
      }
      base += c->length_;
    }
    // Merge neighbours that form one progression (chunks cut from one table in turn).
    std::vector<Run> merged;
    for (size_t k = 0; k < runs.size(); ++k) {
      const int64_t k_end = k + 1 < runs.size() ? runs[k + 1].begin : total;
      if (!merged.empty()) {
        Run& p = merged.back();
        const int64_t p_len = runs[k].begin - p.begin;
        const int64_t r_len = k_end - runs[k].begin;
        const uint64_t stride = p_len == 1 ? runs[k].first.inc - p.first.inc : p.stride;
        const bool same_time = p.first.time_ns == runs[k].first.time_ns;
        const bool next_in_line = runs[k].first.inc > p.first.inc &&
                                  runs[k].first.inc == p.first.inc + stride * uint64_t(p_len);
        const bool same_stride = r_len == 1 || runs[k].stride == stride;
        if (same_time && next_in_line && same_stride) {
          p.stride = stride;
          continue;
        }
      }
      merged.push_back(runs[k]);
    }
    if (int64_t(merged.size()) * kRowsPerRunWorthIt <= total || merged.size() <= 1) {
      return from_runs(std::move(merged), total);
    }
  }
  auto buffer = arrow::Buffer::allocate(size_t(total) * sizeof(RowId));
  RowId* out = buffer->mutable_data_as<RowId>();
  for (const auto* c : columns) {
    if (c->ids_) {
      // An empty column's buffer may have no memory at all (memcpy from null is undefined).
      if (c->length_) {
        std::memcpy(out, c->ids_->data_as<RowId>() + c->offset_,
                    size_t(c->length_) * sizeof(RowId));
      }
    } else {
      for (int64_t i = 0; i < c->length_; ++i) out[i] = (*c)[i];
    }
    out += c->length_;
  }
  return from_buffer(buffer, 0, total);
}

ArrayPtr RowIdColumn::to_arrow() const {
  auto buffer = arrow::Buffer::allocate(size_t(length_) * 16);
  uint8_t* p = buffer->mutable_data();
  for (int64_t i = 0; i < length_; ++i) {
    RowId id = (*this)[i];
    bytes::store_be<uint64_t>(p + i * 16, id.time_ns);
    bytes::store_be<uint64_t>(p + i * 16 + 8, id.inc);
  }
  return arrow::make_primitive_from_buffer(arrow::fixed_size_binary(16), buffer, length_);
}

Result<RowIdColumn> RowIdColumn::from_arrow(const ArrayPtr& array) {
  if (array->type->id() != arrow::TypeId::kFixedSizeBinary || array->type->byte_width() != 16) {
    return Status::TypeError("row id column must be fixed_size_binary[16], got " +
                             array->type->to_string());
  }
  if (array->null_count) return Status::Invalid("row id column has null row ids");
  std::vector<RowId> ids(size_t(array->length));
  const uint8_t* p = array->buffers[1]->data() + array->offset * 16;
  for (int64_t i = 0; i < array->length; ++i) {
    ids[size_t(i)] = {bytes::load_be<uint64_t>(p + i * 16),
                      bytes::load_be<uint64_t>(p + i * 16 + 8)};
  }
  return from_ids(ids);
}

void RowIdColumn::collect_buffers(std::vector<std::pair<const void*, size_t>>& out) const {
  if (ids_) out.emplace_back(ids_->memory_key(), ids_->memory_bytes());
}

}  // namespace reel
