// ArrayData construction, slicing and memory accounting, and the typed views' accessors.
// The kernels over arrays have their own files: validate.cpp, compare.cpp (array_equals),
// concatenate.cpp, take.cpp, print.cpp (array_to_string).
#include "reel/arrow/array.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unordered_set>

#include "arrow/array_internal.hpp"

namespace reel::arrow {

namespace internal {

LayoutShape layout_shape(const DataType& type) {
  switch (type.id()) {
    case TypeId::kNull:
      return {0, 0};
    case TypeId::kBool:
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64:
    case TypeId::kFixedSizeBinary:
      return {2, 0};
    case TypeId::kUtf8:
    case TypeId::kBinary:
      return {3, 0};
    case TypeId::kList:
      return {2, 1};
    case TypeId::kFixedSizeList:
      return {1, 1};
    case TypeId::kStruct:
      return {1, type.fields().size()};
  }
  return {};
}

}  // namespace internal

ArrayPtr ArrayData::make(TypePtr type, int64_t length, int64_t null_count,
                         std::vector<BufferPtr> buffers, std::vector<ArrayPtr> children,
                         int64_t offset) {
  if (!type) {
    std::fprintf(stderr, "reel: ArrayData::make without a type\n");
    std::abort();
  }
  const internal::LayoutShape shape = internal::layout_shape(*type);
  if (buffers.size() != shape.buffers || children.size() != shape.children) {
    std::fprintf(stderr,
                 "reel: ArrayData::make: an array of %s has %zu buffers and %zu children, "
                 "not %zu and %zu\n",
                 type->to_string().c_str(), shape.buffers, shape.children, buffers.size(),
                 children.size());
    std::abort();
  }
  auto out = std::make_shared<ArrayData>();
  out->type = std::move(type);
  out->length = length;
  out->offset = offset;
  out->null_count = null_count;
  out->buffers = std::move(buffers);
  out->children = std::move(children);
  return out;
}

ArrayPtr ArrayData::slice(int64_t start, int64_t len) const {
  start = std::clamp<int64_t>(start, 0, length);
  len = std::clamp<int64_t>(len, 0, length - start);
  auto out = std::make_shared<ArrayData>(*this);
  out->offset = offset + start;
  out->length = len;
  if (null_count == 0) {
    out->null_count = 0;
  } else if (type->id() == TypeId::kNull) {
    out->null_count = len;
  } else {
    out->null_count = internal::count_nulls(*out);
  }
  return out;
}

void ArrayData::collect_buffers(std::vector<std::pair<const void*, size_t>>& out) const {
  for (const auto& b : buffers) {
    if (b) out.emplace_back(b->memory_key(), b->memory_bytes());
  }
  for (const auto& c : children) {
    if (c) c->collect_buffers(out);
  }
}

size_t ArrayData::memory_bytes() const {
  std::vector<std::pair<const void*, size_t>> all;
  collect_buffers(all);
  std::unordered_set<const void*> seen;
  size_t total = 0;
  for (auto& [key, bytes] : all) {
    if (seen.insert(key).second) total += bytes;
  }
  return total;
}

ArrayPtr make_null_array(const TypePtr& type, int64_t length) {
  if (type->id() == TypeId::kNull) return ArrayData::make(type, length, length, {});
  BufferPtr validity =
      length ? Buffer::allocate(size_t(bit_util::bytes_for_bits(length))) : nullptr;
  auto offsets = [&] { return Buffer::allocate(size_t(length + 1) * 4); };
  switch (type->id()) {
    case TypeId::kNull:
      break;  // above
    case TypeId::kBool:
      return ArrayData::make(
          type, length, length,
          {validity, Buffer::allocate(size_t(bit_util::bytes_for_bits(length)))});
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64:
    case TypeId::kFixedSizeBinary:
      return ArrayData::make(
          type, length, length,
          {validity, Buffer::allocate(size_t(length * type->primitive_width()))});
    case TypeId::kUtf8:
    case TypeId::kBinary:
      return ArrayData::make(type, length, length, {validity, offsets(), Buffer::allocate(0)});
    case TypeId::kList:
      return ArrayData::make(type, length, length, {validity, offsets()},
                             {make_null_array(type->value_type(), 0)});
    case TypeId::kFixedSizeList:
      return ArrayData::make(type, length, length, {validity},
                             {make_null_array(type->value_type(), length * type->list_size())});
    case TypeId::kStruct: {
      std::vector<ArrayPtr> children;
      for (const auto& f : type->fields()) children.push_back(make_null_array(f->type, length));
      return ArrayData::make(type, length, length, {validity}, std::move(children));
    }
  }
  return nullptr;
}

ArrayPtr ListArray::value_slice(int64_t i) const {
  return data_->children[0]->slice(value_offset(i), value_length(i));
}

ArrayPtr StructArray::field(int i) const {
  return data_->children[size_t(i)]->slice(data_->offset, data_->length);
}

ArrayPtr StructArray::field(std::string_view name) const {
  const auto& fields = type()->fields();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i]->name == name) return field(int(i));
  }
  return nullptr;
}

}  // namespace reel::arrow
