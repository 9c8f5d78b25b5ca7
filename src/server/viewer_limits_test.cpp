// Viewer limits (issue 13, item 10): --max-viewers refuses one more viewer with a message
// saying so; /api/info lists the viewer connections and what is queued for each.
#include <gtest/gtest.h>

#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "server/test_fixtures.hpp"
#include "server/test_util.hpp"

namespace reel::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using test_util::TestServer;
using test_util::WsClient;

// A WebSocket upgrade request by hand, to read the refusal's status and body.
test_util::HttpReply upgrade(uint16_t port) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  boost::asio::ip::tcp::resolver resolver(io);
  stream.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
  http::request<http::empty_body> req{http::verb::get, "/ws", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return {res.result_int(), std::string(res[http::field::content_type]), res.body()};
}

TEST(ViewerLimitsTest, OneViewerTooManyIsRefusedWithAMessage) {
  TestServer t(ChunkStoreConfig::no_compaction(), [](ServerOptions& o) { o.max_viewers = 2; });
  ASSERT_TRUE(t.server);
  ASSERT_TRUE(t.store->insert(test_util::scalar_chunk("plots/a", 0, 100)).ok());
  WsClient first(t.server->http_port()), second(t.server->http_port());
  EXPECT_EQ(first.read_json()["type"], "hello");
  EXPECT_EQ(second.read_json()["type"], "hello");
  ASSERT_TRUE(test_util::eventually([&] { return t.server->num_viewers() == 2; }));
  auto refused = upgrade(t.server->http_port());
  EXPECT_EQ(refused.status, 503u);
  EXPECT_EQ(refused.body,
            "this reel server already has 2 viewers connected (--max-viewers 2): close one, or "
            "restart it with a larger --max-viewers\n");
  EXPECT_EQ(t.log.count("viewer: refused "), 1u) << t.log.all();
  // /api/info: both connections, with what is queued for each.
  auto info = nlohmann::json::parse(test_util::http_get(t.server->http_port(), "/api/info").body);
  EXPECT_EQ(info["viewers"], 2);
  EXPECT_EQ(info["max_viewers"], 2);
  ASSERT_EQ(info["viewer_connections"].size(), 2u) << info.dump();
  for (const auto& v : info["viewer_connections"]) {
    EXPECT_TRUE(v["peer"].get<std::string>().rfind("127.0.0.1:", 0) == 0) << v.dump();
    EXPECT_TRUE(v["queued_bytes"].is_number_unsigned()) << v.dump();
    EXPECT_TRUE(v["queued_messages"].is_number_unsigned()) << v.dump();
  }
  // A viewer that has read everything has nothing queued.
  first.read_frame();  // the backlog's one chunk
  EXPECT_EQ(first.read_json()["type"], "caught_up");
  second.read_frame();
  EXPECT_EQ(second.read_json()["type"], "caught_up");
  // (The server learns that its last write completed just after the viewer read it.)
  EXPECT_TRUE(test_util::eventually([&] {
    info = nlohmann::json::parse(test_util::http_get(t.server->http_port(), "/api/info").body);
    for (const auto& v : info["viewer_connections"]) {
      if (v["queued_bytes"] != 0 || v["queued_messages"] != 0) return false;
    }
    return true;
  })) << info.dump();
}

}  // namespace
}  // namespace reel::server
