#include "reel/arrow/ipc.hpp"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <cstring>

#include "arrow_ipc_generated.h"

namespace reel::arrow {

// ---------------------------------------------------------------------------------------
// Schema / RecordBatch helpers

const std::string* find_metadata(const Metadata& metadata, std::string_view key) {
  for (const auto& [k, v] : metadata) {
    if (k == key) return &v;
  }
  return nullptr;
}

int Schema::field_index(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i]->name == name) return int(i);
  }
  return -1;
}

const std::string* Schema::metadata_value(std::string_view key) const {
  return find_metadata(metadata, key);
}

Status RecordBatch::validate() const {
  if (!schema) return Status::Invalid("record batch without a schema");
  if (columns.size() != schema->fields.size()) {
    return Status::Invalid("record batch has " + std::to_string(columns.size()) + " columns for " +
                           std::to_string(schema->fields.size()) + " fields");
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& f = *schema->fields[i];
    if (!columns[i] || columns[i]->length != num_rows) {
      return Status::Invalid("column '" + f.name + "' has " +
                             std::to_string(columns[i] ? columns[i]->length : -1) +
                             " rows, the batch " + std::to_string(num_rows));
    }
    if (!type_equals(columns[i]->type, f.type)) {
      return Status::TypeError("column '" + f.name + "' is " + columns[i]->type->to_string() +
                               ", its field says " + f.type->to_string());
    }
    Status st = arrow::validate(*columns[i], true);
    if (!st.ok()) return st.with_context("column '" + f.name + "'");
  }
  return Status::OK();
}

namespace ipc {

namespace {

constexpr uint32_t kContinuation = 0xFFFFFFFFu;
constexpr int kMaxDepth = 64;

size_t pad8(size_t n) { return (n + 7) & ~size_t{7}; }

// ---------------------------------------------------------------------------------------
// Writing

using FbOffset = flatbuffers::Offset<void>;

flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::KeyValue>>> write_metadata(
    flatbuffers::FlatBufferBuilder& b, const Metadata& metadata) {
  if (metadata.empty()) return 0;
  std::vector<flatbuffers::Offset<fb::KeyValue>> kvs;
  for (const auto& [k, v] : metadata) {
    kvs.push_back(fb::CreateKeyValue(b, b.CreateString(k), b.CreateString(v)));
  }
  return b.CreateVector(kvs);
}

Result<std::pair<fb::Type, FbOffset>> write_type(flatbuffers::FlatBufferBuilder& b,
                                                 const DataType& t) {
  auto integer = [&](int bits, bool is_signed) {
    return std::make_pair(fb::Type_Int, fb::CreateInt(b, bits, is_signed).Union());
  };
  auto floating = [&](fb::Precision p) {
    return std::make_pair(fb::Type_FloatingPoint, fb::CreateFloatingPoint(b, p).Union());
  };
  switch (t.id()) {
    case TypeId::kNull:
      return std::make_pair(fb::Type_Null, fb::CreateNull(b).Union());
    case TypeId::kBool:
      return std::make_pair(fb::Type_Bool, fb::CreateBool(b).Union());
    case TypeId::kInt8:
      return integer(8, true);
    case TypeId::kInt16:
      return integer(16, true);
    case TypeId::kInt32:
      return integer(32, true);
    case TypeId::kInt64:
      return integer(64, true);
    case TypeId::kUInt8:
      return integer(8, false);
    case TypeId::kUInt16:
      return integer(16, false);
    case TypeId::kUInt32:
      return integer(32, false);
    case TypeId::kUInt64:
      return integer(64, false);
    case TypeId::kFloat16:
      return floating(fb::Precision_HALF);
    case TypeId::kFloat32:
      return floating(fb::Precision_SINGLE);
    case TypeId::kFloat64:
      return floating(fb::Precision_DOUBLE);
    case TypeId::kUtf8:
      return std::make_pair(fb::Type_Utf8, fb::CreateUtf8(b).Union());
    case TypeId::kBinary:
      return std::make_pair(fb::Type_Binary, fb::CreateBinary(b).Union());
    case TypeId::kFixedSizeBinary:
      return std::make_pair(fb::Type_FixedSizeBinary,
                            fb::CreateFixedSizeBinary(b, t.byte_width()).Union());
    case TypeId::kList:
      return std::make_pair(fb::Type_List, fb::CreateList(b).Union());
    case TypeId::kFixedSizeList:
      return std::make_pair(fb::Type_FixedSizeList,
                            fb::CreateFixedSizeList(b, t.list_size()).Union());
    case TypeId::kStruct:
      return std::make_pair(fb::Type_Struct_, fb::CreateStruct_(b).Union());
  }
  return Status::NotImplemented("IPC writing of type " + t.to_string());
}

Result<flatbuffers::Offset<fb::Field>> write_field(flatbuffers::FlatBufferBuilder& b,
                                                   const Field& f) {
  std::vector<flatbuffers::Offset<fb::Field>> children;
  for (const auto& child : f.type->fields()) {
    REEL_ASSIGN_OR_RETURN(auto c, write_field(b, *child));
    children.push_back(c);
  }
  auto name = b.CreateString(f.name);
  REEL_ASSIGN_OR_RETURN(auto type, write_type(b, *f.type));
  auto kids = b.CreateVector(children);
  auto metadata = write_metadata(b, f.metadata);
  return fb::CreateField(b, name, f.nullable, type.first, type.second, 0, kids, metadata);
}

// Appends an encapsulated message: continuation, length, flatbuffer padded to 8.
void append_message(flatbuffers::FlatBufferBuilder& b, std::vector<uint8_t>& out) {
  const size_t fb_size = b.GetSize();
  const size_t padded = pad8(fb_size);
  const size_t start = out.size();
  out.resize(start + 8 + padded, 0);
  uint32_t cont = kContinuation;
  int32_t len = int32_t(padded);
  std::memcpy(out.data() + start, &cont, 4);
  std::memcpy(out.data() + start + 4, &len, 4);
  std::memcpy(out.data() + start + 8, b.GetBufferPointer(), fb_size);
}

// The body of a record batch: buffers collected in pre-order, each 8-byte aligned.
struct BodyWriter {
  std::vector<fb::FieldNode> nodes;
  std::vector<fb::Buffer> buffers;
  // (source pointer, length) for buffers that are written as they are; owned copies for
  // the ones that had to be normalized.
  struct Piece {
    const uint8_t* data;
    size_t size;
  };
  std::vector<Piece> pieces;
  std::vector<std::unique_ptr<std::vector<uint8_t>>> owned;
  size_t body = 0;

  void add(const uint8_t* data, size_t size) {
    buffers.emplace_back(int64_t(body), int64_t(size));
    pieces.push_back({data, size});
    body += pad8(size);
  }
  void add_owned(std::vector<uint8_t> bytes) {
    owned.push_back(std::make_unique<std::vector<uint8_t>>(std::move(bytes)));
    add(owned.back()->data(), owned.back()->size());
  }
  void add_empty() { add(nullptr, 0); }

  // A bitmap of `length` bits starting at bit `offset`, rewritten to start at bit 0.
  void add_bits(const BufferPtr& bits, int64_t offset, int64_t length) {
    const size_t bytes = size_t(bit_util::bytes_for_bits(length));
    if (offset % 8 == 0) {
      add(bits->data() + offset / 8, bytes);
    } else {
      std::vector<uint8_t> copy(bytes, 0);
      bit_util::copy_bits(bits->data(), offset, length, copy.data(), 0);
      add_owned(std::move(copy));
    }
  }

  void add_validity(const ArrayData& a) {
    if (a.null_count == 0 || a.buffers.empty() || !a.buffers[0]) {
      add_empty();
    } else {
      add_bits(a.buffers[0], a.offset, a.length);
    }
  }

  // Offsets rebased to start at 0; returns the child range they covered.
  std::pair<int32_t, int32_t> add_offsets(const ArrayData& a) {
    if (a.length == 0) {
      std::vector<uint8_t> zero(4, 0);
      add_owned(std::move(zero));
      return {0, 0};
    }
    const int32_t* o = a.values<int32_t>(1);
    const int32_t first = o[0];
    if (first == 0) {
      add(reinterpret_cast<const uint8_t*>(o), size_t(a.length + 1) * 4);
    } else {
      std::vector<uint8_t> copy(size_t(a.length + 1) * 4);
      int32_t* dst = reinterpret_cast<int32_t*>(copy.data());
      for (int64_t i = 0; i <= a.length; ++i) dst[i] = o[i] - first;
      add_owned(std::move(copy));
    }
    return {first, o[a.length]};
  }

  Status visit(const ArrayData& a, int depth) {
    if (depth > kMaxDepth)
      return Status::Invalid("array nesting deeper than " + std::to_string(kMaxDepth));
    nodes.emplace_back(a.length, a.null_count);
    const TypeId id = a.type->id();
    if (id == TypeId::kNull) return Status::OK();
    add_validity(a);
    switch (id) {
      case TypeId::kBool:
        add_bits(a.buffers[1], a.offset, a.length);
        return Status::OK();
      case TypeId::kUtf8:
      case TypeId::kBinary: {
        auto [begin, end] = add_offsets(a);
        add(a.buffers[2] ? a.buffers[2]->data() + begin : nullptr, size_t(end - begin));
        return Status::OK();
      }
      case TypeId::kList: {
        auto [begin, end] = add_offsets(a);
        return visit(*a.children[0]->slice(begin, end - begin), depth + 1);
      }
      case TypeId::kFixedSizeList: {
        const int64_t ls = a.type->list_size();
        return visit(*a.children[0]->slice(a.offset * ls, a.length * ls), depth + 1);
      }
      case TypeId::kStruct:
        for (const auto& child : a.children) {
          REEL_RETURN_NOT_OK(visit(*child->slice(a.offset, a.length), depth + 1));
        }
        return Status::OK();
      default: {
        const int w = a.type->primitive_width();
        if (w == 0) return Status::NotImplemented("IPC writing of type " + a.type->to_string());
        add(a.buffers[1]->data() + a.offset * w, size_t(a.length * w));
        return Status::OK();
      }
    }
  }
};

}  // namespace

Status write_schema_message(const Schema& schema, std::vector<uint8_t>& out) {
  flatbuffers::FlatBufferBuilder b(1024);
  std::vector<flatbuffers::Offset<fb::Field>> fields;
  for (const auto& f : schema.fields) {
    REEL_ASSIGN_OR_RETURN(auto field, write_field(b, *f));
    fields.push_back(field);
  }
  auto fv = b.CreateVector(fields);
  auto metadata = write_metadata(b, schema.metadata);
  auto s = fb::CreateSchema(b, fb::Endianness_Little, fv, metadata);
  b.Finish(fb::CreateMessage(b, fb::MetadataVersion_V5, fb::MessageHeader_Schema, s.Union(), 0));
  append_message(b, out);
  return Status::OK();
}

Status write_record_batch_message(const RecordBatch& batch, std::vector<uint8_t>& out) {
  BodyWriter body;
  for (const auto& column : batch.columns) REEL_RETURN_NOT_OK(body.visit(*column, 0));
  flatbuffers::FlatBufferBuilder b(256 + body.nodes.size() * 16 + body.buffers.size() * 16);
  auto nodes = b.CreateVectorOfStructs(body.nodes);
  auto buffers = b.CreateVectorOfStructs(body.buffers);
  auto rb = fb::CreateRecordBatch(b, batch.num_rows, nodes, buffers);
  b.Finish(fb::CreateMessage(b, fb::MetadataVersion_V5, fb::MessageHeader_RecordBatch, rb.Union(),
                             int64_t(body.body)));
  append_message(b, out);
  size_t start = out.size();
  out.resize(start + body.body, 0);
  uint8_t* dst = out.data() + start;
  for (size_t i = 0; i < body.pieces.size(); ++i) {
    if (body.pieces[i].size) {
      std::memcpy(dst + body.buffers[i].offset(), body.pieces[i].data, body.pieces[i].size);
    }
  }
  return Status::OK();
}

void write_end_of_stream(std::vector<uint8_t>& out) {
  uint32_t words[2] = {kContinuation, 0};
  const auto* p = reinterpret_cast<const uint8_t*>(words);
  out.insert(out.end(), p, p + 8);
}

Status write_stream(const RecordBatch& batch, std::vector<uint8_t>& out) {
  REEL_RETURN_NOT_OK(write_schema_message(*batch.schema, out));
  REEL_RETURN_NOT_OK(write_record_batch_message(batch, out));
  write_end_of_stream(out);
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// Reading

struct StreamReader::RawMessage {
  const fb::Message* message;
  size_t offset;      // of the message in the stream
  size_t body_start;  // in bytes_
  size_t body_length;
  std::shared_ptr<std::vector<uint64_t>> aligned_metadata;  // owns `message` when copied
};

namespace {

Metadata read_metadata(const flatbuffers::Vector<flatbuffers::Offset<fb::KeyValue>>* kvs) {
  Metadata out;
  if (!kvs) return out;
  for (const auto* kv : *kvs) {
    out.emplace_back(kv->key() ? kv->key()->str() : std::string(),
                     kv->value() ? kv->value()->str() : std::string());
  }
  return out;
}

Result<FieldPtr> read_field(const fb::Field* f, int depth, const std::string& path) {
  if (depth > kMaxDepth)
    return Status::Corrupt("schema nesting deeper than " + std::to_string(kMaxDepth));
  if (!f) return Status::Corrupt("schema field " + path + " is missing");
  std::string name = f->name() ? f->name()->str() : std::string();
  const std::string where = path.empty() ? "'" + name + "'" : path + "." + name;
  if (f->dictionary()) return Status::NotImplemented("field " + where + " is dictionary-encoded");
  std::vector<FieldPtr> children;
  if (f->children()) {
    for (const auto* c : *f->children()) {
      REEL_ASSIGN_OR_RETURN(auto child, read_field(c, depth + 1, where));
      children.push_back(child);
    }
  }
  auto need_children = [&](size_t n) -> Status {
    if (children.size() != n) {
      return Status::Corrupt("field " + where + " of a " +
                             std::string(fb::EnumNameType(f->type_type())) + " type has " +
                             std::to_string(children.size()) + " children, expected " +
                             std::to_string(n));
    }
    return Status::OK();
  };
  TypePtr type;
  switch (f->type_type()) {
    case fb::Type_Null:
      type = null();
      break;
    case fb::Type_Bool:
      type = boolean();
      break;
    case fb::Type_Int: {
      const auto* t = f->type_as_Int();
      if (!t) return Status::Corrupt("field " + where + ": Int type without parameters");
      const bool s = t->is_signed();
      switch (t->bit_width()) {
        case 8:
          type = s ? int8() : uint8();
          break;
        case 16:
          type = s ? int16() : uint16();
          break;
        case 32:
          type = s ? int32() : uint32();
          break;
        case 64:
          type = s ? int64() : uint64();
          break;
        default:
          return Status::Corrupt("field " + where + ": integer bit width " +
                                 std::to_string(t->bit_width()));
      }
      break;
    }
    case fb::Type_FloatingPoint: {
      const auto* t = f->type_as_FloatingPoint();
      if (!t) return Status::Corrupt("field " + where + ": FloatingPoint without parameters");
      switch (t->precision()) {
        case fb::Precision_HALF:
          type = float16();
          break;
        case fb::Precision_SINGLE:
          type = float32();
          break;
        case fb::Precision_DOUBLE:
          type = float64();
          break;
        default:
          return Status::Corrupt("field " + where + ": unknown float precision");
      }
      break;
    }
    case fb::Type_Utf8:
      type = utf8();
      break;
    case fb::Type_Binary:
      type = binary();
      break;
    case fb::Type_FixedSizeBinary: {
      const auto* t = f->type_as_FixedSizeBinary();
      if (!t || t->byte_width() <= 0)
        return Status::Corrupt("field " + where + ": bad fixed-size binary width");
      type = fixed_size_binary(t->byte_width());
      break;
    }
    case fb::Type_List:
      REEL_RETURN_NOT_OK(need_children(1));
      type = list(children[0]);
      break;
    case fb::Type_FixedSizeList: {
      REEL_RETURN_NOT_OK(need_children(1));
      const auto* t = f->type_as_FixedSizeList();
      if (!t || t->list_size() <= 0)
        return Status::Corrupt("field " + where + ": bad fixed-size list size");
      type = fixed_size_list(children[0], t->list_size());
      break;
    }
    case fb::Type_Struct_:
      type = struct_(children);
      break;
    default:
      return Status::NotImplemented("field " + where + " has Arrow type " +
                                    std::string(fb::EnumNameType(f->type_type())) +
                                    ", which reel does not read");
  }
  return field(std::move(name), std::move(type), f->nullable(),
               read_metadata(f->custom_metadata()));
}

// Element i of a flatbuffer vector of structs, copied out: the verifier checks such vectors
// for 4-byte alignment only, and FieldNode and Buffer hold int64s (read in place, a misaligned
// vector would be undefined behaviour).
template <typename T>
T struct_at(const flatbuffers::Vector<const T*>& v, flatbuffers::uoffset_t i) {
  T out;
  std::memcpy(static_cast<void*>(&out), v.Data() + size_t(i) * sizeof(T), sizeof(T));
  return out;
}

// Rebuilds arrays from the flattened nodes and buffers of a record batch.
struct BodyReader {
  const fb::RecordBatch* rb;
  const uint8_t* body;
  size_t body_length;
  size_t message_offset;
  BufferPtr body_buffer;  // wraps the body, keeps the owner alive
  size_t node = 0;
  size_t buffer = 0;

  Status corrupt(const std::string& what) const {
    return Status::Corrupt("record batch at byte " + std::to_string(message_offset) + ": " + what);
  }

  Result<BufferPtr> next_buffer(size_t align) {
    const auto* buffers = rb->buffers();
    if (!buffers || buffer >= buffers->size())
      return corrupt("fewer buffers than the schema needs");
    const fb::Buffer b = struct_at(*buffers, flatbuffers::uoffset_t(buffer++));
    const int64_t off = b.offset(), len = b.length();
    if (off < 0 || len < 0 || uint64_t(off) > body_length ||
        uint64_t(len) > body_length - uint64_t(off)) {
      return corrupt("buffer " + std::to_string(buffer - 1) + " [" + std::to_string(off) + ", +" +
                     std::to_string(len) + ") is outside the " + std::to_string(body_length) +
                     "-byte body");
    }
    if (len == 0) return BufferPtr();
    const uint8_t* p = body + off;
    if (reinterpret_cast<uintptr_t>(p) % align != 0) {
      return BufferPtr(Buffer::copy_of(p, size_t(len)));  // misaligned input: copy once
    }
    return Buffer::slice(body_buffer, size_t(off), size_t(len));
  }

  Result<std::pair<int64_t, int64_t>> next_node() {
    const auto* nodes = rb->nodes();
    if (!nodes || node >= nodes->size()) return corrupt("fewer field nodes than the schema needs");
    const fb::FieldNode n = struct_at(*nodes, flatbuffers::uoffset_t(node++));
    if (n.length() < 0 || n.null_count() < 0 || n.null_count() > n.length()) {
      return corrupt("field node " + std::to_string(node - 1) + " has length " +
                     std::to_string(n.length()) + " and null count " +
                     std::to_string(n.null_count()));
    }
    return std::make_pair(n.length(), n.null_count());
  }

  Result<ArrayPtr> read(const Field& f, int depth) {
    if (depth > kMaxDepth) return corrupt("nesting deeper than " + std::to_string(kMaxDepth));
    REEL_ASSIGN_OR_RETURN(auto n, next_node());
    const auto [length, null_count] = n;
    const TypeId id = f.type->id();
    if (id == TypeId::kNull) return ArrayData::make(f.type, length, length, {});
    REEL_ASSIGN_OR_RETURN(auto validity, next_buffer(1));
    if (null_count == 0) validity = nullptr;
    if (null_count > 0 && !validity) {
      return corrupt("column '" + f.name + "' has nulls but no validity bitmap");
    }
    std::vector<BufferPtr> buffers = {validity};
    std::vector<ArrayPtr> children;
    switch (id) {
      case TypeId::kBool: {
        REEL_ASSIGN_OR_RETURN(auto bits, next_buffer(1));
        buffers.push_back(bits ? bits : BufferPtr(Buffer::allocate(0)));
        break;
      }
      case TypeId::kUtf8:
      case TypeId::kBinary: {
        REEL_ASSIGN_OR_RETURN(auto offsets, next_buffer(4));
        REEL_ASSIGN_OR_RETURN(auto data, next_buffer(1));
        if (!offsets && length > 0) return corrupt("column '" + f.name + "' has no offsets");
        buffers.push_back(offsets ? offsets : BufferPtr(Buffer::allocate(4)));
        buffers.push_back(data ? data : BufferPtr(Buffer::allocate(0)));
        break;
      }
      case TypeId::kList: {
        REEL_ASSIGN_OR_RETURN(auto offsets, next_buffer(4));
        if (!offsets && length > 0) return corrupt("column '" + f.name + "' has no offsets");
        buffers.push_back(offsets ? offsets : BufferPtr(Buffer::allocate(4)));
        REEL_ASSIGN_OR_RETURN(auto child, read(*f.type->fields()[0], depth + 1));
        children.push_back(child);
        break;
      }
      case TypeId::kFixedSizeList: {
        REEL_ASSIGN_OR_RETURN(auto child, read(*f.type->fields()[0], depth + 1));
        children.push_back(child);
        break;
      }
      case TypeId::kStruct:
        for (const auto& child_field : f.type->fields()) {
          REEL_ASSIGN_OR_RETURN(auto child, read(*child_field, depth + 1));
          children.push_back(child);
        }
        break;
      default: {
        const int w = f.type->primitive_width();
        REEL_ASSIGN_OR_RETURN(auto values, next_buffer(size_t(std::min(w, 8))));
        buffers.push_back(values ? values : BufferPtr(Buffer::allocate(0)));
        break;
      }
    }
    return ArrayData::make(f.type, length, null_count, std::move(buffers), std::move(children));
  }
};

}  // namespace

StreamReader::StreamReader(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner)
    : bytes_(bytes), owner_(std::move(owner)) {}

Result<std::optional<StreamReader::RawMessage>> StreamReader::read_message() {
  const size_t start = pos_;
  auto corrupt = [&](const std::string& what) {
    return Status::Corrupt("Arrow IPC message at byte " + std::to_string(start) + ": " + what);
  };
  if (pos_ == bytes_.size()) return std::optional<RawMessage>();  // end without a marker
  if (bytes_.size() - pos_ < 4) return corrupt("truncated message length");
  uint32_t word;
  std::memcpy(&word, bytes_.data() + pos_, 4);
  pos_ += 4;
  if (word == kContinuation) {
    if (bytes_.size() - pos_ < 4) return corrupt("truncated message length");
    std::memcpy(&word, bytes_.data() + pos_, 4);
    pos_ += 4;
  }
  const int32_t length = int32_t(word);                 // without continuation: the pre-1.0 format
  if (length == 0) return std::optional<RawMessage>();  // end-of-stream marker
  if (length < 0 || size_t(length) > bytes_.size() - pos_) {
    return corrupt("metadata length " + std::to_string(length) + " exceeds the " +
                   std::to_string(bytes_.size() - pos_) + " bytes left");
  }
  const uint8_t* meta = bytes_.data() + pos_;
  // flatbuffers reads scalars in place, so misaligned metadata (a misaligned input span, or
  // a preceding length that is not a multiple of 8) is read from an aligned copy.
  std::shared_ptr<std::vector<uint64_t>> aligned;
  if (reinterpret_cast<uintptr_t>(meta) % 8 != 0) {
    aligned = std::make_shared<std::vector<uint64_t>>((size_t(length) + 7) / 8);
    std::memcpy(aligned->data(), meta, size_t(length));
    meta = reinterpret_cast<const uint8_t*>(aligned->data());
  }
  flatbuffers::Verifier verifier(meta, size_t(length), kMaxDepth, 1000000);
  if (!fb::VerifyMessageBuffer(verifier))
    return corrupt("metadata is not a valid flatbuffer Message");
  const fb::Message* message = fb::GetMessage(meta);
  pos_ += size_t(length);
  const int64_t body_length = message->body_length();
  if (body_length < 0 || uint64_t(body_length) > bytes_.size() - pos_) {
    return corrupt("body length " + std::to_string(body_length) + " exceeds the " +
                   std::to_string(bytes_.size() - pos_) + " bytes left");
  }
  RawMessage raw{message, start, pos_, size_t(body_length), std::move(aligned)};
  pos_ += size_t(body_length);
  return std::optional<RawMessage>(raw);
}

Result<SchemaPtr> StreamReader::schema() {
  if (schema_) return schema_;
  REEL_ASSIGN_OR_RETURN(auto raw, read_message());
  if (!raw) return Status::Corrupt("Arrow IPC stream has no schema message");
  if (raw->message->header_type() != fb::MessageHeader_Schema ||
      !raw->message->header_as_Schema()) {
    return Status::Corrupt("Arrow IPC stream starts with a " +
                           std::string(fb::EnumNameMessageHeader(raw->message->header_type())) +
                           " message, expected Schema");
  }
  const fb::Schema* s = raw->message->header_as_Schema();
  if (s->endianness() != fb::Endianness_Little) {
    return Status::NotImplemented("big-endian Arrow IPC data");
  }
  auto schema = std::make_shared<Schema>();
  if (s->fields()) {
    for (const auto* f : *s->fields()) {
      REEL_ASSIGN_OR_RETURN(auto field, read_field(f, 0, ""));
      schema->fields.push_back(field);
    }
  }
  schema->metadata = read_metadata(s->custom_metadata());
  schema_ = schema;
  return schema_;
}

Result<std::optional<RecordBatch>> StreamReader::next() {
  REEL_ASSIGN_OR_RETURN(auto schema, this->schema());
  if (done_) return std::optional<RecordBatch>();
  for (;;) {
    REEL_ASSIGN_OR_RETURN(auto raw, read_message());
    if (!raw) {
      done_ = true;
      return std::optional<RecordBatch>();
    }
    const auto type = raw->message->header_type();
    if (type == fb::MessageHeader_DictionaryBatch) {
      return Status::NotImplemented("dictionary batches (at byte " + std::to_string(raw->offset) +
                                    ")");
    }
    if (type != fb::MessageHeader_RecordBatch || !raw->message->header_as_RecordBatch()) {
      return Status::Corrupt("unexpected " + std::string(fb::EnumNameMessageHeader(type)) +
                             " message at byte " + std::to_string(raw->offset));
    }
    const fb::RecordBatch* rb = raw->message->header_as_RecordBatch();
    if (rb->compression()) {
      return Status::NotImplemented("compressed Arrow IPC bodies (at byte " +
                                    std::to_string(raw->offset) + ")");
    }
    BodyReader reader{rb, bytes_.data() + raw->body_start, raw->body_length, raw->offset,
                      Buffer::wrap(bytes_.data() + raw->body_start, raw->body_length, owner_)};
    RecordBatch batch;
    batch.schema = schema;
    batch.num_rows = rb->length();
    for (const auto& f : schema->fields) {
      REEL_ASSIGN_OR_RETURN(auto column, reader.read(*f, 0));
      batch.columns.push_back(column);
    }
    if (batch.num_rows < 0) return reader.corrupt("negative row count");
    Status st = batch.validate();
    if (!st.ok()) return st.with_context("record batch at byte " + std::to_string(raw->offset));
    return std::optional<RecordBatch>(std::move(batch));
  }
}

Result<RecordBatch> read_stream(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner) {
  StreamReader reader(bytes, std::move(owner));
  REEL_ASSIGN_OR_RETURN(auto batch, reader.next());
  if (!batch) return Status::Corrupt("Arrow IPC stream has a schema but no record batch");
  return std::move(*batch);
}

}  // namespace ipc
}  // namespace reel::arrow
