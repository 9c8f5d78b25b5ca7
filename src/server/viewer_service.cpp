// HTTP + WebSocket for the web viewer (docs/viewer-protocol.md), on the io thread.
//
// Every viewer gets the store as the io thread knows it (a mirror kept from store events, in
// store order), then every later change. A viewer's queue holds chunk references, not
// encoded bytes: one frame is encoded at a time, when the previous write has completed, so
// memory per viewer is one frame plus small queue entries. Chunks are referenced weakly: a
// chunk garbage-collected before it was sent is simply skipped (its addition and removal
// cancel out). A viewer whose queue still grows past the limit is disconnected.
//
// Compaction on ingestion replaces the open chunk T of an entity by T + incoming rows. A
// viewer that holds T (whole, or as the pieces it was sent) gets only the incoming rows, as a
// chunk with the incoming chunk's id, and no removal; the session remembers that the merged
// store chunk stands for those pieces, so that its later removal names exactly the ids the
// viewer holds. Otherwise (T not sent yet) the merged chunk is sent whole, and the removal of
// whatever the viewer held of T follows it (replacement before removal).
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "reel/format/recording_file.hpp"
#include "server/protocol.hpp"
#include "server/server_internal.hpp"

namespace reel::server::internal {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace fs = std::filesystem;

namespace {

constexpr const char* kServerName = "reel";

class ViewerServiceImpl;

// ---------------------------------------------------------------------------------------
// WebSocket session

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& socket, ViewerServiceImpl& service, std::string peer)
      : ws_(std::move(socket)), service_(service), peer_(std::move(peer)) {}

  void start(http::request<http::string_body> request);
  // Queue a change; pump() sends once a whole store modification is queued (so that the
  // removals of one modification travel in one message).
  void on_added(const ChunkPtr& chunk);
  void on_removed(const ChunkId& id);
  // `merged` replaced `replaced` and holds its rows first (rows [0, offset)), then the
  // rows of the incoming chunk `incoming`.
  void on_appended(const ChunkId& replaced, const ChunkPtr& merged, const ChunkId& incoming,
                   int64_t offset);
  // `chunk` replaced the chunks `replaced` (compaction that is not an append).
  void on_replaced(const std::vector<ChunkId>& replaced, const ChunkPtr& chunk);
  void pump();
  void send_text(std::string text) {
    if (closed_) return;
    priority_.push_back(Text{std::move(text)});
    pump();
  }
  void close_socket() {
    closed_ = true;
    boost::system::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }
  bool closed() const { return closed_; }

 private:
  struct Text {
    std::string text;
  };
  struct QueryChunk {
    uint32_t id;
    ChunkPtr chunk;
  };
  using Priority = std::variant<Text, QueryChunk>;
  struct Added {
    std::weak_ptr<const Chunk> chunk;
    ChunkId id;
  };
  // The store chunk that currently holds a chain of appended pieces. Compaction only appends,
  // so a piece's rows keep their place when the chain grows: queued pieces follow `chunk`.
  struct Source {
    std::weak_ptr<const Chunk> chunk;
  };
  // Rows [offset, offset + rows) of the source's chunk, sent as chunk `id`.
  struct Piece {
    std::shared_ptr<Source> source;
    int64_t offset = 0;
    int64_t rows = 0;
    ChunkId id;
  };
  struct Removed {
    std::vector<ChunkId> ids;
  };
  using Live = std::variant<Added, Piece, Removed>;
  // A store chunk the viewer holds as several chunks: their ids (sent or queued), in order.
  struct Pieces {
    std::vector<ChunkId> ids;
    std::shared_ptr<Source> source;
  };

  void on_accept(boost::system::error_code ec);
  void read();
  void on_read(boost::system::error_code ec);
  void handle_text(const std::string& text);
  bool write_chunk(FrameKind kind, uint32_t request_id, const Chunk& chunk);
  void write_text(std::string text);
  void on_write(boost::system::error_code ec);
  void too_slow(const std::string& why);
  bool queue_full();
  // The viewer-side ids of store chunk `id` leave the viewer's set: queued ones are cancelled,
  // the ids the viewer was sent are appended to `out`.
  void release(const ChunkId& id, std::vector<ChunkId>& out);
  void queue_removal(std::vector<ChunkId> ids);
  void forget_all();

  websocket::stream<beast::tcp_stream> ws_;
  ViewerServiceImpl& service_;
  std::string peer_;
  http::request<http::string_body> request_;
  beast::flat_buffer read_buffer_;
  bool accepted_ = false;
  bool closed_ = false;
  bool writing_ = false;
  std::optional<std::string> close_reason_;

  // Outgoing, in this order of priority: texts and query answers; the backlog; live changes.
  std::deque<Priority> priority_;
  size_t query_frames_ = 0;
  std::vector<std::weak_ptr<const Chunk>> backlog_;
  size_t backlog_pos_ = 0;
  uint64_t backlog_sent_ = 0;
  bool caught_up_sent_ = false;
  std::deque<Live> live_;
  // Viewer-side chunk ids queued for sending (backlog or live, whole chunks and pieces) and
  // not sent yet.
  std::unordered_set<ChunkId> pending_;
  // Store chunk id -> the ids the viewer holds for it, when it holds it as pieces. Store
  // chunks the viewer holds whole (under their own id) have no entry. Erased on deletion.
  std::unordered_map<ChunkId, Pieces> pieces_;
  // Queued replacement chunk -> removals to send right after it (ids the viewer was sent of
  // what it replaces). Only for replacements not sent yet.
  std::unordered_map<ChunkId, std::vector<ChunkId>> owed_;

  // The frame being written.
  uint8_t prefix_[kFramePrefixBytes] = {};
  std::vector<uint8_t> payload_;
  std::string text_;
};

// ---------------------------------------------------------------------------------------
// HTTP session

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, ViewerServiceImpl& service)
      : stream_(std::move(socket)), service_(service) {}
  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }
  void close_socket() {
    boost::system::error_code ec;
    stream_.socket().close(ec);
  }

 private:
  void read();
  void on_read(boost::system::error_code ec);
  void handle(http::request<http::string_body>&& request);
  template <typename Body>
  void send(http::response<Body>&& response);

  beast::tcp_stream stream_;
  ViewerServiceImpl& service_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<void> response_;
};

// ---------------------------------------------------------------------------------------

class ViewerServiceImpl final : public ViewerService {
 public:
  explicit ViewerServiceImpl(ViewerServiceDeps deps)
      : io_(deps.io),
        store_(std::move(deps.store)),
        options_(deps.options),
        log_(std::move(deps.log)),
        ingest_clients_(std::move(deps.ingest_clients)),
        acceptor_(io_) {
    // The chunks already stored; later events keep the mirror current (an event for a
    // change the snapshot already shows is recognised and skipped).
    for (auto& chunk : store_->chunks()) mirror_.emplace(chunk->id(), std::move(chunk));
  }

  Status listen(const tcp::endpoint& endpoint) override {
    REEL_RETURN_NOT_OK(open_acceptor(acceptor_, endpoint, "viewer", "--port"));
    port_ = acceptor_.local_endpoint().port();
    accept();
    return Status::OK();
  }
  uint16_t port() const override { return port_; }

  void post_events(std::vector<ViewerEvent> events) override {
    asio::post(io_, [this, events = std::move(events)] { on_events(events); });
  }
  void post_store_info() override {
    asio::post(io_, [this] {
      std::string text = store_info_json(store_->info());
      for_each_session([&](WsSession& s) { s.send_text(text); });
    });
  }
  void close_all() override {
    boost::system::error_code ec;
    acceptor_.close(ec);
    for_each_session([](WsSession& s) { s.close_socket(); });
    for (auto& w : http_sessions_) {
      if (auto s = w.lock()) s->close_socket();
    }
    sessions_.clear();
    http_sessions_.clear();
  }
  size_t num_viewers() const override { return viewers_.load(); }

  // ---- for the sessions (io thread)
  const ChunkStore& store() const { return *store_; }
  const ServerOptions& options() const { return options_; }
  void log(const std::string& line) { log_(line); }
  std::string info() const {
    InfoExtras extras;
    extras.memory_limit = store_->config().memory_limit;
    extras.viewers = viewers_.load();
    extras.ingest_clients = ingest_clients_ ? ingest_clients_() : 0;
    return info_json(*store_, extras);
  }
  // A new viewer: its backlog is the mirror as of now.
  std::vector<std::weak_ptr<const Chunk>> attach(const std::shared_ptr<WsSession>& session) {
    ++viewers_;
    sessions_.push_back(session);
    std::vector<std::weak_ptr<const Chunk>> backlog;
    backlog.reserve(mirror_.size());
    for (const auto& [id, chunk] : mirror_) backlog.push_back(chunk);
    return backlog;
  }
  void detach() { --viewers_; }
  void track(const std::shared_ptr<HttpSession>& session) {
    std::erase_if(http_sessions_, [](const auto& w) { return w.expired(); });
    http_sessions_.push_back(session);
  }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) {
        auto session = std::make_shared<HttpSession>(std::move(socket), *this);
        track(session);
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

  void on_events(const std::vector<ViewerEvent>& events) {
    // A compaction's deletion is handled with the addition that replaces it (later in the
    // same batch), so that a viewer can get only the new rows, or the replacement first.
    std::unordered_set<ChunkId> replaced_later;
    for (const auto& e : events) {
      if (e.added) replaced_later.insert(e.compacted_from.begin(), e.compacted_from.end());
    }
    std::unordered_map<ChunkId, ChunkPtr> deferred;
    for (const auto& e : events) {
      const ChunkId id = e.chunk->id();
      if (!e.added) {
        if (mirror_.erase(id) == 0) continue;
        if (replaced_later.count(id)) {
          deferred.emplace(id, e.chunk);
        } else {
          for_each_session([&](WsSession& s) { s.on_removed(id); });
        }
        continue;
      }
      if (!mirror_.emplace(id, e.chunk).second) continue;
      std::vector<ChunkPtr> replaced;
      for (const auto& from : e.compacted_from) {
        if (auto it = deferred.find(from); it != deferred.end()) {
          replaced.push_back(std::move(it->second));
          deferred.erase(it);
        }
      }
      if (replaced.empty()) {
        for_each_session([&](WsSession& s) { s.on_added(e.chunk); });
      } else if (replaced.size() == 1 && e.compacted_from.size() == 2 &&
                 replaced[0]->id() == e.compacted_from[0] && is_append(*replaced[0], *e.chunk)) {
        const ChunkId& target = e.compacted_from[0];
        const ChunkId& incoming = e.compacted_from[1];
        const int64_t offset = replaced[0]->num_rows();
        for_each_session([&](WsSession& s) { s.on_appended(target, e.chunk, incoming, offset); });
      } else {
        std::vector<ChunkId> ids;
        for (const auto& c : replaced) ids.push_back(c->id());
        for_each_session([&](WsSession& s) { s.on_replaced(ids, e.chunk); });
      }
    }
    // Not expected (a compaction's addition follows its deletion): plain removals.
    for (const auto& entry : deferred) {
      const ChunkId& id = entry.first;
      for_each_session([&](WsSession& s) { s.on_removed(id); });
    }
    for_each_session([](WsSession& s) { s.pump(); });
  }

  // Whether `merged` starts with the rows of `target` (and has more): compaction appends.
  static bool is_append(const Chunk& target, const Chunk& merged) {
    if (merged.num_rows() <= target.num_rows()) return false;
    if (merged.entity_path() != target.entity_path()) return false;
    for (int64_t i = 0; i < target.num_rows(); ++i) {
      if (merged.row_id(i) != target.row_id(i)) return false;
    }
    return true;
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
  std::map<ChunkId, ChunkPtr> mirror_;
  std::vector<std::weak_ptr<WsSession>> sessions_;
  std::vector<std::weak_ptr<HttpSession>> http_sessions_;
};

// ---------------------------------------------------------------------------------------
// WebSocket session

void WsSession::start(http::request<http::string_body> request) {
  request_ = std::move(request);
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, kServerName); }));
  ws_.read_message_max(1 << 20);
  ws_.auto_fragment(false);
  ws_.async_accept(request_, [self = shared_from_this()](boost::system::error_code ec) {
    self->on_accept(ec);
  });
}

void WsSession::on_accept(boost::system::error_code ec) {
  request_ = {};
  if (ec) {
    closed_ = true;
    return;
  }
  accepted_ = true;
  backlog_ = service_.attach(shared_from_this());
  for (const auto& w : backlog_) {
    if (auto c = w.lock()) pending_.insert(c->id());
  }
  service_.log("viewer " + peer_ + " connected (" + std::to_string(backlog_.size()) +
               " chunks to send)");
  priority_.push_front(Text{hello_json(service_.store().info())});
  read();
  pump();
}

void WsSession::read() {
  ws_.async_read(read_buffer_, [self = shared_from_this()](boost::system::error_code ec, size_t) {
    self->on_read(ec);
  });
}

void WsSession::on_read(boost::system::error_code ec) {
  if (ec) {
    if (!closed_) {
      service_.log("viewer " + peer_ + " disconnected" +
                   (ec == websocket::error::closed ? std::string() : " (" + ec.message() + ")"));
    }
    closed_ = true;
    service_.detach();
    forget_all();
    return;
  }
  if (ws_.got_text()) {
    std::string text = beast::buffers_to_string(read_buffer_.data());
    read_buffer_.consume(read_buffer_.size());
    handle_text(text);
  } else {
    read_buffer_.consume(read_buffer_.size());
    priority_.push_back(Text{error_json(0, "binary messages are not part of the protocol")});
  }
  pump();
  read();
}

void WsSession::handle_text(const std::string& text) {
  uint32_t id = 0;
  try {
    auto query = parse_query(text, &id);
    if (!query.ok()) {
      priority_.push_back(Text{error_json(id, query.status().message())});
      return;
    }
    std::vector<ChunkPtr> chunks = answer_query(service_.store(), *query);
    const size_t limit = service_.options().max_query_frames;
    if (query_frames_ + chunks.size() > limit) {
      priority_.push_back(Text{error_json(
          id, "the answer has " + std::to_string(chunks.size()) + " chunks and " +
                  std::to_string(query_frames_) + " query frames are already queued (at most " +
                  std::to_string(limit) + "): narrow the query")});
      return;
    }
    for (auto& c : chunks) {
      priority_.push_back(QueryChunk{id, std::move(c)});
      ++query_frames_;
    }
    priority_.push_back(Text{query_done_json(id, chunks.size())});
  } catch (const std::exception& e) {
    priority_.push_back(Text{error_json(id, std::string("bad query: ") + e.what())});
  }
}

bool WsSession::queue_full() {
  if (live_.size() < service_.options().max_viewer_queue) return false;
  too_slow(std::to_string(live_.size()) + " changes queued");
  return true;
}

void WsSession::on_added(const ChunkPtr& chunk) {
  if (closed_ || !accepted_ || queue_full()) return;
  pending_.insert(chunk->id());
  live_.push_back(Added{chunk, chunk->id()});
}

void WsSession::on_appended(const ChunkId& replaced, const ChunkPtr& merged,
                            const ChunkId& incoming, int64_t offset) {
  if (closed_ || !accepted_) return;
  auto it = pieces_.find(replaced);
  // The viewer holds the replaced chunk (sent whole, or as pieces that are sent or queued
  // as pieces) unless it is still queued whole: that queue entry dies with the chunk.
  if (it == pieces_.end() && pending_.count(replaced)) {
    on_replaced({replaced}, merged);
    return;
  }
  if (queue_full()) return;
  Pieces p;
  if (it != pieces_.end()) {
    p = std::move(it->second);
    pieces_.erase(it);
  } else {
    p.ids.push_back(replaced);
    p.source = std::make_shared<Source>();
  }
  p.source->chunk = merged;
  p.ids.push_back(incoming);
  live_.push_back(Piece{p.source, offset, merged->num_rows() - offset, incoming});
  pending_.insert(incoming);
  pieces_.emplace(merged->id(), std::move(p));
}

void WsSession::on_replaced(const std::vector<ChunkId>& replaced, const ChunkPtr& chunk) {
  if (closed_ || !accepted_) return;
  std::vector<ChunkId> owed;
  for (const auto& id : replaced) release(id, owed);
  if (queue_full()) return;
  pending_.insert(chunk->id());
  live_.push_back(Added{chunk, chunk->id()});
  if (!owed.empty()) owed_[chunk->id()] = std::move(owed);
}

void WsSession::on_removed(const ChunkId& id) {
  if (closed_ || !accepted_) return;
  std::vector<ChunkId> ids;
  release(id, ids);
  queue_removal(std::move(ids));
}

void WsSession::release(const ChunkId& id, std::vector<ChunkId>& out) {
  // Queued and never sent: the viewer need not hear of it at all.
  auto drop = [&](const ChunkId& part) {
    if (!pending_.erase(part)) out.push_back(part);
  };
  if (auto it = pieces_.find(id); it != pieces_.end()) {
    for (const auto& part : it->second.ids) drop(part);
    pieces_.erase(it);
  } else {
    drop(id);
  }
  if (auto it = owed_.find(id); it != owed_.end()) {
    out.insert(out.end(), it->second.begin(), it->second.end());
    owed_.erase(it);
  }
}

void WsSession::queue_removal(std::vector<ChunkId> ids) {
  if (ids.empty()) return;
  if (!live_.empty()) {
    if (auto* r = std::get_if<Removed>(&live_.back())) {
      r->ids.insert(r->ids.end(), ids.begin(), ids.end());
      return;
    }
  }
  if (queue_full()) return;
  live_.push_back(Removed{std::move(ids)});
}

void WsSession::forget_all() {
  priority_.clear();
  live_.clear();
  backlog_.clear();
  pending_.clear();
  pieces_.clear();
  owed_.clear();
}

void WsSession::too_slow(const std::string& why) {
  service_.log("viewer " + peer_ + " disconnected: it does not read fast enough (" + why + ")");
  forget_all();
  close_reason_ = "viewer too slow: reconnect to get the store afresh";
  closed_ = true;
  if (!writing_) on_write({});
}

void WsSession::pump() {
  while (!writing_ && !closed_) {
    if (!priority_.empty()) {
      Priority item = std::move(priority_.front());
      priority_.pop_front();
      if (auto* t = std::get_if<Text>(&item)) {
        write_text(std::move(t->text));
        return;
      }
      auto& q = std::get<QueryChunk>(item);
      --query_frames_;
      if (write_chunk(FrameKind::kQueryResult, q.id, *q.chunk)) return;
      continue;
    }
    if (backlog_pos_ < backlog_.size()) {
      ChunkPtr c = backlog_[backlog_pos_++].lock();
      if (!c || !pending_.erase(c->id())) continue;  // removed meanwhile
      if (write_chunk(FrameKind::kChunkAdded, 0, *c)) {
        ++backlog_sent_;
        return;
      }
      continue;
    }
    if (!caught_up_sent_) {
      caught_up_sent_ = true;
      backlog_ = {};
      write_text(caught_up_json(backlog_sent_));
      return;
    }
    if (live_.empty()) return;
    Live item = std::move(live_.front());
    live_.pop_front();
    if (auto* r = std::get_if<Removed>(&item)) {
      write_text(chunks_removed_json(r->ids));
      return;
    }
    if (auto* p = std::get_if<Piece>(&item)) {
      if (!pending_.erase(p->id)) continue;  // removed before it was sent
      ChunkPtr c = p->source->chunk.lock();
      if (!c || p->offset + p->rows > c->num_rows()) continue;
      if (write_chunk(FrameKind::kChunkAdded, 0, *c->slice(p->offset, p->rows)->with_id(p->id))) {
        return;
      }
      continue;
    }
    auto& a = std::get<Added>(item);
    if (!pending_.erase(a.id)) continue;  // removed (or replaced) before it was sent
    // What this chunk replaces leaves the viewer right after it.
    if (auto owed = owed_.extract(a.id)) live_.push_front(Removed{std::move(owed.mapped())});
    ChunkPtr c = a.chunk.lock();
    if (c && write_chunk(FrameKind::kChunkAdded, 0, *c)) return;
  }
}

bool WsSession::write_chunk(FrameKind kind, uint32_t request_id, const Chunk& chunk) {
  auto payload = format::encode_chunk_payload(chunk);
  if (!payload.ok()) {
    service_.log("viewer " + peer_ + ": cannot encode a chunk of " + chunk.entity_path().str() +
                 ": " + payload.status().message());
    return false;
  }
  payload_ = std::move(*payload);
  frame_prefix(kind, request_id, prefix_);
  std::array<asio::const_buffer, 2> buffers = {asio::buffer(prefix_, kFramePrefixBytes),
                                               asio::buffer(payload_)};
  writing_ = true;
  ws_.binary(true);
  ws_.async_write(buffers, [self = shared_from_this()](boost::system::error_code ec, size_t) {
    self->on_write(ec);
  });
  return true;
}

void WsSession::write_text(std::string text) {
  text_ = std::move(text);
  writing_ = true;
  ws_.text(true);
  ws_.async_write(asio::buffer(text_),
                  [self = shared_from_this()](boost::system::error_code ec, size_t) {
                    self->on_write(ec);
                  });
}

void WsSession::on_write(boost::system::error_code ec) {
  writing_ = false;
  payload_ = {};
  if (ec) {
    closed_ = true;
    return;
  }
  if (close_reason_) {
    websocket::close_reason reason(websocket::close_code::policy_error, *close_reason_);
    close_reason_.reset();
    writing_ = true;
    ws_.async_close(reason, [self = shared_from_this()](boost::system::error_code) {
      self->writing_ = false;
    });
    return;
  }
  pump();
}

// ---------------------------------------------------------------------------------------
// HTTP

std::string_view mime_type(const fs::path& path) {
  std::string ext = path.extension().string();
  for (auto& ch : ext) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  static const std::map<std::string, std::string_view> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".wasm", "application/wasm"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
  };
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? std::string_view("application/octet-stream") : it->second;
}

// Percent-decodes a URL path; nullopt when malformed or when it holds a NUL byte.
std::optional<std::string> url_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = char(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

// The file under `root` that `path` names, or nullopt: no "..", no escaping the root
// (symbolic links included), directories map to their index.html.
std::optional<fs::path> resolve_static(const fs::path& root, const std::string& path) {
  fs::path rel;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string_view part(path.data() + start, end - start);
    if (part == "..") return std::nullopt;
    if (!part.empty() && part != "." && part.find('\\') == std::string_view::npos) {
      rel /= std::string(part);
    } else if (part.find('\\') != std::string_view::npos) {
      return std::nullopt;
    }
    start = end + 1;
  }
  std::error_code ec;
  fs::path full = root / rel;
  if (fs::is_directory(full, ec)) full /= "index.html";
  fs::path canonical_root = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  fs::path canonical = fs::canonical(full, ec);
  if (ec || !fs::is_regular_file(canonical, ec)) return std::nullopt;
  auto [r, c] = std::mismatch(canonical_root.begin(), canonical_root.end(), canonical.begin(),
                              canonical.end());
  if (r != canonical_root.end()) return std::nullopt;
  return canonical;
}

std::string not_built_page(const std::string& web_root) {
  std::string where = web_root.empty() ? std::string("(none configured)") : web_root;
  return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>reel</title></head>\n"
         "<body style=\"font-family: sans-serif; max-width: 44em; margin: 3em auto\">\n"
         "<h1>reel: the viewer is not built</h1>\n"
         "<p>The server is running, but no built web viewer was found at <code>" +
         where +
         "</code>.</p>\n"
         "<p>Build it with <code>make build</code> (the viewer is built by npm into "
         "<code>build/viewer-dist</code>), or point the server at a built viewer with "
         "<code>reel serve --web-root DIR</code> or the <code>REEL_VIEWER_DIR</code> "
         "environment variable.</p>\n"
         "<p>The API works meanwhile: <a href=\"/api/info\">/api/info</a>, "
         "<a href=\"/api/entities\">/api/entities</a>, and the WebSocket at <code>/ws</code>.</p>\n"
         "</body></html>\n";
}

void HttpSession::read() {
  parser_.emplace();
  parser_->header_limit(16 * 1024);
  parser_->body_limit(64 * 1024);
  stream_.expires_after(std::chrono::seconds(60));
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](boost::system::error_code ec, size_t) {
                     self->on_read(ec);
                   });
}

void HttpSession::on_read(boost::system::error_code ec) {
  if (ec) {
    if (ec == http::error::end_of_stream) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
    return;
  }
  http::request<http::string_body> request = parser_->release();
  std::string_view target = request.target();
  if (websocket::is_upgrade(request) && target.substr(0, target.find('?')) == "/ws") {
    stream_.expires_never();
    boost::system::error_code peer_ec;
    std::string peer = endpoint_text(stream_.socket().remote_endpoint(peer_ec));
    std::make_shared<WsSession>(stream_.release_socket(), service_, std::move(peer))
        ->start(std::move(request));
    return;
  }
  handle(std::move(request));
}

template <typename Body>
void HttpSession::send(http::response<Body>&& response) {
  auto message = std::make_shared<http::response<Body>>(std::move(response));
  response_ = message;
  const bool close = message->need_eof();
  http::async_write(stream_, *message,
                    [self = shared_from_this(), close](boost::system::error_code ec, size_t) {
                      self->response_.reset();
                      if (ec) return;
                      if (close) {
                        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
                        return;
                      }
                      self->read();
                    });
}

void HttpSession::handle(http::request<http::string_body>&& request) {
  const unsigned version = request.version();
  const bool keep_alive = request.keep_alive();
  const bool head = request.method() == http::verb::head;
  auto text = [&](http::status status, std::string_view type, std::string body) {
    http::response<http::string_body> res{status, version};
    res.set(http::field::server, kServerName);
    res.set(http::field::content_type, type);
    res.set(http::field::cache_control, "no-cache");
    res.keep_alive(keep_alive);
    res.body() = std::move(body);
    res.prepare_payload();
    if (head) res.body().clear();
    return res;
  };
  if (request.method() != http::verb::get && !head) {
    auto res = text(http::status::method_not_allowed, "text/plain; charset=utf-8",
                    "only GET and HEAD are served\n");
    res.set(http::field::allow, "GET, HEAD");
    return send(std::move(res));
  }
  std::string_view target = request.target();
  target = target.substr(0, target.find_first_of("?#"));
  auto path = url_decode(target);
  if (!path || path->empty() || path->front() != '/') {
    return send(text(http::status::bad_request, "text/plain; charset=utf-8", "bad path\n"));
  }
  if (*path == "/api/info") {
    return send(text(http::status::ok, "application/json", service_.info()));
  }
  if (*path == "/api/entities") {
    return send(text(http::status::ok, "application/json", entities_json(service_.store())));
  }
  if (*path == "/ws") {
    return send(text(http::status::upgrade_required, "text/plain; charset=utf-8",
                     "/ws is the viewer's WebSocket: connect with a WebSocket client\n"));
  }
  if (path->starts_with("/api/")) {
    return send(text(http::status::not_found, "application/json",
                     R"({"error": "no such API endpoint"})"));
  }
  const std::string& root = service_.options().web_root;
  std::error_code fs_ec;
  if (root.empty() || !fs::is_directory(root, fs_ec)) {
    if (*path == "/" || *path == "/index.html") {
      return send(text(http::status::ok, "text/html; charset=utf-8", not_built_page(root)));
    }
    return send(text(http::status::not_found, "text/plain; charset=utf-8",
                     "not found: the viewer is not built\n"));
  }
  auto file = resolve_static(root, *path);
  http::file_body::value_type body;
  beast::error_code open_ec;
  if (file) body.open(file->c_str(), beast::file_mode::scan, open_ec);
  if (!file || open_ec) {
    return send(text(http::status::not_found, "text/plain; charset=utf-8", "not found\n"));
  }
  const auto size = body.size();
  const std::string_view type = mime_type(*file);
  if (head) {
    http::response<http::empty_body> res{http::status::ok, version};
    res.set(http::field::server, kServerName);
    res.set(http::field::content_type, type);
    res.set(http::field::cache_control, "no-cache");
    res.content_length(size);
    res.keep_alive(keep_alive);
    return send(std::move(res));
  }
  http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                      std::make_tuple(http::status::ok, version)};
  res.set(http::field::server, kServerName);
  res.set(http::field::content_type, type);
  res.set(http::field::cache_control, "no-cache");
  res.content_length(size);
  res.keep_alive(keep_alive);
  send(std::move(res));
}

}  // namespace

std::unique_ptr<ViewerService> make_viewer_service(ViewerServiceDeps deps) {
  return std::make_unique<ViewerServiceImpl>(std::move(deps));
}

}  // namespace reel::server::internal
