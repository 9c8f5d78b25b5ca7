#include "reel/import/message_schema.hpp"

#include <functional>
#include <unordered_map>

#include "import/schema_builder_internal.hpp"

namespace reel::import {

const char* scalar_type_name(ScalarType type) {
  switch (type) {
    case ScalarType::kBool:
      return "bool";
    case ScalarType::kInt8:
      return "int8";
    case ScalarType::kUInt8:
      return "uint8";
    case ScalarType::kInt16:
      return "int16";
    case ScalarType::kUInt16:
      return "uint16";
    case ScalarType::kInt32:
      return "int32";
    case ScalarType::kUInt32:
      return "uint32";
    case ScalarType::kInt64:
      return "int64";
    case ScalarType::kUInt64:
      return "uint64";
    case ScalarType::kFloat32:
      return "float32";
    case ScalarType::kFloat64:
      return "float64";
    case ScalarType::kString:
      return "string";
    case ScalarType::kWString:
      return "wstring";
    case ScalarType::kBytes:
      return "bytes";
    case ScalarType::kTime:
      return "time";
    case ScalarType::kDuration:
      return "duration";
    case ScalarType::kMessage:
      return "message";
  }
  return "?";
}

const MessageType* MessageSchema::find(std::string_view name) const {
  for (const auto& t : types) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string MessageSchema::to_string() const {
  std::string out;
  for (size_t i = 0; i < types.size(); ++i) {
    const MessageType& t = types[i];
    if (!out.empty()) out += "\n";
    out += (int32_t(i) == root ? "root " : "") + std::string("struct ") + t.name + " {";
    for (size_t f = 0; f < t.fields.size(); ++f) {
      const FieldDef& d = t.fields[f];
      out += (f ? ", " : " ") + d.name + ": ";
      out += d.type.scalar == ScalarType::kMessage
                 ? (d.type.message >= 0 && size_t(d.type.message) < types.size()
                        ? types[size_t(d.type.message)].name
                        : std::string("?"))
                 : std::string(scalar_type_name(d.type.scalar));
      if (d.type.string_bound) out += "<=" + std::to_string(d.type.string_bound);
      switch (d.type.array) {
        case ArrayKind::kNone:
          break;
        case ArrayKind::kFixed:
          out += "[" + std::to_string(d.type.array_size) + "]";
          break;
        case ArrayKind::kBounded:
          out += "[<=" + std::to_string(d.type.array_size) + "]";
          break;
        case ArrayKind::kUnbounded:
          out += "[]";
          break;
      }
      if (d.optional) out += "?";
    }
    out += " }";
  }
  return out;
}

std::string ros1_type_name(std::string_view name) {
  std::string s(name);
  const size_t a = s.find('/');
  if (a != std::string::npos && s.compare(a, 5, "/msg/") == 0 &&
      s.find('/', a + 5) == std::string::npos) {
    s.erase(a, 4);
  }
  return s;
}

std::string ros2_type_name(std::string_view name) {
  std::string s;
  s.reserve(name.size() + 4);
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == ':' && i + 1 < name.size() && name[i + 1] == ':') {
      s += '/';
      ++i;
    } else {
      s += name[i];
    }
  }
  const size_t a = s.find('/');
  if (a != std::string::npos && s.find('/', a + 1) == std::string::npos) s.insert(a, "/msg");
  return s;
}

namespace internal {

bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(s[0])) return false;
  for (char c : s) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

Result<MessageSchema> finish_schema(const std::string& root, std::vector<PendingType> types,
                                    const SchemaRules& rules) {
  std::unordered_map<std::string, size_t> by_name;
  for (size_t i = 0; i < types.size(); ++i) {
    if (!by_name.emplace(types[i].name, i).second) {
      return Status::Invalid(std::string(rules.format) + " schema defines '" + types[i].name +
                             "' twice");
    }
  }
  auto root_it = by_name.find(root);
  if (root_it == by_name.end()) {
    return Status::Invalid(std::string(rules.format) + " schema has no definition of '" + root +
                           "'");
  }
  MessageSchema out;
  // Depth-first from the root: each type gets its index when first reached; a type met again
  // while it is still open is a cycle.
  std::unordered_map<std::string, int32_t> index;
  std::unordered_map<std::string, bool> open;
  std::function<Result<int32_t>(const std::string&, int)> visit =
      [&](const std::string& name, int depth) -> Result<int32_t> {
    if (auto it = index.find(name); it != index.end()) {
      if (open[name]) {
        return Status::Invalid(std::string(rules.format) + " schema: type '" + name +
                               "' contains itself");
      }
      return it->second;
    }
    if (depth > 64) {
      return Status::Invalid(std::string(rules.format) + " schema nests types deeper than 64");
    }
    const PendingType* def = nullptr;
    if (auto it = by_name.find(name); it != by_name.end()) {
      def = &types[it->second];
    } else {
      for (const auto& f : rules.fallbacks) {
        if (f.name == name) def = &f;
      }
    }
    if (!def) return Status::NotFound(name);
    const int32_t id = int32_t(out.types.size());
    index[name] = id;
    open[name] = true;
    out.types.emplace_back();
    out.types[size_t(id)].name = def->name;
    out.types[size_t(id)].constants = def->constants;
    std::vector<FieldDef> fields;
    fields.reserve(def->fields.size());
    for (const PendingField& pf : def->fields) {
      FieldDef f = pf.def;
      if (f.type.scalar == ScalarType::kMessage) {
        if (auto t = rules.times.find(pf.type_ref); t != rules.times.end()) {
          f.type.scalar = t->second;
        } else {
          auto sub = visit(pf.type_ref, depth + 1);
          if (!sub.ok()) {
            if (sub.status().code() != StatusCode::kNotFound) return sub.status();
            return Status::Invalid(std::string(rules.format) + " schema: " + def->name +
                                   (pf.line ? " line " + std::to_string(pf.line) : "") +
                                   ": field '" + f.name + "' uses type '" + pf.type_ref +
                                   "', which the schema does not define");
          }
          f.type.message = *sub;
        }
      }
      fields.push_back(std::move(f));
    }
    out.types[size_t(id)].fields = std::move(fields);
    open[name] = false;
    return id;
  };
  auto r = visit(root, 0);
  if (!r.ok()) return r.status();
  out.root = *r;
  return out;
}

}  // namespace internal

}  // namespace reel::import
