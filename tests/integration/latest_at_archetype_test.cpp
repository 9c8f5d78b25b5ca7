#include "reel/query/latest_at.hpp"

#include <gtest/gtest.h>

#include "reel/sdk/recording_stream.hpp"

namespace reel {
namespace {

RecordingStreamOptions plain_options() {
  RecordingStreamOptions o;
  o.log_time = false;
  o.log_tick = false;
  o.batcher = BatcherConfig();
  return o;
}

std::vector<uint32_t> rgba(const ArchetypeInstances& a) {
  std::vector<uint32_t> out;
  for (const Color& c : a.values<Color>("colors")) out.push_back(c.rgba);
  return out;
}

class ArchetypeLatestAtTest : public ::testing::Test {
 protected:
  ArchetypeLatestAtTest() : rec_("test", plain_options()), store_(rec_.memory_store()) {}

  template <typename A>
  ArchetypeInstances at(std::string_view entity, TimeInt t) {
    rec_.flush_blocking();
    auto r = latest_at<A>(*store_, {"frame", t}, EntityPath::parse(entity).value());
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? std::move(*r) : ArchetypeInstances{};
  }

  RecordingStream rec_;
  std::shared_ptr<ChunkStore> store_;
};

const std::vector<Position3D> kThree = {{0, 0, 0}, {1, 0, 0}, {2, 0, 0}};

TEST_F(ArchetypeLatestAtTest, PrimaryComponentSetsTheInstanceCount) {
  rec_.set_time_sequence("frame", 1);
  // 3 points + 5 colors = 3 points (the extra colors are dropped by the join).
  rec_.log("pts", component_batch<Position3D>(Points3D::descriptor_positions(), kThree));
  std::vector<Color> five = {1u, 2u, 3u, 4u, 5u};
  rec_.log("pts", component_batch<Color>(Points3D::descriptor_colors(), five));
  auto a = at<Points3D>("pts", 1);
  EXPECT_EQ(a.num_instances, 3);
  EXPECT_EQ(rgba(a), (std::vector<uint32_t>{1, 2, 3}));
}

TEST_F(ArchetypeLatestAtTest, SingleValueIsSplatOverEveryInstance) {
  rec_.set_time_sequence("frame", 1);
  rec_.log("pts", Points3D(kThree).with_colors(Color(9u)).with_radii(0.5f));
  auto a = at<Points3D>("pts", 1);
  ASSERT_EQ(a.num_instances, 3);
  EXPECT_EQ(rgba(a), (std::vector<uint32_t>{9, 9, 9}));
  auto radii = a.values<Radius>("radii");
  ASSERT_EQ(radii.size(), 3u);
  EXPECT_EQ(radii[2].value, 0.5f);
  EXPECT_EQ(a.get("labels"), nullptr);  // never logged: absent
}

TEST_F(ArchetypeLatestAtTest, ComponentNotLoggedAgainKeepsItsLatestValue) {
  rec_.set_time_sequence("frame", 1);
  rec_.log("pts", Points3D(kThree).with_colors(std::vector<Color>{7u, 8u, 9u}));
  rec_.set_time_sequence("frame", 2);
  rec_.log("pts", Points3D(std::vector<Position3D>{{5, 5, 5}, {6, 6, 6}, {7, 7, 7}}));
  auto a = at<Points3D>("pts", 2);
  ASSERT_EQ(a.num_instances, 3);
  EXPECT_EQ(a.values<Position3D>("positions")[0].x, 5.0f);
  EXPECT_EQ(rgba(a), (std::vector<uint32_t>{7, 8, 9}));
  EXPECT_EQ(a.get("colors")->time, 1);
  EXPECT_EQ(a.get("positions")->time, 2);
  // Before frame 1 there is nothing.
  EXPECT_EQ(at<Points3D>("pts", 0).num_instances, 0);
}

TEST_F(ArchetypeLatestAtTest, StaticDataWinsOverTemporal) {
  rec_.set_time_sequence("frame", 5);
  rec_.log("pts", Points3D(kThree));
  rec_.log_static("pts", Points3D(std::vector<Position3D>{{9, 9, 9}}));
  auto a = at<Points3D>("pts", 100);
  ASSERT_EQ(a.num_instances, 1);
  EXPECT_TRUE(a.get("positions")->is_static);
  EXPECT_EQ(a.values<Position3D>("positions")[0].x, 9.0f);
}

TEST_F(ArchetypeLatestAtTest, ClearHidesComponentsUntilLoggedAgain) {
  rec_.set_time_sequence("frame", 1);
  rec_.log("pts", Points3D(kThree).with_colors(Color(1u)));
  rec_.set_time_sequence("frame", 3);
  rec_.log("pts", Clear::flat());
  rec_.set_time_sequence("frame", 5);
  rec_.log("pts", Points3D(kThree));
  EXPECT_EQ(at<Points3D>("pts", 2).num_instances, 3);
  EXPECT_EQ(at<Points3D>("pts", 3).num_instances, 0);
  EXPECT_EQ(at<Points3D>("pts", 4).num_instances, 0);
  auto a = at<Points3D>("pts", 5);
  EXPECT_EQ(a.num_instances, 3);
  EXPECT_EQ(a.get("colors"), nullptr);  // cleared at 3, not logged again
}

TEST_F(ArchetypeLatestAtTest, RecursiveClearReachesDescendantsFlatDoesNot) {
  rec_.set_time_sequence("frame", 1);
  rec_.log("world/robot/arm", Points3D(kThree));
  rec_.set_time_sequence("frame", 2);
  rec_.log("world", Clear::flat());
  EXPECT_EQ(at<Points3D>("world/robot/arm", 2).num_instances, 3);
  rec_.set_time_sequence("frame", 3);
  rec_.log("world", Clear::recursive());
  EXPECT_EQ(at<Points3D>("world/robot/arm", 3).num_instances, 0);
  EXPECT_EQ(at<Points3D>("world/robot/arm", 2).num_instances, 3);  // before the clear
}

TEST_F(ArchetypeLatestAtTest, TemporalClearHidesStaticDataFromItsTimeOn) {
  rec_.log_static("cam", TextDocument(Text("hello")));
  rec_.set_time_sequence("frame", 4);
  rec_.log("cam", Clear::flat());
  EXPECT_EQ(at<TextDocument>("cam", 3).num_instances, 1);
  EXPECT_EQ(at<TextDocument>("cam", 4).num_instances, 0);
}

// What is logged is exactly what comes back, through batcher, chunks and store.
TEST_F(ArchetypeLatestAtTest, EveryArchetypeRoundTrips) {
  rec_.set_time_sequence("frame", 1);
  std::vector<uint8_t> pixels(4 * 3 * 3);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t(i * 7);
  std::vector<uint16_t> depth = {1, 2, 3, 4, 5, 6};
  std::vector<float> tensor = {1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f};
  const uint8_t png[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0};

  auto check = [&]<typename A>(std::string_view entity, const A& archetype) {
    SCOPED_TRACE(std::string(A::kName) + " at " + std::string(entity));
    ASSERT_TRUE(rec_.try_log(entity, archetype).ok());
    ComponentBatchList logged;
    archetype.collect(logged);
    ASSERT_TRUE(logged.status().ok());
    auto back = at<A>(entity, 1);
    ASSERT_EQ(back.fields.size(), logged.size());
    for (const ComponentBatch& batch : logged) {
      const ArchetypeInstances::Field* field = nullptr;
      for (const auto& f : back.fields) {
        if (f.descriptor == batch.descriptor) field = &f;
      }
      ASSERT_NE(field, nullptr) << batch.descriptor.identifier();
      auto expected = batch.to_arrow();
      // Splats come back repeated to the instance count; compare the logged prefix.
      if (expected->length == 1 && back.num_instances > 1) {
        EXPECT_TRUE(arrow::array_equals(*expected, *field->values->slice(0, 1)));
      } else {
        EXPECT_TRUE(arrow::array_equals(expected, field->values))
            << batch.descriptor.identifier() << ": logged " << arrow::array_to_string(*expected)
            << ", got " << arrow::array_to_string(*field->values);
      }
    }
  };

  check("a/scalars", Scalars(2.5));
  check("a/lines", SeriesLines().with_colors(Color(1u)).with_widths(2.0f).with_names(Name("x")));
  check("a/points_series",
        SeriesPoints().with_markers(MarkerShape::kCross).with_marker_sizes(3.0f));
  check("a/p2", Points2D(std::vector<Position2D>{{1, 2}, {3, 4}})
                    .with_labels(std::vector<Text>{"l", "r"})
                    .with_class_ids(ClassId(3)));
  check("a/p3", Points3D(kThree).with_colors(std::vector<Color>{1u, 2u, 3u}).with_radii(0.1f));
  check("a/b2", Boxes2D::from_centers_and_half_sizes(std::vector<Position2D>{{0, 0}},
                                                     std::vector<HalfSize2D>{{1, 2}}));
  check("a/b3", Boxes3D::from_half_sizes(std::vector<HalfSize3D>{{1, 2, 3}, {4, 5, 6}})
                    .with_quaternions(RotationQuat{0, 0, 0, 1})
                    .with_labels(std::vector<Text>{"a", "b"}));
  check("a/s2", LineStrips2D(std::vector<LineStrip2D>{LineStrip2D{{{0, 0}, {1, 1}, {2, 0}}},
                                                      LineStrip2D{{{5, 5}}}}));
  check("a/s3", LineStrips3D(std::vector<LineStrip3D>{LineStrip3D{{{0, 0, 0}, {1, 1, 1}}}})
                    .with_colors(Color(5u)));
  check("a/arrows", Arrows3D::from_vectors(std::vector<Vector3D>{{1, 0, 0}, {0, 1, 0}})
                        .with_origins(std::vector<Position3D>{{0, 0, 0}, {1, 1, 1}}));
  check("a/image", Image::from_rgb24(pixels, 4, 3));
  check("a/png",
        EncodedImage(Blob(std::span<const uint8_t>(png))).with_media_type(MediaType("image/png")));
  check("a/depth", DepthImage::from_u16(depth, 3, 2).with_meter(1000.0f));
  check("a/tensor", Tensor::from_f32({2, 3}, tensor));
  check("a/log", TextLog("motor stalled").with_level(TextLogLevel("WARN")));
  check("a/doc", TextDocument(Text("# Title")).with_media_type(MediaType("text/markdown")));
  check("a/tf", Transform3D::from_translation_rotation({1, 2, 3}, {0, 0, 0.7071f, 0.7071f})
                    .with_scale(Scale3D{2, 2, 2}));
  check("a/view", ViewCoordinates::FLU);
  check("a/clear", Clear::recursive());
  check("a/ann", AnnotationContext({{1, "wheel", Color(10u)}, {2, "sensor", Color(20u)}}));
}

}  // namespace
}  // namespace reel
