// The constructors of the archetypes built from arrays and bytes: Image (with compress()),
// EncodedImage, DepthImage, SegmentationImage, Tensor, BarChart, Mesh3D (albedo_texture=) and
// Asset3D (path= or contents=). Arrays are borrowed, not copied (the object keeps them).
// Every keyword not handled here is a field (opacity=, draw_order=, colormap=, ...), set
// through the generated machinery (archetype_binding.hpp).
#include <fstream>
#include <iterator>

#include "archetype_binding.hpp"
#include "convert_internal.hpp"

namespace reel::py_bindings {

namespace {

py::array as_array(py::handle value, const Where& w) {
  if (py::isinstance<py::array>(value)) return py::reinterpret_borrow<py::array>(value);
  PyObject* r = PyObject_CallOneArg(detail::numpy_asarray(), value.ptr());
  if (!r) {
    py::error_already_set e;
    value_error(w.str() + ": cannot read " + type_name(value) + " as an array (" + e.what() + ")");
  }
  return py::reinterpret_steal<py::array>(r);
}

// An image array (H, W) or (H, W, C) as the buffer and format of an image; borrowed.
std::pair<ImageBuffer, ImageFormat> image_of(py::handle image, py::handle color_model,
                                             const Where& w, Keep& keep, size_t* bytes) {
  py::array arr = py::isinstance<py::array>(image) ? py::reinterpret_borrow<py::array>(image)
                                                   : number_array(image, w);
  const ChannelDatatype dt = datatype_of(arr.dtype(), w);
  ssize_t channels = 1;
  if (arr.ndim() == 3) {
    channels = arr.shape(2);
  } else if (arr.ndim() != 2) {
    value_error(
        w.str() +
        ": expected an image of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got shape " +
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
  return {ImageBuffer(
              std::span<const uint8_t>(static_cast<const uint8_t*>(c.data()), size_t(c.nbytes()))),
          fmt};
}

// A single-channel image (H, W) or (H, W, 1): depth and segmentation images.
template <typename A>
void single_channel(Builder<A>& b, py::handle image, const Where& w, bool integers) {
  py::array arr = number_array(image, w, integers);
  if (!(arr.ndim() == 2 || (arr.ndim() == 3 && arr.shape(2) == 1))) {
    value_error(std::string(A::kName) + ": expected shape (H, W), got " + shape_string(arr));
  }
  size_t bytes = 0;
  auto [buffer, format] = image_of(arr, py::none(), w, b.keep(), &bytes);
  b.value().buffer = Collection<ImageBuffer>(std::move(buffer));
  b.value().format = Collection<ImageFormat>(format);
  b.note("buffer", 1, bytes).note("format", 1);
}

// One tensor from any array-like (a list is one tensor, not several).
TensorData one_tensor(py::handle value, const Where& w, Keep& keep) {
  return tensor_from_array(as_array(value, w), w, keep);
}

std::span<const uint8_t> file_bytes(py::handle path, const char* archetype, const Where& w,
                                    Keep& keep, std::string* name) {
  *name = py::str(py::module_::import("os").attr("fspath")(path));
  std::ifstream in(*name, std::ios::binary);
  if (!in) raise(PyExc_FileNotFoundError, std::string(archetype) + ": cannot open '" + *name + "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  py::bytes owned(bytes);
  return buffer_bytes(owned, w, keep);
}

// Bytes from `contents`: bytes-like, or a file object with read() (BytesIO, an open file).
std::span<const uint8_t> content_bytes(py::handle contents, const Where& w, Keep& keep) {
  if (py::hasattr(contents, "read") && !PyObject_CheckBuffer(contents.ptr())) {
    return buffer_bytes(contents.attr("read")(), w, keep);
  }
  return buffer_bytes(contents, w, keep);
}

// Blob and media type of EncodedImage and Asset3D: path= (the media type guessed from the
// extension) or contents=; an explicit media_type= wins.
template <typename A>
void blob_and_media_type(Builder<A>& b, const ExtArgs& a) {
  const Where w{A::kName, "blob"};
  if (a.has("path") == a.has("contents"))
    value_error(std::string(A::kName) + ": give exactly one of path and contents");
  std::span<const uint8_t> data;
  std::string guess;
  if (a.has("path")) {
    std::string name;
    data = file_bytes(a["path"], A::kName, w, b.keep(), &name);
    guess = MediaType::guess_from_path(name);
  } else {
    data = content_bytes(a["contents"], w, b.keep());
  }
  b.value().blob = Collection<Blob>(Blob(data));
  b.note("blob", 1, data.size());
  if (a.has("media_type")) {
    b.set(&A::media_type, "media_type", a["media_type"]);
  } else if (!guess.empty()) {
    b.value().media_type = Collection<MediaType>(MediaType(guess));
    b.note("media_type", 1);
  }
}

}  // namespace

void ext_init(PyClass<Image>& cls, const std::vector<PyField<Image>>& fields) {
  ext_constructor<Image>(
      cls, fields,
      {{"image", "color_model"},
       {},
       {"image", "color_model", "bytes", "width", "height", "datatype"}},
      [](Builder<Image>& b, const ExtArgs& a) {
        const Where w{"Image", "buffer"};
        if (a.has("image")) {
          if (a.has("bytes")) value_error("Image: give an image array or bytes, not both");
          size_t bytes = 0;
          auto [buffer, format] = image_of(a["image"], a["color_model"], w, b.keep(), &bytes);
          b.value().buffer = Collection<ImageBuffer>(std::move(buffer));
          b.value().format = Collection<ImageFormat>(format);
          b.note("buffer", 1, bytes).note("format", 1);
          return;
        }
        if (!a.has("bytes") || !a.has("width") || !a.has("height") || !a.has("color_model") ||
            !a.has("datatype")) {
          value_error(
              "Image: give an image array, or bytes with width, height, color_model and datatype");
        }
        ImageFormat fmt{a["width"].cast<uint32_t>(), a["height"].cast<uint32_t>(),
                        parse_color_model(a["color_model"], w),
                        parse_channel_datatype(a["datatype"], w)};
        auto data = buffer_bytes(a["bytes"], w, b.keep());
        if (data.size() != fmt.num_bytes()) {
          value_error("Image: a " + std::to_string(fmt.width) + "x" + std::to_string(fmt.height) +
                      " " + color_model_name(fmt.color_model) + " " +
                      channel_datatype_name(fmt.channel_datatype) + " image needs " +
                      std::to_string(fmt.num_bytes()) + " bytes, got " +
                      std::to_string(data.size()));
        }
        b.value().buffer = Collection<ImageBuffer>(ImageBuffer(data));
        b.value().format = Collection<ImageFormat>(fmt);
        b.note("buffer", 1, data.size()).note("format", 1);
      });
  cls.def_property_readonly("format", [](const Arch<Image>& a) { return a.value.format[0]; })
      .def(
          "compress",
          [](const Arch<Image>& self, int jpeg_quality) {
            auto jpeg = [&] {
              MaybeReleaseGil release(self.payload_bytes >= kReleaseGilBytes);
              return self.value.compress(jpeg_quality);
            }();
            auto out = std::make_unique<Arch<EncodedImage>>();
            out->value = check(std::move(jpeg));
            out->payload_bytes = out->value.blob[0].view().size();
            out->counts.emplace_back("blob", 1);
            out->counts.emplace_back("media_type", 1);
            return out;
          },
          py::arg("jpeg_quality") = 95,
          "The image as a JPEG rr.EncodedImage (libturbojpeg): L, RGB and BGR images of uint8 "
          "only; "
          "jpeg_quality in 1..100.");
}

void ext_init(PyClass<EncodedImage>& cls, const std::vector<PyField<EncodedImage>>& fields) {
  ext_constructor<EncodedImage>(
      cls, fields, {{"path"}, {}, {"path", "contents", "media_type"}},
      [](Builder<EncodedImage>& b, const ExtArgs& a) { blob_and_media_type(b, a); });
}

void ext_init(PyClass<DepthImage>& cls, const std::vector<PyField<DepthImage>>& fields) {
  ext_constructor<DepthImage>(cls, fields, {{"image"}, {"image"}, {"image"}},
                              [](Builder<DepthImage>& b, const ExtArgs& a) {
                                single_channel(b, a["image"], Where{"DepthImage", "buffer"}, false);
                              });
}

void ext_init(PyClass<SegmentationImage>& cls,
              const std::vector<PyField<SegmentationImage>>& fields) {
  ext_constructor<SegmentationImage>(
      cls, fields, {{"image"}, {"image"}, {"image"}},
      [](Builder<SegmentationImage>& b, const ExtArgs& a) {
        single_channel(b, a["image"], Where{"SegmentationImage", "buffer"}, true);
      });
}

// Tensor(array, *, dim_names=None, value_range=None).
void ext_init(PyClass<Tensor>& cls, const std::vector<PyField<Tensor>>& fields) {
  ext_constructor<Tensor>(
      cls, fields, {{"data"}, {"data"}, {"data", "dim_names"}},
      [](Builder<Tensor>& b, const ExtArgs& a) {
        const Where w{"Tensor", "data"};
        TensorData t = one_tensor(a["data"], w, b.keep());
        if (a.has("dim_names")) {
          for (const auto& n : detail::texts<Text>(a["dim_names"], Where{"Tensor", "dim_names"}))
            t.names.push_back(n.value);
          if (t.names.size() != t.shape.size()) {
            value_error("Tensor: " + std::to_string(t.names.size()) + " dim_names for " +
                        std::to_string(t.shape.size()) + " dimensions");
          }
        }
        const size_t bytes = t.buffer.view().size();
        b.value().data = Collection<TensorData>(std::move(t));
        b.note("data", 1, bytes);
      });
}

// BarChart(values, *, color=None, abscissa=None, widths=None): values and abscissa are 1-D.
void ext_init(PyClass<BarChart>& cls, const std::vector<PyField<BarChart>>& fields) {
  ext_constructor<BarChart>(
      cls, fields, {{"values"}, {"values"}, {"values", "abscissa"}},
      [](Builder<BarChart>& b, const ExtArgs& a) {
        TensorData values = one_tensor(a["values"], Where{"BarChart", "values"}, b.keep());
        if (values.shape.size() != 1) {
          value_error("BarChart: values must be 1-D, got " + std::to_string(values.shape.size()) +
                      " dimensions");
        }
        const uint64_t bars = values.shape[0];
        b.value().values = Collection<TensorData>(std::move(values));
        b.note("values", 1);
        if (a.has("abscissa")) {
          TensorData x = one_tensor(a["abscissa"], Where{"BarChart", "abscissa"}, b.keep());
          if (x.shape.size() != 1 || x.shape[0] != bars) {
            value_error("BarChart: the abscissa must be 1-D with " + std::to_string(bars) +
                        " values (one per bar)");
          }
          b.value().abscissa = Collection<TensorData>(std::move(x));
          b.note("abscissa", 1);
        }
      });
}

// Mesh3D(*, vertex_positions, ..., albedo_texture=image array).
void ext_init(PyClass<Mesh3D>& cls, const std::vector<PyField<Mesh3D>>& fields) {
  ext_constructor<Mesh3D>(
      cls, fields, {{}, {"vertex_positions"}, {"albedo_texture"}},
      [](Builder<Mesh3D>& b, const ExtArgs& a) {
        if (!a.has("albedo_texture")) return;
        size_t bytes = 0;
        auto [buffer, format] = image_of(a["albedo_texture"], py::none(),
                                         Where{"Mesh3D", "albedo_texture"}, b.keep(), &bytes);
        b.value().albedo_texture_buffer = Collection<ImageBuffer>(std::move(buffer));
        b.value().albedo_texture_format = Collection<ImageFormat>(format);
        b.note("albedo_texture_buffer", 1, bytes).note("albedo_texture_format", 1);
      });
}

// Asset3D(*, path=None, contents=None, media_type=None, albedo_factor=None).
void ext_init(PyClass<Asset3D>& cls, const std::vector<PyField<Asset3D>>& fields) {
  ext_constructor<Asset3D>(
      cls, fields, {{}, {}, {"path", "contents", "media_type"}},
      [](Builder<Asset3D>& b, const ExtArgs& a) { blob_and_media_type(b, a); });
}

}  // namespace reel::py_bindings
