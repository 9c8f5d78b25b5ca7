#include "arrow_numpy.hpp"

#include <cmath>
#include <cstring>
#include <limits>

namespace reel::py_bindings {

using arrow::ArrayData;
using arrow::ArrayPtr;
using arrow::TypeId;

namespace {

const char* numpy_name(TypeId id) {
  switch (id) {
    case TypeId::kInt8:
      return "int8";
    case TypeId::kInt16:
      return "int16";
    case TypeId::kInt32:
      return "int32";
    case TypeId::kInt64:
      return "int64";
    case TypeId::kUInt8:
      return "uint8";
    case TypeId::kUInt16:
      return "uint16";
    case TypeId::kUInt32:
      return "uint32";
    case TypeId::kUInt64:
      return "uint64";
    case TypeId::kFloat16:
      return "float16";
    case TypeId::kFloat32:
      return "float32";
    case TypeId::kFloat64:
      return "float64";
    default:
      return nullptr;
  }
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h >> 15) << 31;
  const uint32_t exp = (h >> 10) & 0x1F;
  const uint32_t mant = h & 0x3FF;
  if (exp == 0) {
    float v = std::ldexp(float(mant), -24);
    return sign ? -v : v;
  }
  uint32_t bits =
      exp == 31 ? sign | 0x7F800000u | (mant << 13) : sign | ((exp + 112) << 23) | (mant << 13);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Where the numbers of elements [first, ...) of a flat array live: the leaf primitive array,
// the leaf element index of `first`, and the inner dimensions (fixed-size list sizes).
struct FlatLayout {
  const ArrayData* leaf = nullptr;
  int64_t leaf_index = 0;
  std::vector<ssize_t> inner;
  int64_t per_element = 1;  // leaf values per element
};

// A layout only when no level has nulls (the view would show placeholder values).
std::optional<FlatLayout> flat_layout(const ArrayData& a, int64_t first) {
  FlatLayout out;
  const ArrayData* node = &a;
  int64_t idx = first;
  while (node->type->id() == TypeId::kFixedSizeList) {
    if (node->null_count != 0) return std::nullopt;
    const int32_t k = node->type->list_size();
    out.inner.push_back(k);
    out.per_element *= k;
    idx = (node->offset + idx) * k;
    node = node->children[0].get();
  }
  if (!numpy_name(node->type->id()) || node->null_count != 0) return std::nullopt;
  out.leaf = node;
  out.leaf_index = node->offset + idx;
  return out;
}

// A read-only numpy view of `count` elements at `layout`, keeping `owner` alive.
py::array view(const FlatLayout& layout, int64_t count, const ArrayPtr& owner) {
  std::vector<ssize_t> shape = {ssize_t(count)};
  shape.insert(shape.end(), layout.inner.begin(), layout.inner.end());
  const int width = layout.leaf->type->primitive_width();
  const uint8_t* data = layout.leaf->buffers[1]
                            ? layout.leaf->buffers[1]->data() + layout.leaf_index * width
                            : nullptr;
  auto* keep = new ArrayPtr(owner);
  py::capsule base(keep, [](void* p) { delete static_cast<ArrayPtr*>(p); });
  py::array out(py::dtype(numpy_name(layout.leaf->type->id())), shape, data, base);
  py::detail::array_proxy(out.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return out;
}

// A fresh array of `count` elements of a flat type, filled by copying.
py::array copy_flat(const FlatLayout& layout, int64_t count) {
  std::vector<ssize_t> shape = {ssize_t(count)};
  shape.insert(shape.end(), layout.inner.begin(), layout.inner.end());
  py::array out(py::dtype(numpy_name(layout.leaf->type->id())), shape);
  const int width = layout.leaf->type->primitive_width();
  const size_t bytes = size_t(count * layout.per_element * width);
  if (bytes)
    std::memcpy(out.mutable_data(), layout.leaf->buffers[1]->data() + layout.leaf_index * width,
                bytes);
  return out;
}

py::array object_array(const std::vector<py::object>& items) {
  py::array out(py::dtype("O"), std::vector<ssize_t>{ssize_t(items.size())});
  auto** slots = static_cast<PyObject**>(out.mutable_data());
  for (size_t i = 0; i < items.size(); ++i) {
    Py_XDECREF(slots[i]);  // numpy filled the object array with None
    slots[i] = py::object(items[i]).release().ptr();
  }
  return out;
}

py::object python_values(const ArrayData& a, int64_t first, int64_t count) {
  py::list out(count);
  for (int64_t i = 0; i < count; ++i) out[size_t(i)] = element_to_python(a, first + i);
  return out;
}

// Instances [first, first + count) of a list's child: numpy (a copy) when flat, else a list.
py::object cell(const ArrayData& child, int64_t first, int64_t count) {
  if (child.null_count == 0) {
    if (auto layout = flat_layout(child, first)) return copy_flat(*layout, count);
    if (child.type->id() == TypeId::kBool) {
      py::array_t<bool> out(count);
      for (int64_t i = 0; i < count; ++i) {
        out.mutable_data()[i] =
            arrow::bit_util::get_bit(child.buffers[1]->data(), child.offset + first + i);
      }
      return out;
    }
  }
  return python_values(child, first, count);
}

// How a list column becomes numpy, decided over all its chunks.
enum class ListMode {
  kDense,      // one instance in every row, flat type: values (views when one chunk)
  kDenseNaN,   // at most one instance per row, floating flat type: NaN where none
  kUnitBool,   // one bool per row
  kAtMostOne,  // at most one instance per row: object array of the value or None
  kCells,      // object array of per-row instances (or None)
};

ListMode classify(const std::vector<ArrayPtr>& chunks) {
  bool unit = true, at_most_one = true, flat = true, floating = true, boolean = true;
  for (const auto& c : chunks) {
    const ArrayData& l = *c;
    const int32_t* o = l.values<int32_t>(1);
    for (int64_t r = 0; r < l.length; ++r) {
      const int32_t len = o[r + 1] - o[r];
      const bool valid = l.is_valid(r);
      if (!valid || len != 1) unit = false;
      if (valid && len > 1) at_most_one = false;
    }
    const ArrayData& child = *l.children[0];
    auto layout = flat_layout(child, 0);
    if (!layout) flat = false;
    if (!layout || !layout->leaf->type->is_floating()) floating = false;
    if (child.type->id() != TypeId::kBool || child.null_count != 0) boolean = false;
  }
  if (unit && flat) return ListMode::kDense;
  if (at_most_one && flat && floating) return ListMode::kDenseNaN;
  if (unit && boolean) return ListMode::kUnitBool;
  if (at_most_one) return ListMode::kAtMostOne;
  return ListMode::kCells;
}

py::array list_chunk(const ArrayPtr& chunk, ListMode mode) {
  const ArrayData& l = *chunk;
  const ArrayData& child = *l.children[0];
  const int32_t* o = l.values<int32_t>(1);
  const int64_t n = l.length;
  switch (mode) {
    case ListMode::kDense:
      // Rows of one instance each: the instances are contiguous from o[0].
      return view(*flat_layout(child, n ? o[0] : 0), n, chunk);
    case ListMode::kDenseNaN: {
      FlatLayout base = *flat_layout(child, 0);
      std::vector<ssize_t> shape = {ssize_t(n)};
      shape.insert(shape.end(), base.inner.begin(), base.inner.end());
      py::array out(py::dtype(numpy_name(base.leaf->type->id())), shape);
      const int width = base.leaf->type->primitive_width();
      const size_t row_bytes = size_t(base.per_element * width);
      auto* dst = static_cast<uint8_t*>(out.mutable_data());
      for (int64_t r = 0; r < n; ++r) {
        uint8_t* row = dst + size_t(r) * row_bytes;
        if (l.is_valid(r) && o[r + 1] - o[r] == 1) {
          FlatLayout at = *flat_layout(child, o[r]);
          std::memcpy(row, at.leaf->buffers[1]->data() + at.leaf_index * width, row_bytes);
          continue;
        }
        for (int64_t k = 0; k < base.per_element; ++k) {
          if (width == 8) {
            const double nan = std::numeric_limits<double>::quiet_NaN();
            std::memcpy(row + k * 8, &nan, 8);
          } else if (width == 4) {
            const float nan = std::numeric_limits<float>::quiet_NaN();
            std::memcpy(row + k * 4, &nan, 4);
          } else {
            const uint16_t nan = 0x7E00;
            std::memcpy(row + k * 2, &nan, 2);
          }
        }
      }
      return out;
    }
    case ListMode::kUnitBool: {
      py::array_t<bool> out(n);
      for (int64_t r = 0; r < n; ++r) {
        out.mutable_data()[r] =
            arrow::bit_util::get_bit(child.buffers[1]->data(), child.offset + o[r]);
      }
      return out;
    }
    case ListMode::kAtMostOne: {
      std::vector<py::object> items;
      items.reserve(size_t(n));
      for (int64_t r = 0; r < n; ++r) {
        const bool one = l.is_valid(r) && o[r + 1] - o[r] == 1;
        items.push_back(one ? element_to_python(child, o[r]) : py::none());
      }
      return object_array(items);
    }
    case ListMode::kCells:
      break;
  }
  std::vector<py::object> items;
  items.reserve(size_t(n));
  for (int64_t r = 0; r < n; ++r) {
    items.push_back(l.is_valid(r) ? cell(child, o[r], o[r + 1] - o[r]) : py::none());
  }
  return object_array(items);
}

// A non-list column chunk (an index, or a column of an imported table).
py::array plain_chunk(const ArrayPtr& chunk, bool force_copy) {
  const ArrayData& a = *chunk;
  if (a.null_count == 0) {
    if (auto layout = flat_layout(a, 0))
      return force_copy ? copy_flat(*layout, a.length) : view(*layout, a.length, chunk);
    if (a.type->id() == TypeId::kBool) {
      py::array_t<bool> out(a.length);
      for (int64_t i = 0; i < a.length; ++i) {
        out.mutable_data()[i] = arrow::bit_util::get_bit(a.buffers[1]->data(), a.offset + i);
      }
      return out;
    }
  } else if (a.type->is_floating()) {
    py::array out(py::dtype(numpy_name(a.type->id())), std::vector<ssize_t>{ssize_t(a.length)});
    auto* dst = static_cast<uint8_t*>(out.mutable_data());
    const int width = a.type->primitive_width();
    for (int64_t i = 0; i < a.length; ++i) {
      if (a.is_valid(i)) {
        std::memcpy(dst + i * width, a.buffers[1]->data() + (a.offset + i) * width, size_t(width));
      } else if (width == 8) {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        std::memcpy(dst + i * 8, &nan, 8);
      } else if (width == 4) {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::memcpy(dst + i * 4, &nan, 4);
      } else {
        const uint16_t nan = 0x7E00;
        std::memcpy(dst + i * 2, &nan, 2);
      }
    }
    return out;
  }
  std::vector<py::object> items;
  for (int64_t i = 0; i < a.length; ++i) items.push_back(element_to_python(a, i));
  return object_array(items);
}

}  // namespace

py::object element_to_python(const ArrayData& a, int64_t i) {
  if (a.type->id() == TypeId::kNull || a.is_null(i)) return py::none();
  const int64_t j = a.offset + i;
  switch (a.type->id()) {
    case TypeId::kBool:
      return py::bool_(arrow::bit_util::get_bit(a.buffers[1]->data(), j));
    case TypeId::kInt8:
      return py::int_(a.buffers[1]->data_as<int8_t>()[j]);
    case TypeId::kInt16:
      return py::int_(a.buffers[1]->data_as<int16_t>()[j]);
    case TypeId::kInt32:
      return py::int_(a.buffers[1]->data_as<int32_t>()[j]);
    case TypeId::kInt64:
    case TypeId::kTimestamp:  // the integer in the type's unit, as the column's numpy form
    case TypeId::kDuration:
      return py::int_(a.buffers[1]->data_as<int64_t>()[j]);
    case TypeId::kDenseUnion: {  // the value of the member the row holds
      const int8_t code = a.buffers[1]->data_as<int8_t>()[j];
      const int32_t at = a.buffers[2]->data_as<int32_t>()[j];
      const auto& codes = a.type->type_codes();
      for (size_t m = 0; m < codes.size() && m < a.children.size(); ++m) {
        if (codes[m] == code) return element_to_python(*a.children[m], at);
      }
      return py::none();
    }
    case TypeId::kUInt8:
      return py::int_(a.buffers[1]->data_as<uint8_t>()[j]);
    case TypeId::kUInt16:
      return py::int_(a.buffers[1]->data_as<uint16_t>()[j]);
    case TypeId::kUInt32:
      return py::int_(a.buffers[1]->data_as<uint32_t>()[j]);
    case TypeId::kUInt64:
      return py::int_(a.buffers[1]->data_as<uint64_t>()[j]);
    case TypeId::kFloat16:
      return py::float_(half_to_float(a.buffers[1]->data_as<uint16_t>()[j]));
    case TypeId::kFloat32:
      return py::float_(a.buffers[1]->data_as<float>()[j]);
    case TypeId::kFloat64:
      return py::float_(a.buffers[1]->data_as<double>()[j]);
    case TypeId::kUtf8:
    case TypeId::kBinary: {
      const int32_t* o = a.buffers[1]->data_as<int32_t>() + j;
      const char* d = reinterpret_cast<const char*>(a.buffers[2]->data()) + o[0];
      const size_t n = size_t(o[1] - o[0]);
      if (a.type->id() == TypeId::kBinary) return py::bytes(d, n);
      PyObject* s = PyUnicode_DecodeUTF8(d, Py_ssize_t(n), "replace");
      if (!s) throw py::error_already_set();
      return py::reinterpret_steal<py::object>(s);
    }
    case TypeId::kFixedSizeBinary: {
      const int32_t w = a.type->byte_width();
      return py::bytes(reinterpret_cast<const char*>(a.buffers[1]->data()) + j * w, size_t(w));
    }
    case TypeId::kList: {
      const int32_t* o = a.buffers[1]->data_as<int32_t>() + j;
      return python_values(*a.children[0], o[0], o[1] - o[0]);
    }
    case TypeId::kFixedSizeList: {
      const int32_t k = a.type->list_size();
      return python_values(*a.children[0], j * k, k);
    }
    case TypeId::kStruct: {
      py::dict d;
      const auto& fields = a.type->fields();
      for (size_t f = 0; f < fields.size(); ++f)
        d[py::str(fields[f]->name)] = element_to_python(*a.children[f], j);
      return d;
    }
    case TypeId::kNull:
      break;
  }
  return py::none();
}

py::object instances_to_python(const ArrayPtr& instances) {
  if (!instances) return py::none();
  return cell(*instances, 0, instances->length);
}

py::array column_to_numpy(const std::vector<ArrayPtr>& chunks, const arrow::TypePtr& type,
                          std::optional<TimeType> time_type) {
  std::vector<py::array> parts;
  // Time columns (typed timestamp / duration in ns, or an int64 index of a temporal timeline):
  // the int64 nanoseconds viewed as numpy times.
  const bool ns = (type->id() == TypeId::kTimestamp || type->id() == TypeId::kDuration) &&
                  type->time_unit() == arrow::TimeUnit::kNano;
  if (type->id() == TypeId::kList) {
    const ListMode mode = classify(chunks);
    for (const auto& c : chunks) parts.push_back(list_chunk(c, mode));
    if (parts.empty()) {
      // No rows: an empty array of the element type when it is flat.
      auto empty = arrow::make_null_array(type, 0);
      parts.push_back(list_chunk(empty, classify({empty})));
    }
  } else if (ns) {
    // The int64 nanoseconds, viewed as numpy times below (nulls become NaT).
    for (const auto& c : chunks) {
      auto as_int = std::make_shared<ArrayData>(*c);
      as_int->type = arrow::int64();
      if (c->null_count == 0) {
        parts.push_back(plain_chunk(as_int, false));
        continue;
      }
      py::array_t<int64_t> values(c->length);
      for (int64_t i = 0; i < c->length; ++i) {
        values.mutable_data()[i] =
            c->is_valid(i) ? c->values<int64_t>()[i] : std::numeric_limits<int64_t>::min();
      }
      parts.push_back(values);
    }
    if (parts.empty())
      parts.push_back(plain_chunk(arrow::make_null_array(arrow::int64(), 0), false));
  } else {
    for (const auto& c : chunks) parts.push_back(plain_chunk(c, false));
    if (parts.empty()) parts.push_back(plain_chunk(arrow::make_null_array(type, 0), false));
  }
  py::array out = parts.size() == 1
                      ? parts[0]
                      : py::module_::import("numpy").attr("concatenate")(py::cast(parts));
  if (type->id() == TypeId::kTimestamp && ns) out = out.attr("view")("datetime64[ns]");
  if (type->id() == TypeId::kDuration && ns) out = out.attr("view")("timedelta64[ns]");
  if (time_type && type->id() == TypeId::kInt64) {
    if (*time_type == TimeType::kTimestamp) out = out.attr("view")("datetime64[ns]");
    if (*time_type == TimeType::kDuration) out = out.attr("view")("timedelta64[ns]");
  }
  return out;
}

py::list column_to_pylist(const std::vector<ArrayPtr>& chunks) {
  py::list out;
  for (const auto& c : chunks) {
    for (int64_t i = 0; i < c->length; ++i) out.append(element_to_python(*c, i));
  }
  return out;
}

}  // namespace reel::py_bindings
