// One viewer's WebSocket connection (docs/viewer-protocol.md), on the io thread: the
// handshake, reading and answering its queries, and writing what it is owed one message at a
// time. What it is owed of the store comes from its ViewerSync (viewer_sync_internal.hpp);
// this class frames it and applies backpressure: the next frame is encoded only when the
// previous write has completed, and a viewer whose queue overflows is disconnected with close
// code 1008.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "server/protocol.hpp"
#include "server/server_internal.hpp"
#include "server/viewer_sync_internal.hpp"

namespace reel::server::internal {

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& socket, ViewerHost& host, std::string peer);

  // Completes the upgrade `request` asked for; then the viewer gets `hello` and its backlog.
  void start(boost::beast::http::request<boost::beast::http::string_body> request);
  // Queues what a store change owes the viewer; pump() sends once a whole store modification
  // is queued (so that the removals of one modification travel in one message).
  void on_change(const StoreChange& change);
  void pump();
  // A text message ahead of the store's changes (store_info, recordings).
  void send_text(std::string text);
  // The recording the viewer is shown (nullopt while the server has none).
  std::optional<uint32_t> recording() const { return recording_; }
  // Switches the viewer to recording `number`: what it was owed of the previous one is
  // dropped, then (after `selected` when `announce`) it gets the recording's backlog,
  // caught_up and changes, as at connect. Returns the backlog's size.
  size_t select(uint32_t number, bool announce);
  void close_socket();
  bool closed() const { return closed_; }
  const std::string& peer() const { return peer_; }
  // What is owed to the viewer and not yet written: messages, and their bytes (chunks at
  // their in-memory size), the one being written included (for /api/info).
  size_t queued_messages() const;
  uint64_t queued_bytes() const;

 private:
  struct Text {
    std::string text;
  };
  struct QueryChunk {
    uint32_t id;
    ChunkPtr chunk;
  };
  using Priority = std::variant<Text, QueryChunk>;

  void on_accept(boost::system::error_code ec);
  void read();
  void on_read(boost::system::error_code ec);
  void handle_text(const std::string& text);
  // Kind-2 frames of `chunks` with request `id`, then query_done (or an error when too many
  // query frames are queued already).
  void queue_answer(uint32_t id, std::vector<ChunkPtr> chunks,
                    std::optional<TimeRange> covered = std::nullopt);
  // The file behind recording `number` when it is larger than memory (null otherwise).
  std::shared_ptr<FilePager> pager_of(uint32_t number) const;
  bool write_chunk(FrameKind kind, uint32_t request_id, const Chunk& chunk);
  void write_text(std::string text);
  void on_write(boost::system::error_code ec);
  void too_slow(const std::string& why);
  void forget_all();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  ViewerHost& host_;
  std::string peer_;
  boost::beast::http::request<boost::beast::http::string_body> request_;
  boost::beast::flat_buffer read_buffer_;
  bool accepted_ = false;
  bool closed_ = false;
  bool writing_ = false;
  std::optional<std::string> close_reason_;

  // Outgoing, in this order of priority: texts and query answers; then what sync_ says (the
  // backlog, caught_up, live changes).
  std::deque<Priority> priority_;
  size_t query_frames_ = 0;
  ViewerSync sync_;
  uint64_t backlog_sent_ = 0;  // what caught_up counts
  std::string backlog_token_;  // the backlog offered over HTTP, if any
  bool compact_row_ids_ = false;
  bool http_backlog_ = false;
  std::optional<uint32_t> recording_;

  // The frame being written.
  uint8_t prefix_[kFramePrefixBytes] = {};
  std::vector<uint8_t> payload_;
  std::string text_;
};

}  // namespace reel::server::internal
