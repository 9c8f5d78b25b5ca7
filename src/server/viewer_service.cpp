// The viewer port (docs/viewer-protocol.md), on the io thread: the acceptor, the sessions,
// and per recording the mirror of its store that the viewers of that recording are synced
// from.
//
// Store events arrive in store order (post_events); the mirror turns them into changes
// (viewer_sync_internal.hpp) and every WebSocket session queues what each change owes its
// viewer. A new viewer's backlog is the mirror at the moment it attaches, and later changes
// are queued for it after the backlog, so it receives every row exactly once.
#include <boost/asio/post.hpp>
#include <map>
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
        recordings_(std::move(deps.recordings)),
        options_(deps.options),
        log_(std::move(deps.log)),
        ingest_clients_(std::move(deps.ingest_clients)),
        acceptor_(io_) {
    // The server subscribed to these stores before: the snapshots miss no change.
    for (const auto& e : recordings_->list()) add_recording(e);
  }

  // ---- ViewerService (for Server)
  Status listen(const tcp::endpoint& endpoint) override {
    REEL_RETURN_NOT_OK(open_acceptor(acceptor_, endpoint, "viewer", "--port"));
    port_ = acceptor_.local_endpoint().port();
    accept();
    return Status::OK();
  }
  uint16_t port() const override { return port_; }

  void post_events(uint32_t number, std::vector<ChunkStoreEvent> events) override {
    asio::post(io_, [this, number, events = std::move(events)] { on_events(number, events); });
  }
  void post_recording(RecordingEntry entry, bool created) override {
    asio::post(io_, [this, entry = std::move(entry), created] { on_recording(entry, created); });
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
  std::shared_ptr<const ChunkStore> store(uint32_t number) const override {
    auto it = mirrors_.find(number);
    return it == mirrors_.end() ? nullptr : it->second.store;
  }
  std::optional<uint32_t> initial_recording(const std::string& recording_id) const override {
    if (mirrors_.empty()) return std::nullopt;
    for (const auto& [number, r] : mirrors_) {
      if (!recording_id.empty() && r.store->info().recording_id == recording_id) return number;
    }
    return mirrors_.rbegin()->first;  // the newest
  }
  std::vector<RecordingEntry> recordings() const override {
    std::vector<RecordingEntry> out;
    for (const auto& [number, r] : mirrors_) out.push_back({number, r.store, r.pager});
    return out;
  }
  const ServerOptions& options() const override { return options_; }
  void log(const std::string& line) override { log_(line); }
  std::string info_json() const override {
    InfoExtras extras;
    extras.memory_limit = recordings_->memory_limit();
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
    for (const auto& [number, r] : mirrors_) {
      extras.recordings.push_back({number, r.store, r.pager});
    }
    auto first = store(0);
    static const ChunkStore kEmpty;
    return server::info_json(first ? *first : kEmpty, extras);
  }
  void attach(const std::shared_ptr<WsSession>& session) override {
    ++viewers_;
    sessions_.push_back(session);
  }
  std::vector<std::weak_ptr<const Chunk>> backlog(uint32_t number) const override {
    auto it = mirrors_.find(number);
    if (it == mirrors_.end()) return {};
    return it->second.mirror.backlog();
  }
  std::vector<std::weak_ptr<const Chunk>> attach_proxy(
      const std::shared_ptr<RerunProxySession>& session) override {
    ++viewers_;
    std::erase_if(proxies_, [](const auto& w) { return w.expired(); });
    proxies_.push_back(session);
    return backlog(0);
  }
  void detach() override { --viewers_; }
  std::string offer_backlog(Backlog backlog) override {
    static const char* kHex = "0123456789abcdef";
    std::string token;
    for (int i = 0; i < 32; ++i) token += kHex[random_() & 15];
    backlogs_[token] = std::move(backlog);
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
  // One recording as the viewers know it: its store and the mirror of it kept from its events.
  struct Recording {
    std::shared_ptr<ChunkStore> store;
    StoreMirror mirror;
    std::shared_ptr<FilePager> pager;
  };

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

  bool add_recording(const RecordingEntry& e) {
    if (mirrors_.count(e.number)) return false;
    mirrors_.emplace(e.number, Recording{e.store, StoreMirror(e.store->chunks()), e.pager});
    return true;
  }

  std::vector<RecordingListing> listing() const {
    std::vector<RecordingListing> out;
    for (const auto& [number, r] : mirrors_) out.push_back({number, r.store->info()});
    return out;
  }

  void on_recording(const RecordingEntry& e, bool created) {
    if (created && !add_recording(e)) return;  // already known from the first list
    const std::string list = recordings_json(listing());
    const std::string named = store_info_json(e.store->info(), e.number);
    if (e.number == 0) for_each_proxy([](RerunProxySession& s) { s.on_store_info(); });
    for_each_session([&](WsSession& s) {
      if (s.closed()) return;
      if (!created && s.recording() == e.number) s.send_text(named);
      s.send_text(list);
      // A viewer that had no recording yet takes the first one that appears.
      if (!s.recording()) s.select(e.number, /*announce=*/true);
    });
  }

  void on_events(uint32_t number, const std::vector<ChunkStoreEvent>& events) {
    auto it = mirrors_.find(number);
    if (it == mirrors_.end()) return;  // not expected: the recording is posted first
    for (const StoreChange& change : it->second.mirror.apply(events)) {
      for_each_session([&](WsSession& s) {
        if (s.recording() == number) s.on_change(change);
      });
      // Rerun viewers follow recording 0 (docs/viewer-protocol.md, "Rerun viewer").
      if (number == 0) for_each_proxy([&](RerunProxySession& s) { s.on_change(change); });
    }
    for_each_session([](WsSession& s) { s.pump(); });
    for_each_proxy([](RerunProxySession& s) { s.pump(); });
  }

  asio::io_context& io_;
  std::shared_ptr<RecordingSet> recordings_;
  const ServerOptions& options_;
  Logger log_;
  std::function<size_t()> ingest_clients_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<size_t> viewers_{0};
  // io thread only:
  std::map<uint32_t, Recording> mirrors_;
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
