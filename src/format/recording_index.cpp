// Indexing a recording (from its footer, or by one streaming pass) and reading chunks at
// known offsets.
#include "reel/format/recording_index.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include "format/codec_internal.hpp"

namespace reel::format {

namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// The index from a version 2 footer that belongs to the file's only recording, or nullopt
// (no footer, a version 1 footer, concatenated recordings); a warning says why a footer that
// is there could not be used.
Result<bool> index_from_footer(const std::string& path, RecordingIndex& index) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) return false;
  const uint64_t size = uint64_t(st.st_size);
  uint8_t header[kFileHeaderBytes];
  if (::pread(f.fd, header, sizeof header, 0) != ssize_t(sizeof header) ||
      std::memcmp(header, "REEL", 4) != 0) {
    return false;  // the streaming reader says what is wrong
  }
  const uint16_t version = internal::get_u16(header + 4);
  if (version < 2 || version > kFormatVersion) return false;
  uint64_t footer_end = 0;
  auto footer = internal::read_footer_fd(f.fd, path, size, &footer_end);
  if (!footer.ok()) {
    index.warnings.push_back(footer.status().message() + "; the file was indexed by reading it");
    return false;
  }
  // A footer not directly before the end marker is a later recording's (`cat a.reel b.reel`:
  // its offsets count from that recording's start); a version 1 footer is incomplete.
  if (!*footer || (*footer)->version < 2 || footer_end + kMessageHeaderBytes + 16 != size) {
    return false;
  }
  uint64_t previous = 0;
  for (const auto& e : (*footer)->chunks) {
    if (!e.complete || e.offset < kFileHeaderBytes || e.offset + kMessageHeaderBytes > footer_end ||
        e.offset < previous) {
      index.warnings.push_back(path + ": the footer's entry for byte " + std::to_string(e.offset) +
                               " is not a chunk of this file; the file was indexed by reading it");
      return false;
    }
    previous = e.offset + kMessageHeaderBytes;
  }
  index.version = version;
  index.from_footer = true;
  index.file_bytes = size;
  index.infos = std::move((*footer)->infos);
  index.chunks = std::move((*footer)->chunks);
  // As the streaming reader attributes them: a chunk after a blueprint's store info belongs
  // to that blueprint (each its own stream), until a recording's store info.
  index.chunk_streams.assign(index.chunks.size(), 0);
  index.chunk_blueprint.assign(index.chunks.size(), false);
  std::map<std::pair<std::string, std::string>, uint32_t> blueprints;
  size_t info = 0;
  std::optional<uint32_t> blueprint;
  for (size_t c = 0; c < index.chunks.size(); ++c) {
    for (; info < index.infos.size() && index.infos[info].offset < index.chunks[c].offset; ++info) {
      const StoreInfo& i = index.infos[info].info;
      blueprint.reset();
      if (i.is_blueprint) {
        auto it = blueprints.try_emplace({i.application_id, i.recording_id},
                                         uint32_t(blueprints.size() + 1));
        blueprint = it.first->second;
      }
    }
    if (blueprint) {
      index.chunk_streams[c] = *blueprint;
      index.chunk_blueprint[c] = true;
    }
  }
  return true;
}

}  // namespace

Status index_recording(const std::string& path, RecordingIndex& index, IndexOptions options) {
  index = {};
  index.path = path;
  if (options.use_footer && path != "-") {
    REEL_ASSIGN_OR_RETURN(bool done, index_from_footer(path, index));
    if (done) return Status::OK();
  }
  if (options.footer_only) return Status::OK();
  ReaderOptions ro = options.reader;
  ro.copy_chunks = false;  // each chunk is described and dropped
  ro.keep_raw = false;
  ro.decode_chunks = true;
  REEL_ASSIGN_OR_RETURN(auto reader, RecordingReader::open(path, ro));
  Status status;
  for (;;) {
    auto next = reader->next();
    if (!next.ok()) {
      status = next.status();
      break;
    }
    if (!*next) break;
    Message& m = **next;
    if (m.kind == MessageKind::kStoreInfo) {
      index.infos.push_back({m.offset, m.info});
    } else if (m.kind == MessageKind::kChunk && m.chunk) {
      FooterEntry e = describe_chunk(*m.chunk, m.offset);
      e.stored_bytes = m.stored_bytes;
      e.payload_bytes = m.payload_bytes;
      e.compression = m.compression;
      index.chunks.push_back(std::move(e));
      index.chunk_streams.push_back(m.stream);
      index.chunk_blueprint.push_back(m.info.is_blueprint);
    }
    if (options.progress) options.progress(reader->bytes_read(), reader->total_bytes());
  }
  index.version = reader->version();
  index.file_bytes = reader->bytes_read();
  index.warnings.insert(index.warnings.end(), reader->warnings().begin(), reader->warnings().end());
  return status;
}

// ---------------------------------------------------------------------------------------

Result<std::unique_ptr<ChunkFileReader>> ChunkFileReader::open(const std::string& path,
                                                               ReaderOptions options) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  return std::unique_ptr<ChunkFileReader>(new ChunkFileReader(fd, path, options));
}

ChunkFileReader::~ChunkFileReader() {
  if (fd_ >= 0) ::close(fd_);
}

Result<ChunkPtr> ChunkFileReader::read_chunk(uint64_t offset) const {
  auto read_at = [&](uint8_t* dst, size_t n, uint64_t at) -> Result<size_t> {
    size_t done = 0;
    while (done < n) {
      ssize_t got = ::pread(fd_, dst + done, n - done, off_t(at + done));
      if (got < 0) {
        if (errno == EINTR) continue;
        return Status::IOError("reading " + name_ + " at byte " + std::to_string(at + done) + ": " +
                               std::strerror(errno));
      }
      if (got == 0) break;
      done += size_t(got);
    }
    return done;
  };
  auto truncated = [&](uint64_t need, uint64_t got) {
    return Status::IOError(name_ + " was truncated while being read: the chunk message at byte " +
                           std::to_string(offset) + " needs " + std::to_string(need) + " bytes, " +
                           std::to_string(got) + " are there");
  };
  uint8_t hb[kMessageHeaderBytes];
  REEL_ASSIGN_OR_RETURN(size_t n, read_at(hb, sizeof hb, offset));
  if (n < sizeof hb) return truncated(sizeof hb, n);
  auto header = internal::parse_message_header(hb, offset, options_.max_message_bytes);
  if (!header.ok()) return header.status().with_context(name_);
  if (header->kind != MessageKind::kChunk) {
    return Status::Corrupt(name_ + ": the message at byte " + std::to_string(offset) + " is a " +
                           message_kind_name(header->kind) +
                           " message, not the chunk the index names");
  }
  REEL_ASSIGN_OR_RETURN(auto stored,
                        arrow::Buffer::try_allocate_for_overwrite(size_t(header->stored_bytes)));
  REEL_ASSIGN_OR_RETURN(
      n, read_at(stored->mutable_data(), stored->size(), offset + kMessageHeaderBytes));
  if (n < stored->size()) {
    return truncated(kMessageHeaderBytes + header->stored_bytes, kMessageHeaderBytes + n);
  }
  chunks_read_.fetch_add(1);
  bytes_read_.fetch_add(kMessageHeaderBytes + header->stored_bytes);
  RawMessage raw;
  raw.kind = header->kind;
  raw.compression = header->compression;
  raw.crc = header->crc;
  raw.offset = offset;
  raw.payload_bytes = header->payload_bytes;
  raw.stored = std::move(stored);
  REEL_ASSIGN_OR_RETURN(auto m, decode_message(std::move(raw), options_, name_));
  if (!m.chunk)
    return Status::Invalid(name_ + ": chunk at byte " + std::to_string(offset) +
                           " was not decoded (decode_chunks is off)");
  return m.chunk;
}

}  // namespace reel::format
