// The micro-batcher: when rows are cut into chunks, from many threads, under backpressure.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "reel/sdk/recording_stream.hpp"
#include "reel/types/archetypes.hpp"
#include "sdk/test_util_internal.hpp"

namespace reel {
namespace {

using test::Collector;
using test::plain_options;
using test::scalar_desc;
using test::scalars_in_range;

TEST(BatcherTest, FlushTickCutsWithoutAnExplicitFlush) {
  auto options = plain_options();
  options.batcher.flush_tick_secs = 0.005;
  RecordingStream rec("test", options);
  Collector collector;
  rec.set_sink(collector.sink());
  rec.set_time_sequence("frame", 1);
  rec.log("a", Scalars(1.0));
  // No flush: the tick must deliver it. Poll generously (a slow CI machine is fine).
  for (int i = 0; i < 1000 && collector.rows() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(collector.rows(), 1);
}

TEST(BatcherTest, FlushNumRowsCutsAtTheThreshold) {
  auto options = plain_options();
  options.batcher.flush_tick_secs = 1000;  // never, within this test
  options.batcher.flush_num_rows = 10;
  RecordingStream rec("test", options);
  Collector collector;
  rec.set_sink(collector.sink());
  for (int i = 0; i < 35; ++i) {
    rec.set_time_sequence("frame", i);
    rec.log("a", Scalars(i));
  }
  for (int i = 0; i < 1000 && collector.rows() < 30; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto chunks = collector.snapshot();
  ASSERT_EQ(chunks.size(), 3u);
  for (const auto& c : chunks) EXPECT_EQ(c->num_rows(), 10);
  rec.flush_blocking();
  chunks = collector.snapshot();
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[3]->num_rows(), 5);
}

TEST(BatcherTest, FlushNumBytesCutsAtTheThreshold) {
  auto options = plain_options();
  options.batcher.flush_tick_secs = 1000;
  options.batcher.flush_num_bytes = 100 * 8;  // roughly 30-50 scalar rows
  RecordingStream rec("test", options);
  Collector collector;
  rec.set_sink(collector.sink());
  for (int i = 0; i < 1000; ++i) {
    rec.set_time_sequence("frame", i);
    rec.log("a", Scalars(i));
  }
  rec.flush_blocking();
  auto chunks = collector.snapshot();
  EXPECT_GT(chunks.size(), 10u);
  int64_t total = 0;
  for (const auto& c : chunks) {
    EXPECT_LE(c->num_rows(), 100);
    total += c->num_rows();
  }
  EXPECT_EQ(total, 1000);
}

TEST(BatcherTest, EnvironmentConfiguresTheBatcher) {
  setenv("REEL_FLUSH_TICK_SECS", "0.25", 1);
  setenv("REEL_FLUSH_NUM_BYTES", "4096", 1);
  setenv("REEL_FLUSH_NUM_ROWS", "64", 1);
  setenv("REEL_CHUNK_MAX_ROWS_IF_UNSORTED", "32", 1);
  auto c = BatcherConfig::from_env();
  unsetenv("REEL_FLUSH_TICK_SECS");
  unsetenv("REEL_FLUSH_NUM_BYTES");
  unsetenv("REEL_FLUSH_NUM_ROWS");
  unsetenv("REEL_CHUNK_MAX_ROWS_IF_UNSORTED");
  EXPECT_EQ(c.flush_tick_secs, 0.25);
  EXPECT_EQ(c.flush_num_bytes, 4096u);
  EXPECT_EQ(c.flush_num_rows, 64u);
  EXPECT_EQ(c.chunk_max_rows_if_unsorted, 32u);
  auto d = BatcherConfig::from_env();
  EXPECT_EQ(d.flush_tick_secs, 0.008);
  EXPECT_EQ(d.flush_num_bytes, 1u << 20);
}

TEST(BatcherTest, UnsortedRowsAreSplitToTheUnsortedLimit) {
  auto options = plain_options();
  options.batcher.flush_tick_secs = 1000;
  options.batcher.chunk_max_rows_if_unsorted = 100;
  RecordingStream rec("test", options);
  Collector collector;
  rec.set_sink(collector.sink());
  for (int i = 0; i < 450; ++i) {
    rec.set_time_sequence("frame", 1000 - i);  // backwards in time
    rec.log("a", Scalars(i));
  }
  rec.flush_blocking();
  auto chunks = collector.snapshot();
  ASSERT_EQ(chunks.size(), 5u);
  for (const auto& c : chunks) EXPECT_LE(c->num_rows(), 100);
  // Sorted rows are not split.
  for (int i = 0; i < 450; ++i) {
    rec.set_time_sequence("frame", i);
    rec.log("b", Scalars(i));
  }
  rec.flush_blocking();
  EXPECT_EQ(collector.snapshot().size(), 6u);
}

TEST(BatcherTest, DestructorFlushes) {
  Collector collector;
  {
    auto options = plain_options();
    options.batcher.flush_tick_secs = 1000;
    RecordingStream rec("test", options);
    rec.set_sink(collector.sink());
    for (int i = 0; i < 10; ++i) rec.log_static("a", Scalars(i));
  }
  EXPECT_EQ(collector.rows(), 10);
}

TEST(BatcherTest, ConcurrentLoggingFromEightThreadsLosesNothingAndKeepsOrder) {
  auto options = plain_options();
  options.batcher.flush_num_rows = 500;  // exercise threshold cuts from many threads
  RecordingStream rec("test", options);
  auto store = rec.memory_store();
  constexpr int kThreads = 8;
  constexpr int kRows = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      rec.set_time_sequence("thread", t);
      for (int i = 0; i < kRows; ++i) {
        rec.log("shared", Scalars(t * 1e6 + i));
        rec.log("own/" + std::to_string(t), Scalars(i));
      }
    });
  }
  for (auto& th : threads) th.join();
  rec.flush_blocking();
  // Every row arrived, and per thread the RowId order is the logging order.
  std::map<int, std::vector<std::pair<RowId, double>>> by_thread;
  for (const auto& c :
       store->range({"thread", {kTimeMin, kTimeMax}}, "/shared", scalar_desc()).chunks) {
    const auto* col = c->component(scalar_desc());
    const TimeColumn* tc = c->timeline("thread");
    for (int64_t i = 0; i < c->num_rows(); ++i) {
      by_thread[int((*tc)[i])].push_back(
          {c->row_id(i), arrow::PrimitiveArray<double>(col->list.row_values(i)).value(0)});
    }
  }
  ASSERT_EQ(by_thread.size(), size_t(kThreads));
  for (auto& [t, rows] : by_thread) {
    ASSERT_EQ(rows.size(), size_t(kRows)) << "thread " << t;
    std::sort(rows.begin(), rows.end());
    for (int i = 0; i < kRows; ++i)
      ASSERT_EQ(rows[size_t(i)].second, t * 1e6 + i) << "thread " << t;
  }
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(scalars_in_range(*store, EntityPath("/own/" + std::to_string(t)), "thread").size(),
              size_t(kRows));
  }
}

// Threads that log and exit (while the batcher ticks) lose nothing; a thread that logs
// again after its tables went idle gets new ones.
TEST(BatcherTest, ConcurrentShortLivedThreadsLoseNothing) {
  auto options = plain_options();
  options.batcher.flush_tick_secs = 0.0005;
  RecordingStream rec("test", options);
  auto store = rec.memory_store();
  constexpr int kRounds = 40, kThreads = 4, kRows = 25;
  rec.set_time_sequence("step", -2);
  rec.log("e0", Scalars(-2.0));
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t, round] {
        rec.set_time_sequence("step", round * kThreads + t);
        for (int i = 0; i < kRows; ++i) rec.log("e" + std::to_string(i % 5), Scalars(i));
      });
    }
    for (auto& th : threads) th.join();
  }
  // A long-lived thread idle for more than 64 ticks logs again.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  rec.set_time_sequence("step", -1);
  rec.log("e0", Scalars(-1.0));
  rec.flush_blocking();
  size_t rows = 0;
  for (int e = 0; e < 5; ++e) {
    rows += scalars_in_range(*store, EntityPath("/e" + std::to_string(e)), "step").size();
  }
  EXPECT_EQ(rows, size_t(kRounds * kThreads * kRows + 2));
}

TEST(BatcherTest, ConcurrentFlushesAndLogging) {
  RecordingStream rec("test", plain_options());
  auto store = rec.memory_store();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        rec.set_time_sequence("i", i);
        rec.log("t" + std::to_string(t), Scalars(i));
        if (i % 100 == 0) rec.flush_blocking();
      }
      rec.flush_blocking();
      // Everything this thread logged is visible after its own flush.
      EXPECT_EQ(scalars_in_range(*store, EntityPath("/t" + std::to_string(t)), "i").size(), 500u);
    });
  }
  for (auto& th : threads) th.join();
}

TEST(BatcherTest, BackpressureDeliversEverythingInOrderThroughASlowSink) {
  auto options = plain_options();
  options.batcher.flush_num_rows = 10;
  options.batcher.max_bytes_in_flight = 1;  // every cut waits for the sink
  RecordingStream rec("test", options);
  std::vector<double> seen;
  std::mutex m;
  rec.set_sink(make_callback_sink([&](std::span<const ChunkPtr> chunks) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::lock_guard lock(m);
    for (const auto& c : chunks) {
      const auto* col = c->component(scalar_desc());
      for (int64_t i = 0; i < c->num_rows(); ++i) {
        seen.push_back(arrow::PrimitiveArray<double>(col->list.row_values(i)).value(0));
      }
    }
  }));
  for (int i = 0; i < 300; ++i) {
    rec.set_time_sequence("frame", i);
    rec.log("a", Scalars(i));
  }
  rec.flush_blocking();
  std::lock_guard lock(m);
  ASSERT_EQ(seen.size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(seen[size_t(i)], i);
}

}  // namespace
}  // namespace reel
