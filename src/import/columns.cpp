#include <cstdlib>

#include "import/columns_internal.hpp"
#include "reel/types/registry.hpp"

namespace reel::import::internal {

using arrow::TypeId;

arrow::ArrayPtr child(const arrow::ArrayPtr& array, std::string_view dotted) {
  arrow::ArrayPtr at = array;
  while (at && !dotted.empty()) {
    if (at->type->id() != TypeId::kStruct) return nullptr;
    const size_t dot = dotted.find('.');
    const std::string_view name = dotted.substr(0, dot);
    at = arrow::StructArray(at).field(name);
    dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
  }
  return at;
}

bool is_numeric(const arrow::ArrayPtr& array) {
  if (!array) return false;
  switch (array->type->id()) {
    case TypeId::kBool:
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      return true;
    default:
      return false;
  }
}

namespace {
template <typename T>
void convert(const arrow::ArrayData& a, std::vector<double>& out) {
  const T* v = a.values<T>();
  for (int64_t i = 0; i < a.length; ++i) out[size_t(i)] = a.is_valid(i) ? double(v[i]) : 0.0;
}
}  // namespace

bool numbers(const arrow::ArrayPtr& array, std::vector<double>& out) {
  if (!is_numeric(array)) return false;
  const arrow::ArrayData& a = *array;
  out.assign(size_t(a.length), 0.0);
  switch (a.type->id()) {
    case TypeId::kBool:
      for (int64_t i = 0; i < a.length; ++i) out[size_t(i)] = number_at(a, i);
      break;
    case TypeId::kInt8:
      convert<int8_t>(a, out);
      break;
    case TypeId::kInt16:
      convert<int16_t>(a, out);
      break;
    case TypeId::kInt32:
      convert<int32_t>(a, out);
      break;
    case TypeId::kInt64:
      convert<int64_t>(a, out);
      break;
    case TypeId::kUInt8:
      convert<uint8_t>(a, out);
      break;
    case TypeId::kUInt16:
      convert<uint16_t>(a, out);
      break;
    case TypeId::kUInt32:
      convert<uint32_t>(a, out);
      break;
    case TypeId::kUInt64:
      convert<uint64_t>(a, out);
      break;
    case TypeId::kFloat32:
      convert<float>(a, out);
      break;
    case TypeId::kFloat64:
      convert<double>(a, out);
      break;
    default:
      return false;
  }
  return true;
}

double number_at(const arrow::ArrayData& a, int64_t i) {
  if (i < 0 || i >= a.length || a.is_null(i)) return 0.0;
  switch (a.type->id()) {
    case TypeId::kBool:
      return arrow::bit_util::get_bit(a.buffers[1]->data(), a.offset + i) ? 1.0 : 0.0;
    case TypeId::kInt8:
      return a.values<int8_t>()[i];
    case TypeId::kInt16:
      return a.values<int16_t>()[i];
    case TypeId::kInt32:
      return a.values<int32_t>()[i];
    case TypeId::kInt64:
      return double(a.values<int64_t>()[i]);
    case TypeId::kUInt8:
      return a.values<uint8_t>()[i];
    case TypeId::kUInt16:
      return a.values<uint16_t>()[i];
    case TypeId::kUInt32:
      return a.values<uint32_t>()[i];
    case TypeId::kUInt64:
      return double(a.values<uint64_t>()[i]);
    case TypeId::kFloat32:
      return a.values<float>()[i];
    case TypeId::kFloat64:
      return a.values<double>()[i];
    default:
      return 0.0;
  }
}

std::string_view text_at(const arrow::ArrayData& a, int64_t i) {
  const TypeId id = a.type->id();
  if ((id != TypeId::kUtf8 && id != TypeId::kBinary) || i < 0 || i >= a.length || a.is_null(i)) {
    return {};
  }
  const int32_t* o = a.values<int32_t>(1);
  return {reinterpret_cast<const char*>(a.buffers[2]->data()) + o[i], size_t(o[i + 1] - o[i])};
}

int64_t ListRows::begin(int64_t i) const {
  if (list->type->id() == TypeId::kList) return list->values<int32_t>(1)[i];
  return (list->offset + i) * list->type->list_size();
}

int64_t ListRows::end(int64_t i) const {
  if (list->is_null(i)) return begin(i);
  if (list->type->id() == TypeId::kList) return list->values<int32_t>(1)[i + 1];
  return (list->offset + i + 1) * list->type->list_size();
}

ListRows list_rows(const arrow::ArrayPtr& array) {
  if (!array) return {};
  const TypeId id = array->type->id();
  if (id != TypeId::kList && id != TypeId::kFixedSizeList) return {};
  return {array, array->children[0].get()};
}

arrow::BufferPtr buffer_of(const void* data, size_t bytes) {
  arrow::MutableBuffer b(bytes);
  b.append(data, bytes);
  return b.finish(false);
}

arrow::ArrayPtr string_array(const std::vector<std::string>& values) {
  std::vector<int32_t> offsets(values.size() + 1, 0);
  size_t total = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    total += values[i].size();
    offsets[i + 1] = int32_t(total);
  }
  arrow::MutableBuffer data(total);
  for (const auto& s : values) data.append(s.data(), s.size());
  return arrow::ArrayData::make(arrow::utf8(), int64_t(values.size()), 0,
                                {nullptr, buffer_of(offsets), data.finish(false)});
}

arrow::BufferPtr validity_of(const std::vector<bool>& valid, int64_t* null_count) {
  int64_t nulls = 0;
  for (bool v : valid) nulls += v ? 0 : 1;
  *null_count = nulls;
  if (nulls == 0) return nullptr;
  arrow::MutableBuffer bits;
  bits.resize(size_t(arrow::bit_util::bytes_for_bits(int64_t(valid.size()))));
  for (size_t i = 0; i < valid.size(); ++i) {
    if (valid[i]) arrow::bit_util::set_bit(bits.data(), int64_t(i));
  }
  return bits.finish(false);
}

const arrow::TypePtr& component_type(std::string_view component) {
  const ComponentInfo* info = find_component(component);
  if (!info) std::abort();  // a name in this module's code that the definition lacks
  return info->type();
}

ComponentColumn unit_column(const ComponentDescriptor& descriptor, arrow::ArrayPtr values,
                            const std::vector<bool>* valid) {
  int64_t nulls = 0;
  arrow::BufferPtr bits = valid ? validity_of(*valid, &nulls) : nullptr;
  return {descriptor, ListColumn::unit(std::move(values), std::move(bits), nulls)};
}

ComponentColumn list_column(const ComponentDescriptor& descriptor, arrow::ArrayPtr values,
                            const std::vector<int32_t>& offsets) {
  const int64_t rows = int64_t(offsets.size()) - 1;
  auto list = ListColumn::with_offsets(std::move(values), buffer_of(offsets), rows);
  if (!list.ok()) std::abort();  // offsets built by the caller are always in bounds
  return {descriptor, std::move(*list)};
}

ComponentDescriptor any_value(std::string_view name) { return ComponentDescriptor("", name, ""); }

}  // namespace reel::import::internal
