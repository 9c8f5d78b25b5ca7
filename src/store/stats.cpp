// Statistics and introspection: memory accounting (each distinct buffer counted once), counts
// per entity and component, and snapshots of what the store holds.
#include "store/stats_internal.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>

#include "store/chunk_store_internal.hpp"

namespace reel {

namespace store::internal {

void MemoryAccount::add(const Chunk& chunk) { account(chunk, true); }
void MemoryAccount::remove(const Chunk& chunk) { account(chunk, false); }

void MemoryAccount::account(const Chunk& chunk, bool add) {
  std::vector<std::pair<const void*, size_t>> list;
  chunk.collect_buffers(list);
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end(),
                         [](const auto& a, const auto& b) { return a.first == b.first; }),
             list.end());
  for (const auto& [key, bytes] : list) {
    if (add) {
      auto [it, inserted] = buffers_.emplace(key, std::make_pair(uint64_t(bytes), uint64_t(0)));
      if (inserted) buffer_bytes_ += bytes;
      ++it->second.second;
    } else {
      auto it = buffers_.find(key);
      if (it == buffers_.end()) continue;
      if (--it->second.second == 0) {
        buffer_bytes_ -= it->second.first;
        buffers_.erase(it);
      }
    }
  }
  uint64_t overhead = chunk.overhead_bytes() + kBytesPerChunk;
  if (add) {
    chunk_overhead_ += overhead;
  } else {
    chunk_overhead_ -= std::min(chunk_overhead_, overhead);
  }
}

}  // namespace store::internal

std::vector<EntityPath> ChunkStore::entities() const {
  std::shared_lock lock(impl_->mutex);
  std::vector<EntityPath> out;
  for (const auto& [path, e] : impl_->entities) out.push_back(path);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Timeline> ChunkStore::timelines() const {
  std::shared_lock lock(impl_->mutex);
  std::set<Timeline> all;
  for (const auto& [path, e] : impl_->entities) {
    for (const auto& [name, tl] : e.timelines) all.insert(tl.timeline);
  }
  return {all.begin(), all.end()};
}

std::vector<std::pair<ComponentDescriptor, arrow::TypePtr>> ChunkStore::components(
    const EntityPath& entity) const {
  std::shared_lock lock(impl_->mutex);
  std::map<ComponentDescriptor, arrow::TypePtr> all;
  auto eit = impl_->entities.find(entity);
  if (eit == impl_->entities.end()) return {};
  for (const auto& [desc, cell] : eit->second.statics) {
    all.emplace(desc, cell.chunk->component(desc)->list.value_type());
  }
  for (const auto& [name, tl] : eit->second.timelines) {
    for (const auto& [desc, index] : tl.components) {
      if (!index.entries.empty()) all.emplace(desc, index.entries[0].list->value_type());
    }
  }
  return {all.begin(), all.end()};
}

TimeRange ChunkStore::time_range(const std::string& timeline) const {
  std::shared_lock lock(impl_->mutex);
  TimeRange r;
  for (const auto& [path, e] : impl_->entities) {
    auto tit = e.timelines.find(timeline);
    if (tit == e.timelines.end()) continue;
    for (const auto& [desc, index] : tit->second.components) {
      for (const auto& entry : index.entries) r.extend(entry.range);
    }
  }
  return r;
}

TimeRange ChunkStore::time_range(const std::string& timeline, const EntityPath& entity) const {
  std::shared_lock lock(impl_->mutex);
  TimeRange r;
  auto eit = impl_->entities.find(entity);
  if (eit == impl_->entities.end()) return r;
  auto tit = eit->second.timelines.find(timeline);
  if (tit == eit->second.timelines.end()) return r;
  for (const auto& [desc, index] : tit->second.components) {
    for (const auto& entry : index.entries) r.extend(entry.range);
  }
  return r;
}

std::vector<ChunkPtr> ChunkStore::chunks() const {
  std::shared_lock lock(impl_->mutex);
  std::vector<ChunkPtr> out;
  out.reserve(impl_->chunks.size());
  for (const auto& [id, c] : impl_->chunks) out.push_back(c);
  std::sort(out.begin(), out.end(), [](const ChunkPtr& a, const ChunkPtr& b) {
    return std::make_pair(a->row_ids().min(), a->id()) <
           std::make_pair(b->row_ids().min(), b->id());
  });
  return out;
}

ChunkPtr ChunkStore::chunk(const ChunkId& id) const {
  std::shared_lock lock(impl_->mutex);
  auto it = impl_->chunks.find(id);
  return it == impl_->chunks.end() ? nullptr : it->second;
}

size_t ChunkStore::num_chunks() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->chunks.size();
}

uint64_t ChunkStore::memory_bytes() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->memory_bytes();
}

uint64_t ChunkStore::chunks_scanned() const {
  return impl_->chunks_scanned.load(std::memory_order_relaxed);
}

uint64_t ChunkStore::generation() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->generation;
}

ChunkStoreStats ChunkStore::stats() const {
  std::shared_lock lock(impl_->mutex);
  ChunkStoreStats st;
  for (const auto& [id, c] : impl_->chunks) {
    ++st.num_chunks;
    st.num_rows += c->num_rows();
    if (c->is_static()) {
      ++st.num_static_chunks;
      st.num_static_rows += c->num_rows();
    }
  }
  st.buffer_bytes = impl_->memory.buffer_bytes();
  st.index_bytes =
      impl_->memory.chunk_overhead() + impl_->index_entries * store::internal::kBytesPerIndexEntry;
  return st;
}

std::vector<ComponentStats> ChunkStore::component_stats() const {
  std::shared_lock lock(impl_->mutex);
  std::map<std::pair<EntityPath, ComponentDescriptor>, ComponentStats> all;
  for (const auto& [id, c] : impl_->chunks) {
    for (const auto& comp : c->components()) {
      auto& st = all[{c->entity_path(), comp.descriptor}];
      st.entity = c->entity_path();
      st.component = comp.descriptor;
      st.type = comp.list.value_type();
      if (c->is_static()) st.has_static = true;
      int64_t rows = comp.list.length() - comp.list.null_count();
      if (rows == 0) continue;
      ++st.num_chunks;
      st.num_rows += rows;
      for (int64_t i = 0; i < comp.list.length(); ++i) {
        st.num_instances += comp.list.num_instances(i);
      }
    }
  }
  std::vector<ComponentStats> out;
  for (auto& [key, st] : all) out.push_back(std::move(st));
  return out;
}

}  // namespace reel
