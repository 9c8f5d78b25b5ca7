#include "reel/arrow/ipc.hpp"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <cstring>

#include "arrow/ipc_internal.hpp"
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
    case TypeId::kTimestamp: {
      auto tz = t.timezone().empty() ? 0 : b.CreateString(t.timezone());
      return std::make_pair(fb::Type_Timestamp,
                            fb::CreateTimestamp(b, int16_t(t.time_unit()), tz).Union());
    }
    case TypeId::kDuration:
      return std::make_pair(fb::Type_Duration,
                            fb::CreateDuration(b, int16_t(t.time_unit())).Union());
    case TypeId::kDenseUnion: {
      std::vector<int32_t> codes(t.type_codes().begin(), t.type_codes().end());
      return std::make_pair(fb::Type_Union,
                            fb::CreateUnion(b, kUnionModeDense, b.CreateVector(codes)).Union());
    }
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

// Appends an encapsulated message: continuation, length, flatbuffer padded to 8, and further
// so that the message ends at a multiple of `alignment` in `out` (where its body starts).
void append_message(flatbuffers::FlatBufferBuilder& b, std::vector<uint8_t>& out,
                    size_t alignment) {
  const size_t fb_size = b.GetSize();
  const size_t start = out.size();
  const size_t padded = pad_to(start + 8 + pad8(fb_size), alignment) - start - 8;
  out.resize(start + 8 + padded, 0);
  uint32_t cont = kContinuation;
  int32_t len = int32_t(padded);
  std::memcpy(out.data() + start, &cont, 4);
  std::memcpy(out.data() + start + 4, &len, 4);
  std::memcpy(out.data() + start + 8, b.GetBufferPointer(), fb_size);
}

// The body of a record batch: buffers collected in pre-order, each aligned to `alignment`.
struct BodyWriter {
  size_t alignment = 8;
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
    body += pad_to(size, alignment);
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
    if (id == TypeId::kDenseUnion) {  // no validity; offsets point into the members, whole
      add(a.buffers[1] ? a.buffers[1]->data() + a.offset : nullptr, size_t(a.length));
      add(a.buffers[2] ? a.buffers[2]->data() + a.offset * 4 : nullptr, size_t(a.length) * 4);
      for (const auto& child : a.children) REEL_RETURN_NOT_OK(visit(*child, depth + 1));
      return Status::OK();
    }
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

Status write_schema_message(const Schema& schema, std::vector<uint8_t>& out,
                            const WriteOptions& options) {
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
  append_message(b, out, options.alignment);
  return Status::OK();
}

Status write_record_batch_message(const RecordBatch& batch, std::vector<uint8_t>& out,
                                  const WriteOptions& options) {
  BodyWriter body;
  body.alignment = options.alignment;
  for (const auto& column : batch.columns) REEL_RETURN_NOT_OK(body.visit(*column, 0));
  // A compressed body: each non-empty buffer is an int64 uncompressed length (-1: stored
  // raw) and its bytes; raw bytes start on the alignment, after their prefix.
  std::vector<int64_t> prefixes;
  if (options.compress) {
    prefixes.resize(body.pieces.size(), -1);
    size_t cursor = 0;
    for (size_t i = 0; i < body.pieces.size(); ++i) {
      auto& piece = body.pieces[i];
      if (piece.size == 0) {
        body.buffers[i] = fb::Buffer(int64_t(cursor), 0);
        continue;
      }
      std::vector<uint8_t> packed = options.compress({piece.data, piece.size});
      if (!packed.empty() && packed.size() < piece.size) {
        prefixes[i] = int64_t(piece.size);
        body.owned.push_back(std::make_unique<std::vector<uint8_t>>(std::move(packed)));
        piece = {body.owned.back()->data(), body.owned.back()->size()};
      } else {
        cursor = pad_to(cursor + 8, options.alignment) - 8;
      }
      body.buffers[i] = fb::Buffer(int64_t(cursor), int64_t(8 + piece.size));
      cursor = pad8(cursor + 8 + piece.size);
    }
    body.body = cursor;
  }
  flatbuffers::FlatBufferBuilder b(256 + body.nodes.size() * 16 + body.buffers.size() * 16);
  auto nodes = b.CreateVectorOfStructs(body.nodes);
  auto buffers = b.CreateVectorOfStructs(body.buffers);
  flatbuffers::Offset<fb::BodyCompression> compression = 0;
  if (options.compress) compression = fb::CreateBodyCompression(b, int8_t(options.codec), 0);
  auto rb = fb::CreateRecordBatch(b, batch.num_rows, nodes, buffers, compression);
  b.Finish(fb::CreateMessage(b, fb::MetadataVersion_V5, fb::MessageHeader_RecordBatch, rb.Union(),
                             int64_t(body.body)));
  append_message(b, out, options.alignment);
  size_t start = out.size();
  out.resize(start + body.body, 0);
  uint8_t* dst = out.data() + start;
  for (size_t i = 0; i < body.pieces.size(); ++i) {
    if (!body.pieces[i].size) continue;
    uint8_t* at = dst + body.buffers[i].offset();
    if (!prefixes.empty()) {
      std::memcpy(at, &prefixes[i], 8);
      at += 8;
    }
    std::memcpy(at, body.pieces[i].data, body.pieces[i].size);
  }
  return Status::OK();
}

void write_end_of_stream(std::vector<uint8_t>& out) {
  uint32_t words[2] = {kContinuation, 0};
  const auto* p = reinterpret_cast<const uint8_t*>(words);
  out.insert(out.end(), p, p + 8);
}

Status write_stream(const RecordBatch& batch, std::vector<uint8_t>& out,
                    const WriteOptions& options) {
  const size_t a = options.alignment;
  if (a < 8 || (a & (a - 1)) != 0 || out.size() % 8 != 0) {
    return Status::Invalid("Arrow IPC alignment " + std::to_string(a) +
                           " is not a power of two from 8 (or `out` is not at a multiple of 8)");
  }
  REEL_RETURN_NOT_OK(write_schema_message(*batch.schema, out, options));
  REEL_RETURN_NOT_OK(write_record_batch_message(batch, out, options));
  write_end_of_stream(out);
  return Status::OK();
}

}  // namespace ipc
}  // namespace reel::arrow
