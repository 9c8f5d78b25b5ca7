// One HTTP connection of the viewer port (http_session_internal.hpp).
#include "server/http_session_internal.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/beast/websocket.hpp>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "reel/format/grpc_web.hpp"
#include "server/protocol.hpp"
#include "server/rerun_proxy_internal.hpp"
#include "server/ws_session_internal.hpp"

namespace reel::server::internal {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace fs = std::filesystem;

namespace {

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

}  // namespace

void HttpSession::run() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
}

void HttpSession::close_socket() {
  boost::system::error_code ec;
  stream_.socket().close(ec);
}

void HttpSession::read() {
  parser_.emplace();
  parser_->header_limit(16 * 1024);
  parser_->body_limit(64 * 1024);
  stream_.expires_after(std::chrono::seconds(60));
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](boost::system::error_code ec, size_t) { self->on_read(ec); });
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
    boost::system::error_code peer_ec;
    std::string peer = endpoint_text(stream_.socket().remote_endpoint(peer_ec));
    const size_t max_viewers = host_.options().max_viewers;
    if (host_.num_viewers() >= max_viewers) {
      // Each viewer costs the server a queue and a copy of the backlog: bounded.
      const std::string why = "this reel server already has " + std::to_string(max_viewers) +
                              " viewers connected (--max-viewers " + std::to_string(max_viewers) +
                              "): close one, or restart it with a larger --max-viewers";
      host_.log("viewer: refused " + peer + ": " + why);
      http::response<http::string_body> res{http::status::service_unavailable, request.version()};
      res.set(http::field::server, kServerName);
      res.set(http::field::content_type, "text/plain; charset=utf-8");
      res.keep_alive(false);
      res.body() = why + "\n";
      res.prepare_payload();
      return send(std::move(res));
    }
    stream_.expires_never();
    std::make_shared<WsSession>(stream_.release_socket(), host_, std::move(peer))
        ->start(std::move(request));
    return;
  }
  if (target.substr(0, target.find('?')) == format::grpc_web::kReadMessagesPath) {
    boost::system::error_code peer_ec;
    std::string peer = endpoint_text(stream_.socket().remote_endpoint(peer_ec));
    std::string origin;
    if (auto reply = rerun_proxy_reply(request, host_, peer, origin)) {
      return send(std::move(*reply));
    }
    stream_.expires_never();
    std::make_shared<RerunProxySession>(stream_.release_socket(), host_, std::move(peer),
                                        std::move(origin), request.version())
        ->start();
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

// The backlog as a chunked response, encoded one frame at a time while the previous one is
// on its way: kind-1 frames, each preceded by its length (u32 little-endian).
void HttpSession::send_backlog(ViewerHost::Backlog backlog, unsigned version, bool keep_alive,
                               bool head) {
  struct State {
    std::vector<ChunkPtr> chunks;
    size_t next = 0;
    http::response<http::empty_body> header;
    http::response_serializer<http::empty_body> serializer{header};
    std::vector<uint8_t> frame;
    uint8_t length[4] = {};
    bool keep_alive = true;
    bool compact_row_ids = false;
    uint32_t recording = 0;
  };
  auto state = std::make_shared<State>();
  state->chunks = std::move(backlog.chunks);
  state->compact_row_ids = backlog.compact_row_ids;
  state->recording = backlog.recording;
  state->keep_alive = keep_alive;
  state->header = http::response<http::empty_body>{http::status::ok, version};
  state->header.set(http::field::server, kServerName);
  state->header.set(http::field::content_type, "application/octet-stream");
  state->header.set(http::field::cache_control, "no-store");
  state->header.keep_alive(keep_alive);
  if (head) {
    state->header.content_length(0);
    return send(std::move(state->header));
  }
  state->header.chunked(true);
  response_ = state;
  auto self = shared_from_this();
  auto finish = [self, state](boost::system::error_code ec) {
    self->response_.reset();
    if (ec) return;
    if (!state->keep_alive) {
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    self->read();
  };
  // Writes the next frame, or the last chunk once all are sent. The function holds itself
  // weakly; each pending write's handler holds it, so it lives while a write is in flight
  // and is freed with that handler, also when the server stops with the write pending.
  using Step = std::function<void(boost::system::error_code)>;
  auto step = std::make_shared<Step>();
  *step = [self, state, weak_step = std::weak_ptr<Step>(step),
           finish](boost::system::error_code ec) {
    if (ec) return finish(ec);
    auto step = weak_step.lock();  // alive: a handler holding it is calling it
    if (!step) return;
    while (state->next < state->chunks.size()) {
      ChunkPtr chunk = std::move(state->chunks[state->next++]);
      auto frame =
          encode_frame(FrameKind::kChunkAdded, state->recording, *chunk, state->compact_row_ids);
      if (!frame.ok()) {
        self->host_.log("backlog: cannot encode a chunk of " + chunk->entity_path().str() + ": " +
                        frame.status().message());
        continue;
      }
      state->frame = std::move(*frame);
      const uint32_t n = uint32_t(state->frame.size());
      for (int k = 0; k < 4; ++k) state->length[k] = uint8_t(n >> (8 * k));
      std::array<asio::const_buffer, 2> parts = {asio::buffer(state->length),
                                                 asio::buffer(state->frame)};
      asio::async_write(self->stream_, http::make_chunk(parts),
                        [step](boost::system::error_code e, size_t) { (*step)(e); });
      return;
    }
    state->frame = {};
    asio::async_write(self->stream_, http::make_chunk_last(),
                      [step, finish](boost::system::error_code e, size_t) { finish(e); });
  };
  http::async_write_header(self->stream_, state->serializer,
                           [step](boost::system::error_code e, size_t) { (*step)(e); });
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
  const std::string_view full_target = request.target();
  std::string_view target = full_target.substr(0, full_target.find_first_of("?#"));
  auto path = url_decode(target);
  if (!path || path->empty() || path->front() != '/') {
    return send(text(http::status::bad_request, "text/plain; charset=utf-8", "bad path\n"));
  }
  if (*path == "/api/info") {
    return send(text(http::status::ok, "application/json", host_.info_json()));
  }
  if (*path == "/api/entities") {
    // `?recording=ID` (or its number): that recording; default recording 0.
    std::shared_ptr<const ChunkStore> store = host_.store(0);
    const size_t q = full_target.find("recording=");
    if (q != std::string_view::npos) {
      std::string_view wanted = full_target.substr(q + std::string_view("recording=").size());
      wanted = wanted.substr(0, wanted.find_first_of("&#"));
      auto decoded = url_decode(wanted);
      store = nullptr;
      for (const auto& e : host_.recordings()) {
        if (decoded &&
            (e.store->info().recording_id == *decoded || std::to_string(e.number) == *decoded)) {
          store = e.store;
        }
      }
      if (!store) {
        return send(
            text(http::status::not_found, "application/json", R"({"error": "no such recording"})"));
      }
    }
    static const ChunkStore kEmpty;
    return send(text(http::status::ok, "application/json", entities_json(store ? *store : kEmpty)));
  }
  if (path->starts_with("/api/backlog/")) {
    auto backlog = host_.take_backlog(path->substr(std::string_view("/api/backlog/").size()));
    if (!backlog) {
      return send(text(http::status::not_found, "application/json",
                       R"({"error": "no such backlog: each is fetched once"})"));
    }
    return send_backlog(std::move(*backlog), version, keep_alive, head);
  }
  if (*path == "/ws") {
    return send(text(http::status::upgrade_required, "text/plain; charset=utf-8",
                     "/ws is the viewer's WebSocket: connect with a WebSocket client\n"));
  }
  if (path->starts_with("/api/")) {
    return send(
        text(http::status::not_found, "application/json", R"({"error": "no such API endpoint"})"));
  }
  const std::string& root = host_.options().web_root;
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

}  // namespace reel::server::internal
