// JSON messages (MCAP `json` encoding) described by a JSON Schema (`jsonschema`), as Foxglove
// writes them.
//
// Schema tree: "object" with "properties" -> a message (named by its "title", else by its
// path), "integer" -> int64 ("oneOf" of integer consts, Foxglove's enums -> int32), "number"
// -> float64, "boolean" -> bool, "string" -> string ("contentEncoding": "base64" -> bytes),
// "array" -> list of "items", an object titled "time"/"duration" or with exactly the
// properties sec and nsec -> a time. "$ref" to "#/definitions/X" or "#/$defs/X" is followed.
// Anything else (no type, a type list the tree cannot hold) is a string holding the value's
// JSON text. Every property is nullable: a message may leave any out.
//
// Decoding: a value of the wrong JSON type becomes null (strings take the JSON text of any
// value); array elements that are null take the element type's zero value.
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "import/decoder_internal.hpp"

namespace reel::import {

namespace {

using internal::ColumnTree;
using internal::Node;
using ojson = nlohmann::ordered_json;
using json = nlohmann::json;

constexpr int kMaxSchemaDepth = 32;
constexpr int kMaxMessageDepth = 256;

// The deepest bracket nesting of a JSON text, outside strings (a check before parsing, so
// that nothing recursive ever meets a hostile depth).
int nesting_depth(std::string_view s) {
  int depth = 0, max = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max = std::max(max, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max;
}

class SchemaReader {
 public:
  explicit SchemaReader(const ojson& root) : root_(root) {}

  Result<MessageSchema> read(std::string_view type_name) {
    const ojson* r = &root_;
    REEL_ASSIGN_OR_RETURN(r, deref(*r, 0));
    if (!is_object_schema(*r)) {
      return Status::Invalid("jsonschema for '" + std::string(type_name) +
                             "' does not describe an object with properties");
    }
    REEL_ASSIGN_OR_RETURN(int32_t root, object(*r, std::string(type_name), 0));
    schema_.root = root;
    return std::move(schema_);
  }

 private:
  static bool is_object_schema(const ojson& s) {
    return s.is_object() && s.contains("properties") && s["properties"].is_object();
  }

  Result<const ojson*> deref(const ojson& s, int depth) {
    const ojson* cur = &s;
    for (int hops = 0; cur->is_object() && cur->contains("$ref"); ++hops) {
      if (hops > kMaxSchemaDepth) return Status::Invalid("jsonschema: $ref loops");
      const ojson& ref = (*cur)["$ref"];
      if (!ref.is_string()) return Status::Invalid("jsonschema: $ref is not a string");
      const std::string& path = ref.get_ref<const std::string&>();
      const ojson* target = nullptr;
      for (const char* prefix : {"#/definitions/", "#/$defs/"}) {
        const std::string p(prefix);
        if (path.rfind(p, 0) != 0) continue;
        const std::string key = p.substr(2, p.size() - 3);
        const std::string name = path.substr(p.size());
        auto defs = root_.find(key);
        if (defs != root_.end() && defs->is_object()) {
          auto it = defs->find(name);
          if (it != defs->end()) target = &*it;
        }
      }
      if (!target) return Status::Invalid("jsonschema: cannot resolve $ref '" + path + "'");
      cur = target;
    }
    (void)depth;
    return cur;
  }

  Result<int32_t> object(const ojson& s, std::string name, int depth) {
    if (depth > kMaxSchemaDepth) return -1;  // too deep: the caller keeps JSON text
    if (auto t = s.find("title"); t != s.end() && t->is_string() && depth > 0) {
      name = t->get<std::string>();
    }
    // Distinct objects may share a title: keep names unique.
    std::string unique = name;
    for (int k = 2; schema_.find(unique); ++k) unique = name + "#" + std::to_string(k);
    const int32_t id = int32_t(schema_.types.size());
    schema_.types.emplace_back();
    MessageType t;
    t.name = unique;
    for (const auto& [prop, sub] : s["properties"].items()) {
      FieldDef f;
      f.name = prop;
      f.optional = true;
      REEL_RETURN_NOT_OK(field_type(sub, t.name + "." + prop, depth + 1, f.type));
      t.fields.push_back(std::move(f));
    }
    schema_.types[size_t(id)] = std::move(t);
    return id;
  }

  static std::string type_of(const ojson& s) {
    auto it = s.find("type");
    if (it == s.end()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_array()) {
      for (const auto& v : *it) {
        if (v.is_string() && v.get_ref<const std::string&>() != "null") return v.get<std::string>();
      }
    }
    return {};
  }

  static bool is_time_object(const ojson& s, ScalarType& kind) {
    const auto& props = s["properties"];
    std::string title;
    if (auto t = s.find("title"); t != s.end() && t->is_string()) title = t->get<std::string>();
    const bool sec_nsec = props.size() == 2 && props.contains("sec") && props.contains("nsec");
    if (title == "duration" && sec_nsec) {
      kind = ScalarType::kDuration;
      return true;
    }
    if ((title == "time" || title.empty()) && sec_nsec) {
      kind = ScalarType::kTime;
      return true;
    }
    return false;
  }

  Status field_type(const ojson& raw, const std::string& path, int depth, FieldType& out,
                    bool in_array = false) {
    out = FieldType{};
    out.scalar = ScalarType::kString;  // the fallback: JSON text
    if (depth > kMaxSchemaDepth) return Status::OK();
    REEL_ASSIGN_OR_RETURN(const ojson* s, deref(raw, depth));
    if (!s->is_object()) return Status::OK();
    const std::string type = type_of(*s);
    if (type == "object" || (type.empty() && is_object_schema(*s))) {
      if (!is_object_schema(*s)) return Status::OK();
      ScalarType time;
      if (is_time_object(*s, time)) {
        out.scalar = time;
        return Status::OK();
      }
      REEL_ASSIGN_OR_RETURN(int32_t id, object(*s, path, depth));
      if (id >= 0) {
        out.scalar = ScalarType::kMessage;
        out.message = id;
      }
      return Status::OK();
    }
    if (type == "array") {
      if (in_array) return Status::OK();  // arrays of arrays: JSON text
      auto items = s->find("items");
      if (items == s->end() || !items->is_object()) return Status::OK();
      REEL_RETURN_NOT_OK(field_type(*items, path, depth + 1, out, true));
      out.array = ArrayKind::kUnbounded;
      return Status::OK();
    }
    if (type == "integer") {
      out.scalar = ScalarType::kInt64;
    } else if (type == "number") {
      out.scalar = ScalarType::kFloat64;
    } else if (type == "boolean") {
      out.scalar = ScalarType::kBool;
    } else if (type == "string") {
      auto enc = s->find("contentEncoding");
      out.scalar = enc != s->end() && enc->is_string() && *enc == "base64" ? ScalarType::kBytes
                                                                           : ScalarType::kString;
    } else if (type.empty()) {
      // Foxglove's enums: "oneOf" of integer "const"s.
      auto one_of = s->find("oneOf");
      if (one_of != s->end() && one_of->is_array() && !one_of->empty()) {
        bool ints = true;
        for (const auto& alt : *one_of) {
          auto c = alt.is_object() ? alt.find("const") : alt.end();
          ints = ints && alt.is_object() && c != alt.end() && c->is_number_integer();
        }
        if (ints) out.scalar = ScalarType::kInt32;
      }
    }
    return Status::OK();
  }

  const ojson& root_;
  MessageSchema schema_;
};

bool decode_base64(const std::string& in, std::string& out) {
  static const auto table = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) t[uint8_t(a[i])] = int8_t(i);
    return t;
  }();
  out.clear();
  out.reserve(in.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : in) {
    if (c == '=') {
      ++pad;
      continue;
    }
    if (c == '\n' || c == '\r' || c == ' ') continue;
    const int8_t v = table[uint8_t(c)];
    if (v < 0 || pad) return false;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xFF);
    }
  }
  return pad <= 2;
}

class JsonDecoder final : public MessageDecoder {
 public:
  JsonDecoder(MessageSchema schema, bool schemaless, DecoderOptions options)
      : MessageDecoder(options), schema_(std::move(schema)), schemaless_(schemaless) {}

  Status init() { return init_columns(schema_); }
  const MessageSchema& schema() const override { return schema_; }

 protected:
  Status decode(std::span<const uint8_t> bytes) override {
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    ColumnTree& tree = columns().tree;
    if (nesting_depth(text) > kMaxMessageDepth) {
      return Status::Corrupt("the JSON message nests deeper than " +
                             std::to_string(kMaxMessageDepth));
    }
    json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) {
      return Status::Corrupt("the " + std::to_string(bytes.size()) + "-byte message is not JSON");
    }
    if (schemaless_) {
      const internal::StructSlot& root = tree.slots()[0];
      if (!ColumnTree::append_bytes(tree.node(root.fields[0].node), text.data(), text.size())) {
        return Status::Corrupt("the batch holds more than 2 GiB of text");
      }
      ColumnTree::close_entry(tree.node(root.node));
      return Status::OK();
    }
    if (!value.is_object()) return Status::Corrupt("the JSON message is not an object");
    if (!put_object(value, 0)) return Status::Corrupt("the message holds more than a batch can");
    return Status::OK();
  }

 private:
  bool put_object(const json& v, int32_t slot_index) {
    ColumnTree& tree = columns().tree;
    const internal::StructSlot& slot = tree.slots()[size_t(slot_index)];
    for (const internal::FieldSlot& fs : slot.fields) {
      Node& node = tree.node(fs.node);
      auto it = v.find(fs.def->name);
      if (it == v.end() || it->is_null()) {
        tree.append_null(node);
        continue;
      }
      if (fs.def->type.is_array()) {
        if (!it->is_array()) {
          tree.append_null(node);
          continue;
        }
        Node& elem = tree.node(fs.elem);
        for (const json& e : *it) {
          if (e.is_null() || !put_value(e, fs, elem)) tree.append_default(elem);
        }
        if (!tree.close_list(node)) return false;
        continue;
      }
      if (!put_value(*it, fs, node)) tree.append_null(node);
    }
    ColumnTree::close_entry(tree.node(slot.node));
    return true;
  }

  // Appends one value; false (nothing appended) when it does not fit the type.
  bool put_value(const json& v, const internal::FieldSlot& fs, Node& node) {
    switch (fs.def->type.scalar) {
      case ScalarType::kBool:
        if (!v.is_boolean()) return false;
        ColumnTree::append_bool(node, v.get<bool>());
        return true;
      case ScalarType::kInt32:
      case ScalarType::kInt64: {
        int64_t x;
        if (v.is_number_unsigned()) {
          x = int64_t(std::min<uint64_t>(v.get<uint64_t>(), uint64_t(INT64_MAX)));
        } else if (v.is_number_integer()) {
          x = v.get<int64_t>();
        } else if (v.is_number_float()) {
          const double d = v.get<double>();
          if (!(d >= -9.2e18 && d <= 9.2e18)) return false;
          x = int64_t(d);
        } else {
          return false;
        }
        if (fs.def->type.scalar == ScalarType::kInt32) {
          if (x < INT32_MIN || x > INT32_MAX) return false;
          ColumnTree::append_value(node, int32_t(x));
        } else {
          ColumnTree::append_value(node, x);
        }
        return true;
      }
      case ScalarType::kFloat64:
        if (!v.is_number()) return false;
        ColumnTree::append_value(node, v.get<double>());
        return true;
      case ScalarType::kString: {
        if (v.is_string()) {
          const auto& s = v.get_ref<const std::string&>();
          return ColumnTree::append_bytes(node, s.data(), s.size());
        }
        const std::string s = v.dump();
        return ColumnTree::append_bytes(node, s.data(), s.size());
      }
      case ScalarType::kBytes: {
        if (!v.is_string() || !decode_base64(v.get_ref<const std::string&>(), scratch_))
          return false;
        return ColumnTree::append_bytes(node, scratch_.data(), scratch_.size());
      }
      case ScalarType::kTime:
      case ScalarType::kDuration: {
        if (!v.is_object()) return false;
        auto sec = v.find("sec");
        auto nsec = v.find("nsec");
        if (sec == v.end() || nsec == v.end() || !sec->is_number_integer() ||
            !nsec->is_number_integer()) {
          return false;
        }
        int64_t ns;
        if (__builtin_mul_overflow(sec->get<int64_t>(), int64_t(1000000000), &ns) ||
            __builtin_add_overflow(ns, nsec->get<int64_t>(), &ns)) {
          return false;
        }
        ColumnTree::append_value(node, ns);
        return true;
      }
      case ScalarType::kMessage:
        if (!v.is_object()) return false;
        return put_object(v, fs.sub);
      default:
        return false;
    }
  }

  MessageSchema schema_;
  bool schemaless_;
  std::string scratch_;
};

}  // namespace

Result<MessageSchema> parse_json_schema(std::string_view json_schema, std::string_view type_name) {
  if (nesting_depth(json_schema) > kMaxMessageDepth) {
    return Status::Invalid("jsonschema nests deeper than " + std::to_string(kMaxMessageDepth));
  }
  ojson root = ojson::parse(json_schema.begin(), json_schema.end(), nullptr, false);
  if (root.is_discarded())
    return Status::Invalid("jsonschema for '" + std::string(type_name) + "' is not JSON");
  return SchemaReader(root).read(type_name);
}

Result<std::unique_ptr<MessageDecoder>> make_json_decoder(std::string_view json_schema,
                                                          std::string_view type_name,
                                                          DecoderOptions options) {
  MessageSchema schema;
  const bool schemaless = json_schema.empty();
  if (schemaless) {
    MessageType t;
    t.name = type_name.empty() ? "json" : std::string(type_name);
    FieldDef f;
    f.name = "json";
    f.type.scalar = ScalarType::kString;
    t.fields.push_back(f);
    schema.types.push_back(std::move(t));
  } else {
    REEL_ASSIGN_OR_RETURN(schema, parse_json_schema(json_schema, type_name));
  }
  auto d = std::make_unique<JsonDecoder>(std::move(schema), schemaless, options);
  REEL_RETURN_NOT_OK(d->init());
  return std::unique_ptr<MessageDecoder>(std::move(d));
}

}  // namespace reel::import
