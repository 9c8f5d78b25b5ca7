// RecordingStream: what log / send_columns accept and what reaches the sinks.
#include "reel/sdk/recording_stream.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "reel/types/archetypes.hpp"
#include "sdk/test_util_internal.hpp"

namespace reel {
namespace {

using test::Collector;
using test::plain_options;
using test::scalar_desc;
using test::scalars_in_range;

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
                          }()})
                  .ok());
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
  const auto& colors = Points3D::descriptor_colors();
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

namespace reel {
namespace {

TEST(RecordingStreamTimelineTest, ATimelineKeepsItsFirstTypeForTheRecording) {
  // Issue 13, item 5: "t" as a sequence, then as a duration, wrote a recording that readers
  // refused whole. The second type is refused at set_time; the context stays as it was.
  std::vector<std::string> errors;
  set_error_handler([&](const Status& s) { errors.push_back(s.to_string()); });
  RecordingStream rec("test", test::plain_options());
  auto store = rec.memory_store();
  rec.set_time_sequence("t", 1);
  rec.log("a", Scalars(1.0));
  Status st = rec.try_set_time("t", TimeType::kDuration, 5);
  ASSERT_EQ(st.code(), StatusCode::kTypeError);
  EXPECT_EQ(st.message(),
            "timeline 't' is a sequence timeline in this recording: it cannot also be set as a "
            "duration (use another timeline name)");
  rec.set_time_duration_secs("t", 2.0);  // the same, through the error handler
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("timeline 't' is a sequence timeline"), std::string::npos);
  rec.log("b", Scalars(2.0));  // still at sequence 1
  // Another thread, and send_columns, are held to it as well.
  std::thread other([&] {
    EXPECT_EQ(rec.try_set_time("t", TimeType::kTimestamp, 7).code(), StatusCode::kTypeError);
  });
  other.join();
  std::vector<int64_t> times = {3};
  Status columns = rec.try_send_columns("c", {TimeColumn::duration_nanos("t", times)},
                                        Scalars::columns(std::vector<double>{3.0}));
  EXPECT_EQ(columns.code(), StatusCode::kTypeError);
  EXPECT_NE(columns.message().find("send_columns to 'c'"), std::string::npos) << columns.message();
  rec.flush_blocking();
  set_error_handler(nullptr);
  auto b = store->latest_at({"t", kTimeMax}, "/b", Scalars::descriptor_scalars());
  ASSERT_TRUE(b);
  EXPECT_EQ(b->time, 1);
  EXPECT_EQ(store->stats().num_rows, 2);
  // The automatic timelines are claimed by the stream that stamps them.
  RecordingStream stamped("test");
  EXPECT_EQ(stamped.try_set_time("log_time", TimeType::kSequence, 1).code(),
            StatusCode::kTypeError);
  EXPECT_TRUE(stamped.try_set_time("log_tick", TimeType::kSequence, 1).ok());
}

}  // namespace
}  // namespace reel
