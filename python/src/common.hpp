// Shared by the binding files: Status -> Python exception, GIL helpers, small conversions.
//
// Every reel Status that reaches Python becomes an exception whose type says what went wrong:
// Invalid -> ValueError, TypeError -> TypeError, IndexError -> IndexError, IOError -> OSError,
// NotFound -> reel.NotFoundError (a KeyError), Corrupt -> reel.CorruptRecordingError (a
// ValueError), NotImplemented -> NotImplementedError, others -> RuntimeError.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reel/status.hpp"

namespace reel::py_bindings {

namespace py = pybind11;

// Exception classes created at module import (see module.cpp).
struct Exceptions {
  PyObject* not_found = nullptr;
  PyObject* corrupt = nullptr;
  PyObject* data_loss = nullptr;  // reel.DataLossWarning
};
Exceptions& exceptions();

// rr.set_strict_mode(True): warnings such as DataLossWarning are raised instead.
bool& strict_mode();
// The outcome of a flush: data loss (a CapacityError "data loss: ...") issues
// DataLossWarning (raised in strict mode); other sink failures (a server still unreachable)
// are reported on stderr as the error handler does; cancellation raises. Requires the GIL.
void check_flush(const Status& status);

// Raises the Python exception for `status` (must not be OK). Requires the GIL.
[[noreturn]] void throw_status(const Status& status);

inline void check(const Status& status) {
  if (!status.ok()) throw_status(status);
}
template <typename T>
T check(Result<T> result) {
  if (!result.ok()) throw_status(result.status());
  return std::move(result).value();
}

[[noreturn]] inline void raise(PyObject* type, const std::string& message) {
  PyErr_SetString(type, message.c_str());
  throw py::error_already_set();
}
[[noreturn]] inline void value_error(const std::string& message) {
  raise(PyExc_ValueError, message);
}
[[noreturn]] inline void type_error(const std::string& message) { raise(PyExc_TypeError, message); }

// "float64", "(5, 2)": for messages.
std::string dtype_name(const py::dtype& dtype);
std::string shape_string(const py::array& array);
std::string type_name(py::handle object);

// Large copies and waits release the GIL; tiny ones do not (releasing costs ~100 ns).
inline constexpr size_t kReleaseGilBytes = 64 * 1024;

// Releases the GIL for its scope when `release` is true.
class MaybeReleaseGil {
 public:
  explicit MaybeReleaseGil(bool release) : state_(release ? PyEval_SaveThread() : nullptr) {}
  ~MaybeReleaseGil() {
    if (state_) PyEval_RestoreThread(state_);
  }
  MaybeReleaseGil(const MaybeReleaseGil&) = delete;
  MaybeReleaseGil& operator=(const MaybeReleaseGil&) = delete;

 private:
  PyThreadState* state_;
};

// A Python str as UTF-8 without copying (valid while the object lives).
std::string_view utf8_view(py::handle str, const char* what);

}  // namespace reel::py_bindings
