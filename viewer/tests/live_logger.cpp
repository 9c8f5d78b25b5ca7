// A client the live browser tests (tests/browser/live_order.test.mjs) drive step by step:
// it connects to a `reel serve`, logs one step, prints "step N done" and waits for a line
// on stdin before the next one, so the page sees the data arrive in a known order.
//
//   step 1: /train/loss, named "loss", red (SeriesLines, static), value 1.0 at steps 0..99;
//           /train/zeta, named "zeta", blue, value 2.0
//   step 2: /train/accuracy, named "accuracy", green, value 0.0
//
// The paths sort as accuracy < loss < zeta: not their order of arrival.
//
// With `--images SECONDS` it streams instead, for the memory budget test
// (tests/browser/budget.test.mjs): a 640x480 RGB image at 30 frames per second on
// /camera/image (frame f: pixel (x, y) = (x + f, y, f) mod 256) and a scalar per frame on
// /camera/frame_number, timeline `frame`, for that long; then it prints "images done".
//
// With `--live SECONDS --points N` it logs as a live client would, in real time, for the lag
// test (tests/browser/live_lag.test.mjs) and reel-bench's viewer_live: a scalar at 60 Hz on
// /signal/scalar and, every second tick (30 fps), a 640x480 RGB image on /camera/image and
// a Points3D cloud of N points on /world/points. Every row is stamped on the timestamp
// timeline `wall` with the wall clock (system_clock, ns since the epoch) when it is logged,
// so the page can tell how old the data it draws is. It sleeps to its schedule; a tick that
// starts more than one period late counts as "late". At the end it prints
//   live done: S scalars, I images, C clouds of N points in T s (R scalars/s, F images/s);
//   late ticks L, most behind M ms
//
// ADDR `file:PATH` saves to a file instead (the paging test, tests/browser/paging.test.mjs,
// writes its image recording so): --images then logs as fast as it can.
//
// Usage: reel_viewer_live_logger ADDR APPLICATION_ID RECORDING_ID
//            [--images SECONDS | --live SECONDS --points N]
#include <reel/reel.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

void log_series(reel::RecordingStream& rec, const char* path, const char* name, reel::Color color,
                double value) {
  rec.log_static(path, reel::SeriesLines().with_names(reel::Name(name)).with_colors(color));
  for (int step = 0; step < 100; ++step) {
    rec.set_time_sequence("step", step);
    rec.log(path, reel::Scalars(value));
  }
  rec.flush_blocking();
}

// Frame f of the image streams: pixel (x, y) = (x + f, y, f) mod 256.
void fill_frame(std::vector<uint8_t>& rgb, int w, int h, int f) {
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &rgb[(size_t(y) * w + x) * 3];
      p[0] = uint8_t(x + f);
      p[1] = uint8_t(y);
      p[2] = uint8_t(f);
    }
  }
}

void stream_images(reel::RecordingStream& rec, double seconds, bool real_time) {
  const int w = 640, h = 480;
  std::vector<uint8_t> rgb(size_t(w) * h * 3);
  const int frames = int(seconds * 30);
  auto tick = std::chrono::steady_clock::now();
  for (int f = 0; f < frames; ++f) {
    fill_frame(rgb, w, h, f);
    rec.set_time_sequence("frame", f);
    rec.log("camera/image", reel::Image::from_rgb24(rgb, w, h));
    rec.log("camera/frame_number", reel::Scalars(double(f)));
    tick += std::chrono::microseconds(33333);
    if (real_time) std::this_thread::sleep_until(tick);
  }
  rec.flush_blocking();
  std::printf("images done: %d frames\n", frames);
  std::fflush(stdout);
}

void stream_live(reel::RecordingStream& rec, double seconds, int points) {
  using clock = std::chrono::steady_clock;
  const int w = 640, h = 480;
  std::vector<uint8_t> rgb(size_t(w) * h * 3);
  std::vector<reel::Position3D> cloud(static_cast<size_t>(points));
  std::vector<reel::Color> colors(static_cast<size_t>(points));
  const auto period = std::chrono::nanoseconds(1'000'000'000 / 60);
  const int ticks = int(seconds * 60);
  int scalars = 0, images = 0, late = 0;
  double most_behind_ms = 0;
  auto wall_now = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const auto start = clock::now();
  for (int t = 0; t < ticks; ++t) {
    const auto due = start + t * period;
    const double behind_ms = std::chrono::duration<double, std::milli>(clock::now() - due).count();
    if (behind_ms > 1000.0 / 60) ++late;
    if (behind_ms > most_behind_ms) most_behind_ms = behind_ms;
    if (t % 2 == 0) {
      const int f = t / 2;
      fill_frame(rgb, w, h, f);
      // A slowly turning spiral.
      for (int k = 0; k < points; ++k) {
        const float a = 0.01f * float(k) + 0.05f * float(f);
        const float r = 1.0f + 0.00002f * float(k);
        cloud[size_t(k)] = {r * std::cos(a), r * std::sin(a), 0.00001f * float(k)};
        colors[size_t(k)] = reel::Color(uint8_t(k), uint8_t(f), 200);
      }
      rec.set_time_timestamp_nanos_since_epoch("wall", wall_now());
      rec.log("camera/image", reel::Image::from_rgb24(rgb, w, h));
      rec.set_time_timestamp_nanos_since_epoch("wall", wall_now());
      rec.log("world/points", reel::Points3D(cloud).with_colors(colors).with_radii(0.01f));
      ++images;
    }
    rec.set_time_timestamp_nanos_since_epoch("wall", wall_now());
    rec.log("signal/scalar", reel::Scalars(std::sin(0.05 * double(t))));
    ++scalars;
    std::this_thread::sleep_until(start + (t + 1) * period);
  }
  rec.flush_blocking();
  const double secs = std::chrono::duration<double>(clock::now() - start).count();
  std::printf(
      "live done: %d scalars, %d images, %d clouds of %d points in %.2f s (%.1f scalars/s, %.1f "
      "images/s); late ticks %d, most behind %.1f ms\n",
      scalars, images, images, points, secs, scalars / secs, images / secs, late, most_behind_ms);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const bool images = argc == 6 && std::string(argv[4]) == "--images";
  const bool live =
      argc == 8 && std::string(argv[4]) == "--live" && std::string(argv[6]) == "--points";
  if (argc != 4 && !images && !live) {
    std::fprintf(stderr,
                 "usage: reel_viewer_live_logger ADDR APPLICATION_ID RECORDING_ID [--images S | "
                 "--live S --points N]\n");
    return 2;
  }
  reel::RecordingStream rec(argv[2], argv[3]);
  const std::string address = argv[1];
  const bool to_file = address.rfind("file:", 0) == 0;
  if (auto st = to_file ? rec.save(address.substr(5)) : rec.connect(address); !st.ok()) {
    std::fprintf(stderr, "reel_viewer_live_logger: %s\n", st.to_string().c_str());
    return 1;
  }
  if (images) {
    stream_images(rec, std::atof(argv[5]), !to_file);
    return 0;
  }
  if (live && std::atoi(argv[7]) < 0) {
    std::fprintf(stderr, "reel_viewer_live_logger: --points %s: not a count\n", argv[7]);
    return 2;
  }
  if (live) {
    stream_live(rec, std::atof(argv[5]), std::atoi(argv[7]));
    return 0;
  }
  std::string line;
  log_series(rec, "train/loss", "loss", reel::Color(255, 0, 0), 1.0);
  log_series(rec, "train/zeta", "zeta", reel::Color(0, 0, 255), 2.0);
  std::printf("step 1 done\n");
  std::fflush(stdout);
  if (!std::getline(std::cin, line)) return 0;
  log_series(rec, "train/accuracy", "accuracy", reel::Color(0, 255, 0), 0.0);
  std::printf("step 2 done\n");
  std::fflush(stdout);
  std::getline(std::cin, line);
  return 0;
}
