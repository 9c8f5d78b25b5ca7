// Decode throughput of the import readers, next to a plain read of the same file, in one run
// (not part of reel-bench yet). Generate a file with tests/import/bench_mcap.mjs.
//
// Usage: import_bench FILE.mcap [REPEATS]
// Prints MB/s of file bytes for: read (plain read() of the file), mcap (the reader: records,
// decompression, CRCs), decode (the reader plus every message decoded into Arrow batches of
// up to 1024 rows / 8 MiB, as the importer will do).
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <vector>

#include "reel/import/mcap_reader.hpp"
#include "reel/import/message_decoder.hpp"

using namespace reel;
using namespace reel::import;

namespace {

// CPU seconds of this process: on a shared, loaded machine wall time mostly measures the
// wait for a core. Both are reported.
double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}
struct Clock {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  double cpu = cpu_now();
  double wall_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  }
  double cpu_s() const { return cpu_now() - cpu; }
};

uint64_t plain_read(const char* path) {
  const int fd = ::open(path, O_RDONLY);
  if (fd < 0) return 0;
  std::vector<uint8_t> buf(16 << 20);
  uint64_t total = 0, sum = 0;
  ssize_t n;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
    total += uint64_t(n);
    sum += buf[size_t(n) / 2];
  }
  ::close(fd);
  return total + (sum & 0);
}

// Returns messages read; with `decode`, also rows decoded.
int64_t read_mcap(const char* path, bool decode, int64_t* rows, size_t* warnings) {
  auto reader = McapReader::open(path);
  if (!reader.ok()) {
    std::fprintf(stderr, "%s\n", reader.status().to_string().c_str());
    return -1;
  }
  std::map<uint16_t, std::unique_ptr<MessageDecoder>> decoders;
  McapEvent ev;
  int64_t messages = 0;
  *rows = 0;
  while (true) {
    auto more = (*reader)->next(&ev);
    if (!more.ok() || !*more) break;
    if (ev.kind != McapEventKind::kMessage) continue;
    ++messages;
    if (!decode || !ev.message.schema) continue;
    auto& d = decoders[ev.message.channel->id];
    if (!d) {
      auto made = make_decoder(ev.message.schema->name, ev.message.schema->encoding,
                               ev.message.schema->data, ev.message.channel->message_encoding);
      if (!made.ok()) {
        std::fprintf(stderr, "%s\n", made.status().to_string().c_str());
        return -1;
      }
      d = std::move(made).value();
    }
    if (!d->append(ev.message.data).ok()) continue;
    if (d->batch_full()) *rows += d->finish()->length;
  }
  for (auto& [id, d] : decoders) *rows += d->finish()->length;
  *warnings = (*reader)->warnings().size();
  return messages;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: import_bench FILE.mcap [REPEATS]\n");
    return 2;
  }
  const char* path = argv[1];
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  double best_read = 1e9, best_mcap = 1e9, best_decode = 1e9;
  double cpu_read = 1e9, cpu_mcap = 1e9, cpu_decode = 1e9;
  uint64_t bytes = 0;
  int64_t messages = 0, rows = 0;
  size_t warnings = 0;
  for (int r = 0; r < repeats; ++r) {
    Clock t0;
    bytes = plain_read(path);
    best_read = std::min(best_read, t0.wall_s());
    cpu_read = std::min(cpu_read, t0.cpu_s());
    Clock t1;
    int64_t unused;
    messages = read_mcap(path, false, &unused, &warnings);
    best_mcap = std::min(best_mcap, t1.wall_s());
    cpu_mcap = std::min(cpu_mcap, t1.cpu_s());
    Clock t2;
    read_mcap(path, true, &rows, &warnings);
    best_decode = std::min(best_decode, t2.wall_s());
    cpu_decode = std::min(cpu_decode, t2.cpu_s());
  }
  const double mb = double(bytes) / 1e6;
  std::printf("file %s: %.1f MB, %lld messages, %lld rows decoded, %zu warnings\n", path, mb,
              (long long)messages, (long long)rows, warnings);
  std::printf("          wall MB/s   CPU MB/s\n");
  std::printf("read      %9.0f  %9.0f\n", mb / best_read, mb / cpu_read);
  std::printf("mcap      %9.0f  %9.0f\n", mb / best_mcap, mb / cpu_mcap);
  std::printf("decode    %9.0f  %9.0f\n", mb / best_decode, mb / cpu_decode);
  return 0;
}
