// concatenate(): one array holding several arrays' values one after another; copy_array().
#include <cstring>

#include "arrow/array_internal.hpp"
#include "reel/arrow/array.hpp"

namespace reel::arrow {

namespace {

// Builds the validity of the concatenation, or null when there are no nulls.
BufferPtr concat_validity(std::span<const ArrayPtr> arrays, int64_t total, int64_t* null_count) {
  int64_t nulls = 0;
  for (const auto& a : arrays) nulls += a->null_count;
  *null_count = nulls;
  if (nulls == 0) return nullptr;
  auto bits = Buffer::allocate(size_t(bit_util::bytes_for_bits(total)));
  int64_t pos = 0;
  for (const auto& a : arrays) {
    if (a->null_count == 0 || !a->buffers[0]) {
      for (int64_t i = 0; i < a->length; ++i) bit_util::set_bit(bits->mutable_data(), pos + i);
    } else {
      bit_util::copy_bits(a->buffers[0]->data(), a->offset, a->length, bits->mutable_data(), pos);
    }
    pos += a->length;
  }
  return bits;
}

ArrayPtr child_range(const ArrayData& child, int64_t begin, int64_t end) {
  return child.slice(begin, end - begin);
}

// Each member's values one array after another (whole, including values no slot points at);
// offsets shifted by the member's values of the arrays before.
Result<ArrayPtr> concat_dense_union(std::span<const ArrayPtr> arrays, int64_t total) {
  const TypePtr& type = arrays[0]->type;
  const size_t members = type->fields().size();
  auto ids = Buffer::allocate(size_t(total));
  auto offs = Buffer::allocate(size_t(total) * 4);
  std::vector<int64_t> base(members, 0);
  std::vector<std::vector<ArrayPtr>> parts(members);
  int64_t pos = 0;
  for (const auto& a : arrays) {
    const int8_t* src_ids = a->length ? a->values<int8_t>(1) : nullptr;
    const int32_t* src_offs = a->length ? a->values<int32_t>(2) : nullptr;
    for (int64_t i = 0; i < a->length; ++i) {
      const size_t m = size_t(type->member_of_code(src_ids[i]));
      const int64_t o = base[m] + src_offs[i];
      if (o > INT32_MAX) return Status::CapacityError("concatenated union exceeds 2^31 values");
      ids->mutable_data()[pos + i] = uint8_t(src_ids[i]);
      offs->mutable_data_as<int32_t>()[pos + i] = int32_t(o);
    }
    for (size_t m = 0; m < members; ++m) {
      parts[m].push_back(a->children[m]);
      base[m] += a->children[m]->length;
    }
    pos += a->length;
  }
  std::vector<ArrayPtr> children;
  for (size_t m = 0; m < members; ++m) {
    REEL_ASSIGN_OR_RETURN(auto child, concatenate_copy(parts[m]));
    children.push_back(std::move(child));
  }
  return ArrayData::make(type, total, 0, {nullptr, ids, offs}, std::move(children));
}

}  // namespace

Result<ArrayPtr> concatenate(std::span<const ArrayPtr> arrays) {
  if (arrays.size() == 1) return arrays[0];
  return concatenate_copy(arrays);
}

ArrayPtr copy_array(const ArrayPtr& array) {
  ArrayPtr one[] = {array};
  return concatenate_copy(one).value_or_die();  // one array always concatenates
}

Result<ArrayPtr> concatenate_copy(std::span<const ArrayPtr> arrays) {
  if (arrays.empty()) return Status::Invalid("concatenate needs at least one array");
  const TypePtr& type = arrays[0]->type;
  int64_t total = 0;
  for (const auto& a : arrays) {
    if (!type_equals(a->type, type)) {
      return Status::TypeError("cannot concatenate " + a->type->to_string() + " with " +
                               type->to_string());
    }
    total += a->length;
  }
  if (type->id() == TypeId::kNull) return ArrayData::make(type, total, total, {});
  int64_t null_count = 0;
  BufferPtr validity = concat_validity(arrays, total, &null_count);
  switch (type->id()) {
    case TypeId::kNull:
      break;  // above
    case TypeId::kBool: {
      auto bits = Buffer::allocate(size_t(bit_util::bytes_for_bits(total)));
      int64_t pos = 0;
      for (const auto& a : arrays) {
        bit_util::copy_bits(a->buffers[1]->data(), a->offset, a->length, bits->mutable_data(), pos);
        pos += a->length;
      }
      return ArrayData::make(type, total, null_count, {validity, bits});
    }
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
    case TypeId::kTimestamp:
    case TypeId::kDuration: {
      int w = type->primitive_width();
      if (w <= 0) return Status::NotImplemented("concatenate of " + type->to_string());
      auto values = Buffer::allocate(size_t(total * w));
      uint8_t* dst = values->mutable_data();
      for (const auto& a : arrays) {
        if (a->length) {
          std::memcpy(dst, a->buffers[1]->data() + a->offset * w, size_t(a->length * w));
        }
        dst += a->length * w;
      }
      return ArrayData::make(type, total, null_count, {validity, values});
    }
    case TypeId::kUtf8:
    case TypeId::kBinary: {
      int64_t bytes = 0;
      for (const auto& a : arrays) {
        if (a->length) bytes += a->values<int32_t>(1)[a->length] - a->values<int32_t>(1)[0];
      }
      if (bytes > INT32_MAX) return Status::CapacityError("concatenated strings exceed 2 GiB");
      auto offsets = Buffer::allocate(size_t(total + 1) * 4);
      auto data = Buffer::allocate(size_t(bytes));
      int32_t* o = offsets->mutable_data_as<int32_t>();
      int64_t pos = 0;
      int32_t base = 0;
      o[0] = 0;
      for (const auto& a : arrays) {
        if (a->length == 0) continue;
        const int32_t* src = a->values<int32_t>(1);
        for (int64_t i = 0; i < a->length; ++i) o[pos + i + 1] = base + (src[i + 1] - src[0]);
        int32_t n = src[a->length] - src[0];
        if (n) {
          std::memcpy(data->mutable_data() + base, a->buffers[2]->data() + src[0], size_t(n));
        }
        base += n;
        pos += a->length;
      }
      return ArrayData::make(type, total, null_count, {validity, offsets, data});
    }
    case TypeId::kList: {
      auto offsets = Buffer::allocate(size_t(total + 1) * 4);
      int32_t* o = offsets->mutable_data_as<int32_t>();
      std::vector<ArrayPtr> children;
      int64_t pos = 0;
      int64_t base = 0;
      o[0] = 0;
      for (const auto& a : arrays) {
        if (a->length == 0) continue;
        const int32_t* src = a->values<int32_t>(1);
        for (int64_t i = 0; i < a->length; ++i) {
          o[pos + i + 1] = int32_t(base + (src[i + 1] - src[0]));
        }
        children.push_back(child_range(*a->children[0], src[0], src[a->length]));
        base += src[a->length] - src[0];
        if (base > INT32_MAX) {
          return Status::CapacityError("concatenated list exceeds 2^31 values");
        }
        pos += a->length;
      }
      if (children.empty()) children.push_back(arrays[0]->children[0]->slice(0, 0));
      REEL_ASSIGN_OR_RETURN(auto child, concatenate_copy(children));
      return ArrayData::make(type, total, null_count, {validity, offsets}, {std::move(child)});
    }
    case TypeId::kFixedSizeList: {
      int64_t ls = type->list_size();
      std::vector<ArrayPtr> children;
      for (const auto& a : arrays) {
        children.push_back(
            child_range(*a->children[0], a->offset * ls, (a->offset + a->length) * ls));
      }
      REEL_ASSIGN_OR_RETURN(auto child, concatenate_copy(children));
      return ArrayData::make(type, total, null_count, {validity}, {std::move(child)});
    }
    case TypeId::kStruct: {
      std::vector<ArrayPtr> fields;
      for (size_t f = 0; f < type->fields().size(); ++f) {
        std::vector<ArrayPtr> children;
        for (const auto& a : arrays)
          children.push_back(a->children[f]->slice(a->offset, a->length));
        REEL_ASSIGN_OR_RETURN(auto child, concatenate_copy(children));
        fields.push_back(std::move(child));
      }
      return ArrayData::make(type, total, null_count, {validity}, std::move(fields));
    }
    case TypeId::kDenseUnion:
      return concat_dense_union(arrays, total);
  }
  return Status::NotImplemented("concatenate of " + type->to_string());
}

}  // namespace reel::arrow
