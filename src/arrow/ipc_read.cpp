// Arrow IPC stream reading (include/reel/arrow/ipc.hpp): schema, record batches, and the
// fields of types reel does not represent, skipped by their layout when asked to.
#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <cstring>

#include "arrow/ipc_internal.hpp"
#include "arrow_ipc_generated.h"
#include "reel/arrow/ipc.hpp"

namespace reel::arrow::ipc {

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
    case fb::Type_Timestamp:
    case fb::Type_Duration: {
      const bool ts = f->type_type() == fb::Type_Timestamp;
      const int16_t unit = ts ? (f->type_as_Timestamp() ? f->type_as_Timestamp()->unit() : -1)
                              : (f->type_as_Duration() ? f->type_as_Duration()->unit() : -1);
      if (unit < 0 || unit > 3) {
        return Status::Corrupt("field " + where + ": time unit " + std::to_string(unit));
      }
      if (ts) {
        const auto* tz = f->type_as_Timestamp()->timezone();
        type = timestamp(TimeUnit(unit), tz ? tz->str() : std::string());
      } else {
        type = duration(TimeUnit(unit));
      }
      break;
    }
    case fb::Type_Union: {
      const auto* t = f->type_as_Union();
      if (!t) return Status::Corrupt("field " + where + ": Union type without parameters");
      if (t->mode() != kUnionModeDense) {
        return Status::NotImplemented("field " + where +
                                      " is a sparse union, which reel does not read");
      }
      std::vector<int8_t> codes;
      if (t->type_ids()) {
        if (t->type_ids()->size() != children.size()) {
          return Status::Corrupt("field " + where + ": union has " +
                                 std::to_string(t->type_ids()->size()) + " type ids for " +
                                 std::to_string(children.size()) + " members");
        }
        for (int32_t code : *t->type_ids()) {
          if (code < 0 || code > 127) {
            return Status::Corrupt("field " + where + ": union type id " + std::to_string(code));
          }
          codes.push_back(int8_t(code));
        }
      }
      type = dense_union(children, std::move(codes));
      if (!type) return Status::Corrupt("field " + where + ": union type ids repeat");
      break;
    }
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
  // Set for a compressed body (BodyCompression): its codec and the caller's decompressor.
  const fb::BodyCompression* compression = nullptr;
  const ReadOptions* options = nullptr;
  ReadStats* stats = nullptr;
  size_t column = 0;  // the batch column being read, for stats
  size_t node = 0;
  size_t buffer = 0;
  size_t variadic = 0;  // the next entry of variadicBufferCounts

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
    size_t at = size_t(off), size = size_t(len);
    if (compression) {
      // An int64 uncompressed length, then the bytes: compressed, or raw when it is -1.
      if (size < 8)
        return corrupt("compressed buffer " + std::to_string(buffer - 1) + " of " +
                       std::to_string(size) + " bytes has no length prefix");
      int64_t declared;
      std::memcpy(&declared, body + at, 8);
      at += 8;
      size -= 8;
      if (declared != -1) return decompress_buffer(declared, body + at, size);
    }
    const uint8_t* p = body + at;
    if (reinterpret_cast<uintptr_t>(p) % align != 0) {
      stats->copied_bytes += size;
      return BufferPtr(Buffer::copy_of(p, size));  // misaligned input: copy once
    }
    if (stats->in_place_bytes.size() <= column) stats->in_place_bytes.resize(column + 1, 0);
    stats->in_place_bytes[column] += size;
    return Buffer::slice(body_buffer, at, size);
  }

  // A compressed buffer, decompressed straight into the buffer the array keeps.
  Result<BufferPtr> decompress_buffer(int64_t declared, const uint8_t* p, size_t size) {
    const std::string which = "compressed buffer " + std::to_string(buffer - 1);
    // No codec expands more than its best ratio (LZ4 under 256x, zstd 32768x), so a larger
    // claim is corrupt: refused before it costs an allocation.
    const uint64_t ratio = compression->codec() == int8_t(BodyCodec::kLz4Frame) ? 256 : 32768;
    if (declared < 0 || uint64_t(declared) > (uint64_t(size) + 64) * ratio ||
        uint64_t(declared) > (uint64_t(1) << 31)) {
      return corrupt(which + " declares " + std::to_string(declared) + " bytes from " +
                     std::to_string(size));
    }
    if (uint64_t(stats->decompressed_bytes) + uint64_t(declared) >
        options->max_decompressed_bytes) {
      return corrupt(which + " declares " + std::to_string(declared) +
                     " bytes: the batch's buffers would decompress to more than the limit of " +
                     std::to_string(options->max_decompressed_bytes) + " bytes");
    }
    REEL_ASSIGN_OR_RETURN(auto out, Buffer::try_allocate_for_overwrite(size_t(declared)));
    Status st = options->decompress(BodyCodec(compression->codec()), {p, size},
                                    {out->mutable_data(), out->size()});
    if (!st.ok()) return corrupt(which + ": " + st.message());
    stats->decompressed_bytes += size_t(declared);
    stats->codec = BodyCodec(compression->codec());
    return BufferPtr(std::move(out));
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

  // Passes over a field reel does not read: its nodes and buffers, and the variadic buffers
  // its view fields have in this batch.
  Status skip(size_t nodes, size_t buffers, size_t views) {
    const auto* counts = rb->variadic_buffer_counts();
    for (size_t i = 0; i < views; ++i) {
      if (!counts || variadic >= counts->size()) {
        return corrupt("fewer variadic buffer counts than the schema's view fields");
      }
      const int64_t n = counts->Get(flatbuffers::uoffset_t(variadic++));
      const size_t total = rb->buffers() ? rb->buffers()->size() : 0;
      if (n < 0 || uint64_t(n) > total)
        return corrupt("variadic buffer count " + std::to_string(n));
      buffers += size_t(n);
    }
    const size_t have_nodes = rb->nodes() ? rb->nodes()->size() : 0;
    const size_t have_buffers = rb->buffers() ? rb->buffers()->size() : 0;
    if (nodes > have_nodes - std::min(node, have_nodes) || node > have_nodes) {
      return corrupt("fewer field nodes than the schema needs");
    }
    if (buffers > have_buffers - std::min(buffer, have_buffers) || buffer > have_buffers) {
      return corrupt("fewer buffers than the schema needs");
    }
    node += nodes;
    buffer += buffers;
    return Status::OK();
  }

  Result<ArrayPtr> read(const Field& f, int depth) {
    if (depth > kMaxDepth) return corrupt("nesting deeper than " + std::to_string(kMaxDepth));
    REEL_ASSIGN_OR_RETURN(auto n, next_node());
    const auto [length, null_count] = n;
    const TypeId id = f.type->id();
    if (id == TypeId::kNull) return ArrayData::make(f.type, length, length, {});
    if (id == TypeId::kDenseUnion) {
      if (null_count != 0) return corrupt("union column '" + f.name + "' has a null count");
      REEL_ASSIGN_OR_RETURN(auto ids, next_buffer(1));
      REEL_ASSIGN_OR_RETURN(auto offsets, next_buffer(4));
      if ((!ids || !offsets) && length > 0) {
        return corrupt("union column '" + f.name + "' has no type ids or offsets");
      }
      std::vector<ArrayPtr> members;
      for (const auto& member : f.type->fields()) {
        REEL_ASSIGN_OR_RETURN(auto child, read(*member, depth + 1));
        members.push_back(child);
      }
      return ArrayData::make(f.type, length, 0,
                             {nullptr, ids ? ids : BufferPtr(Buffer::allocate(0)),
                              offsets ? offsets : BufferPtr(Buffer::allocate(0))},
                             std::move(members));
    }
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
        // Aligned to the largest power of two dividing the width (1 for 3-byte values).
        REEL_ASSIGN_OR_RETURN(auto values, next_buffer(size_t(std::min(w & -w, 8))));
        buffers.push_back(values ? values : BufferPtr(Buffer::allocate(0)));
        break;
      }
    }
    return ArrayData::make(f.type, length, null_count, std::move(buffers), std::move(children));
  }
};

}  // namespace

StreamReader::StreamReader(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner,
                           ReadOptions options)
    : bytes_(bytes), owner_(std::move(owner)), options_(options) {}

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
  plan_.clear();
  skipped_.clear();
  if (s->fields()) {
    for (flatbuffers::uoffset_t i = 0; i < s->fields()->size(); ++i) {
      const fb::Field* f = s->fields()->Get(i);
      auto field = read_field(f, 0, "");
      if (field.ok()) {
        schema->fields.push_back(*field);
        plan_.push_back(FieldPlan{});
        continue;
      }
      if (!options_.skip_unsupported_fields ||
          field.status().code() != StatusCode::kNotImplemented) {
        return field.status();
      }
      // A type reel does not represent: passed over by the layout its schema gives.
      FieldLayout layout;
      REEL_RETURN_NOT_OK(add_field_layout(f, 0, layout));
      plan_.push_back(FieldPlan{false, layout.nodes, layout.buffers, layout.variadic});
      skipped_.push_back(SkippedField{size_t(i), f->name() ? f->name()->str() : std::string(),
                                      field_type_name(f), field.status().message(),
                                      read_metadata(f->custom_metadata())});
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
      // Only a dictionary-encoded field uses them, and reel skips those (or fails earlier).
      if (!skipped_.empty()) continue;
      return Status::NotImplemented("dictionary batches (at byte " + std::to_string(raw->offset) +
                                    ")");
    }
    if (type != fb::MessageHeader_RecordBatch || !raw->message->header_as_RecordBatch()) {
      return Status::Corrupt("unexpected " + std::string(fb::EnumNameMessageHeader(type)) +
                             " message at byte " + std::to_string(raw->offset));
    }
    const fb::RecordBatch* rb = raw->message->header_as_RecordBatch();
    if (const fb::BodyCompression* c = rb->compression()) {
      if (!options_.decompress) {
        return Status::NotImplemented("compressed Arrow IPC bodies (at byte " +
                                      std::to_string(raw->offset) + ")");
      }
      if (c->method() != 0 /* BUFFER */ ||
          (c->codec() != int8_t(BodyCodec::kLz4Frame) && c->codec() != int8_t(BodyCodec::kZstd))) {
        return Status::Corrupt("record batch at byte " + std::to_string(raw->offset) +
                               ": unknown body compression codec " + std::to_string(c->codec()) +
                               " or method " + std::to_string(c->method()));
      }
    }
    stats_ = ReadStats{};
    BodyReader reader{rb, bytes_.data() + raw->body_start, raw->body_length, raw->offset,
                      Buffer::wrap(bytes_.data() + raw->body_start, raw->body_length, owner_)};
    reader.compression = rb->compression();
    reader.options = &options_;
    reader.stats = &stats_;
    RecordBatch batch;
    batch.schema = schema;
    batch.num_rows = rb->length();
    size_t kept = 0;
    for (const FieldPlan& p : plan_) {
      if (!p.kept) {
        REEL_RETURN_NOT_OK(reader.skip(p.nodes, p.buffers, p.variadic));
        continue;
      }
      reader.column = kept;
      REEL_ASSIGN_OR_RETURN(auto column, reader.read(*schema->fields[kept++], 0));
      batch.columns.push_back(column);
    }
    if (batch.num_rows < 0) return reader.corrupt("negative row count");
    Status st = batch.validate();
    if (!st.ok()) return st.with_context("record batch at byte " + std::to_string(raw->offset));
    return std::optional<RecordBatch>(std::move(batch));
  }
}

Result<RecordBatch> read_stream(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner,
                                std::vector<SkippedField>* skipped) {
  return read_stream(bytes, std::move(owner), ReadOptions{}, skipped, nullptr);
}

Result<RecordBatch> read_stream(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner,
                                ReadOptions options, std::vector<SkippedField>* skipped,
                                ReadStats* stats) {
  options.skip_unsupported_fields = skipped != nullptr;
  StreamReader reader(bytes, std::move(owner), std::move(options));
  REEL_ASSIGN_OR_RETURN(auto batch, reader.next());
  if (!batch) return Status::Corrupt("Arrow IPC stream has a schema but no record batch");
  if (skipped) *skipped = reader.skipped_fields();
  if (stats) *stats = reader.stats();
  return std::move(*batch);
}

}  // namespace reel::arrow::ipc
