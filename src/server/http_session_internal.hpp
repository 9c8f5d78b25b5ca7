// One HTTP connection of the viewer port (docs/viewer-protocol.md, "HTTP"), on the io thread:
// the built viewer's static files (content types, index.html for directories, a page saying
// the viewer is not built), /api/info, /api/entities, and the upgrade of `GET /ws` to a
// WebSocket session.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "server/server_internal.hpp"

namespace reel::server::internal {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, ViewerHost& host) : stream_(std::move(socket)), host_(host) {}
  // Serves requests until the client closes (keep-alive) or upgrades to the WebSocket.
  void run();
  void close_socket();

 private:
  void read();
  void on_read(boost::system::error_code ec);
  void handle(boost::beast::http::request<boost::beast::http::string_body>&& request);
  template <typename Body>
  void send(boost::beast::http::response<Body>&& response);
  // GET /api/backlog/TOKEN: the chunks a WebSocket viewer was told to fetch here.
  void send_backlog(ViewerHost::Backlog backlog, unsigned version, bool keep_alive, bool head);

  boost::beast::tcp_stream stream_;
  ViewerHost& host_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<void> response_;
};

}  // namespace reel::server::internal
