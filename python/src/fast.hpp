// The per-row hot path: rr.log, rr.set_time and rr.Scalars (CPython vectorcall, see fast.cpp).
#pragma once

#include "common.hpp"

namespace reel::py_bindings {

// Adds rr.Scalars, rr.log and rr.set_time to `m`, and log / set_time as methods of
// `recording_class` (rr.RecordingStream).
void register_fast(py::module_& m, py::handle recording_class);

}  // namespace reel::py_bindings
