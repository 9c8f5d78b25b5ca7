// The viewer port (docs/viewer-protocol.md), on the io thread: the acceptor, the sessions,
// and the mirror of the store that every viewer is synced from.
//
// Store events arrive in store order (post_events); the mirror turns them into changes
// (viewer_sync_internal.hpp) and every WebSocket session queues what each change owes its
// viewer. A new viewer's backlog is the mirror at the moment it attaches, and later changes
// are queued for it after the backlog, so it receives every row exactly once.
#include <boost/asio/post.hpp>
#include <random>
#include <unordered_map>

#include "server/http_session_internal.hpp"
#include "server/protocol.hpp"
#include "server/rerun_proxy_internal.hpp"
#include "server/server_internal.hpp"
#include "server/viewer_sync_internal.hpp"
#include "server/ws_session_internal.hpp"

namespace reel::server::internal {

namespace {

class ViewerServiceImpl final : public ViewerService, public ViewerHost {
 public:
  explicit ViewerServiceImpl(ViewerServiceDeps deps)
      : io_(deps.io),
        store_(std::move(deps.store)),
        options_(deps.options),
        log_(std::move(deps.log)),
        ingest_clients_(std::move(deps.ingest_clients)),
        acceptor_(io_),
        mirror_(store_->chunks()) {}

  // ---- ViewerService (for Server)
  Status listen(const tcp::endpoint& endpoint) override {
    REEL_RETURN_NOT_OK(open_acceptor(acceptor_, endpoint, "viewer", "--port"));
    port_ = acceptor_.local_endpoint().port();
    accept();
    return Status::OK();
  }
  uint16_t port() const override { return port_; }

  void post_events(std::vector<ChunkStoreEvent> events) override {
    asio::post(io_, [this, events = std::move(events)] { on_events(events); });
  }
  void post_store_info() override {
    asio::post(io_, [this] {
      std::string text = store_info_json(store_->info());
      for_each_session([&](WsSession& s) { s.send_text(text); });
      for_each_proxy([](RerunProxySession& s) { s.on_store_info(); });
    });
  }
  void close_all() override {
    boost::system::error_code ec;
    acceptor_.close(ec);
    for_each_session([](WsSession& s) { s.close_socket(); });
    for_each_proxy([](RerunProxySession& s) { s.close_socket(); });
    proxies_.clear();
    for (auto& w : http_sessions_) {
      if (auto s = w.lock()) s->close_socket();
    }
    sessions_.clear();
    http_sessions_.clear();
  }
  size_t num_viewers() const override { return viewers_.load(); }

  // ---- ViewerHost (for the sessions, io thread)
  const ChunkStore& store() const override { return *store_; }
  const ServerOptions& options() const override { return options_; }
  void log(const std::string& line) override { log_(line); }
  std::string info_json() const override {
    InfoExtras extras;
    extras.memory_limit = store_->config().memory_limit;
    extras.viewers = viewers_.load();
    extras.max_viewers = options_.max_viewers;
    extras.ingest_clients = ingest_clients_ ? ingest_clients_() : 0;
    for (const auto& w : sessions_) {
      auto s = w.lock();
      if (!s || s->closed()) continue;
      extras.viewer_connections.push_back({s->peer(), s->queued_bytes(), s->queued_messages()});
    }
    for (const auto& w : proxies_) {
      auto s = w.lock();
      if (!s || s->closed()) continue;
      extras.viewer_connections.push_back(
          {"rerun " + s->peer(), s->queued_bytes(), s->queued_messages()});
    }
    return server::info_json(*store_, extras);
  }
  std::vector<std::weak_ptr<const Chunk>> attach(
      const std::shared_ptr<WsSession>& session) override {
    ++viewers_;
    sessions_.push_back(session);
    return mirror_.backlog();
  }
  std::vector<std::weak_ptr<const Chunk>> attach_proxy(
      const std::shared_ptr<RerunProxySession>& session) override {
    ++viewers_;
    std::erase_if(proxies_, [](const auto& w) { return w.expired(); });
    proxies_.push_back(session);
    return mirror_.backlog();
  }
  void detach() override { --viewers_; }
  std::string offer_backlog(std::vector<ChunkPtr> chunks, bool compact_row_ids) override {
    static const char* kHex = "0123456789abcdef";
    std::string token;
    for (int i = 0; i < 32; ++i) token += kHex[random_() & 15];
    backlogs_[token] = Backlog{std::move(chunks), compact_row_ids};
    return token;
  }
  std::optional<Backlog> take_backlog(const std::string& token) override {
    auto it = backlogs_.find(token);
    if (it == backlogs_.end()) return std::nullopt;
    Backlog backlog = std::move(it->second);
    backlogs_.erase(it);
    return backlog;
  }
  void drop_backlog(const std::string& token) override { backlogs_.erase(token); }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) {
        auto session = std::make_shared<HttpSession>(std::move(socket), *this);
        std::erase_if(http_sessions_, [](const auto& w) { return w.expired(); });
        http_sessions_.push_back(session);
        session->run();
      }
      accept();
    });
  }

  template <typename F>
  void for_each_session(F&& f) {
    std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
    for (auto& w : sessions_) {
      if (auto s = w.lock()) f(*s);
    }
  }

  template <typename F>
  void for_each_proxy(F&& f) {
    std::erase_if(proxies_, [](const auto& w) { return w.expired(); });
    for (auto& w : proxies_) {
      if (auto s = w.lock()) f(*s);
    }
  }

  void on_events(const std::vector<ChunkStoreEvent>& events) {
    for (const StoreChange& change : mirror_.apply(events)) {
      for_each_session([&](WsSession& s) { s.on_change(change); });
      for_each_proxy([&](RerunProxySession& s) { s.on_change(change); });
    }
    for_each_session([](WsSession& s) { s.pump(); });
    for_each_proxy([](RerunProxySession& s) { s.pump(); });
  }

  asio::io_context& io_;
  std::shared_ptr<ChunkStore> store_;
  const ServerOptions& options_;
  Logger log_;
  std::function<size_t()> ingest_clients_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<size_t> viewers_{0};
  // io thread only:
  StoreMirror mirror_;
  std::vector<std::weak_ptr<WsSession>> sessions_;
  std::vector<std::weak_ptr<HttpSession>> http_sessions_;
  std::vector<std::weak_ptr<RerunProxySession>> proxies_;  // Rerun viewers (ReadMessages)
  // Backlogs offered to viewers and not fetched yet (token -> chunks).
  std::unordered_map<std::string, Backlog> backlogs_;
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace

std::unique_ptr<ViewerService> make_viewer_service(ViewerServiceDeps deps) {
  return std::make_unique<ViewerServiceImpl>(std::move(deps));
}

}  // namespace reel::server::internal
