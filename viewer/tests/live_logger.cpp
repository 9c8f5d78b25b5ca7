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
// Usage: reel_viewer_live_logger ADDR APPLICATION_ID RECORDING_ID [--images SECONDS]
#include <reel/reel.hpp>

#include <chrono>
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

void stream_images(reel::RecordingStream& rec, double seconds) {
  const int w = 640, h = 480;
  std::vector<uint8_t> rgb(size_t(w) * h * 3);
  const int frames = int(seconds * 30);
  auto tick = std::chrono::steady_clock::now();
  for (int f = 0; f < frames; ++f) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        uint8_t* p = &rgb[(size_t(y) * w + x) * 3];
        p[0] = uint8_t(x + f);
        p[1] = uint8_t(y);
        p[2] = uint8_t(f);
      }
    }
    rec.set_time_sequence("frame", f);
    rec.log("camera/image", reel::Image::from_rgb24(rgb, w, h));
    rec.log("camera/frame_number", reel::Scalars(double(f)));
    tick += std::chrono::microseconds(33333);
    std::this_thread::sleep_until(tick);
  }
  rec.flush_blocking();
  std::printf("images done: %d frames\n", frames);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const bool images = argc == 6 && std::string(argv[4]) == "--images";
  if (argc != 4 && !images) {
    std::fprintf(stderr,
                 "usage: reel_viewer_live_logger ADDR APPLICATION_ID RECORDING_ID [--images S]\n");
    return 2;
  }
  reel::RecordingStream rec(argv[2], argv[3]);
  if (auto st = rec.connect(argv[1]); !st.ok()) {
    std::fprintf(stderr, "reel_viewer_live_logger: %s\n", st.to_string().c_str());
    return 1;
  }
  if (images) {
    stream_images(rec, std::atof(argv[5]));
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
