// Writes an .rrd with reel's SDK (rec.save("x.rrd")), one entity per archetype reel and Rerun
// share and test.mjs checks in the Rerun web viewer, plus what the viewer must report for it
// (recording ids, each timeline's range) as JSON on stdout.
//
// Usage: reel_rrd_viewer_fixture OUT.rrd
#include <cmath>
#include <cstdio>
#include <vector>

#include "reel/reel.hpp"

using namespace reel;

namespace {

// A 64x48 RGB test image: a horizontal red ramp, a vertical green ramp, blue 80.
std::vector<uint8_t> ramp_rgb(uint32_t w, uint32_t h) {
  std::vector<uint8_t> rgb(size_t(w) * h * 3);
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) {
      uint8_t* p = &rgb[(size_t(y) * w + x) * 3];
      p[0] = uint8_t(x * 255 / (w - 1));
      p[1] = uint8_t(y * 255 / (h - 1));
      p[2] = 80;
    }
  }
  return rgb;
}

TensorData f32_tensor(std::vector<uint64_t> shape, const std::vector<float>& values) {
  TensorData t;
  t.shape = std::move(shape);
  t.datatype = ChannelDatatype::kF32;
  const auto* bytes = reinterpret_cast<const uint8_t*>(values.data());
  t.buffer = Bytes(std::vector<uint8_t>(bytes, bytes + values.size() * sizeof(float)));
  return t;
}

// The computer-vision and shape archetypes both systems have: a camera with its image and 2D
// detections under it, a depth camera, a segmentation image with its classes, meshes, an
// asset, shapes, instance poses, named frames, a bar chart, a graph, geo data, AnyValues and
// a Clear. Static unless the archetype is about time (the Clear, the moving camera).
Status log_cv_scene(RecordingStream& rec) {
  constexpr uint32_t kW = 64, kH = 48;
  // A camera 3 units behind the origin looking along +Y (Rerun's RDF camera axes).
  REEL_RETURN_NOT_OK(
      rec.try_log_static("/world/camera", Transform3D::from_translation({0, -3, 1}),
                         Pinhole::from_focal_length_and_resolution(40, float(kW), float(kH))
                             .with_camera_xyz(ViewCoordinatesComponent{{3, 2, 5}})
                             .with_image_plane_distance(0.5f)
                             .with_color(Color(255, 128, 0))
                             .with_line_width(0.01f)));
  const std::vector<uint8_t> rgb = ramp_rgb(kW, kH);
  REEL_RETURN_NOT_OK(rec.try_log_static("/world/camera/image",
                                        Image::from_rgb24(rgb, kW, kH).with_draw_order(-1.0f)));
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/world/camera/image/boxes",
      Boxes2D::from_centers_and_half_sizes({{16, 12}, {44, 30}}, {{8, 6}, {10, 8}})
          .with_colors(Collection<Color>(std::vector<Color>{Color(255, 0, 0), Color(0, 255, 0)}))
          .with_labels(Collection<Text>(std::vector<Text>{Text("car"), Text("person")}))
          .with_radii(0.5f)
          .with_draw_order(2.0f)));
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/world/camera/image/points",
      Points2D({{10, 10}, {20, 20}, {30, 30}}).with_colors(Color(255, 255, 0)).with_radii(1.5f)));
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/world/camera/image/strips",
      LineStrips2D(LineStrip2D{{{2, 40}, {30, 44}, {60, 40}}}).with_colors(Color(0, 255, 255))));
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/world/camera/image/arrows",
      Arrows2D::from_vectors({{10, -5}, {-8, 6}})
          .with_origins(Collection<Position2D>(std::vector<Position2D>{{32, 24}, {50, 10}}))
          .with_colors(Color(255, 0, 255))));

  // A depth camera: a u16 depth image in millimeters (a slanted plane 1..2 m away).
  REEL_RETURN_NOT_OK(rec.try_log_static("/world/depth_cam",
                                        Transform3D::from_translation({2, -3, 1}),
                                        Pinhole::from_focal_length_and_resolution(20, 32, 24)));
  std::vector<uint16_t> depth(32 * 24);
  for (size_t i = 0; i < depth.size(); ++i) depth[i] = uint16_t(1000 + (i % 32) * 30);
  REEL_RETURN_NOT_OK(
      rec.try_log_static("/world/depth_cam/depth", DepthImage::from_u16(depth, 32, 24)
                                                       .with_meter(1000.0f)
                                                       .with_colormap(Colormap::kViridis)
                                                       .with_depth_range(ValueRange{1000, 2000})
                                                       .with_point_fill_ratio(0.5f)));

  // A segmentation image: class 1 left half, class 2 right half, classes named and colored.
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/segmentation", AnnotationContext(Collection<AnnotationInfo>(std::vector<AnnotationInfo>{
                           {1, "road", Color(128, 64, 128)}, {2, "sky", Color(70, 130, 180)}}))));
  std::vector<uint8_t> seg(32 * 16);
  for (size_t i = 0; i < seg.size(); ++i) seg[i] = (i % 32) < 16 ? 1 : 2;
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/segmentation/mask", SegmentationImage::from_u8(seg, 32, 16).with_opacity(0.8f)));

  // A tetrahedron with normals, vertex colors and texture coordinates.
  const std::vector<Position3D> verts = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/world/mesh",
      Mesh3D(Collection<Position3D>(verts))
          .with_triangle_indices(Collection<TriangleIndices>(
              std::vector<TriangleIndices>{{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 2, 3}}))
          .with_vertex_normals(Collection<Vector3D>(
              std::vector<Vector3D>{{-1, -1, -1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}}))
          .with_vertex_colors(Collection<Color>(std::vector<Color>{
              Color(255, 0, 0), Color(0, 255, 0), Color(0, 0, 255), Color(255, 255, 0)}))
          .with_vertex_texcoords(
              Collection<Texcoord2D>(std::vector<Texcoord2D>{{0, 0}, {1, 0}, {0, 1}, {1, 1}}))
          .with_albedo_factor(AlbedoFactor(Color(255, 255, 255)))));
  // The same mesh repeated by instance poses.
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/world/mesh_instances",
      Mesh3D(Collection<Position3D>(verts))
          .with_triangle_indices(Collection<TriangleIndices>(
              std::vector<TriangleIndices>{{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 2, 3}})),
      InstancePoses3D()
          .with_translations(Collection<Translation3D>(
              std::vector<Translation3D>{{-2, 0, 0}, {-2, 2, 0}, {-2, 4, 0}}))
          .with_scales(Scale3D::uniform(0.5f))));
  // An OBJ asset: one triangle.
  static const char kObj[] = "v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 1\nf 1//1 2//1 3//1\n";
  REEL_RETURN_NOT_OK(
      rec.try_log_static("/world/asset", Transform3D::from_translation({3, 0, 0}),
                         Asset3D(Blob(std::vector<uint8_t>(kObj, kObj + sizeof kObj - 1)))
                             .with_media_type(MediaType::obj())
                             .with_albedo_factor(AlbedoFactor(Color(200, 200, 255)))));
  // Shapes.
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/world/ellipsoids",
      Ellipsoids3D(
          Collection<HalfSize3D>(std::vector<HalfSize3D>{{0.3f, 0.2f, 0.1f}, {0.2f, 0.2f, 0.2f}}))
          .with_centers(Collection<Translation3D>(std::vector<Translation3D>{{0, 2, 0}, {1, 2, 0}}))
          .with_rotation_axis_angles(RotationAxisAngle::from_degrees({0, 0, 1}, 30))
          .with_colors(Color(0, 128, 255))
          .with_fill_mode(FillMode::kSolid)
          .with_labels(Collection<Text>(std::vector<Text>{Text("e0"), Text("e1")}))));
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/world/capsules", Capsules3D(Collection<Length>(std::vector<Length>{1.0f}),
                                    Collection<Radius>(std::vector<Radius>{0.1f}))
                             .with_translations(Translation3D{0, 3, 0})
                             .with_quaternions(RotationQuat{0, 0.7071068f, 0, 0.7071068f})
                             .with_colors(Color(255, 64, 64))));
  REEL_RETURN_NOT_OK(rec.try_log_static("/world/cylinders",
                                        Cylinders3D(Collection<Length>(std::vector<Length>{0.5f}),
                                                    Collection<Radius>(std::vector<Radius>{0.2f}))
                                            .with_centers(Translation3D{1, 3, 0})
                                            .with_colors(Color(64, 255, 64))
                                            .with_fill_mode(FillMode::kMajorWireframe)
                                            .with_line_radii(0.01f)));
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/world/boxes_rotated",
      Boxes3D::from_centers_and_half_sizes({{2, 2, 0}}, {{0.2f, 0.3f, 0.1f}})
          .with_rotation_axis_angles(RotationAxisAngle::from_degrees({0, 0, 1}, 45))
          .with_fill_mode(FillMode::kSolid)));

  // Named frames (tf style): base_link in the world, the lidar in base_link, points in the
  // lidar's frame.
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/tf/base_link",
      Transform3D::from_translation({0, 0, 0.5f}).with_frames("base_link", "tf#/world")));
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/tf/lidar", Transform3D::from_translation_rotation(
                       {0.2f, 0, 0.3f}, RotationAxisAngle::from_degrees({0, 0, 1}, 90))
                       .with_relation(TransformRelation::kParentFromChild)
                       .with_frames("lidar", "base_link")));
  REEL_RETURN_NOT_OK(
      rec.try_log_static("/world/lidar_points", CoordinateFrame("lidar"),
                         Points3D({{1, 0, 0}, {0, 1, 0}}).with_colors(Color(255, 0, 0))));

  // 2D primitives outside any image: a standalone 2D view.
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/flat/boxes", Boxes2D::from_centers_and_half_sizes({{0, 0}}, {{1, 0.5f}})));
  REEL_RETURN_NOT_OK(
      rec.try_log_static("/flat/strips", LineStrips2D(LineStrip2D{{{0, 0}, {1, 0.5f}, {2, 0}}})));
  REEL_RETURN_NOT_OK(rec.try_log_static("/flat/arrows", Arrows2D::from_vectors({{1, 1}})));

  // A bar chart, a graph, geo data.
  REEL_RETURN_NOT_OK(
      rec.try_log_static("/bars", BarChart(f32_tensor({5}, {1, 3, 2, 5, 4}))
                                      .with_color(Color(255, 160, 0))
                                      .with_abscissa(f32_tensor({5}, {0, 1, 2, 3, 4}))
                                      .with_widths(Collection<Length>(std::vector<Length>{0.8f}))));
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/graph",
      GraphNodes(Collection<GraphNode>(
                     std::vector<GraphNode>{GraphNode("a"), GraphNode("b"), GraphNode("c")}))
          .with_positions(
              Collection<Position2D>(std::vector<Position2D>{{0, 0}, {50, 0}, {25, 40}}))
          .with_labels(Collection<Text>(std::vector<Text>{Text("A"), Text("B"), Text("C")}))
          .with_colors(Color(0, 200, 100))
          .with_radii(5.0f),
      GraphEdges(Collection<GraphEdge>(std::vector<GraphEdge>{{"a", "b"}, {"b", "c"}}))
          .with_graph_type(GraphType::kDirected)));
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/geo/points", GeoPoints::from_lat_lon(Collection<LatLon>(std::vector<LatLon>{
                                                 {59.319221, 18.075631}, {59.33, 18.07}}))
                         .with_radii(5.0f)
                         .with_colors(Color(255, 0, 0))));
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/geo/lines",
      GeoLineStrings::from_lat_lon(GeoLineString{{{59.31, 18.06}, {59.32, 18.08}, {59.33, 18.07}}})
          .with_radii(2.0f)
          .with_colors(Color(0, 0, 255))));

  // AnyValues: named columns without an archetype, as Rerun logs them.
  const std::vector<Scalar> speed = {1.5};
  const std::vector<Text> label = {Text("fast")};
  REEL_RETURN_NOT_OK(rec.try_log_static(
      "/any", component_batch(ComponentDescriptor("", "speed", ""), std::span<const Scalar>(speed)),
      component_batch(ComponentDescriptor("", "label", ""), std::span<const Text>(label))));

  // A JPEG, logged on the timelines: the Rerun web viewer 0.33 stops answering (headless,
  // SwiftShader) on a *static* EncodedImage, whoever wrote it (the independent JavaScript
  // writer's too), so it is logged at frame 0.
  REEL_ASSIGN_OR_RETURN(EncodedImage jpeg, Image::from_rgb24(rgb, kW, kH).compress(90));
  // Points that a Clear removes at frame 5.
  for (int i = 0; i < 10; ++i) {
    rec.set_time_sequence("frame", i);
    rec.set_time_duration_nanos("sim", int64_t(i) * 100000000);
    if (i == 0) REEL_RETURN_NOT_OK(rec.try_log("/encoded", jpeg));
    if (i < 5) {
      REEL_RETURN_NOT_OK(rec.try_log("/world/cleared/points", Points3D({{0, 0, float(i) / 10}})));
    } else if (i == 5) {
      REEL_RETURN_NOT_OK(rec.try_log("/world/cleared", Clear::recursive()));
    }
  }
  return Status::OK();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT.rrd\n", argv[0]);
    return 2;
  }
  {
    RecordingStreamOptions options;
    options.recording_id = "reel_rec_1";
    options.log_time = false;
    options.log_tick = false;
    RecordingStream rec("reel_rrd_fixture", options);
    if (Status st = rec.save(argv[1]); !st.ok()) {
      std::fprintf(stderr, "%s\n", st.to_string().c_str());
      return 1;
    }
    rec.log_static("/", ViewCoordinates(3, 5, 1));  // right, forward... as Rerun's RIGHT_HAND_Z_UP
    rec.log_static("/world",
                   AnnotationContext(Collection<AnnotationInfo>(std::vector<AnnotationInfo>{
                       {1, "one", Color(255, 0, 0)}, {2, "two", Color(0, 255, 0)}})));
    rec.log_static("/plots/sine", SeriesLines().with_colors(Color(255, 200, 0)));
    rec.log_static("/plots/dots",
                   SeriesPoints().with_markers(MarkerShape::kDiamond).with_marker_sizes(4.0f));
    for (int i = 0; i < 10; ++i) {
      rec.set_time_sequence("frame", i);
      rec.set_time_duration_nanos("sim", int64_t(i) * 100000000);
      std::vector<Position3D> points;
      for (int k = 0; k < 30; ++k) {
        const double a = k * 0.2 + i * 0.1;
        points.push_back({float(std::cos(a)), float(std::sin(a)), float(k) / 30});
      }
      rec.log("/world/points", Points3D(points).with_colors(Color(0, 200, 255)).with_radii(0.03f));
      rec.log("/world/boxes",
              Boxes3D::from_centers_and_half_sizes({{0, 0, 0}}, {{0.5f, 0.5f, 0.25f}}));
      rec.log("/world/strips",
              LineStrips3D(LineStrip3D{{{0, 0, 0}, {1, float(i) / 10, 1}, {0, 1, 1}}}));
      rec.log("/world/arrows", Arrows3D::from_vectors({{0, 0, 1}}));
      rec.log("/world/moved", Transform3D::from_translation({float(i) / 10, 0, 0}));
      rec.log("/plots/sine", Scalars(std::sin(i / 3.0)));
      rec.log("/plots/dots", Scalars(std::cos(i / 3.0)));
      std::vector<uint8_t> rgb(16 * 8 * 3);
      for (size_t p = 0; p < rgb.size(); ++p) rgb[p] = uint8_t((p * 7 + i * 20) % 256);
      rec.log("/image", Image::from_rgb24(rgb, 16, 8));
      std::vector<float> t(12);
      for (size_t k = 0; k < t.size(); ++k) t[k] = float(k) + float(i);
      rec.log("/tensor", Tensor::from_f32({3, 4}, t));
      rec.log("/log", TextLog("step " + std::to_string(i)));
    }
    rec.log_static("/readme", TextDocument("reel wrote this .rrd"));
    rec.log_static("/flat/points", Points2D({{0, 0}, {1, 1}}));
    if (Status st = log_cv_scene(rec); !st.ok()) {
      std::fprintf(stderr, "%s\n", st.to_string().c_str());
      return 1;
    }
  }
  std::printf(
      "{\"application_id\": \"reel_rrd_fixture\", \"recording_id\": \"reel_rec_1\", "
      "\"ranges\": {\"frame\": {\"min\": 0, \"max\": 9}, \"sim\": {\"min\": 0, \"max\": "
      "900000000}}}\n");
  return 0;
}
