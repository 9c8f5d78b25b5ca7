// Fixtures shared by the server's test files: a server on free ports with its log captured,
// an SDK client, a valid ingest stream, and a Boost.Beast WebSocket client (chunks and store
// events: test_chunks.hpp).
// Header-only (every .cpp of src/server but the tests goes into the library).
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reel/format/recording_file.hpp"
#include "reel/sdk/recording_stream.hpp"
#include "server/protocol.hpp"
#include "server/server.hpp"
#include "server/test_chunks.hpp"

namespace reel::server::test_util {

// Server log lines, waited on without timing assumptions (the bound only stops a hung test).
struct LogCapture {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> lines;
  std::function<void(const std::string&)> sink() {
    return [this](const std::string& line) {
      {
        std::lock_guard lock(mutex);
        lines.push_back(line);
      }
      cv.notify_all();
    };
  }
  size_t count(const std::string& needle) {
    std::lock_guard lock(mutex);
    size_t n = 0;
    for (const auto& l : lines) n += l.find(needle) != std::string::npos;
    return n;
  }
  // Waits until `n` lines contain `needle`.
  bool wait_for(const std::string& needle, size_t n = 1) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, std::chrono::seconds(120), [&] {
      size_t k = 0;
      for (const auto& l : lines) k += l.find(needle) != std::string::npos;
      return k >= n;
    });
  }
  std::string all() {
    std::lock_guard lock(mutex);
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  }
};

struct TestServer {
  std::shared_ptr<ChunkStore> store;
  LogCapture log;
  std::unique_ptr<Server> server;
  explicit TestServer(ChunkStoreConfig config = ChunkStoreConfig::no_compaction(),
                      const std::function<void(ServerOptions&)>& tweak = {}) {
    store = std::make_shared<ChunkStore>(config);
    ServerOptions options;
    options.http_port = 0;
    options.ingest_port = 0;
    options.log = log.sink();
    if (tweak) tweak(options);
    auto started = Server::start(store, options);
    EXPECT_TRUE(started.ok()) << started.status().to_string();
    if (started.ok()) server = std::move(*started);
  }
};

inline RecordingStreamOptions plain_options() {
  RecordingStreamOptions o;
  o.log_time = false;
  o.log_tick = false;
  o.batcher = BatcherConfig();
  return o;
}

// The recording sdk_client() and valid_stream() write to: the clients of a test share one
// recording (one store), as SDK runs that pass the same recording id do.
inline constexpr const char* kTestRecording = "raw-recording";

// Sends `chunks` chunks of `rows` scalars each through the SDK, as one client of recording
// `recording_id`, times from `first_time` on.
inline void sdk_run(const std::string& address, const std::string& entity, int chunks, int rows,
                    const std::string& recording_id, int64_t first_time = 0) {
  RecordingStreamOptions options = plain_options();
  options.recording_id = recording_id;
  RecordingStream rec("server_test", options);
  EXPECT_TRUE(rec.connect(address).ok());
  for (int k = 0; k < chunks; ++k) {
    std::vector<int64_t> times(static_cast<size_t>(rows));
    std::vector<double> values(static_cast<size_t>(rows));
    for (int i = 0; i < rows; ++i) {
      times[size_t(i)] = first_time + int64_t(k) * rows + i;
      values[size_t(i)] = double(times[size_t(i)]);
    }
    rec.send_columns(entity, {TimeColumn::sequence("frame", times)}, Scalars::columns(values));
  }
}  // the destructor flushes and ends the stream

// The same, into kTestRecording.
inline void sdk_client(const std::string& address, const std::string& entity, int chunks,
                       int rows) {
  sdk_run(address, entity, chunks, rows, kTestRecording);
}

inline int64_t rows_of(const ChunkStore& store, const EntityPath& entity) {
  return store.range({"frame", {kTimeMin, kTimeMax}}, entity, scalar()).num_rows();
}

// A valid stream: header, store info, `chunks` chunk messages of `entity`. `cut_at[i]` is
// the offset where message i starts.
inline std::vector<uint8_t> valid_stream(const std::string& entity, int chunks,
                                         std::vector<size_t>* starts = nullptr) {
  format::WriterOptions wo;
  wo.compression = format::Compression::kNone;
  format::Encoder enc(wo);
  std::vector<uint8_t> out = format::Encoder::file_header();
  EXPECT_TRUE(enc.encode_store_info({"raw", kTestRecording, 0}, out).ok());
  for (int k = 0; k < chunks; ++k) {
    if (starts) starts->push_back(out.size());
    EXPECT_TRUE(enc.encode_chunk(*scalar_chunk(entity, k * 10, 10), out).ok());
  }
  return out;
}

// A Boost.Beast WebSocket client.
struct WsClient {
  boost::asio::io_context io;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws{io};
  explicit WsClient(uint16_t port, const std::string& target = "/ws") {
    boost::asio::ip::tcp::resolver resolver(io);
    boost::asio::connect(ws.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
    ws.handshake("127.0.0.1:" + std::to_string(port), target);
  }
  struct Message {
    bool text = false;
    std::string data;
  };
  Message read() {
    boost::beast::flat_buffer buffer;
    ws.read(buffer);
    return {ws.got_text(), boost::beast::buffers_to_string(buffer.data())};
  }
  nlohmann::json read_json() {
    Message m = read();
    EXPECT_TRUE(m.text) << "expected a text message, got a binary one";
    return m.text ? nlohmann::json::parse(m.data) : nlohmann::json();
  }
  DecodedFrame read_frame() {
    Message m = read();
    EXPECT_FALSE(m.text) << "expected a frame, got " << m.data;
    auto f = decode_frame({reinterpret_cast<const uint8_t*>(m.data.data()), m.data.size()});
    EXPECT_TRUE(f.ok()) << f.status().to_string();
    return f.ok() ? *f : DecodedFrame{FrameKind::kChunkAdded, 0, nullptr};
  }
  void send(const std::string& text) {
    ws.text(true);
    ws.write(boost::asio::buffer(text));
  }
  // Reads kind-2 frames of query `id` until query_done; returns them.
  std::vector<ChunkPtr> answer(uint32_t id) {
    std::vector<ChunkPtr> chunks;
    for (;;) {
      Message m = read();
      if (m.text) {
        nlohmann::json j = nlohmann::json::parse(m.data);
        EXPECT_EQ(j["type"], "query_done") << m.data;
        EXPECT_EQ(j["id"], id);
        EXPECT_EQ(j["chunks"], chunks.size());
        return chunks;
      }
      auto f = decode_frame({reinterpret_cast<const uint8_t*>(m.data.data()), m.data.size()});
      EXPECT_TRUE(f.ok());
      EXPECT_EQ(f->kind, FrameKind::kQueryResult);
      EXPECT_EQ(f->request_id, id);
      chunks.push_back(f->chunk);
    }
  }
};

}  // namespace reel::server::test_util
