// One viewer's WebSocket connection (ws_session_internal.hpp).
#include "server/ws_session_internal.hpp"

#include <array>

#include "reel/format/recording_file.hpp"
#include "server/file_pager.hpp"
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

namespace {

// The value of `name` in the query of `target` ("/ws?a=1&recording=x"), percent-decoded.
std::string query_param(std::string_view target, std::string_view name) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.substr(0, part.find('=')) != name || part.find('=') == std::string_view::npos) {
      continue;
    }
    std::string_view value = part.substr(part.find('=') + 1);
    std::string out;
    for (size_t i = 0; i < value.size(); ++i) {
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      if (value[i] == '%' && i + 2 < value.size() && hex(value[i + 1]) >= 0 &&
          hex(value[i + 2]) >= 0) {
        out.push_back(char(hex(value[i + 1]) * 16 + hex(value[i + 2])));
        i += 2;
      } else {
        out.push_back(value[i] == '+' ? ' ' : value[i]);
      }
    }
    return out;
  }
  return {};
}

}  // namespace

void WsSession::on_accept(boost::system::error_code ec) {
  // `/ws?backlog=http`: the viewer fetches its backlog over HTTP (several times the
  // throughput of a browser's WebSocket).
  const std::string_view target = request_.target();
  http_backlog_ = target.find("backlog=http") != std::string_view::npos;
  // `row_ids=compact`: consecutive row ids travel as the first one (protocol.hpp).
  compact_row_ids_ = target.find("row_ids=compact") != std::string_view::npos;
  // `recording=ID`: start on that recording (else the newest).
  const std::string wanted = query_param(target, "recording");
  request_ = {};
  if (ec) {
    closed_ = true;
    return;
  }
  accepted_ = true;
  host_.attach(shared_from_this());
  const std::optional<uint32_t> number = host_.initial_recording(wanted);
  std::vector<RecordingListing> listing;
  for (const auto& e : host_.recordings()) listing.push_back({e.number, e.store->info()});
  auto store = number ? host_.store(*number) : nullptr;
  priority_.push_back(Text{hello_json(store ? store->info() : StoreInfo{}, number, listing)});
  size_t backlog = 0;
  if (number) {
    backlog = select(*number, /*announce=*/false);
  } else {
    sync_.attach({});  // caught_up at once; the first recording that appears is selected
  }
  host_.log("viewer " + peer_ + " connected (" + std::to_string(backlog) + " chunks to send)");
  read();
  pump();
}

size_t WsSession::select(uint32_t number, bool announce) {
  if (!backlog_token_.empty()) host_.drop_backlog(backlog_token_);
  backlog_token_.clear();
  recording_ = number;
  backlog_sent_ = 0;
  sync_ = ViewerSync(host_.options().max_viewer_queue);
  auto backlog = host_.backlog(number);
  const size_t backlog_size = backlog.size();
  sync_.attach(std::move(backlog));
  if (announce) {
    auto store = host_.store(number);
    priority_.push_back(Text{selected_json(number, store ? store->info() : StoreInfo{})});
  }
  // Ahead of the backlog, so that the viewer knows the time range it will not be sent.
  if (auto pager = pager_of(number)) priority_.push_back(Text{paged_json(pager->extent(), number)});
  if (http_backlog_) {
    std::vector<ChunkPtr> chunks = sync_.take_backlog();
    const size_t n = chunks.size();
    backlog_sent_ += n;
    backlog_token_ = host_.offer_backlog({std::move(chunks), compact_row_ids_, number});
    priority_.push_back(Text{backlog_json("/api/backlog/" + backlog_token_, n, number)});
  }
  pump();
  return backlog_size;
}

void WsSession::send_text(std::string text) {
  if (closed_) return;
  priority_.push_back(Text{std::move(text)});
  pump();
}

size_t WsSession::queued_messages() const {
  return priority_.size() + sync_.owed_messages() + (writing_ ? 1 : 0);
}

uint64_t WsSession::queued_bytes() const {
  uint64_t bytes = writing_ ? payload_.size() + text_.size() : 0;
  for (const Priority& p : priority_) {
    if (const auto* t = std::get_if<Text>(&p)) {
      bytes += t->text.size();
    } else if (const auto* q = std::get_if<QueryChunk>(&p)) {
      bytes += q->chunk ? q->chunk->heap_size_bytes() : 0;
    }
  }
  return bytes + sync_.owed_bytes();
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
    if (auto sel = parse_select_recording(text, &id)) {
      if (!sel->ok()) {
        priority_.push_back(Text{error_json(id, sel->status().message())});
        return;
      }
      std::optional<uint32_t> number;
      std::string known;
      for (const auto& e : host_.recordings()) {
        const std::string rid = e.store->info().recording_id;
        if ((*sel)->recording_id ? rid == *(*sel)->recording_id : e.number == (*sel)->number) {
          number = e.number;
        }
        known += (known.empty() ? "" : ", ") + std::to_string(e.number) + " '" + rid + "'";
      }
      if (!number) {
        priority_.push_back(Text{error_json(
            id, "select_recording: no recording " +
                    ((*sel)->recording_id ? "'" + *(*sel)->recording_id + "'"
                                          : std::to_string(*(*sel)->number)) +
                    " (the server holds " + (known.empty() ? std::string("none") : known) + ")")});
        return;
      }
      select(*number, /*announce=*/true);
      return;
    }
    auto store = recording_ ? host_.store(*recording_) : nullptr;
    if (auto sub = parse_subscribe(text, &id)) {
      if (!sub->ok()) {
        priority_.push_back(Text{error_json(id, sub->status().message())});
        return;
      }
      if (auto pager = recording_ ? pager_of(*recording_) : nullptr; pager && store) {
        // A recording larger than memory: the window is read from its file (on this thread,
        // so other viewers wait for it; docs/server.md).
        auto answer = pager->answer(*store, **sub);
        if (!answer.ok()) {
          priority_.push_back(Text{error_json(id, "subscribe: " + answer.status().message())});
          return;
        }
        const bool narrowed = answer->covered != (*sub)->range;
        queue_answer(id, std::move(answer->chunks),
                     narrowed ? std::optional<TimeRange>(answer->covered) : std::nullopt);
        return;
      }
      queue_answer(id, store ? answer_subscribe(*store, **sub) : std::vector<ChunkPtr>{});
      return;
    }
    auto query = parse_query(text, &id);
    if (!query.ok()) {
      priority_.push_back(Text{error_json(id, query.status().message())});
      return;
    }
    queue_answer(id, store ? answer_query(*store, *query) : std::vector<ChunkPtr>{});
  } catch (const std::exception& e) {
    priority_.push_back(Text{error_json(id, std::string("bad query: ") + e.what())});
  }
}

std::shared_ptr<FilePager> WsSession::pager_of(uint32_t number) const {
  for (const auto& e : host_.recordings()) {
    if (e.number == number) return e.pager;
  }
  return nullptr;
}

void WsSession::queue_answer(uint32_t id, std::vector<ChunkPtr> chunks,
                             std::optional<TimeRange> covered) {
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
  priority_.push_back(Text{query_done_json(id, n, covered)});
}

void WsSession::on_change(const StoreChange& change) {
  if (closed_ || !accepted_) return;
  if (!sync_.apply(change)) too_slow(std::to_string(sync_.queued()) + " changes queued");
}

void WsSession::forget_all() {
  if (!backlog_token_.empty()) host_.drop_backlog(backlog_token_);
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
      if (write_chunk(FrameKind::kChunkAdded, recording_.value_or(0), *c->chunk)) {
        backlog_sent_ += c->backlog;
        return;
      }
      continue;  // not encodable (logged): the next one
    }
    if (std::holds_alternative<SendCaughtUp>(*owed)) {
      write_text(caught_up_json(backlog_sent_, recording_));
      return;
    }
    write_text(chunks_removed_json(std::get<SendRemoval>(*owed).ids, recording_));
    return;
  }
}

bool WsSession::write_chunk(FrameKind kind, uint32_t request_id, const Chunk& chunk) {
  auto payload = encode_viewer_payload(chunk, compact_row_ids_);
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
