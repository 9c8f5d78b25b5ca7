// Streaming reader of MCAP files (https://mcap.dev/spec, major version 0).
//
// The reader walks the file from its start in file order and yields schemas, channels,
// messages, attachments and metadata as it meets them; chunks (uncompressed, "lz4" frames or
// "zstd") are decompressed one at a time, so memory stays bounded by the largest chunk. It needs
// neither the summary section nor message indexes, and reads files without them; it still
// checks every record it passes (index records included).
//
// Bad input never stops it: a chunk with a wrong CRC, data that does not decompress, or
// lengths that run past their record becomes an ImportWarning naming the byte offset, and
// reading goes on with the next record. A file cut short (a robot that lost power) yields every
// message that is complete before the cut, including those in the readable part of a cut
// chunk, then a warning. No allocation is sized from a length field that was not first checked
// against what remains of the file and `max_record_bytes`.
//
// With `read_summary_first`, the schemas and channels of the summary come first; their copies
// in the data section are then not yielded again.
//
// A reader is used by one thread at a time. Pointers to schemas and channels stay valid for
// the reader's lifetime; a message's `data` until the next call to `next()` (hold `buffer` to
// keep the bytes longer without copying).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "reel/arrow/buffer.hpp"
#include "reel/import/byte_source.hpp"
#include "reel/status.hpp"

namespace reel::import {

struct McapReaderOptions {
  // A record (chunk, attachment, message outside chunks) longer than this, or a chunk that
  // declares a larger uncompressed size, is skipped with a warning. Default 1 GiB.
  uint64_t max_record_bytes = uint64_t(1) << 30;
  // Check the CRCs the file gives (chunks, attachments, summary); a CRC of zero means "not
  // given". A chunk that fails is skipped with a warning. Default on.
  bool check_crcs = true;
  // Also check the data section CRC (DataEnd): a second pass over every byte of the file, for
  // bytes the chunk CRCs already cover; a mismatch is a warning. Default off.
  bool check_data_section_crc = false;
  // When the source can seek (a file, memory) and the file has a summary section, read its
  // schemas, channels and statistics first and yield them before the data: a message whose
  // channel was defined in a chunk that turns out corrupt is then still decoded. Default on.
  bool read_summary_first = true;
};

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct McapHeader {
  std::string profile;  // "ros1", "ros2", "" ...
  std::string library;  // the writer, free form
};

struct McapSchema {
  uint16_t id = 0;
  std::string name;      // "sensor_msgs/msg/Image", "foxglove.RawImage"
  std::string encoding;  // "ros1msg", "ros2msg", "ros2idl", "protobuf", "jsonschema", ""
  std::vector<uint8_t> data;
};

struct McapChannel {
  uint16_t id = 0;
  uint16_t schema_id = 0;  // 0: no schema
  std::string topic;
  std::string message_encoding;  // "cdr", "ros1", "protobuf", "json", ...
  KeyValues metadata;
};

struct McapMessage {
  const McapChannel* channel = nullptr;  // never null
  const McapSchema* schema = nullptr;    // null when the channel has none
  uint32_t sequence = 0;
  uint64_t log_time = 0;      // nanoseconds, in the file's clock
  uint64_t publish_time = 0;  // nanoseconds
  // The message bytes, pointing into `buffer` (the decompressed chunk or the record): no copy.
  std::span<const uint8_t> data;
  std::shared_ptr<const arrow::Buffer> buffer;
  uint64_t offset = 0;           // file offset of the message record, or of its chunk record
  int64_t offset_in_chunk = -1;  // offset of the record in the chunk's uncompressed records
};

struct McapAttachment {
  uint64_t log_time = 0;
  uint64_t create_time = 0;
  std::string name;
  std::string media_type;
  std::span<const uint8_t> data;  // valid until the next call to next()
  uint64_t offset = 0;
};

struct McapMetadata {
  std::string name;
  KeyValues metadata;
  uint64_t offset = 0;
};

struct McapStatistics {
  uint64_t message_count = 0;
  uint16_t schema_count = 0;
  uint32_t channel_count = 0;
  uint32_t attachment_count = 0;
  uint32_t metadata_count = 0;
  uint32_t chunk_count = 0;
  uint64_t message_start_time = 0;
  uint64_t message_end_time = 0;
  std::vector<std::pair<uint16_t, uint64_t>> channel_message_counts;
};

enum class McapEventKind : uint8_t { kSchema, kChannel, kMessage, kAttachment, kMetadata };

// One thing `next()` found; only the member named by `kind` is set (for kSchema `schema`, for
// kChannel `channel`).
struct McapEvent {
  McapEventKind kind = McapEventKind::kMessage;
  const McapSchema* schema = nullptr;
  const McapChannel* channel = nullptr;
  McapMessage message;
  McapAttachment attachment;
  McapMetadata metadata;
};

class McapReader {
 public:
  virtual ~McapReader() = default;

  // Reads the magic and the header record. Fails (Corrupt) when the input is not MCAP.
  static Result<std::unique_ptr<McapReader>> open(std::unique_ptr<ByteSource> source,
                                                  McapReaderOptions options = {});
  static Result<std::unique_ptr<McapReader>> open(const std::string& path,
                                                  McapReaderOptions options = {});

  virtual const McapHeader& header() const = 0;
  // The next record in file order. Returns false at the end of the file, also when the file
  // is cut short or a record header is unreadable (with a warning). Fails only when reading
  // the source fails (IOError); bad bytes are warnings.
  virtual Result<bool> next(McapEvent* event) = 0;
  // Every warning so far, in file order.
  virtual const std::vector<ImportWarning>& warnings() const = 0;
  // Schemas and channels met so far (null if unknown).
  virtual const McapSchema* schema(uint16_t id) const = 0;
  virtual const McapChannel* channel(uint16_t id) const = 0;
  // The Statistics record, once the reader has passed it (in the summary section).
  virtual const std::optional<McapStatistics>& statistics() const = 0;
  // Bytes consumed from the source so far.
  virtual uint64_t offset() const = 0;
};

}  // namespace reel::import
