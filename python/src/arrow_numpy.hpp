// reel Arrow arrays -> numpy and Python values.
//
// Column semantics (docs/python.md):
// - an index column (int64) is an int64 array; datetime64[ns] for timestamp timelines and
//   timedelta64[ns] for duration timelines (views, no copy);
// - a component column (list<T>) where every row holds exactly one instance of a flat type
//   (numbers, fixed-size lists of numbers) is the values array, shape (rows, *inner), a
//   read-only view of reel's buffer (zero-copy) when the table is one batch;
// - ... with null or empty rows and a floating type: a copy with NaN in those rows;
// - at most one instance per row otherwise: an object array of the value (str, int, dict...)
//   or None;
// - otherwise an object array with, per row, None or the row's instances (a numpy array for
//   flat types, a list of Python values for strings, structs, ...).
#pragma once

#include <optional>
#include <vector>

#include "common.hpp"
#include "reel/arrow/array.hpp"
#include "reel/chunk/timeline.hpp"

namespace reel::py_bindings {

// One element as a Python value: None, bool, int, float, str, bytes, list (lists and
// fixed-size lists), dict (structs).
py::object element_to_python(const arrow::ArrayData& a, int64_t i);

// Instances as numpy when flat (shape (n, *inner), a copy), else a list of Python values.
py::object instances_to_python(const arrow::ArrayPtr& instances);

// A whole column (its chunks, one per record batch) as numpy, per the rules above.
py::array column_to_numpy(const std::vector<arrow::ArrayPtr>& chunks, const arrow::TypePtr& type,
                          std::optional<TimeType> time_type);

// A whole column as a list of Python values (None for nulls; a list of instances per row
// for component columns).
py::list column_to_pylist(const std::vector<arrow::ArrayPtr>& chunks);

}  // namespace reel::py_bindings
