// ChunkStoreEvent: what a ChunkStore tells its subscribers after each modification (the order
// and threading of delivery are stated in chunk_store.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "reel/chunk/chunk.hpp"

namespace reel {

enum class ChunkStoreEventKind : uint8_t { kAddition, kDeletion };

struct ChunkStoreEvent {
  uint64_t event_id = 0;  // increasing per store
  ChunkStoreEventKind kind = ChunkStoreEventKind::kAddition;
  ChunkPtr chunk;
  // For an addition produced by compaction: the chunks it was merged from (the chunk that
  // was replaced is also reported by its own deletion event just before).
  std::vector<ChunkId> compacted_from;
  // Set when that compaction appended one incoming chunk behind an existing one: rows
  // [0, offset) of `chunk` are the replaced chunk's rows, in order, and rows [offset, end)
  // the incoming chunk's. Consumers that mirror chunks (the viewer server) send only the
  // new rows. Unset for any other merge.
  struct Append {
    ChunkId replaced;
    ChunkId incoming;
    int64_t offset = 0;
  };
  std::optional<Append> appended;
};

}  // namespace reel
