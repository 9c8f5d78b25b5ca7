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
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "reel/arrow/record_batch.hpp"
#include "reel/status.hpp"

namespace reel::arrow::ipc {

// Arrow IPC body compression (a record batch's BodyCompression, one codec for the batch,
// applied per buffer). The codec itself is the caller's: this module links none.
enum class BodyCodec : int8_t { kLz4Frame = 0, kZstd = 1 };  // Arrow's CompressionType

struct WriteOptions {
  // A power of two, at least 8: each message's metadata is padded so that its body starts at
  // a multiple of it in `out`, and each body buffer's bytes start at a multiple of it
  // (Arrow recommends 64; a buffer stored raw in a compressed body has its 8-byte length
  // prefix just before that boundary).
  size_t alignment = 8;
  // With `compress` set, record batches use body compression with `codec`: `compress`
  // returns a buffer's compressed bytes, or nothing when compressing it does not pay, and
  // the buffer is then stored raw (uncompressed length -1, as the Arrow format allows).
  BodyCodec codec = BodyCodec::kLz4Frame;
  std::function<std::vector<uint8_t>(std::span<const uint8_t>)> compress;
};

// Appends encapsulated messages to `out`.
Status write_schema_message(const Schema& schema, std::vector<uint8_t>& out,
                            const WriteOptions& options = {});
Status write_record_batch_message(const RecordBatch& batch, std::vector<uint8_t>& out,
                                  const WriteOptions& options = {});
void write_end_of_stream(std::vector<uint8_t>& out);

// Schema + one batch + end-of-stream. With alignment 64 and `out` empty (or at a multiple of
// 64), every buffer's bytes start at a multiple of 64 in `out`.
Status write_stream(const RecordBatch& batch, std::vector<uint8_t>& out,
                    const WriteOptions& options = {});

struct ReadOptions {
  // A top-level field whose type (or a type nested in it) reel does not represent
  // (dictionary-encoded, sparse union, date, time, decimal, interval, large or view lists and
  // strings, map, run-end encoded) is left out of the schema and batches instead of failing
  // the stream: its field nodes and buffers, counted from the schema's layout, are passed
  // over, so the fields after it decode. Dictionary batches are then passed over too. A field
  // of an unknown type id still fails (its layout is unknown).
  bool skip_unsupported_fields = false;
  // Decompresses a buffer of a compressed body into `out` (exactly out.size() bytes, the
  // length the buffer declares); without it, compressed bodies are refused.
  std::function<Status(BodyCodec, std::span<const uint8_t> in, std::span<uint8_t> out)> decompress;
  // The most bytes a batch's compressed buffers may decompress to, together: a small
  // message must not make the reader allocate gigabytes (checked before each allocation).
  uint64_t max_decompressed_bytes = uint64_t(1) << 30;
};

// What reading a batch did with its buffers (StreamReader::stats).
struct ReadStats {
  // Per column of the batch: bytes used in place (slices of the input, no copy).
  std::vector<size_t> in_place_bytes;
  size_t decompressed_bytes = 0;   // written by ReadOptions::decompress into new buffers
  std::optional<BodyCodec> codec;  // of the buffers decompressed, if any
  size_t copied_bytes = 0;         // copied because they were misaligned in the input
};

// A top-level field left out by ReadOptions::skip_unsupported_fields.
struct SkippedField {
  size_t index = 0;  // its position among the stream schema's fields
  std::string name;
  std::string
      type;  // as Arrow names it, e.g. "large_utf8", "dictionary<values=utf8, indices=int8>"
  std::string reason;  // what reel does not read, naming the nested field when it is one
  Metadata metadata;
};

// Reads a stream message by message.
class StreamReader {
 public:
  StreamReader(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner,
               ReadOptions options = {});
  // The schema (reads the first message on first call); without skipped fields.
  Result<SchemaPtr> schema();
  // The fields schema() left out (after schema() succeeded).
  const std::vector<SkippedField>& skipped_fields() const { return skipped_; }
  // The next batch; nullopt at the end-of-stream marker or the end of the bytes.
  Result<std::optional<RecordBatch>> next();
  uint64_t offset() const { return pos_; }
  // Of the last batch next() returned.
  const ReadStats& stats() const { return stats_; }

 private:
  struct RawMessage;
  // Per field of the stream's schema: read into the batch, or passed over.
  struct FieldPlan {
    bool kept = true;
    size_t nodes = 0, buffers = 0, variadic = 0;  // a skipped field's layout
  };
  Result<std::optional<RawMessage>> read_message();
  std::span<const uint8_t> bytes_;
  std::shared_ptr<const void> owner_;
  ReadOptions options_;
  std::vector<FieldPlan> plan_;
  std::vector<SkippedField> skipped_;
  size_t pos_ = 0;
  SchemaPtr schema_;
  bool done_ = false;
  ReadStats stats_;
};

// A stream holding exactly one record batch (chunk payloads). With `skipped`, fields of types
// reel does not represent are left out and listed there (ReadOptions::skip_unsupported_fields).
Result<RecordBatch> read_stream(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner,
                                std::vector<SkippedField>* skipped = nullptr);
// The same with `options` (skip_unsupported_fields is set when `skipped` is given); `stats`,
// if given, gets the batch's ReadStats.
Result<RecordBatch> read_stream(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner,
                                ReadOptions options, std::vector<SkippedField>* skipped,
                                ReadStats* stats);

}  // namespace reel::arrow::ipc
