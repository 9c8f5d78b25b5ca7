#include "reel/arrow/type.hpp"

namespace reel::arrow {

bool Field::operator==(const Field& other) const {
  return name == other.name && nullable == other.nullable && type_equals(type, other.type) &&
         metadata == other.metadata;
}

int DataType::primitive_width() const {
  switch (id_) {
    case TypeId::kInt8:
    case TypeId::kUInt8:
      return 1;
    case TypeId::kInt16:
    case TypeId::kUInt16:
    case TypeId::kFloat16:
      return 2;
    case TypeId::kInt32:
    case TypeId::kUInt32:
    case TypeId::kFloat32:
      return 4;
    case TypeId::kInt64:
    case TypeId::kUInt64:
    case TypeId::kFloat64:
      return 8;
    case TypeId::kFixedSizeBinary:
      return param_;
    default:
      return 0;
  }
}

int64_t DataType::flat_width() const {
  if (id_ == TypeId::kFixedSizeList) return int64_t(param_) * value_type()->flat_width();
  return primitive_width();
}

bool DataType::equals(const DataType& other, bool check_metadata) const {
  if (this == &other) return true;
  if (id_ != other.id_ || param_ != other.param_ || fields_.size() != other.fields_.size()) {
    return false;
  }
  for (size_t i = 0; i < fields_.size(); ++i) {
    const Field& a = *fields_[i];
    const Field& b = *other.fields_[i];
    // Child field names of list types are not part of the logical type (Arrow allows "item",
    // "element", ...); struct member names are.
    if (id_ == TypeId::kStruct && a.name != b.name) return false;
    if (a.nullable != b.nullable && id_ == TypeId::kStruct) return false;
    if (!a.type->equals(*b.type, check_metadata)) return false;
    if (check_metadata && a.metadata != b.metadata) return false;
  }
  return true;
}

const char* type_id_name(TypeId id) {
  switch (id) {
    case TypeId::kNull:
      return "null";
    case TypeId::kBool:
      return "bool";
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
    case TypeId::kUtf8:
      return "utf8";
    case TypeId::kBinary:
      return "binary";
    case TypeId::kFixedSizeBinary:
      return "fixed_size_binary";
    case TypeId::kList:
      return "list";
    case TypeId::kFixedSizeList:
      return "fixed_size_list";
    case TypeId::kStruct:
      return "struct";
  }
  return "unknown";
}

std::string DataType::to_string() const {
  std::string s = type_id_name(id_);
  if (id_ == TypeId::kFixedSizeBinary) return s + "[" + std::to_string(param_) + "]";
  if (fields_.empty()) return s;
  s += "<";
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i) s += ", ";
    s += fields_[i]->name + ": " + fields_[i]->type->to_string();
  }
  s += ">";
  if (id_ == TypeId::kFixedSizeList) s += "[" + std::to_string(param_) + "]";
  return s;
}

#define REEL_SINGLETON(fn, Id)                                                    \
  const TypePtr& fn() {                                                           \
    static const TypePtr t =                                                      \
        std::make_shared<const DataType>(TypeId::Id, std::vector<FieldPtr>{}, 0); \
    return t;                                                                     \
  }
REEL_SINGLETON(null, kNull)
REEL_SINGLETON(boolean, kBool)
REEL_SINGLETON(int8, kInt8)
REEL_SINGLETON(int16, kInt16)
REEL_SINGLETON(int32, kInt32)
REEL_SINGLETON(int64, kInt64)
REEL_SINGLETON(uint8, kUInt8)
REEL_SINGLETON(uint16, kUInt16)
REEL_SINGLETON(uint32, kUInt32)
REEL_SINGLETON(uint64, kUInt64)
REEL_SINGLETON(float16, kFloat16)
REEL_SINGLETON(float32, kFloat32)
REEL_SINGLETON(float64, kFloat64)
REEL_SINGLETON(utf8, kUtf8)
REEL_SINGLETON(binary, kBinary)
#undef REEL_SINGLETON

TypePtr fixed_size_binary(int32_t byte_width) {
  return std::make_shared<const DataType>(TypeId::kFixedSizeBinary, std::vector<FieldPtr>{},
                                          byte_width);
}

TypePtr list(TypePtr value_type, bool nullable_items) {
  return list(field("item", std::move(value_type), nullable_items));
}

TypePtr list(FieldPtr value_field) {
  return std::make_shared<const DataType>(TypeId::kList,
                                          std::vector<FieldPtr>{std::move(value_field)}, 0);
}

TypePtr fixed_size_list(TypePtr value_type, int32_t list_size, bool nullable_items) {
  return fixed_size_list(field("item", std::move(value_type), nullable_items), list_size);
}

TypePtr fixed_size_list(FieldPtr value_field, int32_t list_size) {
  return std::make_shared<const DataType>(TypeId::kFixedSizeList,
                                          std::vector<FieldPtr>{std::move(value_field)}, list_size);
}

TypePtr struct_(std::vector<FieldPtr> fields) {
  return std::make_shared<const DataType>(TypeId::kStruct, std::move(fields), 0);
}

FieldPtr field(std::string name, TypePtr type, bool nullable, Metadata metadata) {
  return std::make_shared<const Field>(
      Field{std::move(name), std::move(type), nullable, std::move(metadata)});
}

}  // namespace reel::arrow
