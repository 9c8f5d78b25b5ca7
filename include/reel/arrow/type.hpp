// Arrow data types: the subset of the Arrow columnar format that reel uses.
//
// Types are immutable and shared (`TypePtr`); compare them with `==` on the pointee
// (`type_equals`). Nested types carry their child fields. The layouts follow the Arrow
// columnar specification exactly, so arrays can be written as Arrow IPC and exported through
// the C data interface without conversion.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace reel::arrow {

enum class TypeId : uint8_t {
  kNull,
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat16,
  kFloat32,
  kFloat64,
  kUtf8,             // i32 offsets + bytes
  kBinary,           // i32 offsets + bytes
  kFixedSizeBinary,  // byte_width bytes per value
  kList,             // i32 offsets + one child
  kFixedSizeList,    // list_size child values per value
  kStruct,           // one child per field, same length
};

class DataType;
using TypePtr = std::shared_ptr<const DataType>;

// Key/value metadata, ordered as given (Arrow IPC keeps order).
using Metadata = std::vector<std::pair<std::string, std::string>>;

struct Field {
  std::string name;
  TypePtr type;
  bool nullable = true;
  Metadata metadata;

  bool operator==(const Field& other) const;
};
using FieldPtr = std::shared_ptr<const Field>;

class DataType {
 public:
  TypeId id() const { return id_; }
  // Child fields: one for list and fixed-size list, one per member for struct.
  const std::vector<FieldPtr>& fields() const { return fields_; }
  const TypePtr& value_type() const { return fields_.at(0)->type; }  // list types only
  int32_t list_size() const { return param_; }                       // fixed-size list
  int32_t byte_width() const { return param_; }                      // fixed-size binary

  bool is_primitive() const { return id_ >= TypeId::kInt8 && id_ <= TypeId::kFloat64; }
  bool is_integer() const { return id_ >= TypeId::kInt8 && id_ <= TypeId::kUInt64; }
  bool is_floating() const { return id_ >= TypeId::kFloat16 && id_ <= TypeId::kFloat64; }
  bool is_binary_like() const { return id_ == TypeId::kUtf8 || id_ == TypeId::kBinary; }

  // Bytes per value of a primitive or fixed-size binary type; 0 for others (bool is bits).
  int primitive_width() const;
  // Bytes per value when every value is stored contiguously in one buffer without per-value
  // validity below the top level: primitives, fixed-size binary, and fixed-size lists of
  // those (recursively). 0 when the type is not flat (bool, strings, lists, structs).
  int64_t flat_width() const;

  bool equals(const DataType& other, bool check_metadata = false) const;
  // "list<item: float32>", "fixed_size_list<item: float32>[3]", "struct<x: uint32, ...>".
  std::string to_string() const;

  // Use the factory functions below; public for std::make_shared.
  DataType(TypeId id, std::vector<FieldPtr> fields, int32_t param)
      : id_(id), fields_(std::move(fields)), param_(param) {}

 private:
  TypeId id_;
  std::vector<FieldPtr> fields_;
  int32_t param_;
};

inline bool operator==(const DataType& a, const DataType& b) { return a.equals(b); }
inline bool type_equals(const TypePtr& a, const TypePtr& b) {
  return a == b || (a && b && a->equals(*b));
}

// Shared singletons for the parameterless types.
const TypePtr& null();
const TypePtr& boolean();
const TypePtr& int8();
const TypePtr& int16();
const TypePtr& int32();
const TypePtr& int64();
const TypePtr& uint8();
const TypePtr& uint16();
const TypePtr& uint32();
const TypePtr& uint64();
const TypePtr& float16();
const TypePtr& float32();
const TypePtr& float64();
const TypePtr& utf8();
const TypePtr& binary();

TypePtr fixed_size_binary(int32_t byte_width);
TypePtr list(TypePtr value_type, bool nullable_items = true);
TypePtr list(FieldPtr value_field);
TypePtr fixed_size_list(TypePtr value_type, int32_t list_size, bool nullable_items = false);
TypePtr fixed_size_list(FieldPtr value_field, int32_t list_size);
TypePtr struct_(std::vector<FieldPtr> fields);

FieldPtr field(std::string name, TypePtr type, bool nullable = true, Metadata metadata = {});

// The TypeId of a C++ primitive: TypeTraits<float>::kId == TypeId::kFloat32.
template <typename T>
struct TypeTraits;
#define REEL_ARROW_TYPE_TRAITS(CType, Id, factory)     \
  template <>                                          \
  struct TypeTraits<CType> {                           \
    static constexpr TypeId kId = TypeId::Id;          \
    static const TypePtr& type() { return factory(); } \
  };
REEL_ARROW_TYPE_TRAITS(int8_t, kInt8, int8)
REEL_ARROW_TYPE_TRAITS(int16_t, kInt16, int16)
REEL_ARROW_TYPE_TRAITS(int32_t, kInt32, int32)
REEL_ARROW_TYPE_TRAITS(int64_t, kInt64, int64)
REEL_ARROW_TYPE_TRAITS(uint8_t, kUInt8, uint8)
REEL_ARROW_TYPE_TRAITS(uint16_t, kUInt16, uint16)
REEL_ARROW_TYPE_TRAITS(uint32_t, kUInt32, uint32)
REEL_ARROW_TYPE_TRAITS(uint64_t, kUInt64, uint64)
REEL_ARROW_TYPE_TRAITS(float, kFloat32, float32)
REEL_ARROW_TYPE_TRAITS(double, kFloat64, float64)
#undef REEL_ARROW_TYPE_TRAITS

const char* type_id_name(TypeId id);

}  // namespace reel::arrow
