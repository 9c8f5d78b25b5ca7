// PendingTable: the rows one thread has logged for one entity and not yet cut into a chunk.
//
// Columns grow by appending bytes (no per-row Arrow objects, no per-row heap allocation once
// the buffers have grown); `cut` turns them into a Chunk, handing the buffers over without
// copying where their size allows. A large fixed-width batch with an owner (an owned
// Collection: immutable, kept alive by its owner) that starts a column is referenced, not
// copied: it becomes the chunk's values buffer when nothing else is appended before the cut
// (a point cloud logged in one call crosses flush_num_bytes and is cut right away), and is
// copied into the column's own buffer only when more rows follow.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "reel/arrow/buffer.hpp"
#include "reel/chunk/chunk.hpp"
#include "reel/types/component_batch.hpp"
#include "sdk/time_context_internal.hpp"

namespace reel::internal {

class PendingColumn {
 public:
  PendingColumn(ComponentDescriptor descriptor, const arrow::TypePtr& type, int64_t null_rows);
  const ComponentDescriptor& descriptor() const { return descriptor_; }
  const arrow::TypePtr& type() const { return type_; }
  int64_t rows() const { return rows_; }
  bool all_null() const { return null_count_ == rows_; }
  // Appends one row holding the batch. Returns the bytes added.
  size_t append(const ComponentBatch& batch);
  size_t append_null();
  Result<ListColumn> finish();
  void reset(int64_t expected_rows);

 private:
  void materialize_offsets();
  // Copies the referenced batch (if any) into values_, before anything else is appended.
  void copy_adopted();
  void set_validity(bool valid);

  ComponentDescriptor descriptor_;
  arrow::TypePtr type_;
  int64_t width_;                        // flat width, 0 for Arrow-valued columns
  arrow::MutableBuffer values_;          // flat values
  arrow::BufferPtr adopted_;             // or: the only values, referenced (see above)
  std::vector<arrow::ArrayPtr> arrays_;  // Arrow-valued pieces
  arrow::MutableBuffer offsets_;         // i32; empty while every row holds one instance (unit)
  bool unit_ = true;
  arrow::MutableBuffer validity_;  // empty until the first null
  int64_t null_count_ = 0;
  int64_t rows_ = 0;
  int64_t num_values_ = 0;
};

class PendingTable {
 public:
  PendingTable(EntityPath entity, const TimelineSet* timelines);
  const EntityPath& entity() const { return entity_; }
  const TimelineSet* timelines() const { return timelines_; }
  int64_t num_rows() const { return num_rows_; }
  uint64_t num_bytes() const { return num_bytes_; }
  // Switches to another timeline set; only when empty.
  void set_timelines(const TimelineSet* timelines);

  // Fails if a batch's type differs from the type of its column in this table.
  Status check_types(const ComponentBatchList& batches) const;
  // Appends a row. `times` has one value per timeline of the set, in set order.
  void append(RowId row_id, const TimeInt* times, const ComponentBatchList& batches);

  // The rows as chunks (split when unsorted and longer than `max_rows_if_unsorted`); the
  // table is empty afterwards.
  Result<std::vector<ChunkPtr>> cut(uint64_t max_rows_if_unsorted);

 private:
  PendingColumn& column_for(const ComponentBatch& batch, size_t hint);

  EntityPath entity_;
  const TimelineSet* timelines_;
  arrow::MutableBuffer row_ids_;
  std::vector<arrow::MutableBuffer> times_;
  std::vector<PendingColumn> columns_;
  int64_t num_rows_ = 0;
  uint64_t num_bytes_ = 0;
};

}  // namespace reel::internal
