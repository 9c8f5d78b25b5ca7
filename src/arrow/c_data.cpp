#include "reel/arrow/c_data.hpp"

#include <cerrno>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "arrow/array_internal.hpp"

namespace reel::arrow {

namespace {

// Buffers the spec requires to be non-null (offsets, values) but reel leaves null when they
// hold no bytes: exported as a pointer to zeros, which also serves as offsets {0} for empty
// lists and strings. Some consumers reject null data pointers even for empty buffers.
alignas(64) const uint8_t kZeros[64] = {};

const void* nonnull(const BufferPtr& b) {
  return b && b->data() ? static_cast<const void*>(b->data()) : static_cast<const void*>(kZeros);
}

// ---------------------------------------------------------------------------------------
// Formats and metadata

std::string format_of(const DataType& type) {
  switch (type.id()) {
    case TypeId::kNull:
      return "n";
    case TypeId::kBool:
      return "b";
    case TypeId::kInt8:
      return "c";
    case TypeId::kUInt8:
      return "C";
    case TypeId::kInt16:
      return "s";
    case TypeId::kUInt16:
      return "S";
    case TypeId::kInt32:
      return "i";
    case TypeId::kUInt32:
      return "I";
    case TypeId::kInt64:
      return "l";
    case TypeId::kUInt64:
      return "L";
    case TypeId::kFloat16:
      return "e";
    case TypeId::kFloat32:
      return "f";
    case TypeId::kFloat64:
      return "g";
    case TypeId::kUtf8:
      return "u";
    case TypeId::kBinary:
      return "z";
    case TypeId::kFixedSizeBinary:
      return "w:" + std::to_string(type.byte_width());
    case TypeId::kList:
      return "+l";
    case TypeId::kFixedSizeList:
      return "+w:" + std::to_string(type.list_size());
    case TypeId::kStruct:
      return "+s";
  }
  return "";
}

// The spec's binary metadata: int32 count, then per pair int32 length + key bytes, int32
// length + value bytes (native endianness). Empty metadata is a null pointer.
std::string encode_metadata(const Metadata& metadata) {
  std::string out;
  if (metadata.empty()) return out;
  auto put_i32 = [&](int32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  put_i32(int32_t(metadata.size()));
  for (const auto& [k, v] : metadata) {
    put_i32(int32_t(k.size()));
    out += k;
    put_i32(int32_t(v.size()));
    out += v;
  }
  return out;
}

Metadata decode_metadata(const char* data) {
  Metadata out;
  if (!data) return out;
  auto get_i32 = [&]() {
    int32_t v;
    std::memcpy(&v, data, 4);
    data += 4;
    return v;
  };
  int32_t n = get_i32();
  for (int32_t i = 0; i < n; ++i) {
    int32_t kl = get_i32();
    std::string k(data, size_t(kl));
    data += kl;
    int32_t vl = get_i32();
    std::string v(data, size_t(vl));
    data += vl;
    out.emplace_back(std::move(k), std::move(v));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Schema export

struct SchemaPrivate {
  std::string format, name, metadata;
  std::vector<ArrowSchema> children;
  std::vector<ArrowSchema*> child_pointers;
};

void release_schema(ArrowSchema* schema) {
  if (!schema || !schema->release) return;
  auto* p = static_cast<SchemaPrivate*>(schema->private_data);
  for (ArrowSchema* child : p->child_pointers) {
    if (child->release) child->release(child);  // a moved child is already marked released
  }
  delete p;
  schema->release = nullptr;
  schema->private_data = nullptr;
}

void fill_schema(const std::string& name, const DataType& type, bool nullable,
                 const Metadata& metadata, ArrowSchema* out) {
  auto p = std::make_unique<SchemaPrivate>();
  p->format = format_of(type);
  p->name = name;
  p->metadata = encode_metadata(metadata);
  const auto& fields = type.fields();
  p->children.resize(fields.size());
  p->child_pointers.resize(fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    // Filled one by one: should one throw (out of memory), those before are released by
    // the parent's release through child_pointers, and the rest are zeroed (released).
    p->children[i] = ArrowSchema{};
    p->child_pointers[i] = &p->children[i];
  }
  out->format = p->format.c_str();
  out->name = p->name.c_str();
  out->metadata = p->metadata.empty() ? nullptr : p->metadata.data();
  out->flags = nullable ? ARROW_FLAG_NULLABLE : 0;
  out->n_children = int64_t(fields.size());
  out->children = p->child_pointers.data();
  out->dictionary = nullptr;
  out->release = release_schema;
  out->private_data = p.release();
  auto* priv = static_cast<SchemaPrivate*>(out->private_data);
  try {
    for (size_t i = 0; i < fields.size(); ++i) {
      const Field& f = *fields[i];
      fill_schema(f.name, *f.type, f.nullable, f.metadata, &priv->children[i]);
    }
  } catch (...) {
    release_schema(out);
    throw;
  }
}

// ---------------------------------------------------------------------------------------
// Array export

struct ArrayPrivate {
  ArrayPtr array;  // keeps every buffer of this node alive
  std::vector<const void*> buffers;
  std::vector<ArrowArray> children;
  std::vector<ArrowArray*> child_pointers;
};

void release_array(ArrowArray* array) {
  if (!array || !array->release) return;
  auto* p = static_cast<ArrayPrivate*>(array->private_data);
  for (ArrowArray* child : p->child_pointers) {
    if (child->release) child->release(child);
  }
  delete p;
  array->release = nullptr;
  array->private_data = nullptr;
}

// Points `out` at `p`'s buffers and children; `out` takes ownership of `p`.
void finish_array(std::unique_ptr<ArrayPrivate> p, int64_t length, int64_t null_count,
                  int64_t offset, ArrowArray* out) {
  out->length = length;
  out->null_count = null_count;
  out->offset = offset;
  out->n_buffers = int64_t(p->buffers.size());
  out->n_children = int64_t(p->children.size());
  out->buffers = p->buffers.empty() ? nullptr : p->buffers.data();
  out->children = p->child_pointers.empty() ? nullptr : p->child_pointers.data();
  out->dictionary = nullptr;
  out->release = release_array;
  out->private_data = p.release();
}

void fill_array(const ArrayPtr& array, ArrowArray* out);

void fill_children(ArrayPrivate& p, const std::vector<ArrayPtr>& children) {
  p.children.resize(children.size());
  p.child_pointers.resize(children.size());
  for (size_t i = 0; i < children.size(); ++i) {
    p.children[i] = ArrowArray{};
    p.child_pointers[i] = &p.children[i];
  }
}

void fill_array(const ArrayPtr& array, ArrowArray* out) {
  const ArrayData& a = *array;
  auto p = std::make_unique<ArrayPrivate>();
  p->array = array;
  const TypeId id = a.type->id();
  // An empty array may have no offsets buffer in reel; its offset is meaningless then, and
  // exported as 0 so that offsets[offset] stays inside the zeros.
  const int64_t offset = a.length == 0 ? 0 : a.offset;
  const void* validity = !a.buffers.empty() && a.buffers[0] ? a.buffers[0]->data() : nullptr;
  switch (id) {
    case TypeId::kNull:
      break;
    case TypeId::kUtf8:
    case TypeId::kBinary:
      p->buffers = {validity, nonnull(a.buffers[1]), nonnull(a.buffers[2])};
      break;
    case TypeId::kFixedSizeList:
    case TypeId::kStruct:
      p->buffers = {validity};
      break;
    default:  // bool, primitives, fixed-size binary, list: validity + values/offsets
      p->buffers = {validity, nonnull(a.buffers[1])};
      break;
  }
  fill_children(*p, a.children);
  ArrayPrivate* priv = p.get();
  finish_array(std::move(p), a.length, a.null_count, offset, out);
  try {
    for (size_t i = 0; i < a.children.size(); ++i) fill_array(a.children[i], &priv->children[i]);
  } catch (...) {
    release_array(out);
    throw;
  }
}

// ---------------------------------------------------------------------------------------
// Streams

struct StreamPrivate {
  std::function<Status(ArrowSchema*)> schema;
  // Fills `out` with the next array, or marks it released at the end.
  std::function<Status(ArrowArray*)> next;
  std::string last_error;
};

int errno_for(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalid:
    case StatusCode::kTypeError:
    case StatusCode::kIndexError:
      return EINVAL;
    case StatusCode::kCapacityError:
      return ENOMEM;
    case StatusCode::kNotImplemented:
      return ENOSYS;
    default:
      return EIO;
  }
}

int stream_get_schema(ArrowArrayStream* stream, ArrowSchema* out) {
  auto* p = static_cast<StreamPrivate*>(stream->private_data);
  try {
    Status st = p->schema(out);
    if (st.ok()) return 0;
    p->last_error = st.to_string();
    return errno_for(st);
  } catch (const std::bad_alloc&) {
    p->last_error = "out of memory exporting the schema";
    return ENOMEM;
  }
}

int stream_get_next(ArrowArrayStream* stream, ArrowArray* out) {
  auto* p = static_cast<StreamPrivate*>(stream->private_data);
  try {
    Status st = p->next(out);
    if (st.ok()) return 0;
    p->last_error = st.to_string();
    return errno_for(st);
  } catch (const std::bad_alloc&) {
    p->last_error = "out of memory exporting an array";
    return ENOMEM;
  }
}

const char* stream_get_last_error(ArrowArrayStream* stream) {
  auto* p = static_cast<StreamPrivate*>(stream->private_data);
  return p->last_error.empty() ? nullptr : p->last_error.c_str();
}

void release_stream(ArrowArrayStream* stream) {
  if (!stream || !stream->release) return;
  delete static_cast<StreamPrivate*>(stream->private_data);
  stream->release = nullptr;
  stream->private_data = nullptr;
}

void fill_stream(std::unique_ptr<StreamPrivate> p, ArrowArrayStream* out) {
  out->get_schema = stream_get_schema;
  out->get_next = stream_get_next;
  out->get_last_error = stream_get_last_error;
  out->release = release_stream;
  out->private_data = p.release();
}

void mark_released(ArrowArray* a) { a->release = nullptr; }

// ---------------------------------------------------------------------------------------
// Import

// Calls a foreign struct's release when the last reel reference to its data goes away.
struct ImportedArray {
  ArrowArray array{};
  ~ImportedArray() {
    if (array.release) array.release(&array);
  }
};

std::string describe_format(const char* format) {
  return format ? "'" + std::string(format) + "'" : "(null)";
}

Result<int32_t> parse_width(const char* text, const char* format) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v <= 0 || v > (1 << 30)) {
    return Status::Invalid("Arrow C schema: bad size in format " + describe_format(format));
  }
  return int32_t(v);
}

Result<FieldPtr> field_from_c(const ArrowSchema& s, int depth) {
  if (depth > 64) return Status::Invalid("Arrow C schema nested more than 64 levels deep");
  if (!s.format) return Status::Invalid("Arrow C schema without a format string");
  if (s.dictionary) {
    return Status::NotImplemented("Arrow C schema: dictionary-encoded field '" +
                                  std::string(s.name ? s.name : "") + "' is not supported");
  }
  if (s.n_children < 0 || (s.n_children > 0 && !s.children)) {
    return Status::Invalid("Arrow C schema: bad children of " + describe_format(s.format));
  }
  std::vector<FieldPtr> children;
  for (int64_t i = 0; i < s.n_children; ++i) {
    if (!s.children[i]) return Status::Invalid("Arrow C schema: null child");
    REEL_ASSIGN_OR_RETURN(auto child, field_from_c(*s.children[i], depth + 1));
    children.push_back(std::move(child));
  }
  const std::string f = s.format;
  auto expect_children = [&](int64_t n) -> Status {
    if (s.n_children != n) {
      return Status::Invalid("Arrow C schema: format " + describe_format(s.format) + " needs " +
                             std::to_string(n) + " child(ren), has " +
                             std::to_string(s.n_children));
    }
    return Status::OK();
  };
  TypePtr type;
  if (f.size() == 1) {
    switch (f[0]) {
      case 'n':
        type = null();
        break;
      case 'b':
        type = boolean();
        break;
      case 'c':
        type = int8();
        break;
      case 'C':
        type = uint8();
        break;
      case 's':
        type = int16();
        break;
      case 'S':
        type = uint16();
        break;
      case 'i':
        type = int32();
        break;
      case 'I':
        type = uint32();
        break;
      case 'l':
        type = int64();
        break;
      case 'L':
        type = uint64();
        break;
      case 'e':
        type = float16();
        break;
      case 'f':
        type = float32();
        break;
      case 'g':
        type = float64();
        break;
      case 'u':
        type = utf8();
        break;
      case 'z':
        type = binary();
        break;
      default:
        break;
    }
    if (type) REEL_RETURN_NOT_OK(expect_children(0));
  } else if (f.rfind("w:", 0) == 0) {
    REEL_RETURN_NOT_OK(expect_children(0));
    REEL_ASSIGN_OR_RETURN(int32_t w, parse_width(s.format + 2, s.format));
    type = fixed_size_binary(w);
  } else if (f == "+l") {
    REEL_RETURN_NOT_OK(expect_children(1));
    type = list(children[0]);
  } else if (f.rfind("+w:", 0) == 0) {
    REEL_RETURN_NOT_OK(expect_children(1));
    REEL_ASSIGN_OR_RETURN(int32_t n, parse_width(s.format + 3, s.format));
    type = fixed_size_list(children[0], n);
  } else if (f == "+s") {
    type = struct_(std::move(children));
  }
  if (!type) {
    return Status::NotImplemented("Arrow C schema: format " + describe_format(s.format) +
                                  " (field '" + std::string(s.name ? s.name : "") +
                                  "') has no reel equivalent");
  }
  return field(s.name ? s.name : "", std::move(type), (s.flags & ARROW_FLAG_NULLABLE) != 0,
               decode_metadata(s.metadata));
}

// Releases a foreign schema on scope exit.
struct SchemaGuard {
  ArrowSchema* s;
  ~SchemaGuard() {
    if (s && s->release) s->release(s);
  }
};

struct ImportContext {
  std::shared_ptr<const void> owner;
};

Result<BufferPtr> wrap_buffer(const ImportContext& ctx, const void* data, int64_t size,
                              const char* what, const DataType& type) {
  if (size < 0) return Status::Invalid("Arrow C array: negative " + std::string(what) + " size");
  if (!data) {
    if (size > 0) {
      return Status::Invalid("Arrow C array of " + type.to_string() + ": " + what +
                             " buffer is null but must hold " + std::to_string(size) + " bytes");
    }
    return Buffer::allocate(0);
  }
  return Buffer::wrap(data, size_t(size), ctx.owner);
}

Result<ArrayPtr> array_from_c(const ImportContext& ctx, const ArrowArray& c, const TypePtr& type,
                              int depth) {
  if (depth > 64) return Status::Invalid("Arrow C array nested more than 64 levels deep");
  const DataType& t = *type;
  if (c.length < 0 || c.offset < 0 || c.n_buffers < 0 || c.n_children < 0) {
    return Status::Invalid("Arrow C array of " + t.to_string() +
                           ": negative length, offset or count");
  }
  if (c.dictionary) return Status::NotImplemented("Arrow C array: dictionaries are not supported");
  const TypeId id = t.id();
  const internal::LayoutShape shape = internal::layout_shape(t);
  const int64_t want_buffers = int64_t(shape.buffers), want_children = int64_t(shape.children);
  if (c.n_buffers != want_buffers || c.n_children != want_children) {
    return Status::Invalid("Arrow C array of " + t.to_string() + ": " +
                           std::to_string(c.n_buffers) + " buffers and " +
                           std::to_string(c.n_children) + " children, expected " +
                           std::to_string(want_buffers) + " and " + std::to_string(want_children));
  }
  if ((want_buffers > 0 && !c.buffers) || (want_children > 0 && !c.children)) {
    return Status::Invalid("Arrow C array of " + t.to_string() + ": null buffer or child list");
  }
  const int64_t end = c.offset + c.length;
  if (id == TypeId::kNull) return ArrayData::make(type, c.length, c.length, {}, {}, c.offset);
  // Validity.
  std::vector<BufferPtr> buffers;
  std::vector<ArrayPtr> children;
  int64_t null_count = 0;
  if (c.buffers[0]) {
    REEL_ASSIGN_OR_RETURN(auto validity, wrap_buffer(ctx, c.buffers[0],
                                                     bit_util::bytes_for_bits(end), "validity", t));
    buffers.push_back(validity);
    null_count = c.null_count >= 0
                     ? c.null_count
                     : c.length - bit_util::count_set_bits(validity->data(), c.offset, c.length);
  } else {
    if (c.null_count > 0) {
      return Status::Invalid("Arrow C array of " + t.to_string() + ": " +
                             std::to_string(c.null_count) + " nulls without a validity bitmap");
    }
    buffers.push_back(nullptr);
  }
  auto offsets_buffer = [&]() -> Result<BufferPtr> {
    if (!c.buffers[1] && c.length == 0) return Buffer::allocate(0);
    return wrap_buffer(ctx, c.buffers[1], (end + 1) * 4, "offsets", t);
  };
  switch (id) {
    case TypeId::kBool: {
      REEL_ASSIGN_OR_RETURN(
          auto values, wrap_buffer(ctx, c.buffers[1], bit_util::bytes_for_bits(end), "values", t));
      buffers.push_back(values);
      break;
    }
    case TypeId::kUtf8:
    case TypeId::kBinary: {
      REEL_ASSIGN_OR_RETURN(auto offsets, offsets_buffer());
      int64_t data_bytes = 0;
      if (offsets->size() > 0) {
        data_bytes = offsets->data_as<int32_t>()[end];
        if (data_bytes < 0) return Status::Invalid("Arrow C array: negative string offset");
      }
      REEL_ASSIGN_OR_RETURN(auto data, wrap_buffer(ctx, c.buffers[2], data_bytes, "data", t));
      buffers.push_back(offsets);
      buffers.push_back(data);
      break;
    }
    case TypeId::kList: {
      REEL_ASSIGN_OR_RETURN(auto offsets, offsets_buffer());
      buffers.push_back(offsets);
      if (!c.children[0]) return Status::Invalid("Arrow C array: null list child");
      REEL_ASSIGN_OR_RETURN(auto child,
                            array_from_c(ctx, *c.children[0], t.value_type(), depth + 1));
      children.push_back(std::move(child));
      break;
    }
    case TypeId::kFixedSizeList: {
      if (!c.children[0]) return Status::Invalid("Arrow C array: null fixed-size list child");
      REEL_ASSIGN_OR_RETURN(auto child,
                            array_from_c(ctx, *c.children[0], t.value_type(), depth + 1));
      children.push_back(std::move(child));
      break;
    }
    case TypeId::kStruct: {
      for (size_t i = 0; i < t.fields().size(); ++i) {
        if (!c.children[i]) return Status::Invalid("Arrow C array: null struct child");
        REEL_ASSIGN_OR_RETURN(auto child,
                              array_from_c(ctx, *c.children[i], t.fields()[i]->type, depth + 1));
        children.push_back(std::move(child));
      }
      break;
    }
    default: {  // primitives and fixed-size binary
      const int64_t width = id == TypeId::kFixedSizeBinary ? t.byte_width() : t.primitive_width();
      REEL_ASSIGN_OR_RETURN(auto values, wrap_buffer(ctx, c.buffers[1], end * width, "values", t));
      buffers.push_back(values);
      break;
    }
  }
  return ArrayData::make(type, c.length, null_count, std::move(buffers), std::move(children),
                         c.offset);
}

}  // namespace

// ---------------------------------------------------------------------------------------

Status export_field(const Field& f, ArrowSchema* out) {
  if (!out) return Status::Invalid("export_field: null output");
  try {
    fill_schema(f.name, *f.type, f.nullable, f.metadata, out);
  } catch (const std::bad_alloc&) {
    return Status::CapacityError("out of memory exporting field '" + f.name + "'");
  }
  return Status::OK();
}

Status export_schema(const Schema& schema, ArrowSchema* out) {
  if (!out) return Status::Invalid("export_schema: null output");
  try {
    fill_schema("", *struct_(schema.fields), false, schema.metadata, out);
  } catch (const std::bad_alloc&) {
    return Status::CapacityError("out of memory exporting a schema");
  }
  return Status::OK();
}

Status export_array(const ArrayPtr& array, ArrowArray* out) {
  if (!out || !array) return Status::Invalid("export_array: null array or output");
  try {
    fill_array(array, out);
  } catch (const std::bad_alloc&) {
    return Status::CapacityError("out of memory exporting an array");
  }
  return Status::OK();
}

Status export_record_batch(const RecordBatch& batch, ArrowArray* out) {
  if (!out) return Status::Invalid("export_record_batch: null output");
  if (batch.schema && batch.columns.size() != batch.schema->fields.size()) {
    return Status::Invalid("export_record_batch: " + std::to_string(batch.columns.size()) +
                           " columns for " + std::to_string(batch.schema->fields.size()) +
                           " fields");
  }
  for (const auto& c : batch.columns) {
    if (!c || c->length != batch.num_rows) {
      return Status::Invalid("export_record_batch: a column's length is not num_rows (" +
                             std::to_string(batch.num_rows) + ")");
    }
  }
  try {
    auto p = std::make_unique<ArrayPrivate>();
    p->buffers = {nullptr};  // a record batch has no top-level nulls
    fill_children(*p, batch.columns);
    ArrayPrivate* priv = p.get();
    finish_array(std::move(p), batch.num_rows, 0, 0, out);
    try {
      for (size_t i = 0; i < batch.columns.size(); ++i) {
        fill_array(batch.columns[i], &priv->children[i]);
      }
    } catch (...) {
      release_array(out);
      throw;
    }
  } catch (const std::bad_alloc&) {
    return Status::CapacityError("out of memory exporting a record batch");
  }
  return Status::OK();
}

Status export_record_batch_stream(SchemaPtr schema, RecordBatchSource next, ArrowArrayStream* out) {
  if (!out || !schema || !next) return Status::Invalid("export_record_batch_stream: null argument");
  auto p = std::make_unique<StreamPrivate>();
  p->schema = [schema](ArrowSchema* s) { return export_schema(*schema, s); };
  p->next = [schema, next = std::move(next)](ArrowArray* a) -> Status {
    REEL_ASSIGN_OR_RETURN(auto batch, next());
    if (!batch) {
      mark_released(a);
      return Status::OK();
    }
    if (!batch->schema) batch->schema = schema;
    return export_record_batch(*batch, a);
  };
  fill_stream(std::move(p), out);
  return Status::OK();
}

Status export_array_stream(FieldPtr field, ArraySource next, ArrowArrayStream* out) {
  if (!out || !field || !next) return Status::Invalid("export_array_stream: null argument");
  auto p = std::make_unique<StreamPrivate>();
  p->schema = [field](ArrowSchema* s) { return export_field(*field, s); };
  p->next = [field, next = std::move(next)](ArrowArray* a) -> Status {
    REEL_ASSIGN_OR_RETURN(auto array, next());
    if (!array) {
      mark_released(a);
      return Status::OK();
    }
    if (!type_equals(array->type, field->type)) {
      return Status::TypeError("array stream of " + field->type->to_string() +
                               " produced an array of " + array->type->to_string());
    }
    return export_array(array, a);
  };
  fill_stream(std::move(p), out);
  return Status::OK();
}

// ---------------------------------------------------------------------------------------

Result<FieldPtr> import_field(ArrowSchema* schema) {
  if (!schema || !schema->release) return Status::Invalid("import_field: released or null schema");
  SchemaGuard guard{schema};
  return field_from_c(*schema, 0);
}

Result<SchemaPtr> import_schema(ArrowSchema* schema) {
  REEL_ASSIGN_OR_RETURN(auto f, import_field(schema));
  if (f->type->id() != TypeId::kStruct) {
    return Status::TypeError("Arrow C schema of a record batch must be a struct ('+s'), got " +
                             f->type->to_string());
  }
  auto out = std::make_shared<Schema>();
  out->fields = f->type->fields();
  out->metadata = f->metadata;
  return SchemaPtr(out);
}

Result<ArrayPtr> import_array(ArrowArray* array, const TypePtr& type) {
  if (!array || !array->release) return Status::Invalid("import_array: released or null array");
  auto owner = std::make_shared<ImportedArray>();
  owner->array = *array;  // moved: the producer's struct is now ours to release
  array->release = nullptr;
  if (!type) return Status::Invalid("import_array: null type");
  ImportContext ctx{owner};
  REEL_ASSIGN_OR_RETURN(auto out, array_from_c(ctx, owner->array, type, 0));
  REEL_RETURN_NOT_OK(validate(*out, true).with_context("Arrow C array of " + type->to_string()));
  return out;
}

Result<RecordBatch> import_record_batch(ArrowArray* array, SchemaPtr schema) {
  if (!schema) {
    if (array && array->release) array->release(array);
    return Status::Invalid("import_record_batch: null schema");
  }
  REEL_ASSIGN_OR_RETURN(auto data, import_array(array, struct_(schema->fields)));
  if (data->null_count != 0) {
    return Status::Invalid("Arrow C record batch has " + std::to_string(data->null_count) +
                           " null rows at the top level");
  }
  RecordBatch batch;
  batch.schema = std::move(schema);
  batch.num_rows = data->length;
  for (const auto& child : data->children) {
    batch.columns.push_back(data->offset == 0 && child->length == data->length
                                ? child
                                : child->slice(data->offset, data->length));
  }
  return batch;
}

// ---------------------------------------------------------------------------------------

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
