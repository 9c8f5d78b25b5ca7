// array_equals(): deep logical equality of two arrays (slices compare by content).
#include <cstring>

#include "arrow/array_internal.hpp"
#include "reel/arrow/array.hpp"

namespace reel::arrow {

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
  if (width > 0 && a.null_count == 0 && b.null_count == 0 && id != TypeId::kFixedSizeList) {
    return n == 0 ||
           std::memcmp(a.buffers[1]->data() + (a.offset + ai) * width,
                       b.buffers[1]->data() + (b.offset + bi) * width, size_t(n * width)) == 0;
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
    case TypeId::kNull:
      return true;
    case TypeId::kBool:
      return bit_util::get_bit(a.buffers[1]->data(), a.offset + i) ==
             bit_util::get_bit(b.buffers[1]->data(), b.offset + j);
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
      int w = a.type->primitive_width();
      return std::memcmp(a.buffers[1]->data() + (a.offset + i) * w,
                         b.buffers[1]->data() + (b.offset + j) * w, size_t(w)) == 0;
    }
    case TypeId::kUtf8:
    case TypeId::kBinary:
      return internal::binary_value(a, i) == internal::binary_value(b, j);
    case TypeId::kList: {
      const int32_t* oa = a.values<int32_t>(1);
      const int32_t* ob = b.values<int32_t>(1);
      int64_t la = oa[i + 1] - oa[i], lb = ob[j + 1] - ob[j];
      return la == lb && range_equals(*a.children[0], oa[i], *b.children[0], ob[j], la);
    }
    case TypeId::kFixedSizeList: {
      int64_t ls = a.type->list_size();
      return range_equals(*a.children[0], (a.offset + i) * ls, *b.children[0], (b.offset + j) * ls,
                          ls);
    }
    case TypeId::kStruct:
      for (size_t f = 0; f < a.children.size(); ++f) {
        if (!value_equals(*a.children[f], a.offset + i, *b.children[f], b.offset + j)) {
          return false;
        }
      }
      return true;
  }
  return false;
}

}  // namespace

bool array_equals(const ArrayData& a, const ArrayData& b) {
  if (a.length != b.length || !type_equals(a.type, b.type)) return false;
  if (a.null_count != b.null_count) return false;
  return range_equals(a, 0, b, 0, a.length);
}

}  // namespace reel::arrow
