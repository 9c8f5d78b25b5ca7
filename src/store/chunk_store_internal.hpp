// ChunkStore::Impl: the state behind a ChunkStore and the operations its files share.
// One concept per file: the index and its queries (index.cpp), compaction on ingestion
// (compaction.cpp), garbage collection (gc.cpp), event delivery (event_queue.cpp), memory
// accounting and introspection (stats.cpp); chunk_store.cpp holds insert() and the rest of
// the public class. Private to the store module.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/shared_mutex.hpp"
#include "reel/store/chunk_store.hpp"
#include "store/compaction_internal.hpp"
#include "store/event_queue_internal.hpp"
#include "store/index_internal.hpp"
#include "store/stats_internal.hpp"

namespace reel {

struct ChunkStore::Impl {
  // Queries hold it shared; insert and gc exclusively while they modify the index. Guards
  // every member but `event_queue` (its own locks) and `chunks_scanned` (atomic).
  mutable internal::SharedMutex mutex;
  StoreInfo info;
  std::unordered_map<EntityPath, store::internal::EntityIndex> entities;
  // The type of every timeline the store has seen, for the whole recording (never forgotten,
  // not even when GC drops its last chunk): a timeline has one type per recording.
  std::map<std::string, TimeType, std::less<>> timeline_types;
  std::unordered_map<ChunkId, ChunkPtr> chunks;
  // GC order: by each chunk's newest RowId. A chunk is as old as its newest row: ordered by
  // the oldest row instead, the chunk that compaction keeps growing with fresh rows would be
  // the first victim, and GC would drop an entity's newest data.
  std::set<std::pair<RowId, ChunkId>> temporal_order;
  std::unordered_map<ChunkId, int> static_refs;  // visible static cells per chunk
  store::internal::MergedIds merged;
  store::internal::MemoryAccount memory;
  uint64_t index_entries = 0;
  uint64_t next_event_id = 1;
  uint64_t generation = 0;
  mutable std::atomic<uint64_t> chunks_scanned{0};
  store::internal::EventQueue event_queue;

  uint64_t memory_bytes() const {
    return memory.buffer_bytes() + memory.chunk_overhead() +
           index_entries * store::internal::kBytesPerIndexEntry + merged.bytes();
  }

  ChunkStoreEvent make_event(ChunkStoreEventKind kind, ChunkPtr chunk) {
    ChunkStoreEvent e;
    e.event_id = next_event_id++;
    e.kind = kind;
    e.chunk = std::move(chunk);
    return e;
  }

  // ---- index.cpp
  // A chunk whose component types differ from what the store holds for its entity, or whose
  // timeline types differ from what the recording holds, is refused: readers would misread
  // the values (record_types records both).
  Status check_types(const Chunk& chunk) const;
  void record_types(store::internal::EntityIndex& entity, const Chunk& chunk);
  void add_temporal(const ChunkPtr& chunk);
  void remove_temporal(const ChunkPtr& chunk);
  // Stores the rows of a static chunk that become visible, drops the static chunks they
  // supersede entirely, and appends the events.
  void insert_static(ChunkPtr chunk, std::vector<ChunkStoreEvent>& events);

  // ---- compaction.cpp
  // Stores a temporal chunk: merged into its compaction target when small and one fits,
  // else as is. Appends the events.
  Status insert_temporal(const ChunkPtr& chunk, const ChunkStoreConfig& config,
                         std::vector<ChunkStoreEvent>& events);
  ChunkPtr compaction_target(const Chunk& chunk, const std::string& key,
                             const ChunkStoreConfig& config);

  // ---- gc.cpp
  GcReport collect_garbage(const GcOptions& options, std::vector<ChunkStoreEvent>& events);
};

}  // namespace reel
