// Memory for ingest messages being decompressed and decoded, shared by every SDK client of a
// server (issue 13, item 8): a client's message takes its share before it is decompressed
// and gives it back once its chunk is in the store (which then accounts for it).
//
// Without it, 16 clients each sending a 529 KB zstd message that declares a 200 MiB payload
// made a 200 MB server allocate 3.2 GB at once. A message that needs more than the whole
// budget is refused; one that does not fit now waits for the others, for a bounded time.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "reel/status.hpp"

namespace reel::server::internal {

class DecodeBudget {
 public:
  // `capacity` bytes; 0: unlimited (reservations always succeed at once).
  explicit DecodeBudget(uint64_t capacity) : capacity_(capacity) {}

  // The budget for a server whose store has `memory_limit` (0: none) when the option is 0:
  // a quarter of the limit, at least 16 MiB; unlimited without a memory limit.
  static uint64_t default_capacity(uint64_t memory_limit);
  // What decoding a message costs at most: its stored bytes, the decompressed payload and the
  // chunk copied out of it.
  static uint64_t message_cost(uint64_t stored_bytes, uint64_t payload_bytes, bool compressed);

  // Takes `bytes`, waiting up to `wait` for others to give theirs back. CapacityError when
  // `bytes` is over the whole budget (at once) or did not fit in time; the message says which.
  Status acquire(uint64_t bytes, std::chrono::milliseconds wait);
  void release(uint64_t bytes);

  uint64_t capacity() const { return capacity_; }
  uint64_t in_use() const;
  // The most ever in use at once (for tests and /api/info).
  uint64_t peak() const;

 private:
  const uint64_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  uint64_t in_use_ = 0;
  uint64_t peak_ = 0;
};

// A reservation given back when it goes out of scope.
class DecodeReservation {
 public:
  DecodeReservation() = default;
  DecodeReservation(DecodeBudget* budget, uint64_t bytes) : budget_(budget), bytes_(bytes) {}
  DecodeReservation(const DecodeReservation&) = delete;
  DecodeReservation& operator=(const DecodeReservation&) = delete;
  ~DecodeReservation() {
    if (budget_) budget_->release(bytes_);
  }

 private:
  DecodeBudget* budget_ = nullptr;
  uint64_t bytes_ = 0;
};

}  // namespace reel::server::internal
