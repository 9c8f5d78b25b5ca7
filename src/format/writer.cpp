#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "format/codec_internal.hpp"
#include "format/writer_rrd_internal.hpp"
#include "reel/format/recording_file.hpp"

namespace reel::format {

RecordingWriter::RecordingWriter(int fd, bool owns, std::string name, WriterOptions options)
    : fd_(fd), owns_(owns), name_(std::move(name)), options_(options), encoder_(options) {
  if (options.file_format == FileFormat::kRrd) rrd_ = std::make_unique<Rrd>(options);
}

Result<std::unique_ptr<RecordingWriter>> RecordingWriter::open(const std::string& path,
                                                               WriterOptions options) {
  if (path == "-") return from_fd(STDOUT_FILENO, false, "<stdout>", options);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IOError("cannot create " + path + ": " + std::strerror(errno) +
                           " (check the directory exists and is writable)");
  }
  return from_fd(fd, true, path, options);
}

Result<std::unique_ptr<RecordingWriter>> RecordingWriter::from_fd(int fd, bool owns,
                                                                  std::string name,
                                                                  WriterOptions options) {
  if (options.format_version < 1 || options.format_version > kFormatVersion) {
    if (owns) ::close(fd);
    return Status::Invalid("cannot write file format version " +
                           std::to_string(options.format_version) + " (1 to " +
                           std::to_string(kFormatVersion) + ")");
  }
  if (options.file_format == FileFormat::kRrd && options.compression == Compression::kZstd) {
    if (owns) ::close(fd);
    return Status::Invalid(name +
                           ": .rrd has no zstd compression (Rerun's payloads are LZ4 or "
                           "uncompressed): use lz4 or none");
  }
  if (options.file_format == FileFormat::kUnknown) {
    if (owns) ::close(fd);
    return Status::Invalid(name + ": no file format to write");
  }
  std::unique_ptr<RecordingWriter> w(new RecordingWriter(fd, owns, std::move(name), options));
  if (w->rrd_) {
    w->scratch_.clear();
    w->rrd_->encoder.stream_header(w->scratch_);
    REEL_RETURN_NOT_OK(w->write_bytes(w->scratch_));
    return w;
  }
  REEL_RETURN_NOT_OK(w->write_bytes(Encoder::file_header(options.format_version)));
  return w;
}

RecordingWriter::~RecordingWriter() {
  if (!finished_) (void)finish();
}

Status RecordingWriter::write_bytes(std::span<const uint8_t> bytes) {
  // One message per call: a killed writer leaves at most one partial message.
  if (!broken_.ok()) return broken_;
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      Status st = Status::IOError("writing " + name_ + " at byte " +
                                  std::to_string(offset_ + done) + ": " + std::strerror(error));
      if (done == 0) return st;
      // A short write (a full disk, a file size limit) left part of a message: cut the file
      // back to the last complete message, so that what follows stays framed and the file
      // loads. A stream that cannot be cut (a pipe, a socket) is broken for good.
      struct stat sb;
      if (::fstat(fd_, &sb) == 0 && S_ISREG(sb.st_mode) && ::ftruncate(fd_, off_t(offset_)) == 0 &&
          ::lseek(fd_, off_t(offset_), SEEK_SET) == off_t(offset_)) {
        return Status::IOError(st.message() +
                               "; the partial message was removed (the file ends "
                               "at byte " +
                               std::to_string(offset_) +
                               " with its last complete message) and later writes are tried again");
      }
      broken_ = Status::IOError(st.message() + "; " + std::to_string(done) +
                                " bytes of a message were written and cannot be taken back, so " +
                                "nothing more is written to " + name_);
      return broken_;
    }
    done += size_t(n);
  }
  offset_ += bytes.size();
  return Status::OK();
}

Status RecordingWriter::write_store_info(const StoreInfo& info) {
  if (finished_) return Status::Invalid("write to finished recording " + name_);
  if (rrd_) return rrd_store_info(info);
  scratch_.clear();
  REEL_RETURN_NOT_OK(encoder_.encode_store_info(info, scratch_));
  const uint64_t at = offset_;
  REEL_RETURN_NOT_OK(write_bytes(scratch_));
  if (options_.write_footer) footer_.infos.push_back({at, info});
  return Status::OK();
}

Status RecordingWriter::write_chunk(const Chunk& chunk) {
  if (finished_) return Status::Invalid("write to finished recording " + name_);
  if (rrd_) return rrd_chunk(chunk);
  scratch_.clear();
  Compression compression = Compression::kNone;
  REEL_RETURN_NOT_OK(encoder_.encode_chunk(chunk, scratch_, &compression)
                         .with_context("encoding chunk of " + chunk.entity_path().str()));
  return append_chunk(scratch_, chunk, compression);
}

Status RecordingWriter::write_raw_chunk(std::span<const uint8_t> message, const Chunk& chunk,
                                        std::optional<Compression> codec) {
  if (finished_) return Status::Invalid("write to finished recording " + name_);
  if (rrd_) return rrd_chunk(chunk);  // `message` is .reel's encoding: re-encoded
  // A file for older readers must not receive a newer message layout (a version 3 payload,
  // aligned and compressed per buffer): encoded anew in the version asked for.
  if (options_.format_version < kFormatVersion) return write_chunk(chunk);
  const Compression header =
      message.size() >= kMessageHeaderBytes ? Compression(message[1]) : Compression::kNone;
  return append_chunk(message, chunk, codec.value_or(header));
}

Status RecordingWriter::append_chunk(std::span<const uint8_t> message, const Chunk& chunk,
                                     Compression compression) {
  if (options_.write_footer) {
    FooterEntry e = describe_chunk(chunk, offset_);
    if (message.size() >= kMessageHeaderBytes) {
      e.compression = compression;
      e.payload_bytes = internal::get_u64(message.data() + 8);
      e.stored_bytes = internal::get_u64(message.data() + 16);
    }
    footer_.chunks.push_back(std::move(e));
  }
  Status st = write_bytes(message);
  if (!st.ok() && options_.write_footer) footer_.chunks.pop_back();  // not in the file
  return st;
}

Status RecordingWriter::flush() {
  if (options_.sync_on_flush && owns_ && ::fdatasync(fd_) != 0 && errno != EINVAL) {
    return Status::IOError("syncing " + name_ + ": " + std::strerror(errno));
  }
  return Status::OK();
}

Status RecordingWriter::finish() {
  if (finished_) return Status::OK();
  finished_ = true;
  Status st;
  scratch_.clear();
  uint64_t footer_offset = 0;
  if (rrd_) {
    st = rrd_finish();
  } else if (options_.write_footer) {
    footer_offset = offset_;
    footer_.version = options_.format_version;
    st = encoder_.encode_footer(footer_, scratch_);
  }
  if (st.ok() && !rrd_) {
    Encoder::encode_end(footer_offset, scratch_);
    st = write_bytes(scratch_);
  }
  if (st.ok()) st = flush();
  if (owns_ && ::close(fd_) != 0 && st.ok()) {
    st = Status::IOError("closing " + name_ + ": " + std::strerror(errno));
  }
  footer_ = {};
  return st;
}

}  // namespace reel::format
