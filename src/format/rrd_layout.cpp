// reel <-> Rerun Arrow layouts of the components that differ (rrd_layout_internal.hpp).
#include <cstring>

#include "format/rrd_layout_internal.hpp"
#include "reel/types/enums.hpp"

namespace reel::format::rrd::internal {

namespace {

using arrow::ArrayData;
using arrow::ArrayPtr;
using arrow::Buffer;
using arrow::BufferPtr;
using arrow::TypeId;
using arrow::TypePtr;

Status not_rerun(std::string_view convert, const ArrayPtr& column) {
  return Status::TypeError("column of " + column->type->to_string() + " is not Rerun's layout (" +
                           std::string(convert) + ")");
}

// The column with its values replaced (same rows, offsets and validity).
ArrayPtr with_values(const ArrayPtr& column, ArrayPtr values) {
  auto type = arrow::list(arrow::field("item", values->type, true));
  return ArrayData::make(type, column->length, column->null_count,
                         {column->buffers[0], column->buffers[1]}, {std::move(values)},
                         column->offset);
}

// The same array under a type whose list item nullability differs (the data is unchanged).
ArrayPtr retyped(const ArrayPtr& a, TypePtr type) {
  auto out = std::make_shared<ArrayData>(*a);
  out->type = std::move(type);
  return out;
}

bool is_list_of(const ArrayPtr& a, TypeId child) {
  return a->type->id() == TypeId::kList && a->type->value_type()->id() == child;
}

// binary (offsets + bytes) <-> list<u8 non-null> over the same buffers.
ArrayPtr binary_to_list(const ArrayPtr& v) {
  const BufferPtr& data = v->buffers[2];
  const int64_t bytes = data ? int64_t(data->size()) : 0;
  auto u8 = ArrayData::make(arrow::uint8(), bytes, 0, {nullptr, data ? data : Buffer::allocate(0)});
  return ArrayData::make(arrow::list(arrow::uint8(), false), v->length, v->null_count,
                         {v->buffers[0], v->buffers[1]}, {u8}, v->offset);
}

Result<ArrayPtr> list_to_binary(const ArrayPtr& v) {
  if (!is_list_of(v, TypeId::kUInt8)) return Status::TypeError("not list<uint8>");
  const ArrayPtr& c = v->children[0];
  BufferPtr data = c->length ? Buffer::slice(c->buffers[1], size_t(c->offset), size_t(c->length))
                             : BufferPtr(Buffer::allocate(0));
  return ArrayData::make(arrow::binary(), v->length, v->null_count,
                         {v->buffers[0], v->buffers[1], data}, {}, v->offset);
}

// A u8 array mapped, keeping validity: normalized first so that offset is 0.
template <typename Map>
ArrayPtr map_codes(const ArrayPtr& a, Map map) {
  ArrayPtr n = a->offset ? arrow::copy_array(a) : a;
  auto out = Buffer::allocate(size_t(n->length));
  const uint8_t* in = n->length ? n->values<uint8_t>(1) : nullptr;
  for (int64_t i = 0; i < n->length; ++i) out->mutable_data()[i] = map(in[i]).value_or(in[i]);
  return ArrayData::make(arrow::uint8(), n->length, n->null_count, {n->buffers[0], out});
}

const ArrayPtr* struct_child(const ArrayData& s, std::string_view name) {
  const auto& f = s.type->fields();
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i]->name == name) return &s.children[i];
  }
  return nullptr;
}

// ---- ImageFormat: reel {width, height, color_model, channel_datatype}; Rerun adds
// pixel_format (null: reel has none) and makes the last three nullable.

TypePtr rerun_image_format() {
  using namespace arrow;
  return struct_({field("width", uint32(), false), field("height", uint32(), false),
                  field("pixel_format", uint8()), field("color_model", uint8()),
                  field("channel_datatype", uint8())});
}

Result<ArrayPtr> image_format_to_rerun(const ArrayPtr& values) {
  ArrayPtr v = arrow::copy_array(values);
  const ArrayPtr *w = struct_child(*v, "width"), *h = struct_child(*v, "height"),
                 *cm = struct_child(*v, "color_model"), *cd = struct_child(*v, "channel_datatype");
  if (!w || !h || !cm || !cd) return Status::TypeError("not reel's ImageFormat");
  auto dt = map_codes(*cd, [](uint8_t c) { return enum_to_rerun<ChannelDatatype>(c); });
  return ArrayData::make(rerun_image_format(), v->length, v->null_count, {v->buffers[0]},
                         {*w, *h, arrow::make_null_array(arrow::uint8(), v->length), *cm, dt});
}

Result<ArrayPtr> image_format_from_rerun(const ArrayPtr& values, const TypePtr& reel_type) {
  if (values->type->id() != TypeId::kStruct) return Status::TypeError("not a struct");
  ArrayPtr v = arrow::copy_array(values);
  const ArrayPtr *w = struct_child(*v, "width"), *h = struct_child(*v, "height"),
                 *pf = struct_child(*v, "pixel_format"), *cm = struct_child(*v, "color_model"),
                 *cd = struct_child(*v, "channel_datatype");
  if (!w || !h || !cm || !cd) return Status::TypeError("ImageFormat without its fields");
  for (int64_t i = 0; i < v->length; ++i) {
    if (!v->is_valid(i)) continue;
    if (pf && (*pf)->is_valid(i)) {
      return Status::NotImplemented("ImageFormat with a pixel_format (reel has none)");
    }
    if (!(*cm)->is_valid(i) || !(*cd)->is_valid(i)) {
      return Status::NotImplemented("ImageFormat without a color model or channel datatype");
    }
  }
  auto strip = [](const ArrayPtr& a) {  // reel's fields are non-null
    return ArrayData::make(a->type, a->length, 0, {nullptr, a->buffers[1]}, {}, a->offset);
  };
  auto dt = map_codes(strip(*cd), [](uint8_t c) { return enum_from_rerun<ChannelDatatype>(c); });
  if ((*w)->type->id() != TypeId::kUInt32 || (*h)->type->id() != TypeId::kUInt32 ||
      (*cm)->type->id() != TypeId::kUInt8 || dt->type->id() != TypeId::kUInt8) {
    return Status::TypeError("ImageFormat fields of other types");
  }
  return ArrayData::make(reel_type, v->length, v->null_count, {v->buffers[0]},
                         {strip(*w), strip(*h), strip(*cm), dt});
}

// ---- TensorData: reel {shape, datatype, buffer: binary, names}; Rerun {shape, names,
// buffer: dense union of typed lists, member 0 a null marker, members 1..11 U8..F64, which
// are ChannelDatatype's codes}.

constexpr const char* kTensorMembers[] = {"_null_markers", "U8",  "U16", "U32", "U64", "I8",
                                          "I16",           "I32", "I64", "F16", "F32", "F64"};

TypePtr tensor_member_type(int code) {
  using namespace arrow;
  static const TypePtr kElem[] = {null(),  uint8(), uint16(), uint32(),  uint64(),  int8(),
                                  int16(), int32(), int64(),  float16(), float32(), float64()};
  return code == 0 ? null() : list(kElem[code], false);
}

TypePtr rerun_tensor_buffer() {
  std::vector<arrow::FieldPtr> members;
  for (int c = 0; c < 12; ++c) {
    members.push_back(arrow::field(kTensorMembers[c], tensor_member_type(c), c == 0));
  }
  return arrow::dense_union(std::move(members));
}

TypePtr rerun_tensor_data() {
  using namespace arrow;
  return struct_({field("shape", list(uint64(), false), false),
                  field("names", list(utf8(), false), true),
                  // Rerun makes every union-typed field nullable (re_types_builder: unions
                  // always have a _null_markers arm), whatever its docs say.
                  field("buffer", rerun_tensor_buffer(), true)});
}

Result<ArrayPtr> tensor_to_rerun(const ArrayPtr& values) {
  ArrayPtr v = arrow::copy_array(values);
  const ArrayPtr *shape = struct_child(*v, "shape"), *dt = struct_child(*v, "datatype"),
                 *buf = struct_child(*v, "buffer"), *names = struct_child(*v, "names");
  if (!shape || !dt || !buf || !names || (*buf)->type->id() != TypeId::kBinary) {
    return Status::TypeError("not reel's TensorData");
  }
  const int64_t n = v->length;
  auto ids = Buffer::allocate(size_t(n));
  auto offs = Buffer::allocate(size_t(n) * 4);
  std::vector<std::vector<int32_t>> member_offsets(12, std::vector<int32_t>{0});
  std::vector<std::vector<uint8_t>> member_bytes(12);
  int64_t null_markers = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int code = v->is_valid(i) && (*dt)->is_valid(i) ? (*dt)->values<uint8_t>(1)[i] : 0;
    if (code < 0 || code > 11) {
      return Status::Invalid("tensor " + std::to_string(i) + " has datatype code " +
                             std::to_string(code));
    }
    ids->mutable_data()[i] = uint8_t(code);
    if (code == 0) {
      offs->mutable_data_as<int32_t>()[i] = int32_t(null_markers++);
      continue;
    }
    offs->mutable_data_as<int32_t>()[i] = int32_t(member_offsets[size_t(code)].size() - 1);
    const int width = tensor_member_type(code)->value_type()->primitive_width();
    std::string_view bytes;
    if ((*buf)->is_valid(i)) {
      const int32_t* o = (*buf)->values<int32_t>(1);
      bytes = {reinterpret_cast<const char*>((*buf)->buffers[2]->data()) + o[i],
               size_t(o[i + 1] - o[i])};
    }
    if (bytes.size() % size_t(width) != 0) {
      return Status::Invalid("tensor " + std::to_string(i) + " has " +
                             std::to_string(bytes.size()) + " bytes, not a multiple of " +
                             std::to_string(width));
    }
    auto& mb = member_bytes[size_t(code)];
    mb.insert(mb.end(), bytes.begin(), bytes.end());
    member_offsets[size_t(code)].push_back(int32_t(mb.size() / size_t(width)));
  }
  std::vector<ArrayPtr> members;
  members.push_back(arrow::make_null_array(arrow::null(), null_markers));
  for (int c = 1; c < 12; ++c) {
    const TypePtr elem = tensor_member_type(c)->value_type();
    const int64_t count = member_offsets[size_t(c)].back();
    auto values_buf =
        Buffer::copy_of(member_bytes[size_t(c)].data(), member_bytes[size_t(c)].size());
    auto child = ArrayData::make(elem, count, 0, {nullptr, values_buf});
    auto& mo = member_offsets[size_t(c)];
    auto ob = Buffer::copy_of(mo.data(), mo.size() * 4);
    members.push_back(
        ArrayData::make(tensor_member_type(c), int64_t(mo.size() - 1), 0, {nullptr, ob}, {child}));
  }
  auto buffer =
      ArrayData::make(rerun_tensor_buffer(), n, 0, {nullptr, ids, offs}, std::move(members));
  return ArrayData::make(rerun_tensor_data(), n, v->null_count, {v->buffers[0]},
                         {retyped(*shape, arrow::list(arrow::uint64(), false)), *names, buffer});
}

Result<ArrayPtr> tensor_from_rerun(const ArrayPtr& values, const TypePtr& reel_type) {
  if (values->type->id() != TypeId::kStruct) return Status::TypeError("not a struct");
  ArrayPtr v = arrow::copy_array(values);
  const ArrayPtr *shape = struct_child(*v, "shape"), *names = struct_child(*v, "names"),
                 *buf = struct_child(*v, "buffer");
  if (!shape || !buf || (*buf)->type->id() != TypeId::kDenseUnion ||
      (*shape)->type->id() != TypeId::kList) {
    return Status::TypeError("TensorData without shape or buffer");
  }
  const ArrayData& u = **buf;
  const int64_t n = v->length;
  auto dt = Buffer::allocate(size_t(n));
  std::vector<int32_t> offsets = {0};
  std::vector<uint8_t> bytes;
  for (int64_t i = 0; i < n; ++i) {
    const int m = u.type->member_of_code(u.values<int8_t>(1)[i]);
    const std::string& member = u.type->fields()[size_t(m)]->name;
    int code = 0;
    for (int c = 1; c < 12; ++c) {
      if (member == kTensorMembers[c]) code = c;
    }
    dt->mutable_data()[i] = uint8_t(code ? code : 1);
    if (code) {
      const ArrayData& list = *u.children[size_t(m)];
      if (!type_equals(list.type, tensor_member_type(code))) {
        return Status::TypeError("tensor buffer member " + member + " is " +
                                 list.type->to_string());
      }
      const int64_t e = u.values<int32_t>(2)[i];
      const int32_t* o = list.values<int32_t>(1);
      const ArrayData& elems = *list.children[0];
      const int width = elems.type->primitive_width();
      const uint8_t* p = elems.buffers[1] ? elems.buffers[1]->data() : nullptr;
      const size_t from = size_t(elems.offset + o[e]) * size_t(width);
      const size_t len = size_t(o[e + 1] - o[e]) * size_t(width);
      if (len) bytes.insert(bytes.end(), p + from, p + from + len);
    }
    if (bytes.size() > size_t(INT32_MAX)) return Status::CapacityError("tensors exceed 2 GiB");
    offsets.push_back(int32_t(bytes.size()));
  }
  auto binary = ArrayData::make(arrow::binary(), n, 0,
                                {nullptr, Buffer::copy_of(offsets.data(), offsets.size() * 4),
                                 Buffer::copy_of(bytes.data(), bytes.size())});
  const auto& rf = reel_type->fields();  // shape, datatype, buffer, names
  if (rf.size() != 4) return Status::TypeError("reel's TensorData type changed");
  ArrayPtr reel_names =
      names ? retyped(*names, rf[3]->type) : arrow::make_null_array(rf[3]->type, n);
  return ArrayData::make(
      reel_type, n, v->null_count, {v->buffers[0]},
      {retyped(*shape, rf[0]->type), ArrayData::make(arrow::uint8(), n, 0, {nullptr, dt}), binary,
       reel_names});
}

}  // namespace

// Defined in rrd_layout_annotation.cpp.
Result<ArrayPtr> annotation_context_to_rerun(const ArrayPtr& column);
Result<ArrayPtr> annotation_context_from_rerun(const ArrayPtr& column, const TypePtr& reel_type);
TypePtr rerun_annotation_context();

Result<TypePtr> rerun_value_type(std::string_view convert, const TypePtr& reel_type) {
  if (convert.empty() || convert == "enum:MarkerShape") return reel_type;
  if (convert == "binary_as_list") return arrow::list(arrow::uint8(), false);
  if (convert == "nullability") return arrow::list(reel_type->value_type(), false);
  if (convert == "image_format") return rerun_image_format();
  if (convert == "tensor_data") return rerun_tensor_data();
  if (convert == "annotation_context") return rerun_annotation_context();
  return Status::NotImplemented("no converter '" + std::string(convert) + "'");
}

Result<ArrayPtr> column_to_rerun(std::string_view convert, const ArrayPtr& column) {
  if (convert.empty()) return column;
  if (column->type->id() != TypeId::kList) return not_rerun(convert, column);
  if (convert == "annotation_context") return annotation_context_to_rerun(column);
  const ArrayPtr& v = column->children[0];
  if (convert == "binary_as_list") {
    if (v->type->id() != TypeId::kBinary) return not_rerun(convert, column);
    return with_values(column, binary_to_list(v));
  }
  if (convert == "nullability") {
    if (v->type->id() != TypeId::kList || v->children[0]->null_count) {
      return Status::Invalid("line strip with null points (Rerun's points are non-null)");
    }
    return with_values(column, retyped(v, arrow::list(v->type->value_type(), false)));
  }
  if (convert == "enum:MarkerShape") {
    return with_values(column,
                       map_codes(v, [](uint8_t c) { return enum_to_rerun<MarkerShape>(c); }));
  }
  if (convert == "image_format") {
    REEL_ASSIGN_OR_RETURN(auto values, image_format_to_rerun(v));
    return with_values(column, values);
  }
  if (convert == "tensor_data") {
    REEL_ASSIGN_OR_RETURN(auto values, tensor_to_rerun(v));
    return with_values(column, values);
  }
  return Status::NotImplemented("no converter '" + std::string(convert) + "'");
}

Result<ArrayPtr> column_from_rerun(std::string_view convert, const ArrayPtr& column,
                                   const TypePtr& reel_type) {
  if (convert.empty()) return column;
  if (column->type->id() != TypeId::kList) return not_rerun(convert, column);
  if (convert == "annotation_context") return annotation_context_from_rerun(column, reel_type);
  const ArrayPtr& v = column->children[0];
  if (convert == "binary_as_list") {
    REEL_ASSIGN_OR_RETURN(auto values, list_to_binary(v));
    return with_values(column, values);
  }
  if (convert == "nullability") {
    if (v->type->id() != TypeId::kList) return not_rerun(convert, column);
    return with_values(column, retyped(v, reel_type));
  }
  if (convert == "enum:MarkerShape") {
    if (v->type->id() != TypeId::kUInt8) return not_rerun(convert, column);
    return with_values(column,
                       map_codes(v, [](uint8_t c) { return enum_from_rerun<MarkerShape>(c); }));
  }
  if (convert == "image_format") {
    REEL_ASSIGN_OR_RETURN(auto values, image_format_from_rerun(v, reel_type));
    return with_values(column, values);
  }
  if (convert == "tensor_data") {
    REEL_ASSIGN_OR_RETURN(auto values, tensor_from_rerun(v, reel_type));
    return with_values(column, values);
  }
  return Status::NotImplemented("no converter '" + std::string(convert) + "'");
}

}  // namespace reel::format::rrd::internal
