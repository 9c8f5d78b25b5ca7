// What each viewer is owed, without sockets (docs/viewer-protocol.md, "Order", "Compaction",
// "Removals", "Slow viewers").
//
// Two halves, both used on the server's io thread only:
// - StoreMirror: the chunks the viewers can know of, kept from the store's events in store
//   order. It turns each batch of events into StoreChanges (added, removed, appended,
//   replaced) and gives a new viewer its backlog.
// - ViewerSync: one viewer's queue. It takes StoreChanges and says, one message at a time,
//   what the viewer must be sent next: a chunk (whole, or only the rows an append added,
//   under the incoming chunk's id), `caught_up`, or a removal naming only ids the viewer was
//   sent. Queue entries are chunk references (weak), never encoded bytes.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "reel/chunk/chunk.hpp"
#include "reel/store/chunk_store.hpp"

namespace reel::server::internal {

// ---- store changes, as viewers see them

struct ChunkAdded {
  ChunkPtr chunk;
};
struct ChunkRemoved {
  ChunkId id;
};
// Compaction appended `incoming` behind `replaced`: rows [0, offset) of `merged` are the
// replaced chunk's, rows [offset, end) the incoming chunk's (ChunkStoreEvent::appended).
struct ChunkAppended {
  ChunkId replaced;
  ChunkPtr merged;
  ChunkId incoming;
  int64_t offset = 0;
};
// Any other merge: `chunk` replaced the chunks `replaced`. `adds_rows`: it also holds rows of
// a chunk that was never in the store (the incoming one a compaction merged in).
struct ChunkReplaced {
  std::vector<ChunkId> replaced;
  ChunkPtr chunk;
  bool adds_rows = true;
};
using StoreChange = std::variant<ChunkAdded, ChunkRemoved, ChunkAppended, ChunkReplaced>;

class StoreMirror {
 public:
  // `chunks`: the store's chunks, taken after subscribing to its events (an event for a
  // change the snapshot already shows is recognised and skipped).
  explicit StoreMirror(std::vector<ChunkPtr> chunks);

  // The changes one batch of events (one store modification or several, in store order)
  // makes to what viewers hold. A compaction's deletion is reported with the addition that
  // replaces it (as ChunkAppended or ChunkReplaced), never as a removal of its own.
  std::vector<StoreChange> apply(std::span<const ChunkStoreEvent> events);

  // A new viewer's backlog: every chunk of the mirror now, by chunk id.
  std::vector<std::weak_ptr<const Chunk>> backlog() const;
  size_t size() const { return chunks_.size(); }

 private:
  std::map<ChunkId, ChunkPtr> chunks_;
};

// ---- one viewer

// A kind-1 frame holding `chunk` (already sliced and renamed when it is a piece). `backlog`:
// part of the backlog that `caught_up` counts.
struct SendChunk {
  ChunkPtr chunk;
  bool backlog = false;
};
// The backlog is complete.
struct SendCaughtUp {};
// `chunks_removed` naming `ids`.
struct SendRemoval {
  std::vector<ChunkId> ids;
};
using Outgoing = std::variant<SendChunk, SendCaughtUp, SendRemoval>;

class ViewerSync {
 public:
  // `max_queue`: live changes queued before the viewer is judged too slow. `can_remove`:
  // whether the viewer can be told to drop chunks (reel's viewers can; the Rerun viewer behind
  // the proxy cannot). A viewer that cannot is not sent a merge of chunks it holds every row
  // of: it keeps those chunks, and later appends to the merge send only their new rows.
  explicit ViewerSync(size_t max_queue, bool can_remove = true)
      : max_queue_(max_queue), can_remove_(can_remove) {}

  // The viewer is owed `backlog` (the mirror as it attached), then `caught_up`, then the
  // changes applied from now on. Call once, before apply().
  void attach(std::vector<std::weak_ptr<const Chunk>> backlog);

  // Queues what `change` owes the viewer. False when the live queue holds `max_queue`
  // entries already: the viewer is too slow (the change is not queued; the caller
  // disconnects it and clears this).
  [[nodiscard]] bool apply(const StoreChange& change);

  // The next message the viewer is owed, or nullopt when it is up to date. Entries whose
  // chunk left the store before its turn are skipped.
  std::optional<Outgoing> next();

  // What is left of the backlog, as chunks the viewer will get by other means (HTTP): from
  // now on they count as sent, and next() goes on with caught_up.
  std::vector<ChunkPtr> take_backlog();

  // Live changes queued (what max_queue bounds).
  size_t queued() const { return live_.size(); }
  // Messages still owed (backlog and live) and the in-memory bytes of their chunks.
  size_t owed_messages() const {
    // (backlog_ is emptied once caught_up is sent; backlog_pos_ stays where it was.)
    return (backlog_pos_ < backlog_.size() ? backlog_.size() - backlog_pos_ : 0) + live_.size();
  }
  uint64_t owed_bytes() const;
  // Forgets everything (the viewer is gone): nothing is owed any more.
  void clear();

 private:
  struct Added {
    std::weak_ptr<const Chunk> chunk;
    ChunkId id;
  };
  // The store chunk that currently holds a chain of appended pieces. Compaction only
  // appends, so a piece's rows keep their place when the chain grows: queued pieces follow
  // `chunk`.
  struct Source {
    std::weak_ptr<const Chunk> chunk;
  };
  // Rows [offset, offset + rows) of the source's chunk, sent as chunk `id`.
  struct Piece {
    std::shared_ptr<Source> source;
    int64_t offset = 0;
    int64_t rows = 0;
    ChunkId id;
  };
  struct Removed {
    std::vector<ChunkId> ids;
  };
  using Live = std::variant<Added, Piece, Removed>;
  // A store chunk the viewer holds as several chunks: their ids (sent or queued), in order.
  struct Pieces {
    std::vector<ChunkId> ids;
    std::shared_ptr<Source> source;
  };

  bool on_added(const ChunkPtr& chunk);
  bool on_removed(const ChunkId& id);
  bool on_appended(const ChunkAppended& append);
  bool on_replaced(const std::vector<ChunkId>& replaced, const ChunkPtr& chunk,
                   bool adds_rows = true);
  // The viewer-side ids of store chunk `id` leave the viewer's set: queued ones are
  // cancelled, the ids the viewer was sent are appended to `out`.
  // Forgets `id` (and its pieces); the ids the viewer was sent go to `out`. Returns how many
  // parts were still queued and never sent.
  size_t release(const ChunkId& id, std::vector<ChunkId>& out);
  bool queue_removal(std::vector<ChunkId> ids);
  bool full() const { return live_.size() >= max_queue_; }

  size_t max_queue_;
  bool can_remove_ = true;
  // Owed, in this order: the backlog, caught_up, live changes.
  std::vector<std::weak_ptr<const Chunk>> backlog_;
  size_t backlog_pos_ = 0;
  bool caught_up_sent_ = false;
  std::deque<Live> live_;
  // Viewer-side chunk ids queued for sending (backlog or live, whole chunks and pieces) and
  // not sent yet.
  std::unordered_set<ChunkId> pending_;
  // Store chunk id -> the ids the viewer holds for it, when it holds it as pieces. Store
  // chunks the viewer holds whole (under their own id) have no entry. Erased on deletion.
  std::unordered_map<ChunkId, Pieces> pieces_;
  // Queued replacement chunk -> removals to send right after it (ids the viewer was sent of
  // what it replaces). Only for replacements not sent yet.
  std::unordered_map<ChunkId, std::vector<ChunkId>> owed_;
};

}  // namespace reel::server::internal
