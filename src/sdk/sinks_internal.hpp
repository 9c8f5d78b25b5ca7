// The concrete sinks behind the factories of reel/sdk/sink.hpp that the SDK itself needs to
// recognise: the memory sink (a stream keeps the one of its embedded store when save() or
// connect() replace the other sinks).
#pragma once

#include <memory>
#include <span>

#include "reel/sdk/sink.hpp"
#include "reel/store/chunk_store.hpp"

namespace reel::internal {

// Inserts chunks into an in-process ChunkStore.
class MemorySink final : public Sink {
 public:
  explicit MemorySink(std::shared_ptr<ChunkStore> store) : store_(std::move(store)) {}
  Status begin(const StoreInfo& info) override;
  Status send(std::span<const ChunkPtr> chunks) override;
  const std::shared_ptr<ChunkStore>& store() const { return store_; }

 private:
  std::shared_ptr<ChunkStore> store_;
};

}  // namespace reel::internal
