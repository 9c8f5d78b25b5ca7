// The server as a whole (server.cpp): a busy port is a clear error, and stop() while clients
// stream and viewers read cuts every connection and joins every thread.
#include "server/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

#include "server/test_fixtures.hpp"
#include "server/test_util.hpp"

namespace reel::server {
namespace {

namespace beast = boost::beast;
using test_util::rows_of;
using test_util::sdk_client;
using test_util::TestServer;
using test_util::valid_stream;
using test_util::WsClient;

TEST(ServerTest, BusyPortIsAClearError) {
  TestServer first;
  ASSERT_TRUE(first.server);
  auto store = std::make_shared<ChunkStore>(ChunkStoreConfig());
  ServerOptions options;
  options.http_port = first.server->http_port();
  options.ingest_port = 0;
  auto second = Server::start(store, options);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("--port"), std::string::npos)
      << second.status().message();
}

TEST(ServerTest, ConcurrentStopWhileClientsStreamAndViewersRead) {
  TestServer t;
  ASSERT_TRUE(t.server);
  // A client that sent two chunks and keeps its connection open.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(t.server->ingest_port());
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  auto bytes = valid_stream("held/open", 2);
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), ssize_t(bytes.size()));
  ASSERT_TRUE(test_util::eventually([&] { return rows_of(*t.store, "/held/open") == 20; }));
  // A viewer, and an SDK client streaming while the server stops.
  WsClient ws(t.server->http_port());
  EXPECT_EQ(ws.read_json()["type"], "hello");
  set_error_handler([](const Status&) {});  // the SDK client will lose its server
  std::thread sdk([&] { sdk_client(t.server->ingest_address(), "streaming", 200, 50); });
  ASSERT_TRUE(t.log.wait_for("connected", 3)) << t.log.all();
  t.server->stop();  // returns: every connection is cut, every thread joined
  sdk.join();
  set_error_handler(nullptr);
  EXPECT_EQ(t.server->num_ingest_clients(), 0u);
  EXPECT_EQ(rows_of(*t.store, "/held/open"), 20);
  for (;;) {  // the viewer's connection ends (after whatever was already on its way)
    boost::system::error_code ec;
    beast::flat_buffer buffer;
    ws.ws.read(buffer, ec);
    if (ec) break;
  }
  t.server->stop();  // idempotent
  ::close(fd);
}

}  // namespace
}  // namespace reel::server
