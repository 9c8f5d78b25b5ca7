// Which Clears apply to an entity, shared by latest-at archetype queries and dataframe views so
// both empty the same cells (Rerun's semantics: an entity's own Clear, flat or recursive, and
// every recursive Clear logged on an ancestor).
#pragma once

#include "reel/arrow/array.hpp"
#include "reel/chunk/entity_path.hpp"

namespace reel::query_internal {

// Whether a Clear row (its is_recursive instances) is recursive: a first value that is true.
inline bool clear_is_recursive(const arrow::ArrayPtr& is_recursive) {
  return is_recursive && is_recursive->length > 0 && is_recursive->is_valid(0) &&
         arrow::BooleanArray(is_recursive).value(0);
}

// Calls fn(path, applies) for `entity` and each of its ancestors up to the root, where
// applies(is_recursive) tells whether a Clear row logged on `path` empties `entity`.
template <class Fn>
void for_each_clear_scope(const EntityPath& entity, Fn&& fn) {
  EntityPath path = entity;
  for (bool self = true;; self = false) {
    fn(path, [self](const arrow::ArrayPtr& is_recursive) {
      return self || clear_is_recursive(is_recursive);
    });
    if (path.is_root()) break;
    path = path.parent();
  }
}

}  // namespace reel::query_internal
