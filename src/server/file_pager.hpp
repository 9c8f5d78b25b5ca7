// Serving a recording file larger than the memory budget (docs/server.md, "Files larger than
// memory"): the server keeps the file's chunk index (its footer, or one streaming pass) and
// reads chunks when viewers ask for them, instead of loading the file.
//
//   format::RecordingIndex index;  // format::index_recording(path, index)
//   auto pager = FilePager::open(index, 0, {.cache_bytes = budget * 6 / 10});
//   (*pager)->preload(*store, budget / 4);  // static data and the first times
//   ... viewers get the store as their backlog, then `paged_json` tells them the rest exists;
//   auto answer = (*pager)->answer(*store, request);  // a viewer's subscribe window
//
// The chunks a subscribe needs are read from the file (each with one pread, several at once)
// or found in a cache of recently answered chunks; past `cache_bytes` the least recently used
// chunks are forgotten (the file still has them: they are read again when asked for, never
// lost). A window whose chunks would not fit in the cache is narrowed around its middle and
// the answer says which window it covers.
//
// Thread-safe: answers are computed one at a time.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "reel/format/recording_index.hpp"
#include "reel/store/chunk_store.hpp"
#include "server/subscribe_internal.hpp"

namespace reel::server {

// What a paged recording holds beyond what the viewers were sent (the `paged` message).
struct PagedExtent {
  std::string path;
  uint64_t chunks = 0;               // temporal chunks in the file
  uint64_t bytes = 0;                // their bytes in memory (decoded_bytes)
  std::vector<EntityPath> entities;  // sorted
  struct TimelineExtent {
    std::string name;
    TimeType type = TimeType::kSequence;
    TimeRange range;
  };
  std::vector<TimelineExtent> timelines;  // by name
};

struct PagedAnswer {
  std::vector<ChunkPtr> chunks;
  // The window the chunks hold every row of: the request's, or a narrower one around its
  // middle when the request's chunks would not fit in the cache.
  TimeRange covered;
};

struct PagerStats {
  uint64_t chunks_read = 0;  // chunk messages read from the file (preload included)
  uint64_t bytes_read = 0;
  uint64_t cached_chunks = 0;
  uint64_t cached_bytes = 0;  // heap bytes of the cached chunks
  uint64_t cache_limit = 0;
  uint64_t answers = 0;
};

class FilePager {
 public:
  struct Options {
    // The cache of chunks read for answers; at least one answer's chunks that hold the
    // window's middle are kept whatever their size.
    uint64_t cache_bytes = 256ull << 20;
    format::ReaderOptions reader;
  };

  // The recording `stream` of an indexed file (its blueprint chunks left out).
  static Result<std::shared_ptr<FilePager>> open(const format::RecordingIndex& index,
                                                 uint32_t stream, Options options);

  // Inserts the static chunks, then temporal chunks in order of their first time, while they
  // add up to at most `bytes` (decoded_bytes). Chunks the store got this way are left out
  // of answers' store part (the file part has them).
  Status preload(ChunkStore& store, uint64_t bytes);

  // The rows of the request's window: the file's chunks (cached or read now) reduced to the
  // covered window, then what the store holds of that window that did not come from the
  // file (live data). An error names the file and byte offset of a chunk that could not be
  // read (the file was cut or changed); nothing is answered then.
  Result<PagedAnswer> answer(const ChunkStore& store, const internal::SubscribeRequest& request);

  const PagedExtent& extent() const { return extent_; }
  PagerStats stats() const;

 private:
  struct Entry {
    uint64_t offset = 0;
    EntityPath entity;
    std::map<std::string, TimeRange> ranges;
    uint64_t bytes = 0;  // in memory (decoded_bytes() until it is read)
  };
  struct Cached {
    ChunkPtr chunk;
    std::list<size_t>::iterator lru;
  };
  FilePager(std::unique_ptr<format::ChunkFileReader> reader, Options options)
      : reader_(std::move(reader)), options_(std::move(options)) {}
  Result<ChunkPtr> read(size_t entry) const;
  void touch(size_t entry, ChunkPtr chunk);
  // Forgets the least recently used chunks but `keep` until the cache holds at most `target`.
  void evict(const std::unordered_set<size_t>& keep, uint64_t target);

  std::unique_ptr<format::ChunkFileReader> reader_;
  Options options_;
  PagedExtent extent_;
  std::vector<Entry> entries_;            // temporal chunks, file order
  std::vector<uint64_t> static_offsets_;  // static chunks, file order
  // What the store got from the file: chunk ids, and per entity the row id span of each
  // chunk (the store may merge live rows into a preloaded chunk: its rows from the file are
  // then told apart by their row ids, which a later logging run cannot share).
  std::unordered_set<ChunkId> preloaded_;
  std::map<EntityPath, std::vector<std::pair<RowId, RowId>>> preloaded_rows_;
  // `chunk` without the rows the store got from the file (null when none is left).
  ChunkPtr without_file_rows(const ChunkPtr& chunk) const;

  mutable std::mutex mutex_;
  std::unordered_map<size_t, Cached> cache_;
  std::list<size_t> lru_;  // most recently used first
  uint64_t cached_bytes_ = 0;
  uint64_t answers_ = 0;
};

// What a chunk will take in memory, from its footer entry: its columns' Arrow bytes, row ids
// and times (a version 3 payload may hold compressed buffers, so its size says less), or
// the payload's size for entries without columns (version 1 footers).
uint64_t decoded_bytes(const format::FooterEntry& entry);

// {"type": "paged", "recording": n, "path", "chunks", "bytes", "entities": [...],
//  "timelines": [{"name", "type", "min", "max"}]}: the recording has more than its backlog;
// a viewer asks for windows of it with `subscribe`.
std::string paged_json(const PagedExtent& extent, std::optional<uint32_t> recording);

}  // namespace reel::server
