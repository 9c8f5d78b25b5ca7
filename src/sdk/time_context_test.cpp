// The time context: per thread and per stream, automatic log_time / log_tick.
#include <gtest/gtest.h>

#include <thread>

#include "reel/sdk/recording_stream.hpp"
#include "reel/types/archetypes.hpp"
#include "sdk/test_util_internal.hpp"

namespace reel {
namespace {

using test::plain_options;
using test::scalar_desc;
using test::scalars_in_range;

TEST(TimeContextTest, TimeContextIsPerThread) {
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

TEST(TimeContextTest, DisableTimelineAndResetTime) {
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

TEST(TimeContextTest, TimestampAndDurationSetters) {
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

TEST(TimeContextTest, LogTimeAndLogTickAreStampedByDefault) {
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

TEST(TimeContextTest, ChangingTimelinesKeepsLogOrder) {
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

}  // namespace
}  // namespace reel
