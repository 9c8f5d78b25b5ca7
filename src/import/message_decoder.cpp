#include "reel/import/message_decoder.hpp"

#include "import/decoder_internal.hpp"
#include "reel/import/message_schema.hpp"

namespace reel::import {

MessageDecoder::MessageDecoder(DecoderOptions options) : options_(options) {}
MessageDecoder::~MessageDecoder() = default;

Result<arrow::TypePtr> arrow_type(const MessageSchema& schema) {
  REEL_ASSIGN_OR_RETURN(auto tree, internal::ColumnTree::make(schema));
  return tree.type();
}

Status MessageDecoder::init_columns(const MessageSchema& schema) {
  REEL_ASSIGN_OR_RETURN(auto tree, internal::ColumnTree::make(schema));
  columns_ = std::make_unique<Columns>(Columns{std::move(tree)});
  type_name_ = schema.root_type().name;
  return Status::OK();
}

const arrow::TypePtr& MessageDecoder::type() const { return columns_->tree.type(); }

int64_t MessageDecoder::num_rows() const { return columns_->tree.rows(); }

Status MessageDecoder::append(std::span<const uint8_t> message) {
  internal::ColumnTree& tree = columns_->tree;
  tree.checkpoint();
  Status st = decode(message);
  if (!st.ok()) {
    tree.rollback();
    return st;
  }
  buffered_bytes_ += message.size();
  return Status::OK();
}

arrow::ArrayPtr MessageDecoder::finish() {
  buffered_bytes_ = 0;
  return columns_->tree.finish();
}

Result<std::unique_ptr<MessageDecoder>> make_decoder(std::string_view schema_name,
                                                     std::string_view schema_encoding,
                                                     std::span<const uint8_t> schema_data,
                                                     std::string_view message_encoding,
                                                     DecoderOptions options) {
  const std::string_view text(reinterpret_cast<const char*>(schema_data.data()),
                              schema_data.size());
  auto refuse = [&]() -> Status {
    return Status::NotImplemented("messages encoded as '" + std::string(message_encoding) +
                                  "' with a '" + std::string(schema_encoding) +
                                  "' schema are not supported");
  };
  if (message_encoding == "cdr") {
    Result<MessageSchema> schema = Status::NotImplemented("");
    if (schema_encoding == "ros2msg") {
      schema = parse_ros2msg(schema_name, text);
    } else if (schema_encoding == "ros2idl") {
      schema = parse_ros2idl(schema_name, text);
    } else {
      return refuse();
    }
    if (!schema.ok()) return schema.status();
    return make_cdr_decoder(std::move(schema).value(), options);
  }
  if (message_encoding == "ros1") {
    if (schema_encoding != "ros1msg") return refuse();
    REEL_ASSIGN_OR_RETURN(auto schema, parse_ros1msg(schema_name, text));
    return make_ros1_decoder(std::move(schema), options);
  }
  if (message_encoding == "protobuf") {
    if (schema_encoding != "protobuf") return refuse();
    return make_protobuf_decoder(schema_data, schema_name, options);
  }
  if (message_encoding == "json") {
    if (schema_encoding != "jsonschema" && !schema_encoding.empty()) return refuse();
    return make_json_decoder(schema_encoding.empty() ? std::string_view() : text, schema_name,
                             options);
  }
  return refuse();
}

}  // namespace reel::import
