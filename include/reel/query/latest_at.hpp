// Archetype-level latest-at: an entity's archetype at a time, its components joined.
//
// Each field comes from its own latest-at (static data wins per component). The primary
// field (the first of `A::fields()`) sets the instance count N; if it has no data, N is the
// largest count among the others. Another component with M instances is joined by instance
// index: M == N as is, M == 1 is a splat (repeated N times), M > N is cut to N ("3 points +
// 5 colors = 3 points"), and 1 < M < N repeats its last value. A component with no data is
// absent from the result. Fields with their own count (ArchetypeField::own_count: Mesh3D's
// triangle indices, a texture) come back as logged, not joined.
//
// Clear: a `Clear` logged on the entity, or a recursive one (`is_recursive = true`) logged on
// an ancestor, hides every component whose own latest row is older than the clear, until the
// component is logged again. Rows are ordered by (time, RowId), with static rows ordered
// before every time: a temporal Clear hides static data from its time on; a static Clear
// hides only static data logged before it (by RowId).
#pragma once

#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reel/store/chunk_store.hpp"
#include "reel/types/archetypes.hpp"

namespace reel {

struct ArchetypeInstances {
  struct Field {
    std::string name;
    ComponentDescriptor descriptor;
    arrow::ArrayPtr values;  // joined: num_instances values
    RowId row_id;            // where the data came from
    TimeInt time = kTimeMin;
    bool is_static = false;
  };
  int64_t num_instances = 0;
  std::vector<Field> fields;  // fields with data, in archetype order

  const Field* get(std::string_view name) const {
    for (const auto& f : fields) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }
  // A field's joined values as C++ components (fixed-width component types); empty if absent
  // or if the stored values do not have T's layout.
  template <FlatComponent T>
  std::vector<T> values(std::string_view name) const {
    const Field* f = get(name);
    std::vector<T> out;
    if (!f) return out;
    out.resize(size_t(f->values->length));
    const arrow::ArrayData* leaf = f->values.get();
    int64_t scale = 1;
    while (leaf->type->id() == arrow::TypeId::kFixedSizeList) {
      scale *= leaf->type->list_size();
      leaf = leaf->children[0].get();
    }
    const int64_t width = leaf->type->primitive_width();
    if (width * scale != int64_t(sizeof(T))) return {};  // not T's layout: nothing to copy
    const uint8_t* src =
        leaf->buffers[1]->data() + (leaf->offset + f->values->offset * scale) * width;
    if (!out.empty()) std::memcpy(out.data(), src, out.size() * sizeof(T));
    return out;
  }
};

Result<ArchetypeInstances> latest_at_archetype(const ChunkStore& store, const LatestAtQuery& query,
                                               const EntityPath& entity,
                                               std::span<const ArchetypeField> fields);

template <typename A>
Result<ArchetypeInstances> latest_at(const ChunkStore& store, const LatestAtQuery& query,
                                     const EntityPath& entity) {
  return latest_at_archetype(store, query, entity, A::fields());
}

}  // namespace reel
