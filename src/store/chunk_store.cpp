#include "reel/store/chunk_store.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <shared_mutex>

#include "common/shared_mutex.hpp"
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace reel {

// ---------------------------------------------------------------------------------------
// Configuration

namespace {

void read_env(const char* name, uint64_t* value) {
  const char* text = std::getenv(name);
  if (!text || !*text) return;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-') {
    std::fprintf(stderr, "reel: ignoring %s='%s': expected a non-negative integer\n", name, text);
    return;
  }
  *value = v;
}

}  // namespace

ChunkStoreConfig ChunkStoreConfig::from_env() {
  ChunkStoreConfig c;
  read_env("REEL_CHUNK_MAX_BYTES", &c.chunk_max_bytes);
  read_env("REEL_CHUNK_MAX_ROWS", &c.chunk_max_rows);
  read_env("REEL_CHUNK_MAX_ROWS_IF_UNSORTED", &c.chunk_max_rows_if_unsorted);
  return c;
}

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

// ---------------------------------------------------------------------------------------
// Index structures

namespace {

// One chunk's data for one (timeline, component): the time range where the component is
// non-null, and cached column pointers (valid while `chunk` lives).
struct IndexEntry {
  TimeRange range;
  ChunkPtr chunk;
  const TimeColumn* times;
  const ListColumn* list;
};

struct Candidate {
  bool found = false;
  TimeInt time = kTimeMin;
  RowId row_id;
  int64_t row = 0;
  bool beats(TimeInt t, const RowId& r) const {
    return !found || t > time || (t == time && r > row_id);
  }
};

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

struct ComponentIndex {
  std::vector<IndexEntry> entries;  // ordered by range.min
  std::vector<TimeInt> prefix_max;  // prefix_max[k] = max(entries[0..k].range.max)

  void recompute_prefix(size_t from) {
    prefix_max.resize(entries.size());
    for (size_t k = from; k < entries.size(); ++k) {
      TimeInt prev = k ? prefix_max[k - 1] : kTimeMin;
      prefix_max[k] = std::max(prev, entries[k].range.max);
    }
  }

  void insert(IndexEntry e) {
    auto it = std::upper_bound(entries.begin(), entries.end(), e.range.min,
                               [](TimeInt t, const IndexEntry& x) { return t < x.range.min; });
    size_t pos = size_t(it - entries.begin());
    entries.insert(it, std::move(e));
    recompute_prefix(pos);
  }

  void erase(const ChunkId& id, TimeInt min) {
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

  // The latest non-null row at or before `at`, and the entry (chunk) holding it.
  std::pair<Candidate, const IndexEntry*> latest_at(TimeInt at,
                                                   std::atomic<uint64_t>* scanned) const {
    Candidate best;
    const IndexEntry* where = nullptr;
    auto it = std::upper_bound(entries.begin(), entries.end(), at,
                               [](TimeInt t, const IndexEntry& x) { return t < x.range.min; });
    for (size_t k = size_t(it - entries.begin()); k-- > 0;) {
      // No chunk at or before k reaches best.time: none can beat it.
      if (best.found && prefix_max[k] < best.time) break;
      const IndexEntry& e = entries[k];
      if (best.found && e.range.max < best.time) continue;
      scanned->fetch_add(1, std::memory_order_relaxed);
      if (latest_in_chunk(e, at, &best)) where = &e;
    }
    return {best, where};
  }
};

struct TimelineIndex {
  Timeline timeline;
  std::unordered_map<ComponentDescriptor, ComponentIndex> components;
};

struct StaticCell {
  ChunkPtr chunk;
  int64_t row = 0;
  RowId row_id;
};

struct EntityIndex {
  std::map<std::string, TimelineIndex, std::less<>> timelines;
  std::unordered_map<ComponentDescriptor, StaticCell> statics;
  // Compaction targets: the last chunk of each schema.
  std::unordered_map<std::string, ChunkId> open_chunks;
  // The element type of every component ever stored: one type per entity + component for
  // the store's lifetime, so queries and dataframes can trust it.
  std::unordered_map<ComponentDescriptor, arrow::TypePtr> types;
};

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

// Rough bytes per index structure, so memory reports include the store's own bookkeeping.
constexpr uint64_t kBytesPerIndexEntry = sizeof(IndexEntry) + sizeof(TimeInt) + 16;
constexpr uint64_t kBytesPerChunk = 160;
constexpr uint64_t kBytesPerAbsorbedId = 48;

}  // namespace

struct ChunkStore::Impl {
  mutable internal::SharedMutex mutex;
  StoreInfo info;
  std::unordered_map<EntityPath, EntityIndex> entities;
  std::unordered_map<ChunkId, ChunkPtr> chunks;
  // GC order: by each chunk's newest RowId. A chunk is as old as its newest row: ordered by
  // the oldest row instead, the chunk that compaction keeps growing with fresh rows would be
  // the first victim, and GC would drop an entity's newest data.
  std::set<std::pair<RowId, ChunkId>> temporal_order;
  std::unordered_map<ChunkId, int> static_refs;        // visible static cells per chunk
  // Ids of chunks merged away by compaction, and per stored chunk the ids merged into it: a
  // chunk inserted again after compaction is still recognized as present.
  std::unordered_set<ChunkId> absorbed;
  std::unordered_map<ChunkId, std::vector<ChunkId>> sources;
  std::unordered_map<const void*, std::pair<uint64_t, uint64_t>> buffers;  // bytes, refs
  uint64_t buffer_bytes = 0;
  uint64_t index_entries = 0;
  uint64_t chunk_overhead = 0;
  uint64_t next_event_id = 1;
  uint64_t generation = 0;
  mutable std::atomic<uint64_t> chunks_scanned{0};

  // Events wait in `event_queue` (appended under the write lock, so in modification order)
  // and are delivered by one thread at a time, with no store lock held.
  std::mutex queue_mutex;
  std::condition_variable queue_drained;
  std::deque<std::pair<uint64_t, std::vector<ChunkStoreEvent>>> event_queue;
  uint64_t events_enqueued = 0;   // batches
  uint64_t events_delivered = 0;  // batches
  bool draining = false;
  std::mutex subscribers_mutex;
  std::map<uint64_t, Subscriber> subscribers;
  uint64_t next_subscriber = 1;

  uint64_t memory_bytes() const {
    return buffer_bytes + chunk_overhead + index_entries * kBytesPerIndexEntry +
           absorbed.size() * kBytesPerAbsorbedId;
  }

  void account(const Chunk& chunk, bool add) {
    std::vector<std::pair<const void*, size_t>> list;
    chunk.collect_buffers(list);
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first; }),
               list.end());
    for (const auto& [key, bytes] : list) {
      if (add) {
        auto [it, inserted] = buffers.emplace(key, std::make_pair(uint64_t(bytes), uint64_t(0)));
        if (inserted) buffer_bytes += bytes;
        ++it->second.second;
      } else {
        auto it = buffers.find(key);
        if (it == buffers.end()) continue;
        if (--it->second.second == 0) {
          buffer_bytes -= it->second.first;
          buffers.erase(it);
        }
      }
    }
    uint64_t overhead = chunk.overhead_bytes() + kBytesPerChunk;
    if (add) {
      chunk_overhead += overhead;
    } else {
      chunk_overhead -= std::min(chunk_overhead, overhead);
    }
  }

  ChunkStoreEvent make_event(ChunkStoreEventKind kind, ChunkPtr chunk) {
    ChunkStoreEvent e;
    e.event_id = next_event_id++;
    e.kind = kind;
    e.chunk = std::move(chunk);
    return e;
  }

  // A chunk whose component types or timeline types differ from what the store holds for its
  // entity is refused: readers would misread the values.
  Status check_types(const Chunk& chunk) const {
    auto eit = entities.find(chunk.entity_path());
    if (eit == entities.end()) return Status::OK();
    const EntityIndex& entity = eit->second;
    for (const auto& comp : chunk.components()) {
      auto it = entity.types.find(comp.descriptor);
      if (it != entity.types.end() && !arrow::type_equals(it->second, comp.list.value_type())) {
        return Status::TypeError(
            "entity " + chunk.entity_path().str() + ", component " +
            comp.descriptor.identifier() + ": values of type " + comp.list.value_type()->to_string() +
            " where the store holds " + it->second->to_string() +
            "; log a component with one type (or under another field name)");
      }
    }
    for (const auto& tc : chunk.timelines()) {
      auto it = entity.timelines.find(tc.name());
      if (it != entity.timelines.end() && it->second.timeline.type() != tc.timeline().type()) {
        return Status::TypeError("entity " + chunk.entity_path().str() + ", timeline " +
                                 tc.name() + ": " + time_type_name(tc.timeline().type()) +
                                 " time where the store holds " +
                                 time_type_name(it->second.timeline.type()) + " time");
      }
    }
    return Status::OK();
  }

  void record_types(EntityIndex& entity, const Chunk& chunk) {
    for (const auto& comp : chunk.components()) entity.types.try_emplace(comp.descriptor, comp.list.value_type());
  }

  void absorb(const ChunkId& merged, const ChunkId& target, const ChunkId& incoming) {
    // Only ids that came from outside are remembered: a merge product's id was never seen by
    // a writer, so nobody inserts it again.
    std::vector<ChunkId> ids;
    if (auto it = sources.find(target); it != sources.end()) {
      ids = std::move(it->second);
      sources.erase(it);
    } else {
      ids.push_back(target);
      absorbed.insert(target);
    }
    ids.push_back(incoming);
    absorbed.insert(incoming);
    sources[merged] = std::move(ids);
  }

  void forget_sources(const ChunkId& id) {
    auto it = sources.find(id);
    if (it == sources.end()) return;
    for (const auto& s : it->second) absorbed.erase(s);
    sources.erase(it);
  }

  void add_temporal(const ChunkPtr& chunk) {
    chunks.emplace(chunk->id(), chunk);
    temporal_order.emplace(chunk->row_ids().max(), chunk->id());
    account(*chunk, true);
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

  void remove_temporal(const ChunkPtr& chunk) {
    chunks.erase(chunk->id());
    temporal_order.erase({chunk->row_ids().max(), chunk->id()});
    account(*chunk, false);
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

  void insert_static(ChunkPtr chunk, std::vector<ChunkStoreEvent>& events) {
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
        for (auto& w : wins) w.row = std::lower_bound(rows.begin(), rows.end(), w.row) - rows.begin();
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
    account(*chunk, true);
    events.push_back(make_event(ChunkStoreEventKind::kAddition, chunk));
    for (const auto& old : superseded) {
      static_refs.erase(old->id());
      chunks.erase(old->id());
      account(*old, false);
      events.push_back(make_event(ChunkStoreEventKind::kDeletion, old));
    }
  }

  // Under a memory limit, merged chunks stay at most 1/64 of it: GC drops whole chunks, and
  // chunks as big as an entity's share of the budget would make it drop whole entities.
  static uint64_t merge_max_bytes(const ChunkStoreConfig& config) {
    if (config.memory_limit == 0) return config.chunk_max_bytes;
    return std::min(config.chunk_max_bytes, std::max<uint64_t>(config.memory_limit / 64, 4096));
  }

  bool is_large(const Chunk& chunk, const ChunkStoreConfig& config) const {
    return uint64_t(chunk.num_rows()) * 2 > config.chunk_max_rows ||
           uint64_t(chunk.heap_size_bytes()) * 2 > config.chunk_max_bytes;
  }

  ChunkPtr compaction_target(const Chunk& chunk, const std::string& key,
                             const ChunkStoreConfig& config) {
    auto eit = entities.find(chunk.entity_path());
    if (eit == entities.end()) return nullptr;
    auto it = eit->second.open_chunks.find(key);
    if (it == eit->second.open_chunks.end()) return nullptr;
    auto cit = chunks.find(it->second);
    if (cit == chunks.end()) return nullptr;
    const ChunkPtr& target = cit->second;
    if (!target->same_schema(chunk)) return nullptr;
    bool time_sorted = true;
    for (size_t t = 0; t < chunk.timelines().size(); ++t) {
      const TimeColumn& a = target->timelines()[t];
      const TimeColumn& b = chunk.timelines()[t];
      time_sorted &= a.is_sorted() && b.is_sorted() && a.range().max <= b.range().min;
    }
    uint64_t rows = uint64_t(target->num_rows() + chunk.num_rows());
    uint64_t limit = time_sorted ? config.chunk_max_rows : config.chunk_max_rows_if_unsorted;
    if (rows > limit) return nullptr;
    if (target->heap_size_bytes() + chunk.heap_size_bytes() > merge_max_bytes(config)) return nullptr;
    return target;
  }

  GcReport collect_garbage(const GcOptions& options, std::vector<ChunkStoreEvent>& events);

  // Called with the write lock held: queues the events in modification order.
  uint64_t enqueue(const std::vector<ChunkStoreEvent>& events) {
    if (events.empty()) return 0;
    std::lock_guard lock(queue_mutex);
    event_queue.emplace_back(++events_enqueued, events);
    return events_enqueued;
  }

  // Called with no store lock held: delivers queued events, then returns once batch `seq`
  // was delivered. A thread inside a subscriber (an insert from a subscriber) returns at
  // once: its events follow when the current delivery ends, still in order.
  void deliver(uint64_t seq) {
    if (seq == 0) return;
    static thread_local const Impl* delivering = nullptr;
    std::unique_lock lock(queue_mutex);
    if (delivering == this) return;
    if (draining) {
      queue_drained.wait(lock, [&] { return events_delivered >= seq || !draining; });
      if (events_delivered >= seq) return;
    }
    draining = true;
    delivering = this;
    while (!event_queue.empty()) {
      auto [batch_seq, events] = std::move(event_queue.front());
      event_queue.pop_front();
      lock.unlock();
      std::vector<Subscriber> subs;
      {
        std::lock_guard sub_lock(subscribers_mutex);
        for (const auto& [id, s] : subscribers) subs.push_back(s);
      }
      for (const auto& s : subs) s(events);
      lock.lock();
      events_delivered = batch_seq;
      queue_drained.notify_all();
    }
    draining = false;
    delivering = nullptr;
    queue_drained.notify_all();
  }
};

// ---------------------------------------------------------------------------------------

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
  if (s.chunks.count(chunk->id()) || s.absorbed.count(chunk->id())) return events;  // present
  REEL_RETURN_NOT_OK(s.check_types(*chunk));
  if (chunk->is_static()) {
    s.insert_static(chunk, events);
  } else {
    ChunkPtr target;
    std::string key;
    const bool small = config_.enable_compaction && !s.is_large(*chunk, config_);
    if (small) {
      key = schema_key(*chunk);
      target = s.compaction_target(*chunk, key, config_);
    }
    if (target) {
      std::vector<ChunkPtr> parts = {target, chunk};
      REEL_ASSIGN_OR_RETURN(ChunkPtr merged, Chunk::concatenate(parts));
      s.remove_temporal(target);
      events.push_back(s.make_event(ChunkStoreEventKind::kDeletion, target));
      s.add_temporal(merged);
      s.absorb(merged->id(), target->id(), chunk->id());
      auto added = s.make_event(ChunkStoreEventKind::kAddition, merged);
      added.compacted_from = {target->id(), chunk->id()};
      added.appended = ChunkStoreEvent::Append{target->id(), chunk->id(), target->num_rows()};
      events.push_back(std::move(added));
      s.entities[merged->entity_path()].open_chunks[key] = merged->id();
    } else {
      s.add_temporal(chunk);
      events.push_back(s.make_event(ChunkStoreEventKind::kAddition, chunk));
      if (small) s.entities[chunk->entity_path()].open_chunks[key] = chunk->id();
    }
  }
  if (events.empty()) return events;
  if (config_.memory_limit && s.memory_bytes() > config_.memory_limit) {
    s.collect_garbage({uint64_t(double(config_.memory_limit) * config_.gc_target_fraction),
                       config_.gc_protect_latest},
                      events);
  }
  ++s.generation;
  const uint64_t seq = s.enqueue(events);
  lock.unlock();
  s.deliver(seq);
  return events;
}

std::optional<LatestAtResult> ChunkStore::latest_static(const EntityPath& entity,
                                                        const ComponentDescriptor& component) const {
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

std::vector<ChunkPtr> ChunkStore::range_relevant_chunks(const RangeQuery& query,
                                                        const EntityPath& entity,
                                                        const ComponentDescriptor& component) const {
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

GcReport ChunkStore::gc(const GcOptions& options) {
  std::vector<ChunkStoreEvent> events;
  std::unique_lock lock(impl_->mutex);
  Impl& s = *impl_;
  GcReport report = s.collect_garbage(options, events);
  if (!events.empty()) ++s.generation;
  const uint64_t seq = s.enqueue(events);
  lock.unlock();
  s.deliver(seq);
  return report;
}

GcReport ChunkStore::Impl::collect_garbage(const GcOptions& options,
                                           std::vector<ChunkStoreEvent>& events) {
  Impl& s = *this;
  GcReport report;
  report.bytes_before = s.memory_bytes();
  if (report.bytes_before > options.target_bytes) {
    std::unordered_set<ChunkId> protect;
    if (options.protect_latest > 0) {
      for (const auto& [path, entity] : s.entities) {
        for (const auto& [name, tl] : entity.timelines) {
          for (const auto& [desc, index] : tl.components) {
            std::vector<const IndexEntry*> by_max;
            for (const auto& e : index.entries) by_max.push_back(&e);
            size_t n = std::min(options.protect_latest, by_max.size());
            std::partial_sort(by_max.begin(), by_max.begin() + long(n), by_max.end(),
                              [](const IndexEntry* a, const IndexEntry* b) {
                                return a->range.max > b->range.max;
                              });
            for (size_t k = 0; k < n; ++k) protect.insert(by_max[k]->chunk->id());
          }
        }
      }
    }
    auto it = s.temporal_order.begin();
    while (it != s.temporal_order.end() && s.memory_bytes() > options.target_bytes) {
      if (protect.count(it->second)) {
        ++it;
        continue;
      }
      ChunkPtr victim = s.chunks.at(it->second);
      ++it;  // set iterators to other elements survive the erase below
      s.remove_temporal(victim);
      s.forget_sources(victim->id());
      events.push_back(s.make_event(ChunkStoreEventKind::kDeletion, victim));
      report.rows_removed += victim->num_rows();
      ++report.chunks_removed;
    }
  }
  report.bytes_after = s.memory_bytes();
  return report;
}

uint64_t ChunkStore::subscribe(Subscriber subscriber) {
  std::lock_guard lock(impl_->subscribers_mutex);
  uint64_t id = impl_->next_subscriber++;
  impl_->subscribers.emplace(id, std::move(subscriber));
  return id;
}

void ChunkStore::unsubscribe(uint64_t id) {
  std::lock_guard lock(impl_->subscribers_mutex);
  impl_->subscribers.erase(id);
}

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
    return std::make_pair(a->row_ids().min(), a->id()) < std::make_pair(b->row_ids().min(), b->id());
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
  st.buffer_bytes = impl_->buffer_bytes;
  st.index_bytes = impl_->chunk_overhead + impl_->index_entries * kBytesPerIndexEntry;
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
      for (int64_t i = 0; i < comp.list.length(); ++i) st.num_instances += comp.list.num_instances(i);
    }
  }
  std::vector<ComponentStats> out;
  for (auto& [key, st] : all) out.push_back(std::move(st));
  return out;
}

}  // namespace reel
