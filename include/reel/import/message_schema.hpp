// Message schemas: the typed field tree of one message type and the types it uses, parsed from
// the schema text that MCAP files and ROS bags carry.
//
// One tree serves every encoding the importer decodes: ROS 1 and ROS 2 message definitions
// (`ros1msg`, `ros2msg`, `ros2idl`), protobuf descriptors and JSON Schema all become a
// `MessageSchema`, and one conversion turns decoded messages of any of them into an Arrow
// struct column (message_decoder.hpp).
//
// Conventions of the tree:
// - Type names are "pkg/Name" for ROS 1, "pkg/msg/Name" for ROS 2 (whether the text says
//   `pkg/Name`, `pkg/msg/Name` or `pkg::msg::Name`), "package.Name" for protobuf.
// - Times are scalars: ROS 1 `time`/`duration`, ROS 2 `builtin_interfaces/msg/Time` and
//   `Duration`, protobuf `google.protobuf.Timestamp`/`Duration` and Foxglove's JSON `time`
//   objects are `kTime`/`kDuration` fields, not nested messages (a schema whose root *is* such
//   a type keeps it as a message). Each decoder knows its encoding's layout of them.
// - A schema is a tree: recursion (a type that contains itself) is refused by the ROS parsers
//   and cut off by the protobuf and JSON ones at a depth (the rest as serialized bytes/text).
//
// Parsers never throw and never crash on bad text: they return Invalid naming the type and
// line ("sensor_msgs/Image line 3: unknown type 'uint33'").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reel/status.hpp"

namespace reel::import {

enum class ScalarType : uint8_t {
  kBool,
  kInt8,
  kUInt8,
  kInt16,
  kUInt16,
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kFloat32,
  kFloat64,
  kString,    // UTF-8 text
  kWString,   // ROS 2 wstring (its CDR layout is implementation-defined: decoders refuse it)
  kBytes,     // opaque bytes (protobuf bytes, base64 JSON strings)
  kTime,      // a point in time, decoded to int64 nanoseconds
  kDuration,  // a signed span of time, decoded to int64 nanoseconds
  kMessage,   // a nested message: FieldType::message
};

const char* scalar_type_name(ScalarType type);

enum class ArrayKind : uint8_t {
  kNone,       // a single value
  kFixed,      // T[N]: exactly N values
  kBounded,    // T[<=N]: at most N values
  kUnbounded,  // T[]
};

struct FieldType {
  ScalarType scalar = ScalarType::kInt32;
  int32_t message = -1;  // index into MessageSchema::types when scalar == kMessage
  ArrayKind array = ArrayKind::kNone;
  uint32_t array_size = 0;    // kFixed: N; kBounded: the bound
  uint32_t string_bound = 0;  // string<=N; 0 = unbounded

  bool is_array() const { return array != ArrayKind::kNone; }
};

struct FieldDef {
  std::string name;
  FieldType type;
  std::string default_value;  // ROS 2 default as written in the text ("" = none)
  bool optional = false;      // may be absent in a message (protobuf presence, JSON)
};

struct ConstantDef {
  std::string name;
  ScalarType type = ScalarType::kInt32;
  std::string value;  // as written (strings unquoted)
};

struct MessageType {
  std::string name;
  std::vector<FieldDef> fields;
  std::vector<ConstantDef> constants;
};

// `types[root]` is the message; the others are the types it uses, each once.
struct MessageSchema {
  std::vector<MessageType> types;
  int32_t root = 0;

  const MessageType& root_type() const { return types[size_t(root)]; }
  const MessageType* find(std::string_view name) const;
  // "struct sensor_msgs/msg/Image { header: std_msgs/msg/Header, height: uint32, ... }"
  std::string to_string() const;
};

// ROS 1 `.msg` text as `ros1msg` schemas and bag connection records carry it: the root
// definition first, then each dependency after a line of '=' and a "MSG: pkg/Type" line.
// `Header` means std_msgs/Header; unqualified names resolve against the package of the type
// that uses them; std_msgs/Header is known even when the text omits it.
Result<MessageSchema> parse_ros1msg(std::string_view type_name, std::string_view text);
// ROS 2 `.msg` text (`ros2msg`): as ROS 1, plus default values, bounded arrays `T[<=N]` and
// bounded strings `string<=N`; builtin_interfaces Time and Duration are known when omitted.
Result<MessageSchema> parse_ros2msg(std::string_view type_name, std::string_view text);
// ROS 2 IDL (`ros2idl`): "IDL: pkg/msg/Type" sections of the OMG IDL subset rosidl emits
// (modules, structs, sequence<T[, N]>, arrays, string<N>, typedefs, constants modules,
// annotations such as @default).
Result<MessageSchema> parse_ros2idl(std::string_view type_name, std::string_view text);

// ROS type names in the form the tree uses: ros1_type_name("pkg/msg/Name") == "pkg/Name";
// ros2_type_name("pkg/Name") and ros2_type_name("pkg::msg::Name") == "pkg/msg/Name".
std::string ros1_type_name(std::string_view name);
std::string ros2_type_name(std::string_view name);

}  // namespace reel::import
