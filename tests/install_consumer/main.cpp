// Logs through an installed reel and queries the embedded store back.
#include <reel/reel.hpp>

#include <cstdio>

int main() {
  reel::RecordingStream rec("consumer");
  auto store = rec.memory_store();
  for (int i = 0; i < 10; ++i) {
    rec.set_time_sequence("step", i);
    rec.log("plots/x", reel::Scalars(i * 2.0));
  }
  rec.flush_blocking();
  const auto& scalars = reel::Scalars::descriptor_scalars();
  auto latest = store->latest_at({"step", 4}, "/plots/x", scalars);
  if (!latest) return 1;
  const double value = reel::arrow::PrimitiveArray<double>(latest->instances(scalars)).value(0);
  std::printf("latest at step 4: %g\n", value);
  return value == 8.0 ? 0 : 1;
}
