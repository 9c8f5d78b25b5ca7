// Reading a dataframe view: the streaming reader behind View::read(). Cells are gathered
// lazily from the selected chunks and materialized one batch at a time.
#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "query/clear_internal.hpp"
#include "query/dataframe_internal.hpp"
#include "reel/query/dataframe.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::dataframe {

using arrow::ArrayPtr;
using internal::column_name;
using internal::describe;

// ---------------------------------------------------------------------------------------
// Reading
//
// read() only selects chunks (the pushdown: index window, filter_is_not_null); next() walks
// them lazily. Per column, the selected chunks wait in order of their first time; one is
// opened (a cursor over its non-null rows in the window) when the merge frontier reaches
// that time, and let go of when its cursor is exhausted. Chunks that overlap in time on the
// index timeline are merged through a small heap of cursors; a chunk not sorted on the index
// timeline gets a row order (not a copy). Cells stay references (take indices into the list
// columns they come from) until the batch is materialized, with one arrow::take per column
// (see BatchColumn). So the extra memory is the batch being built, plus per column the
// cursors open at the frontier (one, unless chunks overlap in time) and, for unsorted chunks,
// their row order: never a copy of the data.

namespace {

// Where a cell's value comes from: a row of a list column, or nothing (null).
struct CellRef {
  const ListColumn* list = nullptr;
  int64_t row = 0;
};

// One chunk's rows with `component` non-null and time in the window, in time order. Rows at
// one time may come in any RowId order: the reader compares RowIds at ties.
class ChunkCursor {
 public:
  // nullopt when the chunk has no such rows.
  static std::optional<ChunkCursor> open(ChunkPtr chunk, const std::string& timeline,
                                         const ComponentDescriptor& component,
                                         const TimeRange& window, internal::ReaderStats* stats) {
    ChunkCursor c;
    c.times_ = chunk->timeline(timeline);
    const ComponentColumn* column = chunk->component(component);
    if (!c.times_ || !column || window.empty()) return std::nullopt;
    c.list_ = &column->list;
    if (c.times_->is_sorted()) {
      c.pos_ = c.times_->lower_bound(window.min);
      c.end_ = c.times_->upper_bound(window.max);
    } else {
      // Unsorted on this timeline: visit the rows through an order, built once.
      for (int64_t i = 0; i < c.times_->length(); ++i) {
        if (window.contains((*c.times_)[i]) && c.list_->is_valid(i)) c.order_.push_back(i);
      }
      const TimeInt* t = c.times_->data();
      std::stable_sort(c.order_.begin(), c.order_.end(),
                       [t](int64_t a, int64_t b) { return t[a] < t[b]; });
      stats->sorted_rows += int64_t(c.order_.size());
      stats->max_order_rows = std::max(stats->max_order_rows, int64_t(c.order_.size()));
      c.pos_ = 0;
      c.end_ = int64_t(c.order_.size());
    }
    c.chunk_ = std::move(chunk);
    if (!c.settle()) return std::nullopt;
    ++stats->chunks_opened;
    return c;
  }

  TimeInt time() const { return time_; }
  int64_t row() const { return row_; }
  const ListColumn* list() const { return list_; }
  const Chunk* chunk() const { return chunk_.get(); }
  ChunkPtr release() { return std::move(chunk_); }
  // Moves to the next row; false when there is none.
  bool advance() {
    ++pos_;
    return settle();
  }

 private:
  // From pos_: the first row to visit (skipping null cells), or false.
  bool settle() {
    if (order_.empty()) {
      while (pos_ < end_ && !list_->is_valid(pos_)) ++pos_;
      if (pos_ >= end_) return false;
      row_ = pos_;
      time_ = times_->time_at(pos_);
      return true;
    }
    if (pos_ >= end_) return false;
    row_ = order_[size_t(pos_)];
    time_ = (*times_)[row_];
    return true;
  }

  ChunkPtr chunk_;
  const TimeColumn* times_ = nullptr;
  const ListColumn* list_ = nullptr;
  std::vector<int64_t> order_;  // unsorted chunks only: the rows to visit, in time order
  int64_t pos_ = 0, end_ = 0;
  int64_t row_ = 0;
  TimeInt time_ = kTimeMin;
};

// Min-heap order of cursors on their current time.
bool later(const ChunkCursor& a, const ChunkCursor& b) { return a.time() > b.time(); }

struct ColumnState {
  ColumnDescription desc;
  CellRef static_value;  // set for static columns
  ChunkPtr static_keep;

  // Temporal columns: the selected chunks not opened yet, in order of their first time on
  // the index timeline, and the cursors open at the frontier (a min-heap on time).
  std::vector<ChunkPtr> pending;
  std::vector<TimeInt> pending_min;  // a lower bound of each pending chunk's times
  size_t next_pending = 0;
  std::vector<ChunkCursor> active;
  bool has_next = false;  // the column has rows left; the first is at next_time
  TimeInt next_time = kTimeMin;

  // The Clears that empty this column on the index timeline, in (time, RowId) order (see
  // collect_clears), the next one to consume, and a one-row list column holding the empty
  // list that a cleared cell reads as.
  std::vector<std::pair<TimeInt, RowId>> clears;
  size_t next_clear = 0;
  std::shared_ptr<const ListColumn> empty;
  // Static columns: a Clear of the static value itself (static, logged after it), applying
  // at every time.
  bool static_cleared = false;

  // The latest (time, RowId) row consumed so far (or found before the window, for fill).
  // A consumed Clear counts as a row whose cell is the empty list (last.list == empty).
  bool has_last = false;
  TimeInt last_time = kTimeMin;
  RowId last_row_id;
  const Chunk* last_chunk = nullptr;
  CellRef last;
  ChunkPtr last_keep;  // keeps `last` alive once its cursor is gone

  bool has_data_next() const { return !active.empty(); }
  bool has_clear_next() const { return next_clear < clears.size(); }
  bool last_is_clear() const { return has_last && empty && last.list == empty.get(); }
  CellRef empty_cell() const { return {empty.get(), 0}; }
  // Takes a Clear at (t, row) as the column's value if it is the latest row yet.
  void take_clear(TimeInt t, RowId row) {
    if (has_last && std::pair(t, row) < std::pair(last_time, last_row_id)) return;
    has_last = true;
    last_time = t;
    last_row_id = row;
    last_chunk = nullptr;
    last = empty_cell();
    last_keep = nullptr;
  }

  bool is_static() const { return static_value.list != nullptr; }
};

// One output column of the batch being built. Its cells are recorded as arrow::take indices
// as they come: the list columns the cells point into are numbered one after another by
// their rows, and a missing cell is kNullIndex. finish() then builds the list<T> column with
// one take, every type alike (runs of consecutive rows are copied in bulk): from the columns'
// values directly when each has one instance per row without nulls (scalars, mostly: stored
// without offsets; row r is then value r of the values slice), else from their list rows.
class BatchColumn {
 public:
  void reserve(int64_t cells) { indices_.reserve(size_t(cells)); }
  void add(const CellRef& cell) {
    if (!cell.list) {
      indices_.push_back(arrow::kNullIndex);
      return;
    }
    if (cell.list != last_) switch_to(cell.list);  // cells come in runs from one column
    indices_.push_back(last_start_ + cell.row);
  }

  Result<ArrayPtr> finish(const arrow::TypePtr& list_type) {
    if (one_per_row_) return take_values(list_type);
    std::vector<ArrayPtr> sources;
    for (const ListColumn* l : lists_) sources.push_back(l->to_arrow());
    REEL_ASSIGN_OR_RETURN(auto taken, arrow::take(sources, indices_));
    // The view's exact list type (the columns' Arrow form names its own item field).
    return arrow::ArrayData::make(list_type, taken->length, taken->null_count, taken->buffers,
                                  taken->children, taken->offset);
  }

 private:
  // Makes `list` the current column: last_start_ is where its rows start in the take
  // indices. Out of line, so that add() stays small enough to inline into the reader's loop.
  [[gnu::noinline]] void switch_to(const ListColumn* list) {
    last_ = list;
    // A batch column's cells come from a few chunks, usually: a hash map only for many.
    if (lists_.size() <= 16) {
      for (size_t k = 0; k < lists_.size(); ++k) {
        if (lists_[k] == list) {
          last_start_ = starts_[k];
          return;
        }
      }
    } else {
      if (index_.empty()) {
        for (size_t k = 0; k < lists_.size(); ++k) index_.emplace(lists_[k], starts_[k]);
      }
      if (auto it = index_.find(list); it != index_.end()) {
        last_start_ = it->second;
        return;
      }
      index_.emplace(list, total_);
    }
    lists_.push_back(list);
    starts_.push_back(total_);
    last_start_ = total_;
    total_ += list->length();
    one_per_row_ &= list->is_unit() && list->null_count() == 0;
  }

  // The values are taken, the list level is built here: one instance per non-null cell.
  Result<ArrayPtr> take_values(const arrow::TypePtr& list_type) {
    const int64_t n = int64_t(indices_.size());
    REEL_ASSIGN_OR_RETURN(auto offsets,
                          arrow::Buffer::try_allocate_for_overwrite(size_t(n + 1) * 4));
    int32_t* o = offsets->mutable_data_as<int32_t>();
    o[0] = 0;
    std::shared_ptr<arrow::Buffer> validity;
    int64_t nulls = 0;
    int64_t* idx = indices_.data();
    for (int64_t i = 0; i < n; ++i) {
      if (idx[i] == arrow::kNullIndex) {
        if (!validity) {
          validity = arrow::Buffer::allocate(size_t(arrow::bit_util::bytes_for_bits(n)));
          std::memset(validity->mutable_data(), 0xFF, validity->size());
        }
        arrow::bit_util::clear_bit(validity->mutable_data(), i);
        ++nulls;
      } else {
        idx[i - nulls] = idx[i];  // the values' indices, without the nulls
      }
      o[i + 1] = int32_t(i + 1 - nulls);
    }
    ArrayPtr values;
    if (lists_.empty()) {
      values = arrow::make_null_array(list_type->value_type(), 0);  // empty, no nulls
    } else {
      std::vector<ArrayPtr> sources;
      for (const ListColumn* l : lists_) {
        sources.push_back(l->values()->slice(l->value_offset(0), l->length()));
      }
      REEL_ASSIGN_OR_RETURN(values,
                            arrow::take(sources, std::span<const int64_t>(idx, size_t(n - nulls))));
    }
    return arrow::ArrayData::make(list_type, n, nulls, {nulls ? validity : nullptr, offsets},
                                  {std::move(values)});
  }

  std::vector<int64_t> indices_;
  std::vector<const ListColumn*> lists_;
  std::vector<int64_t> starts_;
  std::unordered_map<const ListColumn*, int64_t> index_;  // with more than 16 columns
  int64_t total_ = 0;
  bool one_per_row_ = true;
  const ListColumn* last_ = nullptr;
  int64_t last_start_ = 0;
};

// The column's chunks that can hold its data on `timeline` within `window`, waiting to be
// opened in order of their first time.
void select_chunks(const ChunkStore& store, const std::string& timeline, const TimeRange& window,
                   ColumnState& col) {
  if (window.empty()) return;
  col.pending =
      store.range_relevant_chunks({timeline, window}, col.desc.entity, col.desc.component);
  // range_relevant_chunks orders by the first non-null time; the chunk's first time bounds it.
  col.pending_min.reserve(col.pending.size());
  for (const auto& chunk : col.pending)
    col.pending_min.push_back(chunk->timeline(timeline)->range().min);
}

struct ReaderOptions {
  bool has_index = false;
  std::string timeline;
  bool fill = false;
  std::optional<std::vector<TimeInt>> filter_values;
  std::optional<std::vector<TimeInt>> using_values;
  std::vector<size_t> not_null;  // column positions
  TimeRange range;               // the user's range (rows outside are dropped)
  TimeRange window;              // where data is read: the range narrowed by every filter
  int64_t batch_rows = 65536;
  size_t visible = 0;  // output columns; those after are hidden not-null filters
};

class Reader final : public RecordBatchReader {
 public:
  Reader(arrow::SchemaPtr schema, std::vector<ColumnState> columns, ReaderOptions options)
      : schema_(std::move(schema)), columns_(std::move(columns)), o_(std::move(options)) {
    for (size_t c : o_.not_null) {
      if (!columns_[c].is_static()) temporal_filters_.push_back(c);
    }
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (!columns_[c].is_static()) temporal_.push_back(c);
    }
  }

  const arrow::SchemaPtr& schema() const override { return schema_; }
  const internal::ReaderStats& stats() const { return stats_; }

  // Sets the column's next time: opens the pending chunks that may start at or before the
  // earliest open cursor, so that the heap's top is the column's next row.
  void refresh(ColumnState& col) {
    if (col.next_pending < col.pending.size()) open_due(col);
    col.has_next = col.has_data_next() || col.has_clear_next();
    if (col.has_data_next()) col.next_time = col.active.front().time();
    if (col.has_clear_next() &&
        (!col.has_data_next() || col.clears[col.next_clear].first < col.next_time)) {
      col.next_time = col.clears[col.next_clear].first;
    }
  }

  // Selects every column's chunks (nothing is read yet but the first rows of not-null
  // filter columns) and finds the values before the window that fill its first rows.
  void start(const ChunkStore& store) {
    if (!o_.has_index) {
      for (ColumnState& col : columns_) collect_clears(store, col);  // static Clears only
      return;
    }
    // Not-null filter columns first: where they have data bounds the window of the others.
    for (size_t c : temporal_filters_) {
      ColumnState& col = columns_[c];
      select_chunks(store, o_.timeline, o_.window, col);
      TimeInt max = kTimeMin;
      for (const auto& chunk : col.pending)
        max = std::max(max, chunk->timeline(o_.timeline)->range().max);
      refresh(col);
      o_.window = col.has_next ? TimeRange{std::max(o_.window.min, col.next_time),
                                           std::min(o_.window.max, max)}
                               : TimeRange{};
    }
    if (o_.window.empty()) return;
    for (ColumnState& col : columns_) collect_clears(store, col);
    for (size_t c : temporal_) {
      ColumnState& col = columns_[c];
      // Clears before the window only matter for fill; the first one to consume is the
      // first in the window.
      auto first_in_window =
          std::lower_bound(col.clears.begin(), col.clears.end(), std::pair(o_.window.min, RowId{}),
                           [](const auto& a, const auto& b) { return a.first < b.first; });
      col.next_clear = size_t(first_in_window - col.clears.begin());
      if (std::find(temporal_filters_.begin(), temporal_filters_.end(), c) ==
          temporal_filters_.end()) {
        select_chunks(store, o_.timeline, o_.window, col);
      }
      refresh(col);
      if (o_.fill && o_.window.min > kTimeMin) {
        // Data logged before the window fills its first rows, unless a Clear came after it.
        auto before =
            store.latest_at({o_.timeline, o_.window.min - 1}, col.desc.entity, col.desc.component);
        if (before) {
          col.has_last = true;
          col.last_time = before->time;
          col.last_row_id = before->row_id;
          col.last_chunk = before->chunk.get();
          col.last = {&before->chunk->component(col.desc.component)->list, before->row};
          col.last_keep = before->chunk;
        }
        if (col.next_clear > 0) {
          const auto& [t, row] = col.clears[col.next_clear - 1];
          col.take_clear(t, row);
        }
      }
    }
  }

  Result<std::optional<arrow::RecordBatch>> next() override {
    if (done_) return std::optional<arrow::RecordBatch>();
    const size_t visible = o_.visible;
    std::vector<TimeInt> index;
    std::vector<BatchColumn> cells(visible);
    // Room for short batches at once; longer ones grow.
    for (auto& c : cells) c.reserve(std::min<int64_t>(o_.batch_rows, 128));
    if (!o_.has_index) {
      // Static only: one row.
      for (size_t c = 0; c < visible; ++c) {
        const ColumnState& col = columns_[c];
        cells[c].add(col.static_cleared ? col.empty_cell() : col.static_value);
      }
      done_ = true;
      return make_batch(index, cells, 1);
    }
    if (o_.window.empty()) {
      done_ = true;  // no index value can pass the filters
      return std::optional<arrow::RecordBatch>();
    }
    while (int64_t(index.size()) < o_.batch_rows) {
      std::optional<TimeInt> t = next_index_value();
      if (!t) {
        done_ = true;
        break;
      }
      // Every column consumes its rows up to t: the latest (time, RowId) is its value.
      for (size_t c : temporal_) consume(columns_[c], *t, /*inclusive=*/true);
      bool keep = o_.range.contains(*t);
      for (size_t c : temporal_filters_) keep &= exact(columns_[c], *t);
      if (keep && o_.filter_values) {
        keep = std::binary_search(o_.filter_values->begin(), o_.filter_values->end(), *t);
      }
      if (!keep) {
        if (index.empty()) retired_.clear();  // no cell refers to them yet
        continue;
      }
      index.push_back(*t);
      for (size_t c = 0; c < visible; ++c) {
        ColumnState& col = columns_[c];
        if (col.is_static()) {
          cells[c].add(static_cell(col, *t));
        } else if (col.has_last && (o_.fill || col.last_time == *t)) {
          cells[c].add(col.last);
        } else {
          cells[c].add(CellRef{});
        }
      }
    }
    if (index.empty()) return std::optional<arrow::RecordBatch>();
    auto batch = make_batch(index, cells, int64_t(index.size()));
    retired_.clear();  // the batch no longer needs the chunks of finished cursors
    return batch;
  }

 private:
  // The column has a value logged at t (a Clear at t is not one).
  static bool exact(const ColumnState& col, TimeInt t) {
    return col.has_last && col.last_time == t && !col.last_is_clear();
  }

  // A static column's cell at index value t: its value, or the empty list once a Clear
  // (temporal at or before t, or static and logged after the value) has emptied it.
  static CellRef static_cell(ColumnState& col, TimeInt t) {
    if (col.static_cleared) return col.empty_cell();
    while (col.has_clear_next() && col.clears[col.next_clear].first <= t) {
      col.static_cleared = true;  // static data is not logged again after a temporal Clear
      ++col.next_clear;
    }
    return col.static_cleared ? col.empty_cell() : col.static_value;
  }

  // The Clears that empty `col`: on the index timeline, every Clear logged on its entity and
  // every recursive one logged on an ancestor, that come after the column has data (a
  // Clear empties the components the entity has, as Rerun's tombstones do). For a static
  // column also a static Clear logged after its value. Clears are rare: a scan of the Clear
  // chunks of the entity and its ancestors per column is cheap.
  void collect_clears(const ChunkStore& store, ColumnState& col) {
    const ComponentDescriptor& clear = Clear::descriptor_is_recursive();
    const TimeRange all{kTimeMin, kTimeMax};
    query_internal::for_each_clear_scope(
        col.desc.entity, [&](const EntityPath& path, auto applies) {
          for (const auto& chunk :
               o_.has_index ? store.range_relevant_chunks({o_.timeline, all}, path, clear)
                            : std::vector<ChunkPtr>{}) {
            const TimeColumn* times = chunk->timeline(o_.timeline);
            const ListColumn& list = chunk->component(clear)->list;
            for (int64_t i = 0; i < chunk->num_rows(); ++i) {
              if (!list.is_valid(i) || list.value_length(i) == 0) continue;
              if (!applies(list.row_values(i))) continue;
              col.clears.emplace_back((*times)[i], chunk->row_id(i));
            }
          }
          if (!col.is_static()) return;
          auto st = store.latest_static(path, clear);
          if (!st) return;
          const RowId value_row = col.static_keep->row_id(col.static_value.row);
          if (applies(st->chunk->component(clear)->list.row_values(st->row)) &&
              value_row < st->row_id) {
            col.static_cleared = true;
          }
        });
    std::sort(col.clears.begin(), col.clears.end());
    col.clears.erase(std::unique(col.clears.begin(), col.clears.end()), col.clears.end());
    if (!col.is_static()) {
      // Only Clears at or after the component's first data empty it.
      std::erase_if(col.clears, [&](const auto& c) {
        return !store.latest_at({o_.timeline, c.first}, col.desc.entity, col.desc.component);
      });
    }
    if (col.clears.empty() && !col.static_cleared) return;
    auto values = arrow::make_null_array(col.desc.type->value_type(), 0);
    auto offsets = arrow::Buffer::allocate(2 * sizeof(int32_t));
    std::memset(offsets->mutable_data(), 0, offsets->size());
    auto empty = ListColumn::with_offsets(std::move(values), std::move(offsets), 1);
    col.empty = std::make_shared<const ListColumn>(std::move(empty).value_or_die());
  }

  void open_due(ColumnState& col) {
    while (col.next_pending < col.pending.size() &&
           (col.active.empty() || col.pending_min[col.next_pending] <= col.active.front().time())) {
      open_next(col);
    }
  }

  void open_next(ColumnState& col) {
    ChunkPtr chunk = std::move(col.pending[col.next_pending++]);
    auto cursor =
        ChunkCursor::open(std::move(chunk), o_.timeline, col.desc.component, o_.window, &stats_);
    if (!cursor) return;
    col.active.push_back(std::move(*cursor));
    std::push_heap(col.active.begin(), col.active.end(), later);
    stats_.max_open_chunks = std::max(stats_.max_open_chunks, int64_t(col.active.size()));
  }

  // Consumes the column's rows with time <= t (inclusive) or < t.
  void consume(ColumnState& col, TimeInt t, bool inclusive) {
    while (col.has_next && (col.next_time < t || (inclusive && col.next_time == t))) {
      if (col.has_clear_next() && col.clears[col.next_clear].first == col.next_time) {
        const auto& [ct, row] = col.clears[col.next_clear++];
        col.take_clear(ct, row);
        refresh(col);
        continue;
      }
      ChunkCursor& cur = col.active.front();
      take(col, cur);
      if (cur.advance()) {
        if (col.active.size() > 1) {
          std::pop_heap(col.active.begin(), col.active.end(), later);
          std::push_heap(col.active.begin(), col.active.end(), later);
        }
      } else {
        std::pop_heap(col.active.begin(), col.active.end(), later);
        ChunkPtr chunk = col.active.back().release();
        col.active.pop_back();
        if (col.last_chunk == chunk.get()) col.last_keep = chunk;
        retired_.push_back(std::move(chunk));  // cells of this batch may point into it
      }
      refresh(col);
    }
  }

  // The row under `cur` becomes the column's value if its (time, RowId) is the latest yet.
  static void take(ColumnState& col, const ChunkCursor& cur) {
    const TimeInt t = cur.time();
    const RowId row_id = cur.chunk()->row_id(cur.row());
    if (col.has_last) {
      if (t < col.last_time) return;  // rows before the window, already covered by fill
      if (t == col.last_time && row_id < col.last_row_id) return;
    }
    col.has_last = true;
    col.last_time = t;
    col.last_row_id = row_id;
    col.last_chunk = cur.chunk();
    col.last = {cur.list(), cur.row()};
  }

  std::optional<TimeInt> next_index_value() {
    if (o_.using_values) {
      if (using_pos_ >= o_.using_values->size()) return std::nullopt;
      return (*o_.using_values)[using_pos_++];
    }
    if (!temporal_filters_.empty() || o_.filter_values) {
      // No index value before every not-null column's next row, nor before the next wanted
      // value, can pass the filters: skip there (still consuming, for fill).
      TimeInt lo = o_.window.min;
      for (size_t c : temporal_filters_) {
        if (!columns_[c].has_next) return std::nullopt;
        lo = std::max(lo, columns_[c].next_time);
      }
      if (o_.filter_values) {
        const auto& fv = *o_.filter_values;
        while (filter_pos_ < fv.size() && fv[filter_pos_] < lo) ++filter_pos_;
        if (filter_pos_ >= fv.size()) return std::nullopt;
        lo = std::max(lo, fv[filter_pos_]);
      }
      if (lo > o_.window.max) return std::nullopt;
      for (size_t c : temporal_) consume(columns_[c], lo, /*inclusive=*/false);
    }
    // The smallest next time among the temporal columns.
    std::optional<TimeInt> t;
    for (size_t c : temporal_) {
      const ColumnState& col = columns_[c];
      if (col.has_next && (!t || col.next_time < *t)) t = col.next_time;
    }
    if (t && *t > o_.window.max) return std::nullopt;
    return t;
  }

  Result<std::optional<arrow::RecordBatch>> make_batch(const std::vector<TimeInt>& index,
                                                       std::vector<BatchColumn>& cells,
                                                       int64_t rows) {
    arrow::RecordBatch batch;
    batch.schema = schema_;
    batch.num_rows = rows;
    if (o_.has_index) {
      // The int64 nanoseconds typed as the schema says (timestamp, duration or int64).
      auto times = std::make_shared<arrow::ArrayData>(
          *arrow::make_primitive<TimeInt>(std::span<const TimeInt>(index)));
      times->type = schema_->fields[0]->type;
      batch.columns.push_back(std::move(times));
    }
    for (size_t c = 0; c < o_.visible; ++c) {
      REEL_ASSIGN_OR_RETURN(auto column, cells[c].finish(columns_[c].desc.type));
      batch.columns.push_back(std::move(column));
    }
    return std::optional<arrow::RecordBatch>(std::move(batch));
  }

  arrow::SchemaPtr schema_;
  std::vector<ColumnState> columns_;
  ReaderOptions o_;
  std::vector<size_t> temporal_;          // columns with temporal data
  std::vector<size_t> temporal_filters_;  // not-null filter columns with temporal data
  std::vector<ChunkPtr> retired_;         // chunks of cursors finished during this batch
  size_t using_pos_ = 0;
  size_t filter_pos_ = 0;
  internal::ReaderStats stats_;
  bool done_ = false;
};

}  // namespace

namespace internal {

const ReaderStats* reader_stats(const RecordBatchReader& reader) {
  auto* r = dynamic_cast<const Reader*>(&reader);
  return r ? &r->stats() : nullptr;
}

}  // namespace internal

Result<std::unique_ptr<RecordBatchReader>> View::read() const {
  auto schema = std::make_shared<arrow::Schema>();
  if (index_) {
    schema->fields.push_back(
        arrow::field(*index_, index_arrow_type(index_type_), false, {{"reel.kind", "index"}}));
  }
  std::vector<ColumnState> states;
  for (const auto& c : columns_) {
    schema->fields.push_back(arrow::field(c.name, c.type, true,
                                          {{"reel.kind", "component"},
                                           {"reel.entity_path", c.entity.str()},
                                           {"reel.archetype", c.component.archetype()},
                                           {"reel.archetype_field", c.component.field()},
                                           {"reel.component_type", c.component.component_type()}}));
    ColumnState s;
    s.desc = c;
    states.push_back(std::move(s));
  }
  // Not-null filters on columns outside the selection are read as hidden columns.
  std::vector<size_t> not_null;
  std::vector<ColumnState> hidden;
  for (const auto& name : not_null_) {
    auto it = std::find_if(states.begin(), states.end(),
                           [&](const ColumnState& s) { return s.desc.name == name; });
    if (it != states.end()) {
      not_null.push_back(size_t(it - states.begin()));
      continue;
    }
    REEL_ASSIGN_OR_RETURN(auto parsed, parse_column_name(name));
    for (const auto& [d, type] : store_->components(parsed.first)) {
      if (column_name(parsed.first, d) != name) continue;
      ColumnState s;
      s.desc = describe(*store_, parsed.first, d, type);
      hidden.push_back(std::move(s));
    }
  }
  ReaderOptions o;
  o.visible = states.size();
  for (auto& h : hidden) {
    not_null.push_back(states.size());
    states.push_back(std::move(h));
  }
  for (auto& s : states) {
    if (auto st = store_->latest_static(s.desc.entity, s.desc.component)) {
      s.static_value = {&st->chunk->component(s.desc.component)->list, st->row};
      s.static_keep = st->chunk;
    }
  }

  o.has_index = index_.has_value();
  o.timeline = index_.value_or("");
  o.fill = fill_;
  o.filter_values = filter_values_;
  o.using_values = using_values_;
  o.not_null = not_null;
  o.range = range_;
  o.batch_rows = batch_rows_;
  // Pushdown: the index window shrinks to what the filters allow before any data is read.
  TimeRange window = range_;
  if (filter_values_) {
    window = filter_values_->empty() ? TimeRange{}
                                     : TimeRange{std::max(window.min, filter_values_->front()),
                                                 std::min(window.max, filter_values_->back())};
  }
  if (using_values_) {
    window = using_values_->empty() ? TimeRange{}
                                    : TimeRange{std::max(window.min, using_values_->front()),
                                                std::min(window.max, using_values_->back())};
  }
  o.window = window;
  auto reader = std::make_unique<Reader>(std::move(schema), std::move(states), std::move(o));
  reader->start(*store_);
  return std::unique_ptr<RecordBatchReader>(std::move(reader));
}

Result<std::vector<arrow::RecordBatch>> View::read_all() const {
  REEL_ASSIGN_OR_RETURN(auto reader, read());
  return reader->read_all();
}

}  // namespace reel::dataframe
