// validate(): the layout invariants of an array, checked before data from outside (IPC, the C
// data interface, user buffers) is used.
#include <cstdint>
#include <string>

#include "arrow/array_internal.hpp"
#include "reel/arrow/array.hpp"

namespace reel::arrow {

namespace {

Status expect_buffers(const ArrayData& a) {
  const size_t n = internal::layout_shape(*a.type).buffers;
  if (a.buffers.size() != n) {
    return Status::Invalid("array of type " + a.type->to_string() + " needs " + std::to_string(n) +
                           " buffers, has " + std::to_string(a.buffers.size()));
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
                           std::to_string(o[0]) + ", " + std::to_string(o[a.length]) + "] with " +
                           std::to_string(child_length) + " values");
  }
  if (full) {
    for (int64_t i = 0; i < a.length; ++i) {
      if (o[i + 1] < o[i]) {
        return Status::Invalid("offsets of " + a.type->to_string() + " array decrease at index " +
                               std::to_string(i));
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
  if (a.buffers.empty()) {
    return Status::Invalid("array of " + a.type->to_string() + " has no buffers");
  }
  if (a.buffers[0]) {
    REEL_RETURN_NOT_OK(
        expect_size(a.buffers[0], extent_bitmap_bytes(a.offset, a.length), "validity", a));
    if (full && internal::count_nulls(a) != a.null_count) {
      return Status::Invalid("null count " + std::to_string(a.null_count) +
                             " does not match the validity bitmap (" +
                             std::to_string(internal::count_nulls(a)) + ")");
    }
  } else if (a.null_count != 0) {
    return Status::Invalid("nulls without a validity bitmap");
  }
  REEL_RETURN_NOT_OK(expect_buffers(a));
  switch (id) {
    case TypeId::kNull:
      return Status::OK();  // above
    case TypeId::kBool:
      return expect_size(a.buffers[1], extent_bitmap_bytes(a.offset, a.length), "values", a);
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
    case TypeId::kFixedSizeBinary: {
      const int width = a.type->primitive_width();
      if (width <= 0) return Status::NotImplemented("type " + a.type->to_string());
      return expect_size(a.buffers[1], extent_bytes(a.offset, a.length, width), "values", a);
    }
    case TypeId::kUtf8:
    case TypeId::kBinary: {
      int64_t data_len = a.buffers[2] ? int64_t(a.buffers[2]->size()) : 0;
      REEL_RETURN_NOT_OK(validate_offsets(a, data_len, full));
      if (full && id == TypeId::kUtf8 && a.length > 0) {
        const int32_t* o = a.values<int32_t>(1);
        for (int64_t i = 0; i < a.length; ++i) {
          if (a.is_valid(i) && !valid_utf8(a.buffers[2]->data() + o[i], int64_t(o[i + 1] - o[i]))) {
            return Status::Invalid("invalid UTF-8 in string at index " + std::to_string(i));
          }
        }
      }
      return Status::OK();
    }
    case TypeId::kList: {
      if (a.children.size() != 1 || !a.children[0]) {
        return Status::Invalid("list array needs one child");
      }
      if (!type_equals(a.children[0]->type, a.type->value_type())) {
        return Status::Invalid("list child type " + a.children[0]->type->to_string() +
                               " does not match " + a.type->to_string());
      }
      REEL_RETURN_NOT_OK(validate_offsets(a, a.children[0]->length, full));
      return validate(*a.children[0], full);
    }
    case TypeId::kFixedSizeList: {
      if (a.children.size() != 1 || !a.children[0]) {
        return Status::Invalid("fixed-size list array needs one child");
      }
      if (!type_equals(a.children[0]->type, a.type->value_type())) {
        return Status::Invalid("fixed-size list child type does not match");
      }
      if (a.children[0]->length < extent_bytes(a.offset, a.length, a.type->list_size())) {
        return Status::Invalid(
            "fixed-size list child too short: " + std::to_string(a.children[0]->length) +
            " values for " + std::to_string(extent_bytes(a.offset, a.length, 1)) + " lists of " +
            std::to_string(a.type->list_size()));
      }
      return validate(*a.children[0], full);
    }
    case TypeId::kStruct: {
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
  }
  return Status::NotImplemented("type " + a.type->to_string());
}

}  // namespace reel::arrow
