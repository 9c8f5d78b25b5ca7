// Sinks: where a RecordingStream's chunks go.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "reel/chunk/chunk.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/status.hpp"
#include "reel/store/chunk_store.hpp"

namespace reel {

// A destination for chunks. A stream calls its sinks from one thread at a time (its batcher
// thread, or the thread calling flush_blocking), in the order the chunks were cut; a sink
// need not be thread-safe towards the stream. A sink reports failures through `send`'s and
// `flush`'s Status; the stream passes them to the error handler.
class Sink {
 public:
  virtual ~Sink() = default;
  // Called once before the first chunk.
  virtual Status begin(const StoreInfo& info) { return Status::OK(); }
  virtual Status send(std::span<const ChunkPtr> chunks) = 0;
  // Returns when everything sent so far has reached its destination.
  virtual Status flush() { return Status::OK(); }
};

// Inserts chunks into an in-process ChunkStore (the embedded default).
class MemorySink final : public Sink {
 public:
  explicit MemorySink(std::shared_ptr<ChunkStore> store) : store_(std::move(store)) {}
  Status begin(const StoreInfo& info) override;
  Status send(std::span<const ChunkPtr> chunks) override;
  const std::shared_ptr<ChunkStore>& store() const { return store_; }

 private:
  std::shared_ptr<ChunkStore> store_;
};

// Writes a `.reel` recording (a file, stdout or any descriptor). finish() on destruction.
class FileSink final : public Sink {
 public:
  // "-" is stdout.
  static Result<std::shared_ptr<FileSink>> open(const std::string& path);
  explicit FileSink(std::unique_ptr<format::RecordingWriter> writer);
  ~FileSink() override;
  Status begin(const StoreInfo& info) override;
  Status send(std::span<const ChunkPtr> chunks) override;
  Status flush() override;

 private:
  std::unique_ptr<format::RecordingWriter> writer_;
};

// Streams the recording to a `reel serve` process over TCP: the same messages as FileSink
// (file header, store info, chunks; an end-of-stream marker when destroyed), so the server
// decodes them with the file reader. Plain POSIX sockets, no extra dependency.
//
// Connection: the first attempt is made by connect() (with a timeout). While the server is
// unreachable, or after the connection broke, chunks are kept (up to `max_buffer_bytes`,
// oldest dropped beyond it) and the connection is retried from send()/flush() at most every
// `retry_secs`; on reconnection the header and store info are sent again, then the kept
// chunks. A chunk whose write failed is kept and sent again, so the server can, after a
// broken connection, receive a chunk twice (at-least-once delivery).
// Failures are returned by begin/send/flush, i.e. the stream passes them to the error
// handler: one report when the connection is lost or cannot be made and one when data is
// dropped (not one per attempt), and from flush() while chunks still wait to be sent.
//
// Threading: like every sink, called by one thread at a time (the stream's batcher thread),
// so a slow or stuck server never blocks logging threads; writes that stall longer than
// `send_timeout_secs` count as a broken connection.
struct TcpSinkOptions {
  format::Compression compression = format::Compression::kLz4;  // of chunk messages
  double connect_timeout_secs = 2.0;
  double send_timeout_secs = 10.0;
  double retry_secs = 1.0;
  uint64_t max_buffer_bytes = 256ull << 20;  // kept while disconnected
};

class TcpSink final : public Sink {
 public:
  // `address` is "host:port" ("127.0.0.1:9876", "localhost:9876", "[::1]:9876"). Fails only
  // on a malformed address; an unreachable server is reported by begin() and retried.
  static Result<std::shared_ptr<TcpSink>> connect(const std::string& address,
                                                  TcpSinkOptions options = {});
  ~TcpSink() override;
  Status begin(const StoreInfo& info) override;
  Status send(std::span<const ChunkPtr> chunks) override;
  // Sends what is kept (reconnecting if needed); an error if it could not.
  Status flush() override;
  const std::string& address() const;
  bool is_connected() const;

  struct State;
  explicit TcpSink(std::unique_ptr<State> state);

 private:
  std::unique_ptr<State> state_;
};

// Hands chunks to a function (for custom transports and tests).
class CallbackSink final : public Sink {
 public:
  using Callback = std::function<void(std::span<const ChunkPtr>)>;
  explicit CallbackSink(Callback callback) : callback_(std::move(callback)) {}
  Status send(std::span<const ChunkPtr> chunks) override {
    callback_(chunks);
    return Status::OK();
  }

 private:
  Callback callback_;
};

}  // namespace reel
