#include "server/decode_budget_internal.hpp"

#include <algorithm>
#include <string>

namespace reel::server::internal {

uint64_t DecodeBudget::default_capacity(uint64_t memory_limit) {
  if (memory_limit == 0) return 0;
  return std::max<uint64_t>(memory_limit / 4, 16ull << 20);
}

uint64_t DecodeBudget::message_cost(uint64_t stored_bytes, uint64_t payload_bytes,
                                    bool compressed) {
  return stored_bytes + payload_bytes + (compressed ? payload_bytes : 0);
}

Status DecodeBudget::acquire(uint64_t bytes, std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  if (capacity_ == 0) {
    in_use_ += bytes;
    peak_ = std::max(peak_, in_use_);
    return Status::OK();
  }
  if (bytes > capacity_) {
    return Status::CapacityError("decoding it needs " + std::to_string(bytes) +
                                 " bytes, more than the server's decode budget of " +
                                 std::to_string(capacity_) +
                                 " bytes (a quarter of --memory-limit)");
  }
  if (!freed_.wait_for(lock, wait, [&] { return in_use_ + bytes <= capacity_; })) {
    return Status::CapacityError("decoding it needs " + std::to_string(bytes) + " bytes and " +
                                 std::to_string(in_use_) + " of the server's decode budget of " +
                                 std::to_string(capacity_) + " bytes stayed in use for " +
                                 std::to_string(wait.count()) + " ms");
  }
  in_use_ += bytes;
  peak_ = std::max(peak_, in_use_);
  return Status::OK();
}

void DecodeBudget::release(uint64_t bytes) {
  {
    std::lock_guard lock(mutex_);
    in_use_ -= std::min(bytes, in_use_);
  }
  freed_.notify_all();
}

uint64_t DecodeBudget::in_use() const {
  std::lock_guard lock(mutex_);
  return in_use_;
}

uint64_t DecodeBudget::peak() const {
  std::lock_guard lock(mutex_);
  return peak_;
}

}  // namespace reel::server::internal
