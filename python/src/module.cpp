// The extension module reel._reel; the `reel` package (python/reel) re-exports it.
#include "archetypes.hpp"
#include "convert.hpp"
#include "dataframe.hpp"
#include "fast.hpp"
#include "recording.hpp"
#include "reel/version.hpp"

namespace reel::py_bindings {
namespace {

PyObject* make_exception(py::module_& m, const char* name, PyObject* base, const char* doc) {
  std::string qualified = std::string("reel.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base, nullptr);
  if (!type) throw py::error_already_set();
  m.add_object(name, py::reinterpret_borrow<py::object>(type));
  return type;  // the module keeps a reference; so does exceptions()
}

}  // namespace
}  // namespace reel::py_bindings

PYBIND11_MODULE(_reel, m) {
  namespace py = pybind11;
  using namespace reel::py_bindings;
  m.doc() = "reel: record, store, query and view multimodal time-series data (native module).";
  m.attr("__version__") = reel::kVersion;  // CMake's project version (reel/version.hpp)
  // Built with sanitizers (REEL_SANITIZE): tests asserting memory figures skip themselves.
#ifdef REEL_SANITIZED
  m.attr("_sanitized") = true;
#else
  m.attr("_sanitized") = false;
#endif

  auto& e = exceptions();
  e.not_found = make_exception(m, "NotFoundError", PyExc_KeyError,
                               "A column, entity, component or timeline that does not exist.");
  // KeyError's str() quotes its message; ours reads as a sentence.
  py::handle(e.not_found).attr("__str__") = py::handle(PyExc_BaseException).attr("__str__");
  e.corrupt = make_exception(m, "CorruptRecordingError", PyExc_ValueError,
                             "Bytes that do not decode as a reel recording.");
  e.data_loss = make_exception(
      m, "DataLossWarning", PyExc_UserWarning,
      "Logged data was dropped: a server stayed unreachable or stalled and the SDK's buffer "
      "filled (issued by flush(); raised instead under rr.set_strict_mode(True)).");
  m.def(
      "set_strict_mode", [](bool strict) { strict_mode() = strict; }, py::arg("strict"),
      "With True, warnings about lost data (DataLossWarning) are raised as exceptions.");
  m.def("strict_mode", [] { return strict_mode(); });

  register_component_types(m);
  register_rotation_types(m);
  register_archetypes(m);
  register_any_values(m);
  register_recording(m);
  register_fast(m, m.attr("RecordingStream"));
  register_dataframe(m);
}
