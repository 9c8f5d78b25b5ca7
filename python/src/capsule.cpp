#include "capsule.hpp"

namespace reel::py_bindings {

namespace {

constexpr const char* kSchema = "arrow_schema";
constexpr const char* kArray = "arrow_array";
constexpr const char* kStream = "arrow_array_stream";

// Capsule destructors per the PyCapsule interface: release unless moved, then free.
void destroy_schema(PyObject* capsule) {
  auto* s = static_cast<ArrowSchema*>(PyCapsule_GetPointer(capsule, kSchema));
  if (!s) {
    PyErr_Clear();
    return;
  }
  if (s->release) s->release(s);
  delete s;
}
void destroy_array(PyObject* capsule) {
  auto* a = static_cast<ArrowArray*>(PyCapsule_GetPointer(capsule, kArray));
  if (!a) {
    PyErr_Clear();
    return;
  }
  if (a->release) a->release(a);
  delete a;
}
void destroy_stream(PyObject* capsule) {
  auto* s = static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule, kStream));
  if (!s) {
    PyErr_Clear();
    return;
  }
  if (s->release) s->release(s);
  delete s;
}

template <typename T>
py::capsule wrap(T* value, const char* name, void (*destructor)(PyObject*)) {
  PyObject* c = PyCapsule_New(value, name, destructor);
  if (!c) {
    if (value->release) value->release(value);
    delete value;
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::capsule>(c);
}

template <typename T>
T* from_capsule(py::handle capsule, const char* name) {
  if (!PyCapsule_CheckExact(capsule.ptr())) {
    type_error(std::string("expected a PyCapsule named '") + name + "', got " + type_name(capsule));
  }
  auto* p = static_cast<T*>(PyCapsule_GetPointer(capsule.ptr(), name));
  if (!p) throw py::error_already_set();  // wrong name: Python says which
  if (!p->release)
    value_error(std::string("the ") + name + " in this capsule was already consumed");
  return p;
}

}  // namespace

py::capsule schema_capsule(const arrow::Schema& schema) {
  auto* s = new ArrowSchema{};
  Status st = arrow::export_schema(schema, s);
  if (!st.ok()) {
    delete s;
    throw_status(st);
  }
  return wrap(s, kSchema, destroy_schema);
}

py::capsule field_capsule(const arrow::Field& field) {
  auto* s = new ArrowSchema{};
  Status st = arrow::export_field(field, s);
  if (!st.ok()) {
    delete s;
    throw_status(st);
  }
  return wrap(s, kSchema, destroy_schema);
}

py::capsule batch_capsule(const arrow::RecordBatch& batch) {
  auto* a = new ArrowArray{};
  Status st = arrow::export_record_batch(batch, a);
  if (!st.ok()) {
    delete a;
    throw_status(st);
  }
  return wrap(a, kArray, destroy_array);
}

py::capsule array_capsule(const arrow::ArrayPtr& array) {
  auto* a = new ArrowArray{};
  Status st = arrow::export_array(array, a);
  if (!st.ok()) {
    delete a;
    throw_status(st);
  }
  return wrap(a, kArray, destroy_array);
}

py::capsule batch_stream_capsule(arrow::SchemaPtr schema, arrow::RecordBatchSource next) {
  auto* s = new ArrowArrayStream{};
  Status st = arrow::export_record_batch_stream(std::move(schema), std::move(next), s);
  if (!st.ok()) {
    delete s;
    throw_status(st);
  }
  return wrap(s, kStream, destroy_stream);
}

py::capsule array_stream_capsule(arrow::FieldPtr field, arrow::ArraySource next) {
  auto* s = new ArrowArrayStream{};
  Status st = arrow::export_array_stream(std::move(field), std::move(next), s);
  if (!st.ok()) {
    delete s;
    throw_status(st);
  }
  return wrap(s, kStream, destroy_stream);
}

ArrowArrayStream* stream_from_capsule(py::handle capsule) {
  return from_capsule<ArrowArrayStream>(capsule, kStream);
}
ArrowSchema* schema_from_capsule(py::handle capsule) {
  return from_capsule<ArrowSchema>(capsule, kSchema);
}
ArrowArray* array_from_capsule(py::handle capsule) {
  return from_capsule<ArrowArray>(capsule, kArray);
}

}  // namespace reel::py_bindings
