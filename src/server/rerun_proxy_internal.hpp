// The Rerun viewer's side of the viewer port (docs/viewer-protocol.md, "Rerun viewer"), on the
// io thread: Rerun's gRPC-web call
//   POST /rerun.sdk_comms.v1alpha1.MessageProxyService/ReadMessages
// and its CORS preflight (OPTIONS). The Rerun viewer opened on rerun+http://HOST:PORT/proxy
// makes that call; the answer is one long chunked HTTP response of gRPC-web data frames, each a
// ReadMessagesResponse holding a LogMsg: SetStoreInfo first, then every chunk of the store as
// the viewers know it (the backlog), then the chunks SDK clients add, until the client goes
// away or the server stops; then a trailer frame with grpc-status.
//
// What the stream owes comes from a ViewerSync, as for reel's own viewers: entries are chunk
// references, a frame is encoded only when the previous write has completed, and a client
// whose live queue reaches ServerOptions::max_viewer_queue is ended with grpc-status 14
// (UNAVAILABLE) instead of growing the server's memory; one that does not read that trailer
// within 30 s is disconnected (its viewer slot freed). Removals (the store's memory limit,
// compaction) have no ReadMessages form: the Rerun viewer keeps what it was sent and applies
// its own memory limit.
//
// The session needs three things of a store, all given through RerunProxyHost: its StoreInfo,
// the chunks it holds when the session attaches, and the changes after that (on_change).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/format/grpc_web.hpp"
#include "server/server_internal.hpp"
#include "server/viewer_sync_internal.hpp"

namespace reel::server::internal {

// Whether a web page of `origin` (the Origin header) may call the proxy: loopback origins
// (http or https; 127.0.0.1, localhost, [::1]; any port) and those `extra` names (exact,
// case-insensitive, or a pattern where `*` matches any run of characters).
bool cors_origin_allowed(std::string_view origin, const std::vector<std::string>& extra);

// The request headers a preflight may ask for: what gRPC-web clients send.
inline constexpr std::string_view kProxyAllowedHeaders =
    "content-type, x-grpc-web, x-user-agent, grpc-timeout, grpc-accept-encoding, "
    "grpc-encoding, authorization, accept, te";
inline constexpr std::string_view kProxyExposedHeaders =
    "grpc-status, grpc-message, grpc-status-details-bin";

// HttpSession's answer to a request for kReadMessagesPath: a response to send (the
// preflight, a refusal, a trailers-only error), or nullopt when the connection goes to a
// RerunProxySession; `origin` is then the request's allowed Origin (or empty).
std::optional<boost::beast::http::response<boost::beast::http::string_body>> rerun_proxy_reply(
    const boost::beast::http::request<boost::beast::http::string_body>& request, ViewerHost& host,
    const std::string& peer, std::string& origin);

class RerunProxySession : public std::enable_shared_from_this<RerunProxySession> {
 public:
  // `origin`: the allowed Origin of the request, echoed in Access-Control-Allow-Origin (empty
  // when the request had none).
  RerunProxySession(tcp::socket&& socket, ViewerHost& host, std::string peer, std::string origin,
                    unsigned http_version);

  // Attaches to the store (backlog) and writes the response header.
  void start();
  // Queues what a store change owes the viewer; pump() writes.
  void on_change(const StoreChange& change);
  void pump();
  // The store's StoreInfo became known (sent first, unless chunks forced the fallback ids).
  void on_store_info();
  StoreInfo proxy_store_info() const;
  // The server stops (io thread stopped): a best-effort trailer, then the socket closes.
  void close_socket();
  bool closed() const { return closed_; }
  const std::string& peer() const { return peer_; }
  size_t queued_messages() const { return sync_.owed_messages(); }
  uint64_t queued_bytes() const { return sync_.owed_bytes() + out_.size(); }

 private:
  void watch_client();
  // Frames what is owed into out_ (up to a batch); false when there is nothing to write.
  bool fill();
  void write();
  void on_write(boost::system::error_code ec);
  // Ends the stream with a trailer once what is being written is out.
  void end(format::grpc_web::GrpcStatus status, std::string message);
  void gone(const std::string& why);
  bool append_store_info();

  boost::beast::tcp_stream stream_;
  ViewerHost& host_;
  std::string peer_;
  std::string origin_;
  unsigned http_version_;
  boost::beast::http::response<boost::beast::http::empty_body> header_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::empty_body>>
      serializer_;
  uint8_t read_buffer_[512] = {};

  ViewerSync sync_;
  bool attached_ = false;
  bool header_sent_ = false;
  bool writing_ = false;
  // Inside fill(): an end() from there (an encoding failure) must not start a second write;
  // fill() itself appends the trailer.
  bool filling_ = false;
  bool closed_ = false;
  std::optional<format::rrd::StoreId> store_id_;  // as sent in SetStoreInfo
  std::optional<std::pair<format::grpc_web::GrpcStatus, std::string>> end_;
  bool trailer_queued_ = false;   // in out_
  bool trailer_written_ = false;  // out_ with it is written: the last chunk follows
  bool last_chunk_sent_ = false;
  std::vector<uint8_t> out_;  // the batch of frames being written
  // Once ended: a client that does not read the rest within kEndGraceSecs is cut off.
  std::optional<asio::steady_timer> end_timer_;
  uint64_t chunks_sent_ = 0;
};

}  // namespace reel::server::internal
