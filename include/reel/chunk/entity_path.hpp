// EntityPath and EntityPathFilter.
//
// An entity path names a node in the entity hierarchy: `/world/robot/lidar`. `/` is the
// root. Parts may hold any Unicode text; in the written form the characters outside
// [A-Za-z0-9_.-] and non-ASCII letters are escaped with a backslash (`\ ` for a space, `\/`
// for a slash), control characters are written `\u{HEX}` (`\u{A}` for a newline), and any
// `\u{HEX}` is read back as that character. EntityPath is an immutable value with shared
// storage: copies are cheap, hashing is O(1) (the hash is computed once).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reel/status.hpp"

namespace reel {

class EntityPath {
 public:
  EntityPath();  // the root, "/"
  // Parts as given, unescaped; empty parts are dropped (they have no written form).
  explicit EntityPath(std::vector<std::string> parts);
  // Lenient parse for logging calls: never fails. Leading/trailing/double slashes are
  // ignored, unknown escapes keep the escaped character, bytes that are not UTF-8 become
  // U+FFFD (the SDK refuses such paths before they get here).
  EntityPath(std::string_view text);  // NOLINT(google-explicit-constructor)
  EntityPath(const char* text) : EntityPath(std::string_view(text)) {}         // NOLINT
  EntityPath(const std::string& text) : EntityPath(std::string_view(text)) {}  // NOLINT

  // Strict parse: rejects empty parts ("a//b", "/a/"), a trailing backslash, bad `\u{...}`,
  // unescaped special characters and bytes that are not UTF-8; the error names the position.
  static Result<EntityPath> parse(std::string_view text);
  static EntityPath root() { return {}; }

  const std::vector<std::string>& parts() const;
  size_t size() const { return parts().size(); }
  bool is_root() const { return parts().empty(); }
  // The written form, with escapes: "/world/robot arm" -> "/world/robot\ arm".
  const std::string& str() const;
  size_t hash() const;

  EntityPath parent() const;  // the root's parent is the root
  EntityPath join(std::string_view part) const;
  // True if `ancestor` is a strict prefix of this path.
  bool is_descendant_of(const EntityPath& ancestor) const;
  bool starts_with(const EntityPath& prefix) const;  // prefix or equal

  bool operator==(const EntityPath& other) const;
  bool operator<(const EntityPath& other) const { return parts() < other.parts(); }

  // Escapes one part for the written form.
  static std::string escape_part(std::string_view part);

  struct Impl;  // defined in entity_path.cpp

 private:
  std::shared_ptr<const Impl> impl_;
};

// Rules like "/world/**" (subtree, including /world itself; `**` only as a whole last part),
// "/world" (exactly that entity),
// "-/world/debug/**" (exclude); "+" prefix is optional for includes. Rules are separated by
// whitespace or newlines; when several match, the last one wins; no match = excluded.
class EntityPathFilter {
 public:
  struct Rule {
    bool include = true;
    EntityPath path;
    bool subtree = false;
  };

  EntityPathFilter() = default;
  static Result<EntityPathFilter> parse(std::string_view expression);
  static EntityPathFilter all() { return parse("/**").value_or_die(); }

  void add_rule(Rule rule) { rules_.push_back(std::move(rule)); }
  bool matches(const EntityPath& path) const;
  const std::vector<Rule>& rules() const { return rules_; }
  std::string to_string() const;

 private:
  std::vector<Rule> rules_;
};

}  // namespace reel

template <>
struct std::hash<reel::EntityPath> {
  size_t operator()(const reel::EntityPath& p) const noexcept { return p.hash(); }
};
