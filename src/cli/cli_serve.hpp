// `reel serve` and `reel view`: the live server (src/server) behind a command line.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace reel::cli {

struct ServeOptions {
  std::vector<std::string> inputs;  // view: recordings loaded before serving
  uint16_t port = 9090;
  uint16_t ingest_port = 9876;
  std::string bind = "127.0.0.1";
  std::string memory_limit;  // empty: 25% of RAM
  std::string web_root;      // empty: $REEL_VIEWER_DIR, else the build's viewer-dist
  size_t max_viewers = 16;
  size_t max_ingest_clients = 256;
  double ingest_stall_secs = 30;
  std::vector<std::string> cors_allow_origins;  // besides loopback, for the Rerun proxy
};

// Adds `serve` and `view` to `app`; run_serve_commands runs whichever was parsed (returns -1
// when neither was).
struct ServeCommands {
  CLI::App* serve = nullptr;
  CLI::App* view = nullptr;
  ServeOptions serve_options, view_options;
};
void add_serve_commands(CLI::App& app, ServeCommands& commands);
int run_serve_commands(const ServeCommands& commands);

}  // namespace reel::cli
