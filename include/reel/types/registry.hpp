// The archetype and component registry: what src/types/definitions.toml defines, at run
// time. Query engines, the Python module, importers and the .rrd mapping look archetypes
// and components up here instead of listing them.
//
// Thread safety: the tables are immutable after first use; any thread may read them.
#pragma once

#include <string_view>
#include <vector>

#include "reel/arrow/type.hpp"
#include "reel/chunk/component.hpp"

namespace reel {

// A field of an archetype.
struct ArchetypeField {
  const char* name;                // "positions"
  ComponentDescriptor descriptor;  // Points3D:positions, reel.components.Position3D
  bool required = false;
  bool primary = false;              // sets the instance count N
  const char* rerun_field = "";      // Rerun's field name; "" when Rerun has no such field
  const char* rerun_component = "";  // "rerun.components.Position3D"
  // The field's batch has its own length (Mesh3D's triangle indices, a texture): it is not
  // checked against the primary's count and archetype queries do not join it by instance.
  bool own_count = false;
};

struct ArchetypeInfo {
  const char* name;        // "Points3D"
  const char* rerun_name;  // "rerun.archetypes.Points3D", or "" when Rerun has none
  const char* view;        // the viewer view that draws it ("spatial3d"), "" for none
  const char* role;        // "visual", "style", "transform" or "context"
  const char* doc;
  const std::vector<ArchetypeField>& (*fields)();

  // The field named `name`, or nullptr.
  const ArchetypeField* field(std::string_view name) const;
  // The primary field, or nullptr when the archetype has none.
  const ArchetypeField* primary() const;
};

struct ComponentInfo {
  const char* name;        // "reel.components.Position3D"
  const char* short_name;  // "Position3D"
  const char* rerun_name;  // "rerun.components.Position3D", or ""
  // How the .rrd mapping converts the column when Rerun's layout differs ("" when equal):
  // "binary_as_list", "nullability", "enum:<Enum>", or a converter's name.
  const char* rerun_convert;
  const arrow::TypePtr& (*type)();
  bool flat;
  const char* doc;
};

// Every archetype and component, in definition order.
const std::vector<ArchetypeInfo>& archetypes();
const std::vector<ComponentInfo>& components();
// By reel name ("Points3D", "reel.components.Color") or Rerun name ("rerun.archetypes.
// Points3D", "rerun.components.Color"); nullptr when unknown. A Rerun component name that
// several reel components map to (Translation3D) finds the first.
const ArchetypeInfo* find_archetype(std::string_view name);
const ComponentInfo* find_component(std::string_view name);

}  // namespace reel
