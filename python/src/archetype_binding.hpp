// What the archetype classes are made of: a Builder that fills the C++ archetype from Python
// values, the generated constructors (required fields positional, the others keyword-only,
// unknown keywords named in the error) and columns() makers. archetypes_generated.cpp
// instantiates them for every archetype of src/types/definitions.toml; archetypes_ext.cpp
// has the constructors that take more than the fields (sizes=, mins=, image arrays, ...).
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "archetypes.hpp"

namespace reel::py_bindings {

template <typename T>
size_t payload_of(const Collection<T>& c) {
  if constexpr (ComponentTraits<T>::kFlat) {
    return c.size() * sizeof(T);
  } else if constexpr (std::is_base_of_v<Bytes, T>) {
    size_t n = 0;
    for (const auto& b : c) n += b.view().size();
    return n;
  } else {
    return c.size() * 16;
  }
}

inline const ComponentDescriptor& descriptor_of(const std::vector<ArchetypeField>& fields,
                                                const char* name) {
  for (const auto& f : fields) {
    if (std::string_view(f.name) == name) return f.descriptor;
  }
  throw std::logic_error(std::string("no archetype field ") + name);
}

// The primary field's name, or nullptr.
template <typename A>
const char* primary_field() {
  for (const auto& f : A::fields()) {
    if (f.primary) return f.name;
  }
  return nullptr;
}

// Whether the field's batch has its own count (not checked against the primary).
template <typename A>
bool own_count(const char* field) {
  for (const auto& f : A::fields()) {
    if (std::string_view(f.name) == field) return f.own_count;
  }
  return false;
}

// Fills one archetype from Python values, field by field, then checks instance counts the
// way the C++ collect() does (so that errors surface at construction, not at log time).
template <typename A>
class Builder {
 public:
  Builder() : a_(std::make_unique<Arch<A>>()) {}

  template <typename T>
  Builder& set(Collection<T> A::*member, const char* field, py::handle value) {
    if (value.is_none()) return *this;
    Collection<T> c = to_collection<T>(value, Where{A::kName, field}, a_->keep);
    a_->counts.emplace_back(field, c.size());
    a_->payload_bytes += payload_of(c);
    a_->value.*member = std::move(c);
    return *this;
  }
  A& value() { return a_->value; }
  Keep& keep() { return a_->keep; }
  // Records a field set by hand (b.value().field = ...): its count and payload bytes.
  Builder& note(const char* field, size_t count, size_t bytes = 0) {
    a_->counts.emplace_back(field, count);
    a_->payload_bytes += bytes;
    return *this;
  }

  // Checks the counts against the archetype's primary field (if it has one and it was given).
  std::unique_ptr<Arch<A>> finish() {
    const char* primary = primary_field<A>();
    if (primary) {
      size_t n = 0;
      bool has = false;
      for (auto& [f, c] : a_->counts) {
        if (std::string_view(f) == primary) {
          n = c;
          has = true;
        }
      }
      if (has) {
        for (auto& [f, c] : a_->counts) {
          if (c <= 1 || c == n || own_count<A>(f)) continue;
          value_error(std::string(A::kName) + ": " + std::to_string(n) + " " + primary + " but " +
                      std::to_string(c) + " " + f + " (expected " + std::to_string(n) +
                      ", or 1 to apply one value to all)");
        }
      }
    }
    return std::move(a_);
  }

 private:
  std::unique_ptr<Arch<A>> a_;
};

// One field of archetype A as Python sees it: its name and how a value is stored.
template <typename A>
struct PyField {
  const char* name;
  std::function<void(Builder<A>&, py::handle)> set;
  std::function<void()> register_column;  // adds the field's columns() maker
};

// columns(): one component column per keyword argument, one instance per row.
using ColumnMaker = std::function<ComponentColumn(py::handle, Keep&)>;
std::map<std::string, std::map<std::string, ColumnMaker>>& column_makers();

template <typename A, typename T>
PyField<A> field(Collection<T> A::*member, const char* name) {
  PyField<A> f;
  f.name = name;
  f.set = [member, name](Builder<A>& b, py::handle value) { b.set(member, name, value); };
  f.register_column = [name] {
    const ComponentDescriptor descriptor = descriptor_of(A::fields(), name);
    column_makers()[A::kName][name] = [descriptor, name](py::handle value, Keep& keep) {
      Collection<T> c = to_collection<T>(value, Where{A::kName, name}, keep);
      arrow::ArrayPtr values;
      {
        // The collection reads numpy memory that `keep` holds; no Python object is touched.
        MaybeReleaseGil release(payload_of(c) >= kReleaseGilBytes);
        values = ComponentBatch::from<T>(descriptor, c.span()).to_arrow();
      }
      return ComponentColumn{descriptor, ListColumn::unit(values)};
    };
  };
  return f;
}

template <typename A>
void column_fields(const std::vector<PyField<A>>& fields) {
  for (const auto& f : fields) f.register_column();
}

using ArchetypeClass = py::class_<PyArchetype>;
template <typename A>
using PyClass = py::class_<Arch<A>, PyArchetype>;

// The Python class for archetype A, with columns() and archetype_fields().
template <typename A>
PyClass<A> bind(py::module_& m, const char* doc) {
  PyClass<A> cls(m, A::kName, doc);
  cls.def_static(
      "columns", [](py::kwargs kw) { return archetype_columns(A::kName, kw); },
      "Component columns for send_columns: each keyword is a field, one instance per row "
      "(use .partition(lengths) to group instances into rows).");
  cls.def_static("archetype_fields", [] {
    std::vector<std::string> names;
    for (const auto& f : A::fields()) names.emplace_back(f.name);
    return names;
  });
  return cls;
}

std::string field_list(const std::vector<ArchetypeField>& fields);

// The generated constructor: A(required..., *, optional=None...), or all keyword-only. The
// errors name the archetype and the argument, as Python's own do for functions.
template <typename A>
void generic_init(PyClass<A>& cls, const std::vector<PyField<A>>& fields, bool keyword_only) {
  std::vector<size_t> positional, required_keywords;
  for (size_t i = 0; i < fields.size(); ++i) {
    bool required = false;
    for (const auto& f : A::fields()) {
      if (std::string_view(f.name) == fields[i].name) required = f.required;
    }
    if (required) (keyword_only ? required_keywords : positional).push_back(i);
  }
  cls.def(py::init([fields, positional, required_keywords](py::args args, py::kwargs kwargs) {
    const std::string name = A::kName;
    if (args.size() > positional.size()) {
      type_error(name + "() takes " + std::to_string(positional.size()) +
                 " positional argument(s) but " + std::to_string(args.size()) + " were given");
    }
    Builder<A> b;
    std::vector<bool> given(fields.size(), false);
    for (size_t i = 0; i < args.size(); ++i) {
      fields[positional[i]].set(b, args[i]);
      given[positional[i]] = true;
    }
    for (auto [key, value] : kwargs) {
      const std::string k = py::str(key);
      size_t i = 0;
      while (i < fields.size() && k != fields[i].name) ++i;
      if (i == fields.size()) {
        type_error(name + "() got an unexpected keyword argument '" + k +
                   "' (fields: " + field_list(A::fields()) + ")");
      }
      if (given[i]) type_error(name + "() got multiple values for argument '" + k + "'");
      fields[i].set(b, value);
      given[i] = true;
    }
    for (size_t i : positional) {
      if (!given[i]) {
        type_error(name + "() missing required argument '" + fields[i].name + "'");
      }
    }
    for (size_t i : required_keywords) {
      if (!given[i]) {
        type_error(name + "() missing required keyword argument '" + std::string(fields[i].name) +
                   "'");
      }
    }
    return b.finish();
  }));
}

// ---- constructors that take more than the fields (python_init = "ext")

// The arguments an ext constructor's body handles, by name (None when not given).
class ExtArgs {
 public:
  py::handle operator[](std::string_view name) const {
    for (const auto& [n, v] : given_) {
      if (n == name) return v;
    }
    return py::none();
  }
  bool has(std::string_view name) const { return !(*this)[name].is_none(); }
  void add(std::string name, py::handle value) { given_.emplace_back(std::move(name), value); }

 private:
  std::vector<std::pair<std::string, py::handle>> given_;
};

// How an ext constructor is called: `positional` may be given by position (in this order),
// `required` must be given, `handled` are the names the body reads itself (extra arguments
// such as sizes=, and the fields it computes); every other keyword must be a field and is
// set as the generated constructors set it, after the body ran. An unknown keyword names
// itself in the TypeError, with the accepted ones.
struct ExtSignature {
  std::vector<std::string> positional;
  std::vector<std::string> required;
  std::vector<std::string> handled;
};

std::string ext_signature_text(const char* archetype, const ExtSignature& sig,
                               const std::vector<std::string>& fields);

template <typename A>
void ext_constructor(PyClass<A>& cls, const std::vector<PyField<A>>& fields, ExtSignature sig,
                     std::function<void(Builder<A>&, const ExtArgs&)> body) {
  std::vector<std::string> field_names;
  for (const auto& f : fields) field_names.emplace_back(f.name);
  const std::string doc = ext_signature_text(A::kName, sig, field_names);
  cls.def(
      py::init([fields, sig, body](py::args args, py::kwargs kwargs) {
        const std::string name = A::kName;
        auto accepted = [&] {
          std::string out;
          for (const auto& n : sig.handled) out += (out.empty() ? "" : ", ") + n;
          for (const auto& f : fields) {
            if (std::find(sig.handled.begin(), sig.handled.end(), f.name) == sig.handled.end()) {
              out += (out.empty() ? "" : ", ") + std::string(f.name);
            }
          }
          return out;
        };
        if (args.size() > sig.positional.size()) {
          type_error(name + "() takes " + std::to_string(sig.positional.size()) +
                     " positional argument(s) but " + std::to_string(args.size()) + " were given");
        }
        ExtArgs handled;
        std::vector<std::pair<size_t, py::handle>> generic;
        std::vector<std::string> given;
        auto take = [&](const std::string& k, py::handle value) {
          if (std::find(given.begin(), given.end(), k) != given.end()) {
            type_error(name + "() got multiple values for argument '" + k + "'");
          }
          given.push_back(k);
          if (std::find(sig.handled.begin(), sig.handled.end(), k) != sig.handled.end()) {
            handled.add(k, value);
            return;
          }
          for (size_t i = 0; i < fields.size(); ++i) {
            if (k == fields[i].name) {
              generic.emplace_back(i, value);
              return;
            }
          }
          type_error(name + "() got an unexpected keyword argument '" + k +
                     "' (arguments: " + accepted() + ")");
        };
        for (size_t i = 0; i < args.size(); ++i) take(sig.positional[i], args[i]);
        for (auto [key, value] : kwargs) take(py::str(key), value);
        for (const auto& r : sig.required) {
          if (std::find(given.begin(), given.end(), r) == given.end()) {
            type_error(name + "() missing required argument '" + r + "'");
          }
        }
        Builder<A> b;
        body(b, handled);
        for (auto& [i, value] : generic) fields[i].set(b, value);
        return b.finish();
      }),
      doc.c_str());
}

void ext_init(PyClass<Boxes2D>& cls, const std::vector<PyField<Boxes2D>>& fields);
void ext_init(PyClass<Boxes3D>& cls, const std::vector<PyField<Boxes3D>>& fields);
void ext_init(PyClass<Ellipsoids3D>& cls, const std::vector<PyField<Ellipsoids3D>>& fields);
void ext_init(PyClass<Transform3D>& cls, const std::vector<PyField<Transform3D>>& fields);
void ext_init(PyClass<Pinhole>& cls, const std::vector<PyField<Pinhole>>& fields);
void ext_init(PyClass<ViewCoordinates>& cls, const std::vector<PyField<ViewCoordinates>>& fields);
void ext_init(PyClass<Clear>& cls, const std::vector<PyField<Clear>>& fields);
void ext_init(PyClass<GeoPoints>& cls, const std::vector<PyField<GeoPoints>>& fields);
void ext_init(PyClass<GeoLineStrings>& cls, const std::vector<PyField<GeoLineStrings>>& fields);
// archetypes_images_ext.cpp: images, tensors, meshes and assets (bytes and arrays).
void ext_init(PyClass<Image>& cls, const std::vector<PyField<Image>>& fields);
void ext_init(PyClass<EncodedImage>& cls, const std::vector<PyField<EncodedImage>>& fields);
void ext_init(PyClass<DepthImage>& cls, const std::vector<PyField<DepthImage>>& fields);
void ext_init(PyClass<SegmentationImage>& cls,
              const std::vector<PyField<SegmentationImage>>& fields);
void ext_init(PyClass<Tensor>& cls, const std::vector<PyField<Tensor>>& fields);
void ext_init(PyClass<BarChart>& cls, const std::vector<PyField<BarChart>>& fields);
void ext_init(PyClass<Mesh3D>& cls, const std::vector<PyField<Mesh3D>>& fields);
void ext_init(PyClass<Asset3D>& cls, const std::vector<PyField<Asset3D>>& fields);

// archetypes_generated.cpp: every archetype class and columns() maker.
void register_generated_archetypes(py::module_& m);

}  // namespace reel::py_bindings
