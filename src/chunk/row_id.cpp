#include "reel/chunk/row_id.hpp"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>

namespace reel {

namespace {

struct Generator {
  std::mutex mutex;
  uint64_t last_time_ns = 0;
  uint64_t inc;

  Generator() {
    std::random_device rd;
    // Random start in [0, 2^62) leaves room for 2^62 increments without overflow.
    inc = ((uint64_t(rd()) << 32) ^ rd()) >> 2;
  }

  RowId reserve(uint64_t n) {
    uint64_t now = uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
    std::lock_guard lock(mutex);
    // time never goes back, inc always goes forward: (time, inc) strictly increases.
    if (now > last_time_ns) last_time_ns = now;
    RowId first{last_time_ns, inc};
    inc += n;
    return first;
  }
};

Generator& generator() {
  static Generator g;
  return g;
}

}  // namespace

RowId RowId::create() { return generator().reserve(1); }

RowId RowId::reserve(uint64_t n) { return generator().reserve(n == 0 ? 1 : n); }

std::string RowId::to_string() const {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(time_ns),
                static_cast<unsigned long long>(inc));
  return buf;
}

}  // namespace reel
