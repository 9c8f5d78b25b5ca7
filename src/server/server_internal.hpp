// Pieces of the server shared between its translation units (not part of any API).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "reel/format/server_notice.hpp"
#include "reel/status.hpp"
#include "reel/store/chunk_store.hpp"
#include "server/decode_budget_internal.hpp"
#include "server/recordings.hpp"
#include "server/server.hpp"

namespace reel::server::internal {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Thread-safe log function (one line per call).
using Logger = std::function<void(const std::string&)>;

// The listening endpoint for `host` (an IP literal or a name) and `port`.
Result<tcp::endpoint> resolve_bind(asio::io_context& io, const std::string& host, uint16_t port);
// Opens, binds and listens; the error names the address and suggests a fix.
Status open_acceptor(tcp::acceptor& acceptor, const tcp::endpoint& endpoint, const char* what,
                     const char* flag);
std::string endpoint_text(const tcp::endpoint& endpoint);

// HTTP + WebSocket for the viewer (viewer_service.cpp). Runs on the io thread; the post_*
// functions may be called from any thread.
class ViewerService {
 public:
  virtual ~ViewerService() = default;
  virtual Status listen(const tcp::endpoint& endpoint) = 0;
  virtual uint16_t port() const = 0;
  // Events of recording `number`'s store, in store order (the caller serializes).
  virtual void post_events(uint32_t number, std::vector<ChunkStoreEvent> events) = 0;
  // A recording appeared (`created`: its store, empty, with its events posted after this) or
  // was named (an unnamed recording got the first SDK client's StoreInfo).
  virtual void post_recording(RecordingEntry entry, bool created) = 0;
  // Only once the io thread has stopped: closes the listener and every connection.
  virtual void close_all() = 0;
  virtual size_t num_viewers() const = 0;
};

// The `Server` header of every HTTP response and WebSocket handshake.
inline constexpr const char* kServerName = "reel";

class WsSession;
class RerunProxySession;

// The viewer service as its HTTP and WebSocket sessions see it (io thread only).
class ViewerHost {
 public:
  // Recording `number`'s store (null when there is no such recording).
  virtual std::shared_ptr<const ChunkStore> store(uint32_t number) const = 0;
  // The recording a new viewer starts on: `recording_id` when the viewer names one that
  // exists, else the newest (nullopt while there is none).
  virtual std::optional<uint32_t> initial_recording(const std::string& recording_id) const = 0;
  // {"recordings": [...]} entries (protocol.hpp's recordings_entries).
  virtual std::vector<RecordingEntry> recordings() const = 0;
  virtual const ServerOptions& options() const = 0;
  virtual void log(const std::string& line) = 0;
  // The body of /api/info.
  virtual std::string info_json() const = 0;
  // A WebSocket viewer starts: it receives the changes of the recording it selects from
  // then on (select()).
  virtual void attach(const std::shared_ptr<WsSession>& session) = 0;
  // The backlog of recording `number`: its store as the viewers know it now (a session that
  // selects the recording takes it in the same step; changes after it reach the sessions
  // whose recording() is `number`). Empty for an unknown number.
  virtual std::vector<std::weak_ptr<const Chunk>> backlog(uint32_t number) const = 0;
  // A Rerun viewer's ReadMessages stream starts (rerun_proxy_internal.hpp): it follows
  // recording 0 and counts as a viewer; returns that recording's backlog.
  virtual std::vector<std::weak_ptr<const Chunk>> attach_proxy(
      const std::shared_ptr<RerunProxySession>& session) = 0;
  // The viewer's connection ended (either kind).
  virtual void detach() = 0;
  // A viewer's backlog to fetch over HTTP (GET /api/backlog/TOKEN, docs/viewer-protocol.md):
  // returns the token. take_backlog hands it out once; drop_backlog forgets it.
  struct Backlog {
    std::vector<ChunkPtr> chunks;
    bool compact_row_ids = false;  // encode_viewer_payload's choice
    uint32_t recording = 0;        // the frames' tag
  };
  virtual std::string offer_backlog(Backlog backlog) = 0;
  virtual std::optional<Backlog> take_backlog(const std::string& token) = 0;
  virtual void drop_backlog(const std::string& token) = 0;
  // Viewers connected now (ServerOptions::max_viewers bounds it).
  virtual size_t num_viewers() const = 0;

 protected:
  ~ViewerHost() = default;
};

struct ViewerServiceDeps {
  asio::io_context& io;
  std::shared_ptr<RecordingSet> recordings;
  const ServerOptions& options;
  Logger log;
  // For /api/info.
  std::function<size_t()> ingest_clients;
};
std::unique_ptr<ViewerService> make_viewer_service(ViewerServiceDeps deps);

// TCP ingest: accepts on the io thread; each client is read on its own thread with the
// recording file reader, and its chunks are inserted into the store. Slots, stalls, the
// decode budget and server notices: see ServerOptions.
class IngestService {
 public:
  IngestService(asio::io_context& io, std::shared_ptr<RecordingSet> recordings,
                const ServerOptions& options, Logger log);
  ~IngestService();
  Status listen(const tcp::endpoint& endpoint);
  uint16_t port() const { return port_; }
  // Closes the listener (only once the io thread has stopped), cuts every client's
  // connection and joins their threads. Data already received stays in the store.
  void stop();
  // Connections holding a slot.
  size_t num_clients() const { return active_.load(); }
  const DecodeBudget& decode_budget() const { return budget_; }

 private:
  struct Client {
    int fd = -1;  // guarded by IngestService::mutex_
    std::string peer;
    std::thread thread;
    std::atomic<bool> done{false};
    // Between messages (idle) since this steady-clock tick; inside a message when in_message.
    std::atomic<bool> in_message{false};
    std::atomic<int64_t> idle_since{0};
    std::atomic<bool> evicted{false};        // closed to make room for a new client
    std::atomic<bool> slot_released{false};  // active_ was decremented for it
  };
  void accept();
  void start_client(tcp::socket socket);
  void run_client(Client& client);
  // Reads and stores the client's messages until the stream ends or fails; the reason when
  // it fails (with the notice the client gets).
  Status serve_client(Client& client, uint64_t& chunks, int64_t& rows, bool& clean_end);
  // The store of the recording `info` names (created on first sight), logged when new.
  std::shared_ptr<ChunkStore> store_for(const Client& client, const StoreInfo& info);
  // Best effort (never blocks): the client may not read.
  static void send_notice(int fd, const format::ServerNotice& notice);
  void release_slot(Client& client);

  std::shared_ptr<RecordingSet> recordings_;
  const ServerOptions& options_;
  Logger log_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::mutex mutex_;
  std::list<std::unique_ptr<Client>> clients_;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> active_{0};
  DecodeBudget budget_;
};

}  // namespace reel::server::internal
