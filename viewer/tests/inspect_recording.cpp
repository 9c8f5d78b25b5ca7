// Writes a recording for the viewer's inspection tests (tests/browser/inspect.test.mjs):
// an image whose every pixel has a known color, boxes and points over it with class ids
// resolved through an AnnotationContext, a depth image, 3D points, two plotted series with
// known values on two timelines, a segmentation image and an entity with a long batch. Every value
// here is what the test checks.
//
// Usage: reel_viewer_inspect FILE
#include <reel/reel.hpp>

#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  reel::RecordingStream rec("viewer_inspect");
  if (auto st = rec.save(argv[1]); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.to_string().c_str());
    return 1;
  }
  using reel::Color;

  rec.log_static("cam", reel::AnnotationContext(std::vector<reel::AnnotationInfo>{
                            {1, "person", Color(255, 0, 0)}, {2, "car", Color(0, 0, 255)}}));
  // Pixel (x, y) of the 32 x 24 image is (8x, 10y, 200).
  std::vector<uint8_t> px;
  for (uint32_t y = 0; y < 24; ++y)
    for (uint32_t x = 0; x < 32; ++x) px.insert(px.end(), {uint8_t(8 * x), uint8_t(10 * y), 200});
  std::vector<uint16_t> depth(4 * 2);
  for (size_t i = 0; i < depth.size(); ++i) depth[i] = uint16_t(250 * i);
  // Class ids of a 4 x 2 segmentation image, resolved through its own context.
  const std::vector<uint8_t> mask = {0, 1, 2, 1, 2, 2, 0, 1};
  rec.log_static("seg", reel::AnnotationContext(std::vector<reel::AnnotationInfo>{
                            {1, "person", Color(255, 0, 0)}, {2, "car", Color(0, 0, 255)}}));
  std::vector<reel::Position2D> many;
  for (int i = 0; i < 50; ++i) many.push_back({float(i), float(i % 5)});

  for (int f = 0; f < 10; ++f) {
    rec.set_time_sequence("frame", f);
    rec.set_time_duration_secs("sim_time", 0.5 * f);
    if (f == 2) {
      rec.log("cam/image", reel::Image::from_rgb24(px, 32, 24));
      rec.log("cam/image/boxes",
              reel::Boxes2D::from_centers_and_half_sizes({{8, 6}, {22, 14}}, {{4, 3}, {6, 5}})
                  .with_class_ids({reel::ClassId(1), reel::ClassId(2)})
                  .with_labels({"left", "right"}));
      rec.log("cam/image/points", reel::Points2D({{28, 3}})
                                      .with_colors(Color(0, 255, 0, 128))
                                      .with_radii(1.5f)
                                      .with_class_ids(reel::ClassId(2)));
      rec.log("seg/mask", reel::SegmentationImage::from_u8(mask, 4, 2));
      rec.log("depth/image", reel::DepthImage::from_u16(depth, 4, 2).with_meter(1000.0f));
      rec.log("world/points", reel::Points3D({{0, 0, 0}, {1, 0, 0}, {0, 1, 0}})
                                  .with_colors(Color(255, 128, 0))
                                  .with_radii(0.12f));
      rec.log("world/box",
              reel::Boxes3D::from_centers_and_half_sizes({{1, 1, 0.5f}}, {{0.25f, 0.25f, 0.25f}})
                  .with_colors(Color(0, 0, 255)));
      rec.log("many/points", reel::Points2D(many));
      rec.log("logs", reel::TextLog("boxes found").with_level(reel::TextLogLevel::warn()));
    }
    rec.log("plots/a", reel::Scalars(1.5 * f));
    rec.log("plots/b", reel::Scalars(100.0 - f));
  }
  rec.flush_blocking();
  return 0;
}
