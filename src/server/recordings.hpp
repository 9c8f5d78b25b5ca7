// The recordings a server holds (docs/server.md, "Several recordings"): one ChunkStore per
// recording id, created when the id is first seen, all under one memory budget.
//
//   auto recordings = std::make_shared<reel::server::RecordingSet>(config);  // the budget
//   auto store = recordings->store_for(info);  // the recording's store, created if new
//   ... store->insert(chunk); recordings->enforce_budget(store.get());
//
// Recordings are numbered 0, 1, 2, ... in the order they appear; a number is never reused
// (the viewer protocol tags every chunk frame with it). A recording without a name (no
// StoreInfo yet: `reel serve` started empty) is named by the first StoreInfo that arrives,
// so a server started on an unnamed store keeps serving that store to its first client.
//
// Budget: every store keeps its own `memory_limit` (the whole budget, so that a lone
// recording behaves as a single store always did), and enforce_budget() keeps the sum of
// all recordings within it: past the budget, the recording written to least recently gives
// up its oldest temporal chunks first (ChunkStore::gc: never static data, never an
// entity's newest chunk), then the next, down to `gc_target_fraction` of the budget.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "reel/store/chunk_store.hpp"

namespace reel::server {

class FilePager;

struct RecordingEntry {
  uint32_t number = 0;
  std::shared_ptr<ChunkStore> store;
  // A recording served from a file larger than the budget (file_pager.hpp): the store holds
  // part of it and subscribes are answered from the file. Null otherwise.
  std::shared_ptr<FilePager> pager;
};

class RecordingSet {
 public:
  // No recording yet; new stores get `config` (its memory_limit: the shared budget).
  explicit RecordingSet(ChunkStoreConfig config);
  // `store` is recording 0 (named by its StoreInfo, or unnamed); new stores get its config.
  explicit RecordingSet(std::shared_ptr<ChunkStore> store);

  const ChunkStoreConfig& config() const { return config_; }
  // The shared budget (0: none).
  uint64_t memory_limit() const { return config_.memory_limit; }

  // The store of recording `info.recording_id`: an existing one, else the unnamed recording
  // (then named `info`), else a new store (info set). `created`, if given, says whether the
  // recording is new or was just named. An empty `info` gives the unnamed recording.
  std::shared_ptr<ChunkStore> store_for(const StoreInfo& info, bool* created = nullptr);

  // Serves the rest of `store`'s recording from a file (before the server starts).
  void attach_pager(const ChunkStore* store, std::shared_ptr<FilePager> pager);

  // Every recording, by number.
  std::vector<RecordingEntry> list() const;
  std::shared_ptr<ChunkStore> find(uint32_t number) const;
  std::optional<uint32_t> number_of(const std::string& recording_id) const;
  std::optional<uint32_t> number_of(const ChunkStore* store) const;
  // Recording 0's store ("the default recording": /api/info's top level, Server::store()),
  // null while there is none.
  std::shared_ptr<ChunkStore> default_store() const;
  size_t size() const;

  // Call after inserting into `written` (any thread): marks it as written now and, when
  // all recordings together exceed the budget, garbage-collects as the header says.
  void enforce_budget(const ChunkStore* written);
  // Sum of every store's memory_bytes().
  uint64_t memory_bytes() const;

  // Told about every recording that appears (`created`) or is named (not created), on the
  // thread that caused it, before store_for returns (so before anything is inserted into a
  // new store). Returns the recordings there are now, atomically with installing it. One
  // listener; an empty function removes it.
  using Listener = std::function<void(const RecordingEntry&, bool created)>;
  std::vector<RecordingEntry> listen(Listener listener);

 private:
  struct Recording {
    RecordingEntry entry;
    uint64_t last_write = 0;
  };
  ChunkStoreConfig config_;
  mutable std::mutex mutex_;
  std::vector<Recording> recordings_;  // by number
  uint64_t clock_ = 0;
  Listener listener_;
  std::mutex gc_mutex_;  // one budget pass at a time
};

}  // namespace reel::server
