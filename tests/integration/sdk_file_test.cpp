// The SDK's file sink end to end: what RecordingStream::save writes loads back whole, for
// every archetype, and a killed writer leaves a loadable file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "reel/format/recording_file.hpp"
#include "reel/sdk/recording_stream.hpp"
#include "reel/store_io/store_io.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::format {
namespace {

namespace fs = std::filesystem;

const ComponentDescriptor& scalar() { return Scalars::descriptor_scalars(); }

std::string temp_path(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("reel_sdk_file_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

TEST(SdkFileTest, SdkSaveWritesALoadableFile) {
  std::string path = temp_path("sdk.reel");
  {
    RecordingStreamOptions options;
    options.log_time = options.log_tick = false;
    RecordingStream rec("sdk_app", options);
    ASSERT_TRUE(rec.save(path).ok());
    for (int i = 0; i < 100; ++i) {
      rec.set_time_sequence("frame", i);
      rec.log("a", Scalars(i));
    }
  }
  ChunkStore store;
  auto report = load_file(path, store);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->warnings.empty());
  EXPECT_EQ(report->info.application_id, "sdk_app");
  EXPECT_EQ(store.range({"frame", {0, 99}}, "/a", scalar()).num_rows(), 100);
}

// Every archetype logged through the SDK comes back from the file exactly as the embedded
// store holds it: same entities, components, types, row ids and values.

TEST(SdkFileTest, EveryArchetypeRoundTripsThroughAFile) {
  std::string path = temp_path("archetypes.reel");
  std::shared_ptr<ChunkStore> original;
  {
    RecordingStream rec("archetypes");
    original = rec.memory_store();
    ASSERT_TRUE(rec.save(path).ok());
    std::vector<uint8_t> pixels(4 * 3 * 3, 7);
    std::vector<uint16_t> depth = {1, 2, 3, 4, 5, 6};
    std::vector<float> tensor = {1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f};
    std::vector<Position3D> three = {{0, 0, 0}, {1, 0, 0}, {2, 0, 0}};
    for (int frame = 0; frame < 3; ++frame) {
      rec.set_time_sequence("frame", frame);
      rec.log("a/scalars", Scalars(frame * 0.5));
      rec.log("a/lines",
              SeriesLines().with_colors(Color(1u)).with_widths(2.0f).with_names(Name("x")));
      rec.log("a/points_series", SeriesPoints().with_markers(MarkerShape::kCross));
      rec.log("a/p2", Points2D(std::vector<Position2D>{{1, 2}, {3, 4}})
                          .with_labels(std::vector<Text>{"l", "r"})
                          .with_class_ids(ClassId(3)));
      rec.log("a/p3", Points3D(three).with_colors(std::vector<Color>{1u, 2u, 3u}).with_radii(0.1f));
      rec.log("a/b2", Boxes2D::from_half_sizes(std::vector<HalfSize2D>{{1, 2}}));
      rec.log("a/b3", Boxes3D::from_half_sizes(std::vector<HalfSize3D>{{1, 2, 3}})
                          .with_quaternions(RotationQuat{0, 0, 0, 1}));
      rec.log("a/s2", LineStrips2D(std::vector<LineStrip2D>{LineStrip2D{{{0, 0}, {1, 1}}}}));
      rec.log("a/s3", LineStrips3D(std::vector<LineStrip3D>{LineStrip3D{{{0, 0, 0}, {1, 1, 1}}}}));
      rec.log("a/arrows", Arrows3D::from_vectors(std::vector<Vector3D>{{1, 0, 0}}));
      rec.log("a/image", Image::from_rgb24(pixels, 4, 3));
      rec.log("a/depth", DepthImage::from_u16(depth, 3, 2).with_meter(1000.0f));
      rec.log("a/tensor", Tensor::from_f32({2, 3}, tensor));
      rec.log("a/log", TextLog("stalled").with_level(TextLogLevel::warn()));
      rec.log("a/doc", TextDocument(Text("# Title")));
      rec.log("a/tf", Transform3D::from_translation({1, 2, float(frame)}));
      rec.log("a/clear", Clear::recursive());
    }
    rec.log_static("a/view", ViewCoordinates::FLU);
    rec.log_static("a/ann", AnnotationContext({{1, "wheel", Color(10u)}}));
  }
  ChunkStore loaded;
  auto report = load_file(path, loaded);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  ASSERT_EQ(loaded.entities(), original->entities());
  EXPECT_EQ(loaded.stats().num_rows, original->stats().num_rows);
  int compared = 0;
  for (const auto& entity : original->entities()) {
    auto components = original->components(entity);
    ASSERT_EQ(loaded.components(entity).size(), components.size()) << entity.str();
    for (const auto& [component, type] : components) {
      for (TimeInt t : {0, 1, 2}) {
        auto a = original->latest_at({"frame", t}, entity, component);
        auto b = loaded.latest_at({"frame", t}, entity, component);
        ASSERT_EQ(a.has_value(), b.has_value()) << entity.str() << " " << component.identifier();
        if (!a) continue;
        EXPECT_EQ(a->row_id, b->row_id);
        EXPECT_TRUE(arrow::array_equals(a->instances(component), b->instances(component)))
            << entity.str() << " " << component.identifier();
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 80);
}

TEST(SdkFileTest, KilledWriterLeavesALoadableFile) {
  std::string path = temp_path("killed.reel");
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    RecordingStreamOptions options;
    options.log_time = options.log_tick = false;
    auto* rec = new RecordingStream("killed", options);  // never destroyed
    if (!rec->save(path).ok()) ::_exit(3);
    for (int i = 0; i < 1000; ++i) {
      rec->set_time_sequence("frame", i);
      rec->log("a", Scalars(i));
      if (i % 100 == 99) rec->flush_blocking();
    }
    rec->flush_blocking();
    ::kill(::getpid(), SIGKILL);
    ::_exit(4);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ChunkStore store;
  auto report = load_file(path, store);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_EQ(store.range({"frame", {0, 999}}, "/a", scalar()).num_rows(), 1000);
  ASSERT_EQ(report->warnings.size(), 1u);  // no end marker
}

}  // namespace
}  // namespace reel::format
