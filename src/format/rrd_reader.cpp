// RrdReader: an RrdDecoder fed from a file, descriptor or bytes; for regular files, the stream
// footer's manifests give resynchronisation points.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "format/rrd_internal.hpp"
#include "reel/arrow/ipc.hpp"
#include "reel/format/rrd.hpp"

namespace reel::format::rrd {

Result<std::vector<uint64_t>> rrd_manifest_chunk_offsets(const RrdManifest& manifest) {
  if (!manifest.data) return std::vector<uint64_t>();
  arrow::ipc::StreamReader reader({manifest.data->data(), manifest.data->size()}, manifest.data);
  REEL_ASSIGN_OR_RETURN(auto schema, reader.schema());
  const int column = schema->field_index("chunk_byte_offset");
  if (column < 0) {
    return Status::Corrupt("manifest of " + manifest.store_id.to_string() +
                           " has no chunk_byte_offset column");
  }
  if (schema->fields[size_t(column)]->type->id() != arrow::TypeId::kUInt64) {
    return Status::TypeError("manifest of " + manifest.store_id.to_string() +
                             ": chunk_byte_offset is not uint64");
  }
  std::vector<uint64_t> offsets;
  while (true) {
    REEL_ASSIGN_OR_RETURN(auto batch, reader.next());
    if (!batch) break;
    const arrow::PrimitiveArray<uint64_t> values(batch->columns[size_t(column)]);
    for (int64_t i = 0; i < values.length(); ++i) {
      if (values.is_valid(i)) offsets.push_back(values.value(i));
    }
  }
  return offsets;
}

namespace {

// Reads exactly n bytes at `offset` (fewer only at the end of the file).
bool pread_exact(int fd, uint8_t* dst, size_t n, uint64_t offset) {
  size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd, dst + done, n - done, off_t(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += size_t(got);
  }
  return true;
}

// The message offsets a valid stream footer at the end of the file lists (best effort: a
// missing or damaged footer, or a manifest reel cannot read yet, gives none).
std::vector<uint64_t> footer_message_offsets(int fd, uint64_t size, uint64_t max_bytes) {
  std::vector<uint64_t> out;
  if (size < kStreamHeaderBytes + kMessageHeaderBytes + kStreamFooterBytes) return out;
  uint8_t f[kStreamFooterBytes];
  if (!pread_exact(fd, f, sizeof f, size - kStreamFooterBytes)) return out;
  if (std::memcmp(f + 20, "RRF2FOOT", 8) != 0 || internal::get_u32_le(f + 28) != 1) return out;
  const uint64_t offset = internal::get_u64_le(f);
  const uint64_t len = internal::get_u64_le(f + 8);
  if (len == 0 || len > max_bytes || len > size - kStreamFooterBytes) return out;
  const uint64_t body_at = size - kStreamFooterBytes - len;
  if (offset > body_at) return out;
  const uint64_t stream_start = body_at - offset;
  std::vector<uint8_t> body(static_cast<size_t>(len));  // len is bounded by the file size
  if (!pread_exact(fd, body.data(), body.size(), body_at)) return out;
  if (internal::footer_checksum(body) != internal::get_u32_le(f + 16)) return out;
  Message end;
  if (!internal::decode_body(MessageKind::kEnd, body, max_bytes, "footer", end).ok()) return out;
  for (const auto& manifest : end.manifests) {
    auto offsets = rrd_manifest_chunk_offsets(manifest);
    if (!offsets.ok()) continue;
    for (uint64_t o : *offsets) {
      if (o >= kMessageHeaderBytes) out.push_back(stream_start + o - kMessageHeaderBytes);
    }
  }
  return out;
}

}  // namespace

RrdReader::RrdReader(int fd, std::string name, DecoderOptions options)
    : fd_(fd), decoder_(std::move(name), options) {}

RrdReader::~RrdReader() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<RrdReader>> RrdReader::open(const std::string& path,
                                                   DecoderOptions options) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  struct stat st;
  std::vector<uint64_t> hints;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    options.total_bytes = uint64_t(st.st_size);
    hints = footer_message_offsets(fd, uint64_t(st.st_size), options.max_message_bytes);
  }
  std::unique_ptr<RrdReader> r(new RrdReader(fd, path, options));
  r->decoder_.add_resync_offsets(hints);
  return r;
}

std::unique_ptr<RrdReader> RrdReader::from_bytes(std::vector<uint8_t> bytes, std::string name,
                                                 DecoderOptions options) {
  options.total_bytes = bytes.size();
  std::unique_ptr<RrdReader> r(new RrdReader(-1, std::move(name), options));
  r->decoder_.push(bytes);
  r->decoder_.finish();
  return r;
}

Result<std::optional<Message>> RrdReader::next() {
  constexpr size_t kReadBytes = 1u << 20;
  while (true) {
    auto m = decoder_.next();
    if (!m.ok() || *m || decoder_.at_end()) return m;
    if (fd_ < 0) {
      decoder_.finish();
      continue;
    }
    // Read what the pending message needs at once (bounded by the decoder's limit).
    const size_t want = std::max(kReadBytes, decoder_.bytes_wanted());
    std::span<uint8_t> dst = decoder_.prepare(want);
    size_t got = 0;
    while (got < dst.size()) {
      const ssize_t n = ::read(fd_, dst.data() + got, dst.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const std::string error = std::strerror(errno);
        decoder_.commit(got);
        return Status::IOError("reading " + decoder_.source() + " at byte " +
                               std::to_string(decoder_.bytes_consumed()) + ": " + error);
      }
      if (n == 0) break;
      got += size_t(n);
    }
    decoder_.commit(got);
    if (got < dst.size()) decoder_.finish();
  }
}

}  // namespace reel::format::rrd
