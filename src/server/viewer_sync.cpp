// What each viewer is owed (viewer_sync_internal.hpp): the io thread's mirror of the store,
// and one viewer's queue.
//
// Compaction on ingestion replaces the open chunk T of an entity by T + incoming rows, and the
// store says so (ChunkStoreEvent::appended). A viewer that holds T (whole, or as the pieces it
// was sent or has queued) gets only the incoming rows, as a chunk with the incoming chunk's
// id, and no removal; the queue remembers that the merged store chunk stands for those
// pieces, so that its later removal names exactly the ids the viewer holds. Otherwise (T not
// sent yet) the merged chunk is sent whole in T's place. A merge that is not an append is
// sent whole, and the removal of whatever the viewer held of what it replaces follows it
// (replacement before removal: an entity never looks empty in between). A viewer that cannot
// remove chunks (the Rerun viewer behind the proxy) is sent no removals and no merge of rows
// it holds every one of.
#include "server/viewer_sync_internal.hpp"

#include <algorithm>

namespace reel::server::internal {

// ---------------------------------------------------------------------------------------
// StoreMirror

StoreMirror::StoreMirror(std::vector<ChunkPtr> chunks) {
  for (auto& chunk : chunks) chunks_.emplace(chunk->id(), std::move(chunk));
}

std::vector<StoreChange> StoreMirror::apply(std::span<const ChunkStoreEvent> events) {
  // A compaction's deletion is handled with the addition that replaces it (later in the
  // same batch), so that a viewer can get only the new rows, or the replacement first.
  std::unordered_set<ChunkId> replaced_later;
  for (const auto& e : events) {
    if (e.kind == ChunkStoreEventKind::kAddition) {
      replaced_later.insert(e.compacted_from.begin(), e.compacted_from.end());
    }
  }
  std::vector<ChunkId> deferred;  // in store order
  std::vector<StoreChange> changes;
  for (const auto& e : events) {
    const ChunkId id = e.chunk->id();
    if (e.kind == ChunkStoreEventKind::kDeletion) {
      if (chunks_.erase(id) == 0) continue;
      if (replaced_later.count(id)) {
        deferred.push_back(id);
      } else {
        changes.push_back(ChunkRemoved{id});
      }
      continue;
    }
    if (!chunks_.emplace(id, e.chunk).second) continue;
    std::vector<ChunkId> replaced;
    for (const auto& from : e.compacted_from) {
      if (auto it = std::find(deferred.begin(), deferred.end(), from); it != deferred.end()) {
        replaced.push_back(from);
        deferred.erase(it);
      }
    }
    if (replaced.empty()) {
      changes.push_back(ChunkAdded{e.chunk});
    } else if (e.appended && replaced.size() == 1 && replaced[0] == e.appended->replaced) {
      changes.push_back(
          ChunkAppended{e.appended->replaced, e.chunk, e.appended->incoming, e.appended->offset});
    } else {
      const bool adds_rows = replaced.size() != e.compacted_from.size();
      changes.push_back(ChunkReplaced{std::move(replaced), e.chunk, adds_rows});
    }
  }
  // Not expected (a compaction's addition follows its deletion): plain removals.
  for (const auto& id : deferred) changes.push_back(ChunkRemoved{id});
  return changes;
}

std::vector<std::weak_ptr<const Chunk>> StoreMirror::backlog() const {
  std::vector<std::weak_ptr<const Chunk>> backlog;
  backlog.reserve(chunks_.size());
  for (const auto& [id, chunk] : chunks_) backlog.push_back(chunk);
  return backlog;
}

// ---------------------------------------------------------------------------------------
// ViewerSync

void ViewerSync::attach(std::vector<std::weak_ptr<const Chunk>> backlog) {
  backlog_ = std::move(backlog);
  for (const auto& w : backlog_) {
    if (auto c = w.lock()) pending_.insert(c->id());
  }
}

bool ViewerSync::apply(const StoreChange& change) {
  if (const auto* a = std::get_if<ChunkAdded>(&change)) return on_added(a->chunk);
  if (const auto* r = std::get_if<ChunkRemoved>(&change)) return on_removed(r->id);
  if (const auto* a = std::get_if<ChunkAppended>(&change)) return on_appended(*a);
  const auto& r = std::get<ChunkReplaced>(change);
  return on_replaced(r.replaced, r.chunk, r.adds_rows);
}

bool ViewerSync::on_added(const ChunkPtr& chunk) {
  if (full()) return false;
  pending_.insert(chunk->id());
  live_.push_back(Added{chunk, chunk->id()});
  return true;
}

bool ViewerSync::on_appended(const ChunkAppended& append) {
  auto it = pieces_.find(append.replaced);
  // The viewer holds the replaced chunk (sent whole, or as pieces that are sent or queued
  // as pieces) unless it is still queued whole: that queue entry dies with the chunk.
  if (it == pieces_.end() && pending_.count(append.replaced)) {
    return on_replaced({append.replaced}, append.merged);
  }
  if (full()) return false;
  Pieces p;
  if (it != pieces_.end()) {
    p = std::move(it->second);
    pieces_.erase(it);
  } else {
    p.ids.push_back(append.replaced);
    p.source = std::make_shared<Source>();
  }
  p.source->chunk = append.merged;
  p.ids.push_back(append.incoming);
  live_.push_back(
      Piece{p.source, append.offset, append.merged->num_rows() - append.offset, append.incoming});
  pending_.insert(append.incoming);
  pieces_.emplace(append.merged->id(), std::move(p));
  return true;
}

bool ViewerSync::on_replaced(const std::vector<ChunkId>& replaced, const ChunkPtr& chunk,
                             bool adds_rows) {
  std::vector<ChunkId> owed;
  size_t unsent = 0;
  for (const auto& id : replaced) unsent += release(id, owed);
  // The viewer holds every row of the merge and cannot drop what it replaced: sending it
  // would show those rows twice. It keeps the old chunks; the merge counts as held.
  if (!can_remove_ && unsent == 0 && !adds_rows) return true;
  if (full()) return false;
  pending_.insert(chunk->id());
  live_.push_back(Added{chunk, chunk->id()});
  if (!owed.empty() && can_remove_) owed_[chunk->id()] = std::move(owed);
  return true;
}

bool ViewerSync::on_removed(const ChunkId& id) {
  std::vector<ChunkId> ids;
  release(id, ids);
  if (!can_remove_) return true;  // it keeps what it was sent
  return queue_removal(std::move(ids));
}

size_t ViewerSync::release(const ChunkId& id, std::vector<ChunkId>& out) {
  // Queued and never sent: the viewer need not hear of it at all.
  size_t unsent = 0;
  auto drop = [&](const ChunkId& part) {
    if (pending_.erase(part)) {
      ++unsent;
    } else {
      out.push_back(part);
    }
  };
  if (auto it = pieces_.find(id); it != pieces_.end()) {
    for (const auto& part : it->second.ids) drop(part);
    pieces_.erase(it);
  } else {
    drop(id);
  }
  if (auto it = owed_.find(id); it != owed_.end()) {
    out.insert(out.end(), it->second.begin(), it->second.end());
    owed_.erase(it);
  }
  return unsent;
}

bool ViewerSync::queue_removal(std::vector<ChunkId> ids) {
  if (ids.empty()) return true;
  // Consecutive removals travel as one message.
  if (!live_.empty()) {
    if (auto* r = std::get_if<Removed>(&live_.back())) {
      r->ids.insert(r->ids.end(), ids.begin(), ids.end());
      return true;
    }
  }
  if (full()) return false;
  live_.push_back(Removed{std::move(ids)});
  return true;
}

std::optional<Outgoing> ViewerSync::next() {
  while (backlog_pos_ < backlog_.size()) {
    ChunkPtr c = backlog_[backlog_pos_++].lock();
    if (!c || !pending_.erase(c->id())) continue;  // removed meanwhile
    return SendChunk{std::move(c), true};
  }
  if (!caught_up_sent_) {
    caught_up_sent_ = true;
    backlog_ = {};
    return SendCaughtUp{};
  }
  while (!live_.empty()) {
    Live item = std::move(live_.front());
    live_.pop_front();
    if (auto* r = std::get_if<Removed>(&item)) return SendRemoval{std::move(r->ids)};
    if (auto* p = std::get_if<Piece>(&item)) {
      if (!pending_.erase(p->id)) continue;  // removed before it was sent
      ChunkPtr c = p->source->chunk.lock();
      if (!c || p->offset + p->rows > c->num_rows()) continue;
      return SendChunk{c->slice(p->offset, p->rows)->with_id(p->id)};
    }
    auto& a = std::get<Added>(item);
    if (!pending_.erase(a.id)) continue;  // removed (or replaced) before it was sent
    // What this chunk replaces leaves the viewer right after it.
    if (auto owed = owed_.extract(a.id)) live_.push_front(Removed{std::move(owed.mapped())});
    if (ChunkPtr c = a.chunk.lock()) return SendChunk{std::move(c)};
  }
  return std::nullopt;
}

std::vector<ChunkPtr> ViewerSync::take_backlog() {
  std::vector<ChunkPtr> out;
  for (; backlog_pos_ < backlog_.size(); ++backlog_pos_) {
    ChunkPtr c = backlog_[backlog_pos_].lock();
    if (c && pending_.erase(c->id())) out.push_back(std::move(c));
  }
  return out;
}

uint64_t ViewerSync::owed_bytes() const {
  uint64_t bytes = 0;
  for (size_t i = backlog_pos_; i < backlog_.size(); ++i) {
    if (ChunkPtr c = backlog_[i].lock()) bytes += c->heap_size_bytes();
  }
  for (const Live& item : live_) {
    if (const auto* a = std::get_if<Added>(&item)) {
      if (ChunkPtr c = a->chunk.lock()) bytes += c->heap_size_bytes();
    } else if (const auto* p = std::get_if<Piece>(&item)) {
      ChunkPtr c = p->source->chunk.lock();
      if (c && c->num_rows() > 0) {
        bytes += c->heap_size_bytes() * uint64_t(p->rows) / uint64_t(c->num_rows());
      }
    }
  }
  return bytes;
}

void ViewerSync::clear() {
  backlog_.clear();
  backlog_pos_ = 0;
  caught_up_sent_ = true;  // nothing more is owed
  live_.clear();
  pending_.clear();
  pieces_.clear();
  owed_.clear();
}

}  // namespace reel::server::internal
