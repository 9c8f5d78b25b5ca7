// reel.dataframe: Recording, View, RecordBatchReader, Table, Column, Schema (see dataframe.cpp).
#pragma once

#include "common.hpp"

namespace reel::py_bindings {

void register_dataframe(py::module_& m);

}  // namespace reel::py_bindings
