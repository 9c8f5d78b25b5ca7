// Pending tables through the stream: large owned batches (vectors moved into `log`) are
// referenced by the chunk instead of copied, and the logged values stay exact whatever the
// caller does with its memory after `log` returns.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "reel/sdk/recording_stream.hpp"
#include "reel/types/archetypes.hpp"
#include "sdk/test_util_internal.hpp"

namespace reel {
namespace {

using test::Collector;
using test::plain_options;

constexpr size_t kPoints = 100'000;  // 1.2 MB of positions: over the batcher's 1 MiB flush size

// The expected values, computed here and never read from reel.
Position3D position_at(size_t i, int frame) {
  return {float(i), float(frame), float(i % 7) * 0.5f};
}
Color color_at(size_t i, int frame) { return Color(uint32_t(i * 2654435761u) ^ uint32_t(frame)); }

std::vector<Position3D> make_positions(int frame) {
  std::vector<Position3D> p(kPoints);
  for (size_t i = 0; i < kPoints; ++i) p[i] = position_at(i, frame);
  return p;
}
std::vector<Color> make_colors(int frame) {
  std::vector<Color> c(kPoints);
  for (size_t i = 0; i < kPoints; ++i) c[i] = color_at(i, frame);
  return c;
}

// Where the positions of `row` start (x, y, z floats) in a chunk's column.
const float* positions_of(const Chunk& chunk, int64_t row) {
  const auto* col = chunk.component(Points3D::descriptor_positions());
  EXPECT_NE(col, nullptr);
  const arrow::ArrayData& list = *col->list.values();
  const arrow::ArrayData& floats = *list.children[0];
  return floats.buffers[1]->data_as<float>() + floats.offset +
         (list.offset + col->list.value_offset(row)) * 3;
}
const uint32_t* colors_of(const Chunk& chunk, int64_t row) {
  const auto* col = chunk.component(Points3D::descriptor_colors());
  EXPECT_NE(col, nullptr);
  const arrow::ArrayData& values = *col->list.values();
  return values.buffers[1]->data_as<uint32_t>() + values.offset + col->list.value_offset(row);
}

void expect_frame(const Chunk& chunk, int64_t row, int frame) {
  const float* p = positions_of(chunk, row);
  const uint32_t* c = colors_of(chunk, row);
  size_t wrong = 0;
  for (size_t i = 0; i < kPoints; ++i) {
    const Position3D want = position_at(i, frame);
    wrong += p[3 * i] != want.x || p[3 * i + 1] != want.y || p[3 * i + 2] != want.z ||
             c[i] != color_at(i, frame).rgba;
  }
  EXPECT_EQ(wrong, 0u) << "row " << row << " frame " << frame;
}

TEST(PendingTableTest, MovedLargeBatchIsReferencedNotCopiedAndOutlivesTheCaller) {
  RecordingStream rec("test", plain_options());
  Collector collector;
  rec.set_sink(collector.sink());
  const void* positions_data = nullptr;
  {
    auto positions = make_positions(1);
    auto colors = make_colors(1);
    positions_data = positions.data();
    rec.set_time_sequence("frame", 1);
    // The archetype (the only owner of the moved vectors) is gone when log returns.
    rec.log("cloud", Points3D(std::move(positions)).with_colors(std::move(colors)));
  }
  rec.flush_blocking();
  auto chunks = collector.snapshot();
  ASSERT_EQ(chunks.size(), 1u);
  ASSERT_EQ(chunks[0]->num_rows(), 1);
  EXPECT_EQ(static_cast<const void*>(positions_of(*chunks[0], 0)), positions_data);
  expect_frame(*chunks[0], 0, 1);
}

TEST(PendingTableTest, BorrowedBatchIsCopiedSoTheCallerMayChangeOrFreeIt) {
  RecordingStream rec("test", plain_options());
  Collector collector;
  rec.set_sink(collector.sink());
  auto positions = make_positions(2);
  auto colors = make_colors(2);
  rec.set_time_sequence("frame", 2);
  rec.log("cloud", Points3D(positions).with_colors(colors));
  // Changed and then freed before the chunk is read (and before the flush).
  for (auto& p : positions) p.x = -1;
  for (auto& c : colors) c.rgba = 0;
  std::vector<Position3D>().swap(positions);
  std::vector<Color>().swap(colors);
  rec.flush_blocking();
  auto chunks = collector.snapshot();
  ASSERT_EQ(chunks.size(), 1u);
  expect_frame(*chunks[0], 0, 2);
}

TEST(PendingTableTest, MovedBatchFollowedByMoreRowsInTheSameChunkKeepsEveryValue) {
  auto options = plain_options();
  options.batcher.flush_num_bytes = 1ull << 40;  // one chunk, cut by the flush only
  options.batcher.flush_tick_secs = 1000;        // never, within this test
  RecordingStream rec("test", options);
  Collector collector;
  rec.set_sink(collector.sink());
  rec.set_time_sequence("frame", 0);
  rec.log("cloud", Points3D(make_positions(0)).with_colors(make_colors(0)));
  rec.set_time_sequence("frame", 1);
  auto positions = make_positions(1);
  auto colors = make_colors(1);
  rec.log("cloud", Points3D(positions).with_colors(colors));
  std::vector<Position3D>().swap(positions);
  // A row without colors: the colors column gets a null after the referenced batch.
  rec.set_time_sequence("frame", 2);
  rec.log("cloud", Points3D(make_positions(2)));
  rec.flush_blocking();
  auto chunks = collector.snapshot();
  ASSERT_EQ(chunks.size(), 1u);
  ASSERT_EQ(chunks[0]->num_rows(), 3);
  expect_frame(*chunks[0], 0, 0);
  expect_frame(*chunks[0], 1, 1);
  const auto* col = chunks[0]->component(Points3D::descriptor_colors());
  ASSERT_NE(col, nullptr);
  EXPECT_FALSE(col->list.is_valid(2));
  const float* p = positions_of(*chunks[0], 2);
  EXPECT_EQ(p[3 * 12345 + 0], position_at(12345, 2).x);
  EXPECT_EQ(p[3 * 12345 + 1], position_at(12345, 2).y);
  EXPECT_EQ(p[3 * 12345 + 2], position_at(12345, 2).z);
}

TEST(PendingTableTest, SmallMovedBatchesAreCopiedIntoOneBuffer) {
  auto options = plain_options();
  options.batcher.flush_tick_secs = 1000;  // one chunk, cut by the flush only
  RecordingStream rec("test", options);
  Collector collector;
  rec.set_sink(collector.sink());
  for (int f = 0; f < 3; ++f) {
    rec.set_time_sequence("frame", f);
    rec.log("few", Points3D(std::vector<Position3D>{{float(f), 1, 2}, {float(f), 3, 4}}));
  }
  rec.flush_blocking();
  auto chunks = collector.snapshot();
  ASSERT_EQ(chunks.size(), 1u);
  ASSERT_EQ(chunks[0]->num_rows(), 3);
  for (int f = 0; f < 3; ++f) {
    const float* p = positions_of(*chunks[0], f);
    EXPECT_EQ(p[0], float(f));
    EXPECT_EQ(p[4], 3.0f);
    EXPECT_EQ(p[5], 4.0f);
  }
  // One values buffer for the three rows.
  EXPECT_EQ(positions_of(*chunks[0], 1), positions_of(*chunks[0], 0) + 6);
}

// Threads handing over their own frames while the batcher thread cuts and sends them: every
// chunk references its thread's vectors and every value arrives (TSan: build-tsan, -L
// concurrency).
TEST(PendingTableTest, ConcurrentThreadsMovingFramesKeepEveryValue) {
  constexpr int kThreads = 3;
  constexpr int kFrames = 4;
  RecordingStream rec("test", plain_options());
  Collector collector;
  rec.set_sink(collector.sink());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&rec, t] {
      for (int f = 0; f < kFrames; ++f) {
        rec.set_time_sequence("frame", f);
        rec.log("cloud/" + std::to_string(t),
                Points3D(make_positions(t * 100 + f)).with_colors(make_colors(t * 100 + f)));
      }
    });
  }
  for (auto& th : threads) th.join();
  rec.flush_blocking();
  auto chunks = collector.snapshot();
  ASSERT_EQ(chunks.size(), size_t(kThreads * kFrames));
  for (const auto& c : chunks) {
    ASSERT_EQ(c->num_rows(), 1);
    const int t = std::stoi(c->entity_path().str().substr(std::string("/cloud/").size()));
    const int f = int(c->timeline("frame")->time_at(0));
    expect_frame(*c, 0, t * 100 + f);
  }
}

}  // namespace
}  // namespace reel
