// TCP ingest: SDK connections decoded with the recording file reader, one thread each.
//
// A connection carries exactly what a `.reel` file holds (header, store info, chunks, end
// marker), so the reader's guarantees carry over: every complete message is delivered before
// a corrupt or truncated one is reported, and buffers grow only with bytes that arrive.
// Blocking reads on a dedicated thread keep decoding and store inserts off the io thread.
//
// Slots and stalls (issue 13, item 4): between messages a client thread waits in poll()
// without a timeout (a quiet robot is fine); once a message has begun, every read is bounded
// by ingest_stall_secs (SO_RCVTIMEO). When all slots are taken, the longest-idle connection
// is closed to make room. Every refusal is said to the client in a server notice.
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

#include <boost/asio/ip/address.hpp>

#include "reel/format/recording_file.hpp"
#include "reel/version.hpp"
#include "server/server_internal.hpp"

namespace reel::server::internal {

IngestService::IngestService(asio::io_context& io, std::shared_ptr<RecordingSet> recordings,
                             const ServerOptions& options, Logger log)
    : recordings_(std::move(recordings)),
      options_(options),
      log_(std::move(log)),
      acceptor_(io),
      budget_(options.decode_budget_bytes
                  ? options.decode_budget_bytes
                  : DecodeBudget::default_capacity(recordings_->memory_limit())) {}

IngestService::~IngestService() { stop(); }

Status IngestService::listen(const tcp::endpoint& endpoint) {
  REEL_RETURN_NOT_OK(open_acceptor(acceptor_, endpoint, "ingest", "--ingest-port"));
  port_ = acceptor_.local_endpoint().port();
  accept();
  return Status::OK();
}

void IngestService::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) start_client(std::move(socket));
    accept();
  });
}

void IngestService::start_client(tcp::socket socket) {
  boost::system::error_code ec;
  std::string peer = endpoint_text(socket.remote_endpoint(ec));
  // Reap the threads of clients that are gone.
  std::vector<std::unique_ptr<Client>> finished;
  {
    std::lock_guard lock(mutex_);
    for (auto it = clients_.begin(); it != clients_.end();) {
      if ((*it)->done.load()) {
        finished.push_back(std::move(*it));
        it = clients_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : finished) c->thread.join();
  if (stopping_.load()) return;
  if (active_.load() >= options_.max_ingest_clients) {
    // Make room: the connection idle (between messages) the longest gives its slot up.
    std::lock_guard lock(mutex_);
    Client* victim = nullptr;
    for (auto& c : clients_) {
      if (c->fd < 0 || c->in_message.load() || c->slot_released.load()) continue;
      if (!victim || c->idle_since.load() < victim->idle_since.load()) victim = c.get();
    }
    if (!victim) {
      const std::string why = "all " + std::to_string(options_.max_ingest_clients) +
                              " ingest slots are taken by clients in the middle of a message";
      log_("ingest: refused client " + peer + ": " + why);
      send_notice(socket.native_handle(), {"busy", why + "; try again later", true});
      return;  // the socket closes
    }
    const double idle_secs = std::chrono::duration<double>(
                                 std::chrono::steady_clock::now().time_since_epoch() -
                                 std::chrono::steady_clock::duration(victim->idle_since.load()))
                                 .count();
    victim->evicted.store(true);
    send_notice(victim->fd,
                {"idle",
                 "closed after " + std::to_string(int64_t(idle_secs)) +
                     " s without a message, to make room for a new client (all " +
                     std::to_string(options_.max_ingest_clients) + " ingest slots were taken)",
                 true});
    ::shutdown(victim->fd, SHUT_RDWR);  // its thread sees the end and finishes
    release_slot(*victim);
    log_("ingest: closed client " + victim->peer + " (idle " + std::to_string(int64_t(idle_secs)) +
         " s) to make room for " + peer);
  }
  const int fd = socket.release(ec);
  if (ec) return;
  // Blocking reads on the client's own thread.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  auto client = std::make_unique<Client>();
  client->fd = fd;
  client->peer = peer;
  client->idle_since.store(std::chrono::steady_clock::now().time_since_epoch().count());
  Client& c = *client;
  ++active_;
  std::lock_guard lock(mutex_);
  clients_.push_back(std::move(client));
  c.thread = std::thread([this, &c] { run_client(c); });
}

void IngestService::release_slot(Client& client) {
  if (!client.slot_released.exchange(true)) --active_;
}

void IngestService::send_notice(int fd, const format::ServerNotice& notice) {
  if (fd < 0) return;
  const std::vector<uint8_t> bytes = format::encode_server_notice(notice);
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

std::shared_ptr<ChunkStore> IngestService::store_for(const Client& client, const StoreInfo& info) {
  bool created = false;
  auto store = recordings_->store_for(info, &created);
  if (created) {
    log_("ingest: client " + client.peer + " starts recording " + info.recording_id + " (" +
         info.application_id + ")" +
         (recordings_->size() > 1 ? ", a recording of its own (the server holds " +
                                        std::to_string(recordings_->size()) + ")"
                                  : std::string()));
  }
  return store;
}

namespace {

// The probe `rr.connect_grpc` sends before it connects: a client whose first 8 bytes are
// "REELPING" (not a file header: its format version would be "PI") is answered
// "REELPONG <version>\n" and closed, so a client can tell a reel server from anything
// else listening on the port. Real streams start with the file header ("REEL" + version),
// so nothing changes for them. docs/server.md describes it.
constexpr char kProbe[] = "REELPING";

// Whether the connection is a probe (then answered); waits for the first 8 bytes.
bool answer_probe(int fd) {
  char first[8];
  ssize_t n;
  do {
    n = ::recv(fd, first, sizeof first, MSG_PEEK | MSG_WAITALL);
  } while (n < 0 && errno == EINTR);
  if (n != ssize_t(sizeof first) || std::memcmp(first, kProbe, sizeof first) != 0) return false;
  const std::string reply = std::string("REELPONG ") + kVersion + "\n";
  (void)::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
  return true;
}

}  // namespace

namespace {

int64_t steady_ticks() { return std::chrono::steady_clock::now().time_since_epoch().count(); }

// Memory the store freed (garbage collection) goes back to the system: without it glibc keeps
// freed chunks in its arenas and a budgeted server's RSS drifts far above its budget (issue
// 13, item 9; docs/server.md, "Process memory"). malloc_trim walks every arena, so it runs
// at most every 250 ms, from whichever client thread saw the store free memory.
void trim_after_gc() {
#if defined(__GLIBC__) && !defined(REEL_SANITIZED)
  static std::atomic<int64_t> last{0};
  const int64_t now = steady_ticks();
  int64_t seen = last.load();
  const int64_t gap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                          std::chrono::milliseconds(250))
                          .count();
  if (now - seen < gap || !last.compare_exchange_strong(seen, now)) return;
  ::malloc_trim(0);
#endif
}

// Waits (without a timeout) until the client sends a byte or closes: a quiet connection is
// not an error. False when the connection ended or failed.
bool wait_for_bytes(int fd) {
  pollfd p{fd, POLLIN, 0};
  for (;;) {
    int r = ::poll(&p, 1, -1);
    if (r < 0 && errno == EINTR) continue;
    return r > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR));
  }
}

}  // namespace

void IngestService::run_client(Client& client) {
  // Reads that block inside a message are bounded; between messages the thread waits in
  // poll() instead (wait_for_bytes).
  timeval tv{};
  tv.tv_sec = time_t(options_.ingest_stall_secs);
  tv.tv_usec = suseconds_t((options_.ingest_stall_secs - double(tv.tv_sec)) * 1e6);
  ::setsockopt(client.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (wait_for_bytes(client.fd) && answer_probe(client.fd)) {
    {
      std::lock_guard lock(mutex_);
      ::close(client.fd);
      client.fd = -1;
    }
    release_slot(client);
    client.done.store(true);
    return;
  }
  // The SDK waits briefly for this before sending chunks, so that a refused connection is
  // known before data is written into it (see TcpSink).
  send_notice(client.fd, {"accepted", "connected to reel server", false});
  log_("ingest: client " + client.peer + " connected");
  const std::string name = "client " + client.peer;
  uint64_t chunks = 0;
  int64_t rows = 0;
  bool clean_end = false;
  Status error = serve_client(client, chunks, rows, clean_end);
  const std::string kept =
      "kept its " + std::to_string(chunks) + " complete chunks (" + std::to_string(rows) + " rows)";
  if (client.evicted.load()) {
    log_("ingest: " + name + " closed to make room for a new client; " + kept);
  } else if (!error.ok()) {
    log_("ingest: dropped " + name + ": " + error.message() + "; " + kept);
  } else if (clean_end) {
    log_("ingest: " + name + " finished: " + std::to_string(chunks) + " chunks (" +
         std::to_string(rows) + " rows)");
  }
  {
    std::lock_guard lock(mutex_);
    ::close(client.fd);
    client.fd = -1;
  }
  release_slot(client);
  client.done.store(true);
}

Status IngestService::serve_client(Client& client, uint64_t& chunks, int64_t& rows,
                                   bool& clean_end) {
  const int fd = client.fd;  // only this thread closes it
  format::ReaderOptions reader_options;
  reader_options.max_message_bytes = options_.max_message_bytes;
  reader_options.copy_chunks = true;
  const std::string name = "client " + client.peer;
  const std::string timed_out = std::strerror(EAGAIN);
  const auto budget_wait = std::chrono::milliseconds(int64_t(options_.ingest_stall_secs * 1000));
  int insert_errors = 0;
  // The recording this client writes to: named by its StoreInfo; chunks before one go to the
  // unnamed recording.
  std::shared_ptr<ChunkStore> store;
  // Blueprint stores (a .reel or .rrd file streamed in holds them) are left out, as loads do:
  // a blueprint is no recording. In .reel a blueprint's store info switches the chunks after
  // it to the blueprint until the next recording's; .rrd messages name their store.
  bool in_blueprint = false;
  uint64_t blueprint_chunks = 0;
  REEL_ASSIGN_OR_RETURN(auto reader,
                        format::RecordingReader::from_fd(fd, /*owns=*/false, name, reader_options));
  auto drop = [&](const std::string& code, Status why) {
    send_notice(fd, {code, why.message(), true});
    return why;
  };
  for (;;) {
    client.in_message.store(false);
    client.idle_since.store(steady_ticks());
    if (!wait_for_bytes(fd)) break;
    client.in_message.store(true);
    auto next = reader->next_raw();
    if (!next.ok()) {
      if (next.status().message().find(timed_out) != std::string::npos) {
        return drop(
            "stalled",
            Status::IOError("stalled: no byte for " + std::to_string(options_.ingest_stall_secs) +
                            " s in the middle of a message (" + next.status().message() + ")"));
      }
      return drop("bad_stream", next.status());
    }
    if (!*next) break;
    format::RawMessage& raw = **next;
    if (raw.kind == format::MessageKind::kEnd) {
      clean_end = true;
      continue;
    }
    // Memory for decompressing and decoding comes out of the shared decode budget.
    const uint64_t cost = DecodeBudget::message_cost(raw.stored->size(), raw.payload_bytes,
                                                     raw.compression != format::Compression::kNone);
    Status reserved = budget_.acquire(cost, budget_wait);
    if (!reserved.ok()) {
      const std::string why = std::string(format::message_kind_name(raw.kind)) +
                              " message at byte " + std::to_string(raw.offset) +
                              " refused: " + reserved.message();
      log_("ingest: " + name + ": " + why);
      send_notice(fd, {"too_large", why, false});
      continue;
    }
    DecodeReservation reservation(&budget_, cost);
    const bool rrd_blueprint = raw.store.is_blueprint;
    auto decoded = format::decode_message(std::move(raw), reader_options, name);
    if (!decoded.ok()) {
      if (!format::is_damage(decoded.status())) return drop("bad_stream", decoded.status());
      reader->report_damaged(decoded.status());
      send_notice(fd, {"bad_message", decoded.status().message() + "; skipped", false});
      continue;
    }
    format::Message& m = *decoded;
    switch (m.kind) {
      case format::MessageKind::kStoreInfo:
        in_blueprint = m.info.is_blueprint;
        if (in_blueprint) break;
        store = store_for(client, m.info);
        break;
      case format::MessageKind::kChunk: {
        if (!m.chunk) break;
        if (in_blueprint || rrd_blueprint) {
          if (blueprint_chunks++ == 0) {
            log_("ingest: " + name + ": blueprint chunks left out (a blueprint is no recording)");
          }
          break;
        }
        const int64_t n = m.chunk->num_rows();
        const std::string entity = m.chunk->entity_path().str();
        if (!store) store = store_for(client, StoreInfo{});
        auto inserted = store->insert(std::move(m.chunk));
        if (inserted.ok()) {
          recordings_->enforce_budget(store.get());
          ++chunks;
          rows += n;
          for (const auto& e : *inserted) {
            if (e.kind == ChunkStoreEventKind::kDeletion) {
              trim_after_gc();
              break;
            }
          }
          break;
        }
        const std::string why = "chunk of " + entity + " at byte " + std::to_string(m.offset) +
                                " not stored: " + inserted.status().message();
        if (++insert_errors > 10) {
          return drop("chunk_refused",
                      Status::Invalid("too many chunks the store refuses (last: " + why + ")"));
        }
        log_("ingest: " + name + ": " + why);
        send_notice(fd, {"chunk_refused", why, false});
        break;
      }
      case format::MessageKind::kEnd:
      case format::MessageKind::kFooter:
        break;
    }
  }
  if (!clean_end && !stopping_.load() && !client.evicted.load()) {
    const auto& warnings = reader->warnings();
    return Status::IOError(warnings.empty() ? std::string("connection closed") : warnings.back());
  }
  return Status::OK();
}

void IngestService::stop() {
  if (stopping_.exchange(true)) return;
  boost::system::error_code ec;
  acceptor_.close(ec);
  std::list<std::unique_ptr<Client>> clients;
  {
    std::lock_guard lock(mutex_);
    // Wakes the blocked reads: they see the end of the stream.
    for (auto& c : clients_) {
      if (c->fd < 0) continue;
      send_notice(c->fd, {"shutdown", "the server stops", true});
      ::shutdown(c->fd, SHUT_RDWR);
    }
    clients.swap(clients_);
  }
  for (auto& c : clients) c->thread.join();
}

}  // namespace reel::server::internal
