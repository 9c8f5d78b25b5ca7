// Archetypes for Python: each rr.<Archetype> object holds the C++ archetype (reel::Points3D,
// ...) whose collections borrow the numpy arrays it was built from (kept alive by the
// object). Logging calls the C++ `collect`, so shapes, splats and checks are the C++ SDK's.
// Objects are immutable after construction and may be logged from any thread.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "convert.hpp"
#include "reel/types/archetypes.hpp"
#include "reel/types/component_batch.hpp"

namespace reel::py_bindings {

class PyArchetype {
 public:
  virtual ~PyArchetype() = default;
  virtual const char* name() const = 0;
  virtual void collect(ComponentBatchList& out) const = 0;

  Keep keep;                                           // arrays the collections borrow
  std::vector<std::pair<const char*, size_t>> counts;  // instances per given field (repr)
  size_t payload_bytes = 0;                            // approximate, for GIL decisions
};

template <typename A>
class Arch final : public PyArchetype {
 public:
  const char* name() const override { return A::kName; }
  void collect(ComponentBatchList& out) const override { value.collect(out); }
  A value;
};

// Component columns for send_columns: one list column per component, N rows.
struct PyComponentColumns {
  std::vector<ComponentColumn> columns;
};

// Builds the columns of `archetype` (e.g. "Scalars") from keyword arguments.
PyComponentColumns archetype_columns(const std::string& archetype, const py::kwargs& fields);

void register_archetypes(py::module_& m);
// rr.AnyValues and rr.DynamicArchetype (any_values.cpp); after register_archetypes.
void register_any_values(py::module_& m);

}  // namespace reel::py_bindings
