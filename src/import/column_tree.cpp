#include <algorithm>

#include "import/column_tree_internal.hpp"

namespace reel::import::internal {

namespace {

arrow::TypePtr primitive_type(ScalarType s) {
  switch (s) {
    case ScalarType::kBool:
      return arrow::boolean();
    case ScalarType::kInt8:
      return arrow::int8();
    case ScalarType::kUInt8:
      return arrow::uint8();
    case ScalarType::kInt16:
      return arrow::int16();
    case ScalarType::kUInt16:
      return arrow::uint16();
    case ScalarType::kInt32:
      return arrow::int32();
    case ScalarType::kUInt32:
      return arrow::uint32();
    case ScalarType::kInt64:
    case ScalarType::kTime:
    case ScalarType::kDuration:
      return arrow::int64();
    case ScalarType::kUInt64:
      return arrow::uint64();
    case ScalarType::kFloat32:
      return arrow::float32();
    case ScalarType::kFloat64:
      return arrow::float64();
    case ScalarType::kString:
    case ScalarType::kWString:
      return arrow::utf8();
    case ScalarType::kBytes:
      return arrow::binary();
    case ScalarType::kMessage:
      return nullptr;
  }
  return nullptr;
}

uint8_t primitive_width(ScalarType s) {
  switch (s) {
    case ScalarType::kInt8:
    case ScalarType::kUInt8:
      return 1;
    case ScalarType::kInt16:
    case ScalarType::kUInt16:
      return 2;
    case ScalarType::kInt32:
    case ScalarType::kUInt32:
    case ScalarType::kFloat32:
      return 4;
    case ScalarType::kInt64:
    case ScalarType::kUInt64:
    case ScalarType::kFloat64:
    case ScalarType::kTime:
    case ScalarType::kDuration:
      return 8;
    default:
      return 0;
  }
}

// Times are int64 nanoseconds; the field says which kind.
arrow::Metadata time_metadata(ScalarType s) {
  if (s == ScalarType::kTime) return {{"reel:time", "timestamp_ns"}};
  if (s == ScalarType::kDuration) return {{"reel:time", "duration_ns"}};
  return {};
}

}  // namespace

int32_t ColumnTree::add_node(NodeKind kind, arrow::TypePtr type, uint8_t width, int32_t fixed) {
  Node n;
  n.kind = kind;
  n.type = std::move(type);
  n.width = width;
  n.fixed = fixed;
  if (kind == NodeKind::kBinary || kind == NodeKind::kList) n.offsets.append_value<int32_t>(0);
  nodes_.push_back(std::move(n));
  return int32_t(nodes_.size() - 1);
}

Result<int32_t> ColumnTree::build_leaf(const MessageSchema& schema, const FieldType& t,
                                       int32_t& sub, arrow::TypePtr& type, int depth) {
  if (t.scalar == ScalarType::kMessage) {
    if (t.message < 0 || size_t(t.message) >= schema.types.size()) {
      return Status::Invalid("schema field refers to a type it does not define");
    }
    REEL_ASSIGN_OR_RETURN(sub, build_struct(schema, t.message, depth + 1));
    const int32_t node = slots_[size_t(sub)].node;
    type = nodes_[size_t(node)].type;
    return node;
  }
  type = primitive_type(t.scalar);
  switch (t.scalar) {
    case ScalarType::kBool:
      return add_node(NodeKind::kBool, type);
    case ScalarType::kString:
    case ScalarType::kWString:
    case ScalarType::kBytes:
      return add_node(NodeKind::kBinary, type);
    default:
      return add_node(NodeKind::kFixed, type, primitive_width(t.scalar));
  }
}

Result<arrow::FieldPtr> ColumnTree::build_field(const MessageSchema& schema, const FieldDef& def,
                                                FieldSlot& slot, int depth) {
  slot.def = &def;
  const FieldType& t = def.type;
  const arrow::Metadata meta = time_metadata(t.scalar);
  if (!t.is_array()) {
    arrow::TypePtr type;
    REEL_ASSIGN_OR_RETURN(slot.node, build_leaf(schema, t, slot.sub, type, depth));
    return arrow::field(def.name, type, def.optional, meta);
  }
  if (is_byte_array(t)) {
    if (t.array == ArrayKind::kFixed) {
      auto type = arrow::fixed_size_binary(int32_t(t.array_size));
      slot.node = add_node(NodeKind::kFixedBinary, type, 0, int32_t(t.array_size));
      return arrow::field(def.name, type, def.optional);
    }
    slot.node = add_node(NodeKind::kBinary, arrow::binary());
    return arrow::field(def.name, arrow::binary(), def.optional);
  }
  // The container first, so that finish() sees it before its element.
  slot.node = add_node(t.array == ArrayKind::kFixed ? NodeKind::kFixedList : NodeKind::kList,
                       nullptr, 0, t.array == ArrayKind::kFixed ? int32_t(t.array_size) : 0);
  arrow::TypePtr elem_type;
  FieldType elem = t;
  elem.array = ArrayKind::kNone;
  REEL_ASSIGN_OR_RETURN(slot.elem, build_leaf(schema, elem, slot.sub, elem_type, depth));
  nodes_[size_t(slot.node)].children = {slot.elem};
  auto item = arrow::field("item", elem_type, false, meta);
  nodes_[size_t(slot.node)].type = t.array == ArrayKind::kFixed
                                       ? arrow::fixed_size_list(item, int32_t(t.array_size))
                                       : arrow::list(item);
  return arrow::field(def.name, nodes_[size_t(slot.node)].type, def.optional);
}

Result<int32_t> ColumnTree::build_struct(const MessageSchema& schema, int32_t type_index,
                                         int depth) {
  if (depth > 64) return Status::NotImplemented("message types nest deeper than 64");
  if (nodes_.size() > kMaxColumns) {
    return Status::NotImplemented("the schema expands to more than " + std::to_string(kMaxColumns) +
                                  " columns");
  }
  const MessageType& mt = schema.types[size_t(type_index)];
  const int32_t slot_index = int32_t(slots_.size());
  slots_.emplace_back();
  slots_[size_t(slot_index)].type = &mt;
  const int32_t node = add_node(NodeKind::kStruct, nullptr);
  slots_[size_t(slot_index)].node = node;
  std::vector<FieldSlot> fields(mt.fields.size());
  std::vector<arrow::FieldPtr> arrow_fields;
  std::vector<int32_t> children;
  for (size_t i = 0; i < mt.fields.size(); ++i) {
    REEL_ASSIGN_OR_RETURN(auto f, build_field(schema, mt.fields[i], fields[i], depth));
    arrow_fields.push_back(std::move(f));
    children.push_back(fields[i].node);
  }
  slots_[size_t(slot_index)].fields = std::move(fields);
  nodes_[size_t(node)].children = std::move(children);
  nodes_[size_t(node)].type = arrow::struct_(std::move(arrow_fields));
  return slot_index;
}

Result<ColumnTree> ColumnTree::make(const MessageSchema& schema) {
  if (schema.types.empty() || schema.root < 0 || size_t(schema.root) >= schema.types.size()) {
    return Status::Invalid("empty message schema");
  }
  ColumnTree tree;
  REEL_ASSIGN_OR_RETURN(int32_t root, tree.build_struct(schema, schema.root, 0));
  (void)root;  // slot 0, node 0
  tree.saved_.resize(tree.nodes_.size());
  return tree;
}

void ColumnTree::set_validity(Node& n, bool v) {
  n.validity.resize(size_t(arrow::bit_util::bytes_for_bits(n.length + 1)));
  arrow::bit_util::set_bit_to(n.validity.data(), n.length, v);
}

void ColumnTree::append_null(Node& n) {
  if (!n.has_nulls) {
    // First null: every earlier entry is valid.
    n.validity.resize(size_t(arrow::bit_util::bytes_for_bits(n.length + 1)));
    std::memset(n.validity.data(), 0xFF, n.validity.size());
    n.has_nulls = true;
  }
  switch (n.kind) {
    case NodeKind::kBool: {
      n.values.resize(size_t(arrow::bit_util::bytes_for_bits(n.length + 1)));
      arrow::bit_util::clear_bit(n.values.data(), n.length);
      break;
    }
    case NodeKind::kFixed:
      n.values.resize(n.values.size() + n.width);
      break;
    case NodeKind::kFixedBinary:
      n.values.resize(n.values.size() + size_t(n.fixed));
      break;
    case NodeKind::kBinary:
      n.offsets.append_value(int32_t(n.values.size()));
      break;
    case NodeKind::kList:
      n.offsets.append_value(int32_t(nodes_[size_t(n.children[0])].length));
      break;
    case NodeKind::kFixedList: {
      Node& child = nodes_[size_t(n.children[0])];
      for (int32_t i = 0; i < n.fixed; ++i) append_default(child);
      break;
    }
    case NodeKind::kStruct:
      for (int32_t c : n.children) append_default(nodes_[size_t(c)]);
      break;
  }
  set_validity(n, false);
  ++n.length;
}

void ColumnTree::append_default(Node& n) {
  switch (n.kind) {
    case NodeKind::kBool:
      append_bool(n, false);
      return;
    case NodeKind::kFixed: {
      n.values.resize(n.values.size() + n.width);
      valid(n);
      return;
    }
    case NodeKind::kFixedBinary: {
      n.values.resize(n.values.size() + size_t(n.fixed));
      valid(n);
      return;
    }
    case NodeKind::kBinary:
      append_bytes(n, nullptr, 0);
      return;
    case NodeKind::kList:
      close_list(n);
      return;
    case NodeKind::kFixedList: {
      Node& child = nodes_[size_t(n.children[0])];
      for (int32_t i = 0; i < n.fixed; ++i) append_default(child);
      valid(n);
      return;
    }
    case NodeKind::kStruct:
      for (int32_t c : n.children) append_default(nodes_[size_t(c)]);
      valid(n);
      return;
  }
}

void ColumnTree::checkpoint() {
  for (size_t i = 0; i < nodes_.size(); ++i) saved_[i] = nodes_[i].length;
}

void ColumnTree::truncate(Node& n, int64_t length) {
  if (n.length == length) return;
  switch (n.kind) {
    case NodeKind::kBool:
      n.values.resize(size_t(arrow::bit_util::bytes_for_bits(length)));
      break;
    case NodeKind::kFixed:
      n.values.resize(size_t(length) * n.width);
      break;
    case NodeKind::kFixedBinary:
      n.values.resize(size_t(length) * size_t(n.fixed));
      break;
    case NodeKind::kBinary:
      n.values.resize(size_t(n.offsets.data_as<int32_t>()[length]));
      n.offsets.resize(size_t(length + 1) * 4);
      break;
    case NodeKind::kList:
      n.offsets.resize(size_t(length + 1) * 4);
      break;
    case NodeKind::kFixedList:
    case NodeKind::kStruct:
      break;
  }
  if (n.has_nulls) n.validity.resize(size_t(arrow::bit_util::bytes_for_bits(length)));
  n.length = length;
}

void ColumnTree::rollback() {
  for (size_t i = 0; i < nodes_.size(); ++i) truncate(nodes_[i], saved_[i]);
}

arrow::ArrayPtr ColumnTree::finish_node(int32_t i) {
  Node& n = nodes_[size_t(i)];
  const int64_t length = n.length;
  int64_t null_count = 0;
  arrow::BufferPtr validity;
  if (n.has_nulls) {
    n.validity.resize(size_t(arrow::bit_util::bytes_for_bits(n.length)));
    null_count = n.length - arrow::bit_util::count_set_bits(n.validity.data(), 0, n.length);
    if (null_count > 0) validity = n.validity.finish();
  }
  n.validity.clear();
  n.has_nulls = false;
  // The next batch starts with room for as much as this one held.
  auto take = [](arrow::MutableBuffer& b) {
    const size_t hint = b.size();
    arrow::BufferPtr out = b.finish();
    b.reserve(hint);
    return out;
  };
  std::vector<arrow::BufferPtr> buffers;
  std::vector<arrow::ArrayPtr> children;
  switch (n.kind) {
    case NodeKind::kBool:
    case NodeKind::kFixed:
    case NodeKind::kFixedBinary:
      buffers = {validity, take(n.values)};
      break;
    case NodeKind::kBinary:
      buffers = {validity, take(n.offsets), take(n.values)};
      break;
    case NodeKind::kList:
      buffers = {validity, take(n.offsets)};
      children = {finish_node(n.children[0])};
      break;
    case NodeKind::kFixedList:
    case NodeKind::kStruct:
      buffers = {validity};
      for (int32_t c : n.children) children.push_back(finish_node(c));
      break;
  }
  auto out =
      arrow::ArrayData::make(n.type, length, null_count, std::move(buffers), std::move(children));
  n.length = 0;
  if (n.kind == NodeKind::kBinary || n.kind == NodeKind::kList) n.offsets.append_value<int32_t>(0);
  return out;
}

arrow::ArrayPtr ColumnTree::finish() { return finish_node(0); }

bool is_valid_utf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    // Eight ASCII bytes at a time.
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s + i, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    const uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += len;
  }
  return true;
}

std::string sanitize_utf8(const uint8_t* s, size_t n) {
  std::string out;
  out.reserve(n);
  size_t i = 0;
  while (i < n) {
    // The longest valid sequence starting at i, else one replacement character.
    size_t len = 1;
    const uint8_t c = s[i];
    if (c >= 0xC0) len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (c < 0x80 || (i + len <= n && is_valid_utf8(s + i, len))) {
      out.append(reinterpret_cast<const char*>(s + i), len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace reel::import::internal
