// Test helpers shared by the server's test files: an HTTP client and a bounded wait.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string>
#include <thread>

namespace reel::server::test_util {

// Polls a condition (for state that has no event to wait on). Not a timing assertion: the
// bound only keeps a broken build from hanging.
template <typename F>
bool eventually(F&& f) {
  for (int i = 0; i < 24000; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return f();
}

struct HttpReply {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

inline HttpReply http_get(uint16_t port, const std::string& target,
                          boost::beast::http::verb verb = boost::beast::http::verb::get) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  tcp::resolver resolver(io);
  stream.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
  http::request<http::empty_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  if (verb == http::verb::head) parser.skip(true);
  http::read(stream, buffer, parser);
  auto res = parser.release();
  HttpReply r;
  r.status = res.result_int();
  r.content_type = std::string(res[http::field::content_type]);
  r.body = res.body();
  return r;
}

}  // namespace reel::server::test_util
