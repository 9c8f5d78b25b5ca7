// The archetype constructors that take more than their fields: boxes from sizes or mins,
// images from numpy arrays, encoded images from paths, depth images, view-coordinate
// constants and Clear's flat()/recursive(). Everything else is generated
// (archetypes_generated.cpp from src/types/definitions.toml).
#include <fstream>

#include "archetype_binding.hpp"

namespace reel::py_bindings {

namespace {

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

void ext_init(PyClass<Boxes2D>& cls) {
  const auto none = py::none();
  cls      .def(py::init([](py::handle half_sizes, py::handle sizes, py::handle centers, py::handle mins,
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
             return b.finish();
           }),
           py::kw_only(), py::arg("half_sizes") = none, py::arg("sizes") = none, py::arg("centers") = none,
           py::arg("mins") = none, py::arg("colors") = none, py::arg("radii") = none, py::arg("labels") = none,
           py::arg("class_ids") = none);
}

void ext_init(PyClass<Boxes3D>& cls) {
  const auto none = py::none();
  cls      .def(py::init([](py::handle half_sizes, py::handle sizes, py::handle centers, py::handle mins,
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
             return b.finish();
           }),
           py::kw_only(), py::arg("half_sizes") = none, py::arg("sizes") = none, py::arg("centers") = none,
           py::arg("mins") = none, py::arg("quaternions") = none, py::arg("colors") = none,
           py::arg("radii") = none, py::arg("labels") = none, py::arg("class_ids") = none);
}

void ext_init(PyClass<Image>& cls) {
  const auto none = py::none();
  cls      .def(py::init([](py::handle image, py::handle color_model, py::handle bytes, py::handle width,
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
}

void ext_init(PyClass<EncodedImage>& cls) {
  const auto none = py::none();
  cls      .def(py::init([](py::handle path, py::handle contents, py::handle media_type) {
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
}

void ext_init(PyClass<DepthImage>& cls) {
  const auto none = py::none();
  cls      .def(py::init([](py::handle image, py::handle meter) {
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
}

// ViewCoordinates(xyz) and its constants.
void ext_init(PyClass<ViewCoordinates>& cls) {
  cls.def(py::init([](py::handle xyz) {
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
    cls.attr(name) = py::cast(std::move(a));
  }
}

void ext_init(PyClass<Clear>& cls) {
  cls.def(py::init([](bool recursive) {
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
}

}  // namespace reel::py_bindings
