// Helpers shared by the array kernels of the arrow module (validate, compare, concatenate,
// take, print).
//
// Each kernel handles every type in one `switch (type->id())` without a `default:`, so that a
// new TypeId is a compiler warning (an error under -Werror) at every place it must be added:
// layout_shape() below, make_null_array (array.cpp), validate (validate.cpp), array_equals
// (compare.cpp), concatenate (concatenate.cpp), take (take.cpp), array_to_string (print.cpp).
// Outside the kernels a new type also needs: TypeId, its factory, type_id_name,
// primitive_width and to_string (type.hpp, type.cpp); make_builder (builder.cpp); the C data
// interface's format strings both ways and its buffer export (c_data.cpp); the IPC schema
// mapping both ways and the body writer and reader (ipc.cpp). Those switches have a
// `default:` that treats an unknown type as a primitive, so the compiler does not point at
// them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "reel/arrow/array.hpp"

namespace reel::arrow::internal {

// Nulls in the validity bitmap of `a` (0 without a bitmap).
inline int64_t count_nulls(const ArrayData& a) {
  if (a.buffers.empty() || !a.buffers[0]) return 0;
  return a.length - bit_util::count_set_bits(a.buffers[0]->data(), a.offset, a.length);
}

// How many buffers and child arrays an array of `type` has (the table in array.hpp).
struct LayoutShape {
  size_t buffers = 0;
  size_t children = 0;
};
LayoutShape layout_shape(const DataType& type);

// The bytes of string or binary value `i` of `a`.
inline std::string_view binary_value(const ArrayData& a, int64_t i) {
  const int32_t* o = a.values<int32_t>(1);
  return {reinterpret_cast<const char*>(a.buffers[2]->data()) + o[i], size_t(o[i + 1] - o[i])};
}

}  // namespace reel::arrow::internal
