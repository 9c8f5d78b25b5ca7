// The components added for cameras, shapes, graphs and maps have exactly the Arrow layouts
// and enum codes of Rerun 0.33 (docs/content/reference/types/components at the 0.33.0
// release), written out here by hand, and their to_arrow writes those layouts.
#include <gtest/gtest.h>

#include <string>

#include "reel/types/archetypes.hpp"
#include "reel/types/registry.hpp"

namespace reel {
namespace {

using namespace arrow;  // NOLINT(google-build-using-namespace): the type constructors

struct Expected {
  const char* component;
  TypePtr type;
};

TEST(SpatialComponentsTest, HaveRerunsArrowLayouts) {
  const Expected expected[] = {
      {"ShowLabels", boolean()},
      {"DrawOrder", float32()},
      {"FillMode", uint8()},
      {"KeypointId", uint16()},
      {"Opacity", float32()},
      {"Vector2D", fixed_size_list(float32(), 2)},
      {"PinholeProjection", fixed_size_list(float32(), 9)},
      {"Resolution", fixed_size_list(float32(), 2)},
      {"ImagePlaneDistance", float32()},
      {"TransformFrameId", utf8()},
      {"TransformRelation", uint8()},
      {"RotationAxisAngle", struct_({field("axis", fixed_size_list(float32(), 3), false),
                                     field("angle", float32(), false)})},
      {"Colormap", uint8()},
      {"ValueRange", fixed_size_list(float64(), 2)},
      {"FillRatio", float32()},
      {"TriangleIndices", fixed_size_list(uint32(), 3)},
      {"Texcoord2D", fixed_size_list(float32(), 2)},
      {"AlbedoFactor", uint32()},
      {"Length", float32()},
      {"GraphNode", utf8()},
      {"GraphEdge", struct_({field("first", utf8(), false), field("second", utf8(), false)})},
      {"GraphType", uint8()},
      {"LatLon", fixed_size_list(float64(), 2)},
      {"GeoLineString", list(fixed_size_list(float64(), 2), false)},
  };
  for (const auto& e : expected) {
    const ComponentInfo* c = find_component(e.component);
    ASSERT_NE(c, nullptr) << e.component;
    EXPECT_TRUE(c->type()->equals(*e.type))
        << e.component << ": " << c->type()->to_string() << " vs " << e.type->to_string();
    EXPECT_EQ(std::string(c->rerun_name), std::string("rerun.components.") + e.component);
    EXPECT_STREQ(c->rerun_convert, "") << e.component << ": the .rrd mapping is the identity";
  }
  // Rerun's GeoLineString points are non-null items.
  EXPECT_FALSE(ComponentTraits<GeoLineString>::type()->fields()[0]->nullable);
}

TEST(SpatialComponentsTest, EnumCodesAreRerunsCodes) {
  EXPECT_EQ(uint8_t(FillMode::kMajorWireframe), 1);
  EXPECT_EQ(uint8_t(FillMode::kDenseWireframe), 2);
  EXPECT_EQ(uint8_t(FillMode::kSolid), 3);
  EXPECT_EQ(uint8_t(FillMode::kTransparentFillMajorWireframe), 4);
  EXPECT_EQ(uint8_t(TransformRelation::kParentFromChild), 1);
  EXPECT_EQ(uint8_t(TransformRelation::kChildFromParent), 2);
  EXPECT_EQ(uint8_t(Colormap::kGrayscale), 1);
  EXPECT_EQ(uint8_t(Colormap::kTurbo), 5);
  EXPECT_EQ(uint8_t(Colormap::kViridis), 6);
  EXPECT_EQ(uint8_t(Colormap::kRvizCostmap), 11);
  EXPECT_EQ(uint8_t(GraphType::kUndirected), 1);
  EXPECT_EQ(uint8_t(GraphType::kDirected), 2);
  for (const auto& v : EnumInfo<Colormap>::kValues) EXPECT_EQ(v.code, v.rerun_code) << v.name;
}

TEST(SpatialComponentsTest, ToArrowWritesTheValues) {
  const RotationAxisAngle r[] = {RotationAxisAngle::from_degrees({0, 0, 2}, 90), {{1, 0, 0}, 0.5f}};
  auto rotations = ComponentTraits<RotationAxisAngle>::to_arrow(r);
  ASSERT_TRUE(rotations->type->equals(*ComponentTraits<RotationAxisAngle>::type()));
  StructArray s(rotations);
  EXPECT_EQ(s.length(), 2);
  EXPECT_EQ(array_to_string(*rotations->children[0]), "[[0, 0, 2], [1, 0, 0]]");
  EXPECT_NEAR(PrimitiveArray<float>(rotations->children[1]).value(0), 1.5707964f, 1e-6);
  EXPECT_EQ(PrimitiveArray<float>(rotations->children[1]).value(1), 0.5f);

  const GraphEdge e[] = {{"a", "b"}, {"b", "c"}};
  auto edges = ComponentTraits<GraphEdge>::to_arrow(e);
  EXPECT_EQ(array_to_string(*edges->children[0]), R"(["a", "b"])");
  EXPECT_EQ(array_to_string(*edges->children[1]), R"(["b", "c"])");

  const GeoLineString g[] = {{{{1.5, 2.5}, {3.5, 4.5}}}, {}};
  auto strings = ComponentTraits<GeoLineString>::to_arrow(g);
  ASSERT_TRUE(strings->type->equals(*ComponentTraits<GeoLineString>::type()));
  EXPECT_EQ(array_to_string(*strings), "[[[1.5, 2.5], [3.5, 4.5]], []]");

  const ShowLabels b[] = {true, false};
  EXPECT_EQ(array_to_string(*ComponentTraits<ShowLabels>::to_arrow(b)), "[true, false]");

  TensorData named{
      {2, 1}, ChannelDatatype::kU8, Bytes(std::vector<uint8_t>{1, 2}), {"rows", "cols"}};
  TensorData unnamed{{2}, ChannelDatatype::kU8, Bytes(std::vector<uint8_t>{3, 4}), {}};
  const TensorData t[] = {named, unnamed};
  auto tensors = ComponentTraits<TensorData>::to_arrow(t);
  const auto& names = tensors->children[3];
  EXPECT_EQ(array_to_string(*names), R"([["rows", "cols"], null])");
}

TEST(SpatialComponentsTest, PinholeHelpersAreColumnMajorIntrinsics) {
  Pinhole p = Pinhole::from_focal_length_and_resolution(500, 640, 480);
  const PinholeProjection& m = p.image_from_camera[0];
  EXPECT_EQ(m.at(0, 0), 500);
  EXPECT_EQ(m.at(1, 1), 500);
  EXPECT_EQ(m.at(0, 2), 320);  // cx: row 0, column 2
  EXPECT_EQ(m.at(1, 2), 240);
  EXPECT_EQ(m.at(2, 2), 1);
  EXPECT_EQ(m.m[6], 320);  // column-major: column 2 starts at index 6
  EXPECT_EQ(p.resolution[0].width, 640);
  Pinhole fov = Pinhole::from_fov_and_aspect_ratio(1.5707964f, 2.0f);
  EXPECT_NEAR(fov.image_from_camera[0].at(0, 0), 0.5f, 1e-6);
  EXPECT_EQ(fov.image_from_camera[0].at(0, 2), 1.0f);
  EXPECT_EQ(fov.resolution[0].height, 1.0f);
}

}  // namespace
}  // namespace reel
