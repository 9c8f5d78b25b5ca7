// The sinks of one stream, and the chunks cut before the first sink was attached.
//
// Thread safety: every method may be called from any thread; send() and flush() run on the
// batcher thread (or the thread calling flush_blocking), attach() from set_sink / add_sink /
// save / connect / memory_store. Sinks are called under the set's lock, so one at a time.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "reel/chunk/chunk.hpp"
#include "reel/chunk/store_info.hpp"
#include "reel/sdk/sink.hpp"
#include "reel/store/chunk_store.hpp"

namespace reel::internal {

class SinkSet {
 public:
  explicit SinkSet(StoreInfo info) : info_(std::move(info)) {}

  enum class Attach {
    kAdd,                // next to the other sinks
    kReplaceAll,         // instead of every other sink, the embedded store's included
    kReplaceKeepMemory,  // instead of every other sink except the embedded store's
  };
  // Calls the sink's begin(), hands it the buffered chunks, then attaches it. Sinks that
  // were replaced are destroyed (a file sink writes its footer) after the lock is released.
  void attach(std::shared_ptr<Sink> sink, Attach mode);

  // The embedded store, or null before set_memory_store.
  std::shared_ptr<ChunkStore> memory_store();
  // Makes `store` the embedded store and attaches a memory sink for it (kAdd).
  void set_memory_store(std::shared_ptr<ChunkStore> store);

  // Hands chunks to every sink, or buffers them while there is none. Errors go to the error
  // handler.
  void send(std::vector<ChunkPtr>& chunks);
  // Every sink's flush(): the first failure is returned (a data-loss report first), the
  // others go to the error handler.
  Status flush();

 private:
  const StoreInfo info_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<Sink>> sinks_;
  std::vector<ChunkPtr> buffered_;  // before any sink
  std::shared_ptr<ChunkStore> memory_store_;
};

}  // namespace reel::internal
