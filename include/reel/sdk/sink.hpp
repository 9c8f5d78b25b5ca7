// Sinks: where a RecordingStream's chunks go.
#pragma once

#include <functional>
#include <memory>
#include <span>
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
