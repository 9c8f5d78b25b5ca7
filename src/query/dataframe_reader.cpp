// Reading a dataframe view: the streaming reader behind View::read(). Cells are gathered
// lazily from the selected chunks and materialized one batch at a time.
#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "query/clear_internal.hpp"
#include "query/dataframe_batch_internal.hpp"
#include "query/dataframe_internal.hpp"
#include "reel/query/dataframe.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::dataframe {

using arrow::ArrayPtr;
using internal::BatchColumn;
using internal::CellRef;
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

  // For reading in blocks (Reader::take_block): a cursor of a sorted chunk without null
  // cells visits rows pos()..end()-1 one after another.
  bool contiguous() const { return order_.empty() && list_->null_count() == 0; }
  const TimeColumn& times() const { return *times_; }
  int64_t end() const { return end_; }
  // Moves to row `pos` (contiguous cursors; pos_ <= pos < end_).
  void skip_to(int64_t pos) {
    pos_ = pos;
    settle();
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
  // In a view of a file (FileChunks) a pending chunk is null until opened: it is read from
  // the file at pending_offsets then.
  std::vector<ChunkPtr> pending;
  std::vector<uint64_t> pending_offsets;
  std::vector<TimeInt> pending_min;  // a lower bound of each pending chunk's times
  std::vector<TimeInt> pending_max;  // an upper bound
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
  ChunkPtr last_keep;             // keeps `last` alive once its cursor is gone
  const Chunk* marked = nullptr;  // the chunk last marked as referenced by this batch's cells

  bool has_data_next() const { return !active.empty(); }
  bool has_clear_next() const { return next_clear < clears.size(); }
  bool last_is_clear() const { return has_last && empty && last.list == empty.get(); }
  CellRef empty_cell() const { return {empty.get(), 0}; }
  // Takes a Clear at (t, row) as the column's value if it is the latest row yet. Returns
  // the chunk the value so far came from, which cells of the batch being built may still
  // refer to (the caller keeps it until the batch is made if they do).
  [[nodiscard]] ChunkPtr take_clear(TimeInt t, RowId row) {
    if (has_last && std::pair(t, row) < std::pair(last_time, last_row_id)) return nullptr;
    has_last = true;
    last_time = t;
    last_row_id = row;
    last_chunk = nullptr;
    last = empty_cell();
    return std::exchange(last_keep, nullptr);
  }

  bool is_static() const { return static_value.list != nullptr; }
};

// The column's chunks that can hold its data on `timeline` within `window`, waiting to be
// opened in order of their first time.
void select_chunks(const ChunkStore& store, const internal::FileChunks* file,
                   const std::string& timeline, const TimeRange& window, ColumnState& col) {
  if (window.empty()) return;
  if (file) {
    for (const auto& part : file->relevant(timeline, window, col.desc.entity, col.desc.component)) {
      const TimeRange& r = part.ranges.at(timeline);
      col.pending.emplace_back();
      col.pending_offsets.push_back(part.offset);
      col.pending_min.push_back(r.min);
      col.pending_max.push_back(r.max);
    }
    return;
  }
  col.pending =
      store.range_relevant_chunks({timeline, window}, col.desc.entity, col.desc.component);
  // range_relevant_chunks orders by the first non-null time; the chunk's first time bounds it.
  col.pending_min.reserve(col.pending.size());
  for (const auto& chunk : col.pending) {
    const TimeRange r = chunk->timeline(timeline)->range();
    col.pending_min.push_back(r.min);
    col.pending_max.push_back(r.max);
  }
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
  Reader(arrow::SchemaPtr schema, std::vector<ColumnState> columns, ReaderOptions options,
         std::shared_ptr<const internal::FileChunks> file)
      : schema_(std::move(schema)),
        columns_(std::move(columns)),
        o_(std::move(options)),
        file_(std::move(file)) {
    for (size_t c : o_.not_null) {
      if (!columns_[c].is_static()) temporal_filters_.push_back(c);
    }
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (!columns_[c].is_static()) temporal_.push_back(c);
    }
    blocks_ = o_.has_index && temporal_filters_.empty() && !o_.filter_values && !o_.using_values;
  }

  const arrow::SchemaPtr& schema() const override { return schema_; }
  const internal::ReaderStats& stats() const { return stats_; }
  // A chunk of the view's file that could not be read: the read ends with it.
  const Status& fault() const { return fault_; }

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
      select_chunks(store, file_.get(), o_.timeline, o_.window, col);
      TimeInt max = kTimeMin;
      for (TimeInt m : col.pending_max) max = std::max(max, m);
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
        select_chunks(store, file_.get(), o_.timeline, o_.window, col);
      }
      refresh(col);
      if (o_.fill && o_.window.min > kTimeMin) {
        // Data logged before the window fills its first rows, unless a Clear came after it.
        std::optional<LatestAtResult> before;
        if (file_) {
          auto found =
              file_->latest_at(o_.timeline, o_.window.min - 1, col.desc.entity, col.desc.component);
          if (!found.ok()) {
            fault_ = found.status();
            return;
          }
          before = std::move(*found);
        } else {
          before = store.latest_at({o_.timeline, o_.window.min - 1}, col.desc.entity,
                                   col.desc.component);
        }
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
          retire(col.take_clear(t, row));
        }
      }
    }
  }

  Result<std::optional<arrow::RecordBatch>> next() override {
    if (!fault_.ok()) return fault_;
    if (done_) return std::optional<arrow::RecordBatch>();
    const size_t visible = o_.visible;
    std::vector<TimeInt> index;
    std::vector<BatchColumn> cells(visible);
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
    // A chunk of a file that could not be read ends the read: the rows before its first
    // time are whole and go out in this batch, the fault with the next call.
    while (int64_t(index.size()) < o_.batch_rows && fault_.ok()) {
      if (blocks_ && take_block(index, cells)) continue;
      std::optional<TimeInt> t = next_index_value();
      if (!t) {
        done_ = true;
        break;
      }
      // Every column consumes its rows up to t: the latest (time, RowId) is its value.
      for (size_t c : temporal_) consume(columns_[c], *t, /*inclusive=*/true);
      if (!fault_.ok() && *t >= fault_from_) break;
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
          mark(col, col.last_chunk);
          cells[c].add(col.last);
        } else {
          cells[c].add(CellRef{});
        }
      }
    }
    if (!fault_.ok() && index.empty()) return fault_;
    if (index.empty()) return std::optional<arrow::RecordBatch>();
    auto batch = make_batch(index, cells, int64_t(index.size()));
    // The batch no longer needs the chunks of finished cursors.
    retired_.clear();
    referenced_.clear();
    for (ColumnState& col : columns_) col.marked = nullptr;
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
        if (file_) {
          return !file_->has_data_at_or_before(o_.timeline, c.first, col.desc.entity,
                                               col.desc.component);
        }
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
    const size_t at = col.next_pending++;
    ChunkPtr chunk = std::move(col.pending[at]);
    if (!chunk && file_) {
      bool from_disk = false;
      auto read = file_->load(col.pending_offsets[at], &from_disk);
      if (!read.ok()) {
        // Nothing more is read: the column looks finished and next() reports the fault.
        // The first fault is the one reported; the rows kept are those before every faulty
        // chunk's first time.
        if (fault_.ok()) fault_ = read.status();
        fault_from_ = std::min(fault_from_, col.pending_min[at]);
        col.next_pending = col.pending.size();
        return;
      }
      chunk = std::move(*read);
      if (!chunk) return;  // damaged: left out (the file's warnings name it)
      stats_.file_chunks_read += from_disk ? 1 : 0;
      stats_.max_file_chunks_held = std::max(stats_.max_file_chunks_held, file_->max_held());
    }
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
        retire(col.take_clear(ct, row));
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
        if (col.last_chunk == chunk.get()) {
          retire(std::move(col.last_keep));
          col.last_keep = chunk;
        }
        retire(std::move(chunk));
      }
      refresh(col);
    }
  }

  // Reading in blocks. Where every temporal column's next rows come from one sorted chunk
  // without null cells, at the same times (no time repeated), with no Clear and no other
  // chunk starting among them, each of those times is an index value at which every column
  // has exactly its next row: the rows are taken as runs, not one index value at a time.
  // This is the common case (series logged together, sent with send_columns or compacted),
  // and the row-at-a-time merge gives the same table (DataframeModelTest). Returns whether
  // rows were taken; after a miss the next try waits until the frontier passes its bound.
  bool take_block(std::vector<TimeInt>& index, std::vector<BatchColumn>& cells) {
    // The lead: the first column with rows left (columns without any repeat their cell).
    auto has_rows = [&](size_t c) { return columns_[c].has_next; };
    auto lead_at = std::find_if(temporal_.begin(), temporal_.end(), has_rows);
    if (lead_at == temporal_.end()) return false;
    const ColumnState& lead = columns_[*lead_at];
    if (lead.next_time <= block_miss_until_) return false;
    const TimeInt t0 = lead.next_time;
    TimeInt bound = o_.window.max;  // the block holds times <= bound
    for (size_t c : temporal_) {
      const ColumnState& col = columns_[c];
      if (!col.has_next) continue;
      if (col.next_time != t0) {
        // Not before the frontier reaches every column's next time.
        TimeInt latest = t0;
        for (size_t k : temporal_) {
          if (columns_[k].has_next) latest = std::max(latest, columns_[k].next_time);
        }
        return block_miss(latest - 1);
      }
      if (col.active.size() != 1 || !col.active.front().contiguous()) return block_miss(t0);
      if (col.next_pending < col.pending.size())
        bound = std::min(bound, col.pending_min[col.next_pending] - 1);
      if (col.has_clear_next()) bound = std::min(bound, col.clears[col.next_clear].first - 1);
    }
    for (size_t c = 0; c < o_.visible; ++c) {
      if (columns_[c].is_static() && columns_[c].has_clear_next()) return block_miss(t0);
    }
    // The lead's rows up to the bound, strictly increasing in time, and as many rows of
    // every other column at the same times, each followed by a later time (or its end).
    const ChunkCursor& lc = lead.active.front();
    const TimeColumn& lt = lc.times();
    const int64_t p0 = lc.row();
    int64_t n = std::min(lc.end(), lt.upper_bound(bound)) - p0;
    if (n < kMinBlockRows) return block_miss(bound);
    // The last rows of a batch go one at a time; the next batch starts a block again.
    n = std::min<int64_t>(n, o_.batch_rows - int64_t(index.size()));
    if (n < kMinBlockRows) return false;
    const TimeInt* lead_times = lt.data() + p0;
    if (lt.stride() == 0) {
      for (int64_t i = 1; i < n; ++i) {
        if (lead_times[i] <= lead_times[i - 1]) return block_miss(bound);
      }
    }
    const TimeInt last = lt.time_at(p0 + n - 1);
    auto followed_by_later = [&](const ChunkCursor& cur) {
      const int64_t after = cur.row() + n;
      return after >= cur.end() || cur.times().time_at(after) > last;
    };
    for (size_t c : temporal_) {
      if (!columns_[c].has_next) continue;
      const ChunkCursor& cur = columns_[c].active.front();
      if (cur.row() + n > cur.end() || !followed_by_later(cur)) return block_miss(bound);
      if (&cur == &lc) continue;
      const TimeColumn& ct = cur.times();
      const bool same =
          (lt.stride() > 0 && ct.stride() == lt.stride())
              ? ct.time_at(cur.row()) == t0
              : std::memcmp(ct.data() + cur.row(), lead_times, size_t(n) * sizeof(TimeInt)) == 0;
      if (!same) return block_miss(bound);
    }
    // Take them: the index values, a run of rows per temporal column, the static cells.
    const size_t at = index.size();
    index.resize(at + size_t(n));
    for (int64_t i = 0; i < n; ++i) index[at + size_t(i)] = lt.time_at(p0 + i);
    for (size_t c = 0; c < o_.visible; ++c) {
      ColumnState& col = columns_[c];
      if (col.is_static()) {
        cells[c].add_repeated(col.static_cleared ? col.empty_cell() : col.static_value, n);
      } else if (!col.has_next) {
        if (o_.fill && col.has_last) mark(col, col.last_chunk);
        cells[c].add_repeated(o_.fill && col.has_last ? col.last : CellRef{}, n);
      } else {
        const ChunkCursor& cur = col.active.front();
        mark(col, cur.chunk());
        cells[c].add_run(cur.list(), cur.row(), n);
      }
    }
    // Each column then consumes its last row of the block as the row-at-a-time merge would
    // (it becomes the column's latest value; the cursor moves on or retires).
    for (size_t c : temporal_) {
      ColumnState& col = columns_[c];
      if (!col.has_next) continue;
      ChunkCursor& cur = col.active.front();
      cur.skip_to(cur.row() + n - 1);
      col.next_time = last;
      consume(col, last, /*inclusive=*/true);
    }
    stats_.block_rows += n;
    return true;
  }

  // A cell of this batch refers into `chunk` (null: none).
  void mark(ColumnState& col, const Chunk* chunk) {
    if (!chunk || chunk == col.marked) return;
    referenced_.insert(chunk);
    col.marked = chunk;
  }
  // Lets go of `chunk` unless a cell of this batch refers into it.
  void retire(ChunkPtr chunk) {
    if (chunk && referenced_.count(chunk.get())) retired_.push_back(std::move(chunk));
  }

  bool block_miss(TimeInt until) {
    block_miss_until_ = until;
    return false;
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
  std::shared_ptr<const internal::FileChunks> file_;  // a view of a file: where chunks are read
  Status fault_;
  TimeInt fault_from_ = kTimeMax;         // the first time of the chunk that could not be read
  std::vector<size_t> temporal_;          // columns with temporal data
  std::vector<size_t> temporal_filters_;  // not-null filter columns with temporal data
  // Chunks let go of during this batch that its cells refer to: kept until it is made (a
  // file's chunk has no other owner, unlike a store's). Chunks no cell refers to (rows
  // skipped by filters) are let go of at once, so a sparse filter over a file holds only
  // the chunks at the frontier.
  std::vector<ChunkPtr> retired_;
  std::unordered_set<const Chunk*> referenced_;  // chunks this batch's cells refer to
  size_t using_pos_ = 0;
  size_t filter_pos_ = 0;
  // Reading in blocks (take_block) is possible: an index without filters on values.
  bool blocks_ = false;
  TimeInt block_miss_until_ = kTimeMin;
  static constexpr int64_t kMinBlockRows = 8;
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
    REEL_ASSIGN_OR_RETURN(auto available, components_of(parsed.first));
    for (const auto& [d, type] : available) {
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
  auto reader = std::make_unique<Reader>(std::move(schema), std::move(states), std::move(o), file_);
  reader->start(*store_);
  if (!reader->fault().ok()) return reader->fault();
  return std::unique_ptr<RecordBatchReader>(std::move(reader));
}

Result<std::vector<arrow::RecordBatch>> View::read_all() const {
  REEL_ASSIGN_OR_RETURN(auto reader, read());
  return reader->read_all();
}

}  // namespace reel::dataframe
