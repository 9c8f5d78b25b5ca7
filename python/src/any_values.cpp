// rr.AnyValues and rr.DynamicArchetype: arbitrary named columns, as Rerun 0.33 logs them.
//
// rr.AnyValues(speed=1.0, label="x") logs one component per keyword whose descriptor has no
// archetype and no component type, only the name (Rerun's ComponentDescriptor(component=
// "speed")): the column is `speed` within the entity, `/entity:speed` in a dataframe.
// rr.DynamicArchetype("MyArchetype", components={...}) groups them under an archetype name
// (`/entity:MyArchetype:speed`). Values become Arrow arrays the way pyarrow.array reads them:
// bool, int (int64), float (float64), str (utf8), bytes (binary), numpy arrays of those
// kinds (their own dtype), lists of them, or anything with __arrow_c_array__. As in Rerun, a
// component keeps the type it was first logged with: later numbers are cast to it, other
// changes are a TypeError; None (and empty lists, which have no type) are dropped unless
// drop_untyped_nones=False.
#include <map>
#include <mutex>

#include "archetypes.hpp"
#include "capsule.hpp"
#include "convert_internal.hpp"

namespace reel::py_bindings {

namespace {

class PyAnyValues final : public PyArchetype {
 public:
  const char* name() const override { return "AnyValues"; }
  void collect(ComponentBatchList& out) const override {
    for (const auto& b : batches) out.push(b);
  }
  std::string archetype;  // "" for AnyValues
  std::vector<ComponentBatch> batches;
};

// The first Arrow type each component was logged with (Rerun's ANY_VALUE_TYPE_REGISTRY).
std::map<ComponentDescriptor, arrow::TypePtr>& first_types() {
  static auto* m = new std::map<ComponentDescriptor, arrow::TypePtr>();
  return *m;
}

const char* numpy_dtype_of(arrow::TypeId id) {
  switch (id) {
    case arrow::TypeId::kBool:
      return "bool";
    case arrow::TypeId::kInt8:
      return "int8";
    case arrow::TypeId::kInt16:
      return "int16";
    case arrow::TypeId::kInt32:
      return "int32";
    case arrow::TypeId::kInt64:
      return "int64";
    case arrow::TypeId::kUInt8:
      return "uint8";
    case arrow::TypeId::kUInt16:
      return "uint16";
    case arrow::TypeId::kUInt32:
      return "uint32";
    case arrow::TypeId::kUInt64:
      return "uint64";
    case arrow::TypeId::kFloat16:
      return "float16";
    case arrow::TypeId::kFloat32:
      return "float32";
    case arrow::TypeId::kFloat64:
      return "float64";
    default:
      return nullptr;
  }
}

arrow::TypePtr arrow_type_of(const py::dtype& dtype, const std::string& where) {
  const char kind = dtype.kind();
  if (kind == 'b') return arrow::boolean();
  if (kind == 'u' || kind == 'i' || kind == 'f') {
    switch (datatype_of(dtype, Where{"AnyValues", where.c_str()})) {
      case ChannelDatatype::kU8:
        return arrow::uint8();
      case ChannelDatatype::kU16:
        return arrow::uint16();
      case ChannelDatatype::kU32:
        return arrow::uint32();
      case ChannelDatatype::kU64:
        return arrow::uint64();
      case ChannelDatatype::kI8:
        return arrow::int8();
      case ChannelDatatype::kI16:
        return arrow::int16();
      case ChannelDatatype::kI32:
        return arrow::int32();
      case ChannelDatatype::kI64:
        return arrow::int64();
      case ChannelDatatype::kF16:
        return arrow::float16();
      case ChannelDatatype::kF32:
        return arrow::float32();
      case ChannelDatatype::kF64:
        return arrow::float64();
    }
  }
  return nullptr;
}

arrow::ArrayPtr strings(py::handle items, bool binary, const std::string& where) {
  arrow::BinaryBuilder b(binary ? arrow::binary() : arrow::utf8());
  for (auto item : py::iter(items)) {
    if (item.is_none()) {
      b.append_null();
    } else if (binary) {
      char* data = nullptr;
      Py_ssize_t n = 0;
      py::bytes bytes = py::reinterpret_borrow<py::object>(item);
      if (PyBytes_AsStringAndSize(bytes.ptr(), &data, &n) != 0) throw py::error_already_set();
      b.append(data, size_t(n));
    } else {
      if (!PyUnicode_Check(item.ptr()))
        type_error("AnyValues." + where + ": mixed str and " + type_name(item));
      b.append(utf8_view(item, where.c_str()));
    }
  }
  return b.finish();
}

// A 1-D numeric or bool numpy array as a primitive Arrow array (copied).
arrow::ArrayPtr numbers(const py::array& in, const std::string& where) {
  if (in.ndim() > 1) {
    value_error("AnyValues." + where + ": expected one value or a 1-D array, got shape " +
                shape_string(in));
  }
  const arrow::TypePtr type = arrow_type_of(in.dtype(), where);
  if (!type)
    type_error("AnyValues." + where + ": cannot log values of dtype " + dtype_name(in.dtype()));
  auto c = py::array::ensure(in, py::array::c_style);
  if (!c) throw py::error_already_set();
  const int64_t n = c.ndim() == 0 ? 1 : int64_t(c.shape(0));
  if (type->id() == arrow::TypeId::kBool) {
    arrow::BooleanBuilder b;
    const auto* v = static_cast<const bool*>(c.data());
    for (int64_t i = 0; i < n; ++i) b.append(v[i]);
    return b.finish();
  }
  auto buffer = arrow::Buffer::copy_of(c.data(), size_t(c.nbytes()));
  return arrow::make_primitive_from_buffer(type, buffer, n);
}

// `value` as Arrow instances, or nullptr when it has no type (None, an empty list).
arrow::ArrayPtr to_arrow_values(py::handle value, const std::string& where) {
  PyObject* o = value.ptr();
  if (value.is_none()) return nullptr;
  if (py::hasattr(value, "__arrow_c_array__")) {
    py::tuple pair = value.attr("__arrow_c_array__")();
    auto field = check(arrow::import_field(schema_from_capsule(pair[0])));
    return check(arrow::import_array(array_from_capsule(pair[1]), field->type));
  }
  if (PyBool_Check(o)) {
    arrow::BooleanBuilder b;
    b.append(o == Py_True);
    return b.finish();
  }
  if (detail::is_int(o)) return arrow::make_primitive<int64_t>({value.cast<int64_t>()});
  if (PyFloat_Check(o)) return arrow::make_primitive<double>({PyFloat_AS_DOUBLE(o)});
  if (PyUnicode_Check(o)) return strings(py::make_tuple(value), false, where);
  if (PyBytes_Check(o)) return strings(py::make_tuple(value), true, where);
  if (PyByteArray_Check(o))
    return strings(py::make_tuple(py::bytes(py::reinterpret_borrow<py::object>(value))), true,
                   where);
  if (PyList_Check(o) || PyTuple_Check(o)) {
    if (py::len(value) == 0) return nullptr;
    bool all_str = true, all_bytes = true;
    for (auto item : py::iter(value)) {
      all_str &= PyUnicode_Check(item.ptr()) || item.is_none();
      all_bytes &= PyBytes_Check(item.ptr()) || item.is_none();
    }
    if (all_str) return strings(value, false, where);
    if (all_bytes) return strings(value, true, where);
  }
  PyObject* r = PyObject_CallOneArg(detail::numpy_asarray(), o);
  if (!r) {
    py::error_already_set e;
    type_error("AnyValues." + where + ": cannot log " + type_name(value) + " (" + e.what() + ")");
  }
  auto arr = py::reinterpret_steal<py::array>(r);
  const char kind = arr.dtype().kind();
  if (kind == 'U') return strings(arr.attr("ravel")().attr("tolist")(), false, where);
  if (kind == 'S') return strings(arr.attr("ravel")().attr("tolist")(), true, where);
  return numbers(arr, where);
}

// Casts numbers to the type the component was first logged with (Rerun keeps one type per
// component); other changes of type are an error.
// Also gives the registry's TypePtr, which lives as long as the process (batches point at it).
std::pair<arrow::ArrayPtr, const arrow::TypePtr*> with_first_type(const ComponentDescriptor& d,
                                                                  arrow::ArrayPtr values,
                                                                  py::handle value) {
  static std::mutex mutex;  // the GIL is held, but keep the registry safe on its own
  std::lock_guard lock(mutex);
  auto [it, inserted] = first_types().emplace(d, values->type);
  if (inserted || it->second->equals(*values->type)) return {values, &it->second};
  const char* want = numpy_dtype_of(it->second->id());
  if (want && numpy_dtype_of(values->type->id())) {
    py::array cast = py::module_::import("numpy").attr("asarray")(value).attr("astype")(want);
    return {numbers(cast, d.field()), &it->second};
  }
  type_error("AnyValues." + d.field() + ": was first logged as " + it->second->to_string() +
             ", now " + values->type->to_string() + " (a component keeps one type)");
}

void add(PyAnyValues& a, const ComponentDescriptor& d, py::handle value, bool drop_untyped_nones) {
  arrow::ArrayPtr values = to_arrow_values(value, d.field());
  if (!values) {
    if (drop_untyped_nones) return;
    value_error("AnyValues." + d.field() +
                ": None or an empty list has no type to log (drop_untyped_nones=True "
                "drops it)");
  }
  auto [typed, type] = with_first_type(d, std::move(values), value);
  values = std::move(typed);
  ComponentBatch b;
  b.descriptor = d;
  b.type = type;
  b.num_instances = values->length;
  b.array = values;
  a.counts.emplace_back(d.identifier().c_str(), size_t(values->length));
  a.payload_bytes += size_t(values->length) * 8;
  a.batches.push_back(std::move(b));
}

ComponentDescriptor descriptor(const std::string& archetype, const std::string& name,
                               const std::string& type = "") {
  if (name.empty()) value_error("AnyValues: component names must not be empty");
  return ComponentDescriptor(archetype, name, type);
}

}  // namespace

void register_any_values(py::module_& m) {
  py::class_<PyAnyValues, PyArchetype>(
      m, "AnyValues",
      "AnyValues(drop_untyped_nones=True, **kwargs): each keyword is a component of that name (no "
      "archetype), "
      "e.g. rr.AnyValues(speed=1.0, label=\"x\") -> columns /entity:speed and /entity:label.")
      .def(py::init([](bool drop_untyped_nones, py::kwargs kwargs) {
             auto a = std::make_unique<PyAnyValues>();
             for (auto [key, value] : kwargs)
               add(*a, descriptor("", py::str(key)), value, drop_untyped_nones);
             return a;
           }),
           py::arg("drop_untyped_nones") = true)
      .def(
          "with_component_from_data",
          [](PyAnyValues& self, const std::string& name, py::handle value,
             bool drop_untyped_nones) -> PyAnyValues& {
            add(self, descriptor(self.archetype, name), value, drop_untyped_nones);
            return self;
          },
          py::arg("descriptor"), py::arg("value"), py::kw_only(),
          py::arg("drop_untyped_nones") = true, py::return_value_policy::reference_internal)
      .def(
          "with_component_override",
          [](PyAnyValues& self, const std::string& field, const std::string& component_type,
             py::handle value, bool drop_untyped_nones) -> PyAnyValues& {
            add(self, descriptor(self.archetype, field, component_type), value, drop_untyped_nones);
            return self;
          },
          py::arg("field"), py::arg("component_type"), py::arg("value"), py::kw_only(),
          py::arg("drop_untyped_nones") = true, py::return_value_policy::reference_internal)
      .def_property_readonly("component_names",
                             [](const PyAnyValues& a) {
                               std::vector<std::string> out;
                               for (const auto& b : a.batches)
                                 out.push_back(b.descriptor.identifier());
                               return out;
                             })
      .def_static(
          "columns",
          [](bool drop_untyped_nones, py::kwargs kwargs) {
            PyComponentColumns out;
            int64_t rows = -1;
            for (auto [key, value] : kwargs) {
              const ComponentDescriptor d = descriptor("", py::str(key));
              arrow::ArrayPtr values = to_arrow_values(value, d.field());
              if (!values) {
                if (drop_untyped_nones) continue;
                value_error("AnyValues.columns: " + d.field() + " has no type to log");
              }
              values = with_first_type(d, std::move(values), value).first;
              if (rows >= 0 && values->length != rows) {
                value_error("AnyValues.columns: " + d.field() + " has " +
                            std::to_string(values->length) + " values but the first column has " +
                            std::to_string(rows));
              }
              rows = values->length;
              out.columns.push_back({d, ListColumn::unit(values)});
            }
            return out;
          },
          py::arg("drop_untyped_nones") = true,
          "Columns for send_columns: each keyword one component, one value per row "
          "(.partition(lengths) to "
          "group them).");

  m.def(
      "DynamicArchetype",
      [](const std::string& archetype, bool drop_untyped_nones, py::handle components) {
        auto a = std::make_unique<PyAnyValues>();
        a->archetype = archetype;
        if (!components.is_none()) {
          for (auto item : py::reinterpret_borrow<py::dict>(components)) {
            add(*a, descriptor(archetype, py::str(item.first)), item.second, drop_untyped_nones);
          }
        }
        return a;
      },
      py::arg("archetype"), py::arg("drop_untyped_nones") = true,
      py::arg("components") = py::none(),
      "Components grouped under an archetype name of your own: columns "
      "/entity:<archetype>:<name>.");
}

}  // namespace reel::py_bindings
