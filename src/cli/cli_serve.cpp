// `reel serve` / `reel view FILE...`: run the live server until SIGINT or SIGTERM.
#include "cli/cli_serve.hpp"

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "cli/cli.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/format/recording_index.hpp"
#include "reel/import/importer.hpp"
#include "reel/store_io/store_io.hpp"
#include "server/file_pager.hpp"
#include "server/server.hpp"

namespace reel::cli {

namespace {

void add_common(CLI::App* cmd, ServeOptions& o) {
  cmd->add_option("--port", o.port, "HTTP + WebSocket port for the viewer (0: any free port)")
      ->capture_default_str();
  cmd->add_option("--ingest-port", o.ingest_port, "TCP port for SDK connections (0: any free port)")
      ->capture_default_str();
  cmd->add_option("--bind", o.bind,
                  "Address to listen on (default 127.0.0.1, loopback only; 0.0.0.0 for every "
                  "interface)");
  cmd->add_option(
      "--memory-limit", o.memory_limit,
      "Store budget, e.g. 2GB, 512MiB, 25%; oldest live data is dropped beyond it, a .reel "
      "file over half of it is served from the file "
      "(default 25% of RAM; 0: no limit)");
  cmd->add_option("--max-viewers", o.max_viewers,
                  "Viewers at once (reel's and Rerun's); one more is refused with a message "
                  "saying so")
      ->capture_default_str();
  cmd->add_option("--max-clients", o.max_ingest_clients,
                  "SDK connections at once; when all are taken, the longest-idle one is closed "
                  "to make room")
      ->capture_default_str();
  cmd->add_option("--ingest-stall-secs", o.ingest_stall_secs,
                  "An SDK connection silent this long in the middle of a message is closed")
      ->capture_default_str();
  cmd->add_option("--cors-allow-origin", o.cors_allow_origins,
                  "Web origin (besides loopback ones) whose pages may read the Rerun proxy, e.g. "
                  "https://app.rerun.io; `*` matches any run of characters; repeatable")
      ->allow_extra_args(false);
  cmd->add_option(
      "--web-root", o.web_root,
      "Built viewer to serve (default: $REEL_VIEWER_DIR, else the build's viewer-dist)");
}

// Whether something already listens on (or holds) TCP `port` of `address`.
bool port_taken(const std::string& address, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1) {
    ::close(fd);
    return false;  // not IPv4: the server reports what is wrong
  }
  const bool taken =
      ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno == EADDRINUSE;
  ::close(fd);
  return taken;
}

// The long-running server's allocator settings (issue 13, item 9; measured in docs/server.md,
// "Process memory"): a fixed mmap threshold, so that freed image-sized buffers go back to the
// system instead of glibc raising its threshold and keeping them in the heap, and two arenas
// instead of eight per core, so that memory freed by one client's thread is reused by the
// others. This executable only: the library and the Python module leave malloc alone.
void tune_malloc_for_serving() {
#if defined(__GLIBC__) && !defined(REEL_SANITIZED)
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  ::mallopt(M_ARENA_MAX, 2);
#endif
}

// A .reel file whose chunks take more than half the budget is served from the file
// (server/file_pager.hpp): its static data and first times are loaded (a quarter of the budget),
// the rest is read when a viewer scrubs there, into a cache of 60% of the budget. Returns false to
// load the file as usual: no budget, a small file, several recordings in one file, or a file that
// cannot be indexed (not a .reel file; the load then reports what is wrong).
Result<bool> serve_from_file(const std::string& path, uint64_t limit, size_t files,
                             server::RecordingSet& recordings) {
  // Paged by reading .reel chunk messages at their offsets: an .rrd file is loaded.
  auto file_format = format::detect_file_format(path);
  if (limit == 0 || !file_format.ok() || *file_format != format::FileFormat::kReel) return false;
  // The footer says how large the chunks are decoded (a compressed file may be much
  // smaller); a file without one is indexed by a streaming pass only when it is large.
  format::RecordingIndex index;
  format::IndexOptions footer;
  footer.footer_only = true;
  if (!format::index_recording(path, index, footer).ok()) return false;
  if (!index.from_footer) {
    std::error_code ec;
    const uint64_t size = std::filesystem::file_size(path, ec);
    if (ec || size <= limit / 2) return false;
    index = {};
    if (!index_input(path, index).ok()) return false;
  }
  std::optional<uint32_t> stream;
  uint64_t bytes = 0;
  for (size_t i = 0; i < index.chunks.size(); ++i) {
    if (index.chunk_blueprint[i]) continue;
    if (stream && *stream != index.chunk_streams[i]) return false;
    stream = index.chunk_streams[i];
    const auto& e = index.chunks[i];
    if (!e.is_static) bytes += server::decoded_bytes(e);
  }
  if (!stream || bytes <= limit / 2) return false;
  StoreInfo info;
  for (const auto& i : index.infos) {
    if (i.info.is_blueprint) continue;
    info = i.info;
    break;
  }
  print_warnings(index.warnings);
  auto store = recordings.store_for(info);
  // Several files share the budget: each gets its part of the cache and of the preload.
  server::FilePager::Options options;
  options.cache_bytes = limit / 10 * 6 / files;
  REEL_ASSIGN_OR_RETURN(auto pager, server::FilePager::open(index, *stream, options));
  REEL_RETURN_NOT_OK(pager->preload(*store, limit / 4 / files));
  recordings.attach_pager(store.get(), pager);
  std::fprintf(stderr,
               "reel: %s holds %.1f MB of chunks, more than half the memory budget (%.1f MB): "
               "serving it from the file, viewers page time windows in as they scrub\n",
               path.c_str(), double(bytes) / 1e6, double(limit) / 1e6);
  return true;
}

int run(ServeOptions o, bool view, bool ingest_port_given) {
  tune_malloc_for_serving();
  const uint64_t ram = server::physical_memory_bytes();
  uint64_t limit = ram / 4;
  if (!o.memory_limit.empty()) {
    auto parsed = server::parse_memory_size(o.memory_limit, ram);
    if (!parsed.ok()) return fail(parsed.status());
    limit = *parsed;
  }
  ChunkStoreConfig config = ChunkStoreConfig::from_env();
  config.memory_limit = limit;
  // Recording 0 is unnamed until a file or the first SDK client names it; every other
  // recording id gets a store of its own, all under the one budget (docs/server.md).
  auto recordings = std::make_shared<server::RecordingSet>(std::make_shared<ChunkStore>(config));
  for (const auto& path : o.inputs) {
    auto format = import::detect_import_format(path);
    if (!format.ok()) return fail(format.status());
    ChunkStore* last = nullptr;
    if (*format == import::ImportFormat::kNone) {
      auto paged = serve_from_file(path, limit, o.inputs.size(), *recordings);
      if (!paged.ok()) return fail(paged.status());
      if (*paged) continue;
      // A .reel or .rrd file: each of its recordings into its own store.
      LoadOptions load;
      load.store_for = [&](const StoreInfo& info) {
        last = recordings->store_for(info).get();
        return last;
      };
      auto report = load_file(path, *recordings->default_store(), load);
      if (!report.ok()) return fail(report.status());
      print_warnings(report->warnings);
    } else {
      // An imported file is one recording, named by the import.
      auto store = recordings->store_for(StoreInfo{});
      auto report = import::load_any_file(path, *store);
      if (!report.ok()) return fail(report.status());
      print_warnings(report->warnings);
      last = store.get();
    }
    recordings->enforce_budget(last);
  }
  if (!o.inputs.empty()) {
    for (const auto& e : recordings->list()) {
      const StoreInfo info = e.store->info();
      std::fprintf(stderr, "reel: recording %u: %s (%s), %zu chunks\n", unsigned(e.number),
                   info.recording_id.c_str(), info.application_id.c_str(), e.store->num_chunks());
    }
  }

  // SIGINT/SIGTERM are taken by sigwait below: block them before any thread starts, so that
  // every thread inherits the mask and none is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Viewing files needs no ingest port: when the default one is taken (another `reel view` or
  // `reel serve`), take any free one and say so.
  if (view && !ingest_port_given && o.ingest_port != 0 && port_taken(o.bind, o.ingest_port)) {
    std::fprintf(stderr, "reel: ingest port %u is taken; using a free port instead\n",
                 unsigned(o.ingest_port));
    o.ingest_port = 0;
  }
  server::ServerOptions options;
  options.bind_address = o.bind;
  options.http_port = o.port;
  options.ingest_port = o.ingest_port;
  options.web_root = o.web_root.empty() ? server::default_web_root() : o.web_root;
  options.max_viewers = o.max_viewers;
  options.max_ingest_clients = o.max_ingest_clients;
  options.ingest_stall_secs = o.ingest_stall_secs;
  options.cors_allow_origins = o.cors_allow_origins;
  auto started = server::Server::start(recordings, options);
  if (!started.ok()) return fail(started.status());
  auto& srv = **started;
  std::printf("reel: viewer at %s\n", srv.viewer_url().c_str());
  std::printf("reel: ingest at %s\n", srv.ingest_address().c_str());
  // Third, so that scripts reading the first two lines (rr.spawn, tests) keep working.
  std::printf("reel: Rerun viewer at %s\n", srv.rerun_url().c_str());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&signals, &signal);
  std::fprintf(stderr, "reel: %s received, shutting down\n",
               signal == SIGINT ? "SIGINT" : "SIGTERM");
  srv.stop();
  return 0;
}

}  // namespace

void add_serve_commands(CLI::App& app, ServeCommands& c) {
  c.serve = app.add_subcommand(
      "serve", "Serve the web viewer and accept SDK connections (RecordingStream::connect)");
  c.serve->add_option("files", c.serve_options.inputs,
                      "Recordings to load first (each recording id its own recording)");
  add_common(c.serve, c.serve_options);
  c.view = app.add_subcommand(
      "view", "Load recordings and serve them to the web viewer (also accepts SDK connections)");
  c.view
      ->add_option("files", c.view_options.inputs,
                   "Recordings to load (each recording id its own recording: the viewer has a "
                   "recording selector)")
      ->required();
  add_common(c.view, c.view_options);
}

int run_serve_commands(const ServeCommands& c) {
  if (c.serve && c.serve->parsed()) return run(c.serve_options, false, true);
  if (c.view && c.view->parsed()) {
    return run(c.view_options, true, c.view->count("--ingest-port") > 0);
  }
  return -1;
}

}  // namespace reel::cli
