// The Arrow columns that decoded messages of one schema are appended to.
//
// One node per column of the struct type that arrow_type() gives the schema: a struct node per
// message (root and nested), a container node per array field (list, fixed-size list, binary
// for uint8 arrays, fixed-size binary for uint8[N]) with its element node, and a leaf per
// scalar. Nodes are plain buffers appended to inline, so decoders write values without a
// virtual call or an allocation per field. `checkpoint()` / `rollback()` undo a partly decoded
// message, so a message that fails leaves no trace.
//
// `slots` mirrors the schema for the decoders: each message field knows its node(s) and, for
// nested messages, the slot of the nested struct.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "reel/arrow/array.hpp"
#include "reel/import/message_schema.hpp"

namespace reel::import::internal {

enum class NodeKind : uint8_t { kBool, kFixed, kBinary, kFixedBinary, kList, kFixedList, kStruct };

struct Node {
  NodeKind kind = NodeKind::kFixed;
  uint8_t width = 0;  // kFixed: bytes per value
  int32_t fixed = 0;  // kFixedBinary: bytes per value; kFixedList: values per entry
  int64_t length = 0;
  bool has_nulls = false;
  arrow::MutableBuffer validity;  // materialized at the first null
  arrow::MutableBuffer values;    // kFixed / kFixedBinary values, kBool bits, kBinary bytes
  arrow::MutableBuffer offsets;   // kBinary, kList: int32, length + 1 entries
  std::vector<int32_t> children;
  arrow::TypePtr type;
};

struct StructSlot;

struct FieldSlot {
  const FieldDef* def = nullptr;
  int32_t node = -1;  // the field's column: the leaf, the container of an array, or the struct
  int32_t elem = -1;  // the element column of a list / fixed-size list
  int32_t sub = -1;   // slot of the nested message (for message fields and arrays of them)
};

struct StructSlot {
  const MessageType* type = nullptr;
  int32_t node = -1;
  std::vector<FieldSlot> fields;
};

// True when an array of this element type becomes one binary value (uint8[] / uint8[N]).
inline bool is_byte_array(const FieldType& t) {
  return t.is_array() && t.scalar == ScalarType::kUInt8;
}

class ColumnTree {
 public:
  // A schema whose types expand to more columns than this (a type used twice is two sets of
  // columns) is refused rather than built.
  static constexpr size_t kMaxColumns = 20000;

  // Fails (NotImplemented) for a schema the columns cannot hold.
  static Result<ColumnTree> make(const MessageSchema& schema);

  const arrow::TypePtr& type() const { return nodes_[0].type; }
  int64_t rows() const { return nodes_[0].length; }
  const std::vector<StructSlot>& slots() const { return slots_; }
  Node& node(int32_t i) { return nodes_[size_t(i)]; }

  void checkpoint();
  void rollback();
  // The rows so far as one struct array; the tree starts over empty.
  arrow::ArrayPtr finish();

  // ---- appends ----------------------------------------------------------------------
  static void valid(Node& n) {
    if (n.has_nulls) set_validity(n, true);
    ++n.length;
  }
  template <typename T>
  static void append_value(Node& n, T v) {
    n.values.append_value(v);
    valid(n);
  }
  static void append_fixed(Node& n, const void* p) {  // n.width bytes
    n.values.append(p, n.width);
    valid(n);
  }
  static void append_bool(Node& n, bool v) {
    n.values.resize(size_t(arrow::bit_util::bytes_for_bits(n.length + 1)));
    arrow::bit_util::set_bit_to(n.values.data(), n.length, v);
    valid(n);
  }
  // kBinary (utf8 or binary); false when the batch would exceed 2 GiB of bytes.
  static bool append_bytes(Node& n, const void* p, size_t size) {
    if (n.values.size() + size > size_t(INT32_MAX)) return false;
    n.values.append(p, size);
    n.offsets.append_value(int32_t(n.values.size()));
    valid(n);
    return true;
  }
  // kFixedBinary: n.fixed bytes.
  static void append_fixed_bytes(Node& n, const void* p) {
    n.values.append(p, size_t(n.fixed));
    valid(n);
  }
  // kList: closes an entry whose values were appended to the child since the last one.
  bool close_list(Node& n) {
    const int64_t child_len = nodes_[size_t(n.children[0])].length;
    if (child_len > INT32_MAX) return false;
    n.offsets.append_value(int32_t(child_len));
    valid(n);
    return true;
  }
  // kFixedList / kStruct: closes an entry whose children were appended.
  static void close_entry(Node& n) { valid(n); }
  // A null entry; children get placeholder values so that their lengths stay in step.
  void append_null(Node& n);
  // A valid zero / empty value (for absent protobuf and JSON fields that have no presence).
  void append_default(Node& n);

 private:
  static void set_validity(Node& n, bool v);
  int32_t add_node(NodeKind kind, arrow::TypePtr type, uint8_t width = 0, int32_t fixed = 0);
  Result<int32_t> build_struct(const MessageSchema& schema, int32_t type_index, int depth);
  Result<arrow::FieldPtr> build_field(const MessageSchema& schema, const FieldDef& def,
                                      FieldSlot& slot, int depth);
  Result<int32_t> build_leaf(const MessageSchema& schema, const FieldType& t, int32_t& sub,
                             arrow::TypePtr& type, int depth);
  arrow::ArrayPtr finish_node(int32_t i);
  void truncate(Node& n, int64_t length);

  std::vector<Node> nodes_;
  std::vector<StructSlot> slots_;
  std::vector<int64_t> saved_;
};

// Replaces invalid UTF-8 sequences by U+FFFD; true when `s` was valid already.
bool is_valid_utf8(const uint8_t* s, size_t n);
std::string sanitize_utf8(const uint8_t* s, size_t n);

}  // namespace reel::import::internal
