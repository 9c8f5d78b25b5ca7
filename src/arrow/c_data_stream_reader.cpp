// ArrowStreamReader: record batches or arrays from a foreign ArrowArrayStream.
#include <string>

#include "reel/arrow/c_data.hpp"

namespace reel::arrow {

Result<std::unique_ptr<ArrowStreamReader>> ArrowStreamReader::open(ArrowArrayStream* stream) {
  if (!stream || !stream->release)
    return Status::Invalid("ArrowStreamReader: released or null stream");
  std::unique_ptr<ArrowStreamReader> r(new ArrowStreamReader());
  r->stream_ = *stream;
  stream->release = nullptr;
  ArrowSchema schema{};
  int rc = r->stream_.get_schema(&r->stream_, &schema);
  if (rc != 0) {
    const char* e = r->stream_.get_last_error(&r->stream_);
    return Status::IOError("Arrow C stream: get_schema failed (errno " + std::to_string(rc) + ")" +
                           (e ? std::string(": ") + e : std::string()));
  }
  REEL_ASSIGN_OR_RETURN(r->field_, import_field(&schema));
  if (r->field_->type->id() == TypeId::kStruct) {
    auto s = std::make_shared<Schema>();
    s->fields = r->field_->type->fields();
    s->metadata = r->field_->metadata;
    r->schema_ = s;
  }
  return r;
}

ArrowStreamReader::~ArrowStreamReader() {
  if (stream_.release) stream_.release(&stream_);
}

Result<ArrayPtr> ArrowStreamReader::next_array() {
  if (!stream_.release) return Status::Invalid("Arrow C stream already released");
  ArrowArray a{};
  int rc = stream_.get_next(&stream_, &a);
  if (rc != 0) {
    const char* e = stream_.get_last_error(&stream_);
    return Status::IOError("Arrow C stream: get_next failed (errno " + std::to_string(rc) + ")" +
                           (e ? std::string(": ") + e : std::string()));
  }
  if (!a.release) return ArrayPtr();
  return import_array(&a, field_->type);
}

Result<std::optional<RecordBatch>> ArrowStreamReader::next() {
  if (!schema_) {
    return Status::TypeError("Arrow C stream of " + field_->type->to_string() +
                             " is not a stream of record batches");
  }
  REEL_ASSIGN_OR_RETURN(auto data, next_array());
  if (!data) return std::optional<RecordBatch>();
  if (data->null_count != 0) {
    return Status::Invalid("Arrow C record batch has null rows at the top level");
  }
  RecordBatch batch;
  batch.schema = schema_;
  batch.num_rows = data->length;
  for (const auto& child : data->children) {
    batch.columns.push_back(data->offset == 0 && child->length == data->length
                                ? child
                                : child->slice(data->offset, data->length));
  }
  return std::optional<RecordBatch>(std::move(batch));
}

}  // namespace reel::arrow
