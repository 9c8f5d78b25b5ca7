// Decoders of message bytes into Arrow: one struct row per message, appended message by
// message, handed out in batches.
//
// Every encoding the importer reads goes through the same conversion from a MessageSchema to
// an Arrow struct type (`arrow_type`):
//   bool, integers, floats      -> the same Arrow type
//   string                      -> utf8 (invalid UTF-8 is replaced by U+FFFD)
//   bytes (protobuf, JSON)      -> binary
//   time, duration              -> int64 nanoseconds (field metadata reel:time =
//                                  timestamp_ns / duration_ns)
//   nested message              -> struct
//   uint8[] / uint8[<=N]        -> binary (one copy of the contiguous bytes: image and point
//                                  cloud data never go through per-element work)
//   uint8[N]                    -> fixed_size_binary(N)
//   T[N]                        -> fixed_size_list<T>[N]
//   T[] / T[<=N]                -> list<T>
// Field nullability: CDR and ROS 1 fields are never null; protobuf message fields and oneof
// members, and JSON properties, are nullable (null when absent).
//
// A decoder is used by one thread at a time; decoders of different channels are independent.
// Decoding allocates nothing per field: values go straight into the column buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "reel/arrow/array.hpp"
#include "reel/import/message_schema.hpp"
#include "reel/status.hpp"

namespace reel::import {

// The struct type that decoded messages of `schema` have.
Result<arrow::TypePtr> arrow_type(const MessageSchema& schema);

struct DecoderOptions {
  // batch_full() turns true once this many rows, or this many bytes of input messages, have
  // been appended since the last finish(). Defaults: 1024 rows, 8 MiB (batches of that size
  // reuse freed memory instead of fresh pages from the system).
  int64_t batch_rows = 1024;
  size_t batch_bytes = size_t(8) << 20;
};

class MessageDecoder {
 public:
  virtual ~MessageDecoder();

  // The struct type of the rows: one field per message field, in schema order.
  const arrow::TypePtr& type() const;
  // The message type's name ("sensor_msgs/msg/Image"): what the importer names the column.
  const std::string& type_name() const { return type_name_; }
  // The schema the rows follow.
  virtual const MessageSchema& schema() const = 0;

  // Decodes one message and appends it as one row. On failure nothing is appended and the
  // Status (Corrupt, or NotImplemented for encodings refused by design) names the field path
  // and byte offset: "field 'header.frame_id' at byte 24: string of 1000 bytes runs past the
  // end of the 40-byte message".
  Status append(std::span<const uint8_t> message);

  int64_t num_rows() const;
  // Bytes of input messages appended since the last finish().
  size_t buffered_bytes() const { return buffered_bytes_; }
  bool batch_full() const {
    return num_rows() >= options_.batch_rows || buffered_bytes_ >= options_.batch_bytes;
  }
  // The rows appended since the last finish() as one struct array (possibly empty); the
  // decoder then starts a new batch.
  arrow::ArrayPtr finish();

 protected:
  explicit MessageDecoder(DecoderOptions options);
  virtual Status decode(std::span<const uint8_t> message) = 0;
  struct Columns;
  // Set up by the concrete decoder once its schema is in place.
  Status init_columns(const MessageSchema& schema);
  Columns& columns() { return *columns_; }

 private:
  DecoderOptions options_;
  std::string type_name_;
  size_t buffered_bytes_ = 0;
  std::unique_ptr<Columns> columns_;
};

// ROS 2: CDR (XCDR1, as ROS 2 middlewares write it) with its 4-byte encapsulation header,
// CDR_LE or CDR_BE; parameter-list and XCDR2 encapsulations are refused (NotImplemented).
Result<std::unique_ptr<MessageDecoder>> make_cdr_decoder(MessageSchema schema,
                                                         DecoderOptions options = {});
// ROS 1 serialization: little-endian, unaligned, uint32 lengths.
Result<std::unique_ptr<MessageDecoder>> make_ros1_decoder(MessageSchema schema,
                                                          DecoderOptions options = {});
// Protobuf: `file_descriptor_set` is a serialized google.protobuf.FileDescriptorSet (the MCAP
// schema data), `type_name` the full message name ("foxglove.RawImage").
Result<std::unique_ptr<MessageDecoder>> make_protobuf_decoder(
    std::span<const uint8_t> file_descriptor_set, std::string_view type_name,
    DecoderOptions options = {});
// JSON messages described by a JSON Schema (`jsonschema` schema encoding). An empty schema
// (schemaless JSON) gives rows of one utf8 field "json" holding each message's text.
Result<std::unique_ptr<MessageDecoder>> make_json_decoder(std::string_view json_schema,
                                                          std::string_view type_name,
                                                          DecoderOptions options = {});

// The decoder for an MCAP channel, by the names MCAP uses: schema encodings "ros1msg",
// "ros2msg", "ros2idl", "protobuf", "jsonschema" or "" (for json), and message encodings
// "ros1", "cdr", "protobuf", "json". NotImplemented for other pairs; Invalid when the schema
// does not parse.
Result<std::unique_ptr<MessageDecoder>> make_decoder(std::string_view schema_name,
                                                     std::string_view schema_encoding,
                                                     std::span<const uint8_t> schema_data,
                                                     std::string_view message_encoding,
                                                     DecoderOptions options = {});

// The schema trees of protobuf and JSON Schema, as the decoders above see them.
Result<MessageSchema> parse_protobuf_schema(std::span<const uint8_t> file_descriptor_set,
                                            std::string_view type_name);
Result<MessageSchema> parse_json_schema(std::string_view json_schema, std::string_view type_name);

}  // namespace reel::import
