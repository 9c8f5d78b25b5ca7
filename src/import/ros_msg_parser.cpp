// ROS 1 and ROS 2 `.msg` definitions, concatenated as `ros1msg` / `ros2msg` schemas and bag
// connection records carry them (see message_schema.hpp).
#include <charconv>
#include <unordered_map>

#include "import/schema_builder_internal.hpp"
#include "reel/import/message_schema.hpp"

namespace reel::import {

namespace {

using internal::PendingField;
using internal::PendingType;

enum class Dialect { kRos1, kRos2 };

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n";
  const size_t a = s.find_first_not_of(ws);
  if (a == std::string_view::npos) return {};
  const size_t b = s.find_last_not_of(ws);
  return s.substr(a, b - a + 1);
}

bool is_separator(std::string_view line) {
  line = trim(line);
  return line.size() >= 3 && line.find_first_not_of('=') == std::string_view::npos;
}

// The part of a line before a '#' comment that is outside double or single quotes.
std::string_view strip_comment(std::string_view s) {
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quote) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#') {
      return s.substr(0, i);
    }
  }
  return s;
}

bool parse_u32(std::string_view s, uint32_t& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

struct Primitive {
  const char* name;
  ScalarType type;
};

bool primitive(Dialect d, std::string_view name, ScalarType& out) {
  static const Primitive common[] = {
      {"bool", ScalarType::kBool},       {"int8", ScalarType::kInt8},
      {"uint8", ScalarType::kUInt8},     {"int16", ScalarType::kInt16},
      {"uint16", ScalarType::kUInt16},   {"int32", ScalarType::kInt32},
      {"uint32", ScalarType::kUInt32},   {"int64", ScalarType::kInt64},
      {"uint64", ScalarType::kUInt64},   {"float32", ScalarType::kFloat32},
      {"float64", ScalarType::kFloat64}, {"string", ScalarType::kString},
      {"time", ScalarType::kTime},       {"duration", ScalarType::kDuration},
      {"char", ScalarType::kUInt8},
  };
  for (const auto& p : common) {
    if (name == p.name) {
      out = p.type;
      return true;
    }
  }
  if (name == "byte") {  // ROS 1: a deprecated alias of int8; ROS 2: octet
    out = d == Dialect::kRos1 ? ScalarType::kInt8 : ScalarType::kUInt8;
    return true;
  }
  if (d == Dialect::kRos2 && name == "wstring") {
    out = ScalarType::kWString;
    return true;
  }
  return false;
}

std::string normalize(Dialect d, std::string_view name) {
  return d == Dialect::kRos1 ? ros1_type_name(name) : ros2_type_name(name);
}

std::string package_of(std::string_view type_name) {
  const size_t slash = type_name.find('/');
  return slash == std::string_view::npos ? std::string() : std::string(type_name.substr(0, slash));
}

class MsgParser {
 public:
  explicit MsgParser(Dialect d) : d_(d) {}

  Status parse_section(const std::string& type, const std::vector<std::string_view>& lines,
                       int first_line) {
    PendingType t;
    t.name = type;
    const std::string pkg = package_of(type);
    for (size_t i = 0; i < lines.size(); ++i) {
      REEL_RETURN_NOT_OK(parse_line(t, pkg, lines[i], first_line + int(i)));
    }
    types_.push_back(std::move(t));
    return Status::OK();
  }

  std::vector<PendingType> take() { return std::move(types_); }

 private:
  Status error(const PendingType& t, int line, const std::string& what) const {
    return Status::Invalid(std::string(d_ == Dialect::kRos1 ? "ros1msg" : "ros2msg") + " " +
                           t.name + " line " + std::to_string(line) + ": " + what);
  }

  Status parse_line(PendingType& t, const std::string& pkg, std::string_view raw, int line) {
    std::string_view s = trim(raw);
    if (s.empty() || s[0] == '#') return Status::OK();
    // type token
    size_t sp = s.find_first_of(" \t");
    if (sp == std::string_view::npos) return error(t, line, "a type without a field name");
    const std::string_view type_token = s.substr(0, sp);
    std::string_view rest = trim(s.substr(sp));
    // name token, up to whitespace or '='
    const size_t name_end = rest.find_first_of(" \t=");
    const std::string_view name = rest.substr(0, name_end);
    std::string_view after = name_end == std::string_view::npos ? "" : rest.substr(name_end);
    if (!internal::is_identifier(name)) {
      return error(t, line, "'" + std::string(name) + "' is not a field name");
    }
    PendingField f;
    f.line = line;
    f.def.name = std::string(name);
    REEL_RETURN_NOT_OK(parse_type(t, pkg, type_token, line, f));
    const std::string_view after_trim = trim(after);
    if (!after_trim.empty() && after_trim[0] == '=') {
      // A constant: "TYPE NAME=VALUE". String constants keep everything after '=' (ROS 1
      // allows '#' in them); other values lose a trailing comment.
      if (f.def.type.is_array() || f.def.type.scalar == ScalarType::kMessage ||
          f.def.type.scalar == ScalarType::kTime || f.def.type.scalar == ScalarType::kDuration) {
        return error(t, line, "constant '" + f.def.name + "' must have a primitive type");
      }
      ConstantDef c;
      c.name = f.def.name;
      c.type = f.def.type.scalar;
      std::string_view value = after_trim.substr(1);
      if (c.type == ScalarType::kString || c.type == ScalarType::kWString) {
        value = trim(value);
        if (d_ == Dialect::kRos2 && value.size() >= 2 &&
            (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
          value = value.substr(1, value.size() - 2);
        }
      } else {
        value = trim(strip_comment(value));
      }
      c.value = std::string(value);
      t.constants.push_back(std::move(c));
      return Status::OK();
    }
    std::string_view def = trim(strip_comment(after));
    if (!def.empty()) {
      if (d_ == Dialect::kRos1) return error(t, line, "unexpected '" + std::string(def) + "'");
      if (f.def.type.scalar == ScalarType::kMessage) {
        return error(t, line, "field '" + f.def.name + "' of a message type has a default value");
      }
      if (def.size() >= 2 && (def.front() == '"' || def.front() == '\'') &&
          def.back() == def.front()) {
        def = def.substr(1, def.size() - 2);
      }
      f.def.default_value = std::string(def);
    }
    t.fields.push_back(std::move(f));
    return Status::OK();
  }

  Status parse_type(const PendingType& t, const std::string& pkg, std::string_view token, int line,
                    PendingField& f) {
    std::string_view base = token;
    FieldType& ft = f.def.type;
    const size_t bracket = token.find('[');
    if (bracket != std::string_view::npos) {
      if (token.back() != ']') return error(t, line, "bad array type '" + std::string(token) + "'");
      base = token.substr(0, bracket);
      std::string_view inside = token.substr(bracket + 1, token.size() - bracket - 2);
      if (inside.empty()) {
        ft.array = ArrayKind::kUnbounded;
      } else if (inside.substr(0, 2) == "<=") {
        if (d_ == Dialect::kRos1) return error(t, line, "bounded arrays are ROS 2 only");
        ft.array = ArrayKind::kBounded;
        if (!parse_u32(inside.substr(2), ft.array_size)) {
          return error(t, line, "bad array bound in '" + std::string(token) + "'");
        }
      } else {
        ft.array = ArrayKind::kFixed;
        if (!parse_u32(inside, ft.array_size) || ft.array_size == 0 ||
            ft.array_size > uint32_t(INT32_MAX)) {
          return error(t, line, "bad array size in '" + std::string(token) + "'");
        }
      }
    }
    const size_t le = base.find("<=");
    if (le != std::string_view::npos) {
      const std::string_view bare = base.substr(0, le);
      if (d_ == Dialect::kRos1 || (bare != "string" && bare != "wstring")) {
        return error(t, line, "only ROS 2 strings take a bound: '" + std::string(token) + "'");
      }
      if (!parse_u32(base.substr(le + 2), ft.string_bound) || ft.string_bound == 0) {
        return error(t, line, "bad string bound in '" + std::string(token) + "'");
      }
      base = bare;
    }
    if (primitive(d_, base, ft.scalar)) return Status::OK();
    ft.scalar = ScalarType::kMessage;
    if (base.empty()) return error(t, line, "empty type name");
    for (char c : base) {
      if (!(internal::is_identifier(std::string_view(&c, 1)) || (c >= '0' && c <= '9') ||
            c == '/')) {
        return error(t, line, "'" + std::string(base) + "' is not a type name");
      }
    }
    if (base == "Header") {
      f.type_ref = d_ == Dialect::kRos1 ? "std_msgs/Header" : "std_msgs/msg/Header";
    } else if (base.find('/') == std::string_view::npos) {
      if (pkg.empty()) return error(t, line, "type '" + std::string(base) + "' has no package");
      f.type_ref = normalize(d_, pkg + "/" + std::string(base));
    } else {
      f.type_ref = normalize(d_, base);
    }
    return Status::OK();
  }

  Dialect d_;
  std::vector<PendingType> types_;
};

PendingType fallback(const char* name,
                     std::initializer_list<std::pair<const char*, ScalarType>> fs) {
  PendingType t;
  t.name = name;
  for (const auto& [n, s] : fs) {
    PendingField f;
    f.def.name = n;
    f.def.type.scalar = s;
    t.fields.push_back(std::move(f));
  }
  return t;
}

Result<MessageSchema> parse_msg(Dialect d, std::string_view type_name, std::string_view text) {
  const std::string root = normalize(d, trim(type_name));
  if (root.find('/') == std::string::npos) {
    return Status::Invalid("message type name '" + std::string(type_name) + "' has no package");
  }
  MsgParser parser(d);
  std::vector<std::string_view> lines;
  for (size_t at = 0; at <= text.size();) {
    size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  // Sections: the root first, then one after each separator line and its "MSG: pkg/Type".
  std::string current = root;
  std::vector<std::string_view> body;
  int body_first = 1;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!is_separator(lines[i])) {
      body.push_back(lines[i]);
      continue;
    }
    REEL_RETURN_NOT_OK(parser.parse_section(current, body, body_first));
    body.clear();
    current.clear();
    size_t j = i + 1;
    while (j < lines.size() && trim(lines[j]).empty()) ++j;
    if (j == lines.size()) break;  // a trailing separator
    const std::string_view header = trim(lines[j]);
    if (header.substr(0, 4) != "MSG:") {
      return Status::Invalid(std::string(d == Dialect::kRos1 ? "ros1msg" : "ros2msg") + " line " +
                             std::to_string(j + 1) +
                             ": expected 'MSG: pkg/Type' after a separator line");
    }
    current = normalize(d, trim(header.substr(4)));
    if (current.empty()) {
      return Status::Invalid("line " + std::to_string(j + 1) + ": 'MSG:' names no type");
    }
    body_first = int(j) + 2;
    i = j;
  }
  if (!current.empty()) REEL_RETURN_NOT_OK(parser.parse_section(current, body, body_first));
  // A dependency repeated with the same text is tolerated: keep the first.
  std::vector<PendingType> types = parser.take();
  std::vector<PendingType> unique;
  for (auto& t : types) {
    bool seen = false;
    for (const auto& u : unique) seen = seen || u.name == t.name;
    if (!seen) unique.push_back(std::move(t));
  }
  internal::SchemaRules rules;
  if (d == Dialect::kRos1) {
    rules.format = "ros1msg";
    rules.fallbacks.push_back(fallback("std_msgs/Header", {{"seq", ScalarType::kUInt32},
                                                           {"stamp", ScalarType::kTime},
                                                           {"frame_id", ScalarType::kString}}));
  } else {
    rules.format = "ros2msg";
    rules.times = {{"builtin_interfaces/msg/Time", ScalarType::kTime},
                   {"builtin_interfaces/msg/Duration", ScalarType::kDuration}};
    rules.fallbacks.push_back(fallback(
        "std_msgs/msg/Header", {{"stamp", ScalarType::kTime}, {"frame_id", ScalarType::kString}}));
    rules.fallbacks.push_back(
        fallback("builtin_interfaces/msg/Time",
                 {{"sec", ScalarType::kInt32}, {"nanosec", ScalarType::kUInt32}}));
    rules.fallbacks.push_back(
        fallback("builtin_interfaces/msg/Duration",
                 {{"sec", ScalarType::kInt32}, {"nanosec", ScalarType::kUInt32}}));
  }
  return internal::finish_schema(root, std::move(unique), rules);
}

}  // namespace

Result<MessageSchema> parse_ros1msg(std::string_view type_name, std::string_view text) {
  return parse_msg(Dialect::kRos1, type_name, text);
}

Result<MessageSchema> parse_ros2msg(std::string_view type_name, std::string_view text) {
  return parse_msg(Dialect::kRos2, type_name, text);
}

}  // namespace reel::import
