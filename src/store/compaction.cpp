// Compaction on ingestion (DESIGN.md §4): a small incoming chunk is appended to the last chunk
// of the same entity and schema while the result stays within the configured limits; large
// chunks go in untouched.
#include "store/compaction_internal.hpp"

#include <algorithm>

#include "store/chunk_store_internal.hpp"

namespace reel {

namespace store::internal {

std::string schema_key(const Chunk& chunk) {
  std::string key;
  for (const auto& t : chunk.timelines()) {
    key += t.name();
    key += char('0' + int(t.timeline().type()));
    key += '\x1f';
  }
  key += '\x1e';
  std::vector<std::string> ids;
  for (const auto& c : chunk.components()) {
    ids.push_back(c.descriptor.identifier() + '\x1d' + c.descriptor.component_type());
  }
  std::sort(ids.begin(), ids.end());
  for (const auto& s : ids) {
    key += s;
    key += '\x1f';
  }
  return key;
}

bool is_large(const Chunk& chunk, const ChunkStoreConfig& config) {
  return uint64_t(chunk.num_rows()) * 2 > config.chunk_max_rows ||
         uint64_t(chunk.heap_size_bytes()) * 2 > config.chunk_max_bytes;
}

// Under a memory limit, merged chunks stay at most 1/64 of it: GC drops whole chunks, and
// chunks as big as an entity's share of the budget would make it drop whole entities.
uint64_t merge_max_bytes(const ChunkStoreConfig& config) {
  if (config.memory_limit == 0) return config.chunk_max_bytes;
  return std::min(config.chunk_max_bytes, std::max<uint64_t>(config.memory_limit / 64, 4096));
}

bool merge_fits(const Chunk& target, const Chunk& incoming, const ChunkStoreConfig& config) {
  bool time_sorted = true;
  for (size_t t = 0; t < incoming.timelines().size(); ++t) {
    const TimeColumn& a = target.timelines()[t];
    const TimeColumn& b = incoming.timelines()[t];
    time_sorted &= a.is_sorted() && b.is_sorted() && a.range().max <= b.range().min;
  }
  uint64_t rows = uint64_t(target.num_rows() + incoming.num_rows());
  uint64_t limit = time_sorted ? config.chunk_max_rows : config.chunk_max_rows_if_unsorted;
  if (rows > limit) return false;
  return target.heap_size_bytes() + incoming.heap_size_bytes() <= merge_max_bytes(config);
}

void MergedIds::absorb(const ChunkId& merged, const ChunkId& target, const ChunkId& incoming) {
  std::vector<ChunkId> ids;
  if (auto it = sources_.find(target); it != sources_.end()) {
    ids = std::move(it->second);
    sources_.erase(it);
  } else {
    ids.push_back(target);
    absorbed_.insert(target);
  }
  ids.push_back(incoming);
  absorbed_.insert(incoming);
  sources_[merged] = std::move(ids);
}

void MergedIds::forget(const ChunkId& id) {
  auto it = sources_.find(id);
  if (it == sources_.end()) return;
  for (const auto& s : it->second) absorbed_.erase(s);
  sources_.erase(it);
}

}  // namespace store::internal

ChunkPtr ChunkStore::Impl::compaction_target(const Chunk& chunk, const std::string& key,
                                             const ChunkStoreConfig& config) {
  auto eit = entities.find(chunk.entity_path());
  if (eit == entities.end()) return nullptr;
  auto it = eit->second.open_chunks.find(key);
  if (it == eit->second.open_chunks.end()) return nullptr;
  auto cit = chunks.find(it->second);
  if (cit == chunks.end()) return nullptr;
  const ChunkPtr& target = cit->second;
  if (!target->same_schema(chunk)) return nullptr;
  if (!store::internal::merge_fits(*target, chunk, config)) return nullptr;
  return target;
}

Status ChunkStore::Impl::insert_temporal(const ChunkPtr& chunk, const ChunkStoreConfig& config,
                                         std::vector<ChunkStoreEvent>& events) {
  ChunkPtr target;
  std::string key;
  const bool small = config.enable_compaction && !store::internal::is_large(*chunk, config);
  if (small) {
    key = store::internal::schema_key(*chunk);
    target = compaction_target(*chunk, key, config);
  }
  if (target) {
    std::vector<ChunkPtr> parts = {target, chunk};
    REEL_ASSIGN_OR_RETURN(ChunkPtr merged_chunk, Chunk::concatenate(parts));
    remove_temporal(target);
    events.push_back(make_event(ChunkStoreEventKind::kDeletion, target));
    add_temporal(merged_chunk);
    merged.absorb(merged_chunk->id(), target->id(), chunk->id());
    auto added = make_event(ChunkStoreEventKind::kAddition, merged_chunk);
    added.compacted_from = {target->id(), chunk->id()};
    added.appended = ChunkStoreEvent::Append{target->id(), chunk->id(), target->num_rows()};
    events.push_back(std::move(added));
    entities[merged_chunk->entity_path()].open_chunks[key] = merged_chunk->id();
  } else {
    add_temporal(chunk);
    events.push_back(make_event(ChunkStoreEventKind::kAddition, chunk));
    if (small) entities[chunk->entity_path()].open_chunks[key] = chunk->id();
  }
  return Status::OK();
}

}  // namespace reel
