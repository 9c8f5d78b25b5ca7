#include "archetypes.hpp"

#include <fstream>
#include <functional>
#include <map>
#include <numeric>

namespace reel::py_bindings {

namespace {

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

const ComponentDescriptor& descriptor_of(const std::vector<ArchetypeField>& fields, const char* name) {
  for (const auto& f : fields) {
    if (std::string_view(f.name) == name) return f.descriptor;
  }
  throw std::logic_error(std::string("no archetype field ") + name);
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

  // `primary`: the field that sets the instance count (nullptr: none).
  std::unique_ptr<Arch<A>> finish(const char* primary = nullptr) {
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
          if (c <= 1 || c == n) continue;
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

// ---------------------------------------------------------------------------------------
// columns(): one component column per keyword argument, one instance per row.

using ColumnMaker = std::function<ComponentColumn(py::handle, Keep&)>;
std::map<std::string, std::map<std::string, ColumnMaker>>& column_makers() {
  static auto* m = new std::map<std::string, std::map<std::string, ColumnMaker>>();
  return *m;
}

template <typename A, typename T>
void column_field(const char* field, Collection<T> A::*) {
  const ComponentDescriptor descriptor = descriptor_of(A::fields(), field);
  column_makers()[A::kName][field] = [descriptor, field](py::handle value, Keep& keep) {
    Collection<T> c = to_collection<T>(value, Where{A::kName, field}, keep);
    arrow::ArrayPtr values;
    {
      // The collection reads numpy memory that `keep` holds; no Python object is touched.
      MaybeReleaseGil release(payload_of(c) >= kReleaseGilBytes);
      values = ComponentBatch::from<T>(descriptor, c.span()).to_arrow();
    }
    return ComponentColumn{descriptor, ListColumn::unit(values)};
  };
}

template <typename A, typename... Ms>
void column_fields(std::pair<const char*, Ms>... fields) {
  (column_field<A>(fields.first, fields.second), ...);
}

// The Python class for archetype A, with columns() and archetype_fields().
template <typename A>
py::class_<Arch<A>, PyArchetype> bind(py::module_& m, const char* doc) {
  py::class_<Arch<A>, PyArchetype> cls(m, A::kName, doc);
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

py::object half(py::handle sizes, const char* archetype) {
  return py::reinterpret_borrow<py::object>(number_array(sizes, Where{archetype, "sizes"})) *
         py::float_(0.5);
}

Image make_image(py::handle image, py::handle color_model, const Where& w, Keep& keep, size_t* bytes) {
  py::array arr = py::isinstance<py::array>(image) ? py::reinterpret_borrow<py::array>(image)
                                                   : number_array(image, w);
  const ChannelDatatype dt = datatype_of(arr.dtype(), w);
  ssize_t channels = 1;
  if (arr.ndim() == 3) {
    channels = arr.shape(2);
  } else if (arr.ndim() != 2) {
    value_error(w.str() + ": expected an image of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got shape " +
                shape_string(arr));
  }
  ColorModel model;
  if (!color_model.is_none()) {
    model = parse_color_model(color_model, w);
    if (ssize_t(num_channels(model)) != channels) {
      value_error(w.str() + ": color model " + color_model_name(model) + " has " +
                  std::to_string(num_channels(model)) + " channel(s) but the image has " +
                  std::to_string(channels) + " (shape " + shape_string(arr) + ")");
    }
  } else if (channels == 1) {
    model = ColorModel::kL;
  } else if (channels == 3) {
    model = ColorModel::kRGB;
  } else if (channels == 4) {
    model = ColorModel::kRGBA;
  } else {
    value_error(w.str() + ": an image has 1, 3 or 4 channels, got shape " + shape_string(arr));
  }
  auto c = py::array::ensure(arr, py::array::c_style);
  if (!c) throw py::error_already_set();
  keep.push_back(c);
  *bytes = size_t(c.nbytes());
  ImageFormat fmt{uint32_t(arr.shape(1)), uint32_t(arr.shape(0)), model, dt};
  return Image(ImageBuffer(std::span<const uint8_t>(static_cast<const uint8_t*>(c.data()), size_t(c.nbytes()))),
               fmt);
}

template <typename A>
void add_count(Arch<A>& a, const char* field, size_t n) {
  a.counts.emplace_back(field, n);
}

}  // namespace

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
      type_error(archetype + ".columns() got an unexpected field '" + name + "' (fields: " + known + ")");
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
  py::class_<PyArchetype>(m, "Archetype", "Base class of every archetype (rr.Points3D, rr.Image, ...).")
      .def_property_readonly("archetype_name", [](const PyArchetype& a) { return a.name(); })
      .def("__repr__", [](const PyArchetype& a) {
        std::string s = std::string(a.name()) + "(";
        for (size_t i = 0; i < a.counts.size(); ++i) {
          s += (i ? ", " : "") + std::string(a.counts[i].first) + "=" + std::to_string(a.counts[i].second);
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
                               for (const auto& col : c.columns) out.push_back(col.descriptor.identifier());
                               return out;
                             })
      .def(
          "partition",
          [](const PyComponentColumns& self, py::handle lengths) {
            py::array arr = number_array(lengths, Where{"ComponentColumnList", "lengths"}, true);
            auto l = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(arr);
            if (!l || l.ndim() != 1) value_error("partition(lengths): expected a 1-D array of row lengths");
            std::vector<int32_t> offsets = {0};
            int64_t total = 0;
            for (ssize_t i = 0; i < l.shape(0); ++i) {
              int64_t n = l.data()[i];
              if (n < 0) value_error("partition(lengths): negative length at index " + std::to_string(i));
              total += n;
              if (total > INT32_MAX) value_error("partition(lengths): more than 2**31 instances");
              offsets.push_back(int32_t(total));
            }
            PyComponentColumns out;
            for (const auto& c : self.columns) {
              if (!c.list.is_unit() || c.list.length() != total) {
                value_error("partition(lengths): the lengths add up to " + std::to_string(total) + " but " +
                            c.descriptor.identifier() + " has " + std::to_string(c.list.length()) +
                            " instances" + (c.list.is_unit() ? "" : " (already partitioned)"));
              }
              auto list = ListColumn::with_offsets(
                  c.list.values(), arrow::Buffer::copy_of(offsets.data(), offsets.size() * 4),
                  int64_t(offsets.size() - 1));
              out.columns.push_back({c.descriptor, check(std::move(list))});
            }
            return out;
          },
          py::arg("lengths"), "Groups the instances into rows of the given lengths (which must add up to N).")
      .def("__add__", [](const PyComponentColumns& a, const PyComponentColumns& b) {
        PyComponentColumns out = a;
        out.columns.insert(out.columns.end(), b.columns.begin(), b.columns.end());
        return out;
      });

  const auto none = py::none();

  // ---- Scalars: the Python class is the fast type in fast.cpp; only its columns are here.
  column_fields<Scalars>(std::pair{"scalars", &Scalars::scalars});

  bind<SeriesLines>(m, "Styling of scalar series drawn as lines.")
      .def(py::init([](py::handle colors, py::handle widths, py::handle names) {
             Builder<SeriesLines> b;
             b.set(&SeriesLines::colors, "colors", colors)
                 .set(&SeriesLines::widths, "widths", widths)
                 .set(&SeriesLines::names, "names", names);
             return b.finish();
           }),
           py::kw_only(), py::arg("colors") = none, py::arg("widths") = none, py::arg("names") = none);
  column_fields<SeriesLines>(std::pair{"colors", &SeriesLines::colors},
                             std::pair{"widths", &SeriesLines::widths}, std::pair{"names", &SeriesLines::names});

  bind<SeriesPoints>(m, "Styling of scalar series drawn as markers.")
      .def(py::init([](py::handle colors, py::handle markers, py::handle marker_sizes, py::handle names) {
             Builder<SeriesPoints> b;
             b.set(&SeriesPoints::colors, "colors", colors)
                 .set(&SeriesPoints::markers, "markers", markers)
                 .set(&SeriesPoints::marker_sizes, "marker_sizes", marker_sizes)
                 .set(&SeriesPoints::names, "names", names);
             return b.finish();
           }),
           py::kw_only(), py::arg("colors") = none, py::arg("markers") = none,
           py::arg("marker_sizes") = none, py::arg("names") = none);
  column_fields<SeriesPoints>(std::pair{"colors", &SeriesPoints::colors},
                              std::pair{"markers", &SeriesPoints::markers},
                              std::pair{"marker_sizes", &SeriesPoints::marker_sizes},
                              std::pair{"names", &SeriesPoints::names});

#define REEL_POINTS(A, doc)                                                                        \
  bind<A>(m, doc).def(py::init([](py::handle positions, py::handle radii, py::handle colors,          \
                                  py::handle labels, py::handle class_ids) {                          \
                        Builder<A> b;                                                                 \
                        b.set(&A::positions, "positions", positions)                                  \
                            .set(&A::radii, "radii", radii)                                           \
                            .set(&A::colors, "colors", colors)                                        \
                            .set(&A::labels, "labels", labels)                                        \
                            .set(&A::class_ids, "class_ids", class_ids);                              \
                        return b.finish("positions");                                                 \
                      }),                                                                             \
                      py::arg("positions"), py::kw_only(), py::arg("radii") = none,                   \
                      py::arg("colors") = none, py::arg("labels") = none, py::arg("class_ids") = none); \
  column_fields<A>(std::pair{"positions", &A::positions}, std::pair{"radii", &A::radii},              \
                   std::pair{"colors", &A::colors}, std::pair{"labels", &A::labels},                  \
                   std::pair{"class_ids", &A::class_ids});
  REEL_POINTS(Points2D, "2D points: positions (N, 2) with optional radii, colors, labels, class ids.")
  REEL_POINTS(Points3D, "3D points: positions (N, 3) with optional radii, colors, labels, class ids.")
#undef REEL_POINTS

  bind<Boxes2D>(m, "2D boxes: half_sizes (or sizes) (N, 2), centers (or mins), colors, radii, labels, class ids.")
      .def(py::init([](py::handle half_sizes, py::handle sizes, py::handle centers, py::handle mins,
                       py::handle colors, py::handle radii, py::handle labels, py::handle class_ids) {
             if (half_sizes.is_none() == sizes.is_none()) value_error("Boxes2D: give exactly one of half_sizes and sizes");
             if (!centers.is_none() && !mins.is_none()) value_error("Boxes2D: give centers or mins, not both");
             py::object h = half_sizes.is_none() ? half(sizes, "Boxes2D") : py::reinterpret_borrow<py::object>(half_sizes);
             py::object c = mins.is_none() ? py::reinterpret_borrow<py::object>(centers)
                                           : py::reinterpret_borrow<py::object>(
                                                 number_array(mins, Where{"Boxes2D", "mins"})) + h;
             Builder<Boxes2D> b;
             b.set(&Boxes2D::half_sizes, "half_sizes", h)
                 .set(&Boxes2D::centers, "centers", c)
                 .set(&Boxes2D::colors, "colors", colors)
                 .set(&Boxes2D::radii, "radii", radii)
                 .set(&Boxes2D::labels, "labels", labels)
                 .set(&Boxes2D::class_ids, "class_ids", class_ids);
             return b.finish("half_sizes");
           }),
           py::kw_only(), py::arg("half_sizes") = none, py::arg("sizes") = none, py::arg("centers") = none,
           py::arg("mins") = none, py::arg("colors") = none, py::arg("radii") = none, py::arg("labels") = none,
           py::arg("class_ids") = none);
  column_fields<Boxes2D>(std::pair{"half_sizes", &Boxes2D::half_sizes}, std::pair{"centers", &Boxes2D::centers},
                         std::pair{"colors", &Boxes2D::colors}, std::pair{"radii", &Boxes2D::radii},
                         std::pair{"labels", &Boxes2D::labels}, std::pair{"class_ids", &Boxes2D::class_ids});

  bind<Boxes3D>(m, "3D boxes: half_sizes (or sizes) (N, 3), centers (or mins), quaternions (x, y, z, w), colors, "
                   "radii, labels, class ids.")
      .def(py::init([](py::handle half_sizes, py::handle sizes, py::handle centers, py::handle mins,
                       py::handle quaternions, py::handle colors, py::handle radii, py::handle labels,
                       py::handle class_ids) {
             if (half_sizes.is_none() == sizes.is_none()) value_error("Boxes3D: give exactly one of half_sizes and sizes");
             if (!centers.is_none() && !mins.is_none()) value_error("Boxes3D: give centers or mins, not both");
             py::object h = half_sizes.is_none() ? half(sizes, "Boxes3D") : py::reinterpret_borrow<py::object>(half_sizes);
             py::object c = mins.is_none() ? py::reinterpret_borrow<py::object>(centers)
                                           : py::reinterpret_borrow<py::object>(
                                                 number_array(mins, Where{"Boxes3D", "mins"})) + h;
             Builder<Boxes3D> b;
             b.set(&Boxes3D::half_sizes, "half_sizes", h)
                 .set(&Boxes3D::centers, "centers", c)
                 .set(&Boxes3D::quaternions, "quaternions", quaternions)
                 .set(&Boxes3D::colors, "colors", colors)
                 .set(&Boxes3D::radii, "radii", radii)
                 .set(&Boxes3D::labels, "labels", labels)
                 .set(&Boxes3D::class_ids, "class_ids", class_ids);
             return b.finish("half_sizes");
           }),
           py::kw_only(), py::arg("half_sizes") = none, py::arg("sizes") = none, py::arg("centers") = none,
           py::arg("mins") = none, py::arg("quaternions") = none, py::arg("colors") = none,
           py::arg("radii") = none, py::arg("labels") = none, py::arg("class_ids") = none);
  column_fields<Boxes3D>(std::pair{"half_sizes", &Boxes3D::half_sizes}, std::pair{"centers", &Boxes3D::centers},
                         std::pair{"quaternions", &Boxes3D::quaternions}, std::pair{"colors", &Boxes3D::colors},
                         std::pair{"radii", &Boxes3D::radii}, std::pair{"labels", &Boxes3D::labels},
                         std::pair{"class_ids", &Boxes3D::class_ids});

#define REEL_STRIPS(A, doc)                                                                        \
  bind<A>(m, doc).def(py::init([](py::handle strips, py::handle radii, py::handle colors,             \
                                  py::handle labels, py::handle class_ids) {                          \
                        Builder<A> b;                                                                 \
                        b.set(&A::strips, "strips", strips)                                           \
                            .set(&A::radii, "radii", radii)                                           \
                            .set(&A::colors, "colors", colors)                                        \
                            .set(&A::labels, "labels", labels)                                        \
                            .set(&A::class_ids, "class_ids", class_ids);                              \
                        return b.finish("strips");                                                    \
                      }),                                                                             \
                      py::arg("strips"), py::kw_only(), py::arg("radii") = none,                      \
                      py::arg("colors") = none, py::arg("labels") = none, py::arg("class_ids") = none); \
  column_fields<A>(std::pair{"strips", &A::strips}, std::pair{"radii", &A::radii},                    \
                   std::pair{"colors", &A::colors}, std::pair{"labels", &A::labels},                  \
                   std::pair{"class_ids", &A::class_ids});
  REEL_STRIPS(LineStrips2D, "2D line strips: one (M, 2) array, (K, M, 2), or a list of (M_i, 2) arrays.")
  REEL_STRIPS(LineStrips3D, "3D line strips: one (M, 3) array, (K, M, 3), or a list of (M_i, 3) arrays.")
#undef REEL_STRIPS

  bind<Arrows3D>(m, "3D arrows: vectors (N, 3) from origins (N, 3), with radii, colors, labels, class ids.")
      .def(py::init([](py::handle vectors, py::handle origins, py::handle radii, py::handle colors,
                       py::handle labels, py::handle class_ids) {
             Builder<Arrows3D> b;
             b.set(&Arrows3D::vectors, "vectors", vectors)
                 .set(&Arrows3D::origins, "origins", origins)
                 .set(&Arrows3D::radii, "radii", radii)
                 .set(&Arrows3D::colors, "colors", colors)
                 .set(&Arrows3D::labels, "labels", labels)
                 .set(&Arrows3D::class_ids, "class_ids", class_ids);
             return b.finish("vectors");
           }),
           py::kw_only(), py::arg("vectors"), py::arg("origins") = none, py::arg("radii") = none,
           py::arg("colors") = none, py::arg("labels") = none, py::arg("class_ids") = none);
  column_fields<Arrows3D>(std::pair{"vectors", &Arrows3D::vectors}, std::pair{"origins", &Arrows3D::origins},
                          std::pair{"radii", &Arrows3D::radii}, std::pair{"colors", &Arrows3D::colors},
                          std::pair{"labels", &Arrows3D::labels}, std::pair{"class_ids", &Arrows3D::class_ids});

  bind<Image>(m, "A raw image: a numpy array (H, W), (H, W, 1|3|4) of any supported dtype, or bytes with "
                 "width, height, color_model and datatype.")
      .def(py::init([](py::handle image, py::handle color_model, py::handle bytes, py::handle width,
                       py::handle height, py::handle datatype) {
             const Where w{"Image", "buffer"};
             auto a = std::make_unique<Arch<Image>>();
             if (!image.is_none()) {
               if (!bytes.is_none()) value_error("Image: give an image array or bytes, not both");
               a->value = make_image(image, color_model, w, a->keep, &a->payload_bytes);
             } else {
               if (bytes.is_none() || width.is_none() || height.is_none() || color_model.is_none() ||
                   datatype.is_none()) {
                 value_error("Image: give an image array, or bytes with width, height, color_model and datatype");
               }
               ImageFormat fmt{width.cast<uint32_t>(), height.cast<uint32_t>(), parse_color_model(color_model, w),
                               parse_channel_datatype(datatype, w)};
               auto data = buffer_bytes(bytes, w, a->keep);
               if (data.size() != fmt.num_bytes()) {
                 value_error("Image: a " + std::to_string(fmt.width) + "x" + std::to_string(fmt.height) + " " +
                             color_model_name(fmt.color_model) + " " + channel_datatype_name(fmt.channel_datatype) +
                             " image needs " + std::to_string(fmt.num_bytes()) + " bytes, got " +
                             std::to_string(data.size()));
               }
               a->value = Image(ImageBuffer(data), fmt);
               a->payload_bytes = data.size();
             }
             add_count(*a, "buffer", 1);
             add_count(*a, "format", 1);
             return a;
           }),
           py::arg("image") = none, py::arg("color_model") = none, py::kw_only(), py::arg("bytes") = none,
           py::arg("width") = none, py::arg("height") = none, py::arg("datatype") = none)
      .def_property_readonly("format", [](const Arch<Image>& a) { return a.value.format[0]; });

  bind<EncodedImage>(m, "An encoded image file (JPEG, PNG): a path or the file's bytes; the media type is "
                        "guessed from the bytes when not given.")
      .def(py::init([](py::handle path, py::handle contents, py::handle media_type) {
             auto a = std::make_unique<Arch<EncodedImage>>();
             const Where w{"EncodedImage", "blob"};
             if (path.is_none() == contents.is_none()) value_error("EncodedImage: give exactly one of path and contents");
             std::span<const uint8_t> data;
             if (!path.is_none()) {
               std::string p = py::str(py::module_::import("os").attr("fspath")(path));
               std::ifstream in(p, std::ios::binary);
               if (!in) raise(PyExc_FileNotFoundError, "EncodedImage: cannot open '" + p + "'");
               std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
               py::bytes owned(bytes);
               data = buffer_bytes(owned, w, a->keep);
             } else {
               data = buffer_bytes(contents, w, a->keep);
             }
             a->value = EncodedImage(Blob(data));
             a->payload_bytes = data.size();
             add_count(*a, "blob", 1);
             if (!media_type.is_none()) {
               a->value.media_type = to_collection<MediaType>(media_type, Where{"EncodedImage", "media_type"}, a->keep);
               add_count(*a, "media_type", 1);
             }
             return a;
           }),
           py::arg("path") = none, py::kw_only(), py::arg("contents") = none, py::arg("media_type") = none);

  bind<DepthImage>(m, "A depth image: a numpy array (H, W) (uint16 or float32 typically), with an optional meter "
                      "(depth units per meter).")
      .def(py::init([](py::handle image, py::handle meter) {
             const Where w{"DepthImage", "buffer"};
             auto a = std::make_unique<Arch<DepthImage>>();
             py::array arr = number_array(image, w);
             if (!(arr.ndim() == 2 || (arr.ndim() == 3 && arr.shape(2) == 1))) {
               value_error("DepthImage: expected shape (H, W), got " + shape_string(arr));
             }
             Image img = make_image(arr, py::none(), w, a->keep, &a->payload_bytes);
             a->value = DepthImage(img.buffer[0], img.format[0]);
             add_count(*a, "buffer", 1);
             add_count(*a, "format", 1);
             if (!meter.is_none()) {
               a->value.meter = to_collection<DepthMeter>(meter, Where{"DepthImage", "meter"}, a->keep);
               add_count(*a, "meter", 1);
             }
             return a;
           }),
           py::arg("image"), py::kw_only(), py::arg("meter") = none);

  bind<Tensor>(m, "An n-dimensional array of any supported dtype.")
      .def(py::init([](py::handle data) {
             Builder<Tensor> b;
             b.set(&Tensor::data, "data", data);
             return b.finish();
           }),
           py::arg("data"));

  bind<TextLog>(m, "A log line: text, with an optional level ('INFO', 'WARN', ...) and color.")
      .def(py::init([](py::handle text, py::handle level, py::handle color) {
             Builder<TextLog> b;
             b.set(&TextLog::text, "text", text).set(&TextLog::level, "level", level).set(&TextLog::color, "color", color);
             return b.finish("text");
           }),
           py::arg("text"), py::kw_only(), py::arg("level") = none, py::arg("color") = none);
  column_fields<TextLog>(std::pair{"text", &TextLog::text}, std::pair{"level", &TextLog::level},
                         std::pair{"color", &TextLog::color});

  bind<TextDocument>(m, "A text document (plain text or markdown, by media type).")
      .def(py::init([](py::handle text, py::handle media_type) {
             Builder<TextDocument> b;
             b.set(&TextDocument::text, "text", text).set(&TextDocument::media_type, "media_type", media_type);
             return b.finish();
           }),
           py::arg("text"), py::kw_only(), py::arg("media_type") = none);

  bind<Transform3D>(m, "A 3D transform: translation, quaternion (x, y, z, w), scale (one number or 3), mat3x3 "
                       "(row-major 3x3).")
      .def(py::init([](py::handle translation, py::handle quaternion, py::handle scale, py::handle mat3x3) {
             Builder<Transform3D> b;
             b.set(&Transform3D::translation, "translation", translation)
                 .set(&Transform3D::quaternion, "quaternion", quaternion)
                 .set(&Transform3D::scale, "scale", scale)
                 .set(&Transform3D::mat3x3, "mat3x3", mat3x3);
             return b.finish();
           }),
           py::kw_only(), py::arg("translation") = none, py::arg("quaternion") = none, py::arg("scale") = none,
           py::arg("mat3x3") = none);
  column_fields<Transform3D>(std::pair{"translation", &Transform3D::translation},
                             std::pair{"quaternion", &Transform3D::quaternion},
                             std::pair{"scale", &Transform3D::scale}, std::pair{"mat3x3", &Transform3D::mat3x3});

  auto view_coordinates =
      bind<ViewCoordinates>(m, "The meaning of the X, Y, Z axes: three letters of U, D, R, L, F, B ('RDF'), or "
                               "codes 1-6. Constants: RIGHT_HAND_Z_UP, RIGHT_HAND_Y_UP, RDF, RUB, FLU.")
          .def(py::init([](py::handle xyz) {
                 Builder<ViewCoordinates> b;
                 b.set(&ViewCoordinates::xyz, "xyz", xyz);
                 return b.finish();
               }),
               py::arg("xyz"))
          .def_property_readonly("xyz", [](const Arch<ViewCoordinates>& a) {
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
    add_count(*a, "xyz", 1);
    view_coordinates.attr(name) = py::cast(std::move(a));
  }

  bind<Clear>(m, "Makes the entity's components (and its descendants' when recursive) read as empty from now on.")
      .def(py::init([](bool recursive) {
             auto a = std::make_unique<Arch<Clear>>();
             a->value = Clear(recursive);
             add_count(*a, "is_recursive", 1);
             return a;
           }),
           py::kw_only(), py::arg("recursive"))
      .def_static("flat", [] {
        auto a = std::make_unique<Arch<Clear>>();
        a->value = Clear::flat();
        add_count(*a, "is_recursive", 1);
        return a;
      })
      .def_static("recursive", [] {
        auto a = std::make_unique<Arch<Clear>>();
        a->value = Clear::recursive();
        add_count(*a, "is_recursive", 1);
        return a;
      });

  bind<AnnotationContext>(m, "Class ids mapped to labels and colors: a list of rr.AnnotationInfo or "
                             "(id, label[, color]) tuples.")
      .def(py::init([](py::handle context) {
             Builder<AnnotationContext> b;
             b.set(&AnnotationContext::context, "context", context);
             return b.finish();
           }),
           py::arg("context"));
}

}  // namespace reel::py_bindings
