// The archetype constructors that take more than their fields, as Rerun's Python API has
// them: boxes from sizes, mins or an array in a Box2DFormat, rotations given as rr.Quaternion
// or rr.RotationAxisAngle, ellipsoids from radii, pinholes from focal lengths, geo
// coordinates as lat_lon=, view-coordinate constants and Clear. Each goes through
// ext_constructor (archetype_binding.hpp): the arguments named here are handled by the body,
// every other keyword is a field set as the generated constructors set it, and an unknown
// keyword names itself in the error. Images, tensors, meshes and assets are in
// archetypes_images_ext.cpp; everything else is generated (archetypes_generated.cpp).
#include <algorithm>
#include <cmath>
#include <optional>

#include "archetype_binding.hpp"
#include "convert_internal.hpp"

namespace reel::py_bindings {

namespace {

py::object half(py::handle sizes, const char* archetype) {
  return py::reinterpret_borrow<py::object>(number_array(sizes, Where{archetype, "sizes"})) *
         py::float_(0.5);
}

py::object object(py::handle h) { return py::reinterpret_borrow<py::object>(h); }

// Boxes' half sizes and centers from half_sizes= or sizes=, and centers= or mins=.
template <typename A>
void box_extents(Builder<A>& b, const ExtArgs& a) {
  if (a.has("half_sizes") == a.has("sizes"))
    value_error(std::string(A::kName) + ": give exactly one of half_sizes and sizes");
  if (a.has("centers") && a.has("mins"))
    value_error(std::string(A::kName) + ": give centers or mins, not both");
  py::object h = a.has("half_sizes") ? object(a["half_sizes"]) : half(a["sizes"], A::kName);
  py::object c = a.has("mins") ? object(number_array(a["mins"], Where{A::kName, "mins"})) + h
                               : object(a["centers"]);
  b.set(&A::half_sizes, "half_sizes", h).set(&A::centers, "centers", c);
}

// The float rows of `value` as an (N, D) float64 array.
py::array_t<double> rows_of(py::handle value, const Where& w, ssize_t d) {
  py::array arr = number_array(value, w);
  auto f = detail::c_array<double>(arr);
  if (f.ndim() == 1 && f.shape(0) == d) f = f.reshape({ssize_t(1), d});
  if (f.ndim() == 1 && f.shape(0) == 0) f = f.reshape({ssize_t(0), d});
  if (f.ndim() != 2 || f.shape(1) != d) {
    value_error(w.str() + ": expected an array of shape (N, " + std::to_string(d) +
                "), got shape " + shape_string(f));
  }
  return f;
}

// Boxes2D(array=..., array_format=rr.Box2DFormat.XYWH): Rerun's six layouts of [a, b, c, d].
void boxes_from_array(Builder<Boxes2D>& b, const ExtArgs& a) {
  for (const char* other : {"half_sizes", "sizes", "mins", "centers"}) {
    if (a.has(other)) value_error(std::string("Boxes2D: give array= or ") + other + "=, not both");
  }
  if (!a.has("array_format"))
    value_error("Boxes2D: array= needs array_format= (an rr.Box2DFormat)");
  std::string format = detail::enum_member_name(a["array_format"]);
  if (format.empty() && PyUnicode_Check(a["array_format"].ptr()))
    format = std::string(utf8_view(a["array_format"], "array_format"));
  std::transform(format.begin(), format.end(), format.begin(),
                 [](unsigned char c) { return char(std::toupper(c)); });
  auto rows = rows_of(a["array"], Where{"Boxes2D", "array"}, 4);
  std::vector<HalfSize2D> halves;
  std::vector<Position2D> centers;
  for (ssize_t i = 0; i < rows.shape(0); ++i) {
    const double* r = rows.data() + i * 4;
    double cx, cy, hx, hy;
    if (format == "XYWH" || format == "YXHW") {
      const bool yx = format == "YXHW";
      const double x = yx ? r[1] : r[0], y = yx ? r[0] : r[1], w = yx ? r[3] : r[2],
                   h = yx ? r[2] : r[3];
      hx = w / 2, hy = h / 2, cx = x + hx, cy = y + hy;
    } else if (format == "XYXY" || format == "YXYX") {
      const bool yx = format == "YXYX";
      const double x0 = yx ? r[1] : r[0], y0 = yx ? r[0] : r[1], x1 = yx ? r[3] : r[2],
                   y1 = yx ? r[2] : r[3];
      cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, hx = x1 - cx, hy = y1 - cy;
    } else if (format == "XCYCWH") {
      cx = r[0], cy = r[1], hx = r[2] / 2, hy = r[3] / 2;
    } else if (format == "XCYCW2H2") {
      cx = r[0], cy = r[1], hx = r[2], hy = r[3];
    } else {
      value_error("Boxes2D: unknown array_format " + std::string(py::repr(a["array_format"])) +
                  " (XYWH, YXHW, XYXY, YXYX, XCYCWH, XCYCW2H2)");
    }
    halves.push_back({float(hx), float(hy)});
    centers.push_back({float(cx), float(cy)});
  }
  const size_t n = halves.size();
  b.value().half_sizes = Collection<HalfSize2D>(std::move(halves));
  b.value().centers = Collection<Position2D>(std::move(centers));
  b.note("half_sizes", n).note("centers", n);
}

// rotations=: quaternions (rr.Quaternion) or axis-angles (rr.RotationAxisAngle), one or a list.
bool is_axis_angle(py::handle rotation) {
  if (py::isinstance<RotationAxisAngle>(rotation)) return true;
  if ((PyList_Check(rotation.ptr()) || PyTuple_Check(rotation.ptr())) && py::len(rotation) > 0) {
    return py::isinstance<RotationAxisAngle>(py::reinterpret_borrow<py::sequence>(rotation)[0]);
  }
  return false;
}

template <typename A>
void rotations(Builder<A>& b, const ExtArgs& a, const char* rotation, const char* quaternion,
               const char* axis_angle, Collection<RotationQuat> A::*quaternions,
               Collection<RotationAxisAngle> A::*axis_angles) {
  if (a.has(rotation)) {
    if (a.has(quaternion) || a.has(axis_angle)) {
      value_error(std::string(A::kName) + ": " + rotation + "= can't be combined with " +
                  quaternion + "= or " + axis_angle + "=");
    }
    if (is_axis_angle(a[rotation])) {
      b.set(axis_angles, axis_angle, a[rotation]);
    } else {
      b.set(quaternions, quaternion, a[rotation]);
    }
    return;
  }
  b.set(quaternions, quaternion, a[quaternion]).set(axis_angles, axis_angle, a[axis_angle]);
}

double number(py::handle v, const char* what) {
  if (!detail::is_number(v.ptr()))
    type_error(std::string("Pinhole: ") + what + " must be a number, got " + type_name(v));
  return v.cast<double>();
}

// Two numbers (x, y), or one for both.
std::pair<double, double> pair_of(py::handle v, const char* what) {
  if (detail::is_number(v.ptr())) {
    double d = v.cast<double>();
    return {d, d};
  }
  py::array arr = number_array(v, Where{"Pinhole", what});
  auto f = detail::c_array<double>(arr);
  if (f.size() == 1) return {f.data()[0], f.data()[0]};
  if (f.size() != 2)
    value_error(std::string("Pinhole: ") + what + " is one or two numbers, got shape " +
                shape_string(arr));
  return {f.data()[0], f.data()[1]};
}

void warn(const std::string& message) {
  if (PyErr_WarnEx(PyExc_UserWarning, message.c_str(), 2) != 0) throw py::error_already_set();
}

}  // namespace

void ext_init(PyClass<Boxes2D>& cls, const std::vector<PyField<Boxes2D>>& fields) {
  ext_constructor<Boxes2D>(
      cls, fields, {{}, {}, {"half_sizes", "sizes", "centers", "mins", "array", "array_format"}},
      [](Builder<Boxes2D>& b, const ExtArgs& a) {
        if (a.has("array")) {
          boxes_from_array(b, a);
        } else {
          box_extents(b, a);
        }
      });
}

void ext_init(PyClass<Boxes3D>& cls, const std::vector<PyField<Boxes3D>>& fields) {
  ext_constructor<Boxes3D>(cls, fields,
                           {{},
                            {},
                            {"half_sizes", "sizes", "centers", "mins", "rotations", "quaternions",
                             "rotation_axis_angles"}},
                           [](Builder<Boxes3D>& b, const ExtArgs& a) {
                             box_extents(b, a);
                             rotations(b, a, "rotations", "quaternions", "rotation_axis_angles",
                                       &Boxes3D::quaternions, &Boxes3D::rotation_axis_angles);
                           });
}

// Ellipsoids3D(half_sizes=...) or Ellipsoids3D(radii=...) for spheres.
void ext_init(PyClass<Ellipsoids3D>& cls, const std::vector<PyField<Ellipsoids3D>>& fields) {
  ext_constructor<Ellipsoids3D>(
      cls, fields, {{}, {}, {"half_sizes", "radii"}},
      [](Builder<Ellipsoids3D>& b, const ExtArgs& a) {
        if (a.has("half_sizes") == a.has("radii"))
          value_error("Ellipsoids3D: give exactly one of half_sizes and radii");
        if (a.has("half_sizes")) {
          b.set(&Ellipsoids3D::half_sizes, "half_sizes", a["half_sizes"]);
          return;
        }
        Keep keep;
        auto radii =
            detail::number_values<Radius, float>(a["radii"], Where{"Ellipsoids3D", "radii"}, keep);
        std::vector<HalfSize3D> halves;
        for (const Radius& r : radii) halves.push_back({r.value, r.value, r.value});
        const size_t n = halves.size();
        b.value().half_sizes = Collection<HalfSize3D>(std::move(halves));
        b.note("half_sizes", n);
      });
}

// Transform3D(rotation=rr.Quaternion(...) or rr.RotationAxisAngle(...), ...).
void ext_init(PyClass<Transform3D>& cls, const std::vector<PyField<Transform3D>>& fields) {
  ext_constructor<Transform3D>(
      cls, fields, {{}, {}, {"rotation", "quaternion", "rotation_axis_angle"}},
      [](Builder<Transform3D>& b, const ExtArgs& a) {
        if (a.has("rotation") && !py::isinstance<RotationQuat>(a["rotation"]) &&
            !is_axis_angle(a["rotation"])) {
          value_error(
              "Transform3D: rotation must be an rr.Quaternion or an rr.RotationAxisAngle, got " +
              type_name(a["rotation"]));
        }
        rotations(b, a, "rotation", "quaternion", "rotation_axis_angle", &Transform3D::quaternion,
                  &Transform3D::rotation_axis_angle);
      });
}

// Pinhole(image_from_camera=...) or from focal_length, principal_point (default: the
// center), resolution or width/height, or fov_y and aspect_ratio; as Rerun computes them.
void ext_init(PyClass<Pinhole>& cls, const std::vector<PyField<Pinhole>>& fields) {
  ext_constructor<Pinhole>(
      cls, fields,
      {{},
       {},
       {"image_from_camera", "resolution", "width", "height", "focal_length", "principal_point",
        "fov_y", "aspect_ratio"}},
      [](Builder<Pinhole>& b, const ExtArgs& a) {
        std::optional<std::pair<double, double>> resolution;
        if (a.has("resolution")) {
          if (a.has("width") || a.has("height"))
            value_error("Pinhole: give resolution or width/height, not both");
          resolution = pair_of(a["resolution"], "resolution");
        } else if (a.has("width") && a.has("height")) {
          resolution = std::make_pair(number(a["width"], "width"), number(a["height"], "height"));
        } else if (a.has("width") || a.has("height")) {
          value_error("Pinhole: give both width and height");
        }
        if (a.has("image_from_camera")) {
          for (const char* other : {"focal_length", "principal_point", "fov_y", "aspect_ratio"}) {
            if (a.has(other))
              value_error(std::string("Pinhole: give image_from_camera or ") + other +
                          ", not both");
          }
          b.set(&Pinhole::image_from_camera, "image_from_camera", a["image_from_camera"]);
        } else {
          std::optional<std::pair<double, double>> focal;
          if (a.has("fov_y") != a.has("aspect_ratio"))
            value_error("Pinhole: fov_y and aspect_ratio go together");
          if (a.has("fov_y")) {
            const double f =
                0.5 / std::tan(std::max(number(a["fov_y"], "fov_y") * 0.5, 1.19209e-07));
            focal = std::make_pair(f, f);
            resolution = std::make_pair(number(a["aspect_ratio"], "aspect_ratio"), 1.0);
          }
          if (a.has("focal_length")) focal = pair_of(a["focal_length"], "focal_length");
          if (!focal) {
            if (!resolution) value_error("Pinhole: give image_from_camera or focal_length");
            warn(
                "Pinhole: neither image_from_camera nor focal_length given; using sqrt(width * "
                "height)");
            const double f = std::sqrt(resolution->first * resolution->second);
            focal = std::make_pair(f, f);
          }
          std::pair<double, double> center;
          if (a.has("principal_point")) {
            center = pair_of(a["principal_point"], "principal_point");
          } else if (resolution) {
            center = {resolution->first / 2, resolution->second / 2};
          } else {
            value_error("Pinhole: give principal_point, resolution or width/height");
          }
          b.value().image_from_camera = Collection<PinholeProjection>(
              PinholeProjection::from_intrinsics(float(focal->first), float(focal->second),
                                                 float(center.first), float(center.second)));
          b.note("image_from_camera", 1);
        }
        if (resolution) {
          b.value().resolution = Collection<Resolution>(
              Resolution{float(resolution->first), float(resolution->second)});
          b.note("resolution", 1);
        }
      });
}

// ViewCoordinates(xyz) and its constants.
void ext_init(PyClass<ViewCoordinates>& cls, const std::vector<PyField<ViewCoordinates>>& fields) {
  ext_constructor<ViewCoordinates>(cls, fields, {{"xyz"}, {"xyz"}, {}},
                                   [](Builder<ViewCoordinates>&, const ExtArgs&) {});
  cls.def_property_readonly("xyz", [](const Arch<ViewCoordinates>& a) {
    const auto& axes = a.value.xyz[0].axes;
    return std::vector<int>{axes[0], axes[1], axes[2]};
  });
  const std::pair<const char*, const ViewCoordinates*> constants[] = {
      {"RIGHT_HAND_Z_UP", &ViewCoordinates::RIGHT_HAND_Z_UP},
      {"RIGHT_HAND_Y_UP", &ViewCoordinates::RIGHT_HAND_Y_UP},
      {"RDF", &ViewCoordinates::RDF},
      {"RUB", &ViewCoordinates::RUB},
      {"FLU", &ViewCoordinates::FLU}};
  for (const auto& [name, value] : constants) {
    auto a = std::make_unique<Arch<ViewCoordinates>>();
    a->value = *value;
    a->counts.emplace_back("xyz", 1);
    cls.attr(name) = py::cast(std::move(a));
  }
}

void ext_init(PyClass<Clear>& cls, const std::vector<PyField<Clear>>& fields) {
  ext_constructor<Clear>(cls, fields, {{}, {"recursive"}, {"recursive"}},
                         [](Builder<Clear>& b, const ExtArgs& a) {
                           b.set(&Clear::is_recursive, "is_recursive", a["recursive"]);
                         });
  auto make = [](bool recursive) {
    auto a = std::make_unique<Arch<Clear>>();
    a->value = Clear(recursive);
    a->counts.emplace_back("is_recursive", 1);
    return a;
  };
  cls.def_static("flat", [make] { return make(false); }).def_static("recursive", [make] {
    return make(true);
  });
}

// GeoPoints(lat_lon=...) and GeoLineStrings(lat_lon=...), as Rerun names the argument.
void ext_init(PyClass<GeoPoints>& cls, const std::vector<PyField<GeoPoints>>& fields) {
  ext_constructor<GeoPoints>(cls, fields, {{}, {"lat_lon"}, {"lat_lon"}},
                             [](Builder<GeoPoints>& b, const ExtArgs& a) {
                               b.set(&GeoPoints::positions, "positions", a["lat_lon"]);
                             });
}

void ext_init(PyClass<GeoLineStrings>& cls, const std::vector<PyField<GeoLineStrings>>& fields) {
  ext_constructor<GeoLineStrings>(cls, fields, {{}, {"lat_lon"}, {"lat_lon"}},
                                  [](Builder<GeoLineStrings>& b, const ExtArgs& a) {
                                    b.set(&GeoLineStrings::line_strings, "line_strings",
                                          a["lat_lon"]);
                                  });
}

}  // namespace reel::py_bindings
