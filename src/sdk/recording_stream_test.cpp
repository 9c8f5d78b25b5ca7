#include "reel/sdk/recording_stream.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "reel/types/archetypes.hpp"

namespace reel {
namespace {

const ComponentDescriptor& scalar_desc() { return Scalars::fields()[0].descriptor; }

RecordingStreamOptions plain_options() {
  RecordingStreamOptions o;
  o.log_time = false;
  o.log_tick = false;
  o.batcher = BatcherConfig();  // defaults, not the environment
  return o;
}

// Collects what a stream sends, thread-safely.
struct Collector {
  std::mutex mutex;
  std::vector<ChunkPtr> chunks;
  std::shared_ptr<Sink> sink() {
    return std::make_shared<CallbackSink>([this](std::span<const ChunkPtr> c) {
      std::lock_guard lock(mutex);
      chunks.insert(chunks.end(), c.begin(), c.end());
    });
  }
  std::vector<ChunkPtr> snapshot() {
    std::lock_guard lock(mutex);
    return chunks;
  }
  int64_t rows() {
    int64_t n = 0;
    for (auto& c : snapshot()) n += c->num_rows();
    return n;
  }
};

std::vector<double> scalars_in_range(ChunkStore& store, const EntityPath& e, const std::string& tl) {
  std::vector<double> out;
  for (const auto& c : store.range({tl, {kTimeMin, kTimeMax}}, e, scalar_desc()).chunks) {
    const auto* col = c->component(scalar_desc());
    for (int64_t i = 0; i < c->num_rows(); ++i) {
      out.push_back(arrow::PrimitiveArray<double>(col->list.row_values(i)).value(0));
    }
  }
  return out;
}

TEST(RecordingStreamTest, LoggedScalarsReachTheMemoryStore) {
  RecordingStream rec("test", plain_options());
  auto store = rec.memory_store();
  for (int i = 0; i < 100; ++i) {
    rec.set_time_sequence("frame", i);
    rec.log("plots/sin", Scalars(i * 0.5));
  }
  rec.flush_blocking();
  auto values = scalars_in_range(*store, "/plots/sin", "frame");
  ASSERT_EQ(values.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(values[size_t(i)], i * 0.5);
  auto last = store->latest_at({"frame", 1000}, "/plots/sin", scalar_desc());
  ASSERT_TRUE(last);
  EXPECT_EQ(last->time, 99);
  EXPECT_EQ(store->info().application_id, "test");
  EXPECT_EQ(store->info().recording_id, rec.recording_id());
}

TEST(RecordingStreamTest, RecordingIdIsRandomUnlessGiven) {
  RecordingStream a("app"), b("app"), c("app", "my-run");
  EXPECT_NE(a.recording_id(), b.recording_id());
  EXPECT_EQ(a.recording_id().size(), 36u);
  EXPECT_EQ(c.recording_id(), "my-run");
}

TEST(RecordingStreamTest, DataLoggedBeforeASinkIsBuffered) {
  RecordingStream rec("test", plain_options());
  rec.set_time_sequence("frame", 1);
  rec.log("a", Scalars(1.0));
  rec.flush_blocking();  // cut with no sink attached yet
  rec.log("a", Scalars(2.0));
  auto store = rec.memory_store();
  rec.flush_blocking();
  EXPECT_EQ(scalars_in_range(*store, "/a", "frame"), (std::vector<double>{1.0, 2.0}));
}

TEST(RecordingStreamTest, FlushTickCutsWithoutAnExplicitFlush) {
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

TEST(RecordingStreamTest, FlushNumRowsCutsAtTheThreshold) {
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

TEST(RecordingStreamTest, FlushNumBytesCutsAtTheThreshold) {
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

TEST(RecordingStreamTest, EnvironmentConfiguresTheBatcher) {
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

TEST(RecordingStreamTest, UnsortedRowsAreSplitToTheUnsortedLimit) {
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

TEST(RecordingStreamTest, DestructorFlushes) {
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

TEST(RecordingStreamTest, TimeContextIsPerThread) {
  RecordingStream rec("test", plain_options());
  auto store = rec.memory_store();
  rec.set_time_sequence("frame", 1);
  std::thread other([&] {
    rec.set_time_sequence("frame", 2);
    rec.log("b", Scalars(2.0));
  });
  other.join();
  rec.log("a", Scalars(1.0));
  rec.flush_blocking();
  EXPECT_EQ(store->latest_at({"frame", 100}, "/a", scalar_desc())->time, 1);
  EXPECT_EQ(store->latest_at({"frame", 100}, "/b", scalar_desc())->time, 2);
}

TEST(RecordingStreamTest, DisableTimelineAndResetTime) {
  RecordingStream rec("test", plain_options());
  auto store = rec.memory_store();
  rec.set_time_sequence("frame", 1);
  rec.set_time_duration_secs("sim", 1.5);
  rec.log("a", Scalars(1.0));
  rec.disable_timeline("sim");
  rec.log("b", Scalars(2.0));
  rec.reset_time();
  rec.log("c", Scalars(3.0));
  rec.flush_blocking();
  EXPECT_EQ(store->latest_at({"sim", kTimeMax}, "/a", scalar_desc())->time, 1'500'000'000);
  EXPECT_FALSE(store->latest_at({"sim", kTimeMax}, "/b", scalar_desc()));
  EXPECT_TRUE(store->latest_at({"frame", kTimeMax}, "/b", scalar_desc()));
  // No timeline at all: the row is static.
  auto c = store->latest_at({"anything", 0}, "/c", scalar_desc());
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->is_static);
}

TEST(RecordingStreamTest, TimestampAndDurationSetters) {
  RecordingStream rec("test", plain_options());
  auto store = rec.memory_store();
  rec.set_time_timestamp_secs_since_epoch("wall", 1700000000.25);
  rec.set_time_duration_nanos("dur", 42);
  rec.log("a", Scalars(1.0));
  rec.set_time_timestamp_nanos_since_epoch("wall", 5);
  rec.log("b", Scalars(1.0));
  rec.flush_blocking();
  EXPECT_EQ(store->latest_at({"wall", kTimeMax}, "/a", scalar_desc())->time, 1700000000250000000);
  EXPECT_EQ(store->latest_at({"dur", kTimeMax}, "/a", scalar_desc())->time, 42);
  EXPECT_EQ(store->latest_at({"wall", kTimeMax}, "/b", scalar_desc())->time, 5);
  auto timelines = store->timelines();
  ASSERT_EQ(timelines.size(), 2u);
  EXPECT_EQ(timelines[0], Timeline::duration("dur"));
  EXPECT_EQ(timelines[1], Timeline::timestamp("wall"));
}

TEST(RecordingStreamTest, LogTimeAndLogTickAreStampedByDefault) {
  RecordingStreamOptions options;
  options.batcher = BatcherConfig();
  RecordingStream rec("test", options);
  auto store = rec.memory_store();
  rec.set_time_sequence("frame", 1);
  rec.log("a", Scalars(1.0));
  rec.log("a", Scalars(2.0));
  rec.flush_blocking();
  auto ticks = store->range({"log_tick", {kTimeMin, kTimeMax}}, "/a", scalar_desc());
  ASSERT_EQ(ticks.num_rows(), 2);
  const TimeColumn* tick = ticks.chunks[0]->timeline("log_tick");
  ASSERT_NE(tick, nullptr);
  EXPECT_LT((*tick)[0], (*tick)[1]);
  auto lt = store->latest_at({"log_time", kTimeMax}, "/a", scalar_desc());
  ASSERT_TRUE(lt);
  EXPECT_GT(lt->time, 1'600'000'000'000'000'000);  // nanoseconds since the epoch, recent
  // Static rows get no automatic timelines.
  rec.log_static("s", Scalars(1.0));
  rec.flush_blocking();
  EXPECT_TRUE(store->latest_at({"log_tick", 0}, "/s", scalar_desc())->is_static);
}

TEST(RecordingStreamTest, ChangingTimelinesKeepsLogOrder) {
  RecordingStream rec("test", plain_options());
  auto store = rec.memory_store();
  rec.set_time_sequence("frame", 5);
  rec.log("a", Scalars(1.0));
  rec.set_time_sequence("other", 1);  // a new timeline set for the same entity
  rec.log("a", Scalars(2.0));
  rec.disable_timeline("other");
  rec.log("a", Scalars(3.0));
  rec.flush_blocking();
  // All three share frame=5: the last logged has the greatest RowId and wins.
  auto r = store->latest_at({"frame", 5}, "/a", scalar_desc());
  ASSERT_TRUE(r);
  EXPECT_EQ(arrow::PrimitiveArray<double>(r->instances(scalar_desc())).value(0), 3.0);
  EXPECT_EQ(scalars_in_range(*store, "/a", "frame"), (std::vector<double>{1, 2, 3}));
}

TEST(RecordingStreamTest, ConcurrentLoggingFromEightThreadsLosesNothingAndKeepsOrder) {
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
  for (const auto& c : store->range({"thread", {kTimeMin, kTimeMax}}, "/shared", scalar_desc()).chunks) {
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
    for (int i = 0; i < kRows; ++i) ASSERT_EQ(rows[size_t(i)].second, t * 1e6 + i) << "thread " << t;
  }
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(scalars_in_range(*store, EntityPath("/own/" + std::to_string(t)), "thread").size(),
              size_t(kRows));
  }
}

// Threads that log and exit (while the batcher ticks) lose nothing; a thread that logs
// again after its tables went idle gets new ones.
TEST(RecordingStreamTest, ConcurrentShortLivedThreadsLoseNothing) {
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

TEST(RecordingStreamTest, ConcurrentFlushesAndLogging) {
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

TEST(RecordingStreamTest, BackpressureDeliversEverythingInOrderThroughASlowSink) {
  auto options = plain_options();
  options.batcher.flush_num_rows = 10;
  options.batcher.max_bytes_in_flight = 1;  // every cut waits for the sink
  RecordingStream rec("test", options);
  std::vector<double> seen;
  std::mutex m;
  rec.set_sink(std::make_shared<CallbackSink>([&](std::span<const ChunkPtr> chunks) {
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

TEST(RecordingStreamTest, SendColumnsMakesOneChunkWithoutTheBatcher) {
  RecordingStream rec("test", plain_options());
  Collector collector;
  rec.set_sink(collector.sink());
  std::vector<int64_t> steps = {0, 1, 2, 3};
  std::vector<double> values = {0.5, 1.5, 2.5, 3.5};
  rec.send_columns("plots/x", {TimeColumn::sequence("step", steps)}, Scalars::columns(values));
  rec.flush_blocking();
  auto chunks = collector.snapshot();
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0]->num_rows(), 4);
  EXPECT_TRUE(chunks[0]->row_ids().is_consecutive());
  EXPECT_TRUE(chunks[0]->component(scalar_desc())->list.is_unit());
  EXPECT_EQ(chunks[0]->timelines().size(), 1u);  // no log_time/log_tick, no time context
}

// 80 MiB of scalars in one call arrive as chunks of at most 64 MiB, every row once, in order.
TEST(RecordingStreamTest, SendColumnsSplitsVeryLargeCalls) {
  RecordingStream rec("test", plain_options());
  Collector collector;
  rec.set_sink(collector.sink());
  const int64_t n = 80 * (1 << 20) / 16;
  std::vector<int64_t> steps(static_cast<size_t>(n));
  std::vector<double> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) steps[size_t(i)] = i, values[size_t(i)] = double(i);
  rec.send_columns("plots/x", {TimeColumn::sequence("step", steps)}, Scalars::columns(values));
  rec.flush_blocking();
  auto chunks = collector.snapshot();
  ASSERT_GE(chunks.size(), 2u);
  int64_t next = 0;
  for (const auto& c : chunks) {
    EXPECT_LE(c->num_rows() * 16, int64_t(64) << 20);  // 8-byte time + 8-byte value per row
    EXPECT_EQ(c->timelines()[0][0], next);
    next += c->num_rows();
  }
  EXPECT_EQ(next, n);
}

TEST(RecordingStreamTest, SendColumnsWithoutTimeColumnsIsStatic) {
  RecordingStream rec("test", plain_options());
  auto store = rec.memory_store();
  std::vector<double> values = {7.0};
  rec.send_columns("a", {}, Scalars::columns(values));
  rec.flush_blocking();
  auto r = store->latest_at({"whatever", 0}, "/a", scalar_desc());
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->is_static);
}

TEST(RecordingStreamTest, SendColumnsRejectsMismatchedLengths) {
  RecordingStream rec("test", plain_options());
  std::vector<int64_t> steps = {0, 1, 2};
  std::vector<double> values = {0.5, 1.5};
  Status st = rec.try_send_columns("plots/x", {TimeColumn::sequence("step", steps)},
                                   Scalars::columns(values));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalid);
  EXPECT_NE(st.message().find("plots/x"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("Scalars:scalars"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("2 rows"), std::string::npos) << st.message();
}

TEST(RecordingStreamTest, LogFailuresGoToTheErrorHandler) {
  std::vector<std::string> errors;
  std::mutex m;
  set_error_handler([&](const Status& s) {
    std::lock_guard lock(m);
    errors.push_back(s.message());
  });
  RecordingStream rec("test", plain_options());
  std::vector<Position3D> three(3);
  std::vector<Radius> two(2, Radius(0.1f));
  rec.log("pts", Points3D(three).with_radii(two));  // must not throw or abort
  set_error_handler(nullptr);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("Points3D"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("pts"), std::string::npos) << errors[0];
}

TEST(RecordingStreamTest, ComponentGivenTwiceIsAnError) {
  RecordingStream rec("test", plain_options());
  Status st = rec.try_log("a", Scalars(1.0), Scalars(2.0));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("given twice"), std::string::npos) << st.message();
}

TEST(RecordingStreamTest, TypeConflictIsAnErrorAndKeepsEarlierRows) {
  RecordingStream rec("test", plain_options());
  auto store = rec.memory_store();
  ComponentDescriptor d("Custom", "value", "my.Value");
  std::vector<float> f = {1.0f};
  std::vector<double> g = {2.0};
  rec.set_time_sequence("frame", 0);
  ASSERT_TRUE(rec.try_log("a", LooseBatch{[&] {
                            ComponentBatch b;
                            b.descriptor = d;
                            b.type = &arrow::float32();
                            b.num_instances = 1;
                            b.data = f.data();
                            b.width = 4;
                            return b;
                          }()}).ok());
  Status st = rec.try_log("a", LooseBatch{[&] {
                            ComponentBatch b;
                            b.descriptor = d;
                            b.type = &arrow::float64();
                            b.num_instances = 1;
                            b.data = g.data();
                            b.width = 8;
                            return b;
                          }()});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kTypeError);
  rec.flush_blocking();
  auto r = store->latest_at({"frame", 0}, "/a", d);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->instances(d)->type->id(), arrow::TypeId::kFloat32);
}

TEST(RecordingStreamTest, ColumnsAbsentInSomeRowsAreNull) {
  RecordingStream rec("test", plain_options());
  auto store = rec.memory_store();
  std::vector<Position3D> p = {{1, 2, 3}};
  rec.set_time_sequence("frame", 0);
  rec.log("pts", Points3D(p).with_colors(Color(255, 0, 0)));
  rec.set_time_sequence("frame", 1);
  rec.log("pts", Points3D(p));
  rec.flush_blocking();
  const auto& colors = Points3D::fields()[2].descriptor;
  auto r = store->latest_at({"frame", 1}, "/pts", colors);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->time, 0);  // the color is not repeated in the row that did not log it
  auto chunk = store->chunks()[0];
  EXPECT_EQ(chunk->num_rows(), 2);
  EXPECT_EQ(chunk->component(colors)->list.null_count(), 1);
}

TEST(RecordingStreamTest, GlobalStream) {
  EXPECT_EQ(RecordingStream::global(), nullptr);
  auto rec = std::make_shared<RecordingStream>("global", plain_options());
  RecordingStream::set_global(rec);
  EXPECT_EQ(RecordingStream::global()->application_id(), "global");
  RecordingStream::set_global(nullptr);
}

}  // namespace
}  // namespace reel
