// `reel serve` and `reel view` as real processes: the startup lines, SDK data over TCP,
// /api/info, and a clean exit on SIGTERM/SIGINT.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "reel/sdk/recording_stream.hpp"
#include "reel/types/archetypes.hpp"
#include "server/test_util.hpp"

namespace reel::server {
namespace {

using nlohmann::json;
using test_util::eventually;
using test_util::http_get;

// A `reel` child process whose stdout is read line by line.
class ReelProcess {
 public:
  explicit ReelProcess(std::vector<std::string> args) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      std::vector<char*> argv;
      static std::string path = REEL_CLI_PATH;
      argv.push_back(path.data());
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(path.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = ::fdopen(fds[0], "r");
  }
  ~ReelProcess() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_) std::fclose(out_);
  }
  // The next line of stdout ("" at its end).
  std::string line() {
    char buf[1024];
    if (!out_ || !std::fgets(buf, sizeof buf, out_)) return "";
    std::string s(buf);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }
  // Sends `sig` and returns the exit status (-1 if killed by a signal).
  int stop(int sig) {
    ::kill(pid_, sig);
    return wait();
  }
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  bool reaped_ = false;
};

struct Ports {
  uint16_t http = 0, ingest = 0;
};

// Parses the two startup lines, exactly as documented.
Ports read_ports(ReelProcess& p) {
  Ports ports;
  std::smatch m;
  const std::string viewer = p.line();
  if (std::regex_match(viewer, m, std::regex(R"(reel: viewer at http://127\.0\.0\.1:(\d+)/)"))) {
    ports.http = uint16_t(std::stoi(m[1]));
  }
  const std::string ingest = p.line();
  if (std::regex_match(ingest, m, std::regex(R"(reel: ingest at 127\.0\.0\.1:(\d+))"))) {
    ports.ingest = uint16_t(std::stoi(m[1]));
  }
  EXPECT_NE(ports.http, 0) << "first line: " << viewer;
  EXPECT_NE(ports.ingest, 0) << "second line: " << ingest;
  return ports;
}

RecordingStreamOptions plain_options() {
  RecordingStreamOptions o;
  o.log_time = false;
  o.log_tick = false;
  o.batcher = BatcherConfig();
  return o;
}

TEST(ServeCliTest, ServeTakesSdkDataShowsItInApiInfoAndExitsOnSigterm) {
  ReelProcess serve({"serve", "--port", "0", "--ingest-port", "0", "--memory-limit", "256MiB",
                     "--web-root", "/nonexistent/viewer"});
  Ports ports = read_ports(serve);
  ASSERT_NE(ports.ingest, 0);
  {
    RecordingStream rec("cli_serve_test", plain_options());
    ASSERT_TRUE(rec.connect("127.0.0.1:" + std::to_string(ports.ingest)).ok());
    for (int i = 0; i < 50; ++i) {
      rec.set_time_sequence("frame", i);
      rec.log("plots/a", Scalars(i * 0.5));
    }
  }
  json info;
  EXPECT_TRUE(eventually([&] {
    info = json::parse(http_get(ports.http, "/api/info").body);
    return info["rows"] == 50;
  })) << info.dump();
  EXPECT_EQ(info["application_id"], "cli_serve_test");
  EXPECT_EQ(info["memory_limit"], 256ull << 20);
  EXPECT_EQ(serve.stop(SIGTERM), 0);
}

TEST(ServeCliTest, ViewServesTheLoadedFileAndExitsOnSigint) {
  const std::string file = (std::filesystem::temp_directory_path() /
                            ("reel_view_test_" + std::to_string(::getpid()) + ".reel"))
                               .string();
  {
    RecordingStream rec("cli_view_test", plain_options());
    ASSERT_TRUE(rec.save(file).ok());
    for (int i = 0; i < 30; ++i) {
      rec.set_time_sequence("frame", i);
      rec.log("plots/b", Scalars(i));
    }
  }
  ReelProcess view({"view", file, "--port", "0", "--ingest-port", "0"});
  Ports ports = read_ports(view);
  ASSERT_NE(ports.http, 0);
  json info = json::parse(http_get(ports.http, "/api/info").body);
  EXPECT_EQ(info["application_id"], "cli_view_test");
  EXPECT_EQ(info["rows"], 30);
  json entities = json::parse(http_get(ports.http, "/api/entities").body);
  ASSERT_EQ(entities["entities"].size(), 1u);
  EXPECT_EQ(entities["entities"][0]["time_ranges"]["frame"]["max"], "29");
  EXPECT_EQ(view.stop(SIGINT), 0);
  std::filesystem::remove(file);
}

TEST(ServeCliTest, BadArgumentsFailWithAMessage) {
  ReelProcess bad_limit({"serve", "--port", "0", "--ingest-port", "0", "--memory-limit", "lots"});
  EXPECT_EQ(bad_limit.line(), "");
  EXPECT_EQ(bad_limit.wait(), 1);
  ReelProcess missing({"view", "/nonexistent/file.reel", "--port", "0", "--ingest-port", "0"});
  EXPECT_EQ(missing.line(), "");
  EXPECT_EQ(missing.wait(), 1);
}

}  // namespace
}  // namespace reel::server
