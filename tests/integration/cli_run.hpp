// Running the `reel` executable from integration tests (REEL_CLI_PATH, a compile definition).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace reel::test_support {

struct CliRun {
  int status = 0;
  std::string out;  // stdout and stderr
};

inline CliRun cli(const std::string& args) {
  CliRun r;
  FILE* p = ::popen((std::string(REEL_CLI_PATH) + " " + args + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  r.status = WEXITSTATUS(::pclose(p));
  return r;
}

}  // namespace reel::test_support
