#include "reel/import/mcap_reader.hpp"

#include <cstring>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>

#include "import/byte_cursor_internal.hpp"
#include "import/compression_internal.hpp"
#include "import/stream_input_internal.hpp"

namespace reel::import {

namespace {

using internal::ByteCursor;
using internal::Codec;

constexpr uint8_t kMagic[8] = {0x89, 'M', 'C', 'A', 'P', 0x30, '\r', '\n'};
constexpr size_t kRecordHeaderBytes = 9;  // opcode u8 + content length u64

enum Op : uint8_t {
  kHeader = 0x01,
  kFooter = 0x02,
  kSchema = 0x03,
  kChannel = 0x04,
  kMessage = 0x05,
  kChunk = 0x06,
  kMessageIndex = 0x07,
  kChunkIndex = 0x08,
  kAttachment = 0x09,
  kAttachmentIndex = 0x0A,
  kStatistics = 0x0B,
  kMetadata = 0x0C,
  kMetadataIndex = 0x0D,
  kSummaryOffset = 0x0E,
  kDataEnd = 0x0F,
};

const char* op_name(uint8_t op) {
  switch (op) {
    case kHeader:
      return "Header";
    case kFooter:
      return "Footer";
    case kSchema:
      return "Schema";
    case kChannel:
      return "Channel";
    case kMessage:
      return "Message";
    case kChunk:
      return "Chunk";
    case kMessageIndex:
      return "MessageIndex";
    case kChunkIndex:
      return "ChunkIndex";
    case kAttachment:
      return "Attachment";
    case kAttachmentIndex:
      return "AttachmentIndex";
    case kStatistics:
      return "Statistics";
    case kMetadata:
      return "Metadata";
    case kMetadataIndex:
      return "MetadataIndex";
    case kSummaryOffset:
      return "SummaryOffset";
    case kDataEnd:
      return "DataEnd";
    default:
      return "unknown";
  }
}

std::string hex_op(uint8_t op) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  s += digits[op >> 4];
  s += digits[op & 15];
  return s;
}

bool read_map(ByteCursor& c, KeyValues& out) {
  uint32_t n;
  std::span<const uint8_t> bytes;
  if (!c.read(n) || !c.bytes(n, bytes)) return false;
  ByteCursor m(bytes);
  while (!m.at_end()) {
    std::string k, v;
    if (!m.string32(k) || !m.string32(v)) return false;
    out.emplace_back(std::move(k), std::move(v));
  }
  return true;
}

// Map<uint16, uint64> (chunk index offsets, statistics counts).
bool read_u16_u64_map(ByteCursor& c, std::vector<std::pair<uint16_t, uint64_t>>* out) {
  uint32_t n;
  std::span<const uint8_t> bytes;
  if (!c.read(n) || !c.bytes(n, bytes) || n % 10 != 0) return false;
  ByteCursor m(bytes);
  while (!m.at_end()) {
    uint16_t k;
    uint64_t v;
    if (!m.read(k) || !m.read(v)) return false;
    if (out) out->emplace_back(k, v);
  }
  return true;
}

class McapReaderImpl final : public McapReader {
 public:
  McapReaderImpl(std::unique_ptr<ByteSource> source, McapReaderOptions options)
      : in_(std::move(source)), options_(options) {}

  Status start() {
    uint8_t magic[8];
    if (options_.check_data_section_crc) in_.start_crc();
    REEL_ASSIGN_OR_RETURN(size_t n, in_.read(magic, sizeof magic));
    if (n == 0) return Status::Corrupt(in_.name() + " is empty: not an MCAP file");
    if (n < 5 || std::memcmp(magic, kMagic, 5) != 0) {
      return Status::Corrupt(in_.name() + " is not an MCAP file: bad magic at byte 0");
    }
    if (n < sizeof magic) {
      return Status::Corrupt(in_.name() + " is truncated inside its magic bytes");
    }
    if (magic[5] != kMagic[5]) {
      return Status::NotImplemented(in_.name() + ": MCAP major version '" +
                                    std::string(1, char(magic[5])) + "' is not supported");
    }
    if (std::memcmp(magic, kMagic, sizeof magic) != 0) {
      return Status::Corrupt(in_.name() + " is not an MCAP file: bad magic at byte 0");
    }
    if (options_.read_summary_first) read_summary_first();
    return Status::OK();
  }

  // The summary's schemas and channels (and statistics), queued as the first events. Any
  // doubt (no footer, bad CRC, odd offsets) and the summary is left alone: the data section
  // has everything anyway.
  void read_summary_first() {
    const auto left = in_.remaining();
    if (!left) return;
    const uint64_t size = *left + in_.offset();
    constexpr uint64_t kTail = kRecordHeaderBytes + 20 + 8;  // footer record + magic
    if (size < 8 + kTail) return;
    uint8_t tail[kTail];
    auto n = in_.read_at(size - kTail, tail, kTail);
    if (!n.ok() || *n != kTail) return;
    if (tail[0] != kFooter || internal::load_le<uint64_t>(tail + 1) != 20 ||
        std::memcmp(tail + kTail - 8, kMagic, 8) != 0) {
      return;
    }
    const uint64_t start = internal::load_le<uint64_t>(tail + 9);
    const uint32_t crc = internal::load_le<uint32_t>(tail + 25);
    const uint64_t end = size - kTail;
    if (start < 8 || start >= end || end - start > options_.max_record_bytes) return;
    auto buffer = arrow::Buffer::try_allocate_for_overwrite(size_t(end - start));
    if (!buffer.ok()) return;
    auto got = in_.read_at(start, (*buffer)->mutable_data(), size_t(end - start));
    if (!got.ok() || *got != end - start) return;
    std::shared_ptr<arrow::Buffer> summary = std::move(buffer).value();
    if (options_.check_crcs && crc != 0) {
      uint32_t c = internal::crc32(0, summary->data(), summary->size());
      c = internal::crc32(c, tail, 25);
      if (c != crc) {
        warn(start, "summary section CRC mismatch; the summary is not used");
        return;
      }
    }
    size_t pos = 0;
    while (summary->size() - pos >= kRecordHeaderBytes) {
      const uint8_t op = summary->data()[pos];
      const uint64_t length = internal::load_le<uint64_t>(summary->data() + pos + 1);
      if (length > summary->size() - pos - kRecordHeaderBytes) break;
      const size_t begin = pos + kRecordHeaderBytes;
      pos = begin + size_t(length);
      if (op != kSchema && op != kChannel && op != kStatistics) continue;
      McapEvent ev;
      auto made =
          parse_record(op, start + begin - kRecordHeaderBytes, summary, begin, pos, -1, &ev);
      if (made.ok() && *made) queued_.push_back(std::move(ev));
    }
  }

  const McapHeader& header() const override { return header_; }
  const std::vector<ImportWarning>& warnings() const override { return warnings_; }
  const McapSchema* schema(uint16_t id) const override {
    auto it = schemas_.find(id);
    return it == schemas_.end() ? nullptr : it->second.get();
  }
  const McapChannel* channel(uint16_t id) const override {
    auto it = channels_.find(id);
    return it == channels_.end() ? nullptr : it->second.get();
  }
  const std::optional<McapStatistics>& statistics() const override { return statistics_; }
  uint64_t offset() const override { return in_.offset(); }

  Result<bool> next(McapEvent* event) override {
    // The previous message's bytes are released, so their buffer can be recycled.
    event->message.buffer.reset();
    event->message.data = {};
    event->attachment.data = {};
    if (!queued_.empty()) {
      *event = std::move(queued_.front());
      queued_.pop_front();
      return true;
    }
    while (true) {
      if (chunk_) {
        if (next_in_chunk(event)) return true;
        continue;
      }
      if (done_) return false;
      REEL_ASSIGN_OR_RETURN(bool got, next_record(event));
      if (got) return true;
    }
  }

 private:
  void warn(uint64_t offset, const std::string& what) {
    warnings_.push_back({offset, in_.name() + " at byte " + std::to_string(offset) + ": " + what});
  }

  // ---- records in the file ------------------------------------------------------------

  // Reads one record of the file; true if it produced an event.
  Result<bool> next_record(McapEvent* event) {
    const uint64_t at = in_.offset();
    const uint32_t crc_before = in_.crc();
    uint8_t head[kRecordHeaderBytes];
    REEL_ASSIGN_OR_RETURN(size_t n, in_.read(head, sizeof head));
    if (n < sizeof head) {
      done_ = true;
      warn(at, n == 0 ? "the file ends without a footer (truncated?)"
                      : "the file ends inside a record header (truncated)");
      return false;
    }
    const uint8_t op = head[0];
    const uint64_t length = internal::load_le<uint64_t>(head + 1);
    if (!seen_header_ && op != kHeader) {
      warn(at, "the first record is " + std::string(op_name(op)) + " (" + hex_op(op) +
                   "), not the Header");
      seen_header_ = true;
    }
    if (op == kFooter) return read_footer(at, length);
    if (op == kDataEnd) {
      // The data section CRC covers everything before this record.
      data_crc_ = crc_before;
      data_crc_valid_ = options_.check_data_section_crc;
    }
    const auto left = in_.remaining();
    if (length > options_.max_record_bytes && !(left && length > *left)) {
      warn(at, std::string(op_name(op)) + " record of " + std::to_string(length) +
                   " bytes exceeds the limit of " + std::to_string(options_.max_record_bytes) +
                   " bytes; skipped");
      REEL_ASSIGN_OR_RETURN(uint64_t skipped, in_.skip(length));
      if (skipped < length) {
        done_ = true;
        warn(in_.offset(), "the file ends inside that record (truncated)");
      }
      return false;
    }
    // Private records (0x80-0xFF) are skipped quietly, unknown public ones with a warning.
    if (op >= 0x80 || op == 0 || op > kDataEnd) {
      if (op < 0x80 && warned_ops_.insert(op).second) {
        warn(at, "unknown record opcode " + hex_op(op) + " (" + std::to_string(length) +
                     " bytes) skipped");
      }
      REEL_ASSIGN_OR_RETURN(uint64_t skipped, in_.skip(length));
      if (skipped < length) {
        done_ = true;
        warn(in_.offset(),
             "the file ends inside the record at byte " + std::to_string(at) + " (truncated)");
      }
      return false;
    }
    REEL_ASSIGN_OR_RETURN(
        auto buffer, in_.read_buffer(std::min(length, options_.max_record_bytes), record_slot_));
    if (buffer->size() < length) {
      done_ = true;
      const uint64_t end = at + kRecordHeaderBytes + buffer->size();
      if (op == kChunk) {
        recover_cut_chunk(at, end, length, buffer);
        return false;
      }
      warn(end, "the file ends inside a " + std::string(op_name(op)) + " record at byte " +
                    std::to_string(at) + " that declares " + std::to_string(length) +
                    " bytes (truncated)");
      return false;
    }
    if (op == kDataEnd) {
      in_.stop_crc();
      if (options_.check_crcs) in_.start_crc();  // now for the summary CRC
      summary_crc_start_ = in_.offset();
    }
    return parse_record(op, at, buffer, 0, buffer->size(), -1, event);
  }

  Result<bool> read_footer(uint64_t at, uint64_t length) {
    done_ = true;
    const uint32_t summary_crc_so_far = in_.crc();
    uint8_t footer[20];
    if (length != sizeof footer) {
      warn(at, "Footer record of " + std::to_string(length) + " bytes, expected 20");
      return false;
    }
    REEL_ASSIGN_OR_RETURN(size_t n, in_.read(footer, sizeof footer));
    if (n < sizeof footer) {
      warn(at, "the file ends inside the Footer record (truncated)");
      return false;
    }
    const uint64_t summary_start = internal::load_le<uint64_t>(footer);
    const uint32_t summary_crc = internal::load_le<uint32_t>(footer + 16);
    // The summary CRC runs over the summary section and the footer up to summary_crc; the
    // footer's record header already went through the running CRC.
    if (options_.check_crcs && summary_crc != 0 && summary_start != 0 &&
        summary_start == summary_crc_start_) {
      const uint32_t got = internal::crc32(summary_crc_so_far, footer, 16);
      if (got != summary_crc) {
        warn(summary_start, "summary section CRC mismatch (file says " +
                                std::to_string(summary_crc) + ", bytes give " +
                                std::to_string(got) + ")");
      }
    }
    in_.stop_crc();
    uint8_t magic[8];
    REEL_ASSIGN_OR_RETURN(size_t m, in_.read(magic, sizeof magic));
    if (m < sizeof magic || std::memcmp(magic, kMagic, sizeof magic) != 0) {
      warn(at + kRecordHeaderBytes + sizeof footer,
           m < sizeof magic ? "the file ends before its closing magic (truncated)"
                            : "bad closing magic after the footer");
    }
    return false;
  }

  // Parses a record whose content is buffer[begin, end). `chunk_offset` >= 0 for records inside
  // a chunk (their offset in the uncompressed records); `at` is the file offset of the record
  // (or of the enclosing chunk).
  Result<bool> parse_record(uint8_t op, uint64_t at, const std::shared_ptr<arrow::Buffer>& buffer,
                            size_t begin, size_t end, int64_t chunk_offset, McapEvent* event) {
    ByteCursor c(std::span<const uint8_t>(buffer->data() + begin, end - begin));
    auto bad = [&](const char* what) {
      std::string where =
          chunk_offset >= 0 ? " at offset " + std::to_string(chunk_offset) + " in the chunk" : "";
      warn(at, std::string(op_name(op)) + " record" + where + " is malformed: " + what);
      return false;
    };
    switch (op) {
      case kHeader: {
        seen_header_ = true;
        if (!c.string32(header_.profile) || !c.string32(header_.library)) {
          return bad("its strings run past the record");
        }
        return false;
      }
      case kSchema: {
        auto s = std::make_unique<McapSchema>();
        std::span<const uint8_t> data;
        if (!c.read(s->id) || !c.string32(s->name) || !c.string32(s->encoding) ||
            !c.bytes32(data)) {
          return bad("its fields run past the record");
        }
        s->data.assign(data.begin(), data.end());
        if (s->id == 0) {
          warn(at, "Schema record with id 0 ignored (the spec reserves it)");
          return false;
        }
        auto it = schemas_.find(s->id);
        if (it != schemas_.end()) {
          const McapSchema& old = *it->second;
          if (old.name != s->name || old.encoding != s->encoding || old.data != s->data) {
            warn(at, "Schema " + std::to_string(s->id) + " redefined differently; kept the first");
          }
          return false;
        }
        const McapSchema* p = s.get();
        schemas_.emplace(s->id, std::move(s));
        event->kind = McapEventKind::kSchema;
        event->schema = p;
        return true;
      }
      case kChannel: {
        auto ch = std::make_unique<McapChannel>();
        if (!c.read(ch->id) || !c.read(ch->schema_id) || !c.string32(ch->topic) ||
            !c.string32(ch->message_encoding) || !read_map(c, ch->metadata)) {
          return bad("its fields run past the record");
        }
        auto it = channels_.find(ch->id);
        if (it != channels_.end()) {
          const McapChannel& old = *it->second;
          if (old.schema_id != ch->schema_id || old.topic != ch->topic ||
              old.message_encoding != ch->message_encoding || old.metadata != ch->metadata) {
            warn(at,
                 "Channel " + std::to_string(ch->id) + " redefined differently; kept the first");
          }
          return false;
        }
        if (ch->schema_id != 0 && !schemas_.count(ch->schema_id)) {
          warn(at, "Channel " + std::to_string(ch->id) + " (" + ch->topic + ") refers to schema " +
                       std::to_string(ch->schema_id) + ", which the file has not defined");
        }
        const McapChannel* p = ch.get();
        channels_.emplace(ch->id, std::move(ch));
        event->kind = McapEventKind::kChannel;
        event->channel = p;
        return true;
      }
      case kMessage: {
        uint16_t channel_id;
        McapMessage& m = event->message;
        if (!c.read(channel_id) || !c.read(m.sequence) || !c.read(m.log_time) ||
            !c.read(m.publish_time)) {
          return bad("it is shorter than its 22 fixed bytes");
        }
        auto it = channels_.find(channel_id);
        if (it == channels_.end()) {
          if (unknown_channels_.insert(channel_id).second) {
            warn(at, "message on channel " + std::to_string(channel_id) +
                         ", which the file has not defined before it; such messages are skipped");
          }
          return false;
        }
        m.channel = it->second.get();
        m.schema = m.channel->schema_id ? schema(m.channel->schema_id) : nullptr;
        m.data = {c.here(), c.remaining()};
        m.buffer = buffer;
        m.offset = at;
        m.offset_in_chunk = chunk_offset;
        event->kind = McapEventKind::kMessage;
        return true;
      }
      case kChunk: {
        if (chunk_offset >= 0) return bad("a chunk inside a chunk");
        open_chunk(at, buffer, begin, end, /*cut=*/false);
        return false;
      }
      case kMessageIndex: {
        uint16_t channel_id;
        uint32_t n;
        if (!c.read(channel_id) || !c.read(n) || n % 16 != 0 || !c.skip(n)) {
          return bad("its entries do not fit the record");
        }
        return false;
      }
      case kChunkIndex: {
        uint64_t v;
        std::string compression;
        if (!c.read(v) || !c.read(v) || !c.read(v) || !c.read(v) || !read_u16_u64_map(c, nullptr) ||
            !c.read(v) || !c.string32(compression) || !c.read(v) || !c.read(v)) {
          return bad("its fields run past the record");
        }
        return false;
      }
      case kAttachment: {
        McapAttachment& a = event->attachment;
        std::span<const uint8_t> data;
        if (!c.read(a.log_time) || !c.read(a.create_time) || !c.string32(a.name) ||
            !c.string32(a.media_type) || !c.bytes64(data)) {
          return bad("its fields run past the record");
        }
        const size_t crc_end = c.pos();
        uint32_t crc;
        if (!c.read(crc)) return bad("it has no CRC");
        if (options_.check_crcs && crc != 0) {
          const uint32_t got = internal::crc32(0, buffer->data() + begin, crc_end);
          if (got != crc) {
            warn(at, "Attachment '" + a.name + "' CRC mismatch; skipped");
            return false;
          }
        }
        if (chunk_offset >= 0) return bad("attachments may not be inside chunks");
        a.data = data;
        a.offset = at;
        event->kind = McapEventKind::kAttachment;
        return true;
      }
      case kAttachmentIndex: {
        uint64_t v;
        std::string s;
        if (!c.read(v) || !c.read(v) || !c.read(v) || !c.read(v) || !c.read(v) || !c.string32(s) ||
            !c.string32(s)) {
          return bad("its fields run past the record");
        }
        return false;
      }
      case kStatistics: {
        McapStatistics st;
        if (!c.read(st.message_count) || !c.read(st.schema_count) || !c.read(st.channel_count) ||
            !c.read(st.attachment_count) || !c.read(st.metadata_count) || !c.read(st.chunk_count) ||
            !c.read(st.message_start_time) || !c.read(st.message_end_time) ||
            !read_u16_u64_map(c, &st.channel_message_counts)) {
          return bad("its fields run past the record");
        }
        statistics_ = std::move(st);
        return false;
      }
      case kMetadata: {
        McapMetadata& md = event->metadata;
        md.metadata.clear();
        if (!c.string32(md.name) || !read_map(c, md.metadata)) {
          return bad("its fields run past the record");
        }
        if (chunk_offset >= 0) return bad("metadata may not be inside chunks");
        md.offset = at;
        event->kind = McapEventKind::kMetadata;
        return true;
      }
      case kMetadataIndex: {
        uint64_t v;
        std::string s;
        if (!c.read(v) || !c.read(v) || !c.string32(s))
          return bad("its fields run past the record");
        return false;
      }
      case kSummaryOffset: {
        uint8_t group;
        uint64_t v;
        if (!c.read(group) || !c.read(v) || !c.read(v)) return bad("it is shorter than 17 bytes");
        return false;
      }
      case kDataEnd: {
        uint32_t crc;
        if (!c.read(crc)) return bad("it has no CRC");
        if (data_crc_valid_ && crc != 0 && crc != data_crc_) {
          warn(at, "data section CRC mismatch (file says " + std::to_string(crc) + ", bytes give " +
                       std::to_string(data_crc_) + ")");
        }
        return false;
      }
      default:
        return false;
    }
  }

  // ---- chunks ---------------------------------------------------------------------------

  struct Chunk {
    std::shared_ptr<arrow::Buffer> records;  // uncompressed records
    size_t pos = 0;                          // next record in `records`
    size_t begin = 0;                        // where the records start in `records`
    size_t end = 0;
    uint64_t at = 0;   // file offset of the chunk record
    bool cut = false;  // the file ends inside the chunk
  };

  struct ChunkFields {
    uint64_t uncompressed_size = 0;
    uint32_t crc = 0;
    std::string compression;
    uint64_t records_length = 0;
    size_t records_begin = 0;  // offset of the records in the record content
  };

  static bool parse_chunk_fields(ByteCursor& c, ChunkFields& f) {
    uint64_t start_time, end_time;
    if (!c.read(start_time) || !c.read(end_time) || !c.read(f.uncompressed_size) ||
        !c.read(f.crc) || !c.string32(f.compression) || !c.read(f.records_length)) {
      return false;
    }
    f.records_begin = c.pos();
    return true;
  }

  // Opens the chunk record content buffer[begin, end) for iteration. A chunk that is `cut`
  // (the file ends inside it) is decoded as far as its bytes go.
  void open_chunk(uint64_t at, const std::shared_ptr<arrow::Buffer>& buffer, size_t begin,
                  size_t end, bool cut) {
    ByteCursor c(std::span<const uint8_t>(buffer->data() + begin, end - begin));
    ChunkFields f;
    if (!parse_chunk_fields(c, f)) {
      warn(at, "Chunk record is malformed: its fields run past the record; skipped");
      return;
    }
    if (!cut && f.records_length > c.remaining()) {
      warn(at, "Chunk declares " + std::to_string(f.records_length) + " bytes of records but " +
                   "its record holds " + std::to_string(c.remaining()) + "; skipped");
      return;
    }
    const auto codec = internal::codec_from_name(f.compression);
    if (!codec || *codec == Codec::kBz2) {
      if (warned_compressions_.insert(f.compression).second) {
        warn(at, "Chunk compression '" + f.compression +
                     "' is not supported (only \"\", \"lz4\", \"zstd\"); its messages are skipped");
      }
      return;
    }
    if (f.uncompressed_size > options_.max_record_bytes) {
      warn(at, "Chunk declares " + std::to_string(f.uncompressed_size) +
                   " uncompressed bytes, over the limit of " +
                   std::to_string(options_.max_record_bytes) + "; skipped");
      return;
    }
    const size_t avail = size_t(std::min<uint64_t>(f.records_length, c.remaining()));
    const std::span<const uint8_t> compressed(buffer->data() + begin + f.records_begin, avail);
    Chunk chunk;
    chunk.at = at;
    if (cut) {
      chunk.records = internal::decompress_prefix(*codec, compressed, f.uncompressed_size);
      if (!chunk.records) return;
      chunk.begin = 0;
      chunk.end = chunk.records->size();
    } else if (*codec == Codec::kNone) {
      if (f.uncompressed_size != f.records_length) {
        warn(at, "uncompressed Chunk declares " + std::to_string(f.uncompressed_size) +
                     " bytes but holds " + std::to_string(f.records_length) + "; skipped");
        return;
      }
      chunk.records = buffer;  // no copy: the records are the record's own bytes
      chunk.begin = begin + f.records_begin;
      chunk.end = chunk.begin + avail;
    } else {
      auto out =
          internal::decompress(*codec, compressed, f.uncompressed_size, std::move(chunk_slot_));
      if (!out.ok()) {
        warn(at, "Chunk does not decompress: " + out.status().message() + "; skipped");
        return;
      }
      chunk.records = std::move(out).value();
      chunk_slot_ = chunk.records;
      chunk.begin = 0;
      chunk.end = chunk.records->size();
    }
    if (!cut && options_.check_crcs && f.crc != 0) {
      const uint32_t got =
          internal::crc32(0, chunk.records->data() + chunk.begin, chunk.end - chunk.begin);
      if (got != f.crc) {
        warn(at, "Chunk CRC mismatch (file says " + std::to_string(f.crc) + ", records give " +
                     std::to_string(got) + "); skipped");
        return;
      }
    }
    chunk.pos = chunk.begin;
    chunk_ = std::move(chunk);
  }

  // The file ends inside a chunk record: use the records that are complete in what is there.
  void recover_cut_chunk(uint64_t at, uint64_t end, uint64_t length,
                         const std::shared_ptr<arrow::Buffer>& buffer) {
    warn(end, "the file ends inside a Chunk record at byte " + std::to_string(at) +
                  " that declares " + std::to_string(length) +
                  " bytes (truncated); its complete messages are kept");
    open_chunk(at, buffer, 0, buffer->size(), /*cut=*/true);
    if (chunk_) chunk_->cut = true;
  }

  // The next record of the open chunk; true if it produced an event.
  bool next_in_chunk(McapEvent* event) {
    Chunk& ch = *chunk_;
    while (ch.pos < ch.end) {
      const size_t left = ch.end - ch.pos;
      const int64_t rel = int64_t(ch.pos - ch.begin);
      if (left < kRecordHeaderBytes) {
        if (!ch.cut)
          warn(ch.at, "Chunk ends inside a record header at offset " + std::to_string(rel));
        break;
      }
      const uint8_t op = ch.records->data()[ch.pos];
      const uint64_t length = internal::load_le<uint64_t>(ch.records->data() + ch.pos + 1);
      if (length > left - kRecordHeaderBytes) {
        if (!ch.cut) {
          warn(ch.at, std::string(op_name(op)) + " record at offset " + std::to_string(rel) +
                          " in the chunk declares " + std::to_string(length) +
                          " bytes, past the chunk's end; the rest of the chunk is skipped");
        }
        break;
      }
      const size_t begin = ch.pos + kRecordHeaderBytes;
      const size_t end = begin + size_t(length);
      ch.pos = end;
      if (op >= 0x80) continue;  // private records
      if (op != kSchema && op != kChannel && op != kMessage) {
        if (warned_chunk_ops_.insert(op).second) {
          warn(ch.at, std::string(op_name(op)) + " record (" + hex_op(op) + ") at offset " +
                          std::to_string(rel) + " in a chunk skipped");
        }
        continue;
      }
      // Records in chunks carry no I/O: parse_record cannot fail.
      auto got = parse_record(op, ch.at, ch.records, begin, end, rel, event);
      if (got.ok() && *got) return true;
    }
    chunk_.reset();
    return false;
  }

  internal::StreamInput in_;
  McapReaderOptions options_;
  McapHeader header_;
  bool seen_header_ = false;
  bool done_ = false;
  bool data_crc_valid_ = false;
  uint32_t data_crc_ = 0;
  uint64_t summary_crc_start_ = 0;
  std::vector<ImportWarning> warnings_;
  std::unordered_map<uint16_t, std::unique_ptr<McapSchema>> schemas_;
  std::unordered_map<uint16_t, std::unique_ptr<McapChannel>> channels_;
  std::optional<McapStatistics> statistics_;
  std::set<uint16_t> unknown_channels_;
  std::set<uint8_t> warned_ops_, warned_chunk_ops_;
  std::set<std::string> warned_compressions_;
  std::shared_ptr<arrow::Buffer> record_slot_, chunk_slot_;
  std::optional<Chunk> chunk_;
  std::deque<McapEvent> queued_;  // the summary's schemas and channels, yielded first
};

}  // namespace

Result<std::unique_ptr<McapReader>> McapReader::open(std::unique_ptr<ByteSource> source,
                                                     McapReaderOptions options) {
  auto reader = std::make_unique<McapReaderImpl>(std::move(source), options);
  REEL_RETURN_NOT_OK(reader->start());
  return std::unique_ptr<McapReader>(std::move(reader));
}

Result<std::unique_ptr<McapReader>> McapReader::open(const std::string& path,
                                                     McapReaderOptions options) {
  REEL_ASSIGN_OR_RETURN(auto source, open_file_source(path));
  return open(std::move(source), options);
}

}  // namespace reel::import
