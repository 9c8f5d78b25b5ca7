// reel.dataframe: Recording, View, RecordBatchReader, Table, Column, Schema (see dataframe.cpp).
#pragma once

#include <memory>
#include <optional>

#include "common.hpp"
#include "reel/query/dataframe.hpp"

namespace reel::py_bindings {

void register_dataframe(py::module_& m);

// Seconds (float) as nanoseconds, as View.filter_range_secs takes them.
TimeInt time_arg_nanos(double seconds);
// Index values from Python (ints, datetimes, numpy arrays) for an index of `type`.
std::vector<TimeInt> time_values_arg(py::handle values, std::optional<TimeType> type);

// An rr.dataframe.RecordBatchReader over `reader` (dataset views, SQL results); the index
// column, if any, is of `index_type` (for numpy's datetime64 / timedelta64).
py::object reader_object(std::unique_ptr<dataframe::RecordBatchReader> reader,
                         std::optional<TimeType> index_type);
// An rr.dataframe.Table of every remaining batch of `reader` (read with the GIL released).
py::object table_object(dataframe::RecordBatchReader& reader, std::optional<TimeType> index_type);
// The store of an rr.dataframe.Recording.
std::shared_ptr<const ChunkStore> recording_store(py::handle recording);

// reel.dataframe.Dataset, load_dataset, Recording.sql (dataset.cpp).
void register_dataset(py::module_& df);

}  // namespace reel::py_bindings
