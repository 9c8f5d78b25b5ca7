// ROS 2 IDL (`ros2idl` schemas): the subset of OMG IDL 4 that rosidl emits for messages.
//
// The concatenated sections ("====" line, "IDL: pkg/msg/Type" line, the file) are read as one
// IDL text: structs are named by their module path, so the sections need no bookkeeping.
// Preprocessor lines (#include, #pragma) are ignored. Supported: modules, structs, members
// with several declarators, fixed arrays, sequence<T> and sequence<T, N>, string<N>,
// typedefs (rosidl writes `typedef double double__9[9];`), enums (as uint32), `const` in
// `Type_Constants` modules (attached to `Type`) and annotations (@default is kept, the others
// are skipped). Arrays of arrays have no place in the field tree and are refused.
#include <cctype>
#include <charconv>
#include <map>
#include <optional>

#include "import/schema_builder_internal.hpp"
#include "reel/import/message_schema.hpp"

namespace reel::import {

namespace {

using internal::PendingField;
using internal::PendingType;

struct Token {
  enum Kind { kIdent, kNumber, kString, kPunct, kEnd } kind = kEnd;
  std::string text;
  int line = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> out;
    while (true) {
      skip_space();
      if (i_ >= s_.size()) break;
      const char c = s_[i_];
      Token t;
      t.line = line_;
      if (std::isalpha(uint8_t(c)) || c == '_') {
        const size_t a = i_;
        while (i_ < s_.size() && (std::isalnum(uint8_t(s_[i_])) || s_[i_] == '_')) ++i_;
        t.kind = Token::kIdent;
        t.text = std::string(s_.substr(a, i_ - a));
      } else if (std::isdigit(uint8_t(c)) ||
                 (c == '.' && i_ + 1 < s_.size() && std::isdigit(uint8_t(s_[i_ + 1])))) {
        const size_t a = i_;
        while (i_ < s_.size() &&
               (std::isalnum(uint8_t(s_[i_])) || s_[i_] == '.' ||
                ((s_[i_] == '-' || s_[i_] == '+') && (s_[i_ - 1] == 'e' || s_[i_ - 1] == 'E')))) {
          ++i_;
        }
        t.kind = Token::kNumber;
        t.text = std::string(s_.substr(a, i_ - a));
      } else if (c == '"' || c == '\'') {
        const char q = c;
        ++i_;
        std::string v;
        while (i_ < s_.size() && s_[i_] != q) {
          if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
            const char e = s_[++i_];
            v += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          } else {
            if (s_[i_] == '\n') ++line_;
            v += s_[i_];
          }
          ++i_;
        }
        if (i_ >= s_.size())
          return Status::Invalid("line " + std::to_string(t.line) + ": unterminated string");
        ++i_;
        t.kind = Token::kString;
        t.text = std::move(v);
      } else if (c == ':' && i_ + 1 < s_.size() && s_[i_ + 1] == ':') {
        t.kind = Token::kPunct;
        t.text = "::";
        i_ += 2;
      } else {
        t.kind = Token::kPunct;
        t.text = std::string(1, c);
        ++i_;
      }
      out.push_back(std::move(t));
    }
    Token end;
    end.line = line_;
    out.push_back(end);
    return out;
  }

 private:
  void skip_space() {
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '\n') {
        ++line_;
        ++i_;
        at_line_start_ = true;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
      } else if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '/') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '*') {
        i_ += 2;
        while (i_ + 1 < s_.size() && !(s_[i_] == '*' && s_[i_ + 1] == '/')) {
          if (s_[i_] == '\n') ++line_;
          ++i_;
        }
        i_ = std::min(s_.size(), i_ + 2);
      } else if (at_line_start_ && (c == '#' || line_is_section_marker())) {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;  // preprocessor or section line
      } else {
        at_line_start_ = false;
        return;
      }
    }
  }
  // "=====..." and "IDL: pkg/msg/Type" lines of the concatenation.
  bool line_is_section_marker() const {
    if (s_.compare(i_, 4, "IDL:") == 0) return true;
    size_t j = i_;
    while (j < s_.size() && s_[j] == '=') ++j;
    return j - i_ >= 3 && (j == s_.size() || s_[j] == '\n' || s_[j] == '\r');
  }

  std::string_view s_;
  size_t i_ = 0;
  int line_ = 1;
  bool at_line_start_ = true;
};

// A type as written: a primitive, or a (scoped) name, maybe with array dimensions.
struct TypeSpec {
  std::optional<ScalarType> scalar;  // a primitive
  std::string name;                  // else a name to resolve
  std::vector<std::string> scope;    // where the name was used
  ArrayKind array = ArrayKind::kNone;
  uint32_t array_size = 0;
  uint32_t string_bound = 0;
  int line = 0;
};

struct Typedef {
  TypeSpec target;
};

struct Struct {
  std::string full;  // "pkg::msg::Type"
  std::vector<std::string> scope;
  struct Member {
    std::string name;
    TypeSpec type;
    std::string default_value;
  };
  std::vector<Member> members;
  std::vector<ConstantDef> constants;
};

std::string join(const std::vector<std::string>& scope, const std::string& name) {
  std::string s;
  for (const auto& p : scope) s += p + "::";
  return s + name;
}

class IdlParser {
 public:
  explicit IdlParser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Status parse() {
    while (!at_end()) REEL_RETURN_NOT_OK(definition());
    return Status::OK();
  }

  Result<MessageSchema> build(const std::string& root) {
    // Constants modules: "Type_Constants" next to "Type".
    for (auto& [scope_name, consts] : constants_) {
      const std::string suffix = "_Constants";
      if (scope_name.size() <= suffix.size() ||
          scope_name.compare(scope_name.size() - suffix.size(), suffix.size(), suffix) != 0) {
        continue;
      }
      const std::string owner = scope_name.substr(0, scope_name.size() - suffix.size());
      auto it = structs_.find(owner);
      if (it != structs_.end()) {
        for (auto& c : consts) it->second.constants.push_back(c);
      }
    }
    std::vector<PendingType> types;
    for (auto& [full, s] : structs_) {
      PendingType p;
      p.name = ros2_type_name(full);
      p.constants = s.constants;
      for (const auto& m : s.members) {
        PendingField f;
        f.def.name = m.name;
        f.def.default_value = m.default_value;
        f.line = m.type.line;
        REEL_RETURN_NOT_OK(resolve(m.type, f, 0));
        p.fields.push_back(std::move(f));
      }
      types.push_back(std::move(p));
    }
    internal::SchemaRules rules;
    rules.format = "ros2idl";
    rules.times = {{"builtin_interfaces/msg/Time", ScalarType::kTime},
                   {"builtin_interfaces/msg/Duration", ScalarType::kDuration}};
    return internal::finish_schema(root, std::move(types), rules);
  }

 private:
  // ---- tokens -----------------------------------------------------------------------
  const Token& peek(size_t k = 0) const { return t_[std::min(i_ + k, t_.size() - 1)]; }
  bool at_end() const { return peek().kind == Token::kEnd; }
  Token take() {
    Token t = peek();
    if (!at_end()) ++i_;
    return t;
  }
  bool accept(std::string_view text) {
    if (peek().kind != Token::kString && peek().text == text) {
      ++i_;
      return true;
    }
    return false;
  }
  Status error(const std::string& what) const {
    return Status::Invalid("ros2idl line " + std::to_string(peek().line) + ": " + what +
                           (at_end() ? " (at the end)" : " (at '" + peek().text + "')"));
  }
  Status expect(std::string_view text) {
    if (accept(text)) return Status::OK();
    return error("expected '" + std::string(text) + "'");
  }
  Result<std::string> ident() {
    if (peek().kind != Token::kIdent) return error("expected a name");
    return take().text;
  }
  Result<uint32_t> number() {
    if (peek().kind != Token::kNumber) return error("expected a number");
    const std::string s = take().text;
    uint32_t v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) {
      return Status::Invalid("ros2idl: '" + s + "' is not a size");
    }
    return v;
  }

  // ---- grammar ----------------------------------------------------------------------
  // Annotations: "@name" with an optional parenthesized argument list. Returns @default's
  // value when there is one.
  Result<std::string> annotations() {
    std::string default_value;
    while (accept("@")) {
      REEL_ASSIGN_OR_RETURN(std::string name, ident());
      if (!accept("(")) continue;
      std::string value;
      int depth = 1;
      bool after_value_eq = false;
      while (depth > 0) {
        if (at_end()) return error("unterminated annotation");
        const Token t = take();
        if (t.kind == Token::kPunct && t.text == "(") ++depth;
        if (t.kind == Token::kPunct && t.text == ")") {
          --depth;
          continue;
        }
        if (name == "default") {
          if (t.kind == Token::kIdent && t.text == "value" && peek().text == "=") {
            take();
            after_value_eq = true;
            continue;
          }
          if (after_value_eq) value += t.text;
        }
      }
      if (name == "default") default_value = value;
    }
    return default_value;
  }

  Status definition() {
    REEL_ASSIGN_OR_RETURN(std::string ignored, annotations());
    (void)ignored;
    if (accept(";")) return Status::OK();
    if (at_end()) return Status::OK();
    if (++depth_ > 64) return error("definitions nest deeper than 64");
    Status st;
    if (accept("module")) {
      st = module();
    } else if (accept("struct")) {
      st = struct_def();
    } else if (accept("typedef")) {
      st = typedef_def();
    } else if (accept("const")) {
      st = const_def();
    } else if (accept("enum")) {
      st = enum_def();
    } else {
      st = error("expected module, struct, typedef, const or enum");
    }
    --depth_;
    return st;
  }

  Status module() {
    REEL_ASSIGN_OR_RETURN(std::string name, ident());
    REEL_RETURN_NOT_OK(expect("{"));
    scope_.push_back(name);
    while (!accept("}")) {
      if (at_end()) return error("module '" + name + "' is not closed");
      REEL_RETURN_NOT_OK(definition());
    }
    scope_.pop_back();
    accept(";");
    return Status::OK();
  }

  Status struct_def() {
    REEL_ASSIGN_OR_RETURN(std::string name, ident());
    if (accept(";")) return Status::OK();  // a forward declaration
    REEL_RETURN_NOT_OK(expect("{"));
    Struct s;
    s.full = join(scope_, name);
    s.scope = scope_;
    while (!accept("}")) {
      if (at_end()) return error("struct '" + name + "' is not closed");
      REEL_ASSIGN_OR_RETURN(std::string def, annotations());
      REEL_ASSIGN_OR_RETURN(TypeSpec type, type_spec());
      do {
        Struct::Member m;
        REEL_ASSIGN_OR_RETURN(m.name, ident());
        m.type = type;
        REEL_RETURN_NOT_OK(dimensions(m.type));
        m.default_value = def;
        s.members.push_back(std::move(m));
      } while (accept(","));
      REEL_RETURN_NOT_OK(expect(";"));
    }
    REEL_RETURN_NOT_OK(expect(";"));
    if (structs_.count(s.full))
      return Status::Invalid("ros2idl: struct '" + s.full + "' defined twice");
    structs_.emplace(s.full, std::move(s));
    return Status::OK();
  }

  Status typedef_def() {
    REEL_ASSIGN_OR_RETURN(TypeSpec type, type_spec());
    REEL_ASSIGN_OR_RETURN(std::string name, ident());
    REEL_RETURN_NOT_OK(dimensions(type));
    REEL_RETURN_NOT_OK(expect(";"));
    typedefs_[join(scope_, name)] = Typedef{type};
    return Status::OK();
  }

  Status enum_def() {
    REEL_ASSIGN_OR_RETURN(std::string name, ident());
    REEL_RETURN_NOT_OK(expect("{"));
    while (!accept("}")) {
      if (at_end()) return error("enum '" + name + "' is not closed");
      take();
    }
    accept(";");
    TypeSpec t;
    t.scalar = ScalarType::kUInt32;  // CDR enums are 32-bit
    typedefs_[join(scope_, name)] = Typedef{t};
    return Status::OK();
  }

  Status const_def() {
    REEL_ASSIGN_OR_RETURN(TypeSpec type, type_spec());
    REEL_ASSIGN_OR_RETURN(std::string name, ident());
    REEL_RETURN_NOT_OK(expect("="));
    std::string value;
    while (!accept(";")) {
      if (at_end()) return error("constant '" + name + "' has no ';'");
      value += take().text;
    }
    ConstantDef c;
    c.name = name;
    c.type = type.scalar.value_or(ScalarType::kInt64);
    c.value = value;
    // Kept under the module's full name, for the "Type_Constants" lookup.
    if (!scope_.empty()) {
      const std::vector<std::string> parent(scope_.begin(), scope_.end() - 1);
      constants_[join(parent, scope_.back())].push_back(std::move(c));
    }
    return Status::OK();
  }

  Status dimensions(TypeSpec& t) {
    while (accept("[")) {
      if (t.array != ArrayKind::kNone) {
        return error("arrays of arrays are not supported");
      }
      REEL_ASSIGN_OR_RETURN(uint32_t n, number());
      REEL_RETURN_NOT_OK(expect("]"));
      if (n == 0 || n > uint32_t(INT32_MAX)) return error("bad array size");
      t.array = ArrayKind::kFixed;
      t.array_size = n;
    }
    return Status::OK();
  }

  Result<TypeSpec> type_spec() {
    TypeSpec t;
    t.scope = scope_;
    t.line = peek().line;
    if (accept("sequence")) {
      REEL_RETURN_NOT_OK(expect("<"));
      REEL_ASSIGN_OR_RETURN(TypeSpec inner, type_spec());
      if (inner.array != ArrayKind::kNone) return error("sequences of sequences are not supported");
      inner.array = ArrayKind::kUnbounded;
      if (accept(",")) {
        REEL_ASSIGN_OR_RETURN(inner.array_size, number());
        inner.array = ArrayKind::kBounded;
      }
      REEL_RETURN_NOT_OK(expect(">"));
      return inner;
    }
    if (peek().kind != Token::kIdent && peek().text != "::") return error("expected a type");
    if (peek().text == "string" || peek().text == "wstring") {
      t.scalar = take().text == "string" ? ScalarType::kString : ScalarType::kWString;
      if (accept("<")) {
        REEL_ASSIGN_OR_RETURN(t.string_bound, number());
        REEL_RETURN_NOT_OK(expect(">"));
      }
      return t;
    }
    // Multi-word primitives.
    if (accept("unsigned")) {
      if (accept("short")) {
        t.scalar = ScalarType::kUInt16;
      } else if (accept("long")) {
        t.scalar = accept("long") ? ScalarType::kUInt64 : ScalarType::kUInt32;
      } else {
        return error("expected short or long after unsigned");
      }
      return t;
    }
    if (accept("long")) {
      if (accept("double")) return error("long double is not supported");
      t.scalar = accept("long") ? ScalarType::kInt64 : ScalarType::kInt32;
      return t;
    }
    static const std::map<std::string, ScalarType> kPrimitives = {
        {"boolean", ScalarType::kBool},  {"octet", ScalarType::kUInt8},
        {"char", ScalarType::kUInt8},    {"short", ScalarType::kInt16},
        {"float", ScalarType::kFloat32}, {"double", ScalarType::kFloat64},
        {"int8", ScalarType::kInt8},     {"uint8", ScalarType::kUInt8},
        {"int16", ScalarType::kInt16},   {"uint16", ScalarType::kUInt16},
        {"int32", ScalarType::kInt32},   {"uint32", ScalarType::kUInt32},
        {"int64", ScalarType::kInt64},   {"uint64", ScalarType::kUInt64},
    };
    if (peek().kind == Token::kIdent) {
      if (peek().text == "wchar") return error("wchar is not supported");
      auto it = kPrimitives.find(peek().text);
      if (it != kPrimitives.end()) {
        take();
        t.scalar = it->second;
        return t;
      }
    }
    // A scoped name.
    std::string name;
    if (accept("::")) name = "::";
    REEL_ASSIGN_OR_RETURN(std::string first, ident());
    name += first;
    while (accept("::")) {
      REEL_ASSIGN_OR_RETURN(std::string part, ident());
      name += "::" + part;
    }
    t.name = name;
    return t;
  }

  // ---- resolution -------------------------------------------------------------------
  // The definition a name refers to from its scope: innermost scope first.
  std::optional<std::string> lookup(const TypeSpec& t) const {
    if (t.name.rfind("::", 0) == 0) return t.name.substr(2);
    for (size_t n = t.scope.size() + 1; n-- > 0;) {
      const std::vector<std::string> s(t.scope.begin(), t.scope.begin() + long(n));
      const std::string full = join(s, t.name);
      if (structs_.count(full) || typedefs_.count(full)) return full;
    }
    // A struct of another file that is not in the text: builtin_interfaces' times.
    return t.name;
  }

  Status resolve(const TypeSpec& t, PendingField& f, int depth) {
    if (depth > 32) return Status::Invalid("ros2idl: typedefs refer to each other in a loop");
    FieldType& ft = f.def.type;
    auto add_array = [&](const TypeSpec& s) -> Status {
      if (s.array == ArrayKind::kNone) return Status::OK();
      if (ft.array != ArrayKind::kNone) {
        return Status::Invalid("ros2idl line " + std::to_string(t.line) + ": field '" + f.def.name +
                               "' is an array of arrays, which is not supported");
      }
      ft.array = s.array;
      ft.array_size = s.array_size;
      return Status::OK();
    };
    REEL_RETURN_NOT_OK(add_array(t));
    if (t.scalar) {
      ft.scalar = *t.scalar;
      ft.string_bound = t.string_bound;
      return Status::OK();
    }
    const std::string full = *lookup(t);
    if (auto td = typedefs_.find(full); td != typedefs_.end()) {
      return resolve(td->second.target, f, depth + 1);
    }
    ft.scalar = ScalarType::kMessage;
    f.type_ref = ros2_type_name(full);
    return Status::OK();
  }

  std::vector<Token> t_;
  size_t i_ = 0;
  int depth_ = 0;
  std::vector<std::string> scope_;
  std::map<std::string, Struct> structs_;
  std::map<std::string, Typedef> typedefs_;
  std::map<std::string, std::vector<ConstantDef>> constants_;
};

}  // namespace

Result<MessageSchema> parse_ros2idl(std::string_view type_name, std::string_view text) {
  REEL_ASSIGN_OR_RETURN(auto tokens, Lexer(text).run());
  IdlParser parser(std::move(tokens));
  REEL_RETURN_NOT_OK(parser.parse());
  return parser.build(ros2_type_name(type_name));
}

}  // namespace reel::import
