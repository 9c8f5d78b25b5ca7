#include "reel/arrow/array.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace reel::arrow {

namespace {

int64_t count_nulls(const ArrayData& a) {
  if (a.buffers.empty() || !a.buffers[0]) return 0;
  return a.length - bit_util::count_set_bits(a.buffers[0]->data(), a.offset, a.length);
}

}  // namespace

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
    out->null_count = count_nulls(*out);
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

// ---------------------------------------------------------------------------------------
// Validation

namespace {

Status expect_buffers(const ArrayData& a, size_t n) {
  if (a.buffers.size() != n) {
    return Status::Invalid("array of type " + a.type->to_string() + " needs " +
                           std::to_string(n) + " buffers, has " +
                           std::to_string(a.buffers.size()));
  }
  return Status::OK();
}

// What elements [0, offset + length) of `width` bytes (or bits, for bitmaps) need, saturated at
// INT64_MAX: lengths and offsets come from untrusted input, their products must not overflow.
int64_t extent_bytes(int64_t offset, int64_t length, int64_t width) {
  int64_t n, bytes;
  if (__builtin_add_overflow(offset, length, &n) || __builtin_mul_overflow(n, width, &bytes)) {
    return INT64_MAX;
  }
  return bytes;
}
int64_t extent_bitmap_bytes(int64_t offset, int64_t length) {
  int64_t n;
  if (__builtin_add_overflow(offset, length, &n)) return INT64_MAX;
  return n / 8 + (n % 8 != 0);
}

Status expect_size(const BufferPtr& b, int64_t bytes, const char* what, const ArrayData& a) {
  if (bytes > 0 && (!b || int64_t(b->size()) < bytes)) {
    return Status::Invalid(std::string(what) + " buffer of " + a.type->to_string() +
                           " array is too small: " + std::to_string(b ? b->size() : 0) +
                           " bytes, needs " + std::to_string(bytes));
  }
  return Status::OK();
}

bool valid_utf8(const uint8_t* s, int64_t n) {
  int64_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    int extra;
    if (c < 0x80) {
      extra = 0;
    } else if ((c >> 5) == 0x6) {
      extra = 1;
    } else if ((c >> 4) == 0xE) {
      extra = 2;
    } else if ((c >> 3) == 0x1E) {
      extra = 3;
    } else {
      return false;
    }
    if (extra > 0 && i + extra >= n) return false;
    for (int k = 1; k <= extra; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

Status validate_offsets(const ArrayData& a, int64_t child_length, bool full) {
  const int64_t bytes = extent_bytes(a.offset, a.length, 4);
  REEL_RETURN_NOT_OK(
      expect_size(a.buffers[1], bytes > INT64_MAX - 4 ? INT64_MAX : bytes + 4, "offsets", a));
  if (a.length == 0 && !a.buffers[1]) return Status::OK();
  const int32_t* o = a.values<int32_t>(1);
  if (o[0] < 0 || o[a.length] < o[0] || o[a.length] > child_length) {
    return Status::Invalid("offsets of " + a.type->to_string() + " array out of bounds: [" +
                           std::to_string(o[0]) + ", " + std::to_string(o[a.length]) +
                           "] with " + std::to_string(child_length) + " values");
  }
  if (full) {
    for (int64_t i = 0; i < a.length; ++i) {
      if (o[i + 1] < o[i]) {
        return Status::Invalid("offsets of " + a.type->to_string() +
                               " array decrease at index " + std::to_string(i));
      }
    }
  }
  return Status::OK();
}

}  // namespace

Status validate(const ArrayData& a, bool full) {
  if (!a.type) return Status::Invalid("array has no type");
  if (a.length < 0 || a.offset < 0) return Status::Invalid("negative array length or offset");
  if (a.null_count < 0 || a.null_count > a.length) {
    return Status::Invalid("null count " + std::to_string(a.null_count) + " outside [0, " +
                           std::to_string(a.length) + "]");
  }
  const TypeId id = a.type->id();
  if (id == TypeId::kNull) {
    if (a.null_count != a.length) return Status::Invalid("null array with non-null values");
    return Status::OK();
  }
  if (a.buffers.empty()) return Status::Invalid("array of " + a.type->to_string() + " has no buffers");
  if (a.buffers[0]) {
    REEL_RETURN_NOT_OK(
        expect_size(a.buffers[0], extent_bitmap_bytes(a.offset, a.length), "validity", a));
    if (full && count_nulls(a) != a.null_count) {
      return Status::Invalid("null count " + std::to_string(a.null_count) +
                             " does not match the validity bitmap (" +
                             std::to_string(count_nulls(a)) + ")");
    }
  } else if (a.null_count != 0) {
    return Status::Invalid("nulls without a validity bitmap");
  }
  switch (id) {
    case TypeId::kBool:
      REEL_RETURN_NOT_OK(expect_buffers(a, 2));
      return expect_size(a.buffers[1], extent_bitmap_bytes(a.offset, a.length), "values", a);
    case TypeId::kUtf8:
    case TypeId::kBinary: {
      REEL_RETURN_NOT_OK(expect_buffers(a, 3));
      int64_t data_len = a.buffers[2] ? int64_t(a.buffers[2]->size()) : 0;
      REEL_RETURN_NOT_OK(validate_offsets(a, data_len, full));
      if (full && id == TypeId::kUtf8 && a.length > 0) {
        const int32_t* o = a.values<int32_t>(1);
        for (int64_t i = 0; i < a.length; ++i) {
          if (a.is_valid(i) &&
              !valid_utf8(a.buffers[2]->data() + o[i], int64_t(o[i + 1] - o[i]))) {
            return Status::Invalid("invalid UTF-8 in string at index " + std::to_string(i));
          }
        }
      }
      return Status::OK();
    }
    case TypeId::kList: {
      REEL_RETURN_NOT_OK(expect_buffers(a, 2));
      if (a.children.size() != 1 || !a.children[0]) return Status::Invalid("list array needs one child");
      if (!type_equals(a.children[0]->type, a.type->value_type())) {
        return Status::Invalid("list child type " + a.children[0]->type->to_string() +
                               " does not match " + a.type->to_string());
      }
      REEL_RETURN_NOT_OK(validate_offsets(a, a.children[0]->length, full));
      return validate(*a.children[0], full);
    }
    case TypeId::kFixedSizeList: {
      REEL_RETURN_NOT_OK(expect_buffers(a, 1));
      if (a.children.size() != 1 || !a.children[0]) {
        return Status::Invalid("fixed-size list array needs one child");
      }
      if (!type_equals(a.children[0]->type, a.type->value_type())) {
        return Status::Invalid("fixed-size list child type does not match");
      }
      if (a.children[0]->length < extent_bytes(a.offset, a.length, a.type->list_size())) {
        return Status::Invalid("fixed-size list child too short: " +
                               std::to_string(a.children[0]->length) + " values for " +
                               std::to_string(extent_bytes(a.offset, a.length, 1)) + " lists of " +
                               std::to_string(a.type->list_size()));
      }
      return validate(*a.children[0], full);
    }
    case TypeId::kStruct: {
      REEL_RETURN_NOT_OK(expect_buffers(a, 1));
      if (a.children.size() != a.type->fields().size()) {
        return Status::Invalid("struct array has " + std::to_string(a.children.size()) +
                               " children for " + std::to_string(a.type->fields().size()) +
                               " fields");
      }
      for (size_t i = 0; i < a.children.size(); ++i) {
        if (!a.children[i] || a.children[i]->length < extent_bytes(a.offset, a.length, 1)) {
          return Status::Invalid("struct field '" + a.type->fields()[i]->name + "' too short");
        }
        if (!type_equals(a.children[i]->type, a.type->fields()[i]->type)) {
          return Status::Invalid("struct field '" + a.type->fields()[i]->name +
                                 "' has the wrong type");
        }
        REEL_RETURN_NOT_OK(validate(*a.children[i], full));
      }
      return Status::OK();
    }
    default: {
      int width = a.type->primitive_width();
      if (width == 0) return Status::NotImplemented("type " + a.type->to_string());
      REEL_RETURN_NOT_OK(expect_buffers(a, 2));
      return expect_size(a.buffers[1], extent_bytes(a.offset, a.length, width), "values", a);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Equality

namespace {

bool value_equals(const ArrayData& a, int64_t i, const ArrayData& b, int64_t j);

bool range_equals(const ArrayData& a, int64_t ai, const ArrayData& b, int64_t bi, int64_t n) {
  // Arrays without nulls compare column-wise where values are not per row: a null array, or
  // a struct or fixed-size list whose children may hold no memory at all (struct<>) yet claim
  // any length. Per-row recursion would cost time in the claimed length, not in the bytes.
  const TypeId id = a.type->id();
  if (id == TypeId::kNull) return true;
  if (a.null_count == 0 && b.null_count == 0) {
    if (id == TypeId::kStruct) {
      for (size_t f = 0; f < a.children.size(); ++f) {
        if (!range_equals(*a.children[f], a.offset + ai, *b.children[f], b.offset + bi, n)) {
          return false;
        }
      }
      return true;
    }
    if (id == TypeId::kFixedSizeList) {
      const int64_t ls = a.type->list_size();
      return range_equals(*a.children[0], (a.offset + ai) * ls, *b.children[0],
                          (b.offset + bi) * ls, n * ls);
    }
  }
  // Fast path: flat values without nulls compare as bytes.
  int64_t width = a.type->flat_width();
  if (width > 0 && a.null_count == 0 && b.null_count == 0 && a.type->id() != TypeId::kFixedSizeList) {
    return n == 0 || std::memcmp(a.buffers[1]->data() + (a.offset + ai) * width,
                                 b.buffers[1]->data() + (b.offset + bi) * width,
                                 size_t(n * width)) == 0;
  }
  for (int64_t k = 0; k < n; ++k) {
    if (!value_equals(a, ai + k, b, bi + k)) return false;
  }
  return true;
}

bool value_equals(const ArrayData& a, int64_t i, const ArrayData& b, int64_t j) {
  bool va = a.is_valid(i), vb = b.is_valid(j);
  if (va != vb) return false;
  if (!va) return true;
  switch (a.type->id()) {
    case TypeId::kNull: return true;
    case TypeId::kBool:
      return bit_util::get_bit(a.buffers[1]->data(), a.offset + i) ==
             bit_util::get_bit(b.buffers[1]->data(), b.offset + j);
    case TypeId::kUtf8:
    case TypeId::kBinary:
      return BinaryArray(std::make_shared<ArrayData>(a)).value(i) ==
             BinaryArray(std::make_shared<ArrayData>(b)).value(j);
    case TypeId::kList: {
      const int32_t* oa = a.values<int32_t>(1);
      const int32_t* ob = b.values<int32_t>(1);
      int64_t la = oa[i + 1] - oa[i], lb = ob[j + 1] - ob[j];
      return la == lb && range_equals(*a.children[0], oa[i], *b.children[0], ob[j], la);
    }
    case TypeId::kFixedSizeList: {
      int64_t ls = a.type->list_size();
      return range_equals(*a.children[0], (a.offset + i) * ls, *b.children[0],
                          (b.offset + j) * ls, ls);
    }
    case TypeId::kStruct:
      for (size_t f = 0; f < a.children.size(); ++f) {
        if (!value_equals(*a.children[f], a.offset + i, *b.children[f], b.offset + j)) {
          return false;
        }
      }
      return true;
    default: {
      int w = a.type->primitive_width();
      return std::memcmp(a.buffers[1]->data() + (a.offset + i) * w,
                         b.buffers[1]->data() + (b.offset + j) * w, size_t(w)) == 0;
    }
  }
}

}  // namespace

bool array_equals(const ArrayData& a, const ArrayData& b) {
  if (a.length != b.length || !type_equals(a.type, b.type)) return false;
  if (a.null_count != b.null_count) return false;
  return range_equals(a, 0, b, 0, a.length);
}

// ---------------------------------------------------------------------------------------
// Concatenate and take

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

}  // namespace

Result<ArrayPtr> concatenate(std::span<const ArrayPtr> arrays) {
  if (arrays.size() == 1) return arrays[0];
  return concatenate_copy(arrays);
}

ArrayPtr copy_array(const ArrayPtr& array) {
  ArrayPtr one[] = {array};
  return concatenate_copy(one).value();  // one array always concatenates
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
  auto out = std::make_shared<ArrayData>();
  out->type = type;
  out->length = total;
  if (type->id() == TypeId::kNull) {
    out->null_count = total;
    return ArrayPtr(out);
  }
  out->buffers.push_back(concat_validity(arrays, total, &out->null_count));
  switch (type->id()) {
    case TypeId::kBool: {
      auto bits = Buffer::allocate(size_t(bit_util::bytes_for_bits(total)));
      int64_t pos = 0;
      for (const auto& a : arrays) {
        bit_util::copy_bits(a->buffers[1]->data(), a->offset, a->length, bits->mutable_data(), pos);
        pos += a->length;
      }
      out->buffers.push_back(bits);
      break;
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
        if (n) std::memcpy(data->mutable_data() + base, a->buffers[2]->data() + src[0], size_t(n));
        base += n;
        pos += a->length;
      }
      out->buffers.push_back(offsets);
      out->buffers.push_back(data);
      break;
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
        for (int64_t i = 0; i < a->length; ++i) o[pos + i + 1] = int32_t(base + (src[i + 1] - src[0]));
        children.push_back(child_range(*a->children[0], src[0], src[a->length]));
        base += src[a->length] - src[0];
        if (base > INT32_MAX) return Status::CapacityError("concatenated list exceeds 2^31 values");
        pos += a->length;
      }
      out->buffers.push_back(offsets);
      if (children.empty()) {
        children.push_back(arrays[0]->children[0]->slice(0, 0));
      }
      REEL_ASSIGN_OR_RETURN(auto child, concatenate_copy(children));
      out->children.push_back(std::move(child));
      break;
    }
    case TypeId::kFixedSizeList: {
      int64_t ls = type->list_size();
      std::vector<ArrayPtr> children;
      for (const auto& a : arrays) {
        children.push_back(child_range(*a->children[0], a->offset * ls, (a->offset + a->length) * ls));
      }
      REEL_ASSIGN_OR_RETURN(auto child, concatenate_copy(children));
      out->children.push_back(std::move(child));
      break;
    }
    case TypeId::kStruct: {
      for (size_t f = 0; f < type->fields().size(); ++f) {
        std::vector<ArrayPtr> children;
        for (const auto& a : arrays) {
          children.push_back(a->children[f]->slice(a->offset, a->length));
        }
        REEL_ASSIGN_OR_RETURN(auto child, concatenate_copy(children));
        out->children.push_back(std::move(child));
      }
      break;
    }
    default: {
      int w = type->primitive_width();
      if (w == 0) return Status::NotImplemented("concatenate of " + type->to_string());
      auto values = Buffer::allocate(size_t(total * w));
      uint8_t* dst = values->mutable_data();
      for (const auto& a : arrays) {
        if (a->length) std::memcpy(dst, a->buffers[1]->data() + a->offset * w, size_t(a->length * w));
        dst += a->length * w;
      }
      out->buffers.push_back(values);
      break;
    }
  }
  return ArrayPtr(out);
}

Result<ArrayPtr> take(const ArrayData& a, std::span<const int64_t> indices) {
  const int64_t n = int64_t(indices.size());
  for (int64_t idx : indices) {
    if (idx < 0 || idx >= a.length) {
      return Status::IndexError("take index " + std::to_string(idx) + " out of bounds for length " +
                                std::to_string(a.length));
    }
  }
  auto out = std::make_shared<ArrayData>();
  out->type = a.type;
  out->length = n;
  const TypeId id = a.type->id();
  if (id == TypeId::kNull) {
    out->null_count = n;
    return ArrayPtr(out);
  }
  BufferPtr validity;
  if (a.null_count > 0) {
    auto bits = Buffer::allocate(size_t(bit_util::bytes_for_bits(n)));
    int64_t nulls = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (a.is_valid(indices[size_t(i)])) {
        bit_util::set_bit(bits->mutable_data(), i);
      } else {
        ++nulls;
      }
    }
    out->null_count = nulls;
    if (nulls) validity = bits;
  }
  out->buffers.push_back(validity);
  switch (id) {
    case TypeId::kBool: {
      auto bits = Buffer::allocate(size_t(bit_util::bytes_for_bits(n)));
      for (int64_t i = 0; i < n; ++i) {
        bit_util::set_bit_to(bits->mutable_data(), i,
                             bit_util::get_bit(a.buffers[1]->data(), a.offset + indices[size_t(i)]));
      }
      out->buffers.push_back(bits);
      break;
    }
    case TypeId::kUtf8:
    case TypeId::kBinary: {
      const int32_t* src = a.values<int32_t>(1);
      int64_t bytes = 0;
      for (int64_t idx : indices) bytes += src[idx + 1] - src[idx];
      if (bytes > INT32_MAX) return Status::CapacityError("taken strings exceed 2 GiB");
      auto offsets = Buffer::allocate(size_t(n + 1) * 4);
      auto data = Buffer::allocate(size_t(bytes));
      int32_t* o = offsets->mutable_data_as<int32_t>();
      o[0] = 0;
      for (int64_t i = 0; i < n; ++i) {
        int64_t idx = indices[size_t(i)];
        int32_t len = src[idx + 1] - src[idx];
        if (len) std::memcpy(data->mutable_data() + o[i], a.buffers[2]->data() + src[idx], size_t(len));
        o[i + 1] = o[i] + len;
      }
      out->buffers.push_back(offsets);
      out->buffers.push_back(data);
      break;
    }
    case TypeId::kList: {
      const int32_t* src = a.values<int32_t>(1);
      auto offsets = Buffer::allocate(size_t(n + 1) * 4);
      int32_t* o = offsets->mutable_data_as<int32_t>();
      std::vector<int64_t> child_idx;
      o[0] = 0;
      for (int64_t i = 0; i < n; ++i) {
        int64_t idx = indices[size_t(i)];
        for (int32_t k = src[idx]; k < src[idx + 1]; ++k) child_idx.push_back(k);
        if (child_idx.size() > size_t(INT32_MAX)) return Status::CapacityError("list too long");
        o[i + 1] = int32_t(child_idx.size());
      }
      out->buffers.push_back(offsets);
      REEL_ASSIGN_OR_RETURN(auto child, take(*a.children[0], child_idx));
      out->children.push_back(std::move(child));
      break;
    }
    case TypeId::kFixedSizeList: {
      int64_t ls = a.type->list_size();
      std::vector<int64_t> child_idx;
      child_idx.reserve(size_t(n * ls));
      for (int64_t idx : indices) {
        for (int64_t k = 0; k < ls; ++k) child_idx.push_back((a.offset + idx) * ls + k);
      }
      REEL_ASSIGN_OR_RETURN(auto child, take(*a.children[0], child_idx));
      out->children.push_back(std::move(child));
      break;
    }
    case TypeId::kStruct: {
      std::vector<int64_t> child_idx(indices.begin(), indices.end());
      for (auto& k : child_idx) k += a.offset;
      for (const auto& c : a.children) {
        REEL_ASSIGN_OR_RETURN(auto child, take(*c, child_idx));
        out->children.push_back(std::move(child));
      }
      break;
    }
    default: {
      int w = a.type->primitive_width();
      if (w == 0) return Status::NotImplemented("take of " + a.type->to_string());
      auto values = Buffer::allocate(size_t(n * w));
      const uint8_t* s = a.buffers[1]->data() + a.offset * w;
      uint8_t* d = values->mutable_data();
      switch (w) {
        case 8:
          for (int64_t i = 0; i < n; ++i) std::memcpy(d + i * 8, s + indices[size_t(i)] * 8, 8);
          break;
        case 4:
          for (int64_t i = 0; i < n; ++i) std::memcpy(d + i * 4, s + indices[size_t(i)] * 4, 4);
          break;
        default:
          for (int64_t i = 0; i < n; ++i) {
            std::memcpy(d + i * w, s + indices[size_t(i)] * w, size_t(w));
          }
      }
      out->buffers.push_back(values);
      break;
    }
  }
  return ArrayPtr(out);
}

ArrayPtr make_null_array(const TypePtr& type, int64_t length) {
  auto out = std::make_shared<ArrayData>();
  out->type = type;
  out->length = length;
  out->null_count = length;
  if (type->id() == TypeId::kNull) return out;
  out->buffers.push_back(length ? Buffer::allocate(size_t(bit_util::bytes_for_bits(length))) : nullptr);
  if (length == 0) out->buffers[0] = nullptr;
  switch (type->id()) {
    case TypeId::kBool:
      out->buffers.push_back(Buffer::allocate(size_t(bit_util::bytes_for_bits(length))));
      break;
    case TypeId::kUtf8:
    case TypeId::kBinary:
      out->buffers.push_back(Buffer::allocate(size_t(length + 1) * 4));
      out->buffers.push_back(Buffer::allocate(0));
      break;
    case TypeId::kList:
      out->buffers.push_back(Buffer::allocate(size_t(length + 1) * 4));
      out->children.push_back(make_null_array(type->value_type(), 0));
      break;
    case TypeId::kFixedSizeList:
      out->children.push_back(make_null_array(type->value_type(), length * type->list_size()));
      break;
    case TypeId::kStruct:
      for (const auto& f : type->fields()) out->children.push_back(make_null_array(f->type, length));
      break;
    default:
      out->buffers.push_back(Buffer::allocate(size_t(length * type->primitive_width())));
  }
  return out;
}

std::string array_to_string(const ArrayData& a, int64_t max_values) {
  std::string s = "[";
  for (int64_t i = 0; i < a.length; ++i) {
    if (i) s += ", ";
    if (i >= max_values) {
      s += "... " + std::to_string(a.length - i) + " more";
      break;
    }
    if (a.is_null(i)) {
      s += "null";
      continue;
    }
    switch (a.type->id()) {
      case TypeId::kBool:
        s += bit_util::get_bit(a.buffers[1]->data(), a.offset + i) ? "true" : "false";
        break;
      case TypeId::kInt8: s += std::to_string(a.values<int8_t>()[i]); break;
      case TypeId::kInt16: s += std::to_string(a.values<int16_t>()[i]); break;
      case TypeId::kInt32: s += std::to_string(a.values<int32_t>()[i]); break;
      case TypeId::kInt64: s += std::to_string(a.values<int64_t>()[i]); break;
      case TypeId::kUInt8: s += std::to_string(a.values<uint8_t>()[i]); break;
      case TypeId::kUInt16: s += std::to_string(a.values<uint16_t>()[i]); break;
      case TypeId::kUInt32: s += std::to_string(a.values<uint32_t>()[i]); break;
      case TypeId::kUInt64: s += std::to_string(a.values<uint64_t>()[i]); break;
      case TypeId::kFloat32: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", double(a.values<float>()[i]));
        s += buf;
        break;
      }
      case TypeId::kFloat64: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", a.values<double>()[i]);
        s += buf;
        break;
      }
      case TypeId::kUtf8:
        s += "\"" + std::string(BinaryArray(std::make_shared<ArrayData>(a)).value(i)) + "\"";
        break;
      case TypeId::kBinary:
        s += "<" + std::to_string(BinaryArray(std::make_shared<ArrayData>(a)).value(i).size()) +
             " bytes>";
        break;
      case TypeId::kList: {
        ListArray l(std::make_shared<ArrayData>(a));
        s += array_to_string(*l.value_slice(i), max_values);
        break;
      }
      case TypeId::kFixedSizeList: {
        int64_t ls = a.type->list_size();
        s += array_to_string(*a.children[0]->slice((a.offset + i) * ls, ls), max_values);
        break;
      }
      case TypeId::kStruct: {
        s += "{";
        for (size_t f = 0; f < a.children.size(); ++f) {
          if (f) s += ", ";
          s += a.type->fields()[f]->name + ": " +
               array_to_string(*a.children[f]->slice(a.offset + i, 1), 1);
        }
        s += "}";
        break;
      }
      default: s += "?";
    }
  }
  return s + "]";
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
