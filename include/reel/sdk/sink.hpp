// Sinks: where a RecordingStream's chunks go.
//
// `Sink` is the interface; the sinks reel provides are made by the factories below (their
// classes live in src/sdk), so this header does not carry the file-format API with it.
// RecordingStream::memory_store(), save(), to_stdout() and connect() make and attach these
// sinks themselves; the factories are for set_sink() / add_sink() (several sinks at once,
// non-default options, a custom transport).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "reel/chunk/chunk.hpp"
#include "reel/chunk/store_info.hpp"
#include "reel/format/compression.hpp"
#include "reel/format/file_format.hpp"
#include "reel/status.hpp"

namespace reel {

class ChunkStore;

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

// Inserts chunks into an in-process ChunkStore (the embedded default); begin() sets the
// store's info. Insertion errors are returned by send().
std::shared_ptr<Sink> make_memory_sink(std::shared_ptr<ChunkStore> store);

// How a file sink writes the `.reel` recording (the writer's options, docs/file-format.md).
struct FileSinkOptions {
  format::Compression compression = format::Compression::kLz4;  // chunks and footer
  int zstd_level = 3;                                           // with kZstd
  // A footer indexing the chunks, written when the sink is destroyed (fast partial loads).
  bool write_footer = true;
  // flush() also calls fdatasync (durable against power loss, slower).
  bool sync_on_flush = false;
  // kUnknown: from the path, Rerun's .rrd for a name ending in ".rrd", else .reel. .rrd has
  // no footer and no zstd (refused).
  format::FileFormat file_format = format::FileFormat::kUnknown;
};

// Writes a `.reel` (or `.rrd`, see FileSinkOptions::file_format) recording to `path` (created or
// truncated; "-" is stdout). Every message is written whole, so a killed process leaves a file
// whose complete messages all load; the footer and end marker are written when the sink is
// destroyed (errors then go to the error handler). Fails if the file cannot be created.
Result<std::shared_ptr<Sink>> make_file_sink(const std::string& path, FileSinkOptions options = {});

// Streams the recording to a `reel serve` process over TCP: the same messages as the file
// sink (file header, store info, chunks; an end-of-stream marker when destroyed), so the
// server decodes them with the file reader. Plain POSIX sockets, no extra dependency.
//
// Connection: the first attempt is made by begin(), when the sink is attached to a stream
// (with a timeout). While the server is
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

// `address` is "host:port" ("127.0.0.1:9876", "localhost:9876", "[::1]:9876", optionally
// prefixed "tcp://"). Fails only on a malformed address; an unreachable server is reported
// by begin() and retried.
Result<std::shared_ptr<Sink>> make_tcp_sink(const std::string& address,
                                            TcpSinkOptions options = {});

// Hands chunks to a function (for custom transports and tests). The function is called on
// the stream's batcher thread (or the thread calling flush_blocking), one call at a time.
using SinkCallback = std::function<void(std::span<const ChunkPtr>)>;
std::shared_ptr<Sink> make_callback_sink(SinkCallback callback);

}  // namespace reel
