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
  kTimestamp,        // i64 since the Unix epoch in a unit, with an optional time zone
  kDuration,         // i64 in a unit
  kDenseUnion,       // i8 type ids + i32 offsets into one child per member; no validity
};

// The unit of a timestamp or duration; the values are Arrow's (Schema.fbs TimeUnit).
enum class TimeUnit : uint8_t { kSecond = 0, kMilli = 1, kMicro = 2, kNano = 3 };
const char* time_unit_name(TimeUnit unit);  // "s", "ms", "us", "ns"

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
  TimeUnit time_unit() const { return TimeUnit(param_); }            // timestamp, duration
  const std::string& timezone() const { return timezone_; }          // timestamp ("" = none)
  // A dense union's type code of each member, in member order (Arrow's typeIds).
  const std::vector<int8_t>& type_codes() const { return type_codes_; }
  // The member index of type code `code`, or -1.
  int member_of_code(int8_t code) const;

  // Fixed-width numbers; timestamps and durations are 64-bit integers with a unit.
  bool is_primitive() const {
    return (id_ >= TypeId::kInt8 && id_ <= TypeId::kFloat64) || is_temporal();
  }
  bool is_temporal() const { return id_ == TypeId::kTimestamp || id_ == TypeId::kDuration; }
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
  // "list<item: float32>", "fixed_size_list<item: float32>[3]", "struct<x: uint32, ...>",
  // "timestamp[ns, UTC]", "duration[ns]", "dense_union<0 a: null, 1 b: int32>".
  std::string to_string() const;

  // Use the factory functions below; public for std::make_shared.
  DataType(TypeId id, std::vector<FieldPtr> fields, int32_t param)
      : id_(id), fields_(std::move(fields)), param_(param) {}
  DataType(TypeId id, std::vector<FieldPtr> fields, int32_t param, std::string timezone,
           std::vector<int8_t> type_codes)
      : id_(id),
        fields_(std::move(fields)),
        param_(param),
        timezone_(std::move(timezone)),
        type_codes_(std::move(type_codes)) {}

 private:
  TypeId id_;
  std::vector<FieldPtr> fields_;
  int32_t param_;
  std::string timezone_;
  std::vector<int8_t> type_codes_;
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
TypePtr timestamp(TimeUnit unit, std::string timezone = "");
TypePtr duration(TimeUnit unit);
// Members and their type codes (same count, codes distinct and in [0, 127]); codes default to
// 0, 1, 2, ... The result is null when the codes do not fit.
TypePtr dense_union(std::vector<FieldPtr> members, std::vector<int8_t> type_codes = {});

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
