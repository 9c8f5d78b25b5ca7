#include "common.hpp"

namespace reel::py_bindings {

Exceptions& exceptions() {
  static Exceptions e;
  return e;
}

bool& strict_mode() {
  static bool strict = false;
  return strict;
}

void check_flush(const Status& status) {
  if (status.ok()) return;
  if (status.code() == StatusCode::kCapacityError && status.message().rfind("data loss:", 0) == 0) {
    PyObject* type = exceptions().data_loss ? exceptions().data_loss : PyExc_UserWarning;
    if (strict_mode()) raise(type, status.message());
    if (PyErr_WarnEx(type, status.message().c_str(), 1) != 0) throw py::error_already_set();
    return;
  }
  if (status.code() == StatusCode::kCancelled) throw_status(status);
  PySys_WriteStderr("reel: %.1000s\n", status.to_string().c_str());
}

void throw_status(const Status& status) {
  PyObject* type = PyExc_RuntimeError;
  switch (status.code()) {
    case StatusCode::kInvalid:
    case StatusCode::kCapacityError:
      type = PyExc_ValueError;
      break;
    case StatusCode::kTypeError:
      type = PyExc_TypeError;
      break;
    case StatusCode::kIndexError:
      type = PyExc_IndexError;
      break;
    case StatusCode::kIOError:
      type = PyExc_OSError;
      break;
    case StatusCode::kCorrupt:
      type = exceptions().corrupt ? exceptions().corrupt : PyExc_ValueError;
      break;
    case StatusCode::kNotFound:
      type = exceptions().not_found ? exceptions().not_found : PyExc_KeyError;
      break;
    case StatusCode::kNotImplemented:
      type = PyExc_NotImplementedError;
      break;
    default:
      break;
  }
  raise(type, status.message());
}

std::string dtype_name(const py::dtype& dtype) { return py::str(py::handle(dtype)); }

std::string shape_string(const py::array& array) {
  std::string s = "(";
  for (ssize_t i = 0; i < array.ndim(); ++i) {
    s += (i ? ", " : "") + std::to_string(array.shape(i));
  }
  if (array.ndim() == 1) s += ",";
  return s + ")";
}

std::string type_name(py::handle object) { return Py_TYPE(object.ptr())->tp_name; }

std::string_view utf8_view(py::handle str, const char* what) {
  if (!PyUnicode_Check(str.ptr()))
    type_error(std::string(what) + " must be a str, got " + type_name(str));
  Py_ssize_t n = 0;
  const char* s = PyUnicode_AsUTF8AndSize(str.ptr(), &n);
  if (!s) throw py::error_already_set();
  return {s, size_t(n)};
}

}  // namespace reel::py_bindings
