// One viewer's WebSocket connection (ws_session_internal.hpp).
#include "server/ws_session_internal.hpp"

#include <array>

#include "reel/format/recording_file.hpp"
#include "server/subscribe_internal.hpp"

namespace reel::server::internal {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

WsSession::WsSession(tcp::socket&& socket, ViewerHost& host, std::string peer)
    : ws_(std::move(socket)),
      host_(host),
      peer_(std::move(peer)),
      sync_(host.options().max_viewer_queue) {}

void WsSession::start(http::request<http::string_body> request) {
  request_ = std::move(request);
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, kServerName); }));
  ws_.read_message_max(1 << 20);
  ws_.auto_fragment(false);
  ws_.async_accept(
      request_, [self = shared_from_this()](boost::system::error_code ec) { self->on_accept(ec); });
}

void WsSession::on_accept(boost::system::error_code ec) {
  request_ = {};
  if (ec) {
    closed_ = true;
    return;
  }
  accepted_ = true;
  auto backlog = host_.attach(shared_from_this());
  const size_t backlog_size = backlog.size();
  sync_.attach(std::move(backlog));
  host_.log("viewer " + peer_ + " connected (" + std::to_string(backlog_size) + " chunks to send)");
  priority_.push_front(Text{hello_json(host_.store().info())});
  read();
  pump();
}

void WsSession::send_text(std::string text) {
  if (closed_) return;
  priority_.push_back(Text{std::move(text)});
  pump();
}

void WsSession::close_socket() {
  closed_ = true;
  boost::system::error_code ec;
  beast::get_lowest_layer(ws_).socket().close(ec);
}

void WsSession::read() {
  ws_.async_read(read_buffer_, [self = shared_from_this()](boost::system::error_code ec, size_t) {
    self->on_read(ec);
  });
}

void WsSession::on_read(boost::system::error_code ec) {
  if (ec) {
    if (!closed_) {
      host_.log("viewer " + peer_ + " disconnected" +
                (ec == websocket::error::closed ? std::string() : " (" + ec.message() + ")"));
    }
    closed_ = true;
    host_.detach();
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
    if (auto sub = parse_subscribe(text, &id)) {
      if (!sub->ok()) {
        priority_.push_back(Text{error_json(id, sub->status().message())});
        return;
      }
      queue_answer(id, answer_subscribe(host_.store(), **sub));
      return;
    }
    auto query = parse_query(text, &id);
    if (!query.ok()) {
      priority_.push_back(Text{error_json(id, query.status().message())});
      return;
    }
    queue_answer(id, answer_query(host_.store(), *query));
  } catch (const std::exception& e) {
    priority_.push_back(Text{error_json(id, std::string("bad query: ") + e.what())});
  }
}

void WsSession::queue_answer(uint32_t id, std::vector<ChunkPtr> chunks) {
  const size_t limit = host_.options().max_query_frames;
  if (query_frames_ + chunks.size() > limit) {
    priority_.push_back(Text{error_json(id, "the answer has " + std::to_string(chunks.size()) +
                                                " chunks and " + std::to_string(query_frames_) +
                                                " query frames are already queued (at most " +
                                                std::to_string(limit) + "): narrow the query")});
    return;
  }
  const size_t n = chunks.size();
  for (auto& c : chunks) {
    priority_.push_back(QueryChunk{id, std::move(c)});
    ++query_frames_;
  }
  priority_.push_back(Text{query_done_json(id, n)});
}

void WsSession::on_change(const StoreChange& change) {
  if (closed_ || !accepted_) return;
  if (!sync_.apply(change)) too_slow(std::to_string(sync_.queued()) + " changes queued");
}

void WsSession::forget_all() {
  priority_.clear();
  sync_.clear();
}

void WsSession::too_slow(const std::string& why) {
  host_.log("viewer " + peer_ + " disconnected: it does not read fast enough (" + why + ")");
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
    std::optional<Outgoing> owed = sync_.next();
    if (!owed) return;
    if (auto* c = std::get_if<SendChunk>(&*owed)) {
      if (write_chunk(FrameKind::kChunkAdded, 0, *c->chunk)) {
        backlog_sent_ += c->backlog;
        return;
      }
      continue;  // not encodable (logged): the next one
    }
    if (std::holds_alternative<SendCaughtUp>(*owed)) {
      write_text(caught_up_json(backlog_sent_));
      return;
    }
    write_text(chunks_removed_json(std::get<SendRemoval>(*owed).ids));
    return;
  }
}

bool WsSession::write_chunk(FrameKind kind, uint32_t request_id, const Chunk& chunk) {
  auto payload = format::encode_chunk_payload(chunk);
  if (!payload.ok()) {
    host_.log("viewer " + peer_ + ": cannot encode a chunk of " + chunk.entity_path().str() + ": " +
              payload.status().message());
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
  ws_.async_write(asio::buffer(text_), [self = shared_from_this()](boost::system::error_code ec,
                                                                   size_t) { self->on_write(ec); });
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
    ws_.async_close(
        reason, [self = shared_from_this()](boost::system::error_code) { self->writing_ = false; });
    return;
  }
  pump();
}

}  // namespace reel::server::internal
