#include "harness.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>

namespace reel_bench {

void check(Result& r, bool ok, const std::string& what) {
  if (!ok && r.error.empty()) r.error = "self-check failed: " + what;
}

bool close_enough(double a, double b) {
  return std::fabs(a - b) <= 1e-6 * std::max(1.0, std::fabs(b));
}

json run_isolated(const Scenario& sc, const Context& context) {
  int fds[2];
  if (::pipe(fds) != 0) return {{"scenario", sc.name}, {"error", "pipe failed"}};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    json out;
    try {
      Result r = sc.run(context);
      out = {{"figures", r.figures}, {"baselines", r.baselines}, {"ratios", r.ratios}};
      if (!r.error.empty()) out["error"] = r.error;
    } catch (const std::exception& e) {
      out = {{"error", std::string("exception: ") + e.what()}};
    }
    std::string s = out.dump();
    ssize_t n = ::write(fds[1], s.data(), s.size());
    (void)n;
    ::close(fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) text.append(buf, size_t(n));
  ::close(fds[0]);
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  json result = {{"scenario", sc.name}, {"scale", context.scale}};
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !WIFEXITED(status)) {
    result["error"] = "scenario process died (status " + std::to_string(status) + ")";
    return result;
  }
  for (auto& [k, v] : body.items()) result[k] = v;
  const uint64_t peak_rss = uint64_t(usage.ru_maxrss) * 1024;
  result["figures"]["peak_rss_bytes"] = peak_rss;
  if (result["figures"].contains("budget_bytes")) {
    result["figures"]["peak_rss_vs_budget"] =
        double(peak_rss) / result["figures"]["budget_bytes"].get<double>();
  }
  return result;
}

void print_table(const json& r) {
  std::fprintf(stderr, "%-18s", r["scenario"].get<std::string>().c_str());
  if (r.contains("error")) {
    std::fprintf(stderr, " ERROR: %s\n", r["error"].get<std::string>().c_str());
    return;
  }
  std::string line;
  auto add = [&](const json& obj) {
    for (auto& [k, v] : obj.items()) {
      if (!v.is_number()) continue;
      char buf[96];
      double d = v.get<double>();
      std::snprintf(buf, sizeof buf, "  %s=%.4g", k.c_str(), d);
      line += buf;
    }
  };
  add(r["figures"]);
  add(r["ratios"]);
  std::fprintf(stderr, "%s\n", line.c_str());
}

std::pair<std::string, int> run_command(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return {"", -1};
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

std::string last_json_line(const std::string& out) {
  std::string last_line;  // the JSON object: the last line that starts with '{'
  for (size_t at = 0; at < out.size();) {
    size_t end = std::min(out.find('\n', at), out.size());
    if (out[at] == '{') last_line = out.substr(at, end - at);
    at = end + 1;
  }
  return last_line;
}

}  // namespace reel_bench
