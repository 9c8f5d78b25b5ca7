// The Rerun viewer's gRPC-web ReadMessages call over real sockets (rerun_proxy.cpp): the
// backlog with SetStoreInfo first, a chunk appended after connecting, CORS preflight from an
// allowed and a refused origin, a bad request body, --max-viewers, and a client that goes
// away mid-stream.
#include <gtest/gtest.h>

#include <boost/beast/http.hpp>
#include <cstring>
#include <optional>

#include "reel/format/grpc_web.hpp"
#include "reel/format/rrd.hpp"
#include "reel/format/rrd_chunk.hpp"
#include "server/rerun_proxy_internal.hpp"
#include "server/test_fixtures.hpp"
#include "server/test_util.hpp"

namespace reel::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace grpc_web = format::grpc_web;
namespace rrd = format::rrd;
using test_util::TestServer;

const std::string kPath(grpc_web::kReadMessagesPath);

// ReadMessagesRequest{} as a gRPC-web body: one data frame of zero bytes.
const std::string kEmptyRequest("\0\0\0\0\0", 5);

// A ReadMessages call, read frame by frame (the frame split here is the test's own).
struct ProxyClient {
  boost::asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  size_t consumed = 0;

  ProxyClient(uint16_t port, const std::string& body, const std::string& origin = "",
              int receive_buffer = 0) {
    boost::asio::ip::tcp::resolver resolver(io);
    if (receive_buffer > 0) {
      stream.socket().open(boost::asio::ip::tcp::v4());
      stream.socket().set_option(boost::asio::socket_base::receive_buffer_size(receive_buffer));
    }
    stream.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
    http::request<http::string_body> req{http::verb::post, kPath, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/grpc-web+proto");
    req.set("x-grpc-web", "1");
    if (!origin.empty()) req.set(http::field::origin, origin);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    parser.body_limit(std::uint64_t(1) << 40);  // (boost::none compares as exceeded in Boost 1.74)
    http::read_header(stream, buffer, parser);
  }
  const http::response<http::string_body>& response() { return parser.get(); }

  struct Frame {
    uint8_t flags = 0;
    std::string message;
  };
  // The next complete frame, or nullopt once the response ended.
  std::optional<Frame> next() {
    for (;;) {
      const std::string& b = parser.get().body();
      if (b.size() - consumed >= 5) {
        const auto* p = reinterpret_cast<const uint8_t*>(b.data() + consumed);
        const size_t n = size_t(p[1]) << 24 | size_t(p[2]) << 16 | size_t(p[3]) << 8 | p[4];
        if (b.size() - consumed - 5 >= n) {
          Frame f{p[0], b.substr(consumed + 5, n)};
          consumed += 5 + n;
          return f;
        }
      }
      if (parser.is_done()) return std::nullopt;
      boost::system::error_code ec;
      http::read_some(stream, buffer, parser, ec);
      if (ec) return std::nullopt;
    }
  }
};

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A data frame's LogMsg, decoded by the .rrd decoder.
rrd::Message decode(const ProxyClient::Frame& frame) {
  EXPECT_EQ(frame.flags, 0) << "expected a data frame";
  auto parsed = grpc_web::parse_read_messages_response(bytes(frame.message));
  EXPECT_TRUE(parsed.ok()) << parsed.status().to_string();
  if (!parsed.ok()) return {};
  rrd::RrdEncoder enc;
  std::vector<uint8_t> stream;
  enc.stream_header(stream);
  enc.message(parsed->first, bytes(parsed->second), stream);
  rrd::RrdDecoder decoder;
  decoder.push(stream);
  decoder.finish();
  auto m = decoder.next();
  EXPECT_TRUE(m.ok() && *m) << (m.ok() ? "no message" : m.status().to_string());
  return m.ok() && *m ? **m : rrd::Message{};
}

struct Rows {
  std::string entity;
  std::vector<int64_t> frames;
  std::vector<double> values;
  std::vector<RowId> row_ids;
};
Rows rows_of(const rrd::Message& m) {
  EXPECT_EQ(m.kind, rrd::MessageKind::kArrowMsg);
  auto chunk = rrd::decode_rerun_chunk(m.arrow);
  EXPECT_TRUE(chunk.ok()) << chunk.status().to_string();
  Rows r;
  if (!chunk.ok()) return r;
  const Chunk& c = **chunk;
  r.entity = c.entity_path().str();
  const auto* col = c.component(test_util::scalar());
  const TimeColumn* frame = c.timeline("frame");
  EXPECT_TRUE(col && frame) << r.entity;
  if (!col || !frame) return r;
  for (int64_t i = 0; i < c.num_rows(); ++i) {
    r.frames.push_back((*frame)[i]);
    r.values.push_back(arrow::PrimitiveArray<double>(col->list.row_values(i)).value(0));
    r.row_ids.push_back(c.row_id(i));
  }
  return r;
}

std::vector<RowId> row_ids(const Chunk& c) {
  std::vector<RowId> ids;
  for (int64_t i = 0; i < c.num_rows(); ++i) ids.push_back(c.row_id(i));
  return ids;
}

TEST(RerunProxyTest, BacklogWithStoreInfoFirstThenLiveChunks) {
  TestServer t;
  ASSERT_TRUE(t.server);
  t.store->set_info({"proxy_app", "rec-7", 1'700'000'000'000'000'000, false});
  ChunkPtr a = test_util::scalar_chunk("plots/a", 0, 3);
  ChunkPtr b = test_util::scalar_chunk("plots/b", 10, 2, 2.0);
  ASSERT_TRUE(t.store->insert(a).ok());
  ASSERT_TRUE(t.store->insert(b).ok());

  ProxyClient client(t.server->http_port(), kEmptyRequest);
  EXPECT_EQ(client.response().result_int(), 200u);
  EXPECT_EQ(client.response()[http::field::content_type], "application/grpc-web+proto");
  EXPECT_TRUE(client.response().chunked());

  auto first = client.next();
  ASSERT_TRUE(first);
  rrd::Message info = decode(*first);
  ASSERT_EQ(info.kind, rrd::MessageKind::kSetStoreInfo);
  EXPECT_EQ(info.store_info.store_id.kind, rrd::StoreKind::kRecording);
  EXPECT_EQ(info.store_info.store_id.application_id, "proxy_app");
  EXPECT_EQ(info.store_info.store_id.recording_id, "rec-7");
  EXPECT_EQ(info.store_info.row_id.time_ns, 1'700'000'000'000'000'000ull);
  EXPECT_EQ(info.store_info.source.kind, rrd::StoreSourceKind::kOther);
  ASSERT_TRUE(info.store_info.store_version);
  EXPECT_EQ(info.store_info.store_version->to_string(), "0.33.0");

  // The backlog, by chunk id (a was created first).
  for (const ChunkPtr& expected : {a, b}) {
    auto frame = client.next();
    ASSERT_TRUE(frame);
    rrd::Message m = decode(*frame);
    EXPECT_EQ(m.arrow.store_id.application_id, "proxy_app");
    EXPECT_EQ(m.arrow.store_id.recording_id, "rec-7");
    ASSERT_TRUE(m.arrow.chunk_id);
    EXPECT_EQ(rrd::from_tuid(*m.arrow.chunk_id), expected->id());
    Rows r = rows_of(m);
    EXPECT_EQ(r.row_ids, row_ids(*expected));
    if (expected == a) {
      EXPECT_EQ(r.entity, "/plots/a");
      EXPECT_EQ(r.frames, (std::vector<int64_t>{0, 1, 2}));
      EXPECT_EQ(r.values, (std::vector<double>{0.0, 0.5, 1.0}));
    } else {
      EXPECT_EQ(r.entity, "/plots/b");
      EXPECT_EQ(r.frames, (std::vector<int64_t>{10, 11}));
      EXPECT_EQ(r.values, (std::vector<double>{20.0, 22.0}));
    }
  }
  ASSERT_TRUE(test_util::eventually([&] { return t.server->num_viewers() == 1; }));

  // Logged after the viewer connected: streamed on the same response.
  ChunkPtr live = test_util::scalar_chunk("plots/a", 100, 2, 1.0);
  ASSERT_TRUE(t.store->insert(live).ok());
  auto frame = client.next();
  ASSERT_TRUE(frame);
  rrd::Message m = decode(*frame);
  ASSERT_TRUE(m.arrow.chunk_id);
  EXPECT_EQ(rrd::from_tuid(*m.arrow.chunk_id), live->id());
  Rows r = rows_of(m);
  EXPECT_EQ(r.entity, "/plots/a");
  EXPECT_EQ(r.frames, (std::vector<int64_t>{100, 101}));
  EXPECT_EQ(r.values, (std::vector<double>{100.0, 101.0}));

  // The server stops: an idle stream ends with a trailer.
  ASSERT_TRUE(test_util::eventually([&] {
    auto info = nlohmann::json::parse(test_util::http_get(t.server->http_port(), "/api/info").body);
    for (const auto& v : info["viewer_connections"]) {
      if (v["peer"].get<std::string>().starts_with("rerun ") && v["queued_bytes"] == 0) return true;
    }
    return false;
  }));
  t.server->stop();
  auto last = client.next();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->flags, grpc_web::kTrailerFlag);
  auto trailer = grpc_web::parse_trailer(bytes(last->message));
  ASSERT_TRUE(trailer.ok());
  EXPECT_EQ((*trailer)["grpc-status"], "14");
  EXPECT_EQ((*trailer)["grpc-message"], "the reel server stopped");
  EXPECT_FALSE(client.next());
}

TEST(RerunProxyTest, SdkClientAfterTheViewerConnected) {
  TestServer t;
  ASSERT_TRUE(t.server);
  ProxyClient client(t.server->http_port(), kEmptyRequest);
  ASSERT_EQ(client.response().result_int(), 200u);
  ASSERT_TRUE(test_util::eventually([&] { return t.server->num_viewers() == 1; }));
  // Nothing is sent before the store is named: the SDK's store info comes first.
  test_util::sdk_client(t.server->ingest_address(), "plots/live", 1, 4);
  auto first = client.next();
  ASSERT_TRUE(first);
  rrd::Message info = decode(*first);
  ASSERT_EQ(info.kind, rrd::MessageKind::kSetStoreInfo);
  EXPECT_EQ(info.store_info.store_id.application_id, "server_test");
  EXPECT_EQ(info.store_info.store_id.recording_id, t.store->info().recording_id);
  EXPECT_FALSE(info.store_info.store_id.recording_id.empty());
  std::vector<int64_t> frames;
  std::vector<double> values;
  while (frames.size() < 4) {
    auto frame = client.next();
    ASSERT_TRUE(frame);
    Rows r = rows_of(decode(*frame));
    EXPECT_EQ(r.entity, "/plots/live");
    frames.insert(frames.end(), r.frames.begin(), r.frames.end());
    values.insert(values.end(), r.values.begin(), r.values.end());
  }
  EXPECT_EQ(frames, (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(values, (std::vector<double>{0, 1, 2, 3}));
}

TEST(RerunProxyTest, BadRequestBodyGetsATrailerWithInvalidArgument) {
  TestServer t;
  ASSERT_TRUE(t.server);
  // A truncated frame: the length says 9 bytes, 2 follow.
  ProxyClient client(t.server->http_port(), std::string("\0\0\0\0\x09\x01\x02", 7),
                     "http://localhost:5173");
  EXPECT_EQ(client.response().result_int(), 200u);
  EXPECT_EQ(client.response()["grpc-status"], "3");
  EXPECT_EQ(client.response()[http::field::access_control_allow_origin], "http://localhost:5173");
  auto frame = client.next();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->flags, grpc_web::kTrailerFlag);
  auto trailer = grpc_web::parse_trailer(bytes(frame->message));
  ASSERT_TRUE(trailer.ok());
  EXPECT_EQ((*trailer)["grpc-status"], "3");
  EXPECT_NE((*trailer)["grpc-message"].find("byte 0"), std::string::npos)
      << (*trailer)["grpc-message"];
  EXPECT_FALSE(client.next());
  EXPECT_EQ(t.server->num_viewers(), 0u);
}

http::response<http::string_body> preflight(uint16_t port, const std::string& origin) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  boost::asio::ip::tcp::resolver resolver(io);
  stream.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
  http::request<http::empty_body> req{http::verb::options, kPath, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::origin, origin);
  req.set(http::field::access_control_request_method, "POST");
  req.set(http::field::access_control_request_headers, "content-type,x-grpc-web,x-user-agent");
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res;
}

TEST(RerunProxyTest, PreflightAllowsLoopbackAndListedOrigins) {
  TestServer t(ChunkStoreConfig::no_compaction(),
               [](ServerOptions& o) { o.cors_allow_origins = {"https://*.example.org"}; });
  ASSERT_TRUE(t.server);
  for (const char* origin : {"http://127.0.0.1:5173", "http://localhost:9090", "http://[::1]:80",
                             "http://localhost", "https://app.example.org"}) {
    auto res = preflight(t.server->http_port(), origin);
    EXPECT_EQ(res.result_int(), 204u) << origin;
    EXPECT_EQ(res[http::field::access_control_allow_origin], origin);
    EXPECT_EQ(res[http::field::access_control_allow_methods], "POST, OPTIONS");
    const std::string headers(res[http::field::access_control_allow_headers]);
    for (const char* h : {"content-type", "x-grpc-web", "x-user-agent", "grpc-timeout"}) {
      EXPECT_NE(headers.find(h), std::string::npos) << h;
    }
    EXPECT_EQ(res[http::field::access_control_expose_headers],
              "grpc-status, grpc-message, grpc-status-details-bin");
  }
  for (const char* origin : {"http://evil.example.com", "http://127.0.0.1.evil.com",
                             "http://localhost:80x", "https://example.org", "null"}) {
    auto res = preflight(t.server->http_port(), origin);
    EXPECT_EQ(res.result_int(), 403u) << origin;
    EXPECT_EQ(res.count(http::field::access_control_allow_origin), 0u) << origin;
    EXPECT_NE(res.body().find("--cors-allow-origin"), std::string::npos) << res.body();
  }
  // A POST from a refused origin gets no stream either.
  ProxyClient refused(t.server->http_port(), kEmptyRequest, "http://evil.example.com");
  EXPECT_EQ(refused.response().result_int(), 403u);
  EXPECT_EQ(refused.response().count(http::field::access_control_allow_origin), 0u);
  // GET of the path: 405 naming the methods.
  EXPECT_EQ(test_util::http_get(t.server->http_port(), kPath).status, 405u);
  // A POST that is not gRPC-web: 415.
  {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    boost::asio::ip::tcp::resolver resolver(io);
    stream.connect(resolver.resolve("127.0.0.1", std::to_string(t.server->http_port())));
    http::request<http::string_body> req{http::verb::post, kPath, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.body() = "{}";
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), 415u);
    EXPECT_EQ(res.body(),
              "reel: ReadMessages takes content-type application/grpc-web+proto, not "
              "application/json\n");
  }
}

TEST(RerunProxyTest, OriginPatterns) {
  using internal::cors_origin_allowed;
  EXPECT_TRUE(cors_origin_allowed("HTTP://LOCALHOST:3000", {}));
  EXPECT_TRUE(cors_origin_allowed("https://127.0.0.1", {}));
  EXPECT_FALSE(cors_origin_allowed("http://localhost.evil.com", {}));
  EXPECT_FALSE(cors_origin_allowed("http://127.0.0.1:", {}));
  EXPECT_FALSE(cors_origin_allowed("http://127.0.0.1:1234567", {}));
  EXPECT_TRUE(cors_origin_allowed("https://app.rerun.io", {"https://app.rerun.io"}));
  EXPECT_FALSE(cors_origin_allowed("https://app.rerun.io.evil", {"https://app.rerun.io"}));
  EXPECT_TRUE(cors_origin_allowed("http://anything", {"*"}));
  EXPECT_TRUE(cors_origin_allowed("https://a.b.example.org", {"https://*.example.org"}));
}

TEST(RerunProxyTest, ClientThatLeavesMidStreamFreesItsSession) {
  TestServer t(ChunkStoreConfig::no_compaction(), [](ServerOptions& o) { o.max_viewers = 1; });
  ASSERT_TRUE(t.server);
  t.store->set_info({"app", "rec", 0, false});
  for (int k = 0; k < 50; ++k) {
    ASSERT_TRUE(t.store->insert(test_util::scalar_chunk("plots/a", k * 1000, 1000)).ok());
  }
  {
    ProxyClient client(t.server->http_port(), kEmptyRequest);
    ASSERT_TRUE(client.next());  // the store info
    ASSERT_TRUE(test_util::eventually([&] { return t.server->num_viewers() == 1; }));
    // The one viewer slot is taken: another Rerun viewer is refused with UNAVAILABLE.
    ProxyClient second(t.server->http_port(), kEmptyRequest);
    EXPECT_EQ(second.response()["grpc-status"], "14");
  }  // closed with most of the backlog unread
  ASSERT_TRUE(test_util::eventually([&] { return t.server->num_viewers() == 0; }));
  EXPECT_TRUE(t.log.wait_for("rerun proxy: viewer 127.0.0.1:")) << t.log.all();
  EXPECT_TRUE(t.log.wait_for(" disconnected: ")) << t.log.all();
  // The slot is free again.
  ProxyClient again(t.server->http_port(), kEmptyRequest);
  EXPECT_EQ(again.response().result_int(), 200u);
  EXPECT_EQ(again.response().count("grpc-status"), 0u);
}

TEST(RerunProxyTest, SlowViewerIsEndedInsteadOfQueueingWithoutBound) {
  TestServer t(ChunkStoreConfig::no_compaction(), [](ServerOptions& o) { o.max_viewer_queue = 4; });
  ASSERT_TRUE(t.server);
  t.store->set_info({"app", "rec", 0, false});
  // A backlog far larger than what the sockets buffer (the client's receive buffer is small).
  constexpr int kBacklog = 20;
  for (int k = 0; k < kBacklog; ++k) {
    ASSERT_TRUE(t.store->insert(test_util::scalar_chunk("plots/big", k * 50000, 50000)).ok());
  }
  ProxyClient client(t.server->http_port(), kEmptyRequest, "", 64 * 1024);
  ASSERT_EQ(client.response().result_int(), 200u);
  ASSERT_TRUE(test_util::eventually([&] { return t.server->num_viewers() == 1; }));
  // The viewer reads nothing while 5 chunks are logged: the 5th overflows its queue of 4.
  for (int k = 0; k < 5; ++k) {
    ASSERT_TRUE(t.store->insert(test_util::scalar_chunk("plots/live", k, 1)).ok());
  }
  ASSERT_TRUE(t.log.wait_for("store changes behind")) << t.log.all();
  // What was on its way still arrives, then the trailer; the rest was dropped.
  int chunks = 0;
  std::optional<ProxyClient::Frame> trailer;
  while (auto frame = client.next()) {
    if (frame->flags == grpc_web::kTrailerFlag) {
      trailer = frame;
      break;
    }
    chunks += decode(*frame).kind == rrd::MessageKind::kArrowMsg;
  }
  ASSERT_TRUE(trailer);
  auto lines = grpc_web::parse_trailer(bytes(trailer->message));
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ((*lines)["grpc-status"], "14");
  EXPECT_EQ((*lines)["grpc-message"],
            "this Rerun viewer fell 4 store changes behind (it reads too slowly); reconnect to get "
            "the store afresh");
  EXPECT_LT(chunks, kBacklog);
  EXPECT_FALSE(client.next());
  ASSERT_TRUE(test_util::eventually([&] { return t.server->num_viewers() == 0; }));
}

}  // namespace
}  // namespace reel::server
