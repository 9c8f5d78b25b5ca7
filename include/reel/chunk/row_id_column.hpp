// RowIdColumn: the RowIds of a chunk's rows, stored compactly (docs/chunk-arrow-layout.md
// describes their Arrow form).
//
// A RowIdColumn is an immutable value: copies, slices and concatenations share the run list
// or the id buffer, so it is safe to read from any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "reel/arrow/array.hpp"
#include "reel/chunk/row_id.hpp"
#include "reel/status.hpp"

namespace reel {

// The RowIds of a chunk's rows, in one of two encodings:
// - runs: arithmetic progressions (first id, inc stride, row count) sharing time_ns. Rows
//   logged by one thread for one entity form one run (stride 1 when the thread logs only
//   that entity, stride k when it interleaves k entities), so a chunk typically holds a
//   handful of runs whatever its length: RowIds cost nothing per row.
// - explicit: one (time_ns, inc) pair of u64 per row, when runs would not pay off.
// The encoding is chosen automatically; the Arrow form is always one id per row.
class RowIdColumn {
 public:
  struct Run {
    RowId first;
    uint64_t stride = 1;
    int64_t begin = 0;  // first row of the run, in the run list's own row numbering
  };

  RowIdColumn() = default;
  static RowIdColumn consecutive(RowId first, int64_t length);
  // Encodes ids (runs when they compress well, otherwise a copy).
  static RowIdColumn from_ids(std::span<const RowId> ids);
  static RowIdColumn from_buffer(arrow::BufferPtr ids, int64_t offset, int64_t length);

  int64_t length() const { return length_; }
  RowId operator[](int64_t i) const {
    if (ids_) return ids_->data_as<RowId>()[offset_ + i];
    const int64_t g = offset_ + i;
    const Run& r = runs_->size() == 1 ? (*runs_)[0] : run_for(g);
    return r.first.plus(r.stride * uint64_t(g - r.begin));
  }
  // One run of stride 1: ids first, first+1, ...
  bool is_consecutive() const;
  bool is_explicit() const { return ids_ != nullptr; }
  size_t num_runs() const;
  bool is_sorted() const { return is_sorted_; }
  RowId min() const { return min_; }
  RowId max() const { return max_; }

  RowIdColumn slice(int64_t start, int64_t length) const;
  RowIdColumn take(std::span<const int64_t> rows) const;
  RowIdColumn copy() const;  // explicit ids copied to an exact buffer; runs shared
  static RowIdColumn concatenate(std::span<const RowIdColumn* const> columns);
  // Arrow form: fixed_size_binary(16), each id as a big-endian 128-bit integer
  // (time_ns then inc), so that byte order is RowId order.
  arrow::ArrayPtr to_arrow() const;
  static Result<RowIdColumn> from_arrow(const arrow::ArrayPtr& array);
  void collect_buffers(std::vector<std::pair<const void*, size_t>>& out) const;
  // Heap bytes of the run list (not a Buffer, so not in collect_buffers).
  size_t runs_bytes() const;

 private:
  const Run& run_for(int64_t g) const;
  // The runs covering [offset_, offset_ + length_), rebased to start at row 0.
  std::vector<Run> visible_runs() const;
  static RowIdColumn from_runs(std::vector<Run> runs, int64_t length);
  void compute_stats();

  std::shared_ptr<const std::vector<Run>> runs_;  // when not explicit
  arrow::BufferPtr ids_;                          // explicit
  int64_t offset_ = 0;
  int64_t length_ = 0;
  bool is_sorted_ = true;
  RowId min_ = RowId::max();
  RowId max_ = RowId::min();
};

}  // namespace reel
