// The dataframe reader's output columns while a batch is built (dataframe_reader.cpp): cells
// recorded as runs, materialized as one list<T> column per batch.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "reel/arrow/array.hpp"
#include "reel/chunk/component.hpp"
#include "reel/status.hpp"

namespace reel::dataframe::internal {

// Where a cell's value comes from: a row of a list column, or nothing (null).
struct CellRef {
  const ListColumn* list = nullptr;
  int64_t row = 0;
};

// One output column of the batch being built. Its cells are recorded as runs as they come:
// consecutive rows of one list column, one cell repeated, or nulls (cells of a sorted series
// come in long runs). The list columns the cells point into are numbered one after another
// by their rows (starts_). finish() then builds the list<T> column: when each column has one
// instance per row without nulls (scalars, mostly: stored without offsets; row r is then
// value r of the values slice), from the runs' value slices copied one after another; else
// (or when runs are short) with one arrow::take per column over take indices, every type
// alike.
class BatchColumn {
 public:
  void add(const CellRef& cell) {
    if (!runs_.empty()) {
      Run& r = runs_.back();
      if (r.list == cell.list && !r.repeat && (!cell.list || r.first + r.n == cell.row)) {
        ++r.n;
        ++cells_;
        return;
      }
      if (cell.list && r.list == cell.list && r.first == cell.row && (r.repeat || r.n == 1)) {
        r.repeat = true;  // a value carried forward (fill) or a static one
        ++r.n;
        ++cells_;
        return;
      }
    }
    push(cell.list, cell.row, 1, false);
  }
  // Rows first..first+n-1 of `list`.
  void add_run(const ListColumn* list, int64_t first, int64_t n) {
    if (!runs_.empty()) {
      Run& r = runs_.back();
      if (r.list == list && !r.repeat && r.first + r.n == first) {
        r.n += n;
        cells_ += n;
        return;
      }
    }
    push(list, first, n, false);
  }
  // `n` times the same cell.
  void add_repeated(const CellRef& cell, int64_t n) {
    if (!cell.list) {
      for (int64_t i = 0; i < n; ++i) add(cell);  // nulls extend one run
      return;
    }
    if (!runs_.empty()) {
      Run& r = runs_.back();
      if (r.list == cell.list && r.repeat && r.first == cell.row) {
        r.n += n;
        cells_ += n;
        return;
      }
    }
    push(cell.list, cell.row, n, true);
  }

  Result<arrow::ArrayPtr> finish(const arrow::TypePtr& list_type);

 private:
  // Cells [first, first + n) of `list` (the same cell n times when `repeat`); nulls when
  // `list` is null. `start` is where the list's rows start in the take indices.
  struct Run {
    const ListColumn* list;
    int64_t first;
    int64_t n;
    bool repeat;
    int64_t start;
  };

  void push(const ListColumn* list, int64_t first, int64_t n, bool repeat) {
    runs_.push_back({list, first, n, repeat, list ? start_of(list) : 0});
    cells_ += n;
  }

  // Where `list`'s rows start in the take indices, numbering it if it is new. Out of line,
  // so that add() stays small enough to inline into the reader's loop.
  [[gnu::noinline]] int64_t start_of(const ListColumn* list);

  std::vector<int64_t> take_indices() const;

  // The list level of a column with one instance per non-null cell: offsets (and validity
  // when there are nulls) from the runs.
  Result<std::pair<arrow::BufferPtr, arrow::BufferPtr>> list_level(int64_t* nulls_out) const;

  // The values of a one-instance-per-row column: each run's value slice (or its one value
  // repeated), copied one after another.
  Result<arrow::ArrayPtr> concat_values(const arrow::TypePtr& list_type) const;

  // The same from take indices (runs too short to slice): the values are taken, the list
  // level is built here.
  Result<arrow::ArrayPtr> take_values(const arrow::TypePtr& list_type,
                                      std::vector<int64_t>& indices);

  std::vector<Run> runs_;
  int64_t cells_ = 0;
  std::vector<const ListColumn*> lists_;
  std::vector<int64_t> starts_;
  std::unordered_map<const ListColumn*, int64_t> index_;  // with more than 16 columns
  int64_t total_ = 0;
  bool one_per_row_ = true;
};

}  // namespace reel::dataframe::internal
