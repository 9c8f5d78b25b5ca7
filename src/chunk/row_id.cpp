#include "reel/chunk/row_id.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>

namespace reel {

namespace {

// time_ns never decreases and inc is unique: (time_ns, inc) read in this order by one
// thread strictly increases, and a call that starts after another ended sees a time at least
// as late and a larger inc.
struct Generator {
  std::atomic<uint64_t> time_ns{0};
  std::atomic<uint64_t> inc;

  Generator() {
    std::random_device rd;
    // Random start in [0, 2^62) leaves room for 2^62 increments without overflow.
    inc.store(((uint64_t(rd()) << 32) ^ rd()) >> 2);
    refresh();
  }

  void refresh() {
    uint64_t now = uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
    uint64_t t = time_ns.load();
    while (now > t && !time_ns.compare_exchange_weak(t, now)) {
    }
  }

  RowId take(uint64_t n) {
    uint64_t t = time_ns.load();
    return {t, inc.fetch_add(n)};
  }
};

Generator& generator() {
  static Generator g;
  return g;
}

}  // namespace

RowId RowId::create() {
  Generator& g = generator();
  g.refresh();
  return g.take(1);
}

RowId RowId::create_cached() { return generator().take(1); }

void RowId::refresh_clock() { generator().refresh(); }

RowId RowId::reserve(uint64_t n) {
  Generator& g = generator();
  g.refresh();
  return g.take(n == 0 ? 1 : n);
}

std::string RowId::to_string() const {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(time_ns),
                static_cast<unsigned long long>(inc));
  return buf;
}

}  // namespace reel
