// Chunks of a recording file read when viewers ask for them (file_pager.hpp).
#include "server/file_pager.hpp"

#include <algorithm>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/thread_pool.hpp"

namespace reel::server {

namespace {

// |a - b| without overflow.
uint64_t gap(TimeInt a, TimeInt b) {
  return a > b ? uint64_t(a) - uint64_t(b) : uint64_t(b) - uint64_t(a);
}

// How far a chunk's times are from `t` (0 when they span it).
uint64_t distance(const TimeRange& r, TimeInt t) {
  if (r.contains(t)) return 0;
  return r.max < t ? gap(t, r.max) : gap(r.min, t);
}

}  // namespace

Result<std::shared_ptr<FilePager>> FilePager::open(const format::RecordingIndex& index,
                                                   uint32_t stream, Options options) {
  REEL_ASSIGN_OR_RETURN(auto reader, format::ChunkFileReader::open(index.path, options.reader));
  std::shared_ptr<FilePager> pager(new FilePager(std::move(reader), std::move(options)));
  PagedExtent& x = pager->extent_;
  x.path = index.path;
  std::set<EntityPath> entities;
  std::map<std::string, PagedExtent::TimelineExtent> timelines;
  for (size_t i = 0; i < index.chunks.size(); ++i) {
    if (i < index.chunk_blueprint.size() && index.chunk_blueprint[i]) continue;
    if (i < index.chunk_streams.size() && index.chunk_streams[i] != stream) continue;
    const format::FooterEntry& e = index.chunks[i];
    if (e.is_static) {
      pager->static_offsets_.push_back(e.offset);
      continue;
    }
    Entry entry{e.offset, e.entity, e.time_ranges, decoded_bytes(e)};
    for (const auto& [name, range] : e.time_ranges) {
      auto& t = timelines[name];
      t.name = name;
      t.range.extend(range);
      if (auto type = e.timeline_types.find(name); type != e.timeline_types.end()) {
        t.type = type->second;
      }
    }
    entities.insert(e.entity);
    x.bytes += entry.bytes;
    pager->entries_.push_back(std::move(entry));
  }
  x.chunks = pager->entries_.size();
  x.entities.assign(entities.begin(), entities.end());
  for (auto& [name, t] : timelines) x.timelines.push_back(std::move(t));
  return pager;
}

Result<ChunkPtr> FilePager::read(size_t entry) const {
  const Entry& e = entries_[entry];
  REEL_ASSIGN_OR_RETURN(ChunkPtr chunk, reader_->read_chunk(e.offset));
  if (chunk->entity_path() != e.entity || chunk->is_static()) {
    return Status::Invalid(reader_->name() + ": the chunk at byte " + std::to_string(e.offset) +
                           " is not the one the index names (entity " + e.entity.str() +
                           "): the file changed while it was served");
  }
  return chunk;
}

Status FilePager::preload(ChunkStore& store, uint64_t bytes) {
  auto insert = [&](ChunkPtr chunk) -> Status {
    if (chunk->num_rows() > 0) {
      RowId lo = chunk->row_id(0), hi = lo;
      for (int64_t i = 1; i < chunk->num_rows(); ++i) {
        lo = std::min(lo, chunk->row_id(i));
        hi = std::max(hi, chunk->row_id(i));
      }
      preloaded_rows_[chunk->entity_path()].emplace_back(lo, hi);
    }
    REEL_ASSIGN_OR_RETURN(auto events, store.insert(std::move(chunk)));
    for (const auto& ev : events) {
      if (ev.kind == ChunkStoreEventKind::kAddition) {
        preloaded_.insert(ev.chunk->id());
      } else {
        preloaded_.erase(ev.chunk->id());
      }
    }
    return Status::OK();
  };
  for (uint64_t offset : static_offsets_) {
    REEL_ASSIGN_OR_RETURN(ChunkPtr chunk, reader_->read_chunk(offset));
    REEL_RETURN_NOT_OK(insert(std::move(chunk)));
  }
  // By first time on the timeline most chunks have, so that every entity starts at the
  // beginning (files written with send_columns hold one entity after another).
  std::map<std::string, size_t> counts;
  for (const auto& e : entries_) {
    for (const auto& [name, r] : e.ranges) ++counts[name];
  }
  std::string primary;
  size_t most = 0;
  for (const auto& [name, n] : counts) {
    if (n > most) {
      primary = name;
      most = n;
    }
  }
  std::vector<size_t> order(entries_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto first = [&](size_t i) {
    auto it = entries_[i].ranges.find(primary);
    return it == entries_[i].ranges.end() ? kTimeMax : it->second.min;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return first(a) < first(b); });
  uint64_t taken = 0;
  for (size_t i : order) {
    if (taken + entries_[i].bytes > bytes) break;
    taken += entries_[i].bytes;
    REEL_ASSIGN_OR_RETURN(ChunkPtr chunk, read(i));
    REEL_RETURN_NOT_OK(insert(std::move(chunk)));
  }
  return Status::OK();
}

void FilePager::touch(size_t entry, ChunkPtr chunk) {
  auto it = cache_.find(entry);
  if (it != cache_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return;
  }
  if (!chunk) return;
  lru_.push_front(entry);
  cached_bytes_ += chunk->heap_size_bytes();
  entries_[entry].bytes = chunk->heap_size_bytes();
  cache_.emplace(entry, Cached{std::move(chunk), lru_.begin()});
}

void FilePager::evict(const std::unordered_set<size_t>& keep, uint64_t target) {
  auto it = lru_.end();
  while (cached_bytes_ > target && it != lru_.begin()) {
    --it;
    if (keep.count(*it)) continue;
    auto slot = cache_.find(*it);
    cached_bytes_ -= std::min(cached_bytes_, slot->second.chunk->heap_size_bytes());
    cache_.erase(slot);
    it = lru_.erase(it);
  }
}

Result<PagedAnswer> FilePager::answer(const ChunkStore& store,
                                      const internal::SubscribeRequest& request) {
  const std::set<EntityPath> wanted(request.entities.begin(), request.entities.end());
  const TimeInt middle = request.range.min / 2 + request.range.max / 2 +
                         (request.range.min % 2 + request.range.max % 2) / 2;
  struct Candidate {
    size_t entry;
    TimeRange range;
    uint64_t distance;
  };
  std::vector<Candidate> candidates;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    if (!wanted.empty() && !wanted.count(e.entity)) continue;
    auto r = e.ranges.find(request.timeline);
    if (r == e.ranges.end() || !r->second.intersects(request.range)) continue;
    candidates.push_back({i, r->second, distance(r->second, middle)});
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.distance < b.distance; });

  std::lock_guard lock(mutex_);
  ++answers_;
  // Nearest the middle first, while they fit in the cache (those spanning the middle always).
  PagedAnswer out;
  out.covered = request.range;
  std::vector<size_t> chosen;
  uint64_t total = 0;
  size_t n = 0;
  for (; n < candidates.size(); ++n) {
    const Candidate& c = candidates[n];
    if (c.distance > 0 && total + entries_[c.entry].bytes > options_.cache_bytes) break;
    total += entries_[c.entry].bytes;
    chosen.push_back(c.entry);
  }
  // The window narrows to leave out every chunk that did not fit.
  for (size_t k = n; k < candidates.size(); ++k) {
    const TimeRange& r = candidates[k].range;
    if (r.min > middle) {
      out.covered.max = std::min(out.covered.max, r.min - 1);
    } else {
      out.covered.min = std::max(out.covered.min, r.max + 1);
    }
  }

  // Read what the cache does not hold, several chunks at once, in file order.
  std::vector<size_t> missing;
  for (size_t i : chosen) {
    if (!cache_.count(i)) missing.push_back(i);
  }
  std::sort(missing.begin(), missing.end());
  const std::unordered_set<size_t> keep(chosen.begin(), chosen.end());
  // Room first, so that the cache and what is read never exceed the limit together.
  uint64_t incoming = 0;
  for (size_t i : missing) incoming += entries_[i].bytes;
  evict(keep, options_.cache_bytes - std::min(options_.cache_bytes, incoming));
  if (!missing.empty()) {
    const size_t threads =
        std::min<size_t>(missing.size(), std::max(2u, std::thread::hardware_concurrency()));
    reel::internal::ThreadPool pool(threads);
    std::vector<std::future<Result<ChunkPtr>>> reads;
    reads.reserve(missing.size());
    for (size_t i : missing) reads.push_back(pool.submit([this, i] { return read(i); }));
    Status failed;
    for (size_t k = 0; k < missing.size(); ++k) {
      Result<ChunkPtr> chunk = reads[k].get();
      if (!chunk.ok()) {
        if (failed.ok()) failed = chunk.status();
        continue;
      }
      if (failed.ok()) touch(missing[k], std::move(*chunk));
    }
    REEL_RETURN_NOT_OK(failed);
  }
  for (size_t i : chosen) touch(i, nullptr);
  evict(keep, options_.cache_bytes);

  // The file's rows in entity, then time order; then the store's own (live) rows.
  std::sort(chosen.begin(), chosen.end(), [&](size_t a, size_t b) {
    if (entries_[a].entity != entries_[b].entity) return entries_[a].entity < entries_[b].entity;
    return entries_[a].ranges.at(request.timeline).min <
           entries_[b].ranges.at(request.timeline).min;
  });
  for (size_t i : chosen) {
    if (auto w = internal::window_rows(cache_.at(i).chunk, request.timeline, out.covered)) {
      out.chunks.push_back(std::move(w));
    }
  }
  internal::SubscribeRequest live = request;
  live.range = out.covered;
  // The file part has the rows of the chunks preloaded from it.
  auto from_file = [this](const Chunk& c) { return preloaded_.count(c.id()) > 0; };
  for (auto& c : internal::answer_subscribe(store, live, from_file)) {
    if (auto rows = without_file_rows(c)) out.chunks.push_back(std::move(rows));
  }
  return out;
}

ChunkPtr FilePager::without_file_rows(const ChunkPtr& chunk) const {
  auto it = preloaded_rows_.find(chunk->entity_path());
  if (it == preloaded_rows_.end()) return chunk;
  std::vector<int64_t> rows;
  for (int64_t i = 0; i < chunk->num_rows(); ++i) {
    const RowId id = chunk->row_id(i);
    const bool from_file = std::any_of(it->second.begin(), it->second.end(), [&](const auto& r) {
      return r.first <= id && id <= r.second;
    });
    if (!from_file) rows.push_back(i);
  }
  if (int64_t(rows.size()) == chunk->num_rows()) return chunk;
  if (rows.empty()) return nullptr;
  auto taken = chunk->take(rows);
  return taken.ok() ? *taken : nullptr;
}

PagerStats FilePager::stats() const {
  std::lock_guard lock(mutex_);
  PagerStats s;
  s.chunks_read = reader_->chunks_read();
  s.bytes_read = reader_->bytes_read();
  s.cached_chunks = cache_.size();
  s.cached_bytes = cached_bytes_;
  s.cache_limit = options_.cache_bytes;
  s.answers = answers_;
  return s;
}

uint64_t decoded_bytes(const format::FooterEntry& e) {
  uint64_t columns = 0;
  for (const auto& c : e.components) columns += c.bytes;
  if (columns == 0) return e.payload_bytes ? e.payload_bytes : e.stored_bytes;
  // The chunk's bookkeeping (Chunk::overhead_bytes) and each buffer's padding to 64 bytes.
  const uint64_t overhead = sizeof(Chunk) + e.time_ranges.size() * sizeof(TimeColumn) +
                            e.components.size() * sizeof(ComponentColumn) +
                            64 * (2 + e.time_ranges.size() + 3 * e.components.size());
  return columns + uint64_t(e.rows) * (16 + 8 * e.time_ranges.size()) + overhead;
}

std::string paged_json(const PagedExtent& extent, std::optional<uint32_t> recording) {
  nlohmann::json entities = nlohmann::json::array();
  for (const auto& e : extent.entities) entities.push_back(e.str());
  nlohmann::json timelines = nlohmann::json::array();
  for (const auto& t : extent.timelines) {
    timelines.push_back({{"name", t.name},
                         {"type", time_type_name(t.type)},
                         {"min", std::to_string(t.range.min)},
                         {"max", std::to_string(t.range.max)}});
  }
  nlohmann::json j = {{"type", "paged"},       {"path", extent.path},  {"chunks", extent.chunks},
                      {"bytes", extent.bytes}, {"entities", entities}, {"timelines", timelines}};
  if (recording) j["recording"] = *recording;
  return j.dump();
}

}  // namespace reel::server
