// Compaction on ingestion: which stored chunk a small incoming chunk merges into, the limits
// the merge must keep, and the ids of the chunks merged away. Private to the store module.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "reel/chunk/chunk.hpp"
#include "reel/store/config.hpp"

namespace reel::store::internal {

// Chunks merge only with chunks of the same key: the same timelines (names and types) and
// the same components.
std::string schema_key(const Chunk& chunk);

// A chunk beyond half of any limit is stored and indexed as is: it is never a merge source.
bool is_large(const Chunk& chunk, const ChunkStoreConfig& config);

// The byte limit of a merged chunk: chunk_max_bytes, and under a memory limit at most 1/64
// of it.
uint64_t merge_max_bytes(const ChunkStoreConfig& config);

// Whether `incoming` may be appended to `target` (same schema): the merged rows stay within
// chunk_max_rows, or chunk_max_rows_if_unsorted when the result would not be sorted by time
// on every timeline, and the merged bytes within merge_max_bytes().
bool merge_fits(const Chunk& target, const Chunk& incoming, const ChunkStoreConfig& config);

// Ids of chunks merged away by compaction, and per stored chunk the ids merged into it: a
// chunk inserted again after compaction is still recognized as present.
class MergedIds {
 public:
  // `merged` replaced `target` (a stored chunk) and `incoming`. Only ids that came from
  // outside are remembered: a merge product's id was never seen by a writer, so nobody
  // inserts it again.
  void absorb(const ChunkId& merged, const ChunkId& target, const ChunkId& incoming);
  // Stored chunk `id` is gone (garbage-collected): the ids merged into it may come back.
  void forget(const ChunkId& id);
  bool contains(const ChunkId& id) const { return absorbed_.count(id) != 0; }
  // Bookkeeping bytes (estimated), counted in the store's memory.
  uint64_t bytes() const { return absorbed_.size() * kBytesPerAbsorbedId; }

 private:
  static constexpr uint64_t kBytesPerAbsorbedId = 48;
  std::unordered_set<ChunkId> absorbed_;
  std::unordered_map<ChunkId, std::vector<ChunkId>> sources_;
};

}  // namespace reel::store::internal
