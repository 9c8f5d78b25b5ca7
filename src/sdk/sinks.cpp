// The memory, file and callback sinks (the TCP sink is in tcp_sink.cpp).
#include "reel/format/recording_file.hpp"
#include "reel/sdk/sink.hpp"
#include "sdk/error_handler_internal.hpp"
#include "sdk/sinks_internal.hpp"

namespace reel {

namespace internal {

Status MemorySink::begin(const StoreInfo& info) {
  store_->set_info(info);
  return Status::OK();
}

Status MemorySink::send(std::span<const ChunkPtr> chunks) {
  for (const auto& c : chunks) REEL_RETURN_NOT_OK(store_->insert(c));
  return Status::OK();
}

namespace {

// Writes a `.reel` recording (a file, stdout or any descriptor). finish() on destruction.
class FileSink final : public Sink {
 public:
  explicit FileSink(std::unique_ptr<format::RecordingWriter> writer) : writer_(std::move(writer)) {}
  ~FileSink() override { report_error(writer_->finish()); }
  Status begin(const StoreInfo& info) override { return writer_->write_store_info(info); }
  Status send(std::span<const ChunkPtr> chunks) override {
    for (const auto& c : chunks) REEL_RETURN_NOT_OK(writer_->write_chunk(*c));
    return Status::OK();
  }
  Status flush() override { return writer_->flush(); }

 private:
  std::unique_ptr<format::RecordingWriter> writer_;
};

class CallbackSink final : public Sink {
 public:
  explicit CallbackSink(SinkCallback callback) : callback_(std::move(callback)) {}
  Status send(std::span<const ChunkPtr> chunks) override {
    callback_(chunks);
    return Status::OK();
  }

 private:
  SinkCallback callback_;
};

}  // namespace
}  // namespace internal

std::shared_ptr<Sink> make_memory_sink(std::shared_ptr<ChunkStore> store) {
  return std::make_shared<internal::MemorySink>(std::move(store));
}

Result<std::shared_ptr<Sink>> make_file_sink(const std::string& path, FileSinkOptions options) {
  format::WriterOptions writer_options;
  writer_options.compression = options.compression;
  writer_options.zstd_level = options.zstd_level;
  writer_options.write_footer = options.write_footer;
  writer_options.sync_on_flush = options.sync_on_flush;
  writer_options.file_format = options.file_format;
  if (writer_options.file_format == format::FileFormat::kUnknown) {
    const bool rrd = path.size() > 4 && path.compare(path.size() - 4, 4, ".rrd") == 0;
    writer_options.file_format = rrd ? format::FileFormat::kRrd : format::FileFormat::kReel;
  }
  REEL_ASSIGN_OR_RETURN(auto writer, format::RecordingWriter::open(path, writer_options));
  return std::shared_ptr<Sink>(std::make_shared<internal::FileSink>(std::move(writer)));
}

std::shared_ptr<Sink> make_callback_sink(SinkCallback callback) {
  return std::make_shared<internal::CallbackSink>(std::move(callback));
}

}  // namespace reel
