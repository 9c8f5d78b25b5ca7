// TCP ingest: SDK connections decoded with the recording file reader, one thread each.
//
// A connection carries exactly what a `.reel` file holds (header, store info, chunks, end
// marker), so the reader's guarantees carry over: every complete message is delivered before
// a corrupt or truncated one is reported, and buffers grow only with bytes that arrive.
// Blocking reads on a dedicated thread keep decoding and store inserts off the io thread.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <boost/asio/ip/address.hpp>

#include "reel/format/recording_file.hpp"
#include "reel/version.hpp"
#include "server/server_internal.hpp"

namespace reel::server::internal {

IngestService::IngestService(asio::io_context& io, std::shared_ptr<ChunkStore> store,
                             const ServerOptions& options, Logger log,
                             std::function<void()> on_store_info)
    : store_(std::move(store)),
      options_(options),
      log_(std::move(log)),
      on_store_info_(std::move(on_store_info)),
      acceptor_(io) {}

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
    log_("ingest: refused client " + peer + ": already " +
         std::to_string(options_.max_ingest_clients) + " clients connected");
    return;  // the socket closes
  }
  const int fd = socket.release(ec);
  if (ec) return;
  // Blocking reads on the client's own thread.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  auto client = std::make_unique<Client>();
  client->fd = fd;
  client->peer = peer;
  Client& c = *client;
  ++active_;
  std::lock_guard lock(mutex_);
  clients_.push_back(std::move(client));
  c.thread = std::thread([this, &c] { run_client(c); });
}

void IngestService::adopt_store_info(const Client& client, const StoreInfo& info) {
  bool changed = false;
  {
    std::lock_guard lock(info_mutex_);
    StoreInfo current = store_->info();
    if (current.recording_id.empty() && current.application_id.empty()) {
      store_->set_info(info);
      changed = true;
    } else if (current.recording_id != info.recording_id) {
      log_("ingest: client " + client.peer + " sends recording " + info.recording_id + " (" +
           info.application_id + ") while the server holds " + current.recording_id + " (" +
           current.application_id + "): its data joins the same store");
    }
  }
  if (changed) on_store_info_();
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

void IngestService::run_client(Client& client) {
  if (answer_probe(client.fd)) {
    {
      std::lock_guard lock(mutex_);
      ::close(client.fd);
      client.fd = -1;
    }
    --active_;
    client.done.store(true);
    return;
  }
  log_("ingest: client " + client.peer + " connected");
  format::ReaderOptions reader_options;
  reader_options.max_message_bytes = options_.max_message_bytes;
  reader_options.copy_chunks = true;
  const std::string name = "client " + client.peer;
  uint64_t chunks = 0;
  int64_t rows = 0;
  int insert_errors = 0;
  Status error;
  bool clean_end = false;
  auto reader = format::RecordingReader::from_fd(client.fd, /*owns=*/false, name, reader_options);
  if (!reader.ok()) error = reader.status();
  while (error.ok()) {
    auto next = (*reader)->next();
    if (!next.ok()) {
      error = next.status();
      break;
    }
    if (!*next) break;
    format::Message& m = **next;
    switch (m.kind) {
      case format::MessageKind::kStoreInfo:
        adopt_store_info(client, m.info);
        break;
      case format::MessageKind::kChunk: {
        if (!m.chunk) break;
        const int64_t n = m.chunk->num_rows();
        const std::string entity = m.chunk->entity_path().str();
        auto inserted = store_->insert(std::move(m.chunk));
        if (inserted.ok()) {
          ++chunks;
          rows += n;
        } else if (++insert_errors <= 10) {
          log_("ingest: " + name + ": chunk of " + entity + " at byte " + std::to_string(m.offset) +
               " not stored: " + inserted.status().message());
        } else {
          error = Status::Invalid("too many chunks the store refuses");
        }
        break;
      }
      case format::MessageKind::kEnd:
        clean_end = true;
        break;
      case format::MessageKind::kFooter:
        break;
    }
  }
  const std::string kept =
      "kept its " + std::to_string(chunks) + " complete chunks (" + std::to_string(rows) + " rows)";
  if (!error.ok()) {
    log_("ingest: dropped " + name + ": " + error.message() + "; " + kept);
  } else if (!clean_end && !stopping_.load()) {
    const auto& warnings = (*reader)->warnings();
    log_("ingest: dropped " + name + ": " +
         (warnings.empty() ? std::string("connection closed") : warnings.back()) + "; " + kept);
  } else if (clean_end) {
    log_("ingest: " + name + " finished: " + std::to_string(chunks) + " chunks (" +
         std::to_string(rows) + " rows)");
  }
  {
    std::lock_guard lock(mutex_);
    ::close(client.fd);
    client.fd = -1;
  }
  --active_;
  client.done.store(true);
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
      if (c->fd >= 0) ::shutdown(c->fd, SHUT_RDWR);
    }
    clients.swap(clients_);
  }
  for (auto& c : clients) c->thread.join();
}

}  // namespace reel::server::internal
