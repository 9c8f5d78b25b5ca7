// The Arrow PyCapsule interface (arrow.apache.org/docs/format/CDataInterface/PyCapsuleInterface):
// capsules named "arrow_schema", "arrow_array" and "arrow_array_stream" holding the C data
// interface structs (src/arrow/c_data). Each capsule owns its struct: its destructor calls
// the struct's release callback unless a consumer moved the struct out (release == NULL).
#pragma once

#include "common.hpp"
#include "reel/arrow/c_data.hpp"

namespace reel::py_bindings {

py::capsule schema_capsule(const arrow::Schema& schema);
py::capsule field_capsule(const arrow::Field& field);
py::capsule batch_capsule(const arrow::RecordBatch& batch);
py::capsule array_capsule(const arrow::ArrayPtr& array);
py::capsule batch_stream_capsule(arrow::SchemaPtr schema, arrow::RecordBatchSource next);
py::capsule array_stream_capsule(arrow::FieldPtr field, arrow::ArraySource next);

// The struct inside a capsule from a producer (checked by name); the caller moves it out.
ArrowArrayStream* stream_from_capsule(py::handle capsule);
ArrowSchema* schema_from_capsule(py::handle capsule);
ArrowArray* array_from_capsule(py::handle capsule);

}  // namespace reel::py_bindings
