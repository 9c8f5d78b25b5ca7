// The viewer port's HTTP side over real sockets (http_session.cpp): static files and their
// content types, traversal attempts, 404/405/426, /api/info, /api/entities, and the page
// shown when the viewer is not built.
#include <stdlib.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "server/test_fixtures.hpp"
#include "server/test_util.hpp"

namespace reel::server {
namespace {

namespace http = boost::beast::http;
using nlohmann::json;
using test_util::http_get;
using test_util::HttpReply;
using test_util::scalar_chunk;
using test_util::TestServer;

struct WebRoot {
  std::filesystem::path dir;
  WebRoot() {
    char tmpl[] = "/tmp/reel_web_XXXXXX";
    dir = ::mkdtemp(tmpl);
    std::filesystem::create_directories(dir / "site" / "assets");
    write("site/index.html", "<!doctype html><title>reel viewer</title>");
    write("site/assets/app.js", "console.log('reel');");
    write("site/assets/style.css", "body{margin:0}");
    write("site/assets/mod.wasm", std::string("\0asm\1\0\0\0", 8));
    write("site/assets/icon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
    write("site/assets/pic.png", std::string("\x89PNG\r\n\x1a\n\0\0", 10));
    write("secret.txt", "do not serve");
    std::filesystem::create_symlink(dir / "secret.txt", dir / "site" / "assets" / "link.txt");
  }
  ~WebRoot() { std::filesystem::remove_all(dir); }
  void write(const std::string& rel, const std::string& content) {
    std::ofstream(dir / rel, std::ios::binary) << content;
  }
  std::string root() const { return (dir / "site").string(); }
};

TEST(ServerHttpTest, StaticFilesWithContentTypesAndNoTraversal) {
  WebRoot web;
  TestServer t(ChunkStoreConfig::no_compaction(),
               [&](ServerOptions& o) { o.web_root = web.root(); });
  ASSERT_TRUE(t.server);
  const uint16_t port = t.server->http_port();
  struct Case {
    const char* target;
    const char* type;
    std::string body;
  };
  const Case cases[] = {
      {"/", "text/html", "<!doctype html><title>reel viewer</title>"},
      {"/index.html", "text/html", "<!doctype html><title>reel viewer</title>"},
      {"/assets/app.js?v=3", "text/javascript", "console.log('reel');"},
      {"/assets/style.css", "text/css", "body{margin:0}"},
      {"/assets/mod.wasm", "application/wasm", std::string("\0asm\1\0\0\0", 8)},
      {"/assets/icon.svg", "image/svg+xml", "<svg xmlns='http://www.w3.org/2000/svg'/>"},
      {"/assets/pic.png", "image/png", std::string("\x89PNG\r\n\x1a\n\0\0", 10)},
      {"/assets/%61pp.js", "text/javascript", "console.log('reel');"},
  };
  for (const auto& c : cases) {
    HttpReply r = http_get(port, c.target);
    EXPECT_EQ(r.status, 200u) << c.target;
    EXPECT_EQ(r.content_type.rfind(c.type, 0), 0u) << c.target << ": " << r.content_type;
    EXPECT_EQ(r.body, c.body) << c.target;
  }
  for (const char* bad : {"/nope.js", "/assets/", "/../secret.txt", "/assets/../../secret.txt",
                          "/%2e%2e/secret.txt", "/assets/%2E%2E/%2E%2E/secret.txt",
                          "/assets/link.txt", "/..%2fsecret.txt", "/%00", "/api/nothing"}) {
    HttpReply r = http_get(port, bad);
    EXPECT_TRUE(r.status == 404u || r.status == 400u) << bad << " -> " << r.status;
    EXPECT_EQ(r.body.find("do not serve"), std::string::npos) << bad;
  }
  EXPECT_EQ(http_get(port, "/assets/app.js", http::verb::head).status, 200u);
  EXPECT_EQ(http_get(port, "/", http::verb::post).status, 405u);
  EXPECT_EQ(http_get(port, "/ws").status, 426u);
}

TEST(ServerHttpTest, ApiInfoEntitiesAndAPageWhenTheViewerIsNotBuilt) {
  TestServer t(ChunkStoreConfig::no_compaction(),
               [](ServerOptions& o) { o.web_root = "/nonexistent/reel/viewer-dist"; });
  ASSERT_TRUE(t.server);
  t.store->set_info({"api_app", "api_rec", 0});
  ASSERT_TRUE(t.store->insert(scalar_chunk("/plots/a", 3, 10)).ok());
  const uint16_t port = t.server->http_port();

  HttpReply page = http_get(port, "/");
  EXPECT_EQ(page.status, 200u);
  EXPECT_EQ(page.content_type.rfind("text/html", 0), 0u);
  EXPECT_NE(page.body.find("not built"), std::string::npos);
  EXPECT_NE(page.body.find("--web-root"), std::string::npos);
  EXPECT_EQ(http_get(port, "/assets/app.js").status, 404u);

  HttpReply info = http_get(port, "/api/info");
  EXPECT_EQ(info.status, 200u);
  EXPECT_EQ(info.content_type, "application/json");
  json j = json::parse(info.body);
  EXPECT_EQ(j["application_id"], "api_app");
  EXPECT_EQ(j["recording_id"], "api_rec");
  EXPECT_EQ(j["chunks"], 1);
  EXPECT_EQ(j["rows"], 10);
  EXPECT_GT(j["bytes"].get<uint64_t>(), 0u);

  json e = json::parse(http_get(port, "/api/entities").body);
  ASSERT_EQ(e["entities"].size(), 1u);
  EXPECT_EQ(e["entities"][0]["path"], "/plots/a");
  EXPECT_EQ(e["entities"][0]["time_ranges"]["frame"]["min"], "3");
  EXPECT_EQ(e["entities"][0]["time_ranges"]["frame"]["max"], "12");
}

}  // namespace
}  // namespace reel::server
