// Python values -> the components of cameras, 2D overlays, shapes, graphs and maps, and the
// Python classes of the rotation values (rr.Quaternion, rr.RotationAxisAngle, rr.Angle).
//
// Enum components (FillMode, Colormap, TransformRelation, GraphType) take the enum member
// (rr.components.FillMode.Solid), its name in any case ("solid", "Solid") or its code, as
// Rerun's Python API does.
#include <cmath>

#include "convert_internal.hpp"

namespace reel::py_bindings {

using namespace detail;  // NOLINT(google-build-using-namespace): the shared building blocks

namespace {

bool is_sequence(py::handle v) { return PyList_Check(v.ptr()) || PyTuple_Check(v.ptr()); }

bool is_integer_scalar(py::handle v) {
  return is_int(v.ptr()) || py::isinstance(v, py::module_::import("numpy").attr("integer"));
}

// "densewireframe" == "DenseWireframe" == "dense_wireframe".
std::string fold(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '_' && c != '-' && c != ' ')
      out.push_back(char(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

template <typename E>
std::string enum_choices() {
  std::string out;
  for (const auto& v : EnumInfo<E>::kValues)
    out += (out.empty() ? "'" : ", '") + std::string(v.name) + "'";
  return out;
}

template <typename E>
E enum_value(py::handle v, const Where& w) {
  std::string name = enum_member_name(v);
  if (name.empty() && PyUnicode_Check(v.ptr())) name = std::string(utf8_view(v, w.field));
  if (!name.empty()) {
    for (const auto& e : EnumInfo<E>::kValues) {
      if (fold(name) == fold(e.name)) return E(e.code);
    }
  } else if (is_integer_scalar(v)) {
    const int64_t code = v.cast<int64_t>();
    if (code >= 0 && code <= 255 && enum_is_valid<E>(uint8_t(code))) return E(uint8_t(code));
  }
  value_error(w.str() + ": expected a " + EnumInfo<E>::kName + " (one of " + enum_choices<E>() +
              ", or its code), got " + std::string(py::repr(v)));
}

template <typename E>
Collection<E> enum_values(py::handle v, const Where& w) {
  if (!is_sequence(v) && !py::isinstance<py::array>(v)) return Collection<E>(enum_value<E>(v, w));
  std::vector<E> out;
  for (auto item : py::iter(v)) out.push_back(enum_value<E>(item, w));
  return Collection<E>(std::move(out));
}

bool bool_value(py::handle v, const Where& w) {
  if (PyBool_Check(v.ptr()) || py::isinstance(v, py::module_::import("numpy").attr("bool_"))) {
    return PyObject_IsTrue(v.ptr()) == 1;
  }
  type_error(w.str() + ": expected a bool, got " + type_name(v));
}

// Integers in [0, max], one per instance (a Python int, shape () or (N,)), as T.
template <typename T>
Collection<T> bounded_ids(py::handle v, const Where& w, int64_t max, const char* what) {
  auto check = [&](int64_t id) {
    if (id < 0 || id > max) {
      value_error(w.str() + ": " + what + " are in [0, " + std::to_string(max) + "], got " +
                  std::to_string(id));
    }
    return T(decltype(T{}.id)(id));
  };
  if (is_int(v.ptr())) return Collection<T>(check(v.cast<int64_t>()));
  py::array arr = number_array(v, w, true);
  if (arr.ndim() > 1)
    value_error(w.str() + ": expected an int or an array of shape (N,), got shape " +
                shape_string(arr));
  auto c = c_array<int64_t>(arr);
  std::vector<T> out;
  const size_t n = arr.ndim() == 0 ? 1 : size_t(arr.shape(0));
  for (size_t i = 0; i < n; ++i) out.push_back(check(c.data()[i]));
  return Collection<T>(std::move(out));
}

// A 3x3 matrix given row-major ((3, 3), (9,), or N of them), stored column-major.
template <typename T>
Collection<T> matrices3x3(py::handle v, const Where& w) {
  py::array arr = number_array(v, w);
  ssize_t n = -1;
  if ((arr.ndim() == 2 && arr.shape(0) == 3 && arr.shape(1) == 3) ||
      (arr.ndim() == 1 && arr.shape(0) == 9)) {
    n = 1;
  } else if ((arr.ndim() == 3 && arr.shape(1) == 3 && arr.shape(2) == 3) ||
             (arr.ndim() == 2 && arr.shape(1) == 9)) {
    n = arr.shape(0);
  }
  if (n < 0) {
    value_error(
        w.str() +
        ": expected a 3x3 matrix (row-major), shape (3, 3), (9,), (N, 3, 3) or (N, 9), got shape " +
        shape_string(arr));
  }
  auto f = c_array<float>(arr);
  std::vector<T> out{size_t(n)};
  for (size_t i = 0; i < size_t(n); ++i) {
    const float* rows = f.data() + i * 9;
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) out[i].m[size_t(c * 3 + r)] = rows[r * 3 + c];
    }
  }
  return Collection<T>(std::move(out));
}

GeoLineString geo_line_from(py::handle value, const Where& w, size_t index) {
  py::array arr = number_array(value, w);
  GeoLineString s;
  if (arr.ndim() == 1 && arr.shape(0) == 0) return s;
  if (arr.ndim() != 2 || arr.shape(1) != 2) {
    value_error(w.str() + ": line string " + std::to_string(index) +
                " must have shape (M, 2) (latitude, longitude), got shape " + shape_string(arr));
  }
  auto d = c_array<double>(arr);
  s.points.resize(size_t(arr.shape(0)));
  for (size_t i = 0; i < s.points.size(); ++i) s.points[i] = {d.data()[2 * i], d.data()[2 * i + 1]};
  return s;
}

}  // namespace

#define REEL_NUMBERS(T, V)                                                   \
  template <>                                                                \
  Collection<T> to_collection<T>(py::handle v, const Where& w, Keep& keep) { \
    return number_values<T, V>(v, w, keep);                                  \
  }
REEL_NUMBERS(DrawOrder, float)
REEL_NUMBERS(Opacity, float)
REEL_NUMBERS(ImagePlaneDistance, float)
REEL_NUMBERS(FillRatio, float)
REEL_NUMBERS(Length, float)
#undef REEL_NUMBERS

#define REEL_ROWS(T, V, D)                                                   \
  template <>                                                                \
  Collection<T> to_collection<T>(py::handle v, const Where& w, Keep& keep) { \
    return value_rows<T, V, D>(v, w, keep);                                  \
  }
REEL_ROWS(Vector2D, float, 2)
REEL_ROWS(Resolution, float, 2)
REEL_ROWS(Texcoord2D, float, 2)
REEL_ROWS(ValueRange, double, 2)
REEL_ROWS(LatLon, double, 2)
#undef REEL_ROWS

#define REEL_ENUMS(E)                                                   \
  template <>                                                           \
  Collection<E> to_collection<E>(py::handle v, const Where& w, Keep&) { \
    return enum_values<E>(v, w);                                        \
  }
REEL_ENUMS(FillMode)
REEL_ENUMS(TransformRelation)
REEL_ENUMS(Colormap)
REEL_ENUMS(GraphType)
#undef REEL_ENUMS

#define REEL_TEXTS(T)                                                   \
  template <>                                                           \
  Collection<T> to_collection<T>(py::handle v, const Where& w, Keep&) { \
    return texts<T>(v, w);                                              \
  }
REEL_TEXTS(TransformFrameId)
REEL_TEXTS(GraphNode)
#undef REEL_TEXTS

template <>
Collection<KeypointId> to_collection<KeypointId>(py::handle v, const Where& w, Keep&) {
  return bounded_ids<KeypointId>(v, w, 65535, "keypoint ids");
}

template <>
Collection<PinholeProjection> to_collection<PinholeProjection>(py::handle v, const Where& w,
                                                               Keep&) {
  return matrices3x3<PinholeProjection>(v, w);
}

template <>
Collection<ShowLabels> to_collection<ShowLabels>(py::handle v, const Where& w, Keep&) {
  if (!is_sequence(v) && !py::isinstance<py::array>(v))
    return Collection<ShowLabels>(ShowLabels(bool_value(v, w)));
  std::vector<ShowLabels> out;
  for (auto item : py::iter(v)) out.emplace_back(bool_value(item, w));
  return Collection<ShowLabels>(std::move(out));
}

template <>
Collection<TriangleIndices> to_collection<TriangleIndices>(py::handle v, const Where& w, Keep&) {
  py::array arr = number_array(v, w, true);
  ssize_t n = -1;
  if (arr.ndim() == 1 && arr.shape(0) == 3) {
    n = 1;
  } else if (arr.ndim() == 2 && arr.shape(1) == 3) {
    n = arr.shape(0);
  } else if (arr.ndim() == 1 && arr.shape(0) == 0) {
    n = 0;
  }
  if (n < 0)
    value_error(w.str() + ": expected vertex indices of shape (M, 3), got shape " +
                shape_string(arr));
  auto c = c_array<int64_t>(arr);
  std::vector<TriangleIndices> out(static_cast<size_t>(n));
  for (size_t i = 0; i < size_t(n) * 3; ++i) {
    const int64_t index = c.data()[i];
    if (index < 0 || index > int64_t(UINT32_MAX)) {
      value_error(w.str() + ": vertex indices are in [0, 2**32), got " + std::to_string(index));
    }
    TriangleIndices& t = out[i / 3];
    (i % 3 == 0 ? t.a : i % 3 == 1 ? t.b : t.c) = uint32_t(index);
  }
  return Collection<TriangleIndices>(std::move(out));
}

template <>
Collection<AlbedoFactor> to_collection<AlbedoFactor>(py::handle v, const Where& w, Keep&) {
  std::vector<AlbedoFactor> out;
  for (const Color& c : colors(v, w)) out.emplace_back(c);
  return Collection<AlbedoFactor>(std::move(out));
}

template <>
Collection<RotationQuat> to_collection<RotationQuat>(py::handle v, const Where& w, Keep& keep) {
  if (py::isinstance<RotationQuat>(v)) return Collection<RotationQuat>(v.cast<RotationQuat>());
  if (is_sequence(v) && py::len(v) > 0 &&
      py::isinstance<RotationQuat>(py::sequence(py::reinterpret_borrow<py::object>(v))[0])) {
    std::vector<RotationQuat> out;
    for (auto item : py::iter(v)) {
      if (!py::isinstance<RotationQuat>(item))
        type_error(w.str() + ": expected rr.Quaternion, got " + type_name(item));
      out.push_back(item.cast<RotationQuat>());
    }
    return Collection<RotationQuat>(std::move(out));
  }
  return float_rows<RotationQuat, 4>(v, w, keep);
}

template <>
Collection<RotationAxisAngle> to_collection<RotationAxisAngle>(py::handle v, const Where& w,
                                                               Keep&) {
  if (py::isinstance<RotationAxisAngle>(v))
    return Collection<RotationAxisAngle>(v.cast<RotationAxisAngle>());
  if (is_sequence(v)) {
    std::vector<RotationAxisAngle> out;
    for (auto item : py::iter(v)) {
      if (!py::isinstance<RotationAxisAngle>(item)) {
        type_error(w.str() + ": expected rr.RotationAxisAngle, got " + type_name(item));
      }
      out.push_back(item.cast<RotationAxisAngle>());
    }
    return Collection<RotationAxisAngle>(std::move(out));
  }
  type_error(w.str() + ": expected rr.RotationAxisAngle(axis, angle) or a list of them, got " +
             type_name(v));
}

template <>
Collection<GraphEdge> to_collection<GraphEdge>(py::handle v, const Where& w, Keep&) {
  auto pair = [&](py::handle item, size_t i) {
    if (!is_sequence(item) || py::len(item) != 2) {
      type_error(w.str() + ": edge " + std::to_string(i) +
                 " must be a (first, second) pair of node ids, got " + std::string(py::repr(item)));
    }
    auto seq = py::reinterpret_borrow<py::sequence>(item);
    for (int k = 0; k < 2; ++k) {
      if (!PyUnicode_Check(seq[size_t(k)].ptr())) {
        type_error(w.str() + ": edge " + std::to_string(i) + ": node ids are str, got " +
                   type_name(seq[size_t(k)]));
      }
    }
    return GraphEdge{std::string(utf8_view(seq[0], w.field)),
                     std::string(utf8_view(seq[1], w.field))};
  };
  if (!is_sequence(v))
    type_error(w.str() + ": expected a list of (first, second) node id pairs, got " + type_name(v));
  // One pair of strings is one edge.
  if (py::len(v) == 2 && PyUnicode_Check(py::reinterpret_borrow<py::sequence>(v)[0].ptr())) {
    return Collection<GraphEdge>(pair(v, 0));
  }
  std::vector<GraphEdge> out;
  size_t i = 0;
  for (auto item : py::iter(v)) out.push_back(pair(item, i++));
  return Collection<GraphEdge>(std::move(out));
}

// Line strings: one (M, 2) array; (K, M, 2) for K strings of M points; or a list of (M_i, 2).
template <>
Collection<GeoLineString> to_collection<GeoLineString>(py::handle v, const Where& w, Keep& keep) {
  std::vector<GeoLineString> out;
  if (is_sequence(v)) {
    PyObject* r = PyObject_CallOneArg(numpy_asarray(), v.ptr());
    bool rectangular = false;
    py::array arr;
    if (r) {
      arr = py::reinterpret_steal<py::array>(r);
      const char k = arr.dtype().kind();
      rectangular = k == 'f' || k == 'i' || k == 'u';
    } else {
      PyErr_Clear();  // ragged: string by string
    }
    if (!rectangular) {
      size_t i = 0;
      for (auto item : py::iter(v)) out.push_back(geo_line_from(item, w, i++));
      return Collection<GeoLineString>(std::move(out));
    }
    return to_collection<GeoLineString>(arr, w, keep);
  }
  py::array arr = number_array(v, w);
  if (arr.ndim() == 2) {
    out.push_back(geo_line_from(arr, w, 0));
  } else if (arr.ndim() == 3 && arr.shape(2) == 2) {
    for (ssize_t i = 0; i < arr.shape(0); ++i)
      out.push_back(geo_line_from(arr[py::int_(i)], w, size_t(i)));
  } else if (!(arr.ndim() == 1 && arr.shape(0) == 0)) {
    value_error(w.str() +
                ": expected one line string of shape (M, 2), (K, M, 2) or a list of (M, 2) arrays, "
                "got shape " +
                shape_string(arr));
  }
  return Collection<GeoLineString>(std::move(out));
}

// ---------------------------------------------------------------------------------------

namespace {

struct Angle {
  double radians = 0;
};

float angle_radians(py::handle angle, const Where& w) {
  if (py::isinstance<Angle>(angle)) return float(angle.cast<Angle>().radians);
  if (is_number(angle.ptr())) return float(angle.cast<double>());
  type_error(w.str() + ": an angle is rr.Angle or a number of radians, got " + type_name(angle));
}

}  // namespace

void register_rotation_types(py::module_& m) {
  py::class_<Angle>(m, "Angle", "An angle: Angle(rad=...) or Angle(deg=...), stored in radians.")
      .def(py::init([](py::handle rad, py::handle deg) {
             if (rad.is_none() == deg.is_none())
               value_error("Angle: give exactly one of rad= and deg=");
             Angle a;
             a.radians = rad.is_none() ? deg.cast<double>() * M_PI / 180.0 : rad.cast<double>();
             return a;
           }),
           py::arg("rad") = py::none(), py::arg("deg") = py::none())
      .def_readonly("radians", &Angle::radians)
      .def("__float__", [](const Angle& a) { return a.radians; })
      .def("__repr__",
           [](const Angle& a) { return "Angle(rad=" + std::to_string(a.radians) + ")"; });

  py::class_<RotationQuat>(m, "Quaternion", "A rotation quaternion: Quaternion(xyzw=[x, y, z, w]).")
      .def(py::init([](py::handle xyzw) {
             Keep keep;
             auto q = float_rows<RotationQuat, 4>(xyzw, Where{"Quaternion", "xyzw"}, keep);
             if (q.size() != 1)
               value_error("Quaternion: xyzw is 4 numbers, got " + std::to_string(q.size()) +
                           " rows");
             return q[0];
           }),
           py::kw_only(), py::arg("xyzw"))
      .def_static("identity", [] { return RotationQuat::identity(); })
      .def_static("invalid",
                  [] {
                    return RotationQuat{0, 0, 0, 0};
                  })
      .def_property_readonly("xyzw",
                             [](const RotationQuat& q) {
                               return std::vector<float>{q.x, q.y, q.z, q.w};
                             })
      .def("__repr__", [](const RotationQuat& q) {
        return "Quaternion(xyzw=[" + std::to_string(q.x) + ", " + std::to_string(q.y) + ", " +
               std::to_string(q.z) + ", " + std::to_string(q.w) + "])";
      });

  py::class_<RotationAxisAngle>(
      m, "RotationAxisAngle",
      "A rotation about an axis: RotationAxisAngle(axis, angle) with angle an rr.Angle "
      "or radians, or RotationAxisAngle(axis, radians=...) / degrees=....")
      .def(py::init([](py::handle axis, py::handle angle, py::handle radians, py::handle degrees) {
             const Where w{"RotationAxisAngle", "angle"};
             if (!angle.is_none() + !radians.is_none() + !degrees.is_none() != 1) {
               value_error("RotationAxisAngle: give exactly one of angle, radians= and degrees=");
             }
             Keep keep;
             auto a = float_rows<Vector3D, 3>(axis, Where{"RotationAxisAngle", "axis"}, keep);
             if (a.size() != 1) value_error("RotationAxisAngle: the axis is 3 numbers");
             RotationAxisAngle r;
             r.axis = a[0];
             if (!angle.is_none()) {
               r.angle = angle_radians(angle, w);
             } else if (!radians.is_none()) {
               r.angle = float(radians.cast<double>());
             } else {
               r.angle = float(degrees.cast<double>() * M_PI / 180.0);
             }
             return r;
           }),
           py::arg("axis"), py::arg("angle") = py::none(), py::kw_only(),
           py::arg("radians") = py::none(), py::arg("degrees") = py::none())
      .def_property_readonly("axis",
                             [](const RotationAxisAngle& r) {
                               return std::vector<float>{r.axis.x, r.axis.y, r.axis.z};
                             })
      .def_property_readonly("angle", [](const RotationAxisAngle& r) { return Angle{r.angle}; })
      .def("__repr__", [](const RotationAxisAngle& r) {
        return "RotationAxisAngle(axis=[" + std::to_string(r.axis.x) + ", " +
               std::to_string(r.axis.y) + ", " + std::to_string(r.axis.z) +
               "], angle=Angle(rad=" + std::to_string(r.angle) + "))";
      });
}

}  // namespace reel::py_bindings
