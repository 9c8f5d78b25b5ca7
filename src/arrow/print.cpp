// array_to_string(): the debug form of an array, "[1, 2, null]".
#include <cstdio>
#include <string>

#include "arrow/array_internal.hpp"
#include "reel/arrow/array.hpp"

namespace reel::arrow {

namespace {

std::string format_float(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

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
      case TypeId::kInt8:
        s += std::to_string(a.values<int8_t>()[i]);
        break;
      case TypeId::kInt16:
        s += std::to_string(a.values<int16_t>()[i]);
        break;
      case TypeId::kInt32:
        s += std::to_string(a.values<int32_t>()[i]);
        break;
      case TypeId::kInt64:
        s += std::to_string(a.values<int64_t>()[i]);
        break;
      case TypeId::kUInt8:
        s += std::to_string(a.values<uint8_t>()[i]);
        break;
      case TypeId::kUInt16:
        s += std::to_string(a.values<uint16_t>()[i]);
        break;
      case TypeId::kUInt32:
        s += std::to_string(a.values<uint32_t>()[i]);
        break;
      case TypeId::kUInt64:
        s += std::to_string(a.values<uint64_t>()[i]);
        break;
      case TypeId::kFloat32:
        s += format_float(double(a.values<float>()[i]));
        break;
      case TypeId::kFloat64:
        s += format_float(a.values<double>()[i]);
        break;
      case TypeId::kUtf8:
        s += "\"" + std::string(internal::binary_value(a, i)) + "\"";
        break;
      case TypeId::kBinary:
        s += "<" + std::to_string(internal::binary_value(a, i).size()) + " bytes>";
        break;
      case TypeId::kList: {
        const int32_t* o = a.values<int32_t>(1);
        s += array_to_string(*a.children[0]->slice(o[i], o[i + 1] - o[i]), max_values);
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
      case TypeId::kNull:  // without a bitmap, is_null() does not see its nulls
      case TypeId::kFloat16:
      case TypeId::kFixedSizeBinary:
        s += "?";
        break;
    }
  }
  return s + "]";
}

}  // namespace reel::arrow
