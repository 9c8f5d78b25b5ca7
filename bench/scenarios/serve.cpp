// A budgeted `reel serve` under load (serve_soak): SDK clients stream 640x480 images and
// scalars at full speed while a viewer reads; the server's peak RSS against its budget, rows
// received against rows sent, and every entity's newest data kept.
//
// The server is the `reel` executable (REEL_CLI_PATH, compiled in; $REEL_BENCH_CLI
// overrides), a child process, so its RSS is its own. The viewer is a minimal WebSocket
// client (the handshake and frame headers of RFC 6455; the bench links no Boost).
//
// Knobs (for the measurements in docs/server.md, "Process memory"): $REEL_SOAK_LIMIT (the
// --memory-limit, default 200MB), $REEL_SOAK_VIEWERS (0: no viewer), $REEL_SOAK_MODE ("mixed":
// images + scalars, the default; "small": scalars only, many tiny chunks; "images": images only),
// $REEL_SOAK_CLIENTS (4).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "reel/reel.hpp"
#include "scenarios.hpp"

#ifndef REEL_CLI_PATH
#define REEL_CLI_PATH ""
#endif

extern char** environ;

namespace reel_bench {

namespace {

std::string env_text(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

int connect_local(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += size_t(n);
  }
  return true;
}

// GET `target` on the server's HTTP port; the body.
std::string http_get(int port, const std::string& target) {
  int fd = connect_local(port);
  if (fd < 0) return {};
  send_all(fd, "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, size_t(n));
  ::close(fd);
  auto at = out.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : out.substr(at + 4);
}

// /proc/PID/status field in kB (VmHWM, VmRSS).
uint64_t proc_kb(pid_t pid, const char* field) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(field, 0) == 0)
      return std::strtoull(line.c_str() + std::strlen(field) + 1, nullptr, 10);
  }
  return 0;
}

// A viewer: reads every WebSocket message until the connection ends.
struct Viewer {
  int fd = -1;
  std::atomic<uint64_t> frames{0}, texts{0}, bytes{0};
  std::thread thread;
  explicit Viewer(int port) {
    if (port < 0) return;
    fd = connect_local(port);
    if (fd < 0) return;
    send_all(fd,
             "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    thread = std::thread([this] { run(); });
  }
  ~Viewer() {
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
    if (thread.joinable()) thread.join();
    if (fd >= 0) ::close(fd);
  }
  bool read_n(uint8_t* p, size_t n) {
    size_t done = 0;
    while (done < n) {
      ssize_t k = ::recv(fd, p + done, n - done, 0);
      if (k <= 0) return false;
      done += size_t(k);
    }
    return true;
  }
  void run() {
    // The handshake's response headers.
    std::string head;
    char c;
    while (head.find("\r\n\r\n") == std::string::npos && ::recv(fd, &c, 1, 0) == 1) head += c;
    if (head.find(" 101 ") == std::string::npos) return;
    std::vector<uint8_t> payload;
    for (;;) {
      uint8_t h[2];
      if (!read_n(h, 2)) return;
      const int opcode = h[0] & 0x0F;
      uint64_t len = h[1] & 0x7F;
      if (len == 126) {
        uint8_t e[2];
        if (!read_n(e, 2)) return;
        len = (uint64_t(e[0]) << 8) | e[1];
      } else if (len == 127) {
        uint8_t e[8];
        if (!read_n(e, 8)) return;
        len = 0;
        for (uint8_t b : e) len = (len << 8) | b;
      }
      payload.resize(size_t(len));
      if (len && !read_n(payload.data(), size_t(len))) return;
      bytes += len;
      if (opcode == 2) ++frames;
      if (opcode == 1) ++texts;
      if (opcode == 8) return;
    }
  }
};

struct ServerProcess {
  pid_t pid = -1;
  int http_port = 0, ingest_port = 0;
  std::string log_path;
  bool start(const std::string& cli, const std::string& limit, const std::string& dir,
             const std::vector<std::string>& files = {}) {
    log_path = dir + "/serve_soak.log";
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return false;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> args = {cli, "serve",          "--port", "0", "--ingest-port",
                                     "0", "--memory-limit", limit};
    args.insert(args.end(), files.begin(), files.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid, cli.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      return false;
    }
    // "reel: viewer at http://127.0.0.1:PORT/" then "reel: ingest at 127.0.0.1:PORT".
    std::string text;
    char buf[256];
    ssize_t n;
    while (std::count(text.begin(), text.end(), '\n') < 2 &&
           (n = ::read(out[0], buf, sizeof buf)) > 0) {
      text.append(buf, size_t(n));
    }
    ::close(out[0]);
    std::smatch m;
    if (std::regex_search(text, m, std::regex(R"(viewer at http://[^:]+:(\d+)/)"))) {
      http_port = std::stoi(m[1]);
    }
    if (std::regex_search(text, m, std::regex(R"(ingest at [^:]+:(\d+))"))) {
      ingest_port = std::stoi(m[1]);
    }
    return http_port > 0 && ingest_port > 0;
  }
  void stop() {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    int status;
    ::waitpid(pid, &status, 0);
    pid = -1;
  }
  ~ServerProcess() { stop(); }
};

// A viewer that asks (serve_paging): sends text messages (masked, as RFC 6455 requires of a
// client; the mask key is zero) and reads the answers on the calling thread.
struct Asker {
  int fd = -1;
  explicit Asker(int port) {
    fd = connect_local(port);
    if (fd < 0) return;
    send_all(fd,
             "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    std::string head;
    char c;
    while (head.find("\r\n\r\n") == std::string::npos && ::recv(fd, &c, 1, 0) == 1) head += c;
    if (head.find(" 101 ") == std::string::npos) {
      ::close(fd);
      fd = -1;
    }
  }
  ~Asker() {
    if (fd >= 0) ::close(fd);
  }
  bool send_text(const std::string& text) {
    std::string frame;
    frame += char(0x81);
    if (text.size() < 126) {
      frame += char(0x80 | text.size());
    } else {
      frame += char(0x80 | 126);
      frame += char((text.size() >> 8) & 0xFF);
      frame += char(text.size() & 0xFF);
    }
    frame.append(4, '\0');  // the mask key: payload unchanged
    return send_all(fd, frame + text);
  }
  bool read_n(uint8_t* p, size_t n) {
    for (size_t done = 0; done < n;) {
      ssize_t k = ::recv(fd, p + done, n - done, 0);
      if (k <= 0) return false;
      done += size_t(k);
    }
    return true;
  }
  // One message: its opcode (1 text, 2 binary) and payload.
  bool read(int& opcode, std::string& payload) {
    uint8_t h[2];
    if (!read_n(h, 2)) return false;
    opcode = h[0] & 0x0F;
    uint64_t len = h[1] & 0x7F;
    const int ext = len == 126 ? 2 : len == 127 ? 8 : 0;
    if (ext) {
      uint8_t e[8];
      if (!read_n(e, size_t(ext))) return false;
      len = 0;
      for (int i = 0; i < ext; ++i) len = (len << 8) | e[i];
    }
    payload.resize(size_t(len));
    return len == 0 || read_n(reinterpret_cast<uint8_t*>(payload.data()), size_t(len));
  }
  // Reads until a text message of `type` (JSON); counts the binary frames before it.
  json until(const std::string& type, uint64_t* frames) {
    int op = 0;
    std::string payload;
    while (read(op, payload)) {
      if (op == 2 && frames) ++*frames;
      if (op != 1) continue;
      json j = json::parse(payload, nullptr, false);
      if (j.is_object() && j.value("type", "") == type) return j;
      if (j.is_object() && j.value("type", "") == "error") return json();  // not answered
    }
    return json();
  }
};

}  // namespace

Result serve_soak(const Context& ctx) {
  Result r;
  const auto found = reel_cli(r);
  if (!found) return r;
  const std::string& cli = *found;
  const std::string limit_text = env_text("REEL_SOAK_LIMIT", "200MB");
  const std::string mode = env_text("REEL_SOAK_MODE", "mixed");
  const int clients = std::max(1, std::atoi(env_text("REEL_SOAK_CLIENTS", "4").c_str()));
  auto budget = reel::parse_memory_size(limit_text, reel::physical_memory_bytes());
  if (!budget.ok() || *budget == 0) {
    r.error = "REEL_SOAK_LIMIT: " + budget.status().message();
    return r;
  }
  ServerProcess server;
  if (!server.start(cli, limit_text, ctx.tmp_dir)) {
    r.error = "could not start " + cli + " serve (log: " + server.log_path + ")";
    return r;
  }
  const uint64_t idle_rss_kb = proc_kb(server.pid, "VmRSS:");
  // $REEL_SOAK_VIEWERS=0: no viewer (to tell the viewer's share of the server's memory).
  const bool with_viewer = env_text("REEL_SOAK_VIEWERS", "1") != "0";
  auto viewer = std::make_unique<Viewer>(with_viewer ? server.http_port : -1);
  const double seconds = std::max(1.0, 60.0 * ctx.scale);
  const bool images = mode != "small", scalars = mode != "images";
  constexpr uint32_t kWidth = 640, kHeight = 480;
  std::vector<uint8_t> noise(size_t(kWidth) * kHeight * 3);
  std::mt19937 rng(7);
  for (auto& b : noise) b = uint8_t(rng());
  std::vector<int64_t> sent(size_t(clients), 0), last_frame(size_t(clients), -1);
  std::atomic<uint64_t> max_rss_kb{0};
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    while (!done.load()) {
      max_rss_kb = std::max<uint64_t>(max_rss_kb.load(), proc_kb(server.pid, "VmRSS:"));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  reel::set_error_handler([&](const reel::Status& st) {
    std::lock_guard lock(errors_mutex);
    if (errors.size() < 20) errors.push_back(st.to_string());
  });
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      reel::RecordingStreamOptions options;
      options.log_time = options.log_tick = false;
      options.recording_id = "serve_soak";
      reel::RecordingStream rec("serve_soak", options);
      if (!rec.connect("127.0.0.1:" + std::to_string(server.ingest_port)).ok()) return;
      std::vector<uint8_t> frame = noise;
      const std::string base = "client" + std::to_string(c);
      int64_t i = 0;
      int64_t rows = 0;
      while (seconds_since(t0) < seconds) {
        rec.set_time_sequence("frame", i);
        if (images) {
          std::memcpy(frame.data(), &i, sizeof i);  // every frame differs
          rec.log(base + "/camera", reel::Image(reel::ImageBuffer(std::span<const uint8_t>(frame)),
                                                reel::ImageFormat{kWidth, kHeight}));
          ++rows;
        }
        if (scalars) {
          for (int s = 0; s < 8; ++s) {
            rec.log(base + "/scalar" + std::to_string(s), reel::Scalars(double(i) * 0.001 + s));
          }
          rows += 8;
        }
        ++i;
      }
      last_frame[size_t(c)] = i - 1;
      sent[size_t(c)] = rows;
      (void)rec.try_flush_blocking();
    });  // the stream's destructor ends it: the server logs "finished: N chunks (R rows)"
  }
  for (auto& t : threads) t.join();
  const double wall = seconds_since(t0);
  reel::set_error_handler(nullptr);
  // Every client's end reached the server (its log says so), then the store is inspected.
  int64_t received = 0;
  for (int attempt = 0; attempt < 6000; ++attempt) {
    std::ifstream log(server.log_path);
    std::stringstream ss;
    ss << log.rdbuf();
    const std::string text = ss.str();
    std::regex finished(R"(finished: \d+ chunks \((\d+) rows\))");
    int n = 0;
    received = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), finished);
         it != std::sregex_iterator(); ++it) {
      ++n;
      received += std::stoll((*it)[1]);
    }
    if (n >= clients) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string entities_text = http_get(server.http_port, "/api/entities");
  const std::string info_text = http_get(server.http_port, "/api/info");
  done = true;
  sampler.join();
  const uint64_t hwm_kb = proc_kb(server.pid, "VmHWM:");
  int64_t total_sent = 0;
  for (auto s : sent) total_sent += s;
  // The newest frame of every entity is in the store.
  int newest_kept = 0, entities_expected = 0;
  json entities = json::parse(entities_text, nullptr, false);
  for (int c = 0; c < clients; ++c) {
    std::vector<std::string> names;
    if (images) names.push_back("/client" + std::to_string(c) + "/camera");
    if (scalars) {
      for (int s = 0; s < 8; ++s)
        names.push_back("/client" + std::to_string(c) + "/scalar" + std::to_string(s));
    }
    for (const auto& name : names) {
      ++entities_expected;
      if (!entities.is_object()) continue;
      for (const auto& e : entities["entities"]) {
        if (e["path"] != name || !e["time_ranges"].contains("frame")) continue;
        const std::string max = e["time_ranges"]["frame"]["max"].get<std::string>();
        if (std::stoll(max) == last_frame[size_t(c)]) ++newest_kept;
      }
    }
  }
  const uint64_t viewer_frames = viewer->frames.load();
  viewer.reset();  // closed before the server stops
  server.stop();
  const double budget_mb = double(*budget) / 1e6;
  const double peak_mb = double(hwm_kb) * 1024 / 1e6;
  r.figures["mode"] = mode;
  r.figures["clients"] = clients;
  r.figures["seconds"] = wall;
  r.figures["budget_mb"] = budget_mb;
  r.figures["server_idle_rss_mb"] = double(idle_rss_kb) * 1024 / 1e6;
  r.figures["server_peak_rss_mb"] = peak_mb;
  r.figures["server_max_sampled_rss_mb"] = double(max_rss_kb.load()) * 1024 / 1e6;
  r.figures["server_peak_rss_vs_budget"] = peak_mb / budget_mb;
  r.figures["rows_sent"] = total_sent;
  r.figures["rows_received"] = received;
  r.figures["rows_received_vs_sent"] = total_sent ? double(received) / double(total_sent) : 0.0;
  r.figures["viewer_frames"] = viewer_frames;
  r.figures["newest_kept"] = newest_kept;
  r.figures["entities"] = entities_expected;
  r.figures["sdk_errors"] = errors;
  json info = json::parse(info_text, nullptr, false);
  if (info.is_object()) r.figures["store_bytes_at_end"] = info["bytes"];
  check(r, received == total_sent, "every row sent was received (no loss while connected)");
  check(r, newest_kept == entities_expected, "every entity's newest data kept");
  return r;
}

}  // namespace reel_bench

namespace reel_bench {

// A file four times the budget (scale 1: 4 GB, 1 GB): per frame a 640x480 RGB image and a
// 10,000-point cloud of noise (neither compresses) and a scalar; `reel serve FILE
// --memory-limit BUDGET` as a child process and a viewer that scrubs to forty random frames
// (subscribe, a window of 31 frames), each timed until its answer is complete, next to a full
// load of the file (a forked child). The server's peak RSS (VmHWM) against the budget.
Result serve_paging(const Context& ctx) {
  Result r;
  const auto found = reel_cli(r);
  if (!found) return r;
  const std::string& cli = *found;
  const uint64_t budget = std::max<uint64_t>(64'000'000, uint64_t(1e9 * ctx.scale));
  constexpr int kW = 640, kH = 480, kPoints = 10'000;
  const double frame_bytes = kW * kH * 3 + kPoints * 16.0 + 64;
  const int frames = std::max(64, int(4.0 * double(budget) / frame_bytes));
  const std::string path = ctx.tmp_dir + "/paging.reel";
  auto t0 = Clock::now();
  const bool written = run_in_child([&] {
    reel::RecordingStream rec("reel_bench_paging", bench_options(false));
    if (!rec.save(path).ok()) return false;
    std::vector<uint8_t> rgb(size_t(kW) * kH * 3);
    std::vector<reel::Position3D> cloud(kPoints);
    std::vector<reel::Color> colors(kPoints);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    auto next = [&x] {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      return x;
    };
    for (int f = 0; f < frames; ++f) {
      for (size_t i = 0; i + 8 <= rgb.size(); i += 8) {
        const uint64_t v = next();
        std::memcpy(&rgb[i], &v, 8);
      }
      for (int k = 0; k < kPoints; ++k) {
        const uint64_t v = next();
        cloud[size_t(k)] = {float(v & 0xFFFF) * 1e-3f, float((v >> 16) & 0xFFFF) * 1e-3f,
                            float((v >> 32) & 0xFFFF) * 1e-3f};
        colors[size_t(k)] = reel::Color(uint8_t(v >> 48), uint8_t(v >> 56), uint8_t(f));
      }
      rec.set_time_sequence("frame", f);
      rec.log("camera/image", reel::Image::from_rgb24(rgb, kW, kH));
      rec.log("world/points", reel::Points3D(cloud).with_colors(colors));
      rec.log("signal/frame", reel::Scalars(double(f)));
    }
    return true;
  });
  if (!written) {
    r.error = "writing " + path + " failed";
    return r;
  }
  const double write_s = seconds_since(t0);
  const uint64_t file_bytes = std::filesystem::file_size(path);
  const Measured load = full_load(path, int64_t(frames) * 3);
  check(r, load.exit_code == 0, "the full load holds every row");

  ServerProcess server;
  t0 = Clock::now();
  if (!server.start(cli, std::to_string(budget), ctx.tmp_dir, {path})) {
    r.error = "reel serve did not start (see " + server.log_path + ")";
    return r;
  }
  const double start_s = seconds_since(t0);
  Asker viewer(server.http_port);
  check(r, viewer.fd >= 0, "the viewer connects");
  uint64_t backlog = 0;
  json paged = viewer.until("paged", nullptr);
  check(r, paged.is_object() && paged.value("chunks", 0) > 0, "the server says it pages the file");
  viewer.until("caught_up", &backlog);
  const double caught_up_s = seconds_since(t0);

  // Enough scrubs to fill the server's cache (60% of the budget) twice over.
  const int kScrubs = 40;
  std::mt19937_64 rng(42);
  std::vector<double> scrubs;
  bool all_answered = true;
  for (int k = 1; k <= kScrubs; ++k) {
    const int t = int(rng() % uint64_t(frames));
    const auto s0 = Clock::now();
    viewer.send_text("{\"type\":\"subscribe\",\"id\":" + std::to_string(k) +
                     ",\"timeline\":\"frame\",\"min\":" + std::to_string(t - 15) +
                     ",\"max\":" + std::to_string(t + 15) + "}");
    uint64_t got = 0;
    json done = viewer.until("query_done", &got);
    scrubs.push_back(seconds_since(s0));
    // The frame scrubbed to is in the window answered (which may be narrowed around it).
    const bool covers =
        done.is_object() && got > 0 &&
        (!done.contains("min") || (std::stoll(done["min"].get<std::string>()) <= t &&
                                   t <= std::stoll(done["max"].get<std::string>())));
    all_answered = all_answered && covers;
  }
  check(r, all_answered, "every scrub is answered with the frame scrubbed to");
  json info = json::parse(http_get(server.http_port, "/api/info"), nullptr, false);
  const uint64_t hwm_kb = proc_kb(server.pid, "VmHWM:");
  server.stop();
  std::filesystem::remove(path);
  std::sort(scrubs.begin(), scrubs.end());
  const double median = (scrubs[kScrubs / 2 - 1] + scrubs[kScrubs / 2]) / 2;
  const double peak = double(hwm_kb) * 1024;
  r.figures["file_bytes"] = file_bytes;
  r.figures["frames"] = frames;
  r.figures["write_s"] = write_s;
  r.figures["budget_bytes"] = budget;
  r.figures["server_start_s"] = start_s;
  r.figures["viewer_caught_up_s"] = caught_up_s;
  r.figures["backlog_chunks"] = backlog;
  r.figures["scrub_median_s"] = median;
  r.figures["scrub_max_s"] = scrubs.back();
  r.figures["server_peak_rss_bytes"] = uint64_t(peak);
  r.figures["server_peak_rss_vs_budget"] = peak / double(budget);
  if (info.is_object() && info["recordings"].is_array() && !info["recordings"].empty()) {
    r.figures["paged"] = info["recordings"][0].value("paged", json());
  }
  r.baselines["full_load_s"] = load.wall_s;
  r.baselines["full_load_rss_bytes"] = load.peak_rss_bytes;
  // Bigger = reel better: 10 means a scrub took a tenth of loading the file.
  r.ratios["scrub_vs_full_load"] = load.wall_s / median;
  r.ratios["start_vs_full_load"] = load.wall_s / start_s;
  // The budget against the server's peak RSS: 0.8 is the issue's 1.25x.
  r.ratios["budget_vs_server_peak_rss"] = double(budget) / peak;
  return r;
}

}  // namespace reel_bench
