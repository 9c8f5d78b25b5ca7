// The Arrow C data interface and C stream interface: reel arrays, record batches and
// streams handed to any Arrow implementation in the process (pyarrow, polars, DuckDB,
// nanoarrow...) without copying, and foreign ones taken in the same way.
//
// Specs: https://arrow.apache.org/docs/format/CDataInterface.html and CStreamInterface.html.
// The struct definitions below are the spec's, with its canonical include guards.
//
// Ownership. `export_*` fills a caller-provided struct; from then on the consumer owns it and
// must call its `release` callback exactly once (or move the struct and mark the source
// released by setting `release` to null, as the spec allows). Exported arrays point straight
// into reel's buffers: the release callback drops the shared references that kept them
// alive, so the data outlives the reel objects it came from for as long as the consumer
// holds it. Children of an exported array or schema may be moved out individually; the
// parent's release then skips them.
//
// `import_*` takes ownership of a producer's struct (it is marked released on return, even
// on failure: the producer's release callback has then been called, or will be called when
// the last reel buffer referencing the data is dropped). Imported buffers are not copied.
//
// Thread safety: exported structs may be released from any thread. A stream is used by one
// thread at a time (as the spec requires of consumers).
//
// Supported types: every reel arrow::DataType (null, bool, integers, float16/32/64, utf8,
// binary, fixed-size binary, list, fixed-size list, struct). Importing any other format
// (large lists, temporal types, dictionaries, ...) fails with NotImplemented naming it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "reel/arrow/array.hpp"
#include "reel/arrow/record_batch.hpp"
#include "reel/status.hpp"

extern "C" {

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  // Array type description
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;

  // Release callback
  void (*release)(struct ArrowSchema*);
  // Opaque producer-specific data
  void* private_data;
};

struct ArrowArray {
  // Array data description
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;

  // Release callback
  void (*release)(struct ArrowArray*);
  // Opaque producer-specific data
  void* private_data;
};

#endif  // ARROW_C_DATA_INTERFACE

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
  // Callbacks providing stream functionality
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);

  // Release callback
  void (*release)(struct ArrowArrayStream*);

  // Opaque producer-specific data
  void* private_data;
};

#endif  // ARROW_C_STREAM_INTERFACE

}  // extern "C"

namespace reel::arrow {

// ---- export

// A field: its type's format string, name, nullability flag and metadata.
Status export_field(const Field& field, ArrowSchema* out);
// A schema as the spec's struct type ("+s") with one child per field, plus the schema
// metadata. This is the schema of a record batch exported by export_record_batch.
Status export_schema(const Schema& schema, ArrowSchema* out);
// An array, zero-copy: `out` references the array's buffers (offset and null count kept).
Status export_array(const ArrayPtr& array, ArrowArray* out);
// A record batch as a struct array of `num_rows` rows, one child per column.
Status export_record_batch(const RecordBatch& batch, ArrowArray* out);

// Pulls the next record batch; nullopt at the end. Called on the consumer's thread.
using RecordBatchSource = std::function<Result<std::optional<RecordBatch>>()>;
// Pulls the next array (all of the field's type); nullptr at the end.
using ArraySource = std::function<Result<ArrayPtr>()>;

// A stream of record batches of `schema` (each exported as by export_record_batch). An error
// from `next` makes get_next return EIO, with the Status text from get_last_error.
Status export_record_batch_stream(SchemaPtr schema, RecordBatchSource next, ArrowArrayStream* out);
// A stream of plain arrays of `field`'s type: the spec's form of a chunked array.
Status export_array_stream(FieldPtr field, ArraySource next, ArrowArrayStream* out);

// ---- import

// A field (name, type, nullability, metadata). Releases `schema`.
Result<FieldPtr> import_field(ArrowSchema* schema);
// A struct schema as a Schema (one field per child). Releases `schema`.
Result<SchemaPtr> import_schema(ArrowSchema* schema);
// An array of `type`, zero-copy: the returned buffers keep the producer's data alive and
// the producer's release callback runs when the last of them is dropped. The array is
// validated (offsets in bounds, buffer sizes) before it is returned.
Result<ArrayPtr> import_array(ArrowArray* array, const TypePtr& type);
// A struct array whose children are the columns of `schema`.
Result<RecordBatch> import_record_batch(ArrowArray* array, SchemaPtr schema);

// Reads a foreign ArrowArrayStream. Owns the stream: releases it when destroyed.
class ArrowStreamReader {
 public:
  // Takes ownership of `stream` (marked released) and reads its schema.
  static Result<std::unique_ptr<ArrowStreamReader>> open(ArrowArrayStream* stream);
  ~ArrowStreamReader();
  ArrowStreamReader(const ArrowStreamReader&) = delete;
  ArrowStreamReader& operator=(const ArrowStreamReader&) = delete;

  // The stream's schema as one field (a struct for record batch streams).
  const FieldPtr& field() const { return field_; }
  // Whether the stream carries record batches (a struct schema), and their schema.
  bool is_record_batch_stream() const { return schema_ != nullptr; }
  const SchemaPtr& schema() const { return schema_; }

  // The next array of field()'s type; nullptr at the end.
  Result<ArrayPtr> next_array();
  // The next record batch (record batch streams only); nullopt at the end.
  Result<std::optional<RecordBatch>> next();

 private:
  ArrowStreamReader() = default;
  ArrowArrayStream stream_{};
  FieldPtr field_;
  SchemaPtr schema_;
};

}  // namespace reel::arrow
