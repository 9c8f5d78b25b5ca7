// The demo behind `make run`: a small robot run logged through the SDK into the embedded
// store, then queried back. Later steps save it to a file and serve it to the viewer.
#include <reel/reel.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

void log_demo(reel::RecordingStream& rec, int frames) {
  rec.log_static("world", reel::ViewCoordinates::RIGHT_HAND_Z_UP);
  rec.log_static("world/robot/annotations",
                 reel::AnnotationContext({{1, "wheel", reel::Color(200, 200, 40)},
                                          {2, "sensor", reel::Color(40, 200, 200)}}));
  std::vector<reel::Position3D> cloud(2000);
  std::vector<reel::Color> colors(cloud.size());
  std::vector<uint8_t> image(64 * 48 * 3);
  for (int f = 0; f < frames; ++f) {
    const double t = f * 0.05;
    rec.set_time_sequence("frame", f);
    rec.set_time_duration_secs("sim_time", t);
    for (int i = 0; i < 9; ++i) {
      for (int j = 0; j < 5; ++j) {
        rec.log("plots/p" + std::to_string(i) + "/s" + std::to_string(j),
                reel::Scalars(std::sin(t + j) * i));
      }
    }
    // A rotating point cloud around the robot.
    for (size_t k = 0; k < cloud.size(); ++k) {
      const double a = double(k) * 0.0314 + t;
      const double r = 2.0 + std::sin(double(k) * 0.7);
      cloud[k] = {float(r * std::cos(a)), float(r * std::sin(a)), float(0.002 * double(k))};
      colors[k] = reel::Color(uint8_t(k % 255), uint8_t(128 + 127 * std::sin(a)), 200);
    }
    rec.log("world/lidar", reel::Points3D(cloud).with_colors(colors).with_radii(0.02f));
    rec.log("world/robot", reel::Transform3D::from_translation({float(std::cos(t)), float(std::sin(t)), 0}),
            reel::Boxes3D::from_half_sizes({{0.4f, 0.3f, 0.2f}}).with_colors(reel::Color(255, 120, 0)));
    rec.log("world/robot/path",
            reel::LineStrips3D(std::vector<reel::LineStrip3D>{{{{0, 0, 0}, {1, 0, 0}, {1, 1, 0}}}}));
    for (size_t p = 0; p < image.size(); p += 3) {
      image[p] = uint8_t((p / 3 % 64) * 4 + f);
      image[p + 1] = uint8_t((p / 3 / 64) * 5);
      image[p + 2] = uint8_t(128 + f);
    }
    if (f % 10 == 0) rec.log("camera/rgb", reel::Image::from_rgb24(image, 64, 48));
    if (f % 25 == 0) {
      rec.log("logs", reel::TextLog("frame " + std::to_string(f) + " processed")
                          .with_level(f % 100 == 0 ? reel::TextLogLevel::warn()
                                                   : reel::TextLogLevel::info()));
    }
  }
}

}  // namespace

// Usage: reel-demo [FRAMES] [--save FILE]
int main(int argc, char** argv) {
  int frames = 400;
  std::string save_path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--save" && i + 1 < argc) {
      save_path = argv[++i];
    } else {
      frames = std::atoi(argv[i]);
    }
  }
  auto start = std::chrono::steady_clock::now();
  reel::RecordingStream rec("reel_demo");
  auto store = rec.memory_store();
  if (!save_path.empty()) {
    if (auto st = rec.save(save_path); !st.ok()) {
      std::fprintf(stderr, "reel-demo: %s\n", st.to_string().c_str());
      return 1;
    }
  }
  log_demo(rec, frames);
  rec.flush_blocking();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  auto stats = store->stats();
  std::printf("reel demo: logged %d frames in %.3f s into the embedded store%s%s\n", frames, secs,
              save_path.empty() ? "" : " and ", save_path.c_str());
  std::printf("  %zu entities, %zu chunks, %lld rows, %.1f MiB\n", store->entities().size(),
              stats.num_chunks, static_cast<long long>(stats.num_rows),
              double(stats.total_bytes()) / (1 << 20));
  for (const auto& t : store->timelines()) {
    auto r = store->time_range(t.name());
    std::printf("  timeline %-9s %-9s [%s, %s]\n", t.name().c_str(), reel::time_type_name(t.type()),
                reel::format_time(t.type(), r.min).c_str(), reel::format_time(t.type(), r.max).c_str());
  }
  const auto& scalar = reel::Scalars::fields()[0].descriptor;
  auto last = store->latest_at({"frame", frames / 2}, "/plots/p3/s1", scalar);
  if (last) {
    std::printf("  latest-at frame %d of /plots/p3/s1: %.6f (logged at frame %lld)\n", frames / 2,
                reel::arrow::PrimitiveArray<double>(last->instances(scalar)).value(0),
                static_cast<long long>(last->time));
  }
  auto range = store->range({"frame", {0, frames - 1}}, "/plots/p8/s4", scalar);
  std::printf("  range over all frames of /plots/p8/s4: %lld rows in %zu chunk slice(s)\n",
              static_cast<long long>(range.num_rows()), range.chunks.size());
  return 0;
}
