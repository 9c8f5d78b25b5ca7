// The archetypes and fields added for computer-vision scenes (cameras, 2D overlays,
// segmentation, meshes, assets, shapes, graphs, maps, named frames), logged through the SDK,
// saved to a .reel file and to an .rrd file (Rerun's layouts, through the .rrd mapping),
// loaded into a fresh store and read back with archetype latest-at: every component comes
// back exactly as it was logged.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "reel/query/latest_at.hpp"
#include "reel/sdk/recording_stream.hpp"
#include "reel/store_io/store_io.hpp"

namespace reel {
namespace {

namespace fs = std::filesystem;

RecordingStreamOptions plain_options() {
  RecordingStreamOptions o;
  o.log_time = false;
  o.log_tick = false;
  o.batcher = BatcherConfig();
  return o;
}

// What one archetype logged: its entity, its batches as Arrow, and how to query it back.
struct Logged {
  std::string entity;
  std::string archetype;
  std::vector<std::pair<ComponentDescriptor, arrow::ArrayPtr>> batches;
  std::function<Result<ArchetypeInstances>(const ChunkStore&)> query;
};

class CvArchetypesTest : public ::testing::TestWithParam<std::string> {
 protected:
  template <typename A>
  void log(const std::string& entity, const A& archetype) {
    ASSERT_TRUE(rec_->try_log(entity, archetype).ok()) << A::kName;
    ComponentBatchList batches;
    archetype.collect(batches);
    ASSERT_TRUE(batches.status().ok()) << A::kName << ": " << batches.status().to_string();
    Logged l{entity, A::kName, {}, [entity](const ChunkStore& s) {
               return latest_at<A>(s, {"frame", 1}, EntityPath::parse(entity).value());
             }};
    for (const auto& b : batches) l.batches.emplace_back(b.descriptor, b.to_arrow());
    logged_.push_back(std::move(l));
  }

  std::unique_ptr<RecordingStream> rec_ =
      std::make_unique<RecordingStream>("cv_archetypes", plain_options());
  std::vector<Logged> logged_;
};

TEST_P(CvArchetypesTest, EveryNewArchetypeRoundTripsThroughAFileWithExactValues) {
  const fs::path path =
      fs::temp_directory_path() / ("reel_cv_archetypes_" + std::to_string(::getpid()) + GetParam());
  auto original = rec_->memory_store();
  ASSERT_TRUE(rec_->save(path.string()).ok());
  rec_->set_time_sequence("frame", 1);

  std::vector<uint8_t> rgb(4 * 2 * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = uint8_t(i * 5);
  std::vector<uint16_t> ids = {0, 1, 1, 2, 2, 0};
  std::vector<float> bars = {3, 1, 4, 1, 5};
  const std::string obj = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";

  log("camera", Pinhole::from_focal_length_and_resolution(500, 640, 480)
                    .with_camera_xyz(ViewCoordinates::RDF.xyz)
                    .with_image_plane_distance(2.5f)
                    .with_child_frame(TransformFrameId("camera"))
                    .with_parent_frame(TransformFrameId("base_link"))
                    .with_color(Color(255, 0, 0))
                    .with_line_width(0.01f));
  log("camera/image", Image::from_rgb24(rgb, 4, 2).with_opacity(0.5f).with_draw_order(-1.0f));
  log("camera/image/arrows", Arrows2D::from_vectors(std::vector<Vector2D>{{1, 0}, {0, 2}})
                                 .with_origins(std::vector<Position2D>{{1, 1}, {2, 2}})
                                 .with_labels(std::vector<Text>{"x", "y"})
                                 .with_show_labels(ShowLabels(false))
                                 .with_draw_order(3.0f)
                                 .with_class_ids(ClassId(4)));
  log("camera/image/points", Points2D(std::vector<Position2D>{{1, 2}, {3, 4}})
                                 .with_keypoint_ids(std::vector<KeypointId>{0, 1})
                                 .with_draw_order(10.0f)
                                 .with_show_labels(ShowLabels(true)));
  log("camera/image/boxes",
      Boxes2D::from_half_sizes(std::vector<HalfSize2D>{{1, 2}}).with_draw_order(5.0f));
  log("camera/image/strips",
      LineStrips2D(std::vector<LineStrip2D>{LineStrip2D{{{0, 0}, {1, 1}}}}).with_draw_order(2.0f));
  log("camera/segmentation", SegmentationImage::from_u16(ids, 3, 2).with_opacity(0.25f));
  log("camera/depth", DepthImage::from_u16(std::vector<uint16_t>(ids), 3, 2)
                          .with_colormap(Colormap::kViridis)
                          .with_depth_range(ValueRange{0.5, 10})
                          .with_point_fill_ratio(0.75f)
                          .with_draw_order(-2.0f));
  log("mesh", Mesh3D(std::vector<Position3D>{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {1, 1, 0}})
                  .with_triangle_indices(std::vector<TriangleIndices>{{0, 1, 2}, {1, 3, 2}})
                  .with_vertex_normals(Vector3D{0, 0, 1})
                  .with_vertex_colors(std::vector<Color>{1u, 2u, 3u, 4u})
                  .with_vertex_texcoords(std::vector<Texcoord2D>{{0, 0}, {1, 0}, {0, 1}, {1, 1}})
                  .with_albedo_factor(AlbedoFactor(Color(200, 200, 200)))
                  .with_albedo_texture(ImageFormat{4, 2, ColorModel::kRGB, ChannelDatatype::kU8},
                                       ImageBuffer(std::span<const uint8_t>(rgb)))
                  .with_class_ids(ClassId(2)));
  log("asset", Asset3D(Blob(std::vector<uint8_t>(obj.begin(), obj.end())))
                   .with_albedo_factor(AlbedoFactor(7u)));
  log("shapes/ellipsoids", Ellipsoids3D(std::vector<HalfSize3D>{{1, 2, 3}, {1, 1, 1}})
                               .with_centers(std::vector<Translation3D>{{0, 0, 0}, {5, 0, 0}})
                               .with_rotation_axis_angles(RotationAxisAngle({0, 1, 0}, 0.25f))
                               .with_fill_mode(FillMode::kSolid)
                               .with_line_radii(0.02f)
                               .with_labels(std::vector<Text>{"a", "b"}));
  log("shapes/capsules", Capsules3D(std::vector<Length>{1, 2}, std::vector<Radius>{0.1f, 0.2f})
                             .with_translations(std::vector<Translation3D>{{0, 0, 0}, {1, 0, 0}})
                             .with_quaternions(RotationQuat{0, 0, 0.7071068f, 0.7071068f})
                             .with_fill_mode(FillMode::kDenseWireframe));
  log("shapes/cylinders", Cylinders3D(std::vector<Length>{3}, Radius(0.5f))
                              .with_centers(Translation3D{0, 0, 1})
                              .with_fill_mode(FillMode::kTransparentFillMajorWireframe));
  log("shapes/boxes", Boxes3D::from_half_sizes(std::vector<HalfSize3D>{{1, 1, 1}})
                          .with_rotation_axis_angles(RotationAxisAngle::from_degrees({0, 0, 1}, 45))
                          .with_fill_mode(FillMode::kMajorWireframe)
                          .with_show_labels(ShowLabels(false)));
  log("shapes/instances", InstancePoses3D()
                              .with_translations(std::vector<Translation3D>{{0, 0, 0}, {0, 0, 5}})
                              .with_scales(Scale3D::uniform(2))
                              .with_mat3x3(TransformMat3x3{}));
  log("frames/tf",
      Transform3D::from_translation_rotation({1, 2, 3}, RotationAxisAngle({0, 0, 1}, 1.5f))
          .with_frames("camera", "base_link")
          .with_relation(TransformRelation::kChildFromParent));
  log("frames/points", CoordinateFrame("base_link"));
  log("charts/bars",
      BarChart(TensorData{{5},
                          ChannelDatatype::kF32,
                          Bytes(std::span<const uint8_t>(
                              reinterpret_cast<const uint8_t*>(bars.data()), bars.size() * 4)),
                          {}})
          .with_color(Color(0, 128, 255))
          .with_widths(std::vector<Length>{1, 1, 1, 2, 2}));
  log("graph", GraphNodes(std::vector<GraphNode>{"a", "b", "c"})
                   .with_positions(std::vector<Position2D>{{0, 0}, {1, 0}, {0, 1}})
                   .with_labels(std::vector<Text>{"A", "B", "C"}));
  log("graph", GraphEdges(std::vector<GraphEdge>{{"a", "b"}, {"b", "c"}})
                   .with_graph_type(GraphType::kDirected));
  log("map/points",
      GeoPoints::from_lat_lon(std::vector<LatLon>{{59.3293, 18.0686}, {48.8566, 2.3522}})
          .with_radii(5.0f)
          .with_class_ids(std::vector<ClassId>{1, 2}));
  log("map/routes", GeoLineStrings::from_lat_lon(std::vector<GeoLineString>{GeoLineString{
                                                     {{59.3, 18.0}, {59.4, 18.1}, {59.5, 18.3}}}})
                        .with_colors(Color(0, 0, 255)));
  log("tensor", Tensor::from_f32({2, 2}, std::vector<float>{1, 2, 3, 4}, {"rows", "cols"})
                    .with_value_range(ValueRange{0, 4}));
  rec_->flush_blocking();
  rec_.reset();  // closes the file
  {
    std::ifstream in(path, std::ios::binary);
    std::string magic(4, '\0');
    in.read(magic.data(), 4);
    EXPECT_EQ(magic, GetParam() == ".rrd" ? "RRF2" : "REEL");
  }

  ChunkStore loaded;
  auto report = load_file(path.string(), loaded);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_TRUE(report->warnings.empty());
  ASSERT_EQ(loaded.entities(), original->entities());

  int compared = 0;
  for (const Logged& l : logged_) {
    SCOPED_TRACE(l.archetype + " at " + l.entity);
    for (const ChunkStore* store : {static_cast<const ChunkStore*>(original.get()),
                                    static_cast<const ChunkStore*>(&loaded)}) {
      auto back = l.query(*store);
      ASSERT_TRUE(back.ok()) << back.status().to_string();
      ASSERT_EQ(back->fields.size(), l.batches.size());
      for (const auto& [descriptor, expected] : l.batches) {
        const ArchetypeInstances::Field* field = nullptr;
        for (const auto& f : back->fields) {
          if (f.descriptor == descriptor) field = &f;
        }
        ASSERT_NE(field, nullptr) << descriptor.identifier();
        // A splat comes back repeated to the instance count: compare the logged value.
        auto got = expected->length == 1 && field->values->length > 1 ? field->values->slice(0, 1)
                                                                      : field->values;
        EXPECT_TRUE(arrow::array_equals(expected, got))
            << descriptor.identifier() << ": logged " << arrow::array_to_string(*expected)
            << ", got " << arrow::array_to_string(*got);
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 2 * 90);  // both stores, every logged component
  // Own-count fields are not joined: Mesh3D's 2 triangles stay 2 next to 4 vertices.
  auto mesh = latest_at<Mesh3D>(loaded, {"frame", 1}, EntityPath::parse("mesh").value());
  ASSERT_TRUE(mesh.ok());
  EXPECT_EQ(mesh->num_instances, 4);
  EXPECT_EQ(mesh->get("triangle_indices")->values->length, 2);
  EXPECT_EQ(mesh->get("albedo_texture_buffer")->values->length, 1);
  EXPECT_EQ(mesh->values<Color>("vertex_colors")[3].rgba, 4u);
  auto asset = latest_at<Asset3D>(loaded, {"frame", 1}, EntityPath::parse("asset").value());
  ASSERT_TRUE(asset.ok());
  EXPECT_EQ(arrow::BinaryArray(asset->get("media_type")->values).value(0), "model/obj");
  fs::remove(path);
}

// .reel, and .rrd: reel -> Rerun's layouts -> reel gives every value back.
INSTANTIATE_TEST_SUITE_P(Formats, CvArchetypesTest, ::testing::Values(".reel", ".rrd"),
                         [](const auto& info) { return info.param.substr(1); });

}  // namespace
}  // namespace reel
