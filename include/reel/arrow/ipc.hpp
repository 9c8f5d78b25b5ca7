// Arrow IPC streaming format: write and read record batches.
//
// Follows the Arrow specification ("Serialization and Interprocess Communication"):
// encapsulated messages (0xFFFFFFFF continuation, little-endian i32 metadata length, a
// flatbuffer Message padded to 8 bytes, then the body with every buffer 8-byte aligned and
// padded), a Schema message, RecordBatch messages, and the end-of-stream marker. Sliced
// arrays are written normalized (offsets rebased to zero, bitmaps starting at bit 0). Any
// Arrow implementation reads what this writes.
//
// The reader is hardened for untrusted input: flatbuffers are verified, every buffer and
// node is bounds-checked against the body, decoded arrays are validated, nesting depth is
// limited, and errors name the byte offset in the stream. Decoded buffers reference the
// input bytes without copying where they are aligned (the `owner` keeps them alive).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "reel/arrow/record_batch.hpp"
#include "reel/status.hpp"

namespace reel::arrow::ipc {

// Appends encapsulated messages to `out`.
Status write_schema_message(const Schema& schema, std::vector<uint8_t>& out);
Status write_record_batch_message(const RecordBatch& batch, std::vector<uint8_t>& out);
void write_end_of_stream(std::vector<uint8_t>& out);

// Schema + one batch + end-of-stream.
Status write_stream(const RecordBatch& batch, std::vector<uint8_t>& out);

// Reads a stream message by message.
class StreamReader {
 public:
  StreamReader(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner);
  // The schema (reads the first message on first call).
  Result<SchemaPtr> schema();
  // The next batch; nullopt at the end-of-stream marker or the end of the bytes.
  Result<std::optional<RecordBatch>> next();
  uint64_t offset() const { return pos_; }

 private:
  struct RawMessage;
  Result<std::optional<RawMessage>> read_message();
  std::span<const uint8_t> bytes_;
  std::shared_ptr<const void> owner_;
  size_t pos_ = 0;
  SchemaPtr schema_;
  bool done_ = false;
};

// A stream holding exactly one record batch (chunk payloads).
Result<RecordBatch> read_stream(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner);

}  // namespace reel::arrow::ipc
