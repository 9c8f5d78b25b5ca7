// RowId: the 128-bit identity and global order of a row.
//
// A RowId is (time_ns, inc): nanoseconds since the Unix epoch when it was generated, and a
// process-wide counter. Within a process, every generated RowId is unique and greater than
// every RowId whose generation finished before its own began, from any thread (calls that
// overlap in time may come out in either order). `inc` starts at a random value per process
// so that two processes starting in the same nanosecond still differ. RowIds order rows that
// share a time, and decide which static row wins. Generation is lock-free.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace reel {

struct RowId {
  uint64_t time_ns = 0;
  uint64_t inc = 0;

  // A fresh RowId. Thread-safe; reads the clock.
  static RowId create();
  // A fresh RowId stamped with the last time any thread read the clock for RowIds (see
  // `refresh_clock`): no clock read, one atomic increment. For per-row ids on hot paths; the
  // SDK's batcher refreshes the clock every flush tick.
  static RowId create_cached();
  // Advances the shared RowId clock to now.
  static void refresh_clock();
  // The first of `n` consecutive fresh RowIds: (t, inc), (t, inc+1), ... (t, inc+n-1).
  // Thread-safe; the block is not interleaved with any other caller's.
  static RowId reserve(uint64_t n);

  // The RowId `k` places after this one in a reserved block.
  RowId plus(uint64_t k) const { return {time_ns, inc + k}; }

  auto operator<=>(const RowId&) const = default;
  bool operator==(const RowId&) const = default;

  static constexpr RowId min() { return {0, 0}; }
  static constexpr RowId max() { return {~uint64_t{0}, ~uint64_t{0}}; }

  // 32 hex digits, time first: sorts like the RowId.
  std::string to_string() const;
};

// Chunk ids are drawn from the same generator.
using ChunkId = RowId;

}  // namespace reel

template <>
struct std::hash<reel::RowId> {
  size_t operator()(const reel::RowId& r) const noexcept {
    return std::hash<uint64_t>()(r.time_ns * 0x9E3779B97F4A7C15ull ^ r.inc);
  }
};
