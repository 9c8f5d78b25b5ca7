// The building blocks of to_collection, shared by convert.cpp (the original components) and
// convert_spatial.cpp (cameras, shapes, graphs, maps): numbers, rows of numbers, colors,
// strings and enum names, each with errors that name the archetype field.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "convert.hpp"

namespace reel::py_bindings::detail {

PyObject* numpy_asarray();

inline bool is_int(PyObject* o) { return PyLong_Check(o) && !PyBool_Check(o); }
// numpy's real scalar types (np.float32(1), np.int16(2), ...): not arrays, bools or complex.
bool is_numpy_number(PyObject* o);
inline bool is_number(PyObject* o) { return PyFloat_Check(o) || is_int(o) || is_numpy_number(o); }
// An enum.Enum member (rr.components.FillMode.Solid): its name, else "".
std::string enum_member_name(py::handle value);

// C-contiguous, aligned array of T (cast from any real dtype). Returns the input itself when
// it already is one.
template <typename T>
py::array_t<T> c_array(const py::array& in) {
  auto out = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(in);
  if (!out) throw py::error_already_set();
  if (reinterpret_cast<uintptr_t>(out.data()) % alignof(T) != 0) {
    out = py::array_t<T, py::array::c_style>(out.request());  // an aligned copy
  }
  return out;
}

// Rows of D values of type V: shape (N, D), or (D,) for one; (0,) is none.
template <typename T, typename V, int D>
Collection<T> value_rows(py::handle value, const Where& w, Keep& keep, bool integers_only = false) {
  static_assert(sizeof(T) == D * sizeof(V));
  py::array arr = number_array(value, w, integers_only);
  ssize_t n = -1;
  if (arr.ndim() == 1 && arr.shape(0) == D) {
    n = 1;
  } else if (arr.ndim() == 2 && arr.shape(1) == D) {
    n = arr.shape(0);
  } else if (arr.ndim() == 1 && arr.shape(0) == 0) {
    n = 0;
  }
  if (n < 0) {
    value_error(w.str() + ": expected an array of shape (N, " + std::to_string(D) + ") or (" +
                std::to_string(D) + ",), got shape " + shape_string(arr));
  }
  auto f = c_array<V>(arr);
  keep.push_back(f);
  return Collection<T>(std::span<const T>(reinterpret_cast<const T*>(f.data()), size_t(n)));
}
template <typename T, int D>
Collection<T> float_rows(py::handle value, const Where& w, Keep& keep) {
  return value_rows<T, float, D>(value, w, keep);
}

// One number per instance: a Python number, or shape () or (N,).
template <typename T, typename V>
Collection<T> number_values(py::handle value, const Where& w, Keep& keep) {
  static_assert(sizeof(T) == sizeof(V));
  if (is_number(value.ptr())) {
    double d = PyFloat_AsDouble(value.ptr());
    if (d == -1.0 && PyErr_Occurred()) throw py::error_already_set();
    return Collection<T>(T(V(d)));
  }
  py::array arr = number_array(value, w);
  if (arr.ndim() > 1) {
    value_error(w.str() + ": expected a number or an array of shape (N,), got shape " +
                shape_string(arr));
  }
  const size_t n = arr.ndim() == 0 ? 1 : size_t(arr.shape(0));
  auto f = c_array<V>(arr);
  keep.push_back(f);
  return Collection<T>(std::span<const T>(reinterpret_cast<const T*>(f.data()), n));
}

Collection<Color> colors(py::handle value, const Where& w);

template <typename T>
Collection<T> texts(py::handle value, const Where& w) {
  PyObject* o = value.ptr();
  if (PyUnicode_Check(o)) return Collection<T>(T(std::string(utf8_view(value, w.field))));
  const bool sequence = PyList_Check(o) || PyTuple_Check(o) || py::isinstance<py::array>(value);
  if (!sequence) type_error(w.str() + ": expected str or a list of str, got " + type_name(value));
  std::vector<T> out;
  size_t i = 0;
  for (auto item : py::iter(value)) {
    if (!PyUnicode_Check(item.ptr())) {
      type_error(w.str() + ": expected str at index " + std::to_string(i) + ", got " +
                 type_name(item));
    }
    out.emplace_back(std::string(utf8_view(item, w.field)));
    ++i;
  }
  return Collection<T>(std::move(out));
}

}  // namespace reel::py_bindings::detail
