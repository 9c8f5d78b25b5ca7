// ChunkStore as a whole: duplicate inserts, readers concurrent with a writer.
#include "reel/store/chunk_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/test_util_internal.hpp"

namespace reel {
namespace {

using namespace store::testing;

TEST(ChunkStoreTest, DuplicateChunkIsIgnored) {
  ChunkStore store;
  auto a = scalar_chunk("/a", {{RowId::create(), 1, 1.0}});
  ASSERT_TRUE(store.insert(a).ok());
  auto again = store.insert(a);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(store.range(between(0, 5), "/a", kScalar).num_rows(), 1);
}

// ---------------------------------------------------------------------------------------
// Concurrency: readers run while a writer inserts (run under ThreadSanitizer in CI).

TEST(ChunkStoreTest, ConcurrentReadersWhileOneWriterInserts) {
  ChunkStore store;
  std::atomic<bool> done{false};
  std::atomic<int64_t> last_written{-1};
  std::vector<std::thread> readers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!done.load()) {
        int64_t w = last_written.load();
        if (w < 0) continue;
        // Every frame written before we looked must be visible and exact.
        auto r = store.latest_at(at(w), "/a", kScalar);
        if (!r || r->time < w || value_of(*r) != double(r->time)) ++failures;
        auto range = store.range(between(0, w), "/a", kScalar);
        if (range.num_rows() < w + 1) ++failures;
        (void)store.stats();
      }
    });
  }
  for (int frame = 0; frame < 3000; ++frame) {
    ASSERT_TRUE(store.insert(scalar_chunk("/a", {{RowId::create(), frame, double(frame)}})).ok());
    last_written = frame;
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store.range(between(0, 5000), "/a", kScalar).num_rows(), 3000);
}

}  // namespace
}  // namespace reel
