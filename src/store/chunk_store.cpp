// ChunkStore: the public class. insert() takes the write lock, hands the chunk to the static
// index (index.cpp) or to compaction (compaction.cpp), collects garbage under a memory limit
// (gc.cpp), then delivers the events without the lock (event_queue.cpp).
#include "reel/store/chunk_store.hpp"

#include <mutex>
#include <shared_mutex>

#include "store/chunk_store_internal.hpp"

namespace reel {

ChunkStore::ChunkStore(ChunkStoreConfig config)
    : impl_(std::make_unique<Impl>()), config_(config) {}

ChunkStore::~ChunkStore() = default;

StoreInfo ChunkStore::info() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->info;
}

void ChunkStore::set_info(StoreInfo info) {
  std::unique_lock lock(impl_->mutex);
  impl_->info = std::move(info);
}

Result<std::vector<ChunkStoreEvent>> ChunkStore::insert(ChunkPtr chunk) {
  std::vector<ChunkStoreEvent> events;
  if (!chunk) return Status::Invalid("insert of a null chunk");
  if (chunk->empty()) return events;
  std::unique_lock lock(impl_->mutex);
  Impl& s = *impl_;
  if (s.chunks.count(chunk->id()) || s.merged.contains(chunk->id())) return events;  // present
  REEL_RETURN_NOT_OK(s.check_types(*chunk));
  if (chunk->is_static()) {
    s.insert_static(chunk, events);
  } else {
    REEL_RETURN_NOT_OK(s.insert_temporal(chunk, config_, events));
  }
  if (events.empty()) return events;
  if (config_.memory_limit && s.memory_bytes() > config_.memory_limit) {
    s.collect_garbage({uint64_t(double(config_.memory_limit) * config_.gc_target_fraction),
                       config_.gc_protect_latest},
                      events);
  }
  ++s.generation;
  const uint64_t seq = s.event_queue.enqueue(events);
  lock.unlock();
  s.event_queue.deliver(seq);
  return events;
}

}  // namespace reel
