// The per-row hot path, written against the CPython API (vectorcall, no pybind11 dispatch):
// rr.log, rr.set_time (module functions and RecordingStream methods) and rr.Scalars.
//
// rr.log("plots/sin", rr.Scalars(x)) costs one small object (the Scalars, holding the double
// inline) and no other Python allocation: the C++ batch points at that double.
#include <cmath>

#include "archetypes.hpp"
#include "fast.hpp"
#include "recording.hpp"

namespace reel::py_bindings {

namespace {

// ---------------------------------------------------------------------------------------
// rr.Scalars

struct ScalarsObject {
  PyObject_HEAD double value;  // the single scalar (data points here when owner is null)
  const double* data;          // the values
  Py_ssize_t size;
  PyObject* owner;  // a float64 array holding `data`, or null
};

PyTypeObject* g_scalars_type = nullptr;

PyObject* scalars_new(PyTypeObject* type, PyObject* args, PyObject* kwds) {
  PyObject* value = nullptr;
  if (!kwds && PyTuple_GET_SIZE(args) == 1) {
    value = PyTuple_GET_ITEM(args, 0);
  } else {
    static const char* kwlist[] = {"scalars", nullptr};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:Scalars", const_cast<char**>(kwlist), &value))
      return nullptr;
  }
  auto* self = reinterpret_cast<ScalarsObject*>(type->tp_alloc(type, 0));
  if (!self) return nullptr;
  self->owner = nullptr;
  self->size = 1;
  self->data = &self->value;
  if (PyFloat_Check(value)) {
    self->value = PyFloat_AS_DOUBLE(value);
    return reinterpret_cast<PyObject*>(self);
  }
  try {
    Keep keep;
    Collection<Scalar> c = to_collection<Scalar>(value, Where{"Scalars", "scalars"}, keep);
    if (keep.empty()) {
      self->value = c[0].value;
    } else {
      self->owner = keep.back().release().ptr();
      self->data = reinterpret_cast<const double*>(c.data());
      self->size = Py_ssize_t(c.size());
    }
  } catch (py::error_already_set& e) {
    e.restore();
    Py_DECREF(self);
    return nullptr;
  }
  return reinterpret_cast<PyObject*>(self);
}

// Calls of the type itself (rr.Scalars(x)) without building an argument tuple: the type's
// tp_vectorcall slot, which CPython consults when a type object is called (as for range()).
PyObject* scalars_vectorcall(PyObject* type, PyObject* const* args, size_t nargsf,
                             PyObject* kwnames) {
  const Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  auto* t = reinterpret_cast<PyTypeObject*>(type);
  if (!kwnames && nargs == 1 && PyFloat_Check(args[0])) {  // numpy.float64 is a float too
    auto* self = reinterpret_cast<ScalarsObject*>(t->tp_alloc(t, 0));
    if (!self) return nullptr;
    self->value = PyFloat_AS_DOUBLE(args[0]);
    self->data = &self->value;
    self->size = 1;
    self->owner = nullptr;
    return reinterpret_cast<PyObject*>(self);
  }
  PyObject* tuple = PyTuple_New(nargs);
  if (!tuple) return nullptr;
  for (Py_ssize_t i = 0; i < nargs; ++i) {
    Py_INCREF(args[i]);
    PyTuple_SET_ITEM(tuple, i, args[i]);
  }
  PyObject* kwargs = nullptr;
  if (kwnames) {
    kwargs = PyDict_New();
    for (Py_ssize_t i = 0; kwargs && i < PyTuple_GET_SIZE(kwnames); ++i) {
      if (PyDict_SetItem(kwargs, PyTuple_GET_ITEM(kwnames, i), args[nargs + i]) != 0)
        Py_CLEAR(kwargs);
    }
    if (!kwargs) {
      Py_DECREF(tuple);
      return nullptr;
    }
  }
  PyObject* out = scalars_new(t, tuple, kwargs);
  Py_DECREF(tuple);
  Py_XDECREF(kwargs);
  return out;
}

void scalars_dealloc(PyObject* o) {
  auto* self = reinterpret_cast<ScalarsObject*>(o);
  PyTypeObject* type = Py_TYPE(o);
  Py_XDECREF(self->owner);
  type->tp_free(o);
  Py_DECREF(type);
}

PyObject* scalars_repr(PyObject* o) {
  auto* self = reinterpret_cast<ScalarsObject*>(o);
  if (!self->owner) {
    PyObject* v = PyFloat_FromDouble(self->value);
    if (!v) return nullptr;
    PyObject* r = PyUnicode_FromFormat("Scalars(%R)", v);
    Py_DECREF(v);
    return r;
  }
  return PyUnicode_FromFormat("Scalars(%zd values)", self->size);
}

PyObject* scalars_get(PyObject* o, void*) {
  auto* self = reinterpret_cast<ScalarsObject*>(o);
  if (!self->owner) return PyFloat_FromDouble(self->value);
  Py_INCREF(self->owner);
  return self->owner;
}

PyObject* scalars_columns(PyObject*, PyObject* args, PyObject* kwds) {
  try {
    if (PyTuple_GET_SIZE(args) != 0)
      type_error("Scalars.columns() takes keyword arguments: scalars=...");
    py::kwargs kw = kwds ? py::reinterpret_borrow<py::kwargs>(kwds) : py::kwargs();
    return py::cast(archetype_columns("Scalars", kw)).release().ptr();
  } catch (py::error_already_set& e) {
    e.restore();
    return nullptr;
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
    return nullptr;
  }
}

PyObject* scalars_fields(PyObject*, PyObject*) { return Py_BuildValue("[s]", "scalars"); }

PyMethodDef scalars_methods[] = {
    {"columns", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(scalars_columns)),
     METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "Scalars.columns(scalars=array): one scalar per row, for send_columns."},
    {"archetype_fields", scalars_fields, METH_NOARGS | METH_STATIC, "The fields of the archetype."},
    {nullptr, nullptr, 0, nullptr}};

PyObject* scalars_name(PyObject*, void*) { return PyUnicode_FromString("Scalars"); }
PyGetSetDef scalars_getset_all[] = {
    {"scalars", scalars_get, nullptr, "The value(s): a float, or a float64 array.", nullptr},
    {"archetype_name", scalars_name, nullptr, "\"Scalars\"", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyType_Slot scalars_slots[] = {
    {Py_tp_new, reinterpret_cast<void*>(scalars_new)},
    {Py_tp_dealloc, reinterpret_cast<void*>(scalars_dealloc)},
    {Py_tp_repr, reinterpret_cast<void*>(scalars_repr)},
    {Py_tp_methods, scalars_methods},
    {Py_tp_getset, scalars_getset_all},
    {Py_tp_doc, const_cast<char*>(
                    "Scalars(scalars): one value (a float) or a batch of values (float64 array) "
                    "logged in one row. Scalars.columns(scalars=array) gives one value per row.")},
    {0, nullptr}};

PyType_Spec scalars_spec = {"reel.Scalars", sizeof(ScalarsObject), 0, Py_TPFLAGS_DEFAULT,
                            scalars_slots};

// ---------------------------------------------------------------------------------------
// Keyword parsing for vectorcall functions.

struct Keywords {
  PyObject* recording = nullptr;
  PyObject* is_static = nullptr;
  PyObject* sequence = nullptr;
  PyObject* duration = nullptr;
  PyObject* timestamp = nullptr;
};

PyObject* intern(const char* s) {
  PyObject* o = PyUnicode_InternFromString(s);
  if (!o) throw py::error_already_set();
  return o;
}

bool keyword_is(PyObject* name, PyObject* interned) {
  return name == interned || PyUnicode_Compare(name, interned) == 0;
}

// Sets the slots named in `allowed` (a null-terminated list of interned names and the
// matching Keywords members); raises TypeError for others.
void parse_keywords(const char* function, PyObject* const* args, Py_ssize_t nargs,
                    PyObject* kwnames,
                    std::initializer_list<std::pair<PyObject*, PyObject**>> allowed) {
  if (!kwnames) return;
  const Py_ssize_t n = PyTuple_GET_SIZE(kwnames);
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* name = PyTuple_GET_ITEM(kwnames, i);
    bool found = false;
    for (const auto& [key, slot] : allowed) {
      if (keyword_is(name, key)) {
        *slot = args[nargs + i];
        found = true;
        break;
      }
    }
    if (!found) {
      type_error(std::string(function) + "() got an unexpected keyword argument '" +
                 std::string(utf8_view(name, "keyword")) + "'");
    }
  }
}

struct Names {
  PyObject* recording;
  PyObject* is_static;
  PyObject* sequence;
  PyObject* duration;
  PyObject* timestamp;
};
Names* g_names = nullptr;

// Runs a body that may throw pybind11 / C++ exceptions, as a CPython function.
template <typename F>
PyObject* guarded(F&& body) {
  try {
    return body();
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (const py::builtin_exception& e) {
    e.set_error();
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
  return nullptr;
}

// Holds a strong reference for the call (the stream may not die while the GIL is released).
struct Ref {
  PyObject* o = nullptr;
  ~Ref() { Py_XDECREF(o); }
};

// ---------------------------------------------------------------------------------------
// rr.log(entity_path, entity, *extra, static=False, recording=None)

PyObject* log(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  return guarded([&]() -> PyObject* {
    Keywords kw;
    parse_keywords("log", args, nargs, kwnames,
                   {{g_names->recording, &kw.recording}, {g_names->is_static, &kw.is_static}});
    if (nargs < 2)
      type_error(
          "log() takes an entity path and at least one archetype, e.g. rr.log(\"plots/sin\", "
          "rr.Scalars(0.5))");
    bool is_static = false;
    if (kw.is_static) {
      int t = PyObject_IsTrue(kw.is_static);
      if (t < 0) throw py::error_already_set();
      is_static = t == 1;
    }
    Ref owner;
    RecordingStream* stream = resolve_stream(self, kw.recording, &owner.o);
    std::string storage;
    const std::string_view path = entity_path_arg(args[0], storage);

    ComponentBatchList batches;
    const PyArchetype* others[ComponentBatchList::kMaxComponents];
    size_t num_others = 0;
    size_t payload = 0;
    for (Py_ssize_t i = 1; i < nargs; ++i) {
      PyObject* o = args[i];
      if (Py_TYPE(o) == g_scalars_type) {
        auto* s = reinterpret_cast<ScalarsObject*>(o);
        batches.push(ComponentBatch::from<Scalar>(
            Scalars::descriptor_scalars(),
            std::span<const Scalar>(reinterpret_cast<const Scalar*>(s->data), size_t(s->size))));
        payload += size_t(s->size) * 8;
        continue;
      }
      py::handle h(o);
      if (!py::isinstance<PyArchetype>(h)) {
        type_error(
            "log() expects archetypes such as rr.Points3D(...) or rr.Scalars(...) after the entity "
            "path, "
            "got " +
            type_name(h));
      }
      if (num_others == ComponentBatchList::kMaxComponents)
        value_error("log(): too many archetypes in one call");
      others[num_others++] = &h.cast<const PyArchetype&>();
      payload += others[num_others - 1]->payload_bytes;
    }
    // collect() and the batcher read only C++ data and the arrays the archetypes hold; the
    // archetypes (args) and the stream (owner) stay referenced by this call, so large batches
    // (images, point clouds: collect may copy them into Arrow arrays) go without the GIL.
    Status st;
    {
      MaybeReleaseGil release(payload >= kReleaseGilBytes);
      for (size_t i = 0; i < num_others; ++i) others[i]->collect(batches);
      st = stream->try_log_batches(path, batches, is_static);
    }
    check(st);
    Py_RETURN_NONE;
  });
}

// ---------------------------------------------------------------------------------------
// rr.set_time(timeline, *, sequence=, duration=, timestamp=, recording=None)

constexpr double kMaxSeconds = 9.2e9;  // |seconds| whose nanoseconds fit in an int64

TimeInt int64_of(PyObject* o, const char* what) {
  if (PyFloat_Check(o)) type_error(std::string("set_time: ") + what + " must be an int, got float");
  if (PyBool_Check(o)) type_error(std::string("set_time: ") + what + " must be an int, got bool");
  PyObject* index = PyLong_CheckExact(o) ? (Py_INCREF(o), o) : PyNumber_Index(o);
  if (!index) {
    PyErr_Clear();
    type_error(std::string("set_time: ") + what + " must be an int, got " + type_name(o));
  }
  long long v = PyLong_AsLongLong(index);
  Py_DECREF(index);
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  return TimeInt(v);
}

double checked_seconds(PyObject* o, const char* what) {
  double s = PyFloat_AS_DOUBLE(o);
  if (std::isnan(s)) value_error(std::string("set_time: ") + what + " is NaN");
  if (!(std::fabs(s) < kMaxSeconds))
    raise(PyExc_OverflowError, std::string("set_time: ") + what + " out of range");
  return s;
}

PyObject* set_time(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  return guarded([&]() -> PyObject* {
    Keywords kw;
    parse_keywords("set_time", args, nargs, kwnames,
                   {{g_names->sequence, &kw.sequence},
                    {g_names->duration, &kw.duration},
                    {g_names->timestamp, &kw.timestamp},
                    {g_names->recording, &kw.recording}});
    if (nargs != 1)
      type_error("set_time() takes the timeline name, then sequence=, duration= or timestamp=");
    const int given = (kw.sequence && kw.sequence != Py_None) +
                      (kw.duration && kw.duration != Py_None) +
                      (kw.timestamp && kw.timestamp != Py_None);
    if (given != 1)
      type_error("set_time() needs exactly one of sequence=, duration= and timestamp=");
    if (!PyUnicode_Check(args[0]))
      type_error("set_time(): the timeline name must be a str, got " + type_name(args[0]));
    Py_ssize_t len = 0;
    const char* name = PyUnicode_AsUTF8AndSize(args[0], &len);
    if (!name) throw py::error_already_set();
    if (len == 0) value_error("set_time(): the timeline name must not be empty");
    const std::string_view timeline(name, size_t(len));
    RecordingStream* stream = resolve_stream(self, kw.recording);

    // A timeline keeps the type of its first use in the recording: another is a TypeError.
    Status st;
    if (kw.sequence && kw.sequence != Py_None) {
      st = stream->try_set_time(timeline, TimeType::kSequence, int64_of(kw.sequence, "sequence"));
    } else if (kw.duration && kw.duration != Py_None) {
      PyObject* d = kw.duration;
      if (PyFloat_Check(d)) {
        st = stream->try_set_time_secs(timeline, TimeType::kDuration,
                                       checked_seconds(d, "duration"));
      } else if (PyLong_Check(d) && !PyBool_Check(d)) {
        TimeInt s = int64_of(d, "duration");
        if (std::abs(double(s)) >= kMaxSeconds)
          raise(PyExc_OverflowError, "set_time: duration out of range");
        st = stream->try_set_time(timeline, TimeType::kDuration, s * 1'000'000'000);
      } else {
        auto ns = py::module_::import("reel._time").attr("duration_ns")(py::handle(d));
        st = stream->try_set_time(timeline, TimeType::kDuration, ns.cast<int64_t>());
      }
    } else {
      PyObject* t = kw.timestamp;
      if (PyLong_Check(t) && !PyBool_Check(t)) {
        st = stream->try_set_time(timeline, TimeType::kTimestamp, int64_of(t, "timestamp"));
      } else if (PyFloat_Check(t)) {
        st = stream->try_set_time_secs(timeline, TimeType::kTimestamp,
                                       checked_seconds(t, "timestamp"));
      } else {
        auto ns = py::module_::import("reel._time").attr("timestamp_ns")(py::handle(t));
        st = stream->try_set_time(timeline, TimeType::kTimestamp, ns.cast<int64_t>());
      }
    }
    if (!st.ok()) type_error("set_time: " + st.message());
    Py_RETURN_NONE;
  });
}

PyMethodDef log_def = {
    "log", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(log)),
    METH_FASTCALL | METH_KEYWORDS,
    "log(entity_path, entity, *extra, static=False, recording=None)\n\n"
    "Logs one row of archetypes on an entity at the current time (static=True: no time, "
    "visible at every time). Raises ValueError/TypeError on bad paths or data."};
PyMethodDef set_time_def = {
    "set_time", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(set_time)),
    METH_FASTCALL | METH_KEYWORDS,
    "set_time(timeline, *, sequence=None, duration=None, timestamp=None, recording=None)\n\n"
    "Sets this thread's time on a timeline for the following log calls: sequence=int, "
    "duration=seconds "
    "(float/int) or timedelta/timedelta64, timestamp=ns since the Unix epoch (int), seconds "
    "(float), "
    "datetime (naive = UTC) or datetime64."};

}  // namespace

void register_fast(py::module_& m, py::handle recording_class) {
  g_names = new Names{intern("recording"), intern("static"), intern("sequence"), intern("duration"),
                      intern("timestamp")};

  PyObject* type = PyType_FromSpec(&scalars_spec);
  if (!type) throw py::error_already_set();
  g_scalars_type = reinterpret_cast<PyTypeObject*>(type);
  g_scalars_type->tp_vectorcall = scalars_vectorcall;
  m.add_object("Scalars", py::reinterpret_steal<py::object>(type));

  // Module functions (self = the module) and methods of RecordingStream (self = the stream).
  for (PyMethodDef* def : {&log_def, &set_time_def}) {
    auto fn = py::reinterpret_steal<py::object>(PyCFunction_NewEx(def, m.ptr(), nullptr));
    if (!fn) throw py::error_already_set();
    m.add_object(def->ml_name, fn);
    auto method = py::reinterpret_steal<py::object>(
        PyDescr_NewMethod(reinterpret_cast<PyTypeObject*>(recording_class.ptr()), def));
    if (!method) throw py::error_already_set();
    if (PyObject_SetAttrString(recording_class.ptr(), def->ml_name, method.ptr()) != 0)
      throw py::error_already_set();
  }
}

}  // namespace reel::py_bindings
