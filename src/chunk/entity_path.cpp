#include "reel/chunk/entity_path.hpp"
#include "reel/common/utf8.hpp"

#include <algorithm>
#include <cctype>
#include <functional>

namespace reel {

struct EntityPath::Impl {
  std::vector<std::string> parts;
  std::string text;
  size_t hash;
};

namespace {

bool is_plain(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c >= 0x80;  // non-ASCII (UTF-8) is kept as is
}

std::shared_ptr<const EntityPath::Impl> make_impl(std::vector<std::string> parts) {
  auto impl = std::make_shared<EntityPath::Impl>();
  // An empty part has no written form ("/a/" reads back as /a): drop it, as the lenient
  // parse does, so that parse(str()) gives the path back.
  std::erase_if(parts, [](const std::string& p) { return p.empty(); });
  impl->parts = std::move(parts);
  if (impl->parts.empty()) {
    impl->text = "/";
  } else {
    for (const auto& p : impl->parts) {
      impl->text += '/';
      impl->text += EntityPath::escape_part(p);
    }
  }
  impl->hash = std::hash<std::string>()(impl->text);
  return impl;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// Shared by the strict and lenient parsers; `strict` turns oddities into errors.
Result<std::vector<std::string>> split_path(std::string_view text, bool strict) {
  // Paths are UTF-8 wherever they are stored: strict parsing refuses other bytes, lenient
  // parsing replaces them (U+FFFD), so that no EntityPath ever holds them.
  if (auto bad = utf8::first_invalid(text)) {
    if (strict) return Status::Invalid("entity path: " + utf8::describe_invalid(text, *bad));
    return split_path(utf8::replace_invalid(text), false);
  }
  std::vector<std::string> parts;
  std::string cur;
  bool has_cur = false;
  size_t i = 0;
  if (strict && (text.empty())) return Status::Invalid("empty entity path");
  if (!text.empty() && text[0] == '/') i = 1;
  if (strict && text == "/") return parts;
  auto error = [&](size_t pos, const std::string& what) {
    return Status::Invalid("entity path '" + std::string(text) + "' at position " +
                           std::to_string(pos) + ": " + what);
  };
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '/') {
      if (!has_cur) {
        if (strict) return error(i, "empty part (double slash or trailing slash)");
      } else {
        parts.push_back(std::move(cur));
      }
      cur.clear();
      has_cur = false;
      continue;
    }
    has_cur = true;
    if (c == '\\') {
      if (i + 1 >= text.size()) {
        if (strict) return error(i, "trailing backslash");
        cur += '\\';
        continue;
      }
      char e = text[++i];
      if (e == 'u' && i + 1 < text.size() && text[i + 1] == '{') {
        size_t close = text.find('}', i + 2);
        uint32_t cp = 0;
        bool ok = close != std::string_view::npos && close > i + 2 && close - (i + 2) <= 6;
        if (ok) {
          for (size_t k = i + 2; k < close; ++k) {
            char h = text[k];
            int v = (h >= '0' && h <= '9')   ? h - '0'
                    : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                    : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                             : -1;
            if (v < 0) {
              ok = false;
              break;
            }
            cp = cp * 16 + uint32_t(v);
          }
        }
        // Surrogates are not characters: their UTF-8 form would not be valid UTF-8.
        if (!ok || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          if (strict) return error(i - 1, "bad \\u{...} escape");
          cur += e;
          continue;
        }
        append_utf8(cur, cp);
        i = close;
        continue;
      }
      cur += e;
      continue;
    }
    if (strict && !is_plain(static_cast<unsigned char>(c))) {
      return error(i, std::string("character '") + c + "' must be escaped with a backslash");
    }
    cur += c;
  }
  if (has_cur) {
    parts.push_back(std::move(cur));
  } else if (strict) {
    // The text ended right after a separator: "/a/b/" ends with an empty part.
    return error(text.size() - 1, "empty part (double slash or trailing slash)");
  }
  return parts;
}

}  // namespace

EntityPath::EntityPath() {
  static const auto root = make_impl({});
  impl_ = root;
}

EntityPath::EntityPath(std::vector<std::string> parts) : impl_(make_impl(std::move(parts))) {}

EntityPath::EntityPath(std::string_view text)
    : impl_(make_impl(split_path(text, false).value_or_die())) {}

Result<EntityPath> EntityPath::parse(std::string_view text) {
  REEL_ASSIGN_OR_RETURN(auto parts, split_path(text, true));
  return EntityPath(std::move(parts));
}

const std::vector<std::string>& EntityPath::parts() const { return impl_->parts; }
const std::string& EntityPath::str() const { return impl_->text; }
size_t EntityPath::hash() const { return impl_->hash; }

bool EntityPath::operator==(const EntityPath& other) const {
  return impl_ == other.impl_ ||
         (impl_->hash == other.impl_->hash && impl_->text == other.impl_->text);
}

EntityPath EntityPath::parent() const {
  if (is_root()) return *this;
  return EntityPath(std::vector<std::string>(parts().begin(), parts().end() - 1));
}

EntityPath EntityPath::join(std::string_view part) const {
  auto p = parts();
  p.emplace_back(part);
  return EntityPath(std::move(p));
}

bool EntityPath::starts_with(const EntityPath& prefix) const {
  const auto& a = parts();
  const auto& b = prefix.parts();
  if (b.size() > a.size()) return false;
  for (size_t i = 0; i < b.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

bool EntityPath::is_descendant_of(const EntityPath& ancestor) const {
  return size() > ancestor.size() && starts_with(ancestor);
}

std::string EntityPath::escape_part(std::string_view part) {
  std::string out;
  out.reserve(part.size());
  for (char c : part) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      // Control characters would break the line the path is printed on.
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\u{";
      if (u >= 0x10) out += kHex[u >> 4];
      out += kHex[u & 0xF];
      out += '}';
      continue;
    }
    if (!is_plain(u)) out += '\\';
    out += c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------

Result<EntityPathFilter> EntityPathFilter::parse(std::string_view expression) {
  EntityPathFilter filter;
  size_t i = 0;
  while (i < expression.size()) {
    while (i < expression.size() && std::isspace(static_cast<unsigned char>(expression[i]))) ++i;
    if (i >= expression.size()) break;
    size_t start = i;
    // A rule ends at unescaped whitespace.
    while (i < expression.size() && !std::isspace(static_cast<unsigned char>(expression[i]))) {
      if (expression[i] == '\\') ++i;
      ++i;
    }
    std::string_view token = expression.substr(start, std::min(i, expression.size()) - start);
    Rule rule;
    if (token[0] == '+' || token[0] == '-') {
      rule.include = token[0] == '+';
      token.remove_prefix(1);
    }
    // "**" means a subtree only as a whole last part: "/world/**", "/**" or "**". In
    // "/wor**" the stars are unescaped characters, which the path parse rejects.
    if (token == "**" || (token.size() >= 3 && token.substr(token.size() - 3) == "/**")) {
      rule.subtree = true;
      token.remove_suffix(2);
      if (!token.empty() && token.back() == '/') token.remove_suffix(1);
      if (token.empty()) token = "/";
    }
    if (token.empty()) {
      return Status::Invalid("entity path filter '" + std::string(expression) +
                             "': empty rule at position " + std::to_string(start));
    }
    auto path = EntityPath::parse(token);
    if (!path.ok()) {
      return path.status().with_context("entity path filter '" + std::string(expression) + "'");
    }
    rule.path = std::move(path).value();
    filter.rules_.push_back(std::move(rule));
  }
  return filter;
}

bool EntityPathFilter::matches(const EntityPath& path) const {
  bool result = false;
  for (const auto& rule : rules_) {
    bool hit = rule.subtree ? path.starts_with(rule.path) : path == rule.path;
    if (hit) result = rule.include;
  }
  return result;
}

std::string EntityPathFilter::to_string() const {
  std::string s;
  for (const auto& rule : rules_) {
    if (!s.empty()) s += ' ';
    s += rule.include ? "+" : "-";
    if (rule.subtree) {
      s += rule.path.is_root() ? "/**" : rule.path.str() + "/**";
    } else {
      s += rule.path.str();
    }
  }
  return s;
}

}  // namespace reel
