// The demo behind `make run`: a small robot run logged through the SDK into the embedded
// store, then queried back. Later steps save it to a file and serve it to the viewer.
#include <reel/reel.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

// One robot run: static scene data once, then one call per frame.
class Demo {
 public:
  explicit Demo(reel::RecordingStream& rec)
      : rec_(rec), cloud_(2000), colors_(2000), image_(64 * 48 * 3) {
    rec_.log_static("world", reel::ViewCoordinates::RIGHT_HAND_Z_UP);
    rec_.log_static("world/robot/annotations",
                    reel::AnnotationContext({{1, "wheel", reel::Color(200, 200, 40)},
                                             {2, "sensor", reel::Color(40, 200, 200)}}));
  }

  void log_frame(int f) {
    reel::RecordingStream& rec = rec_;
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
    for (size_t k = 0; k < cloud_.size(); ++k) {
      const double a = double(k) * 0.0314 + t;
      const double r = 2.0 + std::sin(double(k) * 0.7);
      cloud_[k] = {float(r * std::cos(a)), float(r * std::sin(a)), float(0.002 * double(k))};
      colors_[k] = reel::Color(uint8_t(k % 255), uint8_t(128 + 127 * std::sin(a)), 200);
    }
    rec.log("world/lidar", reel::Points3D(cloud_).with_colors(colors_).with_radii(0.02f));
    rec.log(
        "world/robot",
        reel::Transform3D::from_translation({float(std::cos(t)), float(std::sin(t)), 0}),
        reel::Boxes3D::from_half_sizes({{0.4f, 0.3f, 0.2f}}).with_colors(reel::Color(255, 120, 0)));
    rec.log(
        "world/robot/path",
        reel::LineStrips3D(std::vector<reel::LineStrip3D>{{{{0, 0, 0}, {1, 0, 0}, {1, 1, 0}}}}));
    for (size_t p = 0; p < image_.size(); p += 3) {
      image_[p] = uint8_t((p / 3 % 64) * 4 + f);
      image_[p + 1] = uint8_t((p / 3 / 64) * 5);
      image_[p + 2] = uint8_t(128 + f);
    }
    if (f % 10 == 0) rec.log("camera/rgb", reel::Image::from_rgb24(image_, 64, 48));
    if (f % 25 == 0) {
      rec.log("logs", reel::TextLog("frame " + std::to_string(f) + " processed")
                          .with_level(f % 100 == 0 ? reel::TextLogLevel::warn()
                                                   : reel::TextLogLevel::info()));
    }
  }

 private:
  reel::RecordingStream& rec_;
  std::vector<reel::Position3D> cloud_;
  std::vector<reel::Color> colors_;
  std::vector<uint8_t> image_;
};

}  // namespace

// Usage: reel-demo [FRAMES] [--save FILE] [--connect ADDR] [--live SECONDS]
//   --connect ADDR  also stream to a `reel serve` / `reel view` (e.g. 127.0.0.1:9876)
//   --live SECONDS  after the FRAMES, keep logging 20 frames per second for that long
int main(int argc, char** argv) {
  int frames = 400;
  std::string save_path, connect_address;
  double live_secs = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--save" && i + 1 < argc) {
      save_path = argv[++i];
    } else if (arg == "--connect" && i + 1 < argc) {
      connect_address = argv[++i];
    } else if (arg == "--live" && i + 1 < argc) {
      live_secs = std::atof(argv[++i]);
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
  if (!connect_address.empty()) {
    // Alongside the file (save() and connect() each replace the other): add the TCP sink.
    auto sink = reel::make_tcp_sink(connect_address);
    if (!sink.ok()) {
      std::fprintf(stderr, "reel-demo: %s\n", sink.status().to_string().c_str());
      return 1;
    }
    rec.add_sink(*sink);
  }
  Demo demo(rec);
  for (int f = 0; f < frames; ++f) demo.log_frame(f);
  rec.flush_blocking();
  if (live_secs > 0) {
    // Real time: frame f is logged at start + f / 20 s, so a viewer sees it move.
    const int live_frames = int(live_secs * 20);
    std::printf("reel demo: logging live, 20 frames/s for %.1f s\n", live_secs);
    std::fflush(stdout);
    auto tick = std::chrono::steady_clock::now();
    for (int k = 0; k < live_frames; ++k) {
      tick += std::chrono::milliseconds(50);
      std::this_thread::sleep_until(tick);
      demo.log_frame(frames + k);
    }
    frames += live_frames;
    rec.flush_blocking();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  auto stats = store->stats();
  std::printf("reel demo: logged %d frames in %.3f s into the embedded store%s%s%s%s\n", frames,
              secs, save_path.empty() ? "" : " and ", save_path.c_str(),
              connect_address.empty() ? "" : " and to the server at ", connect_address.c_str());
  std::printf("  %zu entities, %zu chunks, %lld rows, %.1f MiB\n", store->entities().size(),
              stats.num_chunks, static_cast<long long>(stats.num_rows),
              double(stats.total_bytes()) / (1 << 20));
  for (const auto& t : store->timelines()) {
    auto r = store->time_range(t.name());
    std::printf("  timeline %-9s %-9s [%s, %s]\n", t.name().c_str(), reel::time_type_name(t.type()),
                reel::format_time(t.type(), r.min).c_str(),
                reel::format_time(t.type(), r.max).c_str());
  }
  const auto& scalar = reel::Scalars::descriptor_scalars();
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
