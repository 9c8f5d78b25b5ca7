// Chunk: one entity's rows as columns, the unit that travels from the SDK to the viewer.
//
// A chunk has an id, an entity path, one RowId per row, zero or more time columns (none:
// the chunk is static) and one list column per component. Chunks are immutable and shared
// (`ChunkPtr`); every operation returns a new chunk, sharing buffers where it can (slices
// never copy). `Chunk::make` checks every invariant, so a chunk that exists is consistent:
// all columns have `num_rows` rows, the statistics are true, no timeline or component
// appears twice.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "reel/arrow/array.hpp"
#include "reel/chunk/component.hpp"
#include "reel/chunk/entity_path.hpp"
#include "reel/chunk/row_id.hpp"
#include "reel/chunk/row_id_column.hpp"
#include "reel/chunk/timeline.hpp"
#include "reel/status.hpp"

namespace reel {

class Chunk;
using ChunkPtr = std::shared_ptr<const Chunk>;

class Chunk : public std::enable_shared_from_this<Chunk> {
 public:
  // Checks lengths, duplicate timelines/components, and sorts time columns by timeline name.
  static Result<ChunkPtr> make(ChunkId id, EntityPath entity_path, RowIdColumn row_ids,
                               std::vector<TimeColumn> timelines,
                               std::vector<ComponentColumn> components);

  const ChunkId& id() const { return id_; }
  const EntityPath& entity_path() const { return entity_path_; }
  int64_t num_rows() const { return row_ids_.length(); }
  bool empty() const { return num_rows() == 0; }
  bool is_static() const { return timelines_.empty(); }
  // Rows are in increasing RowId order.
  bool is_sorted() const { return row_ids_.is_sorted(); }

  const RowIdColumn& row_ids() const { return row_ids_; }
  RowId row_id(int64_t row) const { return row_ids_[row]; }
  // Time columns, ordered by timeline name.
  const std::vector<TimeColumn>& timelines() const { return timelines_; }
  const TimeColumn* timeline(std::string_view name) const;
  const std::vector<ComponentColumn>& components() const { return components_; }
  const ComponentColumn* component(const ComponentDescriptor& descriptor) const;

  // Time range on `timeline` of the rows where `component` is non-null (empty if none).
  TimeRange component_time_range(std::string_view timeline,
                                 const ComponentDescriptor& component) const;
  // Number of rows where `component` is non-null.
  int64_t num_non_null(const ComponentDescriptor& component) const;

  // ---- operations (all return new chunks; the id is kept unless said otherwise)
  ChunkPtr slice(int64_t start, int64_t length) const;
  Result<ChunkPtr> take(std::span<const int64_t> rows) const;
  ChunkPtr sorted_by_row_id() const;
  // Sorted by (time on `timeline`, RowId). The chunk itself if already in that order.
  Result<ChunkPtr> sorted_by_timeline(std::string_view timeline) const;
  bool is_sorted_by_timeline(std::string_view timeline) const;  // by (time, RowId)
  // Only the rows where `component` is non-null (the chunk itself if there are none null).
  ChunkPtr densified(const ComponentDescriptor& component) const;
  // Only the given components (others dropped); rows kept.
  ChunkPtr with_components(std::span<const ComponentDescriptor> keep) const;
  ChunkPtr without_timeline(std::string_view timeline) const;
  // Pieces of at most `max_rows` rows (slices, no copies).
  std::vector<ChunkPtr> split(int64_t max_rows) const;
  ChunkPtr with_id(ChunkId id) const;
  // A copy whose columns own exactly the bytes they use: drops references to larger buffers
  // the chunk was decoded or sliced from (a file message, a big parent chunk).
  ChunkPtr copy_buffers() const;
  // Rows of all chunks one after another, under a new id. The chunks must share the entity
  // and the set of timelines; a component missing from some chunk is null in its rows.
  static Result<ChunkPtr> concatenate(std::span<const ChunkPtr> chunks);
  // Whether `concatenate` accepts these two.
  bool is_concatenable_with(const Chunk& other) const;
  // Same entity, timelines and component descriptors with the same types.
  bool same_schema(const Chunk& other) const;

  // Heap bytes held by this chunk's buffers (each counted once) plus its bookkeeping.
  size_t heap_size_bytes() const;
  void collect_buffers(std::vector<std::pair<const void*, size_t>>& out) const;
  // Bytes of the header and column descriptions, not counting the buffers.
  size_t overhead_bytes() const;

  // Logical equality (same entity, row ids, times and values); ids are not compared.
  bool content_equals(const Chunk& other) const;
  // Multi-line human-readable form, for debugging and `reel print -vvv`.
  std::string to_string(int64_t max_rows = 10) const;

 private:
  Chunk() = default;
  ChunkId id_;
  EntityPath entity_path_;
  RowIdColumn row_ids_;
  std::vector<TimeColumn> timelines_;
  std::vector<ComponentColumn> components_;
};

// Row-by-row construction, for tests and small data. Not the fast path (the SDK batcher
// and send_columns build columns directly).
class ChunkBuilder {
 public:
  explicit ChunkBuilder(EntityPath entity_path) : entity_path_(std::move(entity_path)) {}
  struct TimePoint {
    Timeline timeline;
    TimeInt time;
  };
  struct Cell {
    ComponentDescriptor descriptor;
    arrow::ArrayPtr instances;  // a batch of N instances; null pointer = null cell
  };
  // One row. All rows must carry the same set of timelines.
  ChunkBuilder& add_row(RowId row_id, std::vector<TimePoint> times, std::vector<Cell> cells);
  Result<ChunkPtr> build(ChunkId id = RowId::create());

 private:
  struct Row {
    RowId row_id;
    std::vector<TimePoint> times;
    std::vector<Cell> cells;
  };
  EntityPath entity_path_;
  std::vector<Row> rows_;
};

}  // namespace reel
