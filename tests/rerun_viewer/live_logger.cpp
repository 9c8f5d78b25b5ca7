// The SDK client of the live Rerun viewer test (live.mjs): connects to a `reel serve`, then
// for each line "FROM TO" on stdin logs /live/value = frame * 0.5 (Scalars) at frames
// FROM..TO-1 of timeline `frame`, flushes, and prints "logged FROM TO". Ends at end of input.
//
// Usage: reel_rerun_live_logger ADDR APPLICATION_ID RECORDING_ID
#include <reel/reel.hpp>

#include <cstdio>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: reel_rerun_live_logger ADDR APPLICATION_ID RECORDING_ID\n");
    return 2;
  }
  reel::RecordingStream rec(argv[2], argv[3]);
  if (auto st = rec.connect(argv[1]); !st.ok()) {
    std::fprintf(stderr, "reel_rerun_live_logger: %s\n", st.to_string().c_str());
    return 1;
  }
  long from = 0, to = 0;
  while (std::cin >> from >> to) {
    for (long f = from; f < to; ++f) {
      rec.set_time_sequence("frame", f);
      rec.log("live/value", reel::Scalars(double(f) * 0.5));
    }
    rec.flush_blocking();
    std::printf("logged %ld %ld\n", from, to);
    std::fflush(stdout);
  }
  return 0;
}
