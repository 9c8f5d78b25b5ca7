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
// Delivery contract (docs/python.md, "Streaming to a server"):
// - The sink has its own sender thread and a buffer of up to `max_buffer_bytes`. send()
//   (the stream's batcher thread) puts chunks in the buffer; the sender thread writes them.
// - While a server is connected and reading, nothing is dropped: when the buffer is full,
//   send() blocks until the server has read enough, so the batcher's queue fills and log
//   calls block too (backpressure). A send() blocks for at most `max_block_secs`.
// - Only an unreachable or stalled server makes the sink drop data: while no connection can
//   be made, or when the server has read nothing for `max_block_secs` while data waits,
//   chunks beyond `max_buffer_bytes` are dropped, oldest first, and counted. The first drop
//   of an episode is reported through send() (the error handler); flush() then returns a
//   CapacityError starting "data loss:" that says how many chunks, rows and bytes were
//   dropped since the previous flush (Python: reel.DataLossWarning).
// - Connection: the first attempt is made by begin(), when the sink is attached (bounded by
//   `connect_timeout_secs`). After a failure or a broken connection it is retried at most
//   every `retry_secs`; on reconnection the header and store info are sent again, then the
//   buffered chunks. A chunk whose write failed is sent again, so after a broken connection
//   the server can receive a chunk twice (at-least-once delivery).
// - A connection on which the server accepts no byte for `send_timeout_secs` is closed and
//   retried, as is one the server closes.
// - Server notices (reel/format/server_notice.hpp): when the server refuses a chunk or
//   closes the connection (busy, idle, stalled, too large, ...), it says why; the sink
//   reports the notice through the error handler ("reel server at ADDR: ...") and, when the
//   server closes, keeps buffering and retrying as for an unreachable server.
// - flush() returns when the buffer is empty and written, or with an error when the server
//   is unreachable (IOError "... N chunks wait to be sent") or stalled; a data-loss report
//   takes precedence.
//
// Threading: send() and flush() are called by one thread at a time (the stream's batcher
// thread); the sender thread is the sink's own and is joined by the destructor, which first
// tries (bounded by the timeouts above) to deliver what is buffered and the end marker.
struct TcpSinkOptions {
  format::Compression compression = format::Compression::kLz4;  // of chunk messages
  double connect_timeout_secs = 2.0;
  // See above. Default 10 s, or REEL_MAX_BLOCK_SECS.
  double max_block_secs = default_max_block_secs();
  double send_timeout_secs = 10.0;
  double retry_secs = 1.0;
  uint64_t max_buffer_bytes = 256ull << 20;

  // REEL_MAX_BLOCK_SECS when set to a non-negative number, else 10.
  static double default_max_block_secs();
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
