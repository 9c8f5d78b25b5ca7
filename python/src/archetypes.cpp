#include "archetypes.hpp"

#include "archetype_binding.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>

namespace reel::py_bindings {

std::map<std::string, std::map<std::string, ColumnMaker>>& column_makers() {
  static auto* m = new std::map<std::string, std::map<std::string, ColumnMaker>>();
  return *m;
}

std::string field_list(const std::vector<ArchetypeField>& fields) {
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

std::string ext_signature_text(const char* archetype, const ExtSignature& sig,
                               const std::vector<std::string>& fields) {
  auto listed = [](const std::vector<std::string>& v, const std::string& n) {
    return std::find(v.begin(), v.end(), n) != v.end();
  };
  std::vector<std::string> parts, keywords;
  for (const auto& p : sig.positional) parts.push_back(listed(sig.required, p) ? p : p + "=None");
  auto keyword = [&](const std::string& n) {
    if (listed(sig.positional, n) || listed(keywords, n)) return;
    keywords.push_back(n);
  };
  for (const auto& h : sig.handled) keyword(h);
  for (const auto& f : fields) keyword(f);
  if (!keywords.empty()) parts.push_back("*");
  for (const auto& k : keywords) parts.push_back(listed(sig.required, k) ? k : k + "=None");
  std::string out = std::string(archetype) + "(";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out + ")";
}

PyComponentColumns archetype_columns(const std::string& archetype, const py::kwargs& fields) {
  auto it = column_makers().find(archetype);
  if (it == column_makers().end()) value_error(archetype + " has no columns()");
  PyComponentColumns out;
  Keep keep;
  int64_t rows = -1;
  std::string first;
  for (auto [key, value] : fields) {
    std::string name = py::str(key);
    if (value.is_none()) continue;
    auto m = it->second.find(name);
    if (m == it->second.end()) {
      std::string known;
      for (const auto& [k, _] : it->second) known += (known.empty() ? "" : ", ") + k;
      type_error(archetype + ".columns() got an unexpected field '" + name + "' (fields: " + known +
                 ")");
    }
    ComponentColumn c = m->second(value, keep);
    if (rows >= 0 && c.list.length() != rows) {
      value_error(archetype + ".columns(): " + name + " has " + std::to_string(c.list.length()) +
                  " values but " + first + " has " + std::to_string(rows));
    }
    if (rows < 0) {
      rows = c.list.length();
      first = name;
    }
    out.columns.push_back(std::move(c));
  }
  if (out.columns.empty()) value_error(archetype + ".columns() needs at least one field");
  return out;
}

void register_archetypes(py::module_& m) {
  py::class_<PyArchetype>(m, "Archetype",
                          "Base class of every archetype (rr.Points3D, rr.Image, ...).")
      .def_property_readonly("archetype_name", [](const PyArchetype& a) { return a.name(); })
      .def("__repr__", [](const PyArchetype& a) {
        std::string s = std::string(a.name()) + "(";
        for (size_t i = 0; i < a.counts.size(); ++i) {
          s += (i ? ", " : "") + std::string(a.counts[i].first) + "=" +
               std::to_string(a.counts[i].second);
        }
        return s + ")";
      });

  py::class_<PyComponentColumns>(m, "ComponentColumnList",
                                 "Component columns for send_columns, from <Archetype>.columns().")
      .def("__len__", [](const PyComponentColumns& c) { return c.columns.size(); })
      .def_property_readonly("num_rows",
                             [](const PyComponentColumns& c) {
                               return c.columns.empty() ? 0 : c.columns[0].list.length();
                             })
      .def_property_readonly("names",
                             [](const PyComponentColumns& c) {
                               std::vector<std::string> out;
                               for (const auto& col : c.columns)
                                 out.push_back(col.descriptor.identifier());
                               return out;
                             })
      .def(
          "partition",
          [](const PyComponentColumns& self, py::handle lengths) {
            py::array arr = number_array(lengths, Where{"ComponentColumnList", "lengths"}, true);
            auto l = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(arr);
            if (!l || l.ndim() != 1)
              value_error("partition(lengths): expected a 1-D array of row lengths");
            std::vector<int32_t> offsets = {0};
            int64_t total = 0;
            for (ssize_t i = 0; i < l.shape(0); ++i) {
              int64_t n = l.data()[i];
              if (n < 0)
                value_error("partition(lengths): negative length at index " + std::to_string(i));
              total += n;
              if (total > INT32_MAX) value_error("partition(lengths): more than 2**31 instances");
              offsets.push_back(int32_t(total));
            }
            PyComponentColumns out;
            for (const auto& c : self.columns) {
              if (!c.list.is_unit() || c.list.length() != total) {
                value_error("partition(lengths): the lengths add up to " + std::to_string(total) +
                            " but " + c.descriptor.identifier() + " has " +
                            std::to_string(c.list.length()) + " instances" +
                            (c.list.is_unit() ? "" : " (already partitioned)"));
              }
              auto list = ListColumn::with_offsets(
                  c.list.values(), arrow::Buffer::copy_of(offsets.data(), offsets.size() * 4),
                  int64_t(offsets.size() - 1));
              out.columns.push_back({c.descriptor, check(std::move(list))});
            }
            return out;
          },
          py::arg("lengths"),
          "Groups the instances into rows of the given lengths (which must add up to N).")
      .def("__add__", [](const PyComponentColumns& a, const PyComponentColumns& b) {
        PyComponentColumns out = a;
        out.columns.insert(out.columns.end(), b.columns.begin(), b.columns.end());
        return out;
      });

  register_generated_archetypes(m);
}

}  // namespace reel::py_bindings
