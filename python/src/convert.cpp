#include "convert.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "convert_internal.hpp"

namespace reel::py_bindings {

using namespace detail;  // NOLINT(google-build-using-namespace): the shared building blocks

PyObject* detail::numpy_asarray() {
  // Looked up once and kept for the life of the process (never decref'd at exit, when the
  // interpreter may already be gone).
  static PyObject* fn = py::object(py::module_::import("numpy").attr("asarray")).release().ptr();
  return fn;
}

bool detail::is_numpy_number(PyObject* o) {
  static PyObject* integer =
      py::object(py::module_::import("numpy").attr("integer")).release().ptr();
  static PyObject* floating =
      py::object(py::module_::import("numpy").attr("floating")).release().ptr();
  return PyObject_TypeCheck(o, reinterpret_cast<PyTypeObject*>(integer)) ||
         PyObject_TypeCheck(o, reinterpret_cast<PyTypeObject*>(floating));
}

std::string detail::enum_member_name(py::handle value) {
  static PyObject* enum_type = py::object(py::module_::import("enum").attr("Enum")).release().ptr();
  if (PyObject_IsInstance(value.ptr(), enum_type) != 1) return "";
  return py::str(value.attr("name"));
}

namespace {

std::string dims(int d) { return std::to_string(d); }

Color color_from_components(const int64_t* c, int channels) {
  return Color(uint8_t(c[0]), uint8_t(c[1]), uint8_t(c[2]), channels == 4 ? uint8_t(c[3]) : 255);
}

}  // namespace

Collection<Color> detail::colors(py::handle value, const Where& w) {
  PyObject* o = value.ptr();
  if (is_int(o)) {
    unsigned long long packed = PyLong_AsUnsignedLongLong(o);
    if (PyErr_Occurred() || packed > 0xFFFFFFFFull) {
      PyErr_Clear();
      value_error(w.str() + ": a packed color is an integer 0xRRGGBBAA in [0, 2**32)");
    }
    return Collection<Color>(Color(uint32_t(packed)));
  }
  py::array arr = number_array(value, w);
  const char kind = arr.dtype().kind();
  const bool one = arr.ndim() == 1 && (arr.shape(0) == 3 || arr.shape(0) == 4);
  const bool many = arr.ndim() == 2 && (arr.shape(1) == 3 || arr.shape(1) == 4);
  std::vector<Color> out;
  if (kind == 'f') {
    if (!one && !many) {
      value_error(
          w.str() +
          ": float colors are RGB(A) in [0, 1] of shape (N, 3), (N, 4), (3,) or (4,), got shape " +
          shape_string(arr));
    }
    const int ch = int(arr.shape(arr.ndim() - 1));
    auto f = c_array<double>(arr);
    const size_t n = one ? 1 : size_t(arr.shape(0));
    out.reserve(n);
    const double* d = f.data();
    for (size_t i = 0; i < n; ++i) {
      int64_t c[4];
      for (int k = 0; k < ch; ++k) {
        double x = d[i * size_t(ch) + size_t(k)];
        if (!(x >= 0.0 && x <= 1.0)) {
          value_error(w.str() + ": float color components must be in [0, 1], got " +
                      std::to_string(x) + " (use integers 0-255 or dtype uint8 for 8-bit colors)");
        }
        c[k] = std::lround(x * 255.0);
      }
      out.push_back(color_from_components(c, ch));
    }
    return Collection<Color>(std::move(out));
  }
  const bool packed_dtype = kind == 'u' && arr.itemsize() == 4;
  if (arr.ndim() == 0 || (arr.ndim() == 1 && (packed_dtype || !one))) {
    auto p = c_array<int64_t>(arr);
    const size_t n = arr.ndim() == 0 ? 1 : size_t(arr.shape(0));
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      int64_t v = p.data()[i];
      if (v < 0 || v > 0xFFFFFFFFll) {
        value_error(w.str() + ": packed colors are integers 0xRRGGBBAA in [0, 2**32), got " +
                    std::to_string(v));
      }
      out.emplace_back(uint32_t(v));
    }
    return Collection<Color>(std::move(out));
  }
  if (!one && !many) {
    value_error(w.str() +
                ": expected colors of shape (N, 3) or (N, 4) (RGB(A), 0-255), (3,) or (4,) for one "
                "color, or packed 0xRRGGBBAA integers of dtype uint32; got shape " +
                shape_string(arr));
  }
  const int ch = int(arr.shape(arr.ndim() - 1));
  auto c = c_array<int64_t>(arr);
  const size_t n = one ? 1 : size_t(arr.shape(0));
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t* comp = c.data() + i * size_t(ch);
    for (int k = 0; k < ch; ++k) {
      if (comp[k] < 0 || comp[k] > 255) {
        value_error(w.str() + ": color components must be in [0, 255], got " +
                    std::to_string(comp[k]));
      }
    }
    out.push_back(color_from_components(comp, ch));
  }
  return Collection<Color>(std::move(out));
}

namespace {

template <typename Strip, int D>
Strip strip_from(py::handle value, const Where& w, size_t index) {
  py::array arr = number_array(value, w);
  Strip s;
  if (arr.ndim() == 1 && arr.shape(0) == 0) return s;
  if (arr.ndim() != 2 || arr.shape(1) != D) {
    value_error(w.str() + ": strip " + std::to_string(index) + " must have shape (M, " + dims(D) +
                "), got shape " + shape_string(arr));
  }
  auto f = c_array<float>(arr);
  s.points.resize(size_t(arr.shape(0)));
  if (!s.points.empty())
    std::memcpy(static_cast<void*>(s.points.data()), f.data(), s.points.size() * D * sizeof(float));
  return s;
}

// Strips: one (M, D) array; (K, M, D) for K strips of M points; or a sequence of (M_i, D).
template <typename Strip, int D>
Collection<Strip> strips(py::handle value, const Where& w) {
  PyObject* o = value.ptr();
  std::vector<Strip> out;
  py::array arr;
  if (py::isinstance<py::array>(value)) {
    arr = py::reinterpret_borrow<py::array>(value);
  } else if (PyList_Check(o) || PyTuple_Check(o)) {
    bool rectangular = false;
    if (PyObject* r = PyObject_CallOneArg(numpy_asarray(), o)) {
      arr = py::reinterpret_steal<py::array>(r);
      const char k = arr.dtype().kind();
      rectangular = k == 'f' || k == 'i' || k == 'u';
    } else {
      PyErr_Clear();  // ragged lists (numpy raises): element by element below
    }
    if (!rectangular) {
      size_t i = 0;
      for (auto item : py::iter(value)) out.push_back(strip_from<Strip, D>(item, w, i++));
      return Collection<Strip>(std::move(out));
    }
  } else {
    type_error(w.str() + ": expected an array of shape (M, " + dims(D) +
               ") or a list of them, got " + type_name(value));
  }
  arr = number_array(arr, w);
  if (arr.ndim() == 2) {
    out.push_back(strip_from<Strip, D>(arr, w, 0));
  } else if (arr.ndim() == 3 && arr.shape(2) == D) {
    for (ssize_t i = 0; i < arr.shape(0); ++i) {
      out.push_back(strip_from<Strip, D>(arr[py::int_(i)], w, size_t(i)));
    }
  } else if (arr.ndim() == 1 && arr.shape(0) == 0) {
    // no strips
  } else {
    value_error(w.str() + ": expected one strip of shape (M, " + dims(D) +
                "), strips of shape (K, M, " + dims(D) + ") or a list of (M, " + dims(D) +
                ") arrays, got shape " + shape_string(arr));
  }
  return Collection<Strip>(std::move(out));
}

template <typename T>
Collection<T> byte_values(py::handle value, const Where& w, Keep& keep) {
  PyObject* o = value.ptr();
  if ((PyList_Check(o) || PyTuple_Check(o))) {
    std::vector<T> out;
    for (auto item : py::iter(value)) out.emplace_back(buffer_bytes(item, w, keep));
    return Collection<T>(std::move(out));
  }
  return Collection<T>(T(buffer_bytes(value, w, keep)));
}

uint8_t axis_code(char c, const Where& w) {
  switch (std::toupper(static_cast<unsigned char>(c))) {
    case 'U':
      return 1;
    case 'D':
      return 2;
    case 'R':
      return 3;
    case 'L':
      return 4;
    case 'F':
      return 5;
    case 'B':
      return 6;
    default:
      value_error(w.str() + ": axis letters are U, D, R, L, F, B; got '" + std::string(1, c) + "'");
  }
}

template <typename T>
std::vector<T> list_of(py::handle value, const Where& w, T (*one)(py::handle, const Where&)) {
  std::vector<T> out;
  for (auto item : py::iter(value)) out.push_back(one(item, w));
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------

py::array number_array(py::handle value, const Where& where, bool integers_only) {
  py::array arr;
  if (py::isinstance<py::array>(value)) {
    arr = py::reinterpret_borrow<py::array>(value);
  } else {
    PyObject* r = PyObject_CallOneArg(numpy_asarray(), value.ptr());
    if (!r) {
      py::error_already_set e;
      value_error(where.str() + ": cannot read " + type_name(value) + " as an array of numbers (" +
                  e.what() + ")");
    }
    arr = py::reinterpret_steal<py::array>(r);
  }
  const char kind = arr.dtype().kind();
  const bool ok = kind == 'i' || kind == 'u' || (!integers_only && kind == 'f');
  if (!ok) {
    type_error(where.str() + ": expected " + (integers_only ? "integers" : "numbers") +
               ", got an array of dtype " + dtype_name(arr.dtype()));
  }
  return arr;
}

std::span<const uint8_t> buffer_bytes(py::handle value, const Where& w, Keep& keep) {
  PyObject* o = value.ptr();
  if (PyBytes_Check(o)) {
    keep.push_back(py::reinterpret_borrow<py::object>(value));
    return {reinterpret_cast<const uint8_t*>(PyBytes_AS_STRING(o)), size_t(PyBytes_GET_SIZE(o))};
  }
  if (py::isinstance<py::array>(value)) {
    auto a = py::array::ensure(value, py::array::c_style);
    if (!a) throw py::error_already_set();
    keep.push_back(a);
    return {static_cast<const uint8_t*>(a.data()), size_t(a.nbytes())};
  }
  if (PyObject_CheckBuffer(o)) {
    auto view = py::reinterpret_steal<py::object>(PyMemoryView_FromObject(o));
    if (!view) throw py::error_already_set();
    Py_buffer* b = PyMemoryView_GET_BUFFER(view.ptr());
    if (!PyBuffer_IsContiguous(b, 'C')) {
      view = py::reinterpret_steal<py::object>(PyBytes_FromObject(view.ptr()));  // a copy
      if (!view) throw py::error_already_set();
      return buffer_bytes(view, w, keep);
    }
    keep.push_back(view);
    return {static_cast<const uint8_t*>(b->buf), size_t(b->len)};
  }
  type_error(w.str() + ": expected bytes, a bytearray, a memoryview or a numpy array, got " +
             type_name(value));
}

ChannelDatatype datatype_of(const py::dtype& dtype, const Where& w) {
  const char kind = dtype.kind();
  const ssize_t size = dtype.itemsize();
  const char order = dtype.attr("byteorder").cast<std::string>()[0];
  if (order == '>')
    type_error(w.str() + ": big-endian dtype " + dtype_name(dtype) +
               " (use a native-endian array)");
  if (kind == 'u') {
    switch (size) {
      case 1:
        return ChannelDatatype::kU8;
      case 2:
        return ChannelDatatype::kU16;
      case 4:
        return ChannelDatatype::kU32;
      case 8:
        return ChannelDatatype::kU64;
    }
  } else if (kind == 'i') {
    switch (size) {
      case 1:
        return ChannelDatatype::kI8;
      case 2:
        return ChannelDatatype::kI16;
      case 4:
        return ChannelDatatype::kI32;
      case 8:
        return ChannelDatatype::kI64;
    }
  } else if (kind == 'f') {
    switch (size) {
      case 2:
        return ChannelDatatype::kF16;
      case 4:
        return ChannelDatatype::kF32;
      case 8:
        return ChannelDatatype::kF64;
    }
  }
  type_error(w.str() + ": unsupported dtype " + dtype_name(dtype) +
             " (expected uint8/16/32/64, int8/16/32/64 or float16/32/64)");
}

py::dtype dtype_of(ChannelDatatype d) {
  switch (d) {
    case ChannelDatatype::kU8:
      return py::dtype("uint8");
    case ChannelDatatype::kU16:
      return py::dtype("uint16");
    case ChannelDatatype::kU32:
      return py::dtype("uint32");
    case ChannelDatatype::kU64:
      return py::dtype("uint64");
    case ChannelDatatype::kI8:
      return py::dtype("int8");
    case ChannelDatatype::kI16:
      return py::dtype("int16");
    case ChannelDatatype::kI32:
      return py::dtype("int32");
    case ChannelDatatype::kI64:
      return py::dtype("int64");
    case ChannelDatatype::kF16:
      return py::dtype("float16");
    case ChannelDatatype::kF32:
      return py::dtype("float32");
    case ChannelDatatype::kF64:
      return py::dtype("float64");
  }
  return py::dtype("uint8");
}

const char* channel_datatype_name(ChannelDatatype d) {
  static const char* names[] = {"?",   "U8",  "U16", "U32", "U64", "I8",
                                "I16", "I32", "I64", "F16", "F32", "F64"};
  const auto i = size_t(d);
  return i < std::size(names) ? names[i] : "?";
}

const char* color_model_name(ColorModel m) {
  static const char* names[] = {"?", "L", "RGB", "RGBA", "BGR", "BGRA"};
  const auto i = size_t(m);
  return i < std::size(names) ? names[i] : "?";
}

ColorModel parse_color_model(py::handle value, const Where& w) {
  std::string s = enum_member_name(value);  // rr.ColorModel.RGB
  if (s.empty() && PyUnicode_Check(value.ptr())) s = std::string(utf8_view(value, w.field));
  if (!s.empty()) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::toupper(c)); });
    for (uint8_t m = 1; m <= 5; ++m) {
      if (s == color_model_name(ColorModel(m))) return ColorModel(m);
    }
  }
  value_error(w.str() + ": color model must be one of 'L', 'RGB', 'RGBA', 'BGR', 'BGRA', got " +
              std::string(py::repr(value)));
}

ChannelDatatype parse_channel_datatype(py::handle value, const Where& w) {
  std::string s = enum_member_name(value);  // rr.ChannelDatatype.U8
  if (s.empty() && PyUnicode_Check(value.ptr())) s = std::string(utf8_view(value, w.field));
  if (!s.empty()) {
    std::string upper = s;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return char(std::toupper(c)); });
    for (uint8_t d = 1; d <= 11; ++d) {
      if (upper == channel_datatype_name(ChannelDatatype(d))) return ChannelDatatype(d);
    }
  }
  py::dtype dt;
  try {
    dt = py::dtype::from_args(py::reinterpret_borrow<py::object>(value));
  } catch (py::error_already_set&) {
    value_error(w.str() +
                ": channel datatype must be a numpy dtype or one of 'U8', 'U16', 'U32', 'U64', "
                "'I8', 'I16', 'I32', 'I64', 'F16', 'F32', 'F64', got " +
                std::string(py::repr(value)));
  }
  return datatype_of(dt, w);
}

TensorData tensor_from_array(py::handle value, const Where& w, Keep& keep) {
  py::array arr;
  if (py::isinstance<py::array>(value)) {
    arr = py::reinterpret_borrow<py::array>(value);
  } else {
    PyObject* r = PyObject_CallOneArg(numpy_asarray(), value.ptr());
    if (!r) throw py::error_already_set();
    arr = py::reinterpret_steal<py::array>(r);
  }
  TensorData t;
  t.datatype = datatype_of(arr.dtype(), w);
  for (ssize_t i = 0; i < arr.ndim(); ++i) t.shape.push_back(uint64_t(arr.shape(i)));
  auto c = py::array::ensure(arr, py::array::c_style);
  if (!c) throw py::error_already_set();
  keep.push_back(c);
  t.buffer =
      Bytes(std::span<const uint8_t>(static_cast<const uint8_t*>(c.data()), size_t(c.nbytes())));
  return t;
}

// ---------------------------------------------------------------------------------------
// to_collection specializations

#define REEL_ROWS(T, D)                                                      \
  template <>                                                                \
  Collection<T> to_collection<T>(py::handle v, const Where& w, Keep& keep) { \
    return float_rows<T, D>(v, w, keep);                                     \
  }
REEL_ROWS(Position2D, 2)
REEL_ROWS(Position3D, 3)
REEL_ROWS(Vector3D, 3)
REEL_ROWS(HalfSize2D, 2)
REEL_ROWS(HalfSize3D, 3)
REEL_ROWS(Translation3D, 3)
#undef REEL_ROWS

#define REEL_NUMBERS(T, V)                                                   \
  template <>                                                                \
  Collection<T> to_collection<T>(py::handle v, const Where& w, Keep& keep) { \
    return number_values<T, V>(v, w, keep);                                  \
  }
REEL_NUMBERS(Radius, float)
REEL_NUMBERS(StrokeWidth, float)
REEL_NUMBERS(MarkerSize, float)
REEL_NUMBERS(DepthMeter, float)
REEL_NUMBERS(Scalar, double)
#undef REEL_NUMBERS

template <>
Collection<Scale3D> to_collection<Scale3D>(py::handle v, const Where& w, Keep& keep) {
  if (is_number(v.ptr())) return Collection<Scale3D>(Scale3D::uniform(float(v.cast<double>())));
  return float_rows<Scale3D, 3>(v, w, keep);
}

template <>
Collection<TransformMat3x3> to_collection<TransformMat3x3>(py::handle v, const Where& w, Keep&) {
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
  std::vector<TransformMat3x3> out{size_t(n)};
  for (size_t i = 0; i < size_t(n); ++i) {
    const float* rows = f.data() + i * 9;
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c)
        out[i].m[size_t(c * 3 + r)] = rows[r * 3 + c];  // stored column-major
    }
  }
  return Collection<TransformMat3x3>(std::move(out));
}

template <>
Collection<Color> to_collection<Color>(py::handle v, const Where& w, Keep&) {
  return colors(v, w);
}

template <>
Collection<ClassId> to_collection<ClassId>(py::handle v, const Where& w, Keep&) {
  auto check = [&](int64_t id) {
    if (id < 0 || id > 65535)
      value_error(w.str() + ": class ids are in [0, 65535], got " + std::to_string(id));
    return ClassId(uint16_t(id));
  };
  if (is_int(v.ptr())) return Collection<ClassId>(check(v.cast<int64_t>()));
  py::array arr = number_array(v, w, true);
  if (arr.ndim() > 1)
    value_error(w.str() + ": expected an int or an array of shape (N,), got shape " +
                shape_string(arr));
  auto c = c_array<int64_t>(arr);
  std::vector<ClassId> out;
  const size_t n = arr.ndim() == 0 ? 1 : size_t(arr.shape(0));
  for (size_t i = 0; i < n; ++i) out.push_back(check(c.data()[i]));
  return Collection<ClassId>(std::move(out));
}

namespace {
MarkerShape marker_shape(py::handle v, const Where& w) {
  static const char* names[] = {"circle", "square", "cross", "plus", "diamond"};
  std::string member = enum_member_name(v);  // rr.components.MarkerShape.Diamond
  if (!member.empty() || PyUnicode_Check(v.ptr())) {
    std::string s = member.empty() ? std::string(utf8_view(v, w.field)) : member;
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    for (uint8_t i = 0; i < 5; ++i) {
      if (s == names[i]) return MarkerShape(i);
    }
  } else if (is_int(v.ptr()) || py::isinstance(v, py::module_::import("numpy").attr("integer"))) {
    int64_t i = v.cast<int64_t>();
    if (i >= 0 && i < 5) return MarkerShape(uint8_t(i));
  }
  value_error(w.str() +
              ": marker shapes are 'circle', 'square', 'cross', 'plus', 'diamond' (or 0-4), got " +
              std::string(py::repr(v)));
}
}  // namespace

template <>
Collection<MarkerShape> to_collection<MarkerShape>(py::handle v, const Where& w, Keep&) {
  if (PyUnicode_Check(v.ptr()) || is_int(v.ptr()) || !enum_member_name(v).empty()) {
    return Collection<MarkerShape>(marker_shape(v, w));
  }
  return Collection<MarkerShape>(list_of<MarkerShape>(v, w, marker_shape));
}

#define REEL_TEXTS(T)                                                   \
  template <>                                                           \
  Collection<T> to_collection<T>(py::handle v, const Where& w, Keep&) { \
    return texts<T>(v, w);                                              \
  }
REEL_TEXTS(Text)
REEL_TEXTS(Name)
REEL_TEXTS(MediaType)
REEL_TEXTS(TextLogLevel)
#undef REEL_TEXTS

template <>
Collection<LineStrip2D> to_collection<LineStrip2D>(py::handle v, const Where& w, Keep&) {
  return strips<LineStrip2D, 2>(v, w);
}
template <>
Collection<LineStrip3D> to_collection<LineStrip3D>(py::handle v, const Where& w, Keep&) {
  return strips<LineStrip3D, 3>(v, w);
}

template <>
Collection<ImageBuffer> to_collection<ImageBuffer>(py::handle v, const Where& w, Keep& keep) {
  return byte_values<ImageBuffer>(v, w, keep);
}
template <>
Collection<Blob> to_collection<Blob>(py::handle v, const Where& w, Keep& keep) {
  return byte_values<Blob>(v, w, keep);
}

template <>
Collection<ImageFormat> to_collection<ImageFormat>(py::handle v, const Where& w, Keep&) {
  if (py::isinstance<ImageFormat>(v)) return Collection<ImageFormat>(v.cast<ImageFormat>());
  std::vector<ImageFormat> out;
  if (PyList_Check(v.ptr()) || PyTuple_Check(v.ptr())) {
    for (auto item : py::iter(v)) {
      if (!py::isinstance<ImageFormat>(item))
        type_error(w.str() + ": expected rr.ImageFormat, got " + type_name(item));
      out.push_back(item.cast<ImageFormat>());
    }
    return Collection<ImageFormat>(std::move(out));
  }
  type_error(w.str() + ": expected rr.ImageFormat, got " + type_name(v));
}

template <>
Collection<TensorData> to_collection<TensorData>(py::handle v, const Where& w, Keep& keep) {
  if (PyList_Check(v.ptr()) || PyTuple_Check(v.ptr())) {
    std::vector<TensorData> out;
    for (auto item : py::iter(v)) out.push_back(tensor_from_array(item, w, keep));
    return Collection<TensorData>(std::move(out));
  }
  return Collection<TensorData>(tensor_from_array(v, w, keep));
}

namespace {
AnnotationInfo annotation(py::handle v, const Where& w) {
  if (py::isinstance<AnnotationInfo>(v)) return v.cast<AnnotationInfo>();
  if (PyTuple_Check(v.ptr()) || PyList_Check(v.ptr())) {
    auto t = py::reinterpret_borrow<py::sequence>(v);
    if (t.size() < 1 || t.size() > 3) {
      value_error(w.str() + ": annotation tuples are (id, label) or (id, label, color), got " +
                  std::string(py::repr(v)));
    }
    AnnotationInfo a;
    Keep unused;
    a.class_id = to_collection<ClassId>(t[0], w, unused)[0].id;
    if (t.size() > 1 && !t[1].is_none()) a.label = std::string(utf8_view(t[1], w.field));
    if (t.size() > 2 && !t[2].is_none()) a.color = colors(t[2], w)[0];
    return a;
  }
  type_error(w.str() + ": expected rr.AnnotationInfo or a tuple (id, label[, color]), got " +
             type_name(v));
}
}  // namespace

template <>
Collection<AnnotationInfo> to_collection<AnnotationInfo>(py::handle v, const Where& w, Keep&) {
  if (py::isinstance<AnnotationInfo>(v)) return Collection<AnnotationInfo>(annotation(v, w));
  if (!PyList_Check(v.ptr()) && !PyTuple_Check(v.ptr())) {
    type_error(w.str() +
               ": expected a list of rr.AnnotationInfo or (id, label[, color]) tuples, got " +
               type_name(v));
  }
  return Collection<AnnotationInfo>(list_of<AnnotationInfo>(v, w, annotation));
}

template <>
Collection<ClearIsRecursive> to_collection<ClearIsRecursive>(py::handle v, const Where& w, Keep&) {
  int truth = PyObject_IsTrue(v.ptr());
  if (truth < 0) throw py::error_already_set();
  if (!PyBool_Check(v.ptr()) && !py::isinstance(v, py::module_::import("numpy").attr("bool_"))) {
    type_error(w.str() + ": expected a bool, got " + type_name(v));
  }
  return Collection<ClearIsRecursive>(ClearIsRecursive{truth == 1});
}

template <>
Collection<ViewCoordinatesComponent> to_collection<ViewCoordinatesComponent>(py::handle v,
                                                                             const Where& w,
                                                                             Keep& keep) {
  ViewCoordinatesComponent c;
  // rr.ViewCoordinates.RDF (an archetype object, as Rerun's constants are passed to
  // Pinhole(camera_xyz=...)): its axes.
  if (!PyUnicode_Check(v.ptr()) && py::hasattr(v, "xyz") && py::hasattr(v, "archetype_name")) {
    return to_collection<ViewCoordinatesComponent>(v.attr("xyz"), w, keep);
  }
  if (PyUnicode_Check(v.ptr())) {
    auto s = utf8_view(v, w.field);
    if (s.size() != 3)
      value_error(w.str() + ": expected three axis letters such as 'RDF', got '" + std::string(s) +
                  "'");
    for (size_t i = 0; i < 3; ++i) c.axes[i] = axis_code(s[i], w);
    return Collection<ViewCoordinatesComponent>(c);
  }
  py::array arr = number_array(v, w, true);
  if (arr.ndim() != 1 || arr.shape(0) != 3) {
    value_error(
        w.str() +
        ": expected 3 axis codes (1 Up, 2 Down, 3 Right, 4 Left, 5 Forward, 6 Back), got shape " +
        shape_string(arr));
  }
  auto a = c_array<int64_t>(arr);
  for (size_t i = 0; i < 3; ++i) {
    int64_t code = a.data()[i];
    if (code < 1 || code > 6)
      value_error(w.str() + ": axis codes are 1-6, got " + std::to_string(code));
    c.axes[i] = uint8_t(code);
  }
  return Collection<ViewCoordinatesComponent>(c);
}

// ---------------------------------------------------------------------------------------

void register_component_types(py::module_& m) {
  py::class_<ImageFormat>(m, "ImageFormat",
                          "Width, height, color model and channel datatype of raw image bytes.")
      .def(py::init([](uint32_t width, uint32_t height, py::handle color_model,
                       py::handle channel_datatype) {
             const Where w{"ImageFormat", "format"};
             return ImageFormat{width, height, parse_color_model(color_model, w),
                                parse_channel_datatype(channel_datatype, w)};
           }),
           py::arg("width"), py::arg("height"), py::arg("color_model") = "RGB",
           py::arg("channel_datatype") = "U8")
      .def_readonly("width", &ImageFormat::width)
      .def_readonly("height", &ImageFormat::height)
      .def_property_readonly("color_model",
                             [](const ImageFormat& f) { return color_model_name(f.color_model); })
      .def_property_readonly(
          "channel_datatype",
          [](const ImageFormat& f) { return channel_datatype_name(f.channel_datatype); })
      .def_property_readonly("num_bytes", &ImageFormat::num_bytes)
      .def("__repr__", [](const ImageFormat& f) {
        return "ImageFormat(width=" + std::to_string(f.width) +
               ", height=" + std::to_string(f.height) + ", color_model='" +
               color_model_name(f.color_model) + "', channel_datatype='" +
               channel_datatype_name(f.channel_datatype) + "')";
      });

  py::class_<AnnotationInfo>(m, "AnnotationInfo",
                             "A class id with its label and color, for AnnotationContext.")
      .def(py::init([](py::handle id, py::handle label, py::handle color) {
             const Where w{"AnnotationInfo", "id"};
             Keep unused;
             AnnotationInfo a;
             a.class_id = to_collection<ClassId>(id, w, unused)[0].id;
             if (!label.is_none()) a.label = std::string(utf8_view(label, "label"));
             if (!color.is_none()) a.color = colors(color, Where{"AnnotationInfo", "color"})[0];
             return a;
           }),
           py::arg("id"), py::arg("label") = py::none(), py::arg("color") = py::none())
      .def_readonly("id", &AnnotationInfo::class_id)
      .def_readonly("label", &AnnotationInfo::label)
      .def_property_readonly("color", [](const AnnotationInfo& a) { return a.color.rgba; })
      .def("__repr__", [](const AnnotationInfo& a) {
        char color[16];
        std::snprintf(color, sizeof color, "0x%08X", a.color.rgba);
        return "AnnotationInfo(id=" + std::to_string(a.class_id) + ", label='" + a.label +
               "', color=" + color + ")";
      });
}

}  // namespace reel::py_bindings
