#include "reel/import/ros1_bag_reader.hpp"

#include <cstring>
#include <deque>
#include <optional>
#include <set>
#include <unordered_map>

#include "import/byte_cursor_internal.hpp"
#include "import/compression_internal.hpp"
#include "import/stream_input_internal.hpp"

namespace reel::import {

namespace {

using internal::ByteCursor;
using internal::Codec;

constexpr char kVersionLine[] = "#ROSBAG V2.0\n";
constexpr size_t kVersionLineBytes = sizeof kVersionLine - 1;

enum Op : uint8_t {
  kMessageDefinition = 0x01,  // format 1.2; not in 2.0 bags
  kMessageData = 0x02,
  kBagHeader = 0x03,
  kIndexData = 0x04,
  kChunk = 0x05,
  kChunkInfo = 0x06,
  kConnection = 0x07,
};

const char* op_name(uint8_t op) {
  switch (op) {
    case kMessageDefinition:
      return "message definition";
    case kMessageData:
      return "message data";
    case kBagHeader:
      return "bag header";
    case kIndexData:
      return "index data";
    case kChunk:
      return "chunk";
    case kChunkInfo:
      return "chunk info";
    case kConnection:
      return "connection";
    default:
      return "unknown";
  }
}

// A record header: "name=value" fields, each prefixed by its uint32 length.
struct Header {
  std::vector<std::pair<std::string_view, std::span<const uint8_t>>> fields;

  bool parse(std::span<const uint8_t> bytes) {
    ByteCursor c(bytes);
    while (!c.at_end()) {
      std::span<const uint8_t> f;
      if (!c.bytes32(f)) return false;
      const auto* eq = static_cast<const uint8_t*>(std::memchr(f.data(), '=', f.size()));
      if (!eq) return false;
      const size_t name_len = size_t(eq - f.data());
      fields.emplace_back(internal::as_chars(f.subspan(0, name_len)), f.subspan(name_len + 1));
    }
    return true;
  }
  const std::span<const uint8_t>* find(std::string_view name) const {
    for (const auto& [n, v] : fields) {
      if (n == name) return &v;
    }
    return nullptr;
  }
  template <typename T>
  bool get(std::string_view name, T& out) const {
    const auto* v = find(name);
    if (!v || v->size() != sizeof(T)) return false;
    out = internal::load_le<T>(v->data());
    return true;
  }
  bool get_string(std::string_view name, std::string& out) const {
    const auto* v = find(name);
    if (!v) return false;
    out.assign(internal::as_chars(*v));
    return true;
  }
};

uint64_t bag_time(uint64_t raw) {
  const uint64_t sec = raw & 0xFFFFFFFFu;
  const uint64_t nsec = raw >> 32;
  return sec * 1000000000u + nsec;
}

class BagReaderImpl final : public Ros1BagReader {
 public:
  BagReaderImpl(std::unique_ptr<ByteSource> source, Ros1BagReaderOptions options)
      : in_(std::move(source)), options_(options) {}

  Status start() {
    char line[kVersionLineBytes];
    REEL_ASSIGN_OR_RETURN(size_t n, in_.read(reinterpret_cast<uint8_t*>(line), sizeof line));
    const std::string_view got(line, n);
    if (n == 0) return Status::Corrupt(in_.name() + " is empty: not a ROS bag");
    if (got == std::string_view(kVersionLine, kVersionLineBytes)) {
      if (options_.read_index_first) read_index_first();
      return Status::OK();
    }
    if (got.rfind("#ROSBAG V", 0) == 0 || got.rfind("#ROSRECORD", 0) == 0) {
      const size_t nl = got.find('\n');
      return Status::NotImplemented(in_.name() + ": bag format '" + std::string(got.substr(0, nl)) +
                                    "' is not supported (only #ROSBAG V2.0)");
    }
    if (std::string_view(kVersionLine, n).substr(0, n) == got) {
      return Status::Corrupt(in_.name() + " is truncated inside its version line");
    }
    return Status::Corrupt(in_.name() + " is not a ROS bag: no '#ROSBAG V2.0' line at byte 0");
  }

  // The connection records after the chunks, queued as the first events. Any doubt and the
  // index is left alone: the chunks define every connection anyway.
  void read_index_first() {
    const auto left = in_.remaining();
    if (!left) return;
    const uint64_t size = *left + in_.offset();
    // The bag header record: header_len, header (with index_pos), data_len, padding.
    uint8_t len[4];
    auto n = in_.read_at(kVersionLineBytes, len, 4);
    if (!n.ok() || *n != 4) return;
    const uint32_t header_len = internal::load_le<uint32_t>(len);
    if (header_len > 4096) return;
    std::vector<uint8_t> hb(header_len);
    n = in_.read_at(kVersionLineBytes + 4, hb.data(), hb.size());
    Header h;
    uint8_t op;
    uint64_t index_pos;
    if (!n.ok() || *n != hb.size() || !h.parse(hb) || !h.get("op", op) || op != kBagHeader ||
        !h.get("index_pos", index_pos)) {
      return;
    }
    if (index_pos <= kVersionLineBytes || index_pos >= size ||
        size - index_pos > options_.max_record_bytes) {
      return;
    }
    std::vector<uint8_t> index(size_t(size - index_pos));
    n = in_.read_at(index_pos, index.data(), index.size());
    if (!n.ok() || *n != index.size()) return;
    ByteCursor c(index);
    while (!c.at_end()) {
      const uint64_t at = index_pos + c.pos();
      std::span<const uint8_t> header_bytes, data;
      if (!c.bytes32(header_bytes) || !c.bytes32(data)) break;
      Header rh;
      if (!rh.parse(header_bytes) || !rh.get("op", op) || op != kConnection) continue;
      Ros1Event ev;
      if (add_connection(at, rh, data, &ev)) queued_.push_back(ev);
    }
  }

  const std::vector<ImportWarning>& warnings() const override { return warnings_; }
  const Ros1Connection* connection(uint32_t id) const override {
    auto it = connections_.find(id);
    return it == connections_.end() ? nullptr : it->second.get();
  }
  uint32_t header_connection_count() const override { return conn_count_; }
  uint32_t header_chunk_count() const override { return chunk_count_; }
  uint64_t offset() const override { return in_.offset(); }

  Result<bool> next(Ros1Event* event) override {
    event->message.buffer.reset();
    event->message.data = {};
    if (!queued_.empty()) {
      *event = queued_.front();
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

  // Reads a uint32 length; false (with a warning) at the end of the file.
  Result<bool> read_length(uint64_t record_at, const char* what, uint32_t& out) {
    uint8_t b[4];
    REEL_ASSIGN_OR_RETURN(size_t n, in_.read(b, 4));
    if (n < 4) {
      done_ = true;
      if (n > 0 || std::string_view(what) != "record") {
        warn(in_.offset(), "the file ends inside the " + std::string(what) +
                               " length of the record at byte " + std::to_string(record_at) +
                               " (truncated)");
      }
      return false;
    }
    out = internal::load_le<uint32_t>(b);
    return true;
  }

  bool too_big(uint64_t at, uint64_t n, const char* what) {
    const auto left = in_.remaining();
    if (left && n > *left) return false;  // truncation, handled by the read
    if (n <= options_.max_record_bytes) return false;
    warn(at, std::string("a record ") + what + " of " + std::to_string(n) +
                 " bytes exceeds the limit of " + std::to_string(options_.max_record_bytes));
    return true;
  }

  Result<bool> next_record(Ros1Event* event) {
    const uint64_t at = in_.offset();
    uint32_t header_len, data_len;
    REEL_ASSIGN_OR_RETURN(bool got, read_length(at, "record", header_len));
    if (!got) return false;
    if (too_big(at, header_len, "header")) {
      done_ = true;  // no way to find the next record without its data length
      return false;
    }
    REEL_ASSIGN_OR_RETURN(auto header_buf, in_.read_buffer(header_len, header_slot_));
    if (header_buf->size() < header_len) {
      done_ = true;
      warn(in_.offset(), "the file ends inside the header of the record at byte " +
                             std::to_string(at) + " (truncated)");
      return false;
    }
    REEL_ASSIGN_OR_RETURN(got, read_length(at, "data", data_len));
    if (!got) return false;
    Header h;
    if (!h.parse(internal::bytes_of(*header_buf))) {
      warn(at, "record header is malformed (its fields run past it); record skipped");
      return skip_data(at, data_len);
    }
    uint8_t op;
    if (!h.get("op", op)) {
      warn(at, "record header has no 'op' field; record skipped");
      return skip_data(at, data_len);
    }
    if (op != kChunk && op != kMessageData && op != kBagHeader && op != kConnection) {
      // Index records and the unknown: checked from their header, data skipped.
      check_index_record(at, op, h, data_len);
      return skip_data(at, data_len);
    }
    if (too_big(at, data_len, "data")) return skip_data(at, data_len);
    REEL_ASSIGN_OR_RETURN(auto data, in_.read_buffer(data_len, data_slot_));
    const bool cut = data->size() < data_len;
    if (cut) {
      done_ = true;
      if (op != kChunk) {
        warn(in_.offset(), "the file ends inside the " + std::string(op_name(op)) +
                               " record at byte " + std::to_string(at) + " (truncated)");
        return false;
      }
    }
    switch (op) {
      case kBagHeader: {
        uint64_t index_pos;
        if (!h.get("index_pos", index_pos) || !h.get("conn_count", conn_count_) ||
            !h.get("chunk_count", chunk_count_)) {
          warn(at, "bag header record lacks index_pos, conn_count or chunk_count");
        }
        return false;
      }
      case kChunk:
        open_chunk(at, h, data, cut);
        return false;
      case kConnection:
        return add_connection(at, h, internal::bytes_of(*data), event);
      case kMessageData:
        return message(at, h, data, 0, data->size(), -1, event);
    }
    return false;
  }

  Result<bool> skip_data(uint64_t at, uint32_t data_len) {
    REEL_ASSIGN_OR_RETURN(uint64_t k, in_.skip(data_len));
    if (k < data_len) {
      done_ = true;
      warn(in_.offset(),
           "the file ends inside the record at byte " + std::to_string(at) + " (truncated)");
    }
    return false;
  }

  void check_index_record(uint64_t at, uint8_t op, const Header& h, uint32_t data_len) {
    uint32_t ver = 0, count = 0, conn = 0;
    uint64_t pos;
    switch (op) {
      case kIndexData:
        if (!h.get("ver", ver) || !h.get("conn", conn) || !h.get("count", count) ||
            (ver == 1 && uint64_t(count) * 12 != data_len)) {
          warn(at, "index data record is malformed");
        }
        return;
      case kChunkInfo:
        if (!h.get("ver", ver) || !h.get("chunk_pos", pos) || !h.get("count", count) ||
            (ver == 1 && uint64_t(count) * 8 != data_len)) {
          warn(at, "chunk info record is malformed");
        }
        return;
      case kMessageDefinition:
        return;
      default:
        if (warned_ops_.insert(op).second) {
          warn(at, "unknown record op " + std::to_string(op) + " skipped");
        }
    }
  }

  bool add_connection(uint64_t at, const Header& h, std::span<const uint8_t> data,
                      Ros1Event* event) {
    auto c = std::make_unique<Ros1Connection>();
    Header fields;
    if (!h.get("conn", c->id) || !h.get_string("topic", c->topic) || !fields.parse(data)) {
      warn(at, "connection record is malformed; skipped");
      return false;
    }
    fields.get_string("type", c->type);
    fields.get_string("md5sum", c->md5sum);
    fields.get_string("message_definition", c->message_definition);
    fields.get_string("callerid", c->callerid);
    std::string latching;
    fields.get_string("latching", latching);
    c->latching = latching == "1";
    if (c->type.empty()) warn(at, "connection " + std::to_string(c->id) + " has no type");
    if (connections_.count(c->id)) return false;  // the index section's copy
    const Ros1Connection* p = c.get();
    connections_.emplace(c->id, std::move(c));
    event->kind = Ros1EventKind::kConnection;
    event->connection = p;
    return true;
  }

  bool message(uint64_t at, const Header& h, const std::shared_ptr<arrow::Buffer>& buffer,
               size_t begin, size_t end, int64_t chunk_offset, Ros1Event* event) {
    uint32_t conn;
    uint64_t time;
    const std::string where =
        chunk_offset >= 0 ? " at offset " + std::to_string(chunk_offset) + " in the chunk" : "";
    if (!h.get("conn", conn) || !h.get("time", time)) {
      warn(at, "message data record" + where + " lacks conn or time; skipped");
      return false;
    }
    auto it = connections_.find(conn);
    if (it == connections_.end()) {
      if (unknown_.insert(conn).second) {
        warn(at, "message" + where + " on connection " + std::to_string(conn) +
                     ", which the bag has not defined before it; such messages are skipped");
      }
      return false;
    }
    Ros1Message& m = event->message;
    m.connection = it->second.get();
    m.time = bag_time(time);
    m.data = {buffer->data() + begin, end - begin};
    m.buffer = buffer;
    m.offset = at;
    m.offset_in_chunk = chunk_offset;
    event->kind = Ros1EventKind::kMessage;
    return true;
  }

  // ---- chunks ---------------------------------------------------------------------------

  struct Chunk {
    std::shared_ptr<arrow::Buffer> data;
    size_t pos = 0;
    uint64_t at = 0;
    bool cut = false;
  };

  void open_chunk(uint64_t at, const Header& h, const std::shared_ptr<arrow::Buffer>& data,
                  bool cut) {
    std::string compression;
    uint32_t size;
    if (!h.get_string("compression", compression) || !h.get("size", size)) {
      warn(at, "chunk record lacks compression or size; skipped");
      return;
    }
    const auto codec = internal::codec_from_name(compression);
    if (!codec || *codec == Codec::kZstd) {
      if (warned_compressions_.insert(compression).second) {
        warn(at, "chunk compression '" + compression +
                     "' is not supported (only none, bz2, lz4); its messages are skipped");
      }
      return;
    }
    if (size > options_.max_record_bytes) {
      warn(at, "chunk declares " + std::to_string(size) + " uncompressed bytes, over the limit");
      return;
    }
    Chunk chunk;
    chunk.at = at;
    chunk.cut = cut;
    if (cut) {
      warn(in_.offset(), "the file ends inside the chunk record at byte " + std::to_string(at) +
                             " (truncated); its complete messages are kept");
      chunk.data = internal::decompress_prefix(*codec, internal::bytes_of(*data), size);
      if (!chunk.data) return;
    } else if (*codec == Codec::kNone) {
      if (size != data->size()) {
        warn(at, "uncompressed chunk declares " + std::to_string(size) + " bytes but holds " +
                     std::to_string(data->size()) + "; skipped");
        return;
      }
      chunk.data = data;
    } else {
      auto out =
          internal::decompress(*codec, internal::bytes_of(*data), size, std::move(chunk_slot_));
      if (!out.ok()) {
        warn(at, "chunk does not decompress: " + out.status().message() + "; skipped");
        return;
      }
      chunk.data = std::move(out).value();
      chunk_slot_ = chunk.data;
    }
    chunk_ = std::move(chunk);
  }

  bool next_in_chunk(Ros1Event* event) {
    Chunk& ch = *chunk_;
    while (ch.pos < ch.data->size()) {
      ByteCursor c(std::span<const uint8_t>(ch.data->data(), ch.data->size()));
      c.skip(ch.pos);
      const int64_t rel = int64_t(ch.pos);
      std::span<const uint8_t> header_bytes;
      uint32_t data_len;
      if (!c.bytes32(header_bytes) || !c.read(data_len) || data_len > c.remaining()) {
        if (!ch.cut) {
          warn(ch.at, "record at offset " + std::to_string(rel) +
                          " in the chunk runs past the chunk's end; the rest of the chunk is "
                          "skipped");
        }
        break;
      }
      const size_t begin = c.pos();
      const size_t end = begin + data_len;
      ch.pos = end;
      Header& h = chunk_header_;  // reused: no allocation per record
      h.fields.clear();
      uint8_t op;
      if (!h.parse(header_bytes) || !h.get("op", op)) {
        warn(ch.at, "record at offset " + std::to_string(rel) + " in the chunk has a malformed " +
                        "header; skipped");
        continue;
      }
      if (op == kConnection) {
        if (add_connection(ch.at, h, std::span<const uint8_t>(ch.data->data() + begin, data_len),
                           event)) {
          return true;
        }
      } else if (op == kMessageData) {
        if (message(ch.at, h, ch.data, begin, end, rel, event)) return true;
      } else if (warned_chunk_ops_.insert(op).second) {
        warn(ch.at, std::string(op_name(op)) + " record (op " + std::to_string(op) +
                        ") at offset " + std::to_string(rel) + " in a chunk skipped");
      }
    }
    chunk_.reset();
    return false;
  }

  internal::StreamInput in_;
  Ros1BagReaderOptions options_;
  bool done_ = false;
  uint32_t conn_count_ = 0;
  uint32_t chunk_count_ = 0;
  std::vector<ImportWarning> warnings_;
  std::unordered_map<uint32_t, std::unique_ptr<Ros1Connection>> connections_;
  std::set<uint32_t> unknown_;
  std::set<uint8_t> warned_ops_, warned_chunk_ops_;
  std::set<std::string> warned_compressions_;
  std::shared_ptr<arrow::Buffer> header_slot_, data_slot_, chunk_slot_;
  std::optional<Chunk> chunk_;
  Header chunk_header_;
  std::deque<Ros1Event> queued_;  // the index section's connections, yielded first
};

}  // namespace

Result<std::unique_ptr<Ros1BagReader>> Ros1BagReader::open(std::unique_ptr<ByteSource> source,
                                                           Ros1BagReaderOptions options) {
  auto reader = std::make_unique<BagReaderImpl>(std::move(source), options);
  REEL_RETURN_NOT_OK(reader->start());
  return std::unique_ptr<Ros1BagReader>(std::move(reader));
}

Result<std::unique_ptr<Ros1BagReader>> Ros1BagReader::open(const std::string& path,
                                                           Ros1BagReaderOptions options) {
  REEL_ASSIGN_OR_RETURN(auto source, open_file_source(path));
  return open(std::move(source), options);
}

}  // namespace reel::import
