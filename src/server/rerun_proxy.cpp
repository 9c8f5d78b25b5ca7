// The Rerun viewer's gRPC-web ReadMessages stream (rerun_proxy_internal.hpp).
#include "server/rerun_proxy_internal.hpp"

#include <boost/asio/write.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>

#include "reel/format/rrd_chunk.hpp"

namespace reel::server::internal {

namespace beast = boost::beast;
namespace http = beast::http;
namespace grpc_web = format::grpc_web;
namespace rrd = format::rrd;

namespace {

// Frames gathered into one write (one HTTP chunk), so that small chunks do not cost a write
// each; a single larger chunk is written on its own.
constexpr size_t kBatchBytes = 256 * 1024;
// How long an ended stream waits for its client to read the rest.
constexpr int kEndGraceSecs = 30;
// Conversion warnings logged per session (the same column would repeat them for every chunk).
constexpr int kMaxLoggedWarnings = 8;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// `*` matches any run of characters; everything else itself.
bool glob_match(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool is_loopback_origin(std::string_view origin) {
  std::string_view rest;
  if (origin.starts_with("http://")) {
    rest = origin.substr(7);
  } else if (origin.starts_with("https://")) {
    rest = origin.substr(8);
  } else {
    return false;
  }
  for (std::string_view host : {"127.0.0.1", "localhost", "[::1]"}) {
    if (!rest.starts_with(host)) continue;
    std::string_view port = rest.substr(host.size());
    if (port.empty()) return true;
    if (port.front() != ':' || port.size() < 2 || port.size() > 6) return false;
    for (char c : port.substr(1)) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  }
  return false;
}

std::string chunk_label(const Chunk& chunk) {
  return "chunk " + chunk.id().to_string() + " of " + chunk.entity_path().str();
}

}  // namespace

bool cors_origin_allowed(std::string_view origin, const std::vector<std::string>& extra) {
  const std::string o = lower(origin);
  if (is_loopback_origin(o)) return true;
  for (const auto& pattern : extra) {
    if (glob_match(lower(pattern), o)) return true;
  }
  return false;
}

std::optional<http::response<http::string_body>> rerun_proxy_reply(
    const http::request<http::string_body>& request, ViewerHost& host, const std::string& peer,
    std::string& origin) {
  const std::string_view request_origin = request[http::field::origin];
  const bool allowed = request_origin.empty() ||
                       cors_origin_allowed(request_origin, host.options().cors_allow_origins);
  auto reply = [&](http::status status) {
    http::response<http::string_body> res{status, request.version()};
    res.set(http::field::server, kServerName);
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(request.keep_alive());
    if (allowed && !request_origin.empty()) {
      res.set(http::field::access_control_allow_origin, request_origin);
      res.set(http::field::vary, "Origin");
      res.set(http::field::access_control_expose_headers, kProxyExposedHeaders);
    }
    return res;
  };
  auto text = [&](http::status status, std::string body) {
    auto res = reply(status);
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = std::move(body) + "\n";
    res.prepare_payload();
    return res;
  };
  if (!allowed || (request.method() == http::verb::options && request_origin.empty())) {
    const std::string o = request_origin.empty() ? "(none)" : std::string(request_origin);
    host.log("rerun proxy: refused " + peer + ": origin " + o + " is not allowed");
    return text(http::status::forbidden,
                "reel: web pages of origin " + o +
                    " may not read this server's data (loopback origins may; add others with "
                    "reel serve --cors-allow-origin ORIGIN)");
  }
  if (request.method() == http::verb::options) {
    auto res = reply(http::status::no_content);
    res.set(http::field::access_control_allow_methods, "POST, OPTIONS");
    res.set(http::field::access_control_allow_headers, kProxyAllowedHeaders);
    res.set(http::field::access_control_max_age, "600");
    // Chrome's Private Network Access asks before a public page may reach loopback.
    if (lower(request["Access-Control-Request-Private-Network"]) == "true") {
      res.set("Access-Control-Allow-Private-Network", "true");
    }
    res.prepare_payload();
    return res;
  }
  if (request.method() != http::verb::post) {
    auto res = text(http::status::method_not_allowed,
                    "reel: " + std::string(grpc_web::kReadMessagesPath) +
                        " is Rerun's gRPC-web call: POST it (or OPTIONS for CORS)");
    res.set(http::field::allow, "POST, OPTIONS");
    return res;
  }
  const std::string type = lower(request[http::field::content_type]);
  if (!type.starts_with("application/grpc-web") || type.starts_with("application/grpc-web-text")) {
    return text(http::status::unsupported_media_type,
                "reel: ReadMessages takes content-type application/grpc-web+proto, not " +
                    (type.empty() ? std::string("(none)") : type));
  }
  // Errors of the call itself are "trailers-only" gRPC-web responses: HTTP 200, the status in
  // the headers and in a trailer frame.
  auto trailers_only = [&](grpc_web::GrpcStatus status, const std::string& message) {
    auto res = reply(http::status::ok);
    res.set(http::field::content_type, grpc_web::kContentType);
    res.set("grpc-status", std::to_string(int(status)));
    res.set("grpc-message", grpc_web::percent_encode(message));
    std::vector<uint8_t> frame;
    grpc_web::append_trailer_frame(status, message, frame);
    res.body().assign(frame.begin(), frame.end());
    res.prepare_payload();
    return res;
  };
  const std::string& body = request.body();
  Status valid = grpc_web::check_read_messages_request(
      {reinterpret_cast<const uint8_t*>(body.data()), body.size()});
  if (!valid.ok()) {
    host.log("rerun proxy: bad request from " + peer + ": " + valid.message());
    return trailers_only(grpc_web::GrpcStatus::kInvalidArgument, valid.message());
  }
  const size_t max_viewers = host.options().max_viewers;
  if (host.num_viewers() >= max_viewers) {
    const std::string why = "this reel server already has " + std::to_string(max_viewers) +
                            " viewers connected (--max-viewers " + std::to_string(max_viewers) +
                            "): close one, or restart it with a larger --max-viewers";
    host.log("rerun proxy: refused " + peer + ": " + why);
    return trailers_only(grpc_web::GrpcStatus::kUnavailable, why);
  }
  origin = std::string(request_origin);
  return std::nullopt;
}

// ---- the stream

RerunProxySession::RerunProxySession(tcp::socket&& socket, ViewerHost& host, std::string peer,
                                     std::string origin, unsigned http_version)
    : stream_(std::move(socket)),
      host_(host),
      peer_(std::move(peer)),
      origin_(std::move(origin)),
      http_version_(http_version),
      sync_(host.options().max_viewer_queue, /*can_remove=*/false) {}

void RerunProxySession::start() {
  header_ = http::response<http::empty_body>{http::status::ok, http_version_};
  header_.set(http::field::server, kServerName);
  header_.set(http::field::content_type, grpc_web::kContentType);
  header_.set(http::field::cache_control, "no-store");
  if (!origin_.empty()) {
    header_.set(http::field::access_control_allow_origin, origin_);
    header_.set(http::field::vary, "Origin");
    header_.set(http::field::access_control_expose_headers, kProxyExposedHeaders);
  }
  header_.keep_alive(false);  // the stream ends with the connection
  header_.chunked(true);
  auto backlog = host_.attach_proxy(shared_from_this());
  attached_ = true;
  host_.log("rerun proxy: viewer " + peer_ + " connected (" + std::to_string(backlog.size()) +
            " chunks of backlog)");
  sync_.attach(std::move(backlog));
  stream_.expires_never();
  serializer_.emplace(header_);
  writing_ = true;
  http::async_write_header(stream_, *serializer_,
                           [self = shared_from_this()](boost::system::error_code ec, size_t) {
                             self->header_sent_ = !ec;
                             self->on_write(ec);
                           });
  watch_client();
}

// The client sends nothing more after its request; a read completes when it goes away.
void RerunProxySession::watch_client() {
  if (closed_) return;
  stream_.socket().async_read_some(
      asio::buffer(read_buffer_),
      [self = shared_from_this()](boost::system::error_code ec, size_t) {
        if (ec) {
          return self->gone(ec == asio::error::eof ? std::string("the client closed the stream")
                                                   : ec.message());
        }
        self->watch_client();
      });
}

// The Rerun viewer follows recording 0 (the first the server has).
StoreInfo RerunProxySession::proxy_store_info() const {
  auto store = host_.store(0);
  return store ? store->info() : StoreInfo{};
}

void RerunProxySession::on_change(const StoreChange& change) {
  if (closed_ || end_) return;
  if (!sync_.apply(change)) {
    const std::string why = "this Rerun viewer fell " +
                            std::to_string(host_.options().max_viewer_queue) +
                            " store changes behind (it reads too slowly); reconnect to get the "
                            "store afresh";
    host_.log("rerun proxy: viewer " + peer_ + " ended: " + why);
    end(grpc_web::GrpcStatus::kUnavailable, why);
  }
}

void RerunProxySession::pump() { write(); }

void RerunProxySession::on_store_info() {
  if (closed_) return;
  if (store_id_) {
    const StoreInfo info = proxy_store_info();
    if (info.application_id != store_id_->application_id ||
        info.recording_id != store_id_->recording_id) {
      host_.log("rerun proxy: viewer " + peer_ + " keeps recording " + store_id_->recording_id +
                " (it was sent before the store was named " + info.recording_id + ")");
    }
    return;
  }
  write();
}

void RerunProxySession::end(grpc_web::GrpcStatus status, std::string message) {
  if (end_) return;
  end_.emplace(status, std::move(message));
  sync_.clear();
  end_timer_.emplace(stream_.get_executor());
  end_timer_->expires_after(std::chrono::seconds(kEndGraceSecs));
  end_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) {
      self->gone("it did not read the end of its stream within " + std::to_string(kEndGraceSecs) +
                 " s");
    }
  });
  write();
}

bool RerunProxySession::append_store_info() {
  StoreInfo info = proxy_store_info();
  // A store nobody named (chunks from a file without a store info): ids of its own.
  if (info.application_id.empty()) info.application_id = "reel";
  if (info.recording_id.empty()) info.recording_id = "reel";
  const rrd::SetStoreInfo message = rrd::to_set_store_info(info);
  auto body = rrd::encode_set_store_info_body(message);
  if (!body.ok()) {
    end(grpc_web::GrpcStatus::kInternal,
        "cannot encode the store info: " + body.status().message());
    return false;
  }
  Status st = grpc_web::append_read_messages_response(
      rrd::MessageKind::kSetStoreInfo,
      {reinterpret_cast<const uint8_t*>(body->data()), body->size()}, out_);
  if (!st.ok()) {
    end(grpc_web::GrpcStatus::kInternal, st.message());
    return false;
  }
  store_id_ = message.store_id;
  return true;
}

bool RerunProxySession::fill() {
  if (!store_id_ && !end_) {
    const StoreInfo info = proxy_store_info();
    if (!info.recording_id.empty() || !info.application_id.empty()) append_store_info();
  }
  int warnings_logged = 0;
  while (!end_ && out_.size() < kBatchBytes) {
    auto next = sync_.next();
    if (!next) break;
    // caught_up and removals have no ReadMessages form: the Rerun viewer keeps what it got.
    auto* send = std::get_if<SendChunk>(&*next);
    if (!send || !send->chunk) continue;
    if (!store_id_ && !append_store_info()) break;
    const Chunk& chunk = *send->chunk;
    rrd::Warnings warnings;
    auto payload = rrd::encode_rerun_chunk(chunk, &warnings);
    for (const auto& w : warnings) {
      if (warnings_logged++ < kMaxLoggedWarnings) host_.log("rerun proxy: " + w);
    }
    if (!payload.ok()) {
      host_.log("rerun proxy: cannot encode " + chunk_label(chunk) + ": " +
                payload.status().message());
      continue;
    }
    auto body = rrd::encode_arrow_msg_body(*store_id_, *payload, rrd::PayloadCompression::kNone,
                                           rrd::to_tuid(chunk.id()), chunk.is_static());
    if (!body.ok()) {
      host_.log("rerun proxy: cannot encode " + chunk_label(chunk) + ": " +
                body.status().message());
      continue;
    }
    Status st = grpc_web::append_read_messages_response(
        rrd::MessageKind::kArrowMsg, {reinterpret_cast<const uint8_t*>(body->data()), body->size()},
        out_);
    if (!st.ok()) {
      host_.log("rerun proxy: cannot frame " + chunk_label(chunk) + ": " + st.message());
      continue;
    }
    ++chunks_sent_;
  }
  if (end_ && !trailer_queued_) {
    grpc_web::append_trailer_frame(end_->first, end_->second, out_);
    trailer_queued_ = true;
  }
  return !out_.empty();
}

void RerunProxySession::write() {
  if (closed_ || writing_ || filling_ || !header_sent_) return;
  auto done = [self = shared_from_this()](boost::system::error_code ec, size_t) {
    self->on_write(ec);
  };
  if (trailer_written_) {
    writing_ = true;
    last_chunk_sent_ = true;
    asio::async_write(stream_, http::make_chunk_last(), std::move(done));
    return;
  }
  out_.clear();
  filling_ = true;
  const bool any = fill();
  filling_ = false;
  if (!any) return;
  writing_ = true;
  asio::async_write(stream_, http::make_chunk(asio::buffer(out_)), std::move(done));
}

void RerunProxySession::on_write(boost::system::error_code ec) {
  writing_ = false;
  if (ec) return gone("write failed: " + ec.message());
  if (last_chunk_sent_) {
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    return gone("the stream ended (grpc-status " + std::to_string(int(end_->first)) + ")");
  }
  if (trailer_queued_) trailer_written_ = true;
  out_.clear();
  write();
}

void RerunProxySession::gone(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  sync_.clear();
  if (end_timer_) end_timer_->cancel();
  if (attached_) host_.detach();
  host_.log("rerun proxy: viewer " + peer_ + " disconnected: " + why + " (" +
            std::to_string(chunks_sent_) + " chunks sent)");
  boost::system::error_code ec;
  stream_.socket().close(ec);
}

void RerunProxySession::close_socket() {
  if (closed_) return;
  boost::system::error_code ec;
  if (header_sent_ && !writing_ && !trailer_queued_) {
    // Best effort, without blocking: the io thread has stopped, so nothing else writes.
    std::vector<uint8_t> frame;
    grpc_web::append_trailer_frame(grpc_web::GrpcStatus::kUnavailable, "the reel server stopped",
                                   frame);
    char size[16];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", frame.size());
    std::string bytes(size, size_t(n));
    bytes.append(frame.begin(), frame.end());
    bytes += "\r\n0\r\n\r\n";
    stream_.socket().non_blocking(true, ec);
    if (!ec) asio::write(stream_.socket(), asio::buffer(bytes), ec);
  }
  closed_ = true;
  sync_.clear();
  if (attached_) host_.detach();
  stream_.socket().close(ec);
}

}  // namespace reel::server::internal
