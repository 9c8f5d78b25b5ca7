// ChunkStore: an in-memory, indexed collection of chunks answering latest-at and range
// queries.
//
// Semantics (DESIGN.md §4):
// - Latest-at (entity, component, timeline, t): the row with the greatest (time, RowId)
//   with time <= t where the component is non-null. Static data, if any, wins.
// - Range (entity, component, timeline, [t0, t1] inclusive): every row with t0 <= time <= t1
//   where the component is non-null, in (time, RowId) order, as chunk slices. Static data,
//   if any, wins (the result is then the single static row).
// - Static data: per entity + component, only the static row with the greatest RowId is
//   visible; a static chunk none of whose cells is visible any more is dropped.
// - Compaction on ingestion: a small incoming chunk is merged into the last chunk of the
//   same entity and schema while the result stays within the configured limits.
// - Garbage collection drops the oldest temporal chunks (by their newest RowId), never static
//   data.
//
// Thread safety: a ChunkStore is safe for concurrent use from many threads without external
// synchronization. Queries run concurrently with each other; `insert` and `gc` are
// serialized and exclude queries while they modify the index (they hold a write lock for
// the index update only). Query results hold shared references to immutable chunks, so they
// stay valid after later inserts or garbage collection.
//
// Events: subscribers are called after every modification, in modification order, one call
// at a time, without the store's lock held: a subscriber may query the store and even insert
// into it. `insert` and `gc` return after their events were delivered to every subscriber
// (the delivering thread may be another modifying thread); called from inside a subscriber,
// they return at once and their events follow when the current delivery ends.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reel/chunk/chunk.hpp"
#include "reel/chunk/store_info.hpp"
#include "reel/status.hpp"
#include "reel/store/config.hpp"
#include "reel/store/events.hpp"

namespace reel {

struct LatestAtQuery {
  std::string timeline;
  TimeInt at = kTimeMax;
};

struct RangeQuery {
  std::string timeline;
  TimeRange range{kTimeMin, kTimeMax};  // inclusive
};

// One row of one chunk.
struct LatestAtResult {
  ChunkPtr chunk;   // the whole chunk holding the row
  int64_t row = 0;  // the row's index in `chunk`
  RowId row_id;
  TimeInt time = kTimeMin;  // meaningless when is_static
  bool is_static = false;

  // The component's instances at that row (zero-copy).
  arrow::ArrayPtr instances(const ComponentDescriptor& component) const;
  // The row as a one-row chunk slice.
  ChunkPtr as_slice() const { return chunk->slice(row, 1); }
};

struct RangeResult {
  // Slices whose rows, read one chunk after another, are in (time, RowId) order; every row
  // has the component non-null. Zero-copy unless chunks overlapped in time or were unsorted.
  std::vector<ChunkPtr> chunks;
  bool is_static = false;
  int64_t num_rows() const;
};

struct GcOptions {
  // Remove temporal chunks, oldest first (by each chunk's newest RowId), until the store's
  // memory is at most this.
  uint64_t target_bytes = 0;
  // Never remove the `protect_latest` chunks with the latest data of each
  // entity/timeline/component (so that latest-at at the end of time stays answerable).
  size_t protect_latest = 0;
};

struct GcReport {
  uint64_t bytes_before = 0;
  uint64_t bytes_after = 0;
  size_t chunks_removed = 0;
  int64_t rows_removed = 0;
};

struct ChunkStoreStats {
  size_t num_chunks = 0;
  size_t num_static_chunks = 0;
  int64_t num_rows = 0;
  int64_t num_static_rows = 0;
  uint64_t buffer_bytes = 0;  // distinct buffers, each counted once
  uint64_t index_bytes = 0;   // the store's own bookkeeping (estimated)
  uint64_t total_bytes() const { return buffer_bytes + index_bytes; }
};

struct ComponentStats {
  EntityPath entity;
  ComponentDescriptor component;
  arrow::TypePtr type;
  size_t num_chunks = 0;
  int64_t num_rows = 0;       // rows where the component is non-null
  int64_t num_instances = 0;  // instances across those rows
  bool has_static = false;
};

class ChunkStore {
 public:
  // Uses `config` as given; the environment is not read here (programs pass
  // ChunkStoreConfig::from_env() for that).
  explicit ChunkStore(ChunkStoreConfig config = ChunkStoreConfig());
  ~ChunkStore();
  ChunkStore(const ChunkStore&) = delete;
  ChunkStore& operator=(const ChunkStore&) = delete;

  const ChunkStoreConfig& config() const { return config_; }
  StoreInfo info() const;
  void set_info(StoreInfo info);

  // Adds a chunk. Returns the events it caused (also sent to subscribers): none for an
  // empty chunk, a chunk id already present, or a static chunk entirely superseded.
  Result<std::vector<ChunkStoreEvent>> insert(ChunkPtr chunk);

  std::optional<LatestAtResult> latest_at(const LatestAtQuery& query, const EntityPath& entity,
                                          const ComponentDescriptor& component) const;
  RangeResult range(const RangeQuery& query, const EntityPath& entity,
                    const ComponentDescriptor& component) const;
  // The visible static row of (entity, component), if any.
  std::optional<LatestAtResult> latest_static(const EntityPath& entity,
                                              const ComponentDescriptor& component) const;

  // Temporal chunks of `entity` that hold non-null `component` data on `timeline` within
  // `range` (whole chunks, index order). For query engines doing their own pushdown.
  std::vector<ChunkPtr> range_relevant_chunks(const RangeQuery& query, const EntityPath& entity,
                                              const ComponentDescriptor& component) const;

  GcReport gc(const GcOptions& options);

  using Subscriber = std::function<void(std::span<const ChunkStoreEvent>)>;
  uint64_t subscribe(Subscriber subscriber);
  void unsubscribe(uint64_t id);

  // ---- introspection (snapshots)
  std::vector<EntityPath> entities() const;  // sorted
  std::vector<Timeline> timelines() const;   // sorted by name
  // Components of an entity with their element types (static and temporal).
  std::vector<std::pair<ComponentDescriptor, arrow::TypePtr>> components(
      const EntityPath& entity) const;
  // [min, max] of all data on `timeline` (optionally only for one entity); empty if none.
  TimeRange time_range(const std::string& timeline) const;
  TimeRange time_range(const std::string& timeline, const EntityPath& entity) const;
  // Every chunk, ordered by smallest RowId (static chunks included).
  std::vector<ChunkPtr> chunks() const;
  ChunkPtr chunk(const ChunkId& id) const;
  size_t num_chunks() const;
  ChunkStoreStats stats() const;
  std::vector<ComponentStats> component_stats() const;
  // Heap bytes: distinct chunk buffers plus index bookkeeping.
  uint64_t memory_bytes() const;
  // Increases with every modification.
  uint64_t generation() const;
  // Chunks examined by queries so far (latest-at candidates and range chunks); for tests and
  // profiling of query pushdown.
  uint64_t chunks_scanned() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ChunkStoreConfig config_;
};

// What ChunkStore::insert says when it refuses a chunk for its types (the TypeError's
// message), for code that applies the store's rule without a store: a timeline has one type
// per recording, an (entity, component) column one element type.
std::string timeline_type_conflict(std::string_view chunk_id, const EntityPath& entity,
                                   std::string_view timeline, TimeType logged, TimeType held);
std::string component_type_conflict(const EntityPath& entity, std::string_view component,
                                    std::string_view logged_type, std::string_view held_type);

}  // namespace reel
