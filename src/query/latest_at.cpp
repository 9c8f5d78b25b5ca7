#include "reel/query/latest_at.hpp"

#include <algorithm>

#include "query/clear_internal.hpp"

namespace reel {

namespace {

// Ordering key of a row for Clear comparisons: static rows come before every time.
std::pair<TimeInt, RowId> key(const LatestAtResult& r) {
  return {r.is_static ? kTimeMin : r.time, r.row_id};
}

// The most recent Clear that applies to `entity`: its own (flat or recursive), or a
// recursive one on an ancestor.
std::optional<std::pair<TimeInt, RowId>> effective_clear(const ChunkStore& store,
                                                         const LatestAtQuery& query,
                                                         const EntityPath& entity) {
  const ComponentDescriptor& clear = Clear::descriptor_is_recursive();
  std::optional<std::pair<TimeInt, RowId>> best;
  query_internal::for_each_clear_scope(entity, [&](const EntityPath& path, auto applies) {
    auto c = store.latest_at(query, path, clear);
    if (!c || !applies(c->instances(clear))) return;
    auto k = key(*c);
    if (!best || k > *best) best = k;
  });
  return best;
}

}  // namespace

Result<ArchetypeInstances> latest_at_archetype(const ChunkStore& store, const LatestAtQuery& query,
                                               const EntityPath& entity,
                                               std::span<const ArchetypeField> fields) {
  ArchetypeInstances out;
  const auto clear = effective_clear(store, query, entity);
  struct Found {
    const ArchetypeField* field;
    LatestAtResult hit;
    arrow::ArrayPtr instances;
  };
  std::vector<Found> found;
  for (const auto& f : fields) {
    auto hit = store.latest_at(query, entity, f.descriptor);
    if (!hit) continue;
    if (clear && key(*hit) < *clear) continue;  // cleared, not logged again since
    auto instances = hit->instances(f.descriptor);
    if (!instances) continue;
    found.push_back({&f, std::move(*hit), std::move(instances)});
  }
  if (found.empty()) return out;
  int64_t n = 0;
  if (!fields.empty() && found[0].field == &fields[0]) {
    n = found[0].instances->length;
  } else {
    for (const auto& f : found) {
      if (!f.field->own_count) n = std::max(n, f.instances->length);
    }
  }
  out.num_instances = n;
  std::vector<int64_t> indices;
  for (auto& f : found) {
    const int64_t m = f.instances->length;
    if (m == 0 && n > 0 && !f.field->own_count) continue;  // an empty batch joins nothing
    arrow::ArrayPtr joined = f.instances;
    if (m != n && !f.field->own_count) {  // own-count fields come back as logged
      indices.resize(size_t(n));
      for (int64_t i = 0; i < n; ++i) indices[size_t(i)] = std::min(i, m - 1);
      REEL_ASSIGN_OR_RETURN(joined, arrow::take(*f.instances, indices));
    }
    out.fields.push_back({f.field->name, f.field->descriptor, std::move(joined), f.hit.row_id,
                          f.hit.time, f.hit.is_static});
  }
  return out;
}

}  // namespace reel
