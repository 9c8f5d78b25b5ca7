// rr.RecordingStream, the global recording, and what the logging entry points share.
//
// The global recording (rr.init) is held as a Python object plus a raw pointer to its C++
// stream, both read and written under the GIL only, so the logging fast path reaches it
// without a lock. A call that releases the GIL holds a reference to its stream first.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common.hpp"
#include "reel/sdk/recording_stream.hpp"
#include "reel/store/chunk_store.hpp"

namespace reel::py_bindings {

// The stream for a call: `self` when it is a RecordingStream (a method call), else the
// `recording` keyword when given (not null and not None), else the global recording.
// Raises RuntimeError when there is none. Returns a new reference to the Python object in
// *owner when `owner` is not null.
RecordingStream* resolve_stream(PyObject* self, PyObject* recording, PyObject** owner = nullptr);

// A checked entity path: a str (strict syntax, see reel::EntityPath::parse; validated once
// per distinct string) or a list of parts (escaped). The view stays valid while `path` lives
// (str) or while `storage` does (parts). Raises ValueError / TypeError.
std::string_view entity_path_arg(PyObject* path, std::string& storage);

// rr.memory_recording(): the embedded store of a recording.
struct PyMemoryRecording {
  std::shared_ptr<ChunkStore> store;
};

void register_recording(py::module_& m);

}  // namespace reel::py_bindings
