// MemoryAccount: the bytes a store holds, each distinct buffer counted once however many
// chunks share it, plus per-chunk overhead. Private to the store module; used under
// ChunkStore::Impl's write lock (add/remove) or read lock (the figures).
#pragma once

#include <cstdint>
#include <unordered_map>
#include <utility>

#include "reel/chunk/chunk.hpp"

namespace reel::store::internal {

class MemoryAccount {
 public:
  void add(const Chunk& chunk);
  void remove(const Chunk& chunk);
  // Distinct buffers of the stored chunks.
  uint64_t buffer_bytes() const { return buffer_bytes_; }
  // Chunk headers and column bookkeeping (estimated).
  uint64_t chunk_overhead() const { return chunk_overhead_; }

 private:
  void account(const Chunk& chunk, bool add);

  static constexpr uint64_t kBytesPerChunk = 160;
  std::unordered_map<const void*, std::pair<uint64_t, uint64_t>> buffers_;  // bytes, refs
  uint64_t buffer_bytes_ = 0;
  uint64_t chunk_overhead_ = 0;
};

}  // namespace reel::store::internal
