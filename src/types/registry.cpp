#include "reel/types/registry.hpp"

#include <string_view>

namespace reel {

const ArchetypeField* ArchetypeInfo::field(std::string_view name) const {
  for (const auto& f : fields()) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

const ArchetypeField* ArchetypeInfo::primary() const {
  for (const auto& f : fields()) {
    if (f.primary) return &f;
  }
  return nullptr;
}

const ArchetypeInfo* find_archetype(std::string_view name) {
  for (const auto& a : archetypes()) {
    if (name == a.name || (*a.rerun_name && name == a.rerun_name)) return &a;
  }
  return nullptr;
}

const ComponentInfo* find_component(std::string_view name) {
  for (const auto& c : components()) {
    if (name == c.name || name == c.short_name || (*c.rerun_name && name == c.rerun_name))
      return &c;
  }
  return nullptr;
}

}  // namespace reel
