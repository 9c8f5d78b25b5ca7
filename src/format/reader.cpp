#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <thread>

#include "format/codec_internal.hpp"
#include "format/reader_rrd_internal.hpp"
#include "reel/format/recording_file.hpp"

namespace reel::format {

RecordingReader::RecordingReader(int fd, bool owns, std::string name, ReaderOptions options)
    : fd_(fd), owns_(owns), name_(std::move(name)), options_(options) {
  struct stat st;
  if (fd_ >= 0 && ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) {
    total_ = uint64_t(st.st_size);
    // Only a descriptor positioned at its start is read as a whole file (stdin redirected
    // from a file may be anywhere).
    seekable_ = ::lseek(fd_, 0, SEEK_CUR) == 0;
  }
}

RecordingReader::~RecordingReader() {
  if (owns_ && fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<RecordingReader>> RecordingReader::open(const std::string& path,
                                                               ReaderOptions options) {
  if (path == "-") return from_fd(STDIN_FILENO, false, "<stdin>", options);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  return from_fd(fd, true, path, options);
}

Result<std::unique_ptr<RecordingReader>> RecordingReader::from_fd(int fd, bool owns,
                                                                  std::string name,
                                                                  ReaderOptions options) {
  return std::unique_ptr<RecordingReader>(new RecordingReader(fd, owns, std::move(name), options));
}

std::unique_ptr<RecordingReader> RecordingReader::from_bytes(std::vector<uint8_t> bytes,
                                                             std::string name,
                                                             ReaderOptions options) {
  std::unique_ptr<RecordingReader> r(new RecordingReader(-1, false, std::move(name), options));
  r->total_ = bytes.size();
  r->memory_ = std::move(bytes);
  r->from_memory_ = true;
  return r;
}

Result<size_t> RecordingReader::read_exact(uint8_t* dst, size_t n) {
  if (from_memory_) {
    size_t k = std::min(n, memory_.size() - memory_pos_);
    if (k) std::memcpy(dst, memory_.data() + memory_pos_, k);
    memory_pos_ += k;
    return k;
  }
  size_t done = 0;
  while (done < n) {
    ssize_t got = ::read(fd_, dst + done, n - done);
    if (got < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("reading " + name_ + " at byte " + std::to_string(offset_ + done) +
                             ": " + std::strerror(errno));
    }
    if (got == 0) break;
    done += size_t(got);
  }
  return done;
}

Result<size_t> RecordingReader::read_at(uint64_t offset, uint8_t* dst, size_t n) {
  if (from_memory_) {
    if (offset >= memory_.size()) return size_t(0);
    size_t k = std::min<uint64_t>(n, memory_.size() - offset);
    if (k) std::memcpy(dst, memory_.data() + offset, k);  // dst may be null when n is 0
    return k;
  }
  size_t done = 0;
  while (done < n) {
    ssize_t got = ::pread(fd_, dst + done, n - done, off_t(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("reading " + name_ + " at byte " + std::to_string(offset + done) +
                             ": " + std::strerror(errno));
    }
    if (got == 0) break;
    done += size_t(got);
  }
  return done;
}

Status RecordingReader::seek(uint64_t offset) {
  if (from_memory_) {
    memory_pos_ = size_t(std::min<uint64_t>(offset, memory_.size()));
  } else if (::lseek(fd_, off_t(offset), SEEK_SET) < 0) {
    return Status::IOError("seeking " + name_ + " to byte " + std::to_string(offset) + ": " +
                           std::strerror(errno));
  }
  offset_ = offset;
  return Status::OK();
}

Result<std::optional<uint64_t>> RecordingReader::find_intact_message(uint64_t from) {
  // Scans in windows; a candidate is a header that parses, announces a non-empty payload
  // (every real message has one) that fits in the input, and whose payload's CRC checks.
  // Random bytes pass the header test about once in 10^8 positions, the CRC once in 4*10^9.
  const size_t kWindow = 1 << 20;
  std::vector<uint8_t> window(kWindow + kMessageHeaderBytes);
  const uint64_t end = total_;
  for (uint64_t base = from; base + kMessageHeaderBytes <= end; base += kWindow) {
    REEL_ASSIGN_OR_RETURN(size_t got, read_at(base, window.data(), window.size()));
    if (got < kMessageHeaderBytes) break;
    for (size_t i = 0; i + kMessageHeaderBytes <= got && i < kWindow; ++i) {
      const uint8_t* p = window.data() + i;
      if (p[0] < 1 || p[0] > 4 || p[1] > 2 || p[2] != 0 || p[3] != 0) continue;
      const uint64_t at = base + i;
      auto h = internal::parse_message_header(p, at, options_.max_message_bytes);
      if (!h.ok() || h->stored_bytes == 0) continue;
      if (at + kMessageHeaderBytes + h->stored_bytes > end) continue;
      std::vector<uint8_t> payload(size_t(h->stored_bytes));
      REEL_ASSIGN_OR_RETURN(size_t n,
                            read_at(at + kMessageHeaderBytes, payload.data(), payload.size()));
      if (n != payload.size()) continue;
      if (internal::verify_crc(*h, payload, at).ok()) return std::optional<uint64_t>(at);
    }
  }
  return std::optional<uint64_t>();
}

Result<bool> RecordingReader::resynchronise(uint64_t start, const std::string& fault) {
  if (!can_seek() || total_ == 0) return false;
  // When the message before this one ended here and its payload's CRC fails, its own length
  // was the damaged field (it swallowed the start of what follows): the scan starts inside
  // it. A message whose CRC holds is never scanned (its payload may well embed a recording).
  uint64_t from = start + 1;
  if (last_end_ == start && last_start_ < start) {
    std::vector<uint8_t> hb(kMessageHeaderBytes);
    REEL_ASSIGN_OR_RETURN(size_t got, read_at(last_start_, hb.data(), hb.size()));
    if (got == hb.size()) {
      auto h = internal::parse_message_header(hb.data(), last_start_, options_.max_message_bytes);
      if (h.ok() && h->stored_bytes == start - last_start_ - kMessageHeaderBytes) {
        std::vector<uint8_t> payload(size_t(h->stored_bytes));
        REEL_ASSIGN_OR_RETURN(
            got, read_at(last_start_ + kMessageHeaderBytes, payload.data(), payload.size()));
        if (got == payload.size() && !internal::verify_crc(*h, payload, last_start_).ok()) {
          from = last_start_ + 1;
        }
      }
    }
  }
  REEL_ASSIGN_OR_RETURN(auto next, find_intact_message(from));
  if (!next) return false;
  ++corruptions_;
  const std::string where = from <= start
                                ? "; the message at byte " + std::to_string(last_start_) +
                                      " before it is damaged too (its length overran this one)"
                                : "";
  warnings_.push_back(
      name_ + " is corrupt at byte " + std::to_string(start) + ": " + fault + where +
      "; resumed at the next intact message, at byte " + std::to_string(*next) +
      (*next > start ? " (" + std::to_string(*next - start) + " bytes skipped)" : std::string()));
  REEL_RETURN_NOT_OK(seek(*next));
  return true;
}

Result<bool> RecordingReader::next_stream() {
  const uint64_t start = offset_;
  uint8_t h[kFileHeaderBytes];
  REEL_ASSIGN_OR_RETURN(size_t n, read_exact(h, sizeof h));
  if (n == 0) return false;
  if (n < 4 || std::memcmp(h, "REEL", 4) != 0) {
    warnings_.push_back(name_ + ": the bytes after the end-of-stream marker, from byte " +
                        std::to_string(start) + ", are not a reel recording: ignored");
    return false;
  }
  if (n < sizeof h) {
    warnings_.push_back(name_ + " is truncated inside the header of its recording " +
                        std::to_string(recording_streams_ + 2) + " at byte " +
                        std::to_string(start));
    return false;
  }
  const uint16_t version = internal::get_u16(h + 4);
  if (version == 0 || version > kFormatVersion) {
    warnings_.push_back(name_ + ": recording " + std::to_string(recording_streams_ + 2) +
                        " at byte " + std::to_string(start) + " has format version " +
                        std::to_string(version) + ", which this reader cannot read: ignored");
    return false;
  }
  stream_ = next_stream_id_++;
  ++recording_streams_;
  blueprint_.reset();
  offset_ = start + kFileHeaderBytes;
  after_end_ = false;
  return true;
}

Status RecordingReader::read_header() {
  uint8_t h[kFileHeaderBytes];
  REEL_ASSIGN_OR_RETURN(size_t n, read_exact(h, sizeof h));
  if (n == 0) return Status::Corrupt(name_ + " is empty: not a reel recording");
  if (n >= 3 && std::memcmp(h, "RRF", 3) == 0) return start_rrd({h, n});  // Rerun's .rrd
  if (n >= 4 && std::memcmp(h, "REEL", 4) != 0) {
    return Status::Corrupt(name_ + " is not a reel recording: bad magic at byte 0");
  }
  if (n < sizeof h) {
    return Status::Corrupt(name_ + " is truncated inside its " + std::to_string(kFileHeaderBytes) +
                           "-byte header (" + std::to_string(n) + " bytes)");
  }
  version_ = internal::get_u16(h + 4);
  if (version_ == 0) return Status::Corrupt(name_ + ": format version 0 is invalid");
  if (version_ > kFormatVersion) {
    return Status::NotImplemented(name_ + ": file format version " + std::to_string(version_) +
                                  " is newer than this reader's " + std::to_string(kFormatVersion) +
                                  ": upgrade reel to read it");
  }
  offset_ = kFileHeaderBytes;
  header_read_ = true;
  return Status::OK();
}

Result<std::optional<RawMessage>> RecordingReader::next_raw() {
  for (;;) {
    if (done_) return std::optional<RawMessage>();
    if (!header_read_) {
      Status st = read_header();
      if (!st.ok()) {
        done_ = true;
        return st;
      }
    }
    if (rrd_) return next_raw_rrd();
    if (after_end_) {
      auto more = next_stream();
      if (!more.ok() || !*more) {
        done_ = true;
        if (!more.ok()) return more.status();
        return std::optional<RawMessage>();
      }
    }
    const uint64_t start = offset_;
    auto truncated = [&](const std::string& what) {
      warnings_.push_back(name_ + " is truncated: " + what + " at byte " + std::to_string(start) +
                          "; every complete message before it was read");
      done_ = true;
      return std::optional<RawMessage>();
    };
    uint8_t hb[kMessageHeaderBytes];
    REEL_ASSIGN_OR_RETURN(size_t n, read_exact(hb, sizeof hb));
    if (n == 0) {
      done_ = true;
      warnings_.push_back(name_ + " ends at byte " + std::to_string(start) +
                          " without an end-of-stream marker: the writer did not finish (killed, "
                          "or still writing); every complete message was read");
      return std::optional<RawMessage>();
    }
    if (n < sizeof hb) return truncated("incomplete message header");
    auto header = internal::parse_message_header(hb, start, options_.max_message_bytes);
    if (!header.ok()) {
      REEL_ASSIGN_OR_RETURN(bool resumed, resynchronise(start, header.status().message()));
      if (resumed) continue;
      done_ = true;
      return header.status().with_context(name_);
    }
    const internal::MessageHeader& h = *header;
    const std::string what = "incomplete " + std::string(message_kind_name(h.kind)) + " message";
    if (total_ && start + kMessageHeaderBytes + h.stored_bytes > total_) {
      const std::string lengths =
          std::to_string(h.stored_bytes) + " bytes announced, " +
          std::to_string(total_ - std::min(total_, start + kMessageHeaderBytes)) + " left";
      // A damaged length, when an intact message follows; else the input was cut here.
      REEL_ASSIGN_OR_RETURN(
          bool resumed,
          resynchronise(start, "its length runs past the end of the input (" + lengths + ")"));
      if (resumed) continue;
      // Known size: do not allocate for bytes that are not there.
      return truncated(what + " (" + lengths + ")");
    }
    // For inputs of unknown size, grow the buffer as bytes arrive, so that a bogus length
    // costs no more memory than the bytes actually sent.
    std::shared_ptr<arrow::Buffer> stored;
    if (total_ || h.stored_bytes <= (16u << 20)) {
      REEL_ASSIGN_OR_RETURN(stored,
                            arrow::Buffer::try_allocate_for_overwrite(size_t(h.stored_bytes)));
      REEL_ASSIGN_OR_RETURN(size_t got, read_exact(stored->mutable_data(), stored->size()));
      if (got < stored->size()) return truncated(what);
    } else {
      std::vector<uint8_t> grow;
      size_t step = 16u << 20;
      while (grow.size() < h.stored_bytes) {
        size_t want = std::min<uint64_t>(step, h.stored_bytes - grow.size());
        size_t at = grow.size();
        grow.resize(at + want);
        REEL_ASSIGN_OR_RETURN(size_t got, read_exact(grow.data() + at, want));
        if (got < want) return truncated(what);
        step = std::min<size_t>(step * 2, 256u << 20);
      }
      stored = arrow::Buffer::copy_of(grow.data(), grow.size());
    }
    offset_ = start + kMessageHeaderBytes + h.stored_bytes;
    last_start_ = start;
    last_end_ = offset_;
    if (options_.keep_raw) {
      raw_.assign(hb, hb + sizeof hb);
      raw_.insert(raw_.end(), stored->data(), stored->data() + stored->size());
    }
    if (h.kind == MessageKind::kEnd) after_end_ = true;
    RawMessage raw;
    raw.kind = h.kind;
    raw.stream = stream_;
    if (h.kind == MessageKind::kStoreInfo) {
      // A blueprint's store info switches the chunks after it to that blueprint, a recording's
      // switches them back (store infos are written uncompressed; a damaged one reads as a
      // recording's here and fails in decode_message).
      auto info = h.compression == Compression::kNone
                      ? internal::parse_store_info({stored->data(), stored->size()}, start)
                      : Result<StoreInfo>(Status::Invalid("compressed"));
      if (info.ok() && info->is_blueprint) {
        auto [it, added] = blueprint_streams_.try_emplace(
            std::make_pair(info->application_id, info->recording_id), next_stream_id_);
        if (added) ++next_stream_id_;
        blueprint_ = *info;
        blueprint_stream_ = it->second;
      } else {
        blueprint_.reset();
      }
    }
    if (blueprint_ && (h.kind == MessageKind::kStoreInfo || h.kind == MessageKind::kChunk)) {
      raw.stream = blueprint_stream_;
      raw.store = *blueprint_;
    }
    raw.compression = h.compression;
    raw.crc = h.crc;
    raw.offset = start;
    raw.payload_bytes = h.payload_bytes;
    raw.stored = std::move(stored);
    return std::optional<RawMessage>(std::move(raw));
  }
}

Result<Message> decode_message(RawMessage raw, const ReaderOptions& options,
                               const std::string& source) {
  const uint64_t start = raw.offset;
  Message m;
  m.kind = raw.kind;
  m.stream = raw.stream;
  m.offset = start;
  m.stored_bytes = raw.stored->size();
  m.payload_bytes = raw.payload_bytes;
  m.compression = raw.compression;
  if (raw.rrd) return decode_rrd_message(std::move(raw), std::move(m), options, source);
  internal::MessageHeader h;
  h.kind = raw.kind;
  h.compression = raw.compression;
  h.crc = raw.crc;
  h.payload_bytes = raw.payload_bytes;
  h.stored_bytes = raw.stored->size();
  // Verify the CRC; decompress into a new buffer, or use the stored bytes as they are.
  std::shared_ptr<arrow::Buffer> payload;
  if (h.compression == Compression::kNone) {
    REEL_RETURN_NOT_OK(internal::verify_crc(h, {raw.stored->data(), raw.stored->size()}, start)
                           .with_context(source));
    payload = std::move(raw.stored);
  } else {
    // With copy_chunks nothing keeps the decompressed bytes: a per-thread scratch buffer is
    // reused, sparing the page faults of fresh memory for every message.
    thread_local std::shared_ptr<arrow::Buffer> scratch;
    const bool reuse = options.copy_chunks && h.kind == MessageKind::kChunk;
    if (reuse && scratch && scratch.use_count() > 1) scratch.reset();  // still referenced
    auto r = internal::decompress(h, {raw.stored->data(), raw.stored->size()}, start,
                                  reuse ? scratch : nullptr);
    if (!r.ok()) return r.status().with_context(source);
    payload = *r;
    // Kept for the next message unless large (a thread would hold it for good).
    if (reuse && payload->capacity() <= (16u << 20)) scratch = payload;
    raw.stored.reset();
  }
  std::span<const uint8_t> bytes(payload->data(), payload->size());
  switch (h.kind) {
    case MessageKind::kStoreInfo: {
      auto info = internal::parse_store_info(bytes, start);
      if (!info.ok()) return info.status().with_context(source);
      m.info = *info;
      break;
    }
    case MessageKind::kChunk: {
      m.info = raw.store;  // a blueprint's, or empty (the recording's)
      if (!options.decode_chunks) break;
      size_t in_place = 0;
      Compression buffers = Compression::kNone;
      auto chunk =
          decode_chunk_payload(bytes, payload, &in_place, &buffers, options.max_message_bytes);
      if (!chunk.ok()) {
        return chunk.status().with_context(source + ": chunk message at byte " +
                                           std::to_string(start));
      }
      // The chunk keeps its buffers in place (the payload is its memory) unless that would
      // pin more than it uses (metadata, compressed row ids, the Arrow offsets of unit lists:
      // a quarter of a scalar chunk's payload), or the payload is the scratch buffer. Large
      // raw buffers (images, point clouds, blobs) stay in place.
      const bool copy = options.copy_chunks && in_place > 0 &&
                        (h.compression != Compression::kNone ||
                         double(in_place) < options.in_place_min_share * double(payload->size()));
      m.chunk = copy ? (*chunk)->copy_buffers() : *chunk;
      if (h.compression == Compression::kNone) m.compression = buffers;  // version 3
      break;
    }
    case MessageKind::kFooter: {
      auto footer = internal::parse_footer(bytes, start);
      if (!footer.ok()) return footer.status().with_context(source);
      m.footer = std::move(*footer);
      break;
    }
    case MessageKind::kEnd:
      if (std::memcmp(bytes.data() + 8, "REELFOOT", 8) != 0) {
        return Status::Corrupt(source + ": end-of-stream marker at byte " + std::to_string(start) +
                               " has a bad magic");
      }
      break;
  }
  return m;
}

Result<std::optional<Message>> RecordingReader::next() {
  REEL_ASSIGN_OR_RETURN(auto raw, next_raw());
  if (!raw) return std::optional<Message>();
  for (;;) {
    auto m = decode_message(std::move(*raw), options_, name_);
    if (m.ok()) {
      warnings_.insert(warnings_.end(), m->warnings.begin(), m->warnings.end());
      warn_dropped_columns(*m, name_, dropped_seen_, warnings_);
      return std::optional<Message>(std::move(*m));
    }
    if (!is_damage(m.status())) {
      done_ = true;
      return m.status();
    }
    // Its framing held, so the next message starts where this one ends: skip it.
    report_damaged(m.status());
    REEL_ASSIGN_OR_RETURN(raw, next_raw());
    if (!raw) return std::optional<Message>();
  }
}

bool is_damage(const Status& status) {
  return status.code() != StatusCode::kIOError && status.code() != StatusCode::kCancelled;
}

void RecordingReader::report_damaged(const Status& status) {
  ++corruptions_;
  warnings_.push_back(status.message() + "; the message was skipped and reading went on");
}

namespace internal {

Result<std::optional<Footer>> read_footer_fd(int fd, const std::string& path, uint64_t size,
                                             uint64_t* footer_end) {
  const uint64_t end_bytes = kMessageHeaderBytes + 16;
  if (size < kFileHeaderBytes + end_bytes) return std::optional<Footer>();
  uint8_t tail[kMessageHeaderBytes + 16];
  if (::pread(fd, tail, sizeof tail, off_t(size - sizeof tail)) != ssize_t(sizeof tail)) {
    return Status::IOError("cannot read the end of " + path);
  }
  if (tail[0] != uint8_t(MessageKind::kEnd) || std::memcmp(tail + 24 + 8, "REELFOOT", 8) != 0) {
    return std::optional<Footer>();
  }
  const uint64_t footer_offset = internal::get_u64(tail + 24);
  if (footer_offset == 0) return std::optional<Footer>();
  if (footer_offset < kFileHeaderBytes || footer_offset + kMessageHeaderBytes > size - end_bytes) {
    return Status::Corrupt(path + ": footer offset " + std::to_string(footer_offset) +
                           " is outside the file");
  }
  uint8_t hb[kMessageHeaderBytes];
  if (::pread(fd, hb, sizeof hb, off_t(footer_offset)) != ssize_t(sizeof hb)) {
    return Status::IOError("cannot read the footer of " + path);
  }
  REEL_ASSIGN_OR_RETURN(auto h, internal::parse_message_header(hb, footer_offset, 1ull << 30));
  if (h.kind != MessageKind::kFooter ||
      footer_offset + kMessageHeaderBytes + h.stored_bytes > size) {
    return Status::Corrupt(path + ": no footer message at byte " + std::to_string(footer_offset));
  }
  std::vector<uint8_t> stored(size_t(h.stored_bytes));
  if (::pread(fd, stored.data(), stored.size(), off_t(footer_offset + kMessageHeaderBytes)) !=
      ssize_t(stored.size())) {
    return Status::IOError("cannot read the footer of " + path);
  }
  REEL_ASSIGN_OR_RETURN(auto payload, internal::decompress(h, stored, footer_offset));
  REEL_ASSIGN_OR_RETURN(auto footer,
                        internal::parse_footer({payload->data(), payload->size()}, footer_offset));
  if (footer_end) *footer_end = footer_offset + kMessageHeaderBytes + h.stored_bytes;
  return std::optional<Footer>(std::move(footer));
}

}  // namespace internal

Result<std::optional<Footer>> read_footer(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::IOError("cannot stat " + path);
  return internal::read_footer_fd(fd, path, uint64_t(st.st_size), nullptr);
}

}  // namespace reel::format
