// Event delivery: subscribers see every modification, in modification order, one call at a
// time, without the store's lock held (contract in reel/store/chunk_store.hpp).
#include "store/event_queue_internal.hpp"

#include "store/chunk_store_internal.hpp"

namespace reel {

namespace store::internal {

uint64_t EventQueue::subscribe(ChunkStore::Subscriber subscriber) {
  std::lock_guard lock(subscribers_mutex_);
  uint64_t id = next_subscriber_++;
  subscribers_.emplace(id, std::move(subscriber));
  return id;
}

void EventQueue::unsubscribe(uint64_t id) {
  std::lock_guard lock(subscribers_mutex_);
  subscribers_.erase(id);
}

uint64_t EventQueue::enqueue(const std::vector<ChunkStoreEvent>& events) {
  if (events.empty()) return 0;
  std::lock_guard lock(queue_mutex_);
  queue_.emplace_back(++enqueued_, events);
  return enqueued_;
}

void EventQueue::deliver(uint64_t seq) {
  if (seq == 0) return;
  static thread_local const EventQueue* delivering = nullptr;
  std::unique_lock lock(queue_mutex_);
  if (delivering == this) return;
  if (draining_) {
    queue_drained_.wait(lock, [&] { return delivered_ >= seq || !draining_; });
    if (delivered_ >= seq) return;
  }
  draining_ = true;
  delivering = this;
  while (!queue_.empty()) {
    auto [batch_seq, events] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    std::vector<ChunkStore::Subscriber> subs;
    {
      std::lock_guard sub_lock(subscribers_mutex_);
      for (const auto& [id, s] : subscribers_) subs.push_back(s);
    }
    for (const auto& s : subs) s(events);
    lock.lock();
    delivered_ = batch_seq;
    queue_drained_.notify_all();
  }
  draining_ = false;
  delivering = nullptr;
  queue_drained_.notify_all();
}

}  // namespace store::internal

uint64_t ChunkStore::subscribe(Subscriber subscriber) {
  return impl_->event_queue.subscribe(std::move(subscriber));
}

void ChunkStore::unsubscribe(uint64_t id) { impl_->event_queue.unsubscribe(id); }

}  // namespace reel
