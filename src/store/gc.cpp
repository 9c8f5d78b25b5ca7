// Garbage collection (DESIGN.md §4): temporal chunks go oldest first, by each chunk's newest
// RowId, until the store is within the target; static data stays, and so do the
// `protect_latest` newest chunks of every entity/timeline/component.
#include <algorithm>
#include <mutex>
#include <unordered_set>

#include "store/chunk_store_internal.hpp"

namespace reel {

namespace {

using store::internal::EntityIndex;
using store::internal::IndexEntry;

// The `n` chunks with the latest data of each entity/timeline/component.
std::unordered_set<ChunkId> latest_chunks(
    const std::unordered_map<EntityPath, EntityIndex>& entities, size_t n_latest) {
  std::unordered_set<ChunkId> protect;
  for (const auto& [path, entity] : entities) {
    for (const auto& [name, tl] : entity.timelines) {
      for (const auto& [desc, index] : tl.components) {
        std::vector<const IndexEntry*> by_max;
        for (const auto& e : index.entries) by_max.push_back(&e);
        size_t n = std::min(n_latest, by_max.size());
        std::partial_sort(
            by_max.begin(), by_max.begin() + long(n), by_max.end(),
            [](const IndexEntry* a, const IndexEntry* b) { return a->range.max > b->range.max; });
        for (size_t k = 0; k < n; ++k) protect.insert(by_max[k]->chunk->id());
      }
    }
  }
  return protect;
}

}  // namespace

GcReport ChunkStore::gc(const GcOptions& options) {
  std::vector<ChunkStoreEvent> events;
  std::unique_lock lock(impl_->mutex);
  Impl& s = *impl_;
  GcReport report = s.collect_garbage(options, events);
  if (!events.empty()) ++s.generation;
  const uint64_t seq = s.event_queue.enqueue(events);
  lock.unlock();
  s.event_queue.deliver(seq);
  return report;
}

GcReport ChunkStore::Impl::collect_garbage(const GcOptions& options,
                                           std::vector<ChunkStoreEvent>& events) {
  GcReport report;
  report.bytes_before = memory_bytes();
  if (report.bytes_before > options.target_bytes) {
    std::unordered_set<ChunkId> protect;
    if (options.protect_latest > 0) protect = latest_chunks(entities, options.protect_latest);
    auto it = temporal_order.begin();
    while (it != temporal_order.end() && memory_bytes() > options.target_bytes) {
      if (protect.count(it->second)) {
        ++it;
        continue;
      }
      ChunkPtr victim = chunks.at(it->second);
      ++it;  // set iterators to other elements survive the erase below
      remove_temporal(victim);
      merged.forget(victim->id());
      events.push_back(make_event(ChunkStoreEventKind::kDeletion, victim));
      report.rows_removed += victim->num_rows();
      ++report.chunks_removed;
    }
  }
  report.bytes_after = memory_bytes();
  return report;
}

}  // namespace reel
