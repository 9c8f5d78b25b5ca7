// The store's index and the lookups over it: entity -> timeline -> component -> chunks
// ordered by time range, the static cells, and latest-at / range queries
// (DESIGN.md §4; semantics in reel/store/chunk_store.hpp).
#include "store/index_internal.hpp"

#include <algorithm>
#include <mutex>
#include <shared_mutex>

#include "store/chunk_store_internal.hpp"

namespace reel {

using store::internal::Candidate;
using store::internal::ComponentIndex;
using store::internal::EntityIndex;
using store::internal::IndexEntry;
using store::internal::StaticCell;

// ---------------------------------------------------------------------------------------
// Component index: one (entity, timeline, component)'s chunks ordered by range.min

namespace store::internal {
namespace {

// The latest row with time <= at and a non-null cell, within one chunk. Returns true if it
// beat `best` (which is then updated).
bool latest_in_chunk(const IndexEntry& e, TimeInt at, Candidate* best) {
  bool improved = false;
  const TimeColumn& times = *e.times;
  const ListColumn& list = *e.list;
  const RowIdColumn& ids = e.chunk->row_ids();
  const int64_t n = times.length();
  if (times.is_sorted()) {
    int64_t hi = times.upper_bound(at);
    const bool ids_sorted = ids.is_sorted();
    for (int64_t i = hi - 1; i >= 0; --i) {
      TimeInt t = times.time_at(i);
      if (best->found && t < best->time) break;
      if (!list.is_valid(i)) continue;
      RowId r = ids[i];
      if (best->beats(t, r)) {
        *best = {true, t, r, i};
        improved = true;
      }
      // Earlier rows at the same time have smaller RowIds when the ids are sorted.
      if (ids_sorted) break;
    }
    return improved;
  }
  for (int64_t i = 0; i < n; ++i) {
    TimeInt t = times[i];
    if (t > at || !list.is_valid(i)) continue;
    RowId r = ids[i];
    if (best->beats(t, r)) {
      *best = {true, t, r, i};
      improved = true;
    }
  }
  return improved;
}

}  // namespace

void ComponentIndex::recompute_prefix(size_t from) {
  prefix_max.resize(entries.size());
  for (size_t k = from; k < entries.size(); ++k) {
    TimeInt prev = k ? prefix_max[k - 1] : kTimeMin;
    prefix_max[k] = std::max(prev, entries[k].range.max);
  }
}

void ComponentIndex::insert(IndexEntry e) {
  auto it = std::upper_bound(entries.begin(), entries.end(), e.range.min,
                             [](TimeInt t, const IndexEntry& x) { return t < x.range.min; });
  size_t pos = size_t(it - entries.begin());
  entries.insert(it, std::move(e));
  recompute_prefix(pos);
}

void ComponentIndex::erase(const ChunkId& id, TimeInt min) {
  auto it = std::lower_bound(entries.begin(), entries.end(), min,
                             [](const IndexEntry& x, TimeInt t) { return x.range.min < t; });
  for (; it != entries.end() && it->range.min == min; ++it) {
    if (it->chunk->id() == id) {
      size_t pos = size_t(it - entries.begin());
      entries.erase(it);
      recompute_prefix(pos);
      return;
    }
  }
}

std::pair<Candidate, const IndexEntry*> ComponentIndex::latest_at(
    TimeInt at, std::atomic<uint64_t>* scanned) const {
  Candidate best;
  const IndexEntry* where = nullptr;
  auto it = std::upper_bound(entries.begin(), entries.end(), at,
                             [](TimeInt t, const IndexEntry& x) { return t < x.range.min; });
  uint64_t visited = 0;
  for (size_t k = size_t(it - entries.begin()); k-- > 0;) {
    // No chunk at or before k reaches best.time: none can beat it.
    if (best.found && prefix_max[k] < best.time) break;
    const IndexEntry& e = entries[k];
    if (best.found && e.range.max < best.time) continue;
    ++visited;
    if (latest_in_chunk(e, at, &best)) where = &e;
  }
  // One atomic add per query, not per chunk (a locked instruction on a shared counter).
  if (visited) scanned->fetch_add(visited, std::memory_order_relaxed);
  return {best, where};
}

}  // namespace store::internal

// ---------------------------------------------------------------------------------------
// Index maintenance (write lock held)

std::string timeline_type_conflict(std::string_view chunk_id, const EntityPath& entity,
                                   std::string_view timeline, TimeType logged, TimeType held) {
  return "chunk " + std::string(chunk_id) + " of entity " + entity.str() + ", timeline " +
         std::string(timeline) + ": " + time_type_name(logged) +
         " time where the recording holds " + time_type_name(held) +
         " time (a timeline has one type per recording)";
}

std::string component_type_conflict(const EntityPath& entity, std::string_view component,
                                    std::string_view logged_type, std::string_view held_type) {
  return "entity " + entity.str() + ", component " + std::string(component) + ": values of type " +
         std::string(logged_type) + " where the store holds " + std::string(held_type) +
         "; log a component with one type (or under another field name)";
}

Status ChunkStore::Impl::check_types(const Chunk& chunk) const {
  for (const auto& tc : chunk.timelines()) {
    auto it = timeline_types.find(tc.name());
    if (it != timeline_types.end() && it->second != tc.timeline().type()) {
      return Status::TypeError(timeline_type_conflict(chunk.id().to_string(), chunk.entity_path(),
                                                      tc.name(), tc.timeline().type(), it->second));
    }
  }
  auto eit = entities.find(chunk.entity_path());
  if (eit == entities.end()) return Status::OK();
  const EntityIndex& entity = eit->second;
  for (const auto& comp : chunk.components()) {
    auto it = entity.types.find(comp.descriptor);
    if (it != entity.types.end() && !arrow::type_equals(it->second, comp.list.value_type())) {
      return Status::TypeError(
          component_type_conflict(chunk.entity_path(), comp.descriptor.identifier(),
                                  comp.list.value_type()->to_string(), it->second->to_string()));
    }
  }
  return Status::OK();
}

void ChunkStore::Impl::record_types(EntityIndex& entity, const Chunk& chunk) {
  for (const auto& comp : chunk.components()) {
    entity.types.try_emplace(comp.descriptor, comp.list.value_type());
  }
  for (const auto& tc : chunk.timelines()) {
    if (timeline_types.find(tc.name()) == timeline_types.end()) {
      timeline_types.emplace(tc.name(), tc.timeline().type());
    }
  }
}

void ChunkStore::Impl::add_temporal(const ChunkPtr& chunk) {
  chunks.emplace(chunk->id(), chunk);
  temporal_order.emplace(chunk->row_ids().max(), chunk->id());
  memory.add(*chunk);
  EntityIndex& entity = entities[chunk->entity_path()];
  record_types(entity, *chunk);
  for (const auto& tc : chunk->timelines()) {
    auto [it, inserted] = entity.timelines.try_emplace(tc.name());
    if (inserted) it->second.timeline = tc.timeline();
    for (const auto& comp : chunk->components()) {
      TimeRange r = chunk->component_time_range(tc.name(), comp.descriptor);
      if (r.empty()) continue;
      it->second.components[comp.descriptor].insert({r, chunk, &tc, &comp.list});
      ++index_entries;
    }
  }
}

void ChunkStore::Impl::remove_temporal(const ChunkPtr& chunk) {
  chunks.erase(chunk->id());
  temporal_order.erase({chunk->row_ids().max(), chunk->id()});
  memory.remove(*chunk);
  auto eit = entities.find(chunk->entity_path());
  if (eit == entities.end()) return;
  EntityIndex& entity = eit->second;
  for (const auto& tc : chunk->timelines()) {
    auto it = entity.timelines.find(tc.name());
    if (it == entity.timelines.end()) continue;
    for (const auto& comp : chunk->components()) {
      TimeRange r = chunk->component_time_range(tc.name(), comp.descriptor);
      if (r.empty()) continue;
      auto cit = it->second.components.find(comp.descriptor);
      if (cit == it->second.components.end()) continue;
      cit->second.erase(chunk->id(), r.min);
      --index_entries;
      if (cit->second.entries.empty()) it->second.components.erase(cit);
    }
    if (it->second.components.empty()) entity.timelines.erase(it);
  }
  for (auto oit = entity.open_chunks.begin(); oit != entity.open_chunks.end();) {
    oit = oit->second == chunk->id() ? entity.open_chunks.erase(oit) : std::next(oit);
  }
  if (entity.timelines.empty() && entity.statics.empty()) entities.erase(eit);
}

void ChunkStore::Impl::insert_static(ChunkPtr chunk, std::vector<ChunkStoreEvent>& events) {
  EntityIndex& entity = entities[chunk->entity_path()];
  // Per component: the row with the greatest RowId, if it beats what is visible now.
  struct Win {
    ComponentDescriptor component;
    int64_t row;
    RowId row_id;
  };
  std::vector<Win> wins;
  for (const auto& comp : chunk->components()) {
    Candidate best;
    for (int64_t i = 0; i < chunk->num_rows(); ++i) {
      if (!comp.list.is_valid(i)) continue;
      RowId r = chunk->row_id(i);
      if (!best.found || r > best.row_id) best = {true, kTimeMin, r, i};
    }
    if (!best.found) continue;
    auto it = entity.statics.find(comp.descriptor);
    if (it != entity.statics.end() && it->second.row_id >= best.row_id) continue;
    wins.push_back({comp.descriptor, best.row, best.row_id});
  }
  if (wins.empty()) {
    if (entity.timelines.empty() && entity.statics.empty()) entities.erase(chunk->entity_path());
    return;  // nothing in it is visible: not stored
  }
  // Keep only the rows that hold a visible cell: superseded static rows are dropped
  // physically, also within one chunk.
  std::vector<int64_t> rows;
  for (const auto& w : wins) rows.push_back(w.row);
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  if (int64_t(rows.size()) < chunk->num_rows()) {
    auto taken = chunk->take(rows);
    if (taken.ok()) {
      chunk = *taken;
      for (auto& w : wins) {
        w.row = std::lower_bound(rows.begin(), rows.end(), w.row) - rows.begin();
      }
    }
  }
  std::vector<ChunkPtr> superseded;
  for (const auto& w : wins) {
    auto it = entity.statics.find(w.component);
    if (it != entity.statics.end()) {
      if (--static_refs[it->second.chunk->id()] == 0) superseded.push_back(it->second.chunk);
      it->second = {chunk, w.row, w.row_id};
    } else {
      entity.statics.emplace(w.component, StaticCell{chunk, w.row, w.row_id});
    }
  }
  record_types(entity, *chunk);
  static_refs[chunk->id()] = int(wins.size());
  chunks.emplace(chunk->id(), chunk);
  memory.add(*chunk);
  events.push_back(make_event(ChunkStoreEventKind::kAddition, chunk));
  for (const auto& old : superseded) {
    static_refs.erase(old->id());
    chunks.erase(old->id());
    memory.remove(*old);
    events.push_back(make_event(ChunkStoreEventKind::kDeletion, old));
  }
}

// ---------------------------------------------------------------------------------------
// Lookups (read lock held)

arrow::ArrayPtr LatestAtResult::instances(const ComponentDescriptor& component) const {
  const ComponentColumn* c = chunk ? chunk->component(component) : nullptr;
  if (!c) return nullptr;
  return c->list.row_values(row);
}

int64_t RangeResult::num_rows() const {
  int64_t n = 0;
  for (const auto& c : chunks) n += c->num_rows();
  return n;
}

std::optional<LatestAtResult> ChunkStore::latest_static(
    const EntityPath& entity, const ComponentDescriptor& component) const {
  std::shared_lock lock(impl_->mutex);
  auto eit = impl_->entities.find(entity);
  if (eit == impl_->entities.end()) return std::nullopt;
  auto sit = eit->second.statics.find(component);
  if (sit == eit->second.statics.end()) return std::nullopt;
  return LatestAtResult{sit->second.chunk, sit->second.row, sit->second.row_id, kTimeMin, true};
}

std::optional<LatestAtResult> ChunkStore::latest_at(const LatestAtQuery& query,
                                                    const EntityPath& entity,
                                                    const ComponentDescriptor& component) const {
  std::shared_lock lock(impl_->mutex);
  auto eit = impl_->entities.find(entity);
  if (eit == impl_->entities.end()) return std::nullopt;
  const EntityIndex& e = eit->second;
  if (!e.statics.empty()) {
    auto sit = e.statics.find(component);
    if (sit != e.statics.end()) {
      return LatestAtResult{sit->second.chunk, sit->second.row, sit->second.row_id, kTimeMin, true};
    }
  }
  auto tit = e.timelines.find(query.timeline);
  if (tit == e.timelines.end()) return std::nullopt;
  auto cit = tit->second.components.find(component);
  if (cit == tit->second.components.end()) return std::nullopt;
  auto [best, entry] = cit->second.latest_at(query.at, &impl_->chunks_scanned);
  if (!best.found) return std::nullopt;
  return LatestAtResult{entry->chunk, best.row, best.row_id, best.time, false};
}

namespace {

// First (time, RowId) and last of a chunk sorted on `timeline`.
std::pair<TimeInt, RowId> first_key(const Chunk& c, const TimeColumn& t) {
  return {t[0], c.row_id(0)};
}
std::pair<TimeInt, RowId> last_key(const Chunk& c, const TimeColumn& t) {
  return {t[t.length() - 1], c.row_id(c.num_rows() - 1)};
}

}  // namespace

RangeResult ChunkStore::range(const RangeQuery& query, const EntityPath& entity,
                              const ComponentDescriptor& component) const {
  RangeResult result;
  if (auto s = latest_static(entity, component)) {
    result.is_static = true;
    result.chunks.push_back(s->as_slice());
    return result;
  }
  std::vector<ChunkPtr> candidates = range_relevant_chunks(query, entity, component);
  const TimeInt t0 = query.range.min, t1 = query.range.max;
  struct Piece {
    ChunkPtr chunk;
    const TimeColumn* times;
  };
  std::vector<Piece> pieces;
  for (const auto& candidate : candidates) {
    auto sorted = candidate->sorted_by_timeline(query.timeline);
    if (!sorted.ok()) continue;
    ChunkPtr chunk = *sorted;
    const TimeColumn* times = chunk->timeline(query.timeline);
    int64_t lo = times->lower_bound(t0);
    int64_t hi = times->upper_bound(t1);
    if (hi <= lo) continue;
    ChunkPtr piece = chunk->slice(lo, hi - lo)->densified(component);
    if (piece->empty()) continue;
    pieces.push_back({piece, piece->timeline(query.timeline)});
  }
  std::sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) {
    return first_key(*a.chunk, *a.times) < first_key(*b.chunk, *b.times);
  });
  // Merge runs of pieces that overlap in (time, RowId) into one sorted chunk.
  std::vector<ComponentDescriptor> keep = {component};
  for (size_t i = 0; i < pieces.size();) {
    size_t j = i + 1;
    auto run_last = last_key(*pieces[i].chunk, *pieces[i].times);
    while (j < pieces.size() && first_key(*pieces[j].chunk, *pieces[j].times) < run_last) {
      run_last = std::max(run_last, last_key(*pieces[j].chunk, *pieces[j].times));
      ++j;
    }
    if (j == i + 1) {
      result.chunks.push_back(pieces[i].chunk);
    } else {
      // Project to the queried timeline and component so that chunks with different
      // timeline sets can be concatenated.
      std::vector<ChunkPtr> run;
      for (size_t k = i; k < j; ++k) {
        ChunkPtr p = pieces[k].chunk->with_components(keep);
        for (const auto& t : pieces[k].chunk->timelines()) {
          if (t.name() != query.timeline) p = p->without_timeline(t.name());
        }
        run.push_back(p);
      }
      auto merged = Chunk::concatenate(run);
      if (merged.ok()) {
        auto sorted = (*merged)->sorted_by_timeline(query.timeline);
        result.chunks.push_back(sorted.ok() ? *sorted : *merged);
      } else {
        for (size_t k = i; k < j; ++k) result.chunks.push_back(pieces[k].chunk);
      }
    }
    i = j;
  }
  return result;
}

std::vector<ChunkPtr> ChunkStore::range_relevant_chunks(
    const RangeQuery& query, const EntityPath& entity, const ComponentDescriptor& component) const {
  std::vector<ChunkPtr> out;
  std::shared_lock lock(impl_->mutex);
  auto eit = impl_->entities.find(entity);
  if (eit == impl_->entities.end()) return out;
  auto tit = eit->second.timelines.find(query.timeline);
  if (tit == eit->second.timelines.end()) return out;
  auto cit = tit->second.components.find(component);
  if (cit == tit->second.components.end()) return out;
  const ComponentIndex& index = cit->second;
  auto end = std::upper_bound(index.entries.begin(), index.entries.end(), query.range.max,
                              [](TimeInt t, const IndexEntry& x) { return t < x.range.min; });
  for (auto it = index.entries.begin(); it != end; ++it) {
    if (it->range.max >= query.range.min) out.push_back(it->chunk);
  }
  impl_->chunks_scanned.fetch_add(out.size(), std::memory_order_relaxed);
  return out;
}

}  // namespace reel
