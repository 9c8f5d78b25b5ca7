// Protobuf messages (MCAP `protobuf` encoding): the schema record holds a FileDescriptorSet;
// libprotobuf builds the descriptors and parses each message as a DynamicMessage, whose fields
// reflection then appends to the columns.
//
// Schema tree: message fields, oneof members and proto3 `optional` scalars are optional (null
// when absent); other scalars always have a value (protobuf's default when absent); enums are
// int32; google.protobuf.Timestamp / Duration are times. A message type that contains itself
// (directly or not) is cut where it recurs: that field holds the sub-message's serialized bytes.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>

#include <map>
#include <set>

#include "import/decoder_internal.hpp"

namespace reel::import {

namespace {

namespace pb = google::protobuf;
using internal::ColumnTree;
using internal::Node;

class CollectErrors final : public pb::DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string& filename, const std::string& element_name, const pb::Message*,
                ErrorLocation, const std::string& message) override {
    if (first.empty()) first = filename + ": " + element_name + ": " + message;
  }
  void AddWarning(const std::string&, const std::string&, const pb::Message*, ErrorLocation,
                  const std::string&) override {}
  std::string first;
};

// The descriptors of one FileDescriptorSet.
struct Descriptors {
  pb::SimpleDescriptorDatabase database;
  CollectErrors errors;
  std::unique_ptr<pb::DescriptorPool> pool;
  const pb::Descriptor* root = nullptr;
};

Result<std::unique_ptr<Descriptors>> load(std::span<const uint8_t> fds_bytes,
                                          std::string_view type_name) {
  // libprotobuf logs what it finds wrong in hostile descriptors to stderr; reel reports
  // through Status instead.
  pb::LogSilencer quiet;
  pb::FileDescriptorSet fds;
  if (fds_bytes.size() > size_t(INT32_MAX) ||
      !fds.ParsePartialFromArray(fds_bytes.data(), int(fds_bytes.size()))) {
    return Status::Invalid("protobuf schema: the schema data is not a FileDescriptorSet");
  }
  auto d = std::make_unique<Descriptors>();
  std::set<std::string> names;
  for (const auto& file : fds.file()) {
    if (!names.insert(file.name()).second) continue;  // a file listed twice
    if (!d->database.Add(file)) {
      return Status::Invalid("protobuf schema: file '" + file.name() + "' conflicts with another");
    }
  }
  d->pool = std::make_unique<pb::DescriptorPool>(&d->database, &d->errors);
  d->root = d->pool->FindMessageTypeByName(std::string(type_name));
  if (!d->root) {
    return Status::Invalid("protobuf schema: no message type '" + std::string(type_name) + "'" +
                           (d->errors.first.empty() ? "" : " (" + d->errors.first + ")"));
  }
  return d;
}

ScalarType scalar_of(const pb::FieldDescriptor* f) {
  switch (f->type()) {
    case pb::FieldDescriptor::TYPE_DOUBLE:
      return ScalarType::kFloat64;
    case pb::FieldDescriptor::TYPE_FLOAT:
      return ScalarType::kFloat32;
    case pb::FieldDescriptor::TYPE_INT64:
    case pb::FieldDescriptor::TYPE_SINT64:
    case pb::FieldDescriptor::TYPE_SFIXED64:
      return ScalarType::kInt64;
    case pb::FieldDescriptor::TYPE_UINT64:
    case pb::FieldDescriptor::TYPE_FIXED64:
      return ScalarType::kUInt64;
    case pb::FieldDescriptor::TYPE_INT32:
    case pb::FieldDescriptor::TYPE_SINT32:
    case pb::FieldDescriptor::TYPE_SFIXED32:
    case pb::FieldDescriptor::TYPE_ENUM:
      return ScalarType::kInt32;
    case pb::FieldDescriptor::TYPE_UINT32:
    case pb::FieldDescriptor::TYPE_FIXED32:
      return ScalarType::kUInt32;
    case pb::FieldDescriptor::TYPE_BOOL:
      return ScalarType::kBool;
    case pb::FieldDescriptor::TYPE_STRING:
      return ScalarType::kString;
    case pb::FieldDescriptor::TYPE_BYTES:
      return ScalarType::kBytes;
    case pb::FieldDescriptor::TYPE_MESSAGE:
    case pb::FieldDescriptor::TYPE_GROUP:
      return ScalarType::kMessage;
  }
  return ScalarType::kBytes;
}

bool is_time_message(const pb::Descriptor* d, ScalarType& kind) {
  if (d->full_name() == "google.protobuf.Timestamp") {
    kind = ScalarType::kTime;
  } else if (d->full_name() == "google.protobuf.Duration") {
    kind = ScalarType::kDuration;
  } else {
    return false;
  }
  return d->FindFieldByNumber(1) && d->FindFieldByNumber(2);
}

// Builds the schema tree; `descriptor_of[i]` is the descriptor of types[i] and `fields_of[i]`
// its fields in tree order.
struct SchemaBuild {
  MessageSchema schema;
  std::vector<const pb::Descriptor*> descriptor_of;
  std::map<const pb::Descriptor*, int32_t> index;
  std::set<const pb::Descriptor*> open;

  int32_t visit(const pb::Descriptor* d) {
    if (auto it = index.find(d); it != index.end()) return it->second;
    const int32_t id = int32_t(schema.types.size());
    index[d] = id;
    open.insert(d);
    schema.types.emplace_back();
    descriptor_of.push_back(d);
    MessageType t;
    t.name = d->full_name();
    for (int i = 0; i < d->field_count(); ++i) {
      const pb::FieldDescriptor* f = d->field(i);
      FieldDef def;
      def.name = f->name();
      def.type.scalar = scalar_of(f);
      if (f->is_repeated()) def.type.array = ArrayKind::kUnbounded;
      def.optional =
          !f->is_repeated() && (f->type() == pb::FieldDescriptor::TYPE_MESSAGE ||
                                f->type() == pb::FieldDescriptor::TYPE_GROUP || f->has_presence());
      if (def.type.scalar == ScalarType::kMessage) {
        ScalarType time;
        if (is_time_message(f->message_type(), time)) {
          def.type.scalar = time;
        } else if (open.count(f->message_type())) {
          def.type.scalar = ScalarType::kBytes;  // recursion: the serialized sub-message
        } else {
          def.type.message = visit(f->message_type());
        }
      }
      t.fields.push_back(std::move(def));
    }
    schema.types[size_t(id)] = std::move(t);
    open.erase(d);
    return id;
  }
};

int64_t time_ns(const pb::Message& m) {
  const pb::Reflection* r = m.GetReflection();
  const pb::Descriptor* d = m.GetDescriptor();
  const pb::FieldDescriptor* sec = d->FindFieldByNumber(1);
  const pb::FieldDescriptor* nsec = d->FindFieldByNumber(2);
  int64_t s = 0, n = 0;
  if (sec && sec->cpp_type() == pb::FieldDescriptor::CPPTYPE_INT64) s = r->GetInt64(m, sec);
  if (nsec && nsec->cpp_type() == pb::FieldDescriptor::CPPTYPE_INT32) n = r->GetInt32(m, nsec);
  int64_t out;
  if (__builtin_mul_overflow(s, int64_t(1000000000), &out) ||
      __builtin_add_overflow(out, n, &out)) {
    return s < 0 ? INT64_MIN : INT64_MAX;
  }
  return out;
}

class ProtobufDecoder final : public MessageDecoder {
 public:
  ProtobufDecoder(std::unique_ptr<Descriptors> descriptors, DecoderOptions options)
      : MessageDecoder(options), d_(std::move(descriptors)) {}

  Status init() {
    pb::LogSilencer quiet;
    SchemaBuild build;
    build.schema.root = build.visit(d_->root);
    schema_ = std::move(build.schema);
    REEL_RETURN_NOT_OK(init_columns(schema_));
    // Each slot's fields, as descriptors (slots follow the tree, types may repeat).
    for (const auto& slot : columns().tree.slots()) {
      const int32_t type_index = int32_t(slot.type - schema_.types.data());
      const pb::Descriptor* desc = build.descriptor_of[size_t(type_index)];
      std::vector<const pb::FieldDescriptor*> fields;
      for (int i = 0; i < desc->field_count(); ++i) fields.push_back(desc->field(i));
      slot_fields_.push_back(std::move(fields));
    }
    prototype_ = factory_.GetPrototype(d_->root);
    if (!prototype_) return Status::Invalid("protobuf: no prototype for " + d_->root->full_name());
    message_.reset(prototype_->New());
    return Status::OK();
  }

  const MessageSchema& schema() const override { return schema_; }

 protected:
  Status decode(std::span<const uint8_t> bytes) override {
    pb::LogSilencer quiet;  // invalid UTF-8 in a string field is logged, then fails the parse
    message_->Clear();
    if (bytes.size() > size_t(INT32_MAX) ||
        !message_->ParsePartialFromArray(bytes.data(), int(bytes.size()))) {
      return Status::Corrupt("the " + std::to_string(bytes.size()) + "-byte message does not " +
                             "parse as protobuf " + d_->root->full_name());
    }
    if (!put_message(*message_, 0)) {
      return Status::Corrupt("the message holds more than a batch can (2^31 values)");
    }
    return Status::OK();
  }

 private:
  bool put_message(const pb::Message& m, int32_t slot_index) {
    ColumnTree& tree = columns().tree;
    const internal::StructSlot& slot = tree.slots()[size_t(slot_index)];
    const auto& fds = slot_fields_[size_t(slot_index)];
    const pb::Reflection* r = m.GetReflection();
    for (size_t i = 0; i < slot.fields.size(); ++i) {
      const internal::FieldSlot& fs = slot.fields[i];
      const pb::FieldDescriptor* f = fds[i];
      Node& node = tree.node(fs.node);
      if (f->is_repeated()) {
        const int n = r->FieldSize(m, f);
        Node& elem = tree.node(fs.elem);
        for (int k = 0; k < n; ++k) {
          if (!put_value(m, f, k, fs, elem)) return false;
        }
        if (!tree.close_list(node)) return false;
        continue;
      }
      if (fs.def->optional && !r->HasField(m, f)) {
        tree.append_null(node);
        continue;
      }
      if (!put_value(m, f, -1, fs, node)) return false;
    }
    ColumnTree::close_entry(tree.node(slot.node));
    return true;
  }

  // One value of field f (element k of a repeated field, or the singular value for k < 0).
  bool put_value(const pb::Message& m, const pb::FieldDescriptor* f, int k,
                 const internal::FieldSlot& fs, Node& node) {
    const pb::Reflection* r = m.GetReflection();
    const bool rep = k >= 0;
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32:
        ColumnTree::append_value(node, rep ? r->GetRepeatedInt32(m, f, k) : r->GetInt32(m, f));
        return true;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        ColumnTree::append_value(node, rep ? r->GetRepeatedInt64(m, f, k) : r->GetInt64(m, f));
        return true;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        ColumnTree::append_value(node, rep ? r->GetRepeatedUInt32(m, f, k) : r->GetUInt32(m, f));
        return true;
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        ColumnTree::append_value(node, rep ? r->GetRepeatedUInt64(m, f, k) : r->GetUInt64(m, f));
        return true;
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        ColumnTree::append_value(node, rep ? r->GetRepeatedFloat(m, f, k) : r->GetFloat(m, f));
        return true;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        ColumnTree::append_value(node, rep ? r->GetRepeatedDouble(m, f, k) : r->GetDouble(m, f));
        return true;
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        ColumnTree::append_bool(node, rep ? r->GetRepeatedBool(m, f, k) : r->GetBool(m, f));
        return true;
      case pb::FieldDescriptor::CPPTYPE_ENUM:
        ColumnTree::append_value(
            node, int32_t(rep ? r->GetRepeatedEnumValue(m, f, k) : r->GetEnumValue(m, f)));
        return true;
      case pb::FieldDescriptor::CPPTYPE_STRING: {
        const std::string& s = rep ? r->GetRepeatedStringReference(m, f, k, &scratch_)
                                   : r->GetStringReference(m, f, &scratch_);
        const auto* p = reinterpret_cast<const uint8_t*>(s.data());
        if (f->type() == pb::FieldDescriptor::TYPE_STRING &&
            !internal::is_valid_utf8(p, s.size())) {
          const std::string clean = internal::sanitize_utf8(p, s.size());
          return ColumnTree::append_bytes(node, clean.data(), clean.size());
        }
        return ColumnTree::append_bytes(node, p, s.size());
      }
      case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
        const pb::Message& sub = rep ? r->GetRepeatedMessage(m, f, k) : r->GetMessage(m, f);
        switch (fs.def->type.scalar) {
          case ScalarType::kTime:
          case ScalarType::kDuration:
            ColumnTree::append_value(node, time_ns(sub));
            return true;
          case ScalarType::kBytes: {
            scratch_.clear();
            sub.SerializePartialToString(&scratch_);
            return ColumnTree::append_bytes(node, scratch_.data(), scratch_.size());
          }
          default:
            return put_message(sub, fs.sub);
        }
      }
    }
    return false;
  }

  std::unique_ptr<Descriptors> d_;
  MessageSchema schema_;
  std::vector<std::vector<const pb::FieldDescriptor*>> slot_fields_;
  pb::DynamicMessageFactory factory_;
  const pb::Message* prototype_ = nullptr;
  std::unique_ptr<pb::Message> message_;
  std::string scratch_;
};

}  // namespace

Result<MessageSchema> parse_protobuf_schema(std::span<const uint8_t> file_descriptor_set,
                                            std::string_view type_name) {
  REEL_ASSIGN_OR_RETURN(auto d, load(file_descriptor_set, type_name));
  SchemaBuild build;
  build.schema.root = build.visit(d->root);
  return std::move(build.schema);
}

Result<std::unique_ptr<MessageDecoder>> make_protobuf_decoder(
    std::span<const uint8_t> file_descriptor_set, std::string_view type_name,
    DecoderOptions options) {
  REEL_ASSIGN_OR_RETURN(auto d, load(file_descriptor_set, type_name));
  auto decoder = std::make_unique<ProtobufDecoder>(std::move(d), options);
  REEL_RETURN_NOT_OK(decoder->init());
  return std::unique_ptr<MessageDecoder>(std::move(decoder));
}

}  // namespace reel::import
