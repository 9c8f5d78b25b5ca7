// The hand-written checks of the archetypes added for cameras, meshes and charts
// (archetypes_ext.cpp), and the fields whose batches have their own count.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reel/types/archetypes.hpp"

namespace reel {
namespace {

std::string status_of(const auto& archetype) {
  ComponentBatchList out;
  archetype.collect(out);
  return out.status().ok() ? "ok" : out.status().message();
}

const std::vector<Position3D> kFour = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {1, 1, 0}};

TEST(ArchetypeChecksTest, MeshTrianglesHaveTheirOwnCountAndNameExistingVertices) {
  std::vector<TriangleIndices> two = {{0, 1, 2}, {1, 3, 2}};
  ComponentBatchList out;
  Mesh3D(kFour).with_triangle_indices(two).with_vertex_colors(Color(1u)).collect(out);
  ASSERT_TRUE(out.status().ok()) << out.status().to_string();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].num_instances, 4);
  EXPECT_EQ(out[2].descriptor, Mesh3D::descriptor_triangle_indices());
  EXPECT_EQ(out[2].num_instances, 2);
  const ArchetypeField* f = find_archetype("Mesh3D")->field("triangle_indices");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->own_count);
  EXPECT_FALSE(find_archetype("Mesh3D")->field("vertex_normals")->own_count);

  std::vector<TriangleIndices> bad = {{0, 1, 2}, {1, 4, 2}};
  EXPECT_EQ(status_of(Mesh3D(kFour).with_triangle_indices(bad)),
            "Mesh3D: triangle 1 uses vertex 4 of 4 vertices");
  std::vector<Vector3D> three_normals = {{0, 0, 1}, {0, 0, 1}, {0, 0, 1}};
  EXPECT_EQ(status_of(Mesh3D(kFour).with_vertex_normals(three_normals)),
            "Mesh3D: 4 vertex_positions but 3 vertex_normals (expected 4, or 1 to apply one value "
            "to all)");
}

TEST(ArchetypeChecksTest, MeshTextureMatchesItsFormat) {
  std::vector<uint8_t> rgb(2 * 2 * 3, 7);
  ImageFormat fmt{2, 2, ColorModel::kRGB, ChannelDatatype::kU8};
  EXPECT_EQ(
      status_of(Mesh3D(kFour).with_albedo_texture(fmt, ImageBuffer(std::span<const uint8_t>(rgb)))),
      "ok");
  std::vector<uint8_t> short_rgb(5, 7);
  EXPECT_EQ(
      status_of(
          Mesh3D(kFour).with_albedo_texture(fmt, ImageBuffer(std::span<const uint8_t>(short_rgb)))),
      "Mesh3D albedo texture: a 2x2 image with 3 channel(s) of 1 byte(s) needs 12 bytes, got 5");
  EXPECT_EQ(status_of(Mesh3D(kFour).with_albedo_texture_format(fmt)),
            "Mesh3D: albedo_texture_buffer and albedo_texture_format go together");
}

TEST(ArchetypeChecksTest, SegmentationImagesAreOneIntegerChannel) {
  std::vector<uint16_t> ids = {0, 1, 2, 3, 4, 5};
  EXPECT_EQ(status_of(SegmentationImage::from_u16(ids, 3, 2)), "ok");
  std::vector<uint8_t> rgb(2 * 2 * 3);
  EXPECT_EQ(status_of(SegmentationImage(ImageBuffer(std::span<const uint8_t>(rgb)),
                                        ImageFormat{2, 2, ColorModel::kRGB, ChannelDatatype::kU8})),
            "SegmentationImage: class ids are one integer channel (L, U8/U16/...), got RGB U8");
  EXPECT_EQ(status_of(SegmentationImage::from_u16(ids, 2, 2)),
            "SegmentationImage: a 2x2 image with 1 channel(s) of 2 byte(s) needs 8 bytes, got 12");
}

TEST(ArchetypeChecksTest, BarChartsAreOneDimensional) {
  std::vector<float> v = {1, 2, 3, 4};
  auto tensor = [&](std::vector<uint64_t> shape) {
    return TensorData{
        std::move(shape),
        ChannelDatatype::kF32,
        Bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.data()), 16)),
        {}};
  };
  EXPECT_EQ(status_of(BarChart(tensor({4})).with_widths(std::vector<Length>{1, 1, 2, 2})), "ok");
  EXPECT_EQ(status_of(BarChart(tensor({2, 2}))), "BarChart: values must be 1-D, got 2 dimensions");
  EXPECT_EQ(status_of(BarChart(tensor({4})).with_abscissa(tensor({2, 2}))),
            "BarChart: the abscissa must be 1-D with 4 values (one per bar)");
}

TEST(ArchetypeChecksTest, TensorNamesNameEveryDimension) {
  std::vector<float> v(6, 1.0f);
  EXPECT_EQ(status_of(Tensor::from_f32({2, 3}, v, {"rows", "cols"})), "ok");
  EXPECT_EQ(status_of(Tensor::from_f32({2, 3}, v, {"rows"})),
            "Tensor: 1 dimension names for 2 dimensions");
}

TEST(ArchetypeChecksTest, Asset3DGuessesItsMediaTypeFromTheBytes) {
  const std::string obj = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";
  ComponentBatchList out;
  Asset3D(Blob(std::vector<uint8_t>(obj.begin(), obj.end()))).collect(out);
  ASSERT_TRUE(out.status().ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].descriptor, Asset3D::descriptor_media_type());
  EXPECT_EQ(arrow::BinaryArray(out[1].to_arrow()).value(0), "model/obj");
  ComponentBatchList given;
  Asset3D(Blob(std::vector<uint8_t>(obj.begin(), obj.end())))
      .with_media_type(MediaType::stl())
      .collect(given);
  EXPECT_EQ(arrow::BinaryArray(given[1].to_arrow()).value(0), "model/stl");
  EXPECT_EQ(Asset3D::from_file("/nonexistent/robot.glb").status().message(),
            "Asset3D: cannot open '/nonexistent/robot.glb'");
}

TEST(ArchetypeChecksTest, NamedFramesOnTransformsAndCoordinateFrames) {
  ComponentBatchList out;
  Transform3D::from_translation_rotation({1, 2, 3}, RotationAxisAngle({0, 0, 1}, 0.5f))
      .with_frames("camera", "base_link")
      .with_relation(TransformRelation::kChildFromParent)
      .collect(out);
  ASSERT_TRUE(out.status().ok());
  std::vector<std::string> fields;
  for (const auto& b : out) fields.push_back(b.descriptor.field());
  EXPECT_EQ(fields, (std::vector<std::string>{"translation", "rotation_axis_angle", "relation",
                                              "child_frame", "parent_frame"}));
  ComponentBatchList frame;
  CoordinateFrame("base_link").collect(frame);
  ASSERT_EQ(frame.size(), 1u);
  EXPECT_EQ(arrow::BinaryArray(frame[0].to_arrow()).value(0), "base_link");
}

}  // namespace
}  // namespace reel
