#include "server/server.hpp"

#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>

#include "server/server_internal.hpp"

#ifndef REEL_DEFAULT_VIEWER_DIR
#define REEL_DEFAULT_VIEWER_DIR ""
#endif

namespace reel::server {

namespace internal {

Result<tcp::endpoint> resolve_bind(asio::io_context& io, const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(address, port);
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return Status::Invalid("cannot resolve bind address '" + host + "'" +
                           (ec ? ": " + ec.message() : std::string()));
  }
  return results.begin()->endpoint();
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(endpoint.port());
}

Status open_acceptor(tcp::acceptor& acceptor, const tcp::endpoint& endpoint, const char* what,
                     const char* flag) {
  boost::system::error_code ec;
  auto fail = [&](const char* step) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return Status::IOError(std::string("cannot ") + step + " " + what + " address " +
                           endpoint_text(endpoint) + ": " + ec.message() +
                           (ec == asio::error::address_in_use
                                ? std::string(" (another reel serve? choose a port with ") + flag +
                                      ", or " + flag + " 0 for any free one)"
                                : std::string()));
  };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  return Status::OK();
}

}  // namespace internal

using namespace internal;

namespace {

// Store events go to the viewer service while it exists. The store may call a subscriber
// after unsubscribe() returned (a dispatch already under way), so the target is checked
// under a lock that stop() also takes.
struct Relay {
  std::mutex mutex;
  ViewerService* target = nullptr;
};

}  // namespace

struct Server::Impl {
  std::shared_ptr<RecordingSet> recordings;
  ServerOptions options;
  std::shared_ptr<std::mutex> log_mutex = std::make_shared<std::mutex>();
  Logger log;
  asio::io_context io{1};
  std::unique_ptr<ViewerService> viewer;
  std::unique_ptr<IngestService> ingest;
  std::shared_ptr<Relay> relay = std::make_shared<Relay>();
  // Every recording's store, with the id of the subscription that relays its events.
  std::mutex subscriptions_mutex;
  std::vector<std::pair<std::shared_ptr<ChunkStore>, uint64_t>> subscriptions;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread io_thread;
  bool stopped = false;
  std::string host;  // as shown in URLs

  void unsubscribe_all() {
    recordings->listen({});
    std::lock_guard lock(subscriptions_mutex);
    for (auto& [store, id] : subscriptions) store->unsubscribe(id);
    subscriptions.clear();
  }

  ~Impl() {
    // The services' sockets belong to `io`: they go first.
    ingest.reset();
    viewer.reset();
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::start(std::shared_ptr<ChunkStore> store,
                                              ServerOptions options) {
  if (!store) return Status::Invalid("Server::start needs a store");
  return start(std::make_shared<RecordingSet>(std::move(store)), std::move(options));
}

Result<std::unique_ptr<Server>> Server::start(std::shared_ptr<RecordingSet> recordings,
                                              ServerOptions options) {
  if (!recordings) return Status::Invalid("Server::start needs a recording set");
  auto impl = std::make_unique<Impl>();
  impl->recordings = recordings;
  impl->options = std::move(options);
  {
    auto user = impl->options.log;
    auto mutex = impl->log_mutex;
    impl->log = [user, mutex](const std::string& line) {
      std::lock_guard lock(*mutex);
      if (user) {
        user(line);
      } else {
        std::fprintf(stderr, "reel: %s\n", line.c_str());
      }
    };
  }
  Impl& s = *impl;
  const ServerOptions& opts = s.options;

  REEL_ASSIGN_OR_RETURN(tcp::endpoint http_endpoint,
                        resolve_bind(s.io, opts.bind_address, opts.http_port));
  s.host = opts.bind_address;
  if (http_endpoint.address().is_unspecified()) {
    s.host = "127.0.0.1";
  } else if (http_endpoint.address().is_v6()) {
    s.host = "[" + http_endpoint.address().to_string() + "]";
  } else {
    s.host = http_endpoint.address().to_string();
  }

  IngestService* ingest_ptr = nullptr;
  if (opts.enable_ingest) {
    s.ingest = std::make_unique<IngestService>(s.io, recordings, opts, s.log);
    ingest_ptr = s.ingest.get();
  }
  ViewerServiceDeps deps{s.io, recordings, opts, s.log, [ingest_ptr]() -> size_t {
                           return ingest_ptr ? ingest_ptr->num_clients() : 0;
                         }};
  // Subscribe to every store before the viewer service snapshots them: no change falls in
  // between. A new recording is announced to the viewers before its events (it is empty
  // until store_for returns, which is after this listener ran).
  auto subscribe = [relay = s.relay, &s](const RecordingEntry& e) {
    const uint32_t number = e.number;
    const uint64_t id = e.store->subscribe([relay, number](std::span<const ChunkStoreEvent> ev) {
      std::vector<ChunkStoreEvent> copy(ev.begin(), ev.end());
      std::lock_guard lock(relay->mutex);
      if (relay->target) relay->target->post_events(number, std::move(copy));
    });
    std::lock_guard lock(s.subscriptions_mutex);
    s.subscriptions.emplace_back(e.store, id);
  };
  for (const auto& e :
       recordings->listen([relay = s.relay, subscribe](const RecordingEntry&e, bool created) {
         {
           std::lock_guard lock(relay->mutex);
           if (relay->target) relay->target->post_recording(e, created);
         }
         if (created) subscribe(e);
       })) {
    subscribe(e);
  }
  s.viewer = make_viewer_service(std::move(deps));
  {
    std::lock_guard lock(s.relay->mutex);
    s.relay->target = s.viewer.get();
  }
  auto cleanup_on_error = [&](Status st) {
    {
      std::lock_guard lock(s.relay->mutex);
      s.relay->target = nullptr;
    }
    s.unsubscribe_all();
    return st;
  };
  Status st = s.viewer->listen(http_endpoint);
  if (!st.ok()) return cleanup_on_error(st);
  if (s.ingest) {
    auto ingest_endpoint = resolve_bind(s.io, opts.bind_address, opts.ingest_port);
    if (!ingest_endpoint.ok()) return cleanup_on_error(ingest_endpoint.status());
    st = s.ingest->listen(*ingest_endpoint);
    if (!st.ok()) return cleanup_on_error(st);
  }
  if (http_endpoint.address().is_unspecified()) {
    s.log("listening on every interface (" + opts.bind_address +
          "): anyone who can reach "
          "this machine can read and send data");
  }
  s.work.emplace(s.io.get_executor());
  s.io_thread = std::thread([&io = s.io] { io.run(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

void Server::stop() {
  Impl& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  {
    std::lock_guard lock(s.relay->mutex);
    s.relay->target = nullptr;
  }
  s.unsubscribe_all();
  s.work.reset();
  s.io.stop();
  if (s.io_thread.joinable()) s.io_thread.join();
  // The io thread is gone: the services' sockets may be closed from here.
  s.viewer->close_all();
  if (s.ingest) s.ingest->stop();
}

uint16_t Server::http_port() const { return impl_->viewer->port(); }
uint16_t Server::ingest_port() const { return impl_->ingest ? impl_->ingest->port() : 0; }

std::string Server::viewer_url() const {
  return "http://" + impl_->host + ":" + std::to_string(http_port()) + "/";
}

std::string Server::rerun_url() const {
  return "rerun+http://" + impl_->host + ":" + std::to_string(http_port()) + "/proxy";
}

std::string Server::ingest_address() const {
  return impl_->host + ":" + std::to_string(ingest_port());
}

std::shared_ptr<ChunkStore> Server::store() const { return impl_->recordings->default_store(); }
const std::shared_ptr<RecordingSet>& Server::recordings() const { return impl_->recordings; }
size_t Server::num_viewers() const { return impl_->viewer->num_viewers(); }
uint64_t Server::ingest_decode_peak_bytes() const {
  return impl_->ingest ? impl_->ingest->decode_budget().peak() : 0;
}

size_t Server::num_ingest_clients() const {
  return impl_->ingest ? impl_->ingest->num_clients() : 0;
}

// ---------------------------------------------------------------------------------------

Result<uint64_t> parse_memory_size(std::string_view text, uint64_t total_ram) {
  return reel::parse_memory_size(text, total_ram);
}

uint64_t physical_memory_bytes() { return reel::physical_memory_bytes(); }

std::string default_web_root() {
  const char* env = std::getenv("REEL_VIEWER_DIR");
  if (env && *env) return env;
  return REEL_DEFAULT_VIEWER_DIR;
}

}  // namespace reel::server
