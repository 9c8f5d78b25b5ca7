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
  }
  std::printf(
      "{\"application_id\": \"reel_rrd_fixture\", \"recording_id\": \"reel_rec_1\", "
      "\"ranges\": {\"frame\": {\"min\": 0, \"max\": 9}, \"sim\": {\"min\": 0, \"max\": "
      "900000000}}}\n");
  return 0;
}
