// Writes a recording of computer-vision scenes for the viewer's browser tests
// (tests/browser/scenes.test.mjs): an image with boxes, points, strips and arrows logged
// under it, standalone 2D points, a segmentation image and keypoints colored through an
// AnnotationContext, 3D points with class ids and labels, flat and recursive Clears,
// multi-instance scalars with SeriesPoints and SeriesLines, a Pinhole camera with an image
// and a depth image, and entities no view draws. Every color and coordinate here is what
// the test checks.
//
// Usage: reel_viewer_scenes FILE
#include <reel/reel.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace {

// A component of no archetype (as Rerun's AnyValues logs them): no view draws it.
struct Untyped {
  reel::Collection<reel::Scalar> speed;
  void collect(reel::ComponentBatchList& out) const {
    static const reel::ComponentDescriptor descriptor("", "speed", "");
    out.add(descriptor, speed);
  }
};

std::vector<uint8_t> solid_rgb(uint32_t w, uint32_t h, uint8_t r, uint8_t g, uint8_t b) {
  std::vector<uint8_t> px;
  px.reserve(size_t(w) * h * 3);
  for (uint32_t i = 0; i < w * h; ++i) px.insert(px.end(), {r, g, b});
  return px;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  reel::RecordingStream rec("viewer_scenes");
  if (auto st = rec.save(argv[1]); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.to_string().c_str());
    return 1;
  }
  using reel::Color;

  // An image with 2D overlays logged under it (one 2D space, in image pixels).
  const auto gray = solid_rgb(64, 48, 40, 40, 40);
  rec.log_static("overlay/image", reel::Image::from_rgb24(gray, 64, 48));
  rec.log_static("overlay/image/box",
                 reel::Boxes2D::from_centers_and_half_sizes({{20, 16}}, {{10, 8}})
                     .with_colors(Color(255, 0, 0))
                     .with_radii(1.0f)
                     .with_labels("det 0"));
  rec.log_static("overlay/image/points", reel::Points2D({{40, 30}, {12, 30}})
                                             .with_colors({Color(0, 255, 0), Color(255, 0, 255)})
                                             .with_radii(3.0f)
                                             .with_labels({"kp a", "kp b"})
                                             .with_show_labels(true));
  rec.log_static("overlay/image/strip", reel::LineStrips2D(reel::LineStrip2D{{{5, 40}, {60, 40}}})
                                            .with_colors(Color(0, 0, 255))
                                            .with_radii(1.0f));
  rec.log_static("overlay/image/arrow", reel::Arrows2D::from_vectors({{20, 0}})
                                            .with_origins({{34, 6}})
                                            .with_colors(Color(255, 255, 0))
                                            .with_radii(1.0f));
  // Two discs at the same place: the higher draw order is on top, whatever the log order.
  rec.log_static("overlay/image/top", reel::Points2D({{52, 20}})
                                          .with_colors(Color(255, 0, 0))
                                          .with_radii(4.0f)
                                          .with_draw_order(40.0f));
  rec.log_static("overlay/image/under", reel::Points2D({{52, 20}})
                                            .with_colors(Color(0, 0, 255))
                                            .with_radii(4.0f)
                                            .with_draw_order(35.0f));

  // Standalone 2D points: their own 2D view of the /plane subtree.
  rec.log_static("plane/points", reel::Points2D({{0, 0}, {100, 50}})
                                     .with_colors(Color(0, 255, 255))
                                     .with_radii(2.0f)
                                     .with_labels({"a", "b"}));

  // Class colors and labels from an AnnotationContext on an ancestor.
  rec.log_static("seg", reel::AnnotationContext(std::vector<reel::AnnotationInfo>{
                            {1, "person", Color(255, 0, 0)}, {2, "car", Color(0, 0, 255)}}));
  rec.log_static("seg/image", reel::Image::from_rgb24(solid_rgb(40, 30, 40, 40, 40), 40, 30));
  std::vector<uint8_t> mask(40 * 30);
  for (uint32_t y = 0; y < 30; ++y)
    for (uint32_t x = 0; x < 40; ++x) mask[y * 40 + x] = y < 10 ? 0 : x < 20 ? 1 : 2;
  rec.log_static("seg/image/mask",
                 reel::SegmentationImage::from_u8(mask, 40, 30).with_opacity(1.0f));
  rec.log_static("seg/image/blend", reel::SegmentationImage::from_u8(mask, 40, 30));
  rec.log_static("seg/image/keypoints", reel::Points2D({{10, 5}, {30, 5}})
                                            .with_class_ids({reel::ClassId(1), reel::ClassId(2)})
                                            .with_radii(2.0f));
  rec.log_static("seg3d", reel::AnnotationContext(
                              std::vector<reel::AnnotationInfo>{{7, "tree", Color(0, 255, 0)}}));
  rec.log_static("seg3d/points", reel::Points3D({{0, 0, 0}, {1, 0, 0}})
                                     .with_class_ids(reel::ClassId(7))
                                     .with_radii(0.25f)
                                     .with_labels({"left", "right"}));

  // An entity no view draws.
  rec.log_static("misc/any", Untyped{reel::Scalar(3.5)});

  // A depth image with a colormap and a depth range of its own.
  const std::vector<uint16_t> ramp = {0, 1000, 2000, 3000};
  rec.log_static("depth2d/depth", reel::DepthImage::from_u16(ramp, 4, 1)
                                      .with_colormap(reel::Colormap::kGrayscale)
                                      .with_depth_range(reel::ValueRange{0, 4000}));

  // A bar chart, graphs (with positions, and laid out by the viewer) and a map.
  const std::vector<float> bars = {1, 3, 2};
  rec.log_static(
      "charts/bars",
      reel::BarChart(reel::TensorData{{3},
                                      reel::ChannelDatatype::kF32,
                                      reel::Bytes(std::vector<uint8_t>(
                                          reinterpret_cast<const uint8_t*>(bars.data()),
                                          reinterpret_cast<const uint8_t*>(bars.data() + 3))),
                                      {}})
          .with_color(Color(255, 0, 0)));
  rec.log_static("graph/nodes", reel::GraphNodes(std::vector<reel::GraphNode>{reel::GraphNode("a"),
                                                                              reel::GraphNode("b"),
                                                                              reel::GraphNode("c")})
                                    .with_positions({{0, 0}, {100, 0}, {50, 80}})
                                    .with_colors(Color(0, 255, 0))
                                    .with_radii(8.0f)
                                    .with_labels({"A", "B", "C"}));
  rec.log_static("graph/edges",
                 reel::GraphEdges(std::vector<reel::GraphEdge>{{"a", "b"}, {"b", "c"}})
                     .with_graph_type(reel::GraphType::kDirected));
  rec.log_static("graph2/nodes", reel::GraphNodes(std::vector<reel::GraphNode>{
                                     reel::GraphNode("x"), reel::GraphNode("y"),
                                     reel::GraphNode("z"), reel::GraphNode("w")}));
  rec.log_static("geo/points", reel::GeoPoints::from_lat_lon({{45.0, 7.0}, {46.0, 8.0}})
                                   .with_colors(Color(0, 0, 255))
                                   .with_radii(-6.0f));
  rec.log_static("geo/track", reel::GeoLineStrings::from_lat_lon(
                                  {reel::GeoLineString{{{45.0, 8.0}, {46.0, 7.0}}}})
                                  .with_colors(Color(255, 255, 0))
                                  .with_radii(-2.0f));

  for (int f = 0; f < 10; ++f) {
    rec.set_time_sequence("frame", f);
    if (f == 0) {
      rec.log("clear/flat", reel::Points2D({{1, 1}}));
      rec.log("clear/tree/a", reel::Points2D({{2, 2}}));
      rec.log("clear/tree/b", reel::Points2D({{3, 3}}));
      rec.log("clear3d/points", reel::Points3D({{0, 0, 0}}).with_radii(0.5f));
      rec.log("clearimg/image", reel::Image::from_rgb24(solid_rgb(8, 8, 200, 0, 0), 8, 8));
    }
    if (f == 5) {
      rec.log("clear/flat", reel::Clear::flat());
      rec.log("clear/tree", reel::Clear::recursive());
      rec.log("clear3d", reel::Clear::recursive());
      rec.log("clearimg/image", reel::Clear::flat());
    }
    if (f == 7) rec.log("clear/tree/b", reel::Points2D({{4, 4}}));
    // Three series in one entity, and styled series.
    rec.log("series/multi", reel::Scalars(std::vector<double>{1.0 * f, 10.0 + f, 20.0 - f}));
    rec.log("series/markers", reel::Scalars(double(f % 3)));
    rec.log("series/wide", reel::Scalars(5.0));
  }
  rec.log_static("series/multi",
                 reel::SeriesLines()
                     .with_names({reel::Name("a"), reel::Name("b"), reel::Name("c")})
                     .with_colors({Color(255, 0, 0), Color(0, 255, 0), Color(0, 0, 255)}));
  rec.log_static("series/markers", reel::SeriesPoints()
                                       .with_colors(Color(0, 255, 255))
                                       .with_markers(reel::MarkerShape::kSquare)
                                       .with_marker_sizes(6.0f));
  rec.log_static("series/wide",
                 reel::SeriesLines().with_colors(Color(255, 0, 255)).with_widths(6.0f));

  // A camera: a Pinhole 2 m above the ground looking down, its image with a box, and a depth
  // image back-projected into 3D (16 x 12, one column invalid).
  rec.log_static("world", reel::ViewCoordinates::RIGHT_HAND_Z_UP);
  rec.log_static("world/camera", reel::Transform3D::from_translation_rotation(
                                     {0, 0, 2}, reel::RotationQuat{1, 0, 0, 0}));
  rec.log_static("world/camera", reel::Pinhole::from_focal_length_and_resolution(32, 64, 48)
                                     .with_color(Color(255, 128, 0))
                                     .with_image_plane_distance(1.0f));
  rec.log_static("world/camera/image",
                 reel::Image::from_rgb24(solid_rgb(64, 48, 0, 80, 160), 64, 48));
  rec.log_static("world/camera/image/box",
                 reel::Boxes2D::from_centers_and_half_sizes({{32, 24}}, {{8, 8}})
                     .with_colors(Color(255, 255, 0))
                     .with_radii(1.0f));
  std::vector<uint16_t> depth(16 * 12);
  for (size_t i = 0; i < depth.size(); ++i) depth[i] = i % 16 == 0 ? 0 : 2000;
  rec.log_static("world/depth_cam", reel::Transform3D::from_translation({3, 0, 2}));
  rec.log_static("world/depth_cam", reel::Pinhole::from_focal_length_and_resolution(8, 16, 12));
  rec.log_static("world/depth_cam/depth",
                 reel::DepthImage::from_u16(depth, 16, 12).with_meter(1000.0f));
  // The transform chain: named frames (a tf tree logged on its own entity), the inverse
  // relation and an axis-angle rotation.
  rec.log_static("frames/tf/base",
                 reel::Transform3D::from_translation({5, 0, 0}).with_frames("base_link", "odom"));
  rec.log_static("frames/tf/lidar",
                 reel::Transform3D::from_translation({0, 0, 1}).with_frames("lidar", "base_link"));
  rec.log_static("frames/robot", reel::CoordinateFrame("base_link"));
  rec.log_static("frames/robot", reel::Points3D({{0, 0, 0}}).with_radii(0.2f));
  rec.log_static("frames/sensor", reel::CoordinateFrame("lidar"));
  rec.log_static("frames/sensor", reel::Points3D({{0, 0, 0}}).with_radii(0.2f));
  // A camera placed by named frames alone: its Pinhole's parent_frame is an optical frame one
  // unit along +Y of the lidar (Rerun draws a Pinhole in its parent_frame, no
  // CoordinateFrame needed).
  rec.log_static("frames/tf/optical", reel::Transform3D::from_translation({0, 1, 0}).with_frames(
                                          "cam_optical", "lidar"));
  rec.log_static("frames/cam", reel::Pinhole::from_focal_length_and_resolution(8, 16, 12)
                                   .with_parent_frame(reel::TransformFrameId("cam_optical"))
                                   .with_child_frame(reel::TransformFrameId("cam_image")));
  rec.log_static("frames/inverse", reel::Transform3D::from_translation({1, 2, 3}).with_relation(
                                       reel::TransformRelation::kChildFromParent));
  rec.log_static("frames/inverse/p", reel::Points3D({{0, 0, 0}}));
  rec.log_static("frames/turn", reel::Transform3D::from_rotation(
                                    reel::RotationAxisAngle({0, 0, 2}, 1.5707963267948966f)));
  rec.log_static("frames/turn/p", reel::Transform3D::from_translation({1, 0, 0}));
  rec.log_static("frames/turn/p", reel::Points3D({{0, 0, 0}}));
  // Meshes, model files and shapes, each in its own place and color.
  rec.log_static("shapes3d", reel::ViewCoordinates::RIGHT_HAND_Z_UP);
  rec.log_static(
      "shapes3d/mesh",
      reel::Mesh3D({{-0.5f, -0.5f, 0}, {0.5f, -0.5f, 0}, {0.5f, 0.5f, 0}, {-0.5f, 0.5f, 0}})
          .with_triangle_indices({reel::TriangleIndices{0, 1, 2}, reel::TriangleIndices{0, 2, 3}})
          .with_vertex_colors(Color(255, 0, 0)));
  rec.log_static("shapes3d/instanced", reel::Mesh3D({{0, 0, 0}, {0.3f, 0, 0}, {0, 0.3f, 0}})
                                           .with_vertex_colors(Color(255, 255, 255)));
  rec.log_static("shapes3d/instanced", reel::InstancePoses3D().with_translations(
                                           {{0, -3, 0}, {0.5f, -3, 0}, {1, -3, 0}}));
  rec.log_static("shapes3d/ellipsoids", reel::Ellipsoids3D({{0.5f, 0.5f, 0.5f}})
                                            .with_centers({{3, 0, 0}})
                                            .with_colors(Color(0, 255, 0))
                                            .with_fill_mode(reel::FillMode::kSolid));
  rec.log_static("shapes3d/capsules", reel::Capsules3D({1.0f}, {0.3f})
                                          .with_translations({{-3, 0, 0}})
                                          .with_colors(Color(0, 0, 255))
                                          .with_fill_mode(reel::FillMode::kSolid));
  rec.log_static(
      "shapes3d/cylinders",
      reel::Cylinders3D({1.0f}, {0.4f}).with_centers({{0, 3, 0}}).with_colors(Color(255, 255, 0)));
  rec.log_static(
      "shapes3d/box",
      reel::Boxes3D::from_centers_and_half_sizes({{0, 0, 1.5f}}, {{0.3f, 0.3f, 0.3f}})
          .with_rotation_axis_angles(reel::RotationAxisAngle({0, 0, 1}, 1.5707963267948966f))
          .with_colors(Color(128, 0, 255))
          .with_fill_mode(reel::FillMode::kSolid));
  const std::string stl =
      "solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\n"
      "endloop\nendfacet\nendsolid t\n";
  rec.log_static("shapes3d/stl", reel::Transform3D::from_translation({3, 3, 0}));
  rec.log_static("shapes3d/stl",
                 reel::Asset3D(reel::Blob(std::vector<uint8_t>(stl.begin(), stl.end())))
                     .with_media_type(reel::MediaType::stl())
                     .with_albedo_factor(reel::AlbedoFactor(Color(255, 0, 255))));
  const std::string obj = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";
  rec.log_static("shapes3d/obj", reel::Transform3D::from_translation({-3, 3, 0}));
  rec.log_static("shapes3d/obj",
                 reel::Asset3D(reel::Blob(std::vector<uint8_t>(obj.begin(), obj.end())))
                     .with_media_type(reel::MediaType::obj())
                     .with_albedo_factor(reel::AlbedoFactor(Color(0, 255, 255))));
  const std::string gltf =
      R"({"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[0]}],"nodes":[{"mesh":0}],)"
      R"("meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],)"
      R"("buffers":[{"byteLength":36,"uri":"data:application/octet-stream;base64,)"
      R"(AAAAAAAAAAAAAAAAAACAPwAAAAAAAAAAAAAAAAAAgD8AAAAA"}],)"
      R"("bufferViews":[{"buffer":0,"byteOffset":0,"byteLength":36}],)"
      R"("accessors":[{"bufferView":0,"componentType":5126,"count":3,"type":"VEC3",)"
      R"("min":[0,0,0],"max":[1,1,0]}]})";
  rec.log_static("shapes3d/gltf", reel::Transform3D::from_translation({-3, -3, 0}));
  rec.log_static("shapes3d/gltf",
                 reel::Asset3D(reel::Blob(std::vector<uint8_t>(gltf.begin(), gltf.end())))
                     .with_media_type(reel::MediaType::gltf())
                     .with_albedo_factor(reel::AlbedoFactor(Color(255, 128, 0))));
  rec.flush_blocking();
  return 0;
}
