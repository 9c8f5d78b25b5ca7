// RecordingStream: the entry point of the C++ SDK.
//
//   reel::RecordingStream rec("my_app");
//   auto store = rec.memory_store();
//   rec.set_time_sequence("frame", 42);
//   rec.log("robot/lidar", reel::Points3D(positions).with_radii(0.05f));
//
// Each `log` call is one row for one entity. Rows are accumulated by a micro-batcher per
// (thread, entity) and cut into chunks when the flush tick passes, or when the pending bytes
// or rows cross their thresholds; a background thread per stream hands the chunks to the
// sinks. Data logged before any sink is set is kept and goes to the first sink.
//
// Thread safety: a RecordingStream may be used from any number of threads at once. The time
// context (`set_time_*`, `disable_timeline`, `reset_time`) is per thread and per stream.
// Rows logged by one thread reach the sinks in the order they were logged.
//
// Errors: `log` never throws and never aborts: failures (wrong shapes, bad paths, sink
// errors) go to the error handler (`set_error_handler`, reel/sdk/error_handler.hpp; default:
// a line on stderr).
// `try_log` returns the Status instead.
//
// Lifetime: the destructor flushes everything logged and waits for the sinks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reel/chunk/chunk.hpp"
#include "reel/import/import_report.hpp"
#include "reel/sdk/error_handler.hpp"
#include "reel/sdk/sink.hpp"
#include "reel/status.hpp"
#include "reel/store/chunk_store.hpp"
#include "reel/types/component_batch.hpp"

namespace reel {

// When the micro-batcher cuts chunks.
struct BatcherConfig {
  // Pending rows are cut at least this often. REEL_FLUSH_TICK_SECS (default 0.008).
  double flush_tick_secs = 0.008;
  // A (thread, entity) table is cut as soon as it holds this many bytes.
  // REEL_FLUSH_NUM_BYTES (default 1 MiB).
  uint64_t flush_num_bytes = 1 << 20;
  // ... or this many rows. REEL_FLUSH_NUM_ROWS (default: unlimited).
  uint64_t flush_num_rows = UINT64_MAX;
  // Chunks whose rows are not sorted by time are split to at most this many rows.
  // REEL_CHUNK_MAX_ROWS_IF_UNSORTED (default 1024).
  uint64_t chunk_max_rows_if_unsorted = 1024;
  // Backpressure: logging threads wait while this many bytes of cut chunks wait for the
  // sinks. Default 256 MiB.
  uint64_t max_bytes_in_flight = 256ull << 20;

  // Defaults overridden by the environment variables above.
  static BatcherConfig from_env();
};

struct RecordingStreamOptions {
  // Empty: a random id.
  std::string recording_id;
  // Stamp every logged row with the `log_time` (timestamp) and `log_tick` (sequence)
  // timelines. Default: both on.
  bool log_time = true;
  bool log_tick = true;
  BatcherConfig batcher = BatcherConfig::from_env();
};

class RecordingStream {
 public:
  explicit RecordingStream(std::string_view application_id, std::string_view recording_id = {});
  RecordingStream(std::string_view application_id, RecordingStreamOptions options);
  ~RecordingStream();
  RecordingStream(RecordingStream&&) noexcept;
  RecordingStream& operator=(RecordingStream&&) noexcept;
  RecordingStream(const RecordingStream&) = delete;
  RecordingStream& operator=(const RecordingStream&) = delete;

  const std::string& application_id() const;
  const std::string& recording_id() const;
  StoreInfo store_info() const;

  // ---- sinks
  // The embedded store: created (and attached as a sink) on first call, then shared. Data
  // still buffered because no sink was set goes into it.
  std::shared_ptr<ChunkStore> memory_store();
  // The same, created with `config` (e.g. a memory_limit) on the first call. Invalid when the
  // embedded store exists already with another memory limit.
  Result<std::shared_ptr<ChunkStore>> memory_store(const ChunkStoreConfig& config);
  // Replaces every sink with `sink`. Buffered data goes to it first.
  void set_sink(std::shared_ptr<Sink> sink);
  // Adds a sink: from now on chunks go to every sink.
  void add_sink(std::shared_ptr<Sink> sink);
  // Streams the recording to a `.reel` file (crash-safe: every message is written whole, so
  // a killed process leaves a file whose complete messages all load). Replaces the other
  // sinks except the embedded store. Writing happens on the batcher thread, never on the
  // logging threads.
  Status save(const std::string& path);
  // The same stream of messages on standard output, for `./my_logger | reel compact`.
  Status to_stdout();
  // Streams the recording to a `reel serve` / `reel view` process over TCP (make_tcp_sink in
  // reel/sdk/sink.hpp). Replaces the other sinks except the embedded store, like save().
  // Fails only on a malformed address: an unreachable server goes to the error handler and is
  // retried, and data is kept meanwhile (bounded). To stream to a server and also save a
  // file, save() and then add_sink(make_tcp_sink(address).value()).
  Status connect(const std::string& address = "127.0.0.1:9876");
  Status connect(const std::string& address, TcpSinkOptions options);

  // ---- time context (this thread, this stream)
  void set_time_sequence(std::string_view timeline, int64_t sequence);
  void set_time_duration_secs(std::string_view timeline, double seconds);
  void set_time_duration_nanos(std::string_view timeline, int64_t nanos);
  void set_time_timestamp_nanos_since_epoch(std::string_view timeline, int64_t nanos);
  void set_time_timestamp_secs_since_epoch(std::string_view timeline, double seconds);
  void set_time(std::string_view timeline, TimeType type, TimeInt value);
  // A timeline's type is fixed for the recording by its first use (set_time from any thread,
  // send_columns, the automatic log_time timestamp and log_tick sequence): setting it with
  // another type fails with a TypeError (set_time_* pass it to the error handler) and leaves
  // the time context as it was, so nothing unreadable is logged.
  Status try_set_time(std::string_view timeline, TimeType type, TimeInt value);
  Status try_set_time_secs(std::string_view timeline, TimeType type, double seconds);
  void disable_timeline(std::string_view timeline);
  void reset_time();

  // ---- logging
  template <AsComponents... Ts>
  void log(std::string_view entity_path, const Ts&... archetypes) {
    report(try_log(entity_path, archetypes...));
  }
  template <AsComponents... Ts>
  Status try_log(std::string_view entity_path, const Ts&... archetypes) {
    ComponentBatchList batches;
    (archetypes.collect(batches), ...);
    return try_log_batches(entity_path, batches, false);
  }
  // Static data: no timelines; shadows temporal data of the same entity and component.
  template <AsComponents... Ts>
  void log_static(std::string_view entity_path, const Ts&... archetypes) {
    report(try_log_static(entity_path, archetypes...));
  }
  template <AsComponents... Ts>
  Status try_log_static(std::string_view entity_path, const Ts&... archetypes) {
    ComponentBatchList batches;
    (archetypes.collect(batches), ...);
    return try_log_batches(entity_path, batches, true);
  }
  Status try_log_batches(std::string_view entity_path, const ComponentBatchList& batches,
                         bool is_static);

  // Columns straight to chunks: no time context, no batcher. Every time column and
  // component column must have the same number of rows; no time columns = static. One call
  // is one chunk, split when unsorted (chunk_max_rows_if_unsorted) or over 64 MiB.
  void send_columns(std::string_view entity_path, std::vector<TimeColumn> time_columns,
                    std::vector<ComponentColumn> component_columns) {
    report(try_send_columns(entity_path, std::move(time_columns), std::move(component_columns)));
  }
  Status try_send_columns(std::string_view entity_path, std::vector<TimeColumn> time_columns,
                          std::vector<ComponentColumn> component_columns);

  // Imports a file (MCAP, ROS 1 bag, image, PLY, mesh, text, or a directory of them;
  // reel/import/importer.hpp) into this recording, chunk by chunk through send_columns: its
  // entities under `entity_path_prefix`, with the file's own timelines (none when
  // `is_static`). The file's warnings (bad chunks, undecodable messages) are returned in the
  // report; an error means nothing more could be read.
  Result<import::ImportReport> try_log_file_from_path(const std::string& path,
                                                      std::string_view entity_path_prefix = "",
                                                      bool is_static = false);

  // Returns when everything logged before the call has reached every sink (and each sink's
  // flush returned). try_flush_blocking returns the sinks' failures: a CapacityError whose
  // message starts "data loss:" when a sink dropped data since the previous flush (a TCP
  // sink whose server was unreachable or stalled says how many chunks, rows and bytes), an
  // IOError when data still waits for a server.
  void flush_blocking() { report(try_flush_blocking()); }
  Status try_flush_blocking();

  // The process-wide default stream (null until set).
  static std::shared_ptr<RecordingStream> global();
  static void set_global(std::shared_ptr<RecordingStream> stream);

  struct Impl;

 private:
  void report(const Status& status) const;
  Status flush_before_attach();
  std::unique_ptr<Impl> impl_;
};

}  // namespace reel
