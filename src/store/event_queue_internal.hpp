// EventQueue: delivers a store's events to its subscribers in modification order, one call at
// a time, without the store's lock held. Private to the store module.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "reel/store/chunk_store.hpp"
#include "reel/store/events.hpp"

namespace reel::store::internal {

// Batches wait in the queue (appended under the store's write lock, so in modification
// order) and are delivered by one thread at a time, with no store lock held: a subscriber
// may query the store and insert into it. Thread-safe; its locks are its own.
class EventQueue {
 public:
  uint64_t subscribe(ChunkStore::Subscriber subscriber);
  void unsubscribe(uint64_t id);

  // Called with the store's write lock held: queues the events in modification order.
  // Returns the batch's sequence number (0 for no events).
  uint64_t enqueue(const std::vector<ChunkStoreEvent>& events);

  // Called with no store lock held: delivers queued events, then returns once batch `seq`
  // was delivered. A thread inside a subscriber (an insert from a subscriber) returns at
  // once: its events follow when the current delivery ends, still in order.
  void deliver(uint64_t seq);

 private:
  std::mutex queue_mutex_;
  std::condition_variable queue_drained_;
  std::deque<std::pair<uint64_t, std::vector<ChunkStoreEvent>>> queue_;
  uint64_t enqueued_ = 0;   // batches
  uint64_t delivered_ = 0;  // batches
  bool draining_ = false;
  std::mutex subscribers_mutex_;
  std::map<uint64_t, ChunkStore::Subscriber> subscribers_;
  uint64_t next_subscriber_ = 1;
};

}  // namespace reel::store::internal
