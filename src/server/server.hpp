// The live server behind `reel serve` and `reel view`: TCP ingest for SDKs, and HTTP +
// WebSocket for the web viewer, around the recordings it holds: one ChunkStore per recording
// id under one memory budget (recordings.hpp, docs/server.md).
//
//   auto store = std::make_shared<reel::ChunkStore>(config);   // memory_limit: the budget
//   auto server = reel::server::Server::start(store, options);
//   std::printf("%s\n", (*server)->viewer_url().c_str());
//   ...
//   (*server)->stop();
//
// Threads: one io thread runs HTTP, WebSocket and the ingest acceptor; each ingest client
// gets a thread that decodes its stream with the recording file reader and inserts into the
// store. The store is used under its own thread-safety contract; store events reach the
// viewers through the io thread, in store order.
//
// Robustness: a client sending garbage, or cutting the connection mid-message, is dropped
// with a log line; every message it sent completely stays in the store. No allocation is
// sized from a length field beyond `max_message_bytes` (and buffers grow with the bytes that
// actually arrive). A viewer that does not read fast enough is disconnected, so its queue
// never grows without bound.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reel/status.hpp"
#include "reel/store/chunk_store.hpp"
#include "server/recordings.hpp"

namespace reel::server {

struct ServerOptions {
  // Address to listen on (an IP address or a host name). Default: loopback only.
  std::string bind_address = "127.0.0.1";
  // HTTP + WebSocket port. 0: the OS picks a free one (see Server::http_port()).
  uint16_t http_port = 9090;
  // SDK ingest port. 0: the OS picks. Ignored when ingest is disabled.
  uint16_t ingest_port = 9876;
  bool enable_ingest = true;
  // The built viewer (index.html + assets/). Empty or missing: `/` answers a page saying the
  // viewer is not built; the API and WebSocket work regardless.
  std::string web_root;
  // Ingest: simultaneous SDK connections, and the largest message accepted (larger is
  // treated as corrupt and the client dropped). When every slot is taken, a new client takes
  // the slot of the connection idle (between messages) the longest, which is told so and
  // closed; when none is idle, the new client is refused. Either way the client gets a server
  // notice saying why (reel/format/server_notice.hpp) and its SDK keeps its data and retries.
  size_t max_ingest_clients = 256;
  uint64_t max_message_bytes = 256ull << 20;
  // A connection that sends no byte for this long in the middle of a message is stalled:
  // told so and closed. Between messages a connection may stay quiet as long as it likes.
  double ingest_stall_secs = 30.0;
  // Memory for messages being decompressed and decoded, shared by all ingest clients; a
  // message needing more than all of it is refused (the client is told), one that does not
  // fit now waits up to ingest_stall_secs. 0: a quarter of the store's memory limit (at
  // least 16 MiB); unlimited when the store has no limit.
  uint64_t decode_budget_bytes = 0;
  // Viewers: chunk notifications queued for one viewer before it is judged too slow and
  // disconnected (it reconnects and gets the store afresh); queued query frames beyond
  // `max_query_frames` make further queries fail with an error.
  size_t max_viewer_queue = 1 << 16;
  // WebSocket viewers at once (`reel serve --max-viewers`): one more is refused with HTTP 503
  // and a message saying so (and a log line).
  size_t max_viewers = 16;
  // Origins besides loopback ones (http(s)://127.0.0.1, localhost, [::1], any port) whose web
  // pages may call the Rerun proxy (POST /rerun.sdk_comms.v1alpha1.MessageProxyService/
  // ReadMessages, docs/viewer-protocol.md): exact origins, or patterns where `*` matches any
  // run of characters (`reel serve --cors-allow-origin`).
  std::vector<std::string> cors_allow_origins;
  size_t max_query_frames = 1 << 16;
  // Log lines (connections, dropped clients). Called from any server thread, one call at a
  // time. Default: "reel: <line>" on stderr.
  std::function<void(const std::string&)> log;
};

class Server {
 public:
  // Listens on both ports and starts serving `store`. Fails if a port cannot be bound (the
  // message names the address and suggests a fix). Chunks already in the store are the
  // backlog every viewer receives first.
  static Result<std::unique_ptr<Server>> start(std::shared_ptr<ChunkStore> store,
                                               ServerOptions options = {});
  // Serves several recordings (docs/server.md, "Several recordings"): those in the set, and
  // each new recording id an SDK client sends gets a store of its own in it.
  // `start(store)` is this with `store` as recording 0.
  static Result<std::unique_ptr<Server>> start(std::shared_ptr<RecordingSet> recordings,
                                               ServerOptions options = {});
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Closes the listeners and every connection, and joins the server's threads. Idempotent.
  // Data already received stays in the store.
  void stop();

  uint16_t http_port() const;
  uint16_t ingest_port() const;  // 0 when ingest is disabled
  // "http://127.0.0.1:PORT/" (loopback shown when listening on every interface).
  std::string viewer_url() const;
  // "rerun+http://127.0.0.1:PORT/proxy": where the Rerun viewer reads this server's store.
  std::string rerun_url() const;
  // "127.0.0.1:PORT", what RecordingStream::connect takes.
  std::string ingest_address() const;
  // The default recording's store: recording 0 (the store given to start(store)), for code
  // that serves one recording. Null while a set started empty has no recording.
  std::shared_ptr<ChunkStore> store() const;
  const std::shared_ptr<RecordingSet>& recordings() const;

  // Snapshot counters, for /api/info and tests.
  size_t num_viewers() const;
  size_t num_ingest_clients() const;
  // The most memory ever reserved at once for decoding ingest messages (ServerOptions::
  // decode_budget_bytes).
  uint64_t ingest_decode_peak_bytes() const;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "2GB" (10^9), "2GiB" (2^30), "512MB", "1.5GB", "100000" (bytes), "25%" of `total_ram`;
// "0" or "none": no limit.
Result<uint64_t> parse_memory_size(std::string_view text, uint64_t total_ram);
// Physical memory of this machine (0 if unknown).
uint64_t physical_memory_bytes();
// Where the built viewer is looked for: $REEL_VIEWER_DIR, else the build's viewer-dist
// (compiled in).
std::string default_web_root();

}  // namespace reel::server
